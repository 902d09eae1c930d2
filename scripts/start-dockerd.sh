#!/usr/bin/env bash
# Start a Docker engine in the background unless one already answers, then wait for it.
#
# Why a script: CI machines here have docker.io installed but no init system running
# dockerd; `systemctl start docker` is the answer on a normal host and is tried first.
# Idempotent: when `docker info` already works, nothing is started.
set -euo pipefail

LOG=${DOCKERD_LOG:-/var/log/native-lambda-dockerd.log}
TIMEOUT=${DOCKERD_WAIT_SECONDS:-60}

if docker info >/dev/null 2>&1; then
    echo "docker engine already answering"
    exit 0
fi

if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    systemctl start docker || true
fi

if ! docker info >/dev/null 2>&1; then
    if ! command -v dockerd >/dev/null 2>&1; then
        echo "dockerd not found: install docker.io (apt-get install -y docker.io)" >&2
        exit 1
    fi
    if [ "$(id -u)" -ne 0 ]; then
        echo "starting dockerd needs root: run this script with sudo" >&2
        exit 1
    fi
    echo "starting dockerd (log: $LOG)"
    # setsid + nohup: the engine outlives this script and the CI step that called it.
    setsid nohup dockerd >>"$LOG" 2>&1 </dev/null &
fi

for _ in $(seq "$TIMEOUT"); do
    if docker info >/dev/null 2>&1; then
        echo "docker engine ready: $(docker version --format '{{.Server.Version}}')"
        exit 0
    fi
    sleep 1
done
echo "docker engine did not answer within ${TIMEOUT}s; last log lines:" >&2
tail -n 30 "$LOG" >&2 || true
exit 1
