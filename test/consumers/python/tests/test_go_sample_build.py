"""GoSampleBuild and BuilderImage from Python: mirrors test/go-sample-build.test.ts and
test/builder-image.test.ts (common brief, item 3)."""

import json

import pytest
from aws_cdk import Stack
from aws_cdk.assertions import Match, Template
import aws_cdk.aws_codebuild as codebuild
import aws_cdk.aws_ecr as ecr
import aws_cdk.aws_s3 as s3
from cdk_ecr_codebuild import BuilderImage, GoSampleBuild

from support import build_spec_of, new_stack, project_of


def build(stack: Stack, **props) -> GoSampleBuild:
    """The TypeScript tests' build(): GoSampleBuild 'Go' from GoSample.zip of the bucket input-bucket."""
    bucket = s3.Bucket.from_bucket_name(stack, "SourceBucket", "input-bucket")
    return GoSampleBuild(stack, "Go", source=codebuild.Source.s3(bucket=bucket, path="GoSample.zip"), **props)


def test_curated_1_24_sets_runtime_versions():
    """Mirrors 'an explicit curated image and Go version' with BuilderImage.curated('1.24'), and
    builder-image.test.ts 'picks the newest curated image that carries the Go version' (1.24: standard:8.0, the newest)."""
    stack = new_stack()
    construct = build(stack, builder_image=BuilderImage.curated("1.24"))
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::CodeBuild::Project", 1)
    template.has_resource_properties(
        "AWS::CodeBuild::Project",
        {"Environment": {"Image": "aws/codebuild/standard:8.0", "ImagePullCredentialsType": "CODEBUILD"}},
    )
    assert build_spec_of(template)["phases"]["install"]["runtime-versions"] == {"golang": "1.24"}
    assert construct.image_pull_credentials == codebuild.ImagePullPrincipalType.CODEBUILD


def test_default_is_go_1_26():
    """Mirrors 'a curated image with Go 1.26 selected by runtime-versions, pulled with CODEBUILD credentials'."""
    stack = new_stack()
    build(stack)
    template = Template.from_stack(stack)
    assert BuilderImage.DEFAULT_GO_VERSION == "1.26"
    assert build_spec_of(template)["phases"]["install"]["runtime-versions"] == {"golang": "1.26"}
    assert project_of(template)["Properties"]["Environment"]["PrivilegedMode"] is False


def test_custom_ecr_image_has_no_runtime_versions():
    """Mirrors 'a repository of the same stack: CODEBUILD, and a repository-policy statement for this project only'."""
    stack = new_stack()
    repo = ecr.Repository(stack, "Builder")
    construct = build(stack, builder_image=BuilderImage.from_ecr_repository(repo, "go1.22"))
    template = Template.from_stack(stack)
    project = project_of(template)
    assert construct.image_pull_credentials == codebuild.ImagePullPrincipalType.CODEBUILD
    assert project["Properties"]["Environment"]["ImagePullCredentialsType"] == "CODEBUILD"
    assert ':go1.22"' in json.dumps(project["Properties"]["Environment"]["Image"])
    assert "runtime-versions" not in build_spec_of(template)["phases"]["install"]
    template.has_resource_properties(
        "AWS::ECR::Repository",
        {
            "RepositoryPolicyText": {
                "Statement": [
                    Match.object_like(
                        {
                            "Sid": Match.string_like_regexp("^CodeBuildPull"),
                            "Effect": "Allow",
                            "Principal": {"Service": "codebuild.amazonaws.com"},
                            "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"],
                        }
                    )
                ]
            }
        },
    )


def test_builder_image_values():
    """Mirrors builder-image.test.ts 'keeps the Go version for runtime-versions, and no repository' and
    "goVersionsOf lists an image's versions, and nothing for an unknown image"."""
    image = BuilderImage.curated("1.22")
    assert image.go_version == "1.22"
    assert image.repository is None
    assert image.image_pull_credentials is None
    assert image.curated_image.image_id == "aws/codebuild/standard:7.0"
    assert BuilderImage.go_versions_of(codebuild.LinuxBuildImage.STANDARD_7_0) == [
        "1.20", "1.21", "1.22", "1.23", "1.24", "1.25", "1.26",
    ]
    assert BuilderImage.go_versions_of(codebuild.LinuxBuildImage.STANDARD_5_0) == []


def test_unknown_go_version_raises_with_the_library_message():
    """Mirrors "fails when the Go version is on no curated image (the seed's 1.13)" (a static factory: no
    construct path in the message: the factory leads it). jsii prefixes errors thrown by static and
    instance methods, not by constructors, with "Error: " (seen with jsii 1.140 and 1.142)."""
    with pytest.raises(RuntimeError) as raised:
        BuilderImage.curated("1.13")
    assert str(raised.value) == (
        'Error: BuilderImage.curated: goVersion "1.13" is not available on any CodeBuild curated image: '
        "use one of 1.20, 1.21, 1.22, 1.23, 1.24, 1.25, 1.26 "
        "(see https://docs.aws.amazon.com/codebuild/latest/userguide/available-runtimes.html), "
        "or a custom image with BuilderImage.fromEcrRepository"
    )
