#!/usr/bin/env bash
# Step 3 of 3: invoke the deployed function and print its result (log tail on stderr).
#   scripts/invoke.sh [NAME] ['{"name": "world"}'] [--local] [--endpoint-url URL]
# --local invokes the emulator (`native-lambda emulate`) at http://127.0.0.1:8080.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_cli.sh  # sets NATIVE_LAMBDA
name="${LAMBDA_FUNCTION_NAME:-native-lambda-greeting}"
if [[ $# -gt 0 && "$1" != -* ]]; then name="$1"; shift; fi
payload='{"name": "world"}'
if [[ $# -gt 0 && "$1" != -* ]]; then payload="$1"; shift; fi
exec "$NATIVE_LAMBDA" invoke "$name" "$payload" "$@"
