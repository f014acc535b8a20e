#!/usr/bin/env bash
# Every consumer suite, in two lanes (the machine has 2 cores), on the packages in
# ${DIST:-dist} (`npx projen test:consumers` builds them first). Each suite installs what a user of its
# language installs; the downloads of this run are kept in ${CONSUMER_WORK} for this run only (emptied
# first), so a run here costs what it costs on a fresh CI machine.
# Prints each suite's time and result; exits non-zero when any suite failed (all of them run).
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 2
export CONSUMER_WORK="${CONSUMER_WORK:-.tmp/consumers}"
rm -rf "$CONSUMER_WORK" && mkdir -p "$CONSUMER_WORK" || exit 2

# Two lanes on the two cores: the Python suite (mostly venv installs and the jsii runtime) beside the
# others, one after the other. Each suite's output goes to its own log, printed when it ends.
lane_a=("python|bash test/consumers/python/run.sh")
lane_b=(
  "typescript floor|bash test/consumers/typescript/run.sh floor"
  "typescript newest|bash test/consumers/typescript/run.sh newest"
  "java|bash test/consumers/java/run.sh"
  "go|bash test/consumers/go/run.sh"
)
logs="$CONSUMER_WORK/logs"
mkdir -p "$logs" || exit 2

# Runs the suites of one lane; writes "<name>|<result>|<seconds>" lines to <lane>.results.
run_lane() {
  local lane="$1"
  shift
  : > "$logs/$lane.results"
  for entry in "$@"; do
    local name="${entry%%|*}" command="${entry#*|}" start=$SECONDS result=passed
    local log="$logs/${name// /-}.log"
    if ! $command > "$log" 2>&1; then
      result=FAILED
    fi
    echo "=== consumer suite: $name ($command): $result in $((SECONDS - start)) s"
    cat "$log"
    echo "$name|$result|$((SECONDS - start))" >> "$logs/$lane.results"
  done
}

start=$SECONDS
run_lane a "${lane_a[@]}" > "$logs/lane-a.out" 2>&1 &
lane_a_pid=$!
run_lane b "${lane_b[@]}"
wait "$lane_a_pid"
cat "$logs/lane-a.out"

total=$(( ${#lane_a[@]} + ${#lane_b[@]} ))
failed=0
echo "=== consumer suites (two lanes, $((SECONDS - start)) s in all):"
while IFS='|' read -r name result seconds; do
  printf '  %-18s %-7s %4d s\n' "$name" "$result" "$seconds"
  [ "$result" = passed ] || failed=$((failed + 1))
done < <(cat "$logs/a.results" "$logs/b.results")
if [ "$failed" -gt 0 ]; then
  echo "consumer suites: $failed of $total failed" >&2
  exit 1
fi
echo "consumer suites: $total of $total passed"
