#!/usr/bin/env bash
# Builds dist/ afresh into a scratch folder and fails when the result differs from dist/: the
# committed bundles must be exactly what the sources build. dist/ itself is not touched while the
# build runs, so the test command runs this side by side with the tests that execute the bundles.
#
#   scripts/check-dist.sh              on failure dist/ is replaced by the fresh build, ready to commit
#   scripts/check-dist.sh --no-update  on failure dist/ stays as it is (the tests may be running it)
set -euo pipefail
cd "$(dirname "$0")/.."
update=1
case "${1:-}" in
  '') ;;
  --no-update) update=0 ;;
  *)
    echo "usage: scripts/check-dist.sh [--no-update]" >&2
    exit 2
    ;;
esac
# Outside the repository: eslint and tsc, running at the same time, must not see the bundles.
fresh=$(mktemp -d "${TMPDIR:-/tmp}/check-dist-XXXXXX")
trap 'rm -rf "$fresh"' EXIT
snapshot() { (cd "$1" && find . -type f -print0 | sort -z | xargs -0 -r sha256sum); }
node scripts/build.mjs --out "$fresh" >/dev/null
before=$(snapshot dist 2>/dev/null || true)
after=$(snapshot "$fresh")
if [ "$before" != "$after" ]; then
  echo "error: dist/ is stale: a fresh build of the sources differs in:" >&2
  # diff exits 1 on a difference: that is the point here (and pipefail would end the script).
  { diff <(echo "$before") <(echo "$after") || true; } | grep '^[<>]' |
    awk '{print "  dist/" substr($3, 3)}' | sort -u >&2
  if [ "$update" = 1 ]; then
    rm -rf dist
    mkdir dist
    cp -R "$fresh"/. dist/
    echo "dist/ has now been rebuilt: commit it with your change." >&2
  else
    echo "Rebuild it with \`npm run build\` (or \`npm run check-dist\`) and commit it with your change." >&2
  fi
  exit 1
fi
echo "dist/ is up to date with the sources."
