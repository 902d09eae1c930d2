#!/usr/bin/env bash
# Create the local Debian bullseye base image that stands in for Amazon Linux 2023 in CI.
#
# Why: no container registry is reachable from CI, so the real AL2023 image cannot be
# pulled. Bullseye has an older glibc (2.31) than AL2023 (2.34), so anything built on it
# also loads on provided.al2023; it ships Python 3.9 (python3, python3-dev, python3-venv).
# Idempotent: when the image already exists nothing is done (pass --force to rebuild).
#
# --arch arm64 makes the arm64 (Graviton) stand-in, native-lambda/bullseye-base-arm64, on an
# x86_64 host: scripts/setup-binfmt.sh first checks (and sets up) qemu binfmt emulation, then
# debootstrap builds a foreign root, and the image is built FROM scratch with
# --platform linux/arm64 so the engine labels it arm64 (`docker import --platform` is ignored
# by docker 20.10, which would label it amd64).
#
# usage: make-bullseye-image.sh [--arch amd64|arm64] [--force]
set -euo pipefail

ARCH=amd64
FORCE=
while [ $# -gt 0 ]; do
    case "$1" in
        --force) FORCE=1 ;;
        --arch) ARCH=${2:?--arch needs amd64 or arm64}; shift ;;
        --arch=*) ARCH=${1#--arch=} ;;
        *) echo "usage: $0 [--arch amd64|arm64] [--force]" >&2; exit 2 ;;
    esac
    shift
done
case "$ARCH" in
    amd64) DEFAULT_IMAGE=native-lambda/bullseye-base ;;
    arm64) DEFAULT_IMAGE=native-lambda/bullseye-base-arm64 ;;
    *) echo "--arch must be amd64 or arm64, not $ARCH" >&2; exit 2 ;;
esac
if [ "$ARCH" = amd64 ]; then
    IMAGE=${NATIVE_LAMBDA_BULLSEYE_IMAGE:-$DEFAULT_IMAGE}
else
    IMAGE=${NATIVE_LAMBDA_BULLSEYE_ARM64_IMAGE:-$DEFAULT_IMAGE}
fi
SUITE=${BULLSEYE_SUITE:-bullseye}
MIRROR=${DEBIAN_MIRROR:-}

if [ -z "$FORCE" ] && docker image inspect "$IMAGE" >/dev/null 2>&1; then
    echo "image $IMAGE already exists (use --force to rebuild)"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "debootstrap needs root: run this script with sudo" >&2
    exit 1
fi
command -v debootstrap >/dev/null || { echo "install debootstrap (apt-get install -y debootstrap)" >&2; exit 1; }

if [ "$ARCH" = arm64 ]; then
    bash "$(dirname "$0")/setup-binfmt.sh" aarch64
fi

ROOTFS=$(mktemp -d /tmp/native-lambda-bullseye.XXXXXX)
trap 'rm -rf "$ROOTFS"' EXIT

echo "debootstrap --arch=$ARCH --variant=minbase $SUITE -> $ROOTFS"
# shellcheck disable=SC2086
debootstrap --arch="$ARCH" --variant=minbase "$SUITE" "$ROOTFS" $MIRROR
# A minbase tree keeps the .debs it installed: drop them so the image stays small.
rm -rf "$ROOTFS"/var/cache/apt/archives/*.deb "$ROOTFS"/var/lib/apt/lists/*

if [ "$ARCH" = arm64 ]; then
    CONTEXT=$(mktemp -d /tmp/native-lambda-bullseye-context.XXXXXX)
    trap 'rm -rf "$ROOTFS" "$CONTEXT"' EXIT
    tar -C "$ROOTFS" -cf "$CONTEXT/rootfs.tar" .
    printf '%s\n' 'FROM scratch' 'ADD rootfs.tar /' \
        'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        'CMD ["/bin/bash"]' >"$CONTEXT/Dockerfile"
    DOCKER_BUILDKIT=0 docker build --platform linux/arm64 -t "$IMAGE" "$CONTEXT"
    LABEL=$(docker image inspect -f '{{.Os}}/{{.Architecture}}' "$IMAGE")
    [ "$LABEL" = linux/arm64 ] || { echo "$IMAGE is labelled $LABEL, not linux/arm64" >&2; exit 1; }
    echo "created $IMAGE ($LABEL): $(docker run --rm --platform linux/arm64 "$IMAGE" \
        sh -c 'echo "$(uname -m), $(ldd --version | head -n1)"')"
    exit 0
fi

tar -C "$ROOTFS" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'CMD ["/bin/bash"]' \
    - "$IMAGE"
echo "created $IMAGE: $(docker run --rm "$IMAGE" ldd --version | head -n1)"
