#!/usr/bin/env bash
# The whole test suite from a fresh clone: installs the locked dependencies, checks the tools the
# tests run for real (terraform, moto_server), then lint, type check, dist freshness and jest.
# The last line is the summary: "tests: N passed, N failed, N skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/check-tools.sh

echo "== install (npm ci)"
npm ci --no-audit --no-fund --loglevel=error
echo "== lint"
npm run -s lint
echo "== type check"
npm run -s typecheck
echo "== dist freshness"
bash scripts/check-dist.sh

echo "== tests (jest: unit, integration with real terraform + moto_server, end to end through the bundles)"
mkdir -p .tmp
# The actions run on node24; this machine's node 20 triggers an SDK notice that says nothing here.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
status=0
# Two workers even on two cores: most of a test's time is spent waiting on terraform and
# moto_server, and one worker took over 20 minutes (two: about 15).
npx jest --ci --maxWorkers=2 --json --outputFile=.tmp/jest-results.json "$@" || status=$?
node -e '
  const r = require("./.tmp/jest-results.json");
  const skipped = r.numPendingTests + r.numTodoTests;
  if (r.numTotalTests === 0) { console.log("tests: no test ran"); process.exit(1); }
  console.log(`tests: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${skipped} skipped`);
' || status=1
exit "$status"
