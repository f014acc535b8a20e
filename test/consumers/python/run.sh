#!/usr/bin/env bash
# The Python consumer suite: tests what a Python user installs, the wheel in ${DIST:-dist}/python.
#
#   bash test/consumers/python/run.sh        (from the repository root, as CI calls it)
#
# - `twine check` on everything in dist/python (twine in a tools venv, requirements-tools.txt);
# - two venvs, each from a fully pinned requirements file installed with --no-deps, plus the wheel
#   from dist/python (never PyPI's), then `pip check`:
#     floor:  aws-cdk-lib 2.177.0, constructs 10.5.1  (requirements-floor.txt; + mypy)
#     newest: aws-cdk-lib 2.275.0, constructs 10.8.1  (requirements-newest.txt)
# - pytest in each: tests/ (the constructs, the README's Python blocks, the installed packages);
#   in floor also typecheck/ (mypy --strict on typed_app.py, and a wrong-typed file that must fail).
#   mypy runs once, at the floor: against aws-cdk-lib 2.275 it took 100 s instead of 59 s.
#
# Everything it downloads or writes goes to ${CONSUMER_WORK:-.tmp/consumers}/python (pip cache, jsii
# package cache, mypy cache, TMPDIR, venvs), emptied at the start, so every run is a fresh machine's.
# DIST and CONSUMER_WORK are relative to the repository root (or absolute).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root"

fail() {
  echo "consumer python: FAILED: $*" >&2
  exit 1
}

now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

start="$(now)"
dist="${DIST:-dist}"
[[ -d "$dist/python" ]] || fail "no $dist/python folder (run 'npx projen package:python' first, or set DIST)"
shopt -s nullglob
wheels=("$dist"/python/cdk_ecr_codebuild-*-py3-none-any.whl)
packages=("$dist"/python/*)
shopt -u nullglob
[[ ${#wheels[@]} -eq 1 ]] || fail "expected exactly one cdk_ecr_codebuild-*-py3-none-any.whl in $dist/python, found ${#wheels[@]}"
wheel="$(cd "$(dirname "${wheels[0]}")" && pwd)/$(basename "${wheels[0]}")"

work="${CONSUMER_WORK:-.tmp/consumers}/python"
rm -rf "$work"
mkdir -p "$work/tmp"
work="$(cd "$work" && pwd)"

export PIP_CACHE_DIR="$work/pip-cache"
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_PROGRESS_BAR=off
export JSII_RUNTIME_PACKAGE_CACHE_ROOT="$work/jsii-package-cache"
export TMPDIR="$work/tmp"                   # node's and Python's temp files, cdk.out of App()s
export PYTHONPYCACHEPREFIX="$work/pycache"  # no __pycache__ in the repository
export PYTHONNOUSERSITE=1
# jsii >= 1.140 prints a 10-line banner on every start that Node 20 is past its end of life
# (2026-10-30); it is said once here instead.
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20

python="$(command -v python3)" || fail "no python3 on PATH"
node="$(command -v node)" || fail "no node on PATH (the jsii runtime needs it)"
echo "consumer python: python $("$python" --version 2>&1 | cut -d' ' -f2) ($python), node $("$node" --version) ($node; jsii calls Node 20 end-of-life, warning silenced)"
echo "consumer python: wheel $wheel"
echo "consumer python: work folder $work (emptied)"
"$python" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || fail "the wheel needs Python >= 3.10"

# venv NAME REQUIREMENTS [WHEEL]: a fresh venv from pinned requirements (and the wheel), pip-checked.
venv() {
  local name="$1" requirements="$2" wheel_file="${3:-}" t
  t="$(now)"
  "$python" -m venv "$work/$name"
  "$work/$name/bin/python" -m pip install --quiet --no-deps --only-binary=:all: -r "$here/$requirements"
  if [[ -n "$wheel_file" ]]; then
    "$work/$name/bin/python" -m pip install --quiet --no-deps "$wheel_file"
  fi
  "$work/$name/bin/python" -m pip check
  echo "consumer python: $name venv ($("$work/$name/bin/python" -m pip --version | cut -d' ' -f1-2)) installed from $requirements${wheel_file:+ + the wheel} in $(since "$t") s"
}

total=0
summary=()
# suite NAME AWS_CDK_LIB CONSTRUCTS PATHS...: pytest in the venv NAME, counted from its JUnit report.
suite() {
  local name="$1" cdk="$2" constructs="$3" t junit counts
  shift 3
  t="$(now)"
  junit="$work/$name-junit.xml"
  (
    cd "$here"  # tests/conftest.py moves the process (and so the jsii kernel) to a scratch folder
    CONSUMER_WHEEL="$wheel" CONSUMER_AWS_CDK_LIB="$cdk" CONSUMER_CONSTRUCTS="$constructs" \
      CONSUMER_MYPY_CACHE="$work/mypy-cache" \
      "$work/$name/bin/python" -m pytest -c "$here/pytest.ini" --rootdir "$here" \
      --junitxml="$junit" --durations=5 "$@"
  ) || fail "$name: pytest failed (aws-cdk-lib $cdk)"
  # tests errors failures skipped, summed over the report's test suites
  counts="$("$work/$name/bin/python" - "$junit" <<'EOF'
import sys
import xml.etree.ElementTree as ET

root = ET.parse(sys.argv[1]).getroot()
suites = [root] if root.tag == "testsuite" else list(root.iter("testsuite"))
print(*(sum(int(s.get(k, 0)) for s in suites) for k in ("tests", "errors", "failures", "skipped")))
EOF
)"
  read -r tests errors failures skipped <<<"$counts"
  [[ "$errors" -eq 0 && "$failures" -eq 0 ]] || fail "$name: $errors errors, $failures failures"
  [[ "$skipped" -eq 0 ]] || fail "$name: $skipped tests skipped (nothing may be skipped)"
  [[ "$tests" -gt 0 ]] || fail "$name: no test ran"
  total=$((total + tests))
  summary+=("$name $tests tests in $(since "$t") s")
  echo "consumer python: $name (aws-cdk-lib $cdk, constructs $constructs): $tests tests passed in $(since "$t") s"
}

venv tools requirements-tools.txt
echo "consumer python: $("$work/tools/bin/twine" --version | head -1)"
"$work/tools/bin/twine" check --strict "${packages[@]}" || fail "twine check failed"

venv floor requirements-floor.txt "$wheel"
suite floor 2.177.0 10.5.1 tests typecheck

venv newest requirements-newest.txt "$wheel"
suite newest 2.275.0 10.8.1 tests

printf "consumer python: %s\n" "${summary[@]}"
echo "consumer python: $total tests passed in $(since "$start") s (aws-cdk-lib 2.177.0 and 2.275.0)"
