"""What this venv installed: the wheel from dist/ (not PyPI), at the aws-cdk-lib and constructs versions
run.sh asked for. No TypeScript counterpart (the TypeScript tests use the source tree)."""

import json
import os
from importlib import metadata
from pathlib import Path

import cdk_ecr_codebuild


def expected(name: str) -> str:
    value = os.environ.get(name)
    assert value, f"{name} is not set: run the suite with test/consumers/python/run.sh"
    return value


def test_the_wheel_from_dist_is_installed():
    """cdk-ecr-codebuild 0.0.0 comes from the wheel file run.sh names, and ships its type hints (py.typed)."""
    dist = metadata.distribution("cdk-ecr-codebuild")
    assert dist.version == "0.0.0"
    direct_url = json.loads(dist.read_text("direct_url.json") or "{}")
    wheel = Path(expected("CONSUMER_WHEEL")).resolve()
    assert direct_url.get("url") == wheel.as_uri(), direct_url
    package = Path(cdk_ecr_codebuild.__file__).parent
    assert (package / "py.typed").is_file()
    assert Path(os.path.realpath(package)).is_relative_to(Path(os.path.realpath(os.sys.prefix)))


def test_the_pinned_peer_versions_are_installed():
    """aws-cdk-lib and constructs are the versions of this venv's requirements file (floor or newest)."""
    assert metadata.version("aws-cdk-lib") == expected("CONSUMER_AWS_CDK_LIB")
    assert metadata.version("constructs") == expected("CONSUMER_CONSTRUCTS")
