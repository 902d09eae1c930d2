#!/bin/sh
# The AWS custom-runtime tutorial's bootstrap, re-written: a shell loop that calls curl twice
# per invocation (GET next with headers to a file, POST the response), handler = echo.
# One deviation, needed for large events: the tutorial passes the event and the response as
# command-line arguments, which Linux caps at 128 KiB per argument (MAX_ARG_STRLEN), so it
# cannot carry the 1 MB / 5 MB payloads; here both travel through temporary files instead.
set -eu
API="http://${AWS_LAMBDA_RUNTIME_API}/2018-06-01/runtime"
HEADERS="$(mktemp)"
EVENT="$(mktemp)"
trap 'rm -f "$HEADERS" "$EVENT"' EXIT
while true; do
  curl -sS -D "$HEADERS" -o "$EVENT" "$API/invocation/next"
  REQUEST_ID=$(grep -Fi Lambda-Runtime-Aws-Request-Id "$HEADERS" | tr -d '[:space:]' | cut -d: -f2)
  # handler: echo the event back
  curl -sS -o /dev/null -H 'Content-Type: application/json' \
    --data-binary "@$EVENT" "$API/invocation/$REQUEST_ID/response"
done
