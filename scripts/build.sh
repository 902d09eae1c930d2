#!/usr/bin/env bash
# Step 1 of 3: compile the example (or the handler in [tool.native-lambda]) into
# dist/function.zip (bootstrap) and dist/layer.zip (shared libraries under lib/).
# Extra arguments go to `native-lambda build`.
set -euo pipefail
cd "$(dirname "$0")/.."
# The CLI: $NATIVE_LAMBDA, else native-lambda on PATH, else the project's .venv.
if [[ -z "${NATIVE_LAMBDA:-}" ]]; then
  if command -v native-lambda >/dev/null; then NATIVE_LAMBDA=native-lambda
  elif [[ -x .venv/bin/native-lambda ]]; then NATIVE_LAMBDA=.venv/bin/native-lambda
  else echo "$(basename "$0"): native-lambda not found (pip install -e '.[toolchain]')" >&2; exit 127
  fi
fi
exec "$NATIVE_LAMBDA" build "$@"
