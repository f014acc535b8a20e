"""Value types from Python (common brief, item 6): the TypeScript enums are enum.Enum members that
compare by value; the classes with static members are usable, compared through their documented
properties."""

import enum

from aws_cdk.assertions import Match, Template
from cdk_ecr_codebuild import (
    AccessLevel,
    DockerBuildToEcr,
    DockerCache,
    FindingSeverity,
    ImagePlatform,
    RegistryScanning,
    RepositoryCreationTrigger,
    Upstream,
)

from support import build_spec_of, new_stack, s3_source


def test_access_level_is_an_enum_comparing_by_value():
    """Mirrors the AccessLevel uses of cross-account-pull-policy.test.ts (PULL is the default, PULL_PUSH differs)."""
    assert issubclass(AccessLevel, enum.Enum)
    assert AccessLevel.PULL == AccessLevel.PULL
    assert AccessLevel.PULL != AccessLevel.PULL_PUSH
    assert AccessLevel("PULL") is AccessLevel.PULL
    assert AccessLevel["PULL_PUSH"] is AccessLevel.PULL_PUSH
    assert [m.name for m in AccessLevel] == ["PULL", "PULL_PUSH"]
    assert AccessLevel.PULL_PUSH.value == "PULL_PUSH"


def test_finding_severity_members_in_order():
    """Mirrors the FindingSeverity members onImageScanFindings takes (minSeverity), least to most severe."""
    assert issubclass(FindingSeverity, enum.Enum)
    assert [m.value for m in FindingSeverity] == ["INFORMATIONAL", "LOW", "MEDIUM", "HIGH", "CRITICAL"]
    assert FindingSeverity("HIGH") is FindingSeverity.HIGH
    assert FindingSeverity.HIGH != FindingSeverity.CRITICAL


def test_repository_creation_trigger_members():
    """Mirrors registry-settings.test.ts' appliedFor values."""
    assert issubclass(RepositoryCreationTrigger, enum.Enum)
    assert {m.value for m in RepositoryCreationTrigger} == {"PULL_THROUGH_CACHE", "REPLICATION", "CREATE_ON_PUSH"}


def test_image_platform_members():
    """Mirrors capabilities.test.ts 'ImagePlatform is an enum': an enum.Enum whose members compare by value
    (two reads of ImagePlatform.LINUX_AMD64 are equal, and a platform from a list can be tested with ==)."""
    assert issubclass(ImagePlatform, enum.Enum)
    assert [m.name for m in ImagePlatform] == ["LINUX_AMD64", "LINUX_ARM64"]
    assert ImagePlatform.LINUX_AMD64 == ImagePlatform.LINUX_AMD64
    assert ImagePlatform.LINUX_AMD64 != ImagePlatform.LINUX_ARM64
    chosen = [ImagePlatform.LINUX_ARM64]
    assert ImagePlatform.LINUX_ARM64 in chosen and ImagePlatform.LINUX_AMD64 not in chosen


def test_one_arm64_platform_builds_on_the_arm_image():
    """Mirrors 'one platform: built with --platform on an image of that architecture'."""
    stack = new_stack()
    DockerBuildToEcr(stack, "Image", source=s3_source(stack), platforms=[ImagePlatform.LINUX_ARM64])
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::CodeBuild::Project",
        {
            "Environment": {"Type": "ARM_CONTAINER", "Image": "aws/codebuild/amazonlinux-aarch64-standard:4.0"},
            "BuildBatchConfig": Match.absent(),
        },
    )
    assert "--platform 'linux/arm64'" in build_spec_of(template)["phases"]["build"]["commands"][0]


def test_static_factories_of_the_other_value_classes():
    """Mirrors registry-settings.test.ts 'enhanced is continuous on every repository by default' and
    'basic with filters', and the DockerCache factories."""
    enhanced = RegistryScanning.enhanced()
    assert enhanced.scan_type == "ENHANCED"
    assert [(r.scan_frequency, r.filters) for r in enhanced.rules] == [("CONTINUOUS_SCAN", ["*"])]
    basic = RegistryScanning.basic(scan_on_push_filters=["prod-*", "team/app"])
    assert [(r.scan_frequency, r.filters) for r in basic.rules] == [("SCAN_ON_PUSH", ["prod-*", "team/app"])]
    for cache in (DockerCache.registry(tag="layers"), DockerCache.local(), DockerCache.none()):
        assert isinstance(cache, DockerCache)
    assert Upstream.ecr_public() is not None and Upstream.quay() is not None
