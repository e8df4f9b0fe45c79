#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs the locked dependencies, checks the tools the
# tests run for real (terraform, moto_server), then lint, type check, dist freshness and jest.
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

# Lint, type check and dist freshness are independent and each mostly single-threaded: they run
# side by side (on two cores about 90 s instead of 150 s one after the other). Each one's output
# is kept whole and printed in this order once all are done, with its exit status and time.
checks=(lint typecheck check-dist)
declare -A title=([lint]="lint" [typecheck]="type check" [check-dist]="dist freshness")
declare -A pids started
for check in "${checks[@]}"; do
  started[$check]=$(date +%s)
  (
    npm run -s "$check" >".tmp/$check.log" 2>&1 && rc=0 || rc=$?
    echo "$rc $(($(date +%s) - ${started[$check]}))" >".tmp/$check.status"
  ) &
  pids[$check]=$!
done
failed=0
for check in "${checks[@]}"; do
  wait "${pids[$check]}" || true
  read -r rc seconds <".tmp/$check.status" || { rc=1 seconds='?'; }
  echo "== ${title[$check]} (npm run $check: exit $rc, ${seconds} s)"
  cat ".tmp/$check.log"
  if [ "$rc" != 0 ]; then
    echo "error: ${title[$check]} failed (exit $rc)." >&2
    failed=1
  fi
done
if [ "$failed" != 0 ]; then exit 1; fi

echo "== tests (jest: unit, integration with real terraform + moto_server, end to end through the bundles)"
# The actions run on node24; this machine's node 20 triggers an SDK notice that says nothing here.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
status=0
# Two workers even on two cores: most of a test's time is spent waiting on terraform and
# moto_server, and one worker took over 20 minutes (two: about 15).
# The CPU time (every worker, bundle and Terraform it ran) against the wall time says how much the
# two workers wait: the figure to look at before changing --maxWorkers.
TIMEFORMAT='== jest took %0R s wall, %0U s user + %0S s system CPU'
time npx jest --ci --maxWorkers=2 --json --outputFile=.tmp/jest-results.json "$@" || status=$?
node -e '
  const r = require("./.tmp/jest-results.json");
  const skipped = r.numPendingTests + r.numTodoTests;
  if (r.numTotalTests === 0) { console.log("tests: no test ran"); process.exit(1); }
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' || status=1
exit "$status"
