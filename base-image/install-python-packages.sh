#!/bin/sh
# pip-install the pinned requirements into the venv. The host's CA bundle and package index
# settings arrive through the build context (pip-ca.crt, pip-index.env) so pip works behind
# the same TLS-intercepting proxy or private mirror as the host; neither is part of the
# image's content hash, and an empty file means "use the defaults".
set -eu
PREFIX=/opt/native-lambda
if [ -s "$PREFIX/pip-ca.crt" ]; then
    export PIP_CERT="$PREFIX/pip-ca.crt"
fi
if [ -s "$PREFIX/pip-index.env" ]; then
    set -a
    . "$PREFIX/pip-index.env"
    set +a
fi
export PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_DEFAULT_TIMEOUT=120
PIP="$PREFIX/venv/bin/python -m pip"
$PIP install 'pip==26.3; python_version >= "3.10"' 'pip==26.0.1; python_version < "3.10"'
$PIP install -r "$PREFIX/requirements.txt"
$PIP check
