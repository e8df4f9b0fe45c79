#!/usr/bin/env bash
# The main job on an embedded default: installs what is needed, builds the bundles, starts a local
# AWS (moto_server: S3, SNS, SQS, STS) on 127.0.0.1 and runs the three actions against
# examples/orders-app, whose plugins create real resources with the hashicorp/aws provider.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/check-tools.sh
npm ci --no-audit --no-fund --loglevel=error
npm run -s build >/dev/null
# The actions run on node24; the SDK notice about this machine's node 20 says nothing here.
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true
exec npx tsx scripts/demo.ts
