#!/usr/bin/env bash
# Go consumer suite of cdk-ecr-codebuild: builds the generated Go module (dist/go/cdkecrcodebuild) against
# the pinned aws-cdk-go awscdk/v2 v2.276.0 and runs the Go tests of this folder on it, as a user would.
#
#   bash test/consumers/go/run.sh          (from the repository root; CI does that)
#
# Environment:
#   DIST               where the packages are, relative to the repository root (default: dist)
#   CONSUMER_WORK      work folder, relative to the repository root (default: .tmp/consumers); this suite
#                      uses <CONSUMER_WORK>/go/ for everything it downloads, compiles or writes
#   CONSUMER_GO_BIN    the Go binary (default: /usr/local/go/bin/go; Go >= 1.26, which awscdk v2.276.0 needs)
#   CONSUMER_GO_README the README whose <!-- consumer:go --> block is built and run (default: README.md)
#   GOPROXY            default: https://proxy.golang.org (no "direct" fallback: this machine reaches no VCS)
#
# Pins: go.mod and go.sum of this folder. aws-cdk-go awscdk/v2 v2.276.0 is required here, above the v2.177.0
# the generated go.mod asks for; minimal version selection takes the highest required, so v2.276.0 is what is
# built and run (constructs v10.8.1, jsii-runtime-go v1.142.0 likewise). The library comes from a copy of the
# generated module dir (replace => ../cdkecrcodebuild in the work copy laid out below); dist/ is only read.
set -euo pipefail

suite_start=$SECONDS
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root"

fail() {
	echo "consumer go: FAILED: $*" >&2
	exit 1
}

dist="${DIST:-dist}"
work_base="${CONSUMER_WORK:-.tmp/consumers}"
mkdir -p "$work_base/go"
work="$(cd "$work_base/go" && pwd)"
readme="${CONSUMER_GO_README:-README.md}"
go_bin="${CONSUMER_GO_BIN:-/usr/local/go/bin/go}"
lib_path="github.com/cdk-ecr-codebuild/cdk-ecr-codebuild-go/cdkecrcodebuild"

# --- the package under test
lib="$dist/go/cdkecrcodebuild"
for f in go.mod jsii/jsii.go; do
	[[ -f "$lib/$f" ]] || fail "missing $lib/$f: the generated Go module is not there (npx projen package:go builds it into $dist/go/)"
done
compgen -G "$lib/jsii/*.tgz" >/dev/null || fail "missing the embedded jsii tarball $lib/jsii/*.tgz"
compgen -G "$lib/*.go" >/dev/null || fail "no Go source in $lib"
[[ "$(sed -n 's/^module //p' "$lib/go.mod")" == "$lib_path" ]] ||
	fail "$lib/go.mod is not module $lib_path"
[[ -f "$readme" ]] || fail "missing the README $readme"

# --- the Go toolchain
[[ -x "$go_bin" ]] || fail "no Go binary at $go_bin (set CONSUMER_GO_BIN to a Go >= 1.26)"
export GOTOOLCHAIN=local
go_version="$("$go_bin" env GOVERSION)"
[[ "$go_version" =~ ^go1\.([0-9]+) ]] || fail "cannot read the version of $go_bin: $go_version"
((BASH_REMATCH[1] >= 26)) || fail "$go_bin is $go_version; awscdk v2.276.0 needs Go >= 1.26 (Debian's /usr/bin/go is too old: use /usr/local/go/bin/go)"
PATH="$(dirname "$go_bin"):$PATH"
export PATH
command -v node >/dev/null || fail "no node on PATH: jsii-runtime-go runs the library in Node.js"

# --- every cache and temporary file inside the work folder
export GOMODCACHE="$work/gomodcache" GOCACHE="$work/gocache" GOPATH="$work/gopath"
export GOFLAGS="-modcacherw -mod=readonly -buildvcs=false"
export GOPROXY="${GOPROXY:-https://proxy.golang.org}"
export JSII_RUNTIME_PACKAGE_CACHE_ROOT="$work/jsii-package-cache"
export CONSUMER_GO_BIN="$go_bin" CONSUMER_GO_README="$root/$readme"
[[ "$readme" == /* ]] && CONSUMER_GO_README="$readme"
rm -rf "$work/src" "$work/tmp"
mkdir -p "$work/src/consumer" "$work/tmp"
export TMPDIR="$work/tmp"

echo "consumer go: $go_bin: $("$go_bin" version)"
echo "consumer go: node $(command -v node): $(node --version)"
echo "consumer go: GOPROXY=$GOPROXY GOFLAGS=$GOFLAGS GOMODCACHE=$GOMODCACHE GOCACHE=$GOCACHE"
echo "consumer go: library $lib (module $lib_path, version $(cat "$lib/version" 2>/dev/null || echo '?'))"

# --- the work copy: consumer module beside a copy of the generated module
cp -R "$lib" "$work/src/cdkecrcodebuild"
cp "$here/go.mod" "$here/go.sum" "$here"/*.go "$work/src/consumer/"
cd "$work/src/consumer"

step() { # step NAME COMMAND...: runs COMMAND, prints its time
	local name="$1" t0=$SECONDS
	shift
	echo "consumer go: == $name: $*"
	"$@" || fail "$name failed: $*"
	echo "consumer go: == $name: $((SECONDS - t0)) s"
}

# the downloads (only the modules whose packages the build needs), timed apart from the compile
t0=$SECONDS
echo "consumer go: == download: $go_bin list -deps -test ."
"$go_bin" list -deps -test -e -f '{{if .Error}}{{.ImportPath}}: {{.Error}}{{end}}' . >"$work/tmp/list.txt" ||
	fail "go list failed"
[[ ! -s "$work/tmp/list.txt" ]] || fail "cannot load the packages: $(cat "$work/tmp/list.txt")"
echo "consumer go: == download: $((SECONDS - t0)) s ($(du -sh "$GOMODCACHE" | cut -f1) in GOMODCACHE)"
cdk_version="$("$go_bin" list -m -f '{{.Version}}' github.com/aws/aws-cdk-go/awscdk/v2)"
echo "consumer go: aws-cdk-go awscdk/v2 $cdk_version, constructs $("$go_bin" list -m -f '{{.Version}}' github.com/aws/constructs-go/constructs/v10), jsii-runtime-go $("$go_bin" list -m -f '{{.Version}}' github.com/aws/jsii-runtime-go)"
step "build library" "$go_bin" build "$lib_path/..."
step "vet tests" "$go_bin" vet .

t0=$SECONDS
# -vet=off: go vet ran above with all its analyzers (go test's own vet would analyze the deps again)
echo "consumer go: == test: $go_bin test -count=1 -vet=off -v ."
set +e
"$go_bin" test -count=1 -vet=off -v . 2>&1 | tee "$work/tmp/test.log"
rc=${PIPESTATUS[0]}
set -e
echo "consumer go: == test: $((SECONDS - t0)) s"
passed="$(grep -c '^--- PASS: ' "$work/tmp/test.log" || true)"
failed="$(grep -c '^--- FAIL: ' "$work/tmp/test.log" || true)"
((rc == 0)) || fail "go test exited $rc: $passed passed, $failed failed"
((passed > 0 && failed == 0)) || fail "go test ran no test ($passed passed, $failed failed)"

echo "consumer go: $passed tests passed in $((SECONDS - suite_start)) s (aws-cdk-lib ${cdk_version#v})"
