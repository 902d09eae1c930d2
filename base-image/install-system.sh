#!/bin/sh
# Install the C toolchain and the chosen Python from the base's own package manager, then
# create the venv the compile stage uses. One script for both families, because only the
# package names differ: Amazon Linux (dnf: pythonX.Y + pythonX.Y-devel) is the real target,
# Debian (apt: pythonX.Y + pythonX.Y-dev + pythonX.Y-venv) is CI's offline stand-in.
#
# usage: install-system.sh PYTHON_VERSION
set -eu
V="$1"
PREFIX=/opt/native-lambda

fail() { echo "native-lambda base image: $*" >&2; exit 1; }

if command -v dnf >/dev/null 2>&1; then
    dnf install -y --setopt=install_weak_deps=False \
        gcc make glibc-devel findutils tar gzip ca-certificates
    # AL2023 names the 3.9 system Python plain "python3"; newer ones are python3.X.
    if ! dnf install -y --setopt=install_weak_deps=False "python$V" "python$V-devel"; then
        [ "$V" = "$(python3 -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null)" ] \
            && dnf install -y python3-devel \
            || fail "no python$V / python$V-devel packages in this base: choose another --python-version"
    fi
    # venv needs ensurepip's bundled pip; some builds ship it as a separate package.
    dnf install -y --setopt=install_weak_deps=False "python$V-pip" >/dev/null 2>&1 || true
    dnf clean all
    rm -rf /var/cache/dnf
elif command -v apt-get >/dev/null 2>&1; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update
    apt-get install -y --no-install-recommends \
        gcc make libc6-dev ca-certificates \
        "python$V" "python$V-dev" "python$V-venv" \
        || fail "apt has no python$V (+ -dev, -venv) here: choose --python-version matching the base (bullseye: 3.9)"
    apt-get clean
    rm -rf /var/lib/apt/lists/*
else
    fail "base image has neither dnf nor apt-get: use an Amazon Linux or Debian-family --base-image"
fi

command -v "python$V" >/dev/null 2>&1 || fail "python$V not on PATH after installing it"
"python$V" -m venv "$PREFIX/venv"

# The fixed name the compile stage calls, whatever Python was chosen. A wrapper, not a
# symlink: Python resolves symlinks to find its prefix and would miss the venv.
cat > /usr/local/bin/nl-python <<WRAP
#!/bin/sh
exec $PREFIX/venv/bin/python "\$@"
WRAP
chmod 0755 /usr/local/bin/nl-python
