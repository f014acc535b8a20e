"""DockerBuildToEcr from Python: mirrors test/docker-build-to-ecr.test.ts (common brief, item 1)."""

import json
import re

import pytest
from aws_cdk import Duration, Stack
from aws_cdk.assertions import Match, Template
import aws_cdk.aws_codebuild as codebuild
import aws_cdk.aws_ecr as ecr
import aws_cdk.aws_iam as iam
import aws_cdk.aws_logs as logs
from cdk_ecr_codebuild import DockerBuildToEcr, DockerCache, ImagePlatform

from support import as_list, build_spec_of, env_of, identity_statements, new_stack, s3_source


def build(stack: Stack = None, **props):
    """The TypeScript tests' build(): a DockerBuildToEcr 'Image' from the S3 source, its template."""
    stack = stack or new_stack()
    image = DockerBuildToEcr(stack, "Image", source=s3_source(stack), **props)
    return stack, image, Template.from_stack(stack)


def image_repository_id(stack, image) -> str:
    """The logical id of the image repository (the construct also creates the cache's)."""
    return stack.get_logical_id(image.repository.node.default_child)


def test_repository_scanned_on_push_mutable_retained():
    """Mirrors 'DockerBuildToEcr: repository' > 'creates a repository scanned on push, mutable, retained,
    whose untagged images expire after 14 days' and 'the cache repository: the build's own, MUTABLE, not scanned'."""
    stack, image, template = build()
    template.resource_count_is("AWS::ECR::Repository", 2)
    repositories = template.find_resources("AWS::ECR::Repository")
    repository = repositories[image_repository_id(stack, image)]
    assert repository["Properties"]["ImageScanningConfiguration"] == {"ScanOnPush": True}
    assert repository["Properties"]["ImageTagMutability"] == "MUTABLE"
    assert "EncryptionConfiguration" not in repository["Properties"]
    assert repository["DeletionPolicy"] == "Retain" and repository["UpdateReplacePolicy"] == "Retain"
    rules = json.loads(repository["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
    assert [(r["selection"]["tagStatus"], r["selection"]["countNumber"]) for r in rules] == [("untagged", 14)]
    cache = repositories[stack.get_logical_id(image.cache_repository.node.default_child)]
    assert cache["Properties"]["ImageTagMutability"] == "MUTABLE"
    assert "ImageScanningConfiguration" not in cache["Properties"]
    template.resource_count_is("AWS::Logs::LogGroup", 1)


def test_privileged_project_on_standard_8():
    """Mirrors 'a privileged Linux project on the standard 8.0 image (the newest x86_64 one), 60 minutes, small'."""
    _, _, template = build()
    template.resource_count_is("AWS::CodeBuild::Project", 1)
    template.has_resource_properties(
        "AWS::CodeBuild::Project",
        {
            "Environment": {
                "Type": "LINUX_CONTAINER",
                "Image": "aws/codebuild/standard:8.0",
                "ComputeType": "BUILD_GENERAL1_SMALL",
                "PrivilegedMode": True,
            },
            "TimeoutInMinutes": 60,
            "Source": {"Type": "S3", "Location": "my-sources/app/source.zip"},
            "ServiceRole": {"Fn::GetAtt": [Match.string_like_regexp("^ImageRole"), "Arn"]},
        },
    )


def test_seed_environment_variables():
    """Mirrors 'sets the seed environment variables and ECR_REGISTRY from the repository'."""
    _, _, template = build()
    env = env_of(template)
    assert env["AWS_DEFAULT_REGION"] == "eu-west-1"
    assert env["AWS_ACCOUNT_ID"] == "111111111111"
    assert env["IMAGE_REPO_NAME"]["Ref"].startswith("ImageRepository")
    assert env["IMAGE_TAG"] == ""
    assert ".dkr.ecr." in json.dumps(env["ECR_REGISTRY"])


def test_fixed_image_tag_goes_into_IMAGE_TAG():
    """Mirrors 'a fixed imageTag goes into IMAGE_TAG' (the Python keyword image_tag)."""
    _, _, template = build(image_tag="v1.2.3")
    assert env_of(template)["IMAGE_TAG"] == "v1.2.3"


def test_buildspec_logs_in_with_get_login_password():
    """Mirrors 'DockerBuildToEcr: buildspec' > 'logs in with get-login-password, never the removed get-login'
    and 'runs with bash, buildspec version 0.2 as a number, ...'. The BuildSpec is a JSON string."""
    _, _, template = build()
    raw = next(iter(template.find_resources("AWS::CodeBuild::Project").values()))["Properties"]["Source"]["BuildSpec"]
    assert isinstance(raw, str) and "aws ecr get-login-password" in raw
    spec = build_spec_of(template)
    assert (
        'aws ecr get-login-password --region "$AWS_DEFAULT_REGION" | docker login --username AWS '
        '--password-stdin "$ECR_REGISTRY"'
    ) in spec["phases"]["pre_build"]["commands"]
    assert re.search(r"get-login(?!-password)", json.dumps(spec)) is None
    assert spec["version"] == 0.2


def test_only_star_statement_is_get_authorization_token():
    """Mirrors 'DockerBuildToEcr: IAM' > 'pull and push on the repository ARN; GetAuthorizationToken alone on "*"'
    and 'no identity statement other than GetAuthorizationToken uses a "*" resource or action'
    (here across every AWS::IAM::Policy and every role's inline policies)."""
    stack, image, template = build()
    statements = identity_statements(template)
    star = [s for s in statements if "*" in as_list(s.get("Resource"))]
    assert star == [{"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"}]
    for statement in statements:
        assert "ecr:*" not in as_list(statement["Action"])
    assert {
        "Action": [
            "ecr:BatchCheckLayerAvailability",
            "ecr:GetDownloadUrlForLayer",
            "ecr:BatchGetImage",
            "ecr:CompleteLayerUpload",
            "ecr:UploadLayerPart",
            "ecr:InitiateLayerUpload",
            "ecr:PutImage",
        ],
        "Effect": "Allow",
        "Resource": {"Fn::GetAtt": [image_repository_id(stack, image), "Arn"]},
    } in statements


def test_members_are_usable():
    """Mirrors 'imageUri uses the fixed imageTag, else the first additional tag', 'the role is assumed by
    CodeBuild only; the construct is grantable' and 'grantPull gives a grantee pull on this repository only':
    image_uri, repository, project and role from Python."""
    stack = new_stack()
    image = DockerBuildToEcr(stack, "Image", source=s3_source(stack))
    consumer = iam.Role(stack, "Consumer", assumed_by=iam.AccountRootPrincipal())
    image.grant_pull(consumer)
    template = Template.from_stack(stack)
    repository_id = image_repository_id(stack, image)
    project_id = next(iter(template.find_resources("AWS::CodeBuild::Project")))

    uri = json.dumps(stack.resolve(image.image_uri))
    assert uri.endswith(':latest"]]}'), uri  # default additionalTags ['latest']
    assert ".dkr.ecr." in uri and repository_id in uri
    assert json.dumps(stack.resolve(image.image_uri_for_tag("v9"))).endswith(':v9"]]}')
    assert isinstance(image.repository, ecr.Repository)
    assert stack.resolve(image.repository.repository_name) == {"Ref": repository_id}
    assert isinstance(image.project, codebuild.Project)
    assert stack.resolve(image.project.project_name) == {"Ref": project_id}
    assert isinstance(image.role, iam.Role)
    assert stack.resolve(image.role.role_arn)["Fn::GetAtt"][0].startswith("ImageRole")
    assert stack.resolve(image.grant_principal.policy_fragment.principal_json) == stack.resolve(
        image.role.policy_fragment.principal_json
    )
    template.has_resource_properties(
        "AWS::IAM::Role",
        {
            "AssumeRolePolicyDocument": {
                "Statement": [
                    {"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": {"Service": "codebuild.amazonaws.com"}}
                ]
            }
        },
    )
    template.has_resource_properties(
        "AWS::IAM::Policy",
        {
            "Roles": [{"Ref": Match.string_like_regexp("^Consumer")}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        {
                            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                            "Effect": "Allow",
                            "Resource": {"Fn::GetAtt": [repository_id, "Arn"]},
                        },
                        {"Action": "ecr:GetAuthorizationToken", "Effect": "Allow", "Resource": "*"},
                    ]
                )
            },
        },
    )


def test_lifecycle_presets():
    """Mirrors 'lifecycle presets: untagged expiration first, then the "any" rule counting builds (no cache
    image counted)' (Duration and numbers from Python)."""
    stack, image, template = build(untagged_image_expiration=Duration.days(7), max_image_count=30)
    repository = template.find_resources("AWS::ECR::Repository")[image_repository_id(stack, image)]
    rules = json.loads(repository["Properties"]["LifecyclePolicy"]["LifecyclePolicyText"])["rules"]
    assert [(r["rulePriority"], r["selection"]["tagStatus"], r["selection"]["countNumber"]) for r in rules] == [
        (1, "untagged", 7),
        (2, "tagged", 30),
    ]


def test_keep_untagged_images_and_log_retention():
    """Mirrors 'keepUntaggedImages: no untagged rule' and 'logRetention and removalPolicy shape the log group'."""
    stack, image, template = build(keep_untagged_images=True, log_retention=logs.RetentionDays.ONE_MONTH)
    repository = template.find_resources("AWS::ECR::Repository")[image_repository_id(stack, image)]
    assert "LifecyclePolicy" not in repository["Properties"]
    template.has_resource_properties("AWS::Logs::LogGroup", {"RetentionInDays": 30})


def test_platforms_make_a_batch_build():
    """Mirrors 'several platforms: a batch build project (service role of its own) with the build graph'."""
    _, _, template = build(platforms=[ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64], image_tag="v1")
    template.has_resource_properties(
        "AWS::CodeBuild::Project",
        {
            "Environment": {"Type": "LINUX_CONTAINER", "Image": "aws/codebuild/standard:8.0"},
            "BuildBatchConfig": {"ServiceRole": Match.any_value()},
        },
    )
    graph = build_spec_of(template)["batch"]["build-graph"]
    assert [b["identifier"] for b in graph] == ["image_linux_amd64", "image_linux_arm64", "manifest"]


def test_local_cache():
    """Mirrors 'DockerCache.local() turns on CodeBuild LOCAL Docker layer cache; registry and none do not'."""
    _, _, template = build(cache=DockerCache.local())
    template.has_resource_properties(
        "AWS::CodeBuild::Project", {"Cache": {"Type": "LOCAL", "Modes": ["LOCAL_DOCKER_LAYER_CACHE"]}}
    )


@pytest.mark.parametrize("tag", ["bad tag!", "latest!", ".hidden"])
def test_bad_image_tag_raises_with_the_library_message(tag):
    """Mirrors test.each 'fails when imageTag is %j': jsii raises the JS error as a Python RuntimeError
    carrying the library's message (construct path, class, prop, value, problem, fix)."""
    stack = new_stack()
    with pytest.raises(RuntimeError) as raised:
        DockerBuildToEcr(stack, "Image", source=s3_source(stack), image_tag=tag)
    assert str(raised.value) == (
        f'[Stack/Image] DockerBuildToEcr: imageTag "{tag}" is not a valid tag: '
        "use 1-128 of [A-Za-z0-9_.-], not starting with . or -"
    )


def test_duplicate_tag_raises():
    """Mirrors 'fails when a tag is given twice (%j)' with { imageTag: 'v1', additionalTags: ['v1'] }."""
    stack = new_stack()
    with pytest.raises(RuntimeError, match=r'^\[Stack/Image\] DockerBuildToEcr: additionalTags "v1" is given twice'):
        DockerBuildToEcr(stack, "Image", source=s3_source(stack), image_tag="v1", additional_tags=["v1"])


def test_wrong_python_type_is_refused_before_reaching_the_library():
    """No TypeScript counterpart (the TS compiler refuses it): the bindings' runtime type check refuses a
    str for a number with a TypeError that names the parameter."""
    stack = new_stack()
    with pytest.raises(TypeError, match="max_image_count"):
        DockerBuildToEcr(stack, "Image", source=s3_source(stack), max_image_count="ten")
