#!/usr/bin/env bash
# Every consumer suite, one after the other (the machine has 2 cores), on the packages in
# ${DIST:-dist} (`npx projen test:consumers` builds them first). Each suite installs what a user of its
# language installs; the downloads of this run are kept in ${CONSUMER_WORK} for this run only (emptied
# first), so a run here costs what it costs on a fresh CI machine.
# Prints each suite's time and result; exits non-zero when any suite failed (all of them run).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
export CONSUMER_WORK="${CONSUMER_WORK:-.tmp/consumers}"
rm -rf "$CONSUMER_WORK" && mkdir -p "$CONSUMER_WORK" || exit 2

suites=(
  "typescript floor|bash test/consumers/typescript/run.sh floor"
  "typescript newest|bash test/consumers/typescript/run.sh newest"
  "python|bash test/consumers/python/run.sh"
  "java|bash test/consumers/java/run.sh"
  "go|bash test/consumers/go/run.sh"
)
summary=()
failed=0
for entry in "${suites[@]}"; do
  name="${entry%%|*}"
  command="${entry#*|}"
  echo "=== consumer suite: $name ($command)"
  start=$SECONDS
  if $command; then
    result=passed
  else
    result=FAILED
    failed=$((failed + 1))
  fi
  summary+=("$(printf '%-18s %-7s %4d s' "$name" "$result" $((SECONDS - start)))")
done
echo "=== consumer suites:"
printf '  %s\n' "${summary[@]}"
if [ "$failed" -gt 0 ]; then
  echo "consumer suites: $failed of ${#suites[@]} failed" >&2
  exit 1
fi
echo "consumer suites: ${#suites[@]} of ${#suites[@]} passed"
