#!/usr/bin/env bash
# Create the local Debian bullseye base image that stands in for Amazon Linux 2023 in CI.
#
# Why: no container registry is reachable from CI, so the real AL2023 image cannot be
# pulled. Bullseye has an older glibc (2.31) than AL2023 (2.34), so anything built on it
# also loads on provided.al2023; it ships Python 3.9 (python3, python3-dev, python3-venv).
# Idempotent: when the image already exists nothing is done (pass --force to rebuild).
set -euo pipefail

IMAGE=${NATIVE_LAMBDA_BULLSEYE_IMAGE:-native-lambda/bullseye-base}
SUITE=${BULLSEYE_SUITE:-bullseye}
MIRROR=${DEBIAN_MIRROR:-}

if [ "${1:-}" != "--force" ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "image $IMAGE already exists (use --force to rebuild)"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "debootstrap needs root: run this script with sudo" >&2
    exit 1
fi
command -v debootstrap >/dev/null || { echo "install debootstrap (apt-get install -y debootstrap)" >&2; exit 1; }

ROOTFS=$(mktemp -d /tmp/native-lambda-bullseye.XXXXXX)
trap 'rm -rf "$ROOTFS"' EXIT

echo "debootstrap --variant=minbase $SUITE -> $ROOTFS"
# shellcheck disable=SC2086
debootstrap --variant=minbase "$SUITE" "$ROOTFS" $MIRROR
# A minbase tree keeps the .debs it installed: drop them so the image stays small.
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*

tar -C "$ROOTFS" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' \
    - "$IMAGE"
echo "created $IMAGE: $(docker run --rm "$IMAGE" ldd --version | head -n1)"
