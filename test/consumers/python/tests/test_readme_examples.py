"""The README's Python examples, run as written against the installed wheel (common brief, item 7).

Mirrors what `npm test` only compiles: rosetta's Python translations in /work/main/README.md. The
README is read at test time, so a block that stops working fails here.
- a ```python block is a snippet that runs inside a Stack constructor (`self` is the stack); each
  free variable it declares (`# bucket: s3.IBucket`) is bound to a real construct of that type;
- the block after `<!-- consumer:python -->` is a complete program, run verbatim with this venv's
  python as `python app.py` in a temp folder.
"""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from aws_cdk import App

from support import (
    Block,
    ReadmeStack,
    UnknownDeclaredType,
    declarations,
    library_construct_classes,
    python_blocks,
    readme_path,
    run_readme_block,
)

README = readme_path()
BLOCKS = python_blocks(README.read_text(encoding="utf-8"))
SNIPPETS = [b for b in BLOCKS if not b.program]
PROGRAMS = [b for b in BLOCKS if b.program]


def test_readme_has_python_snippets():
    """The parametrized test below must not pass by running nothing."""
    assert SNIPPETS, f"{README} has no ```python snippet (besides the complete program)"


@pytest.mark.parametrize("block", SNIPPETS, ids=[f"README.md:{b.line}" for b in SNIPPETS])
def test_readme_snippet_synthesizes(block: Block):
    """Each snippet runs with `self` bound to a Stack and its declared names bound to real constructs; the
    stack synthesizes (Template.from_stack runs validation), and the block itself added constructs of
    this library's classes it imports."""
    stack, template = run_readme_block(block, README)
    assert template.to_json().get("Resources"), f"README.md:{block.line}: the stack has no resources"
    assert len(stack.node.find_all()) > stack.constructs_before, f"README.md:{block.line} added no construct"
    imported = {
        alias.asname or alias.name
        for node in ast.parse(block.source).body
        if isinstance(node, ast.ImportFrom) and node.module == "cdk_ecr_codebuild"
        for alias in node.names
    }
    nodes = stack.node.find_all()
    for cls in library_construct_classes():
        if cls.__name__ in imported:
            assert any(isinstance(n, cls) for n in nodes), f"README.md:{block.line}: no {cls.__name__} in the stack"


def test_readme_has_exactly_one_complete_program():
    """The block preceded by `<!-- consumer:python -->` must exist (the lead's complete app)."""
    assert len(PROGRAMS) == 1, (
        f"{README}: expected one ```python block preceded by the line <!-- consumer:python -->, "
        f"found {len(PROGRAMS)}"
    )


@pytest.mark.parametrize("block", PROGRAMS, ids=[f"README.md:{b.line}" for b in PROGRAMS])
def test_readme_program_synthesizes(block: Block, tmp_path: Path):
    """Runs the complete program verbatim (`python app.py`, with CDK_OUTDIR=cdk.out as `cdk synth` sets
    it) and finds a template in cdk.out with an AWS::CodeBuild::Project."""
    (tmp_path / "app.py").write_text(block.source, encoding="utf-8")
    env = {**os.environ, "CDK_OUTDIR": "cdk.out"}
    result = subprocess.run(
        [sys.executable, "app.py"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600
    )
    assert result.returncode == 0, f"README.md:{block.line}: python app.py failed:\n{result.stdout}\n{result.stderr}"
    templates = sorted((tmp_path / "cdk.out").glob("*.template.json"))
    assert templates, f"README.md:{block.line}: no template in cdk.out: {sorted(tmp_path.rglob('*'))}"
    types = {
        resource["Type"]
        for template in templates
        for resource in json.loads(template.read_text()).get("Resources", {}).values()
    }
    assert "AWS::CodeBuild::Project" in types, f"{[t.name for t in templates]}: {sorted(types)}"
    assert "AWS::ECR::Repository" in types


def test_declarations_are_read_between_imports_and_code():
    """The runner's own parser: only the comments between the imports and the code declare names."""
    source = (
        "import aws_cdk.aws_s3 as s3\n\n# bucket: s3.IBucket\n# e.g. a comment: not a declaration\n\n"
        "x = 1\n# later: s3.IBucket\n"
    )
    assert declarations(source) == [("bucket", "s3.IBucket")]


def test_unknown_declared_type_fails_clearly():
    """A block that declares a type the suite cannot bind fails with a message naming it (never skipped)."""
    block = Block(1, "import aws_cdk.aws_s3 as s3\n\n# thing: s3.CfnBucket\n\nprint(thing)\n", False)
    with pytest.raises(UnknownDeclaredType, match=r"no construct to bind 'thing' to: declared type 's3.CfnBucket' "
                       r"\(aws_cdk.aws_s3.CfnBucket\) is not one the consumer suite knows"):
        ReadmeStack(App(), "Readme", block=block, readme=README)


def test_a_broken_snippet_fails():
    """The runner reports a snippet that raises (here the library's own validation), not a pass."""
    block = Block(
        1,
        "import aws_cdk.aws_codebuild as codebuild\nfrom cdk_ecr_codebuild import DockerBuildToEcr\n\n"
        "# source: codebuild.ISource\n\nDockerBuildToEcr(self, 'Image', source=source, image_tag='bad tag!')\n",
        False,
    )
    with pytest.raises(RuntimeError, match=r'^\[Readme/Image\] DockerBuildToEcr: imageTag "bad tag!"'):
        run_readme_block(block, README)
