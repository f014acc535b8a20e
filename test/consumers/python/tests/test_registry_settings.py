"""RegistrySettings from Python: mirrors test/registry-settings.test.ts (common brief, item 4)."""

import json

import pytest
from aws_cdk.assertions import Match, Template
import aws_cdk.aws_codebuild as codebuild
from cdk_ecr_codebuild import (
    DockerBuildToEcr,
    PullThroughCacheRule,
    RegistryScanning,
    RegistrySettings,
    RepositoryCreationTemplate,
    RepositoryCreationTrigger,
    Upstream,
)

from support import new_stack, s3_source


def ecr_public_rule() -> PullThroughCacheRule:
    return PullThroughCacheRule(ecr_repository_prefix="ecr-public", upstream=Upstream.ecr_public())


def test_ecr_public_pull_through_cache_rule():
    """Mirrors 'pull-through cache rules' > 'renders each upstream' for Upstream.ecrPublic() (prefix ecr-public)."""
    stack = new_stack()
    rule = ecr_public_rule()
    registry = RegistrySettings(stack, "Registry", pull_through_cache_rules=[rule])
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::ECR::PullThroughCacheRule", 1)
    template.has_resource_properties(
        "AWS::ECR::PullThroughCacheRule",
        {
            "EcrRepositoryPrefix": "ecr-public",
            "UpstreamRegistry": "ecr-public",
            "UpstreamRegistryUrl": "public.ecr.aws",
            "CredentialArn": Match.absent(),
        },
    )
    assert [r.ecr_repository_prefix for r in registry.pull_through_cache_rules] == ["ecr-public"]


def test_rule_names_cache_repositories():
    """Mirrors 'other upstreams keep the name as it is' and the registryPrefix assertion of the Docker Hub test."""
    stack = new_stack()
    rule = ecr_public_rule()
    RegistrySettings(stack, "Registry", pull_through_cache_rules=[rule])
    assert rule.repository_name("nginx") == "ecr-public/nginx"
    assert rule.repository_name("public.ecr.aws/docker/library/node:20") == "ecr-public/docker/library/node"
    assert "111111111111.dkr.ecr.eu-west-1." in json.dumps(stack.resolve(rule.registry_prefix))


def test_grant_pull_through_cache_to_a_docker_build():
    """Mirrors 'grantPullThroughCache' > 'grants import, create and pull on the cache prefix to a
    DockerBuildToEcr, with the prefix as build arg' (here the ecr-public rule)."""
    stack = new_stack()
    rule = ecr_public_rule()
    registry = RegistrySettings(stack, "Registry", pull_through_cache_rules=[rule])
    image = DockerBuildToEcr(stack, "Image", source=s3_source(stack), build_args={"BASE_REGISTRY": rule.registry_prefix})
    grant = registry.grant_pull_through_cache(image, "ecr-public")
    assert grant.success is True
    Template.from_stack(stack).has_resource_properties(
        "AWS::IAM::Policy",
        {
            "Roles": [{"Ref": Match.string_like_regexp("^ImageRole")}],
            "PolicyDocument": {
                "Statement": Match.array_with(
                    [
                        {
                            "Action": [
                                "ecr:BatchGetImage",
                                "ecr:GetDownloadUrlForLayer",
                                "ecr:BatchCheckLayerAvailability",
                                "ecr:BatchImportUpstreamImage",
                                "ecr:CreateRepository",
                            ],
                            "Effect": "Allow",
                            "Resource": {
                                "Fn::Join": [
                                    "",
                                    ["arn:", {"Ref": "AWS::Partition"}, ":ecr:eu-west-1:111111111111:repository/ecr-public/*"],
                                ]
                            },
                        }
                    ]
                )
            },
        },
    )


def test_basic_scanning():
    """Mirrors 'scanning' > 'basic scans every repository on push by default'."""
    stack = new_stack()
    registry = RegistrySettings(stack, "Registry", scanning=RegistryScanning.basic())
    assert registry.scanning_configuration.cfn_resource_type == "AWS::ECR::RegistryScanningConfiguration"
    Template.from_stack(stack).has_resource_properties(
        "AWS::ECR::RegistryScanningConfiguration",
        {
            "ScanType": "BASIC",
            "Rules": [{"ScanFrequency": "SCAN_ON_PUSH", "RepositoryFilters": [{"Filter": "*", "FilterType": "WILDCARD"}]}],
        },
    )


def test_creation_template_for_pull_through_cache():
    """Mirrors 'repository creation templates' > 'renders every option', reduced to prefix and appliedFor
    (RepositoryCreationTrigger.PULL_THROUGH_CACHE), with the struct class RepositoryCreationTemplate."""
    stack = new_stack()
    RegistrySettings(
        stack,
        "Registry",
        pull_through_cache_rules=[ecr_public_rule()],
        repository_creation_templates=[
            RepositoryCreationTemplate(prefix="ecr-public", applied_for=[RepositoryCreationTrigger.PULL_THROUGH_CACHE])
        ],
    )
    Template.from_stack(stack).has_resource_properties(
        "AWS::ECR::RepositoryCreationTemplate", {"Prefix": "ecr-public", "AppliedFor": ["PULL_THROUGH_CACHE"]}
    )


def test_a_dict_in_a_list_of_structs_takes_the_typescript_keys():
    """No TypeScript counterpart: a bindings fact. A plain dict inside a list of structs reaches the
    library as it is, so it needs the TypeScript key (appliedFor); the Python key (applied_for) is
    refused. (The bindings convert a dict only where a struct is the direct type of a keyword, e.g.
    DockerBuildToEcr's subnet_selection; replication_rules in the test below works with a dict because
    its keys, destinations and region, are the same in both languages.)"""
    stack = new_stack()
    with pytest.raises(RuntimeError, match=r"Missing required properties for cdk-ecr-codebuild.RepositoryCreationTemplate: 'appliedFor'"):
        RegistrySettings(
            stack, "Bad", repository_creation_templates=[{"prefix": "p", "applied_for": [RepositoryCreationTrigger.PULL_THROUGH_CACHE]}]
        )
    ok = new_stack()
    RegistrySettings(
        ok, "Registry", repository_creation_templates=[{"prefix": "p", "appliedFor": [RepositoryCreationTrigger.PULL_THROUGH_CACHE]}]
    )
    Template.from_stack(ok).has_resource_properties("AWS::ECR::RepositoryCreationTemplate", {"Prefix": "p"})


def test_replication_to_itself_raises_with_the_library_message():
    """Mirrors 'replication' > 'fails when a destination is the registry itself'."""
    stack = new_stack()
    with pytest.raises(RuntimeError, match=r'^\[Stack/Registry\] RegistrySettings: destinations "eu-west-1" is the '
                       r"registry itself \(account 111111111111, region eu-west-1\)"):
        RegistrySettings(stack, "Registry", replication_rules=[{"destinations": [{"region": "eu-west-1"}]}])
        Template.from_stack(stack)
