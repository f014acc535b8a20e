"""A typed consumer of the installed cdk-ecr-codebuild wheel.

`mypy --strict typed_app.py` checks every call below against the type hints the wheel ships
(py.typed); typecheck/test_mypy.py runs that check and also runs this module (each construct built
with its main options, the app synthesized).
"""

from __future__ import annotations

from aws_cdk import App, Duration, Environment, Stack
import aws_cdk.aws_codebuild as codebuild
import aws_cdk.aws_ecr as ecr
import aws_cdk.aws_iam as iam
import aws_cdk.aws_s3 as s3
from cdk_ecr_codebuild import (
    AccessLevel,
    BuilderImage,
    CatalogProduct,
    CrossAccountPullPolicy,
    DockerBuildToEcr,
    DockerCache,
    FindingSeverity,
    GoSampleBuild,
    ImagePlatform,
    PlatformCatalog,
    PullThroughCacheRule,
    RegistryScanning,
    RegistrySettings,
    Upstream,
)

ENV = Environment(account="111111111111", region="eu-west-1")


def docker_build_to_ecr(stack: Stack) -> DockerBuildToEcr:
    """DockerBuildToEcr from an S3 zip, with its main options."""
    bucket: s3.IBucket = s3.Bucket.from_bucket_name(stack, "Sources", "my-sources")
    image = DockerBuildToEcr(
        stack,
        "Image",
        source=codebuild.Source.s3(bucket=bucket, path="app/source.zip"),
        repository_name="team/app",
        target="runtime",
        build_args={"GREETING": "hello"},
        image_tag="v1",
        additional_tags=["stable"],
        max_image_count=30,
        untagged_image_expiration=Duration.days(14),
        cache=DockerCache.registry(tag="layers"),
        platforms=[ImagePlatform.LINUX_AMD64, ImagePlatform.LINUX_ARM64],
    )
    image.on_image_scan_findings("Findings", min_severity=FindingSeverity.HIGH)
    uri: str = image.image_uri
    assert uri
    return image


def cross_account_pull_policy(stack: Stack, image: DockerBuildToEcr) -> CrossAccountPullPolicy:
    """CrossAccountPullPolicy on a repository of this app, with a CodeBuild project."""
    repository = ecr.Repository(stack, "Shared")
    sharing = CrossAccountPullPolicy(
        stack,
        "Pull",
        repository=repository,
        account_ids=["222222222222", "333333333333"],
        code_build_projects=[image.project],
        access_level=AccessLevel.PULL,
    )
    sharing.add_account_ids("444444444444")
    return sharing


def go_sample_build(stack: Stack, image: DockerBuildToEcr) -> list[GoSampleBuild]:
    """GoSampleBuild on a curated image and on a custom image from ECR."""
    bucket = s3.Bucket.from_bucket_name(stack, "GoSources", "input-bucket")
    source = codebuild.Source.s3(bucket=bucket, path="GoSample.zip")
    curated = GoSampleBuild(stack, "GoCurated", source=source, builder_image=BuilderImage.curated("1.24"))
    custom = GoSampleBuild(
        stack,
        "GoCustom",
        source=codebuild.Source.s3(bucket=bucket, path="GoSample.zip"),
        builder_image=BuilderImage.from_ecr_repository(image.repository, "latest"),
        goarch="arm64",
    )
    return [curated, custom]


def registry_settings(stack: Stack, image: DockerBuildToEcr) -> RegistrySettings:
    """RegistrySettings with a pull-through cache rule, scanning and replication."""
    rule = PullThroughCacheRule(ecr_repository_prefix="ecr-public", upstream=Upstream.ecr_public())
    registry = RegistrySettings(
        stack,
        "Registry",
        pull_through_cache_rules=[rule],
        scanning=RegistryScanning.basic(scan_on_push_filters=["*"]),
    )
    registry.grant_pull_through_cache(image, "ecr-public")
    name: str = rule.repository_name("nginx")
    assert name == "ecr-public/nginx"
    return registry


def platform_catalog(stack: Stack) -> PlatformCatalog:
    """PlatformCatalog with the three products."""
    developers = iam.Role(stack, "Developers", assumed_by=iam.AccountRootPrincipal())
    return PlatformCatalog(
        stack,
        "Catalog",
        portfolio_name="Container builds",
        provider_name="Platform team",
        principals=[developers],
        products=[
            CatalogProduct.docker_build_to_ecr(max_image_count=50, untagged_image_expiration=Duration.days(7)),
            CatalogProduct.cross_account_pull_policy(access_level=AccessLevel.PULL),
            CatalogProduct.go_sample_build(go_version="1.24"),
        ],
    )


def build_app(outdir: str | None = None) -> App:
    """One app, two stacks (the catalog in a stack of its own), every construct of the library."""
    app = App(outdir=outdir)
    stack = Stack(app, "Typed", env=ENV)
    image = docker_build_to_ecr(stack)
    cross_account_pull_policy(stack, image)
    go_sample_build(stack, image)
    registry_settings(stack, image)
    platform_catalog(Stack(app, "TypedCatalog", env=ENV))
    return app


if __name__ == "__main__":
    build_app().synth()
