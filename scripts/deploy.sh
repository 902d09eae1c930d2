#!/usr/bin/env bash
# Step 2 of 3: deploy dist/ to AWS Lambda. Needs AWS credentials in the environment (or a
# profile), AWS_REGION and LAMBDA_ROLE_ARN. Re-running with unchanged artifacts publishes no
# new layer version. Set AWS_ENDPOINT_URL to deploy to moto or LocalStack instead.
#   LAMBDA_ROLE_ARN=arn:aws:iam::123456789012:role/lambda scripts/deploy.sh [NAME] [options]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/_cli.sh  # sets NATIVE_LAMBDA
name="${LAMBDA_FUNCTION_NAME:-native-lambda-greeting}"
if [[ $# -gt 0 && "$1" != -* ]]; then name="$1"; shift; fi
if [[ -z "${LAMBDA_ROLE_ARN:-}" ]]; then
  echo "deploy.sh: LAMBDA_ROLE_ARN is not set (the function's execution role; only needed" \
       "to create the function)" >&2
fi
exec "$NATIVE_LAMBDA" deploy "$name" "$@"
