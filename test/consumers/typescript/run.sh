#!/usr/bin/env bash
# The TypeScript consumer suite: a fresh app that installs the packed library (dist/js) beside the
# aws-cdk-lib, constructs and cdk-nag that <pin>/package-lock.json pins, compiles every README
# TypeScript block against them (strict), synthesizes each with cdk-nag's AwsSolutions pack and runs
# cfn-lint on the templates (src/check.ts says what counts).
# Usage (from the repository root): bash test/consumers/typescript/run.sh floor|newest
set -euo pipefail
pin="${1:?usage: run.sh floor|newest}"
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
dist="$(cd "$root" && cd "${DIST:-dist}" && pwd)"
tarball="$dist/js/cdk-ecr-codebuild@0.0.0.jsii.tgz"
[ -d "$here/$pin" ] || { echo "consumer typescript: no pin '$pin' (floor or newest)" >&2; exit 2; }
[ -f "$tarball" ] || { echo "consumer typescript: $tarball is missing: run 'npx projen package:js' first" >&2; exit 1; }
command -v cfn-lint >/dev/null || { echo "consumer typescript: cfn-lint is missing (pip install cfn-lint)" >&2; exit 1; }

# The app lives outside the repository, so that nothing resolves from the repository's node_modules;
# npm's cache is the run's own (a fresh machine downloads everything).
work="$(mktemp -d "${TMPDIR:-/tmp}/consumer-ts-$pin-XXXXXX")"
trap 'rm -rf "$work"' EXIT
export npm_config_cache="$work/.npm" npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
start=$SECONDS
cp "$here/$pin/package.json" "$here/$pin/package-lock.json" "$here/tsconfig.json" "$here/generate.js" "$work/"
cp -r "$here/src" "$work/src"
cd "$work"
npm ci --loglevel=error
# What a user runs: npm install cdk-ecr-codebuild (here from the packed tarball, not the registry).
npm install --no-save --loglevel=error "$tarball"
installed=$((SECONDS - start))
# The README's build-on-deploy snippet stages the folder `app` of the user's project as the source.
mkdir -p app && printf 'FROM public.ecr.aws/docker/library/busybox:1.37\n' > app/Dockerfile
node generate.js "$root/README.md" src/generated
./node_modules/.bin/tsc -p tsconfig.json
compiled=$((SECONDS - start - installed))
node build/check.js
echo "consumer typescript ($pin): install ${installed} s, compile ${compiled} s, total $((SECONDS - start)) s"
