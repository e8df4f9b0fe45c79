#!/usr/bin/env bash
# Rebuilds dist/ and fails when the result differs from what was there: the committed bundles must
# be exactly what the sources build. On failure dist/ is left rebuilt, ready to commit.
set -euo pipefail
cd "$(dirname "$0")/.."
snapshot() { find dist -type f -print0 2>/dev/null | sort -z | xargs -0 -r sha256sum; }
before=$(snapshot)
npm run -s build >/dev/null
after=$(snapshot)
if [ "$before" != "$after" ]; then
  echo "error: dist/ is stale: a fresh build of the sources differs in:" >&2
  diff <(echo "$before") <(echo "$after") | grep '^[<>]' | awk '{print "  " $3}' | sort -u >&2
  echo "dist/ has now been rebuilt: commit it with your change." >&2
  exit 1
fi
echo "dist/ is up to date with the sources."
