#!/usr/bin/env bash
# Make this x86_64 host run aarch64 binaries through qemu, for the arm64 build container and
# the arm64 sandbox. Checks each piece and says what is missing and how to get it.
#
# Why F ("fix binary") matters: the kernel then opens the qemu interpreter once, at
# registration, so containers and chroots that do not contain qemu can still run aarch64
# programs. Debian's qemu-user-static registers it that way.
# Idempotent: when the handler is registered and enabled, only the check runs.
set -euo pipefail

ARCH=${1:-aarch64}
BINFMT=/proc/sys/fs/binfmt_misc
ENTRY="$BINFMT/qemu-$ARCH"

fail() { echo "binfmt emulation for $ARCH: $*" >&2; exit 1; }

case "$(uname -m)" in
    "$ARCH") echo "this host is $ARCH: no emulation needed"; exit 0 ;;
esac
command -v "qemu-$ARCH-static" >/dev/null \
    || fail "qemu-$ARCH-static not found: apt-get install -y qemu-user-static binfmt-support"
if [ ! -e "$BINFMT/register" ]; then
    [ "$(id -u)" -eq 0 ] || fail "binfmt_misc is not mounted and mounting it needs root: run with sudo"
    mount binfmt_misc -t binfmt_misc "$BINFMT" \
        || fail "cannot mount binfmt_misc at $BINFMT (a container without --privileged cannot)"
fi
if [ ! -e "$ENTRY" ] || ! grep -qx enabled "$ENTRY"; then
    command -v update-binfmts >/dev/null \
        || fail "update-binfmts not found: apt-get install -y binfmt-support"
    [ "$(id -u)" -eq 0 ] || fail "registering qemu-$ARCH needs root: run with sudo"
    update-binfmts --enable "qemu-$ARCH" || fail "update-binfmts --enable qemu-$ARCH failed"
fi
grep -qx enabled "$ENTRY" || fail "$ENTRY is not enabled"
grep -q '^flags:.*F' "$ENTRY" \
    || fail "$ENTRY lacks the F flag: containers would not find the interpreter (use Debian's qemu-user-static)"
echo "binfmt emulation for $ARCH: $(sed -n 's/^interpreter //p' "$ENTRY") ($(sed -n 's/^flags: //p' "$ENTRY"))"
