#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs the locked dependencies, checks the tools the
# tests run for real (terraform, moto_server), then runs lint, type check and dist freshness side
# by side with jest (the checks at a lower priority). Arguments go to jest (`npm test -- <path>`).
# The last line is the summary: "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/check-tools.sh
mkdir -p .tmp

echo "== install (npm ci)"
install_started=$(date +%s)
# The registry sometimes drops a connection (ECONNRESET); a network error is retried, twice at
# most, and said so. Any other failure (a lockfile out of date, a failed install script) is final.
# --prefer-offline: packages already in npm's cache are taken from it without asking the registry
# whether they changed (the lockfile pins each one by its integrity hash, which npm checks), so a
# warm cache means no registry request at all; what is missing is still downloaded.
for attempt in 1 2 3; do
  if npm ci --prefer-offline --no-audit --no-fund --loglevel=error 2>&1 | tee .tmp/npm-ci.log; then
    break
  fi
  if [ "$attempt" = 3 ] ||
    ! grep -Eq 'ECONNRESET|ETIMEDOUT|EAI_AGAIN|ECONNREFUSED|ENOTFOUND|EPIPE|socket hang up|network' .tmp/npm-ci.log; then
    echo "error: npm ci failed (attempt $attempt, see above)." >&2
    exit 1
  fi
  echo "npm ci failed with a network error (attempt $attempt of 3): retrying in 5 s."
  sleep 5
done
echo "== install took $(($(date +%s) - install_started)) s"

# The checks (lint, type check, dist freshness) and jest run at the same time. jest is the long
# part and is CPU-bound, but it leaves a core idle now and then (a test waiting on Terraform, on
# moto_server, on a timeout); the checks run at a lower priority (nice 10), so they take mostly
# that idle CPU instead of delaying jest by their ~190 s of CPU. They leave the files the tests
# use alone: check-dist builds into a scratch folder (scripts/check-dist.sh --no-update), never
# into dist/ that the end-to-end tests run. A failed check stops jest at once (its whole process
# group: workers, bundles, Terraform, moto_server): the run has failed either way.
echo "== checks (lint, type check, dist freshness, at a lower priority) and tests (jest) start together"
# The actions run on node24; this machine's node 20 triggers an SDK notice that says nothing here.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
rm -f .tmp/jest-results.json .tmp/jest.pgid .tmp/*.status
# Two workers even on two cores: most of a test's time is spent waiting on terraform and
# moto_server, and one worker took over 20 minutes (two: about 15).
# The CPU time (every worker, bundle and Terraform it ran) against the wall time says how much the
# two workers wait: the figure to look at before changing --maxWorkers.
(
  TIMEFORMAT='== jest took %0R s wall, %0U s user + %0S s system CPU'
  # setsid: jest and everything it starts form one process group, stopped together if need be.
  time setsid --wait bash -c 'echo $$ >.tmp/jest.pgid && exec npx jest "$@"' jest \
    --ci --maxWorkers=2 --json --outputFile=.tmp/jest-results.json "$@"
) &
jest_pid=$!
# jest is in a session of its own: a Ctrl-C (or a TERM) of this script must stop it too.
stop_jest() { if [ -s .tmp/jest.pgid ]; then kill -TERM -- "-$(cat .tmp/jest.pgid)" 2>/dev/null || true; fi; }
trap 'stop_jest; exit 130' INT
trap 'stop_jest; exit 143' TERM

checks=(lint typecheck check-dist)
declare -A title=([lint]="lint" [typecheck]="type check" [check-dist]="dist freshness")
declare -A command=(
  [lint]="npm run -s lint"
  [typecheck]="npm run -s typecheck"
  [check-dist]="bash scripts/check-dist.sh --no-update"
)
declare -A started
pending=()
for check in "${checks[@]}"; do
  started[$check]=$(date +%s)
  (
    nice -n 10 ${command[$check]} >".tmp/$check.log" 2>&1 && rc=0 || rc=$?
    echo "$rc $(($(date +%s) - ${started[$check]}))" >".tmp/$check.status"
  ) &
  pending+=($!)
done
# Each check's output is kept whole and printed, in this order, with its exit status and time,
# once jest has ended (a line says when each one ends); the first one to fail stops jest.
failed=0
declare -A reported
while [ "${#pending[@]}" -gt 0 ]; do
  wait -n "${pending[@]}" || true
  still=()
  for pid in "${pending[@]}"; do
    if kill -0 "$pid" 2>/dev/null; then still+=("$pid"); fi
  done
  pending=("${still[@]+"${still[@]}"}")
  for check in "${checks[@]}"; do
    if [ -f ".tmp/$check.status" ] && [ -z "${reported[$check]:-}" ]; then
      reported[$check]=1
      read -r rc seconds <".tmp/$check.status" || rc=1
      echo "== ${title[$check]} ended (exit $rc, ${seconds:-?} s; its output follows the tests')"
      if [ "$rc" != 0 ] && [ "$failed" = 0 ]; then
        failed=1
        echo "error: ${title[$check]} failed: stopping the tests." >&2
        stop_jest
      fi
    fi
  done
done
status=0
wait "$jest_pid" || status=$?

for check in "${checks[@]}"; do
  read -r rc seconds <".tmp/$check.status" || { rc=1 seconds='?'; }
  echo "== ${title[$check]} (${command[$check]}: exit $rc, ${seconds} s)"
  cat ".tmp/$check.log"
  if [ "$rc" != 0 ]; then echo "error: ${title[$check]} failed (exit $rc)." >&2; fi
done
if [ "$failed" != 0 ]; then
  echo "tests: stopped, a check failed (see above)"
  exit 1
fi
node -e '
  const r = require("./.tmp/jest-results.json");
  const skipped = r.numPendingTests + r.numTodoTests;
  if (r.numTotalTests === 0) { console.log("tests: no test ran"); process.exit(1); }
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' || status=1
exit "$status"
