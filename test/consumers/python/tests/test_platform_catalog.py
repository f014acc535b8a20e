"""PlatformCatalog from Python: mirrors test/platform-catalog.test.ts (common brief, item 5)."""

from aws_cdk.assertions import Match, Template
import aws_cdk.aws_iam as iam
from cdk_ecr_codebuild import AccessLevel, CatalogProduct, PlatformCatalog

from support import new_stack

PRODUCT_NAMES = ["Docker image build to ECR", "Share an ECR repository with other accounts", "Go build in CodeBuild"]


def test_portfolio_with_the_three_products_by_default():
    """Mirrors 'PlatformCatalog' > 'creates a portfolio with the three products by default'."""
    stack = new_stack(stack_id="Catalog")
    catalog = PlatformCatalog(stack, "Catalog", portfolio_name="Container builds", provider_name="Platform team")
    template = Template.from_stack(stack)
    template.has_resource_properties(
        "AWS::ServiceCatalog::Portfolio",
        {
            "DisplayName": "Container builds",
            "ProviderName": "Platform team",
            "Description": Match.string_like_regexp(", ".join(PRODUCT_NAMES)),
        },
    )
    template.resource_count_is("AWS::ServiceCatalog::Portfolio", 1)
    template.resource_count_is("AWS::ServiceCatalog::CloudFormationProduct", 3)
    template.resource_count_is("AWS::ServiceCatalog::PortfolioProductAssociation", 3)
    for name in PRODUCT_NAMES:
        template.has_resource_properties(
            "AWS::ServiceCatalog::CloudFormationProduct",
            {
                "Name": name,
                "Owner": "Platform team",
                "ProvisioningArtifactParameters": [
                    Match.object_like({"Name": "v1", "Info": {"LoadTemplateFromURL": Match.any_value()}})
                ],
            },
        )
    assert sorted(catalog.products) == ["CrossAccountPullPolicy", "DockerBuildToEcr", "GoSampleBuild"]
    assert catalog.asset_bucket is not None


def test_products_and_principals():
    """Mirrors 'gives roles, users and groups access; launches with the launch role' (one role here) with
    the README's product options (CatalogProduct factories, AccessLevel.PULL)."""
    stack = new_stack(stack_id="Catalog")
    developers = iam.Role(stack, "Developers", assumed_by=iam.AccountRootPrincipal())
    catalog = PlatformCatalog(
        stack,
        "Catalog",
        portfolio_name="Container builds",
        provider_name="Platform team",
        principals=[developers],
        products=[
            CatalogProduct.cross_account_pull_policy(access_level=AccessLevel.PULL),
            CatalogProduct.go_sample_build(go_version="1.24"),
        ],
    )
    template = Template.from_stack(stack)
    template.resource_count_is("AWS::ServiceCatalog::CloudFormationProduct", 2)
    template.resource_count_is("AWS::ServiceCatalog::PortfolioPrincipalAssociation", 1)
    template.has_resource_properties(
        "AWS::ServiceCatalog::PortfolioPrincipalAssociation",
        {"PrincipalARN": {"Fn::GetAtt": [Match.string_like_regexp("^Developers"), "Arn"]}},
    )
    assert sorted(catalog.products) == ["CrossAccountPullPolicy", "GoSampleBuild"]
    assert CatalogProduct.go_sample_build().construct == "GoSampleBuild"
