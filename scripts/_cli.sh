# Sourced by build.sh, deploy.sh and invoke.sh (from the project root) to find the CLI:
# $NATIVE_LAMBDA, else native-lambda on PATH, else the project's .venv.
if [[ -z "${NATIVE_LAMBDA:-}" ]]; then
  if command -v native-lambda >/dev/null; then NATIVE_LAMBDA=native-lambda
  elif [[ -x .venv/bin/native-lambda ]]; then NATIVE_LAMBDA=.venv/bin/native-lambda
  else echo "$(basename "$0"): native-lambda not found (pip install -e '.[toolchain]')" >&2; exit 127
  fi
fi
