"""CrossAccountPullPolicy from Python: mirrors test/cross-account-pull-policy.test.ts (common brief, item 2)."""

import pytest
from aws_cdk.assertions import Template
import aws_cdk.aws_codebuild as codebuild
import aws_cdk.aws_ecr as ecr
from cdk_ecr_codebuild import AccessLevel, CrossAccountPullPolicy

from support import new_stack

PULL_ACTIONS = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
PUSH_ACTIONS = ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload"]
ACCOUNTS = ["222222222222", "333333333333"]


def synth(access_level=None):
    """A new ecr.Repository shared with two accounts and a CodeBuild project of the stack."""
    stack = new_stack()
    repository = ecr.Repository(stack, "Repository")
    project = codebuild.Project(stack, "Project", build_spec=codebuild.BuildSpec.from_object({"version": "0.2"}))
    policy = CrossAccountPullPolicy(
        stack,
        "Pull",
        repository=repository,
        account_ids=ACCOUNTS,
        code_build_projects=[project],
        access_level=access_level,
    )
    template = Template.from_stack(stack)
    [repo] = template.find_resources("AWS::ECR::Repository").values()
    project_id = next(iter(template.find_resources("AWS::CodeBuild::Project")))
    return policy, repo["Properties"]["RepositoryPolicyText"]["Statement"], project_id


def test_pull_accounts_and_codebuild_statements():
    """Mirrors 'adds one statement per kind of grantee to the RepositoryPolicyText, without Resource' and
    'accounts and projects added after construction are rendered' (accounts + CodeBuild project, PULL)."""
    policy, statements, project_id = synth()
    assert policy.access_level == AccessLevel.PULL  # the default
    assert statements == [
        {
            "Sid": f"{policy.sid_prefix}Accounts",
            "Effect": "Allow",
            "Principal": {"AWS": "*"},
            "Action": PULL_ACTIONS,
            "Condition": {"StringEquals": {"aws:PrincipalAccount": ACCOUNTS}},
        },
        {
            "Sid": f"{policy.sid_prefix}CodeBuild",
            "Effect": "Allow",
            "Principal": {"Service": "codebuild.amazonaws.com"},
            "Action": PULL_ACTIONS,
            "Condition": {
                "StringEquals": {"aws:SourceAccount": ["111111111111"]},
                "ArnLike": {"aws:SourceArn": [{"Fn::GetAtt": [project_id, "Arn"]}]},
            },
        },
    ]
    for statement in statements:
        assert "Resource" not in statement
        assert not set(statement["Action"]) & set(PUSH_ACTIONS)


def test_pull_push_adds_push_actions_for_accounts_not_codebuild():
    """Mirrors 'PULL_PUSH: push actions appear, for the granted principals only' and
    'CodeBuild may pull only for the project, from its account, and never push'."""
    _, statements, _ = synth(AccessLevel.PULL_PUSH)
    accounts, codebuild_statement = statements
    assert accounts["Action"] == PULL_ACTIONS + PUSH_ACTIONS
    assert accounts["Principal"] == {"AWS": "*"}
    assert codebuild_statement["Action"] == PULL_ACTIONS
    assert all("Resource" not in s for s in statements)


def test_sid_prefix_is_frozen():
    """Mirrors 'Sids are stable, start with CdkEcrCodebuild and differ between instances'."""
    stack = new_stack()
    repository = ecr.Repository(stack, "Repository")
    a = CrossAccountPullPolicy(stack, "A", repository=repository, account_ids=["111111111111"])
    b = CrossAccountPullPolicy(stack, "B", repository=repository, account_ids=["222222222222"])
    assert a.sid_prefix == "CdkEcrCodebuildB338D1D9"
    assert b.sid_prefix.startswith("CdkEcrCodebuild") and b.sid_prefix != a.sid_prefix


def test_add_account_ids_later():
    """Mirrors 'accounts and projects added after construction are rendered' (add_account_ids is variadic)."""
    stack = new_stack()
    repository = ecr.Repository(stack, "Repository")
    policy = CrossAccountPullPolicy(stack, "Pull", repository=repository, account_ids=["222222222222"])
    policy.add_account_ids("333333333333", "444444444444")
    [repo] = Template.from_stack(stack).find_resources("AWS::ECR::Repository").values()
    [statement] = repo["Properties"]["RepositoryPolicyText"]["Statement"]
    assert statement["Condition"]["StringEquals"]["aws:PrincipalAccount"] == [
        "222222222222",
        "333333333333",
        "444444444444",
    ]


def test_bad_account_id_raises_with_the_library_message():
    """Mirrors 'fails when an account id is not 12 digits' (accountIds ['123'])."""
    stack = new_stack()
    repository = ecr.Repository(stack, "Repository")
    with pytest.raises(RuntimeError) as raised:
        CrossAccountPullPolicy(stack, "Pull", repository=repository, account_ids=["123"])
    assert str(raised.value).startswith(
        '[Stack/Pull] CrossAccountPullPolicy: accountIds "123" is not an AWS account id: '
        "use the 12 digits of the account"
    ), str(raised.value)


def test_bad_account_id_added_later_raises():
    """Mirrors 'fails when an account id added later is not 12 digits' (a method: jsii prefixes "Error: ")."""
    stack = new_stack()
    policy = CrossAccountPullPolicy(
        stack, "Pull", repository=ecr.Repository(stack, "Repository"), account_ids=["111111111111"]
    )
    with pytest.raises(
        RuntimeError,
        match=r'^Error: \[Stack/Pull\] CrossAccountPullPolicy: accountIds "arn:aws:iam::111111111111:root" '
        r"is not an AWS account id: use the 12 digits of the account",
    ):
        policy.add_account_ids("arn:aws:iam::111111111111:root")
