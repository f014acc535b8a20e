"""Helpers shared by the consumer tests: stacks, template readers, and the README block runner."""

from __future__ import annotations

import ast
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

from aws_cdk import App, Environment, Stack
from aws_cdk.assertions import Template
import aws_cdk.aws_codebuild as codebuild
import aws_cdk.aws_codecommit as codecommit
import aws_cdk.aws_codepipeline as codepipeline
import aws_cdk.aws_codepipeline_actions as codepipeline_actions
import aws_cdk.aws_ec2 as ec2
import aws_cdk.aws_ecr as ecr
import aws_cdk.aws_ecs as ecs
import aws_cdk.aws_iam as iam
import aws_cdk.aws_kms as kms
import aws_cdk.aws_s3 as s3
import aws_cdk.aws_secretsmanager as secretsmanager
import aws_cdk.aws_sns as sns
import constructs
import cdk_ecr_codebuild

ACCOUNT = "111111111111"
REGION = "eu-west-1"
README_ENV = Environment(account=ACCOUNT, region="us-east-1")

# tests/ -> python/ -> consumers/ -> test/ -> the repository root
REPO_ROOT = Path(__file__).resolve().parents[4]


def new_stack(env: bool = True, stack_id: str = "Stack") -> Stack:
    """A stack in its own app: account 111111111111, eu-west-1 (as the TypeScript tests' newStack)."""
    return Stack(App(), stack_id, env=Environment(account=ACCOUNT, region=REGION) if env else None)


def s3_source(stack: Stack) -> codebuild.ISource:
    """The TypeScript tests' s3Source: app/source.zip in the imported bucket my-sources."""
    bucket = s3.Bucket.from_bucket_name(stack, "Sources", "my-sources")
    return codebuild.Source.s3(bucket=bucket, path="app/source.zip")


def only(resources: Dict[str, Any], what: str) -> Dict[str, Any]:
    assert len(resources) == 1, f"expected exactly one {what}, found {sorted(resources)}"
    return next(iter(resources.values()))


def project_of(template: Template) -> Dict[str, Any]:
    return only(template.find_resources("AWS::CodeBuild::Project"), "AWS::CodeBuild::Project")


def build_spec_of(template: Template) -> Dict[str, Any]:
    """The buildspec of the only CodeBuild project, parsed (it is a JSON string in the template)."""
    spec = project_of(template)["Properties"]["Source"]["BuildSpec"]
    assert isinstance(spec, str), f"BuildSpec is not a string: {spec!r}"
    return json.loads(spec)


def env_of(template: Template) -> Dict[str, Any]:
    """The only project's environment variables, name -> value."""
    variables = project_of(template)["Properties"]["Environment"].get("EnvironmentVariables", [])
    return {v["Name"]: v["Value"] for v in variables}


def identity_statements(template: Template) -> List[Dict[str, Any]]:
    """Every statement of every AWS::IAM::Policy and of every role's inline policies."""
    out: List[Dict[str, Any]] = []
    for policy in template.find_resources("AWS::IAM::Policy").values():
        out.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    for role in template.find_resources("AWS::IAM::Role").values():
        for inline in role["Properties"].get("Policies", []):
            out.extend(inline["PolicyDocument"]["Statement"])
    return out


def as_list(value: Any) -> List[Any]:
    return value if isinstance(value, list) else [value]


# ---------------------------------------------------------------------------------------------
# README blocks
# ---------------------------------------------------------------------------------------------

PROGRAM_MARKER = "<!-- consumer:python -->"


@dataclass
class Block:
    line: int  # line of the README where the code starts (after the ``` line)
    source: str
    program: bool  # preceded by PROGRAM_MARKER: a complete program


def readme_path() -> Path:
    """The README the tests read (CONSUMER_README overrides it, for trying a local copy)."""
    return Path(os.environ.get("CONSUMER_README", REPO_ROOT / "README.md"))


def python_blocks(text: str) -> List[Block]:
    """Every ```python block of a markdown text, in order."""
    lines = text.splitlines()
    blocks: List[Block] = []
    i = 0
    while i < len(lines):
        if re.fullmatch(r"```python\s*", lines[i]):
            previous = next((lines[j].strip() for j in range(i - 1, -1, -1) if lines[j].strip()), "")
            end = i + 1
            while end < len(lines) and not re.fullmatch(r"```\s*", lines[end]):
                end += 1
            if end == len(lines):
                raise AssertionError(f"README line {i + 1}: ```python block is never closed")
            blocks.append(Block(i + 2, "\n".join(lines[i + 1 : end]) + "\n", previous == PROGRAM_MARKER))
            i = end
        i += 1
    return blocks


DECLARATION = re.compile(r"#\s*([A-Za-z_]\w*)\s*:\s*([A-Za-z_][\w.]*)\s*")


def declarations(source: str) -> List[Tuple[str, str]]:
    """The free variables a rosetta translation declares, as (name, type) pairs.

    Rosetta turns `declare const bucket: s3.IBucket;` into the comment `# bucket: s3.IBucket`
    between the imports and the code; only comments there count.
    """
    tree = ast.parse(source)
    imports_end = 0
    code_start = len(source.splitlines()) + 1
    for node in tree.body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            imports_end = node.end_lineno or node.lineno
        else:
            code_start = node.lineno
            break
    out = []
    for number, line in enumerate(source.splitlines(), start=1):
        if imports_end < number < code_start:
            match = DECLARATION.fullmatch(line.strip())
            if match:
                out.append((match.group(1), match.group(2)))
    return out


class UnknownDeclaredType(AssertionError):
    pass


def _camel(name: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in name.split("_"))


class Binder:
    """Binds each declared name of a block to a real construct of its declared type, in `scope`."""

    def __init__(self, scope: Stack) -> None:
        self.scope = scope
        self.artifacts: List[codepipeline.Artifact] = []

    def _id(self, name: str) -> str:
        return "Declared" + _camel(name)

    def source(self, name: str) -> codebuild.ISource:
        return codebuild.Source.git_hub(owner="o", repo=name.replace("_", "-"))

    def artifact(self, name: str) -> codepipeline.Artifact:
        artifact = codepipeline.Artifact(_camel(name))
        self.artifacts.append(artifact)
        return artifact

    def pipeline(self, name: str) -> codepipeline.Pipeline:
        # A real pipeline with a first (source) stage: the block adds the stages after it. Its
        # output is the block's own declared Artifact when it has one, so that what the block
        # reads from is produced.
        output = self.artifacts[0] if self.artifacts else codepipeline.Artifact("PipelineSource")
        bucket = s3.Bucket(self.scope, self._id(name) + "Sources", versioned=True)
        return codepipeline.Pipeline(
            self.scope,
            self._id(name),
            stages=[
                codepipeline.StageProps(
                    stage_name="Source",
                    actions=[
                        codepipeline_actions.S3SourceAction(
                            action_name="Source", bucket=bucket, bucket_key="source.zip", output=output
                        )
                    ],
                )
            ],
        )

    def factories(self) -> Dict[str, Callable[[str], Any]]:
        scope = self.scope

        def role(name: str) -> iam.Role:
            return iam.Role(scope, self._id(name), assumed_by=iam.AccountRootPrincipal())

        def ecr_repository(name: str) -> ecr.Repository:
            return ecr.Repository(scope, self._id(name))

        def image(name: str) -> cdk_ecr_codebuild.DockerBuildToEcr:
            return cdk_ecr_codebuild.DockerBuildToEcr(scope, self._id(name), source=self.source(name))

        return {
            "aws_cdk.aws_s3.IBucket": lambda n: s3.Bucket.from_bucket_name(scope, self._id(n), "my-sources"),
            "aws_cdk.aws_s3.Bucket": lambda n: s3.Bucket(scope, self._id(n)),
            "aws_cdk.aws_ecr.IRepository": ecr_repository,
            "aws_cdk.aws_ecr.Repository": ecr_repository,
            "aws_cdk.aws_codebuild.ISource": self.source,
            "aws_cdk.aws_codebuild.IProject": lambda n: codebuild.Project(
                scope, self._id(n), build_spec=codebuild.BuildSpec.from_object({"version": "0.2"})
            ),
            "aws_cdk.aws_codecommit.IRepository": lambda n: codecommit.Repository(
                scope, self._id(n), repository_name=n.replace("_", "-")
            ),
            "aws_cdk.aws_codepipeline.Artifact": self.artifact,
            "aws_cdk.aws_codepipeline.Pipeline": self.pipeline,
            "aws_cdk.aws_codepipeline.IPipeline": self.pipeline,
            "aws_cdk.aws_ec2.IVpc": lambda n: ec2.Vpc(scope, self._id(n), max_azs=2, nat_gateways=0),
            "aws_cdk.aws_ecs.FargateTaskDefinition": lambda n: ecs.FargateTaskDefinition(scope, self._id(n)),
            "aws_cdk.aws_iam.IRole": role,
            "aws_cdk.aws_iam.Role": role,
            "aws_cdk.aws_kms.IKey": lambda n: kms.Key(scope, self._id(n), enable_key_rotation=True),
            "aws_cdk.aws_secretsmanager.ISecret": lambda n: secretsmanager.Secret(scope, self._id(n)),
            "aws_cdk.aws_sns.ITopic": lambda n: sns.Topic(scope, self._id(n)),
            "cdk_ecr_codebuild.DockerBuildToEcr": image,
        }

    def bind(self, block_line: int, names: List[Tuple[str, str]], namespace: Dict[str, Any]) -> Dict[str, Any]:
        factories = self.factories()
        resolved = []
        for name, type_name in names:
            try:
                cls = eval(type_name, namespace)  # noqa: S307 - a dotted name from the README
            except Exception as error:  # noqa: BLE001
                raise UnknownDeclaredType(
                    f"README block at line {block_line}: declared type {type_name!r} of {name!r} "
                    f"does not resolve with the block's imports ({error!r})"
                ) from error
            qualified = f"{getattr(cls, '__module__', '?')}.{getattr(cls, '__qualname__', type_name)}"
            if qualified not in factories:
                raise UnknownDeclaredType(
                    f"README block at line {block_line}: no construct to bind {name!r} to: declared type "
                    f"{type_name!r} ({qualified}) is not one the consumer suite knows; add a factory for it "
                    f"in test/consumers/python/tests/support.py (known: {', '.join(sorted(factories))})"
                )
            resolved.append((name, qualified))
        # Artifacts first: a declared pipeline's source stage outputs the block's artifact.
        resolved.sort(key=lambda pair: pair[1] != "aws_cdk.aws_codepipeline.Artifact")
        return {name: factories[qualified](name) for name, qualified in resolved}


def asset_paths(tree: ast.AST) -> List[str]:
    """Relative paths given literally to an asset (`s3assets.Asset(..., path="app")`, `directory=`)."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name.endswith("Asset"):
                for keyword in node.keywords:
                    value = keyword.value
                    if keyword.arg in ("path", "directory") and isinstance(value, ast.Constant):
                        if isinstance(value.value, str) and not os.path.isabs(value.value):
                            out.append(value.value)
    return out


def make_asset_folders(tree: ast.AST) -> None:
    """Give a block the folders its assets name, relative to the working directory of the jsii
    kernel (node resolves the path; conftest.py starts it in a scratch folder)."""
    for relative in asset_paths(tree):
        folder = Path.cwd() / relative
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "Dockerfile").write_text("FROM scratch\nCOPY source.txt /\n")
        (folder / "source.txt").write_text("a folder made by the consumer suite for a README asset\n")


def library_construct_classes() -> List[type]:
    return [
        value
        for value in vars(cdk_ecr_codebuild).values()
        if isinstance(value, type) and issubclass(value, constructs.Construct)
    ]


class ReadmeStack(Stack):
    """A stack whose constructor runs a README block with `self` as the scope, as rosetta's fixture."""

    def __init__(self, scope: constructs.Construct, construct_id: str, *, block: Block, readme: Path) -> None:
        # rosetta's fixture (rosetta/default.ts-fixture) is environment-agnostic, but the README's
        # PlatformCatalog snippet needs an explicit env (its asset bucket) and its RegistrySettings
        # snippet replicates to eu-west-1, which a registry in eu-west-1 cannot: hence us-east-1.
        super().__init__(scope, construct_id, env=README_ENV)
        tree = ast.parse(block.source)
        ast.increment_lineno(tree, block.line - 1)  # tracebacks name README lines
        namespace: Dict[str, Any] = {"__name__": "readme_block", "__builtins__": __builtins__}
        imports = ast.Module(body=[n for n in tree.body if isinstance(n, (ast.Import, ast.ImportFrom))], type_ignores=[])
        exec(compile(imports, str(readme), "exec"), namespace)  # noqa: S102
        make_asset_folders(tree)
        namespace.update(Binder(self).bind(block.line, declarations(block.source), namespace))
        self.constructs_before = len(self.node.find_all())
        namespace["self"] = self
        exec(compile(tree, str(readme), "exec"), namespace)  # noqa: S102
        self.namespace = namespace


def run_readme_block(block: Block, readme: Optional[Path] = None) -> Tuple[ReadmeStack, Template]:
    stack = ReadmeStack(App(), "Readme", block=block, readme=readme or readme_path())
    return stack, Template.from_stack(stack)
