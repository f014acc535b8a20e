"""The 2026 features from Python: mirrors the issue-22 tests of test/docker-build-to-ecr.test.ts and
test/registry-settings-2026.test.ts (the enum values, option structs and static factories through the
jsii bindings)."""

import json

import pytest
from aws_cdk import Duration
from aws_cdk.assertions import Match, Template
import aws_cdk.aws_codebuild as codebuild
import aws_cdk.aws_ec2 as ec2
import aws_cdk.aws_ecr as ecr
import aws_cdk.aws_iam as iam
import aws_cdk.aws_secretsmanager as secretsmanager
import aws_cdk.aws_signer as signer
from cdk_ecr_codebuild import (
    DockerBuildToEcr,
    DockerCache,
    ImageCompression,
    PullThroughCacheRule,
    RegistrySettings,
    RegistrySigning,
    RepositoryCreationTemplate,
    RepositoryCreationTrigger,
    SigningRule,
    Upstream,
)

from support import build_spec_of, new_stack, s3_source


def image_repository(stack, image):
    return Template.from_stack(stack).find_resources("AWS::ECR::Repository")[
        stack.get_logical_id(image.repository.node.default_child)
    ]


def test_values_of_the_new_enums():
    """ImageCompression and RepositoryCreationTrigger.CREATE_ON_PUSH: enum.Enum members (jsii gives Python
    enums their member names as values), compared by value."""
    assert [m.name for m in ImageCompression] == ["GZIP", "ZSTD"]
    assert ImageCompression("ZSTD") is ImageCompression.ZSTD
    assert ImageCompression.GZIP != ImageCompression.ZSTD
    assert RepositoryCreationTrigger.CREATE_ON_PUSH.value == "CREATE_ON_PUSH"


def test_docker_server_in_a_vpc():
    """Mirrors 'in a VPC: a security group of its own that admits the build on TCP 9876 only'."""
    stack = new_stack()
    vpc = ec2.Vpc(stack, "Vpc", max_azs=1, nat_gateways=1)
    DockerBuildToEcr(
        stack,
        "Image",
        source=s3_source(stack),
        vpc=vpc,
        cache=DockerCache.docker_server(compute_type=codebuild.ComputeType.LARGE),
    )
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::CodeBuild::Project",
        {"Environment": {"DockerServer": {"ComputeType": "BUILD_GENERAL1_LARGE", "SecurityGroupIds": Match.any_value()}}},
    )
    template.has_resource_properties(
        "AWS::EC2::SecurityGroupIngress", {"IpProtocol": "tcp", "FromPort": 9876, "ToPort": 9876}
    )
    template.resource_count_is("AWS::ECR::Repository", 1)  # no cache repository with the Docker server


def test_docker_server_refuses_several_platforms():
    """Mirrors "fails when it would build several platforms" (a jsii error reaches Python as RuntimeError)."""
    from cdk_ecr_codebuild import ImagePlatform

    stack = new_stack()
    with pytest.raises(RuntimeError, match="cannot build 2 platforms: a project has one Docker server"):
        DockerBuildToEcr(
            stack,
            "Image",
            source=s3_source(stack),
            image_tag="v1",
            cache=DockerCache.docker_server(),
            platforms=[ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
        )


def test_zstd_and_immutable_commit_tags_with_latest_moving():
    """Mirrors 'IMMUTABLE with latest excluded' and 'ZSTD on the registry cache'."""
    stack = new_stack()
    image = DockerBuildToEcr(
        stack,
        "Image",
        source=s3_source(stack),
        image_tag_mutability=ecr.TagMutability.IMMUTABLE,
        image_tag_mutability_exclusion_filters=["latest"],
        compression=ImageCompression.ZSTD,
    )
    repository = image_repository(stack, image)
    assert repository["Properties"]["ImageTagMutability"] == "IMMUTABLE_WITH_EXCLUSION"
    assert repository["Properties"]["ImageTagMutabilityExclusionFilters"] == [
        {"ImageTagMutabilityExclusionFilterType": "WILDCARD", "ImageTagMutabilityExclusionFilterValue": "latest"}
    ]
    script = build_spec_of(Template.from_stack(stack))["phases"]["build"]["commands"][0]
    assert "compression=zstd,force-compression=true,oci-mediatypes=true" in script
    assert "local fixed_tags=('latest') tag" in script


def test_zstd_refused_with_the_local_cache():
    """Mirrors 'fails when ZSTD meets a cache that cannot write it'."""
    stack = new_stack()
    with pytest.raises(RuntimeError, match=r"compression \"ImageCompression.ZSTD\" needs a buildx builder"):
        DockerBuildToEcr(
            stack, "Image", source=s3_source(stack), cache=DockerCache.local(), compression=ImageCompression.ZSTD
        )


def test_archive_images_not_pulled_for():
    """Mirrors 'archiveImagesNotPulledFor' > 'the default untagged rule, then the archive rule (last)'."""
    stack = new_stack()
    image = DockerBuildToEcr(
        stack, "Image", source=s3_source(stack), archive_images_not_pulled_for=Duration.days(90)
    )
    rules = json.loads(image_repository(stack, image)["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
    assert [r["action"] for r in rules] == [
        {"type": "expire"},
        {"type": "transition", "targetStorageClass": "archive"},
    ]
    assert rules[1]["selection"]["countType"] == "sinceImagePulled"


def test_registry_signing_create_on_push_and_new_upstreams():
    """Mirrors the RegistrySettings 2026 tests: managed signing, CREATE_ON_PUSH, Chainguard, ECR to ECR."""
    stack = new_stack()
    profile = signer.SigningProfile(stack, "Profile", platform=signer.Platform.NOTATION_OCI_SHA384_ECDSA)
    role = iam.Role(stack, "Upstream", assumed_by=iam.ServicePrincipal("pullthroughcache.ecr.amazonaws.com"))
    token = secretsmanager.Secret.from_secret_name_v2(stack, "Token", "ecr-pullthroughcache/chainguard")
    RegistrySettings(
        stack,
        "Registry",
        signing=RegistrySigning.managed([SigningRule(signing_profile=profile, repository_filters=["prod/*"])]),
        pull_through_cache_rules=[
            PullThroughCacheRule(ecr_repository_prefix="chainguard", upstream=Upstream.chainguard(token)),
            PullThroughCacheRule(
                ecr_repository_prefix="central",
                upstream=Upstream.ecr_registry(account="222222222222", region="eu-west-1", role=role),
            ),
        ],
        repository_creation_templates=[
            RepositoryCreationTemplate(
                prefix="apps",
                applied_for=[RepositoryCreationTrigger.CREATE_ON_PUSH],
                image_tag_mutability=ecr.TagMutability.IMMUTABLE,
                image_tag_mutability_exclusion_filters=["latest"],
                archive_images_not_pulled_for=Duration.days(180),
            )
        ],
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::ECR::SigningConfiguration", 1)
    template.has_resource_properties("AWS::ECR::PullThroughCacheRule", {"UpstreamRegistry": "chainguard"})
    template.has_resource_properties(
        "AWS::ECR::PullThroughCacheRule", {"UpstreamRegistry": "ecr", "CustomRoleArn": Match.any_value()}
    )
    template.has_resource_properties(
        "AWS::ECR::RepositoryCreationTemplate",
        {"AppliedFor": ["CREATE_ON_PUSH"], "ImageTagMutability": "IMMUTABLE_WITH_EXCLUSION"},
    )
