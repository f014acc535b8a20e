#!/usr/bin/env bash
# Java consumer suite: tests the packed Maven package (dist/java) the way a user installs it.
#
#   bash test/consumers/java/run.sh        (from the repository root; CI does this)
#
# DIST            where the packed packages are (default: dist), relative to the repository root
# CONSUMER_WORK   where every download and build output goes (default: .tmp/consumers); this suite
#                 uses $CONSUMER_WORK/java: m2/ (the Maven repository, from Maven Central and from
#                 dist/java), jsii-package-cache/ (the jsii kernel's unpacked packages) and build/
#                 (classes, surefire reports, the generated README programs, temporary files)
#
# Everything is pinned in pom.xml (plugins, direct and transitive dependencies). Tools: the JDK and
# Maven on PATH (Debian's openjdk-17 and maven 3.8), and node on PATH (jsii runs the library in node).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
cd "$root"

die() {
  echo "consumer java: ERROR: $*" >&2
  exit 1
}

now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }

start="$(now)"

# ---- the package under test -------------------------------------------------------------------
dist="${DIST:-dist}"
[ -d "$dist" ] || die "no dist folder '$dist' (from $root): build the packages first (npx projen package:java)"
dist="$(cd "$dist" && pwd)"
repo="$dist/java"
artifact="$repo/io/github/cdkecrcodebuild/cdk-ecr-codebuild/0.0.0"
for f in cdk-ecr-codebuild-0.0.0.jar cdk-ecr-codebuild-0.0.0.pom cdk-ecr-codebuild-0.0.0.jar.sha1; do
  [ -f "$artifact/$f" ] || die "missing $artifact/$f: the Java package is not built (npx projen package:java)"
done
[ -f "$root/README.md" ] || die "missing $root/README.md"

# ---- tools --------------------------------------------------------------------------------------
for tool in java javac mvn node; do
  command -v "$tool" >/dev/null || die "$tool is not on PATH"
done
echo "consumer java: java $(readlink -f "$(command -v java)"): $(java -version 2>&1 | head -n 1)"
echo "consumer java: javac $(readlink -f "$(command -v javac)"): $(javac -version 2>&1)"
echo "consumer java: mvn $(readlink -f "$(command -v mvn)"): $(mvn -v 2>/dev/null | sed 's/\x1b\[[0-9;]*m//g' | head -n 1)"
echo "consumer java: node $(readlink -f "$(command -v node)"): $(node --version) (runs the jsii kernel)"
echo "consumer java: package $artifact/cdk-ecr-codebuild-0.0.0.jar"
node_major="$(node -p 'process.versions.node.split(".")[0]')"
if [ "$node_major" -lt 22 ]; then
  # jsii-runtime 1.140 prints a 20-line banner per kernel start on an end-of-life node: say it once.
  echo "consumer java: note: node $node_major is end-of-life for jsii 1.140 (supported: 22, 24); its banner is silenced"
  export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION="$node_major"
fi

# ---- run-local caches ---------------------------------------------------------------------------
work="${CONSUMER_WORK:-.tmp/consumers}/java"
mkdir -p "$work"
work="$(cd "$work" && pwd)"
m2="$work/m2"
build="$work/build"
# Version 0.0.0 never changes its name: drop any copy of an earlier build, so the jar under test is
# always the one in dist/java (checked byte for byte by InstalledPackageTest).
rm -rf "$m2/io/github/cdkecrcodebuild" "$build"
mkdir -p "$m2" "$build/tmp"
echo "consumer java: maven repository $m2 ($(du -sh "$m2" | cut -f1) before the run)"

mvn_args=(
  -B -q -ntp -Dstyle.color=never
  -f "$here/pom.xml"
  -Dmaven.repo.local="$m2"
  -Dcdk.dist.repo="file://$repo"
  -Dcdk.readme="$root/README.md"
  -Dcdk.build.dir="$build"
)
# jsii's kernel and the tests' temporary files stay inside the work folder too: the kernel's package
# cache (by default ~/.cache/aws/jsii/package-cache, shared by every jsii program of the machine)
# and its temporary directories (cdk.out* of every synth without an outdir).
export JSII_RUNTIME_PACKAGE_CACHE_ROOT="$work/jsii-package-cache"
export TMPDIR="$build/tmp"
export MAVEN_OPTS="${MAVEN_OPTS:-} -Djava.io.tmpdir=$build/tmp"

# Maven 3.8 prints ANSI resets even in batch mode: strip them (the exit status stays mvn's: pipefail).
mvn_() { mvn "${mvn_args[@]}" "$@" 2>&1 | sed 's/\x1b\[[0-9;]*m//g'; }

# ---- 1. resolve everything and compile the tests ------------------------------------------------
t0="$(now)"
mvn_ test-compile || die "resolving the dependencies or compiling the tests failed (see above)"
t1="$(now)"
echo "consumer java: dependencies resolved and tests compiled in $(secs "$t0" "$t1") s ($(du -sh "$m2" | cut -f1) in $m2)"

# ---- 2. run the tests ---------------------------------------------------------------------------
status=0
mvn_ surefire:test -DargLine="-Djava.io.tmpdir=$build/tmp" || status=$?
t2="$(now)"

# ---- summary from the surefire reports ----------------------------------------------------------
reports=("$build"/surefire-reports/TEST-*.xml)
[ -e "${reports[0]}" ] || die "no surefire report in $build/surefire-reports (the tests did not run)"
total=0 failed=0 skipped=0
for report in "${reports[@]}"; do
  header="$(grep -m1 -o '<testsuite [^>]*>' "$report")"
  attr() { sed -n "s/.* $1=\"\\([^\"]*\\)\".*/\\1/p" <<<"$header"; }
  n="$(attr tests)" f="$(attr failures)" e="$(attr errors)" s="$(attr skipped)"
  echo "consumer java:   $(attr name): $n tests, $((f + e)) failed, $s skipped ($(attr time) s)"
  total=$((total + n)) failed=$((failed + f + e)) skipped=$((skipped + s))
done
cdk_lib="$(find "$m2/software/amazon/awscdk/aws-cdk-lib" -name 'aws-cdk-lib-*.jar' -printf '%f ' | sed 's/aws-cdk-lib-//g; s/\.jar//g; s/ $//')"
echo "consumer java: install + compile $(secs "$t0" "$t1") s, tests $(secs "$t1" "$t2") s, total $(secs "$start" "$t2") s"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$skipped" -ne 0 ] || [ "$total" -eq 0 ]; then
  echo "consumer java: FAILED: $failed of $total tests failed, $skipped skipped (mvn exit $status)" >&2
  exit 1
fi
echo "consumer java: $total tests passed in $(secs "$start" "$t2") s (aws-cdk-lib $cdk_lib)"
