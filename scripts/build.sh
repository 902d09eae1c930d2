#!/usr/bin/env bash
# Step 1 of 3: compile the example (or the handler in [tool.native-lambda]) into
# dist/function.zip (bootstrap) and dist/layer.zip (shared libraries under lib/).
# Extra arguments go to `native-lambda build`.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_cli.sh  # sets NATIVE_LAMBDA
exec "$NATIVE_LAMBDA" build "$@"
