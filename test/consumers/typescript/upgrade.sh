#!/usr/bin/env bash
# Moves the "newest" pin of the TypeScript consumer suite to what `npm install aws-cdk-lib cdk-nag`
# gives today: the latest aws-cdk-lib 2.x, constructs 10.x and cdk-nag, written as exact versions
# into newest/package.json, and a new newest/package-lock.json. Run it, then the suite
# (`bash test/consumers/typescript/run.sh newest`), and commit both files when it passes.
set -euo pipefail
cd "$(dirname "$0")/newest"
latest() { npm view "$1" dist-tags.latest; }
cdk="$(latest aws-cdk-lib)"; constructs="$(latest constructs)"; nag="$(latest cdk-nag)"
case "$cdk/$constructs" in
  2.*/10.*) ;;
  *) echo "consumers:upgrade: latest is aws-cdk-lib $cdk, constructs $constructs: a new major, move the pin by hand" >&2; exit 1 ;;
esac
# shellcheck disable=SC2016 # a JavaScript template literal, not a shell expansion
node -e '
  const fs = require("fs");
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf-8"));
  const [cdk, constructs, nag] = process.argv.slice(1);
  const before = JSON.stringify(pkg.dependencies);
  Object.assign(pkg.dependencies, { "aws-cdk-lib": cdk, constructs, "cdk-nag": nag });
  fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2) + "\n");
  console.log(`newest pin: ${before} -> ${JSON.stringify(pkg.dependencies)}`);
' "$cdk" "$constructs" "$nag"
npm install --package-lock-only --no-audit --no-fund --loglevel=error
