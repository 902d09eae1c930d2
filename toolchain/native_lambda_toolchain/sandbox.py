"""A Lambda-like root for running built artifacts: only glibc, ``/var/task`` and ``/opt``.

The point is to fail locally the way Lambda would: the root holds ``function.zip`` unpacked at
``/var/task``, ``layer.zip`` at ``/opt`` and *only* the policy's libraries (glibc's family, copied
from this machine into ``/usr/lib64``; ``/lib64`` links there as on Amazon Linux) plus the
``C.utf8`` locale of AL2023's glibc-minimal-langpack. No libpython, no libssl, no libz: a bundle
that forgot one fails here at load time, as on Lambda.

An arm64 bundle on an x86_64 machine (or the reverse) gets the glibc of its own architecture,
from ``glibc_dir`` (copied out of that architecture's base image by ``native-lambda run``),
and its bootstrap runs through the kernel's qemu binfmt emulation: the same root, the same
bwrap command, only slower. A bootstrap of another architecture than the sandbox's is refused
before it starts, naming both, instead of failing with "Exec format error".

The bootstrap runs under bubblewrap: the root is bind-mounted read-only at ``/``, with a fresh
``/tmp`` (tmpfs, 512 MiB, the only writable place as on Lambda), ``/proc`` and ``/dev``; new
pid/ipc/uts namespaces, a non-root uid like Lambda's ``sbx_user1051``; the network namespace is
shared so the runtime reaches the emulator on 127.0.0.1. The environment is Lambda's
(``LD_LIBRARY_PATH``, ``LAMBDA_TASK_ROOT``, ``TZ=:UTC`` ...); of this machine's environment only
``AWS_*``/``LAMBDA_*``/``_HANDLER``/``_X_AMZN_*`` and what the emulator adds pass through.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
import zipfile
import zlib
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

from .binfmt import elf_architecture, emulation_entry, host_architecture
from .build.policy import Policy, load_policy
from .ca_bundles import system_ca_bundle
from .dist import BOOTSTRAP, FUNCTION_ZIP, LAYER_ROOT, LAYER_ZIP, TASK_ROOT
from .errors import BuildError

RUNTIME_DIR = "/var/runtime"
LAMBDA_UID, LAMBDA_GID = 993, 990  # sbx_user1051 on Lambda
TMP_SIZE = 512 * 1024 * 1024
#: Lambda's cap on the unzipped function code plus all its layers ("250 MB").
UNZIPPED_LIMIT = 262_144_000
#: Permission bits kept from a zip entry: setuid, setgid and sticky are dropped.
KEPT_MODE_BITS = 0o777

#: Where this machine keeps glibc (Debian multiarch first, then Fedora/Amazon Linux style).
HOST_LIB_DIRS = (
    "/lib/x86_64-linux-gnu",
    "/usr/lib/x86_64-linux-gnu",
    "/lib/aarch64-linux-gnu",
    "/usr/lib/aarch64-linux-gnu",
    "/lib64",
    "/usr/lib64",
    "/lib",
    "/usr/lib",
)
HOST_LOCALE_DIR = "/usr/lib/locale"

#: Environment every provided.al2023 function sees (plus the emulator's AWS_LAMBDA_* values).
LAMBDA_ENV = {
    "LD_LIBRARY_PATH": f"/var/lang/lib:/lib64:/usr/lib64:{RUNTIME_DIR}:{RUNTIME_DIR}/lib:"
    f"{TASK_ROOT}:{TASK_ROOT}/lib:{LAYER_ROOT}/lib",
    "LAMBDA_TASK_ROOT": TASK_ROOT,
    "LAMBDA_RUNTIME_DIR": RUNTIME_DIR,
    "PATH": f"/usr/local/bin:/usr/bin/:/bin:{LAYER_ROOT}/bin",
    "LANG": "en_US.UTF-8",
    "TZ": ":UTC",
}
#: bwrap does not forward signals: a SIGTERM (Lambda's shutdown, the emulator's killpg) would
#: kill bwrap and, through --die-with-parent, SIGKILL the runtime before its shutdown hooks
#: run. bwrap is therefore exec'd with SIGTERM ignored (an exec, no process stays behind); the
#: runtime gets the group's SIGTERM itself once it installs a handler (as PID 1 of its pid
#: namespace it would ignore an unhandled SIGTERM anyway), and SIGKILL still ends everything.
IGNORE_SIGTERM = (
    sys.executable,
    "-S",
    "-E",
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
    "os.execv(sys.argv[1], sys.argv[1:])",
)
PASS_PREFIXES = ("AWS_", "LAMBDA_", "_HANDLER", "_X_AMZN_", "_AWS_")

ETC_FILES = {
    "passwd": "root:x:0:0:root:/root:/sbin/nologin\n"
    f"sbx_user1051:x:{LAMBDA_UID}:{LAMBDA_GID}::/home/sbx_user1051:/sbin/nologin\n",
    "group": f"root:x:0:\nsbx_user1051:x:{LAMBDA_GID}:\n",
    "hosts": "127.0.0.1   localhost localhost.localdomain\n::1         localhost\n",
    "nsswitch.conf": "passwd: files\ngroup: files\nhosts: files dns\n",
    "resolv.conf": "",
    "os-release": 'NAME="native-lambda sandbox"\nID="native-lambda-sandbox"\n'
    'PRETTY_NAME="Lambda-like sandbox (glibc only, provided.al2023 layout)"\n',
}


class SandboxError(BuildError):
    """The sandbox cannot be set up (bwrap missing, bad zips)."""


def find_host_library(name: str, dirs: Sequence[str] = HOST_LIB_DIRS) -> Optional[Path]:
    for d in dirs:
        p = Path(d) / name
        if p.exists():
            return p.resolve()
    return None


def extract_zip(archive: Path, dest: Path, *, limit: int = UNZIPPED_LIMIT) -> int:
    """Unpack ``archive`` into ``dest``; returns the bytes written.

    Each entry keeps its Unix permission bits (zipfile alone drops the executable bit) but
    never setuid, setgid or sticky. At most ``limit`` bytes are written: the declared sizes
    are checked first (a zip bomb fails before any write), then the bytes are counted as
    they are written, so an entry that inflates past its declared size fails too.
    """
    root = dest.resolve()
    try:
        with zipfile.ZipFile(archive) as zf:
            entries = zf.infolist()
            declared = sum(info.file_size for info in entries)
            if declared > limit:
                raise _too_big(archive, declared, limit)
            written = 0
            for info in entries:
                target = dest / info.filename
                if not _is_within(target.resolve(), root):
                    raise SandboxError(f"{archive}: entry {info.filename!r} escapes the root")
                if info.is_dir():
                    target.mkdir(parents=True, exist_ok=True)
                    continue
                target.parent.mkdir(parents=True, exist_ok=True)
                with zf.open(info) as src, open(target, "wb") as out:
                    while True:
                        chunk = src.read(1 << 20)
                        if not chunk:
                            break
                        written += len(chunk)
                        if written > limit:
                            raise _too_big(archive, written, limit)
                        out.write(chunk)
                mode = (info.external_attr >> 16) & KEPT_MODE_BITS
                os.chmod(target, mode or 0o644)
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise SandboxError(
            f"{archive}: not a valid zip ({exc})", hint="rebuild with `native-lambda build`"
        ) from None
    return written


def _is_within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


def _too_big(archive: Path, size: int, limit: int) -> SandboxError:
    return SandboxError(
        f"{archive}: unzipped size exceeds Lambda's limit of {limit:,} bytes "
        f"(at least {size:,} bytes with the zips unpacked before it)",
        hint="Lambda rejects a function whose code and layers unzip to more than 250 MB; "
        "make the bundle smaller",
    )


class Sandbox:
    """A prepared root plus the bwrap command that runs the bootstrap in it.

    ``with Sandbox(function_zip, layer_zip) as box: Emulator(command=box.command(), ...)``
    """

    def __init__(
        self,
        function_zip: Path,
        layer_zip: Optional[Path] = None,
        *,
        policy: Optional[Policy] = None,
        handler: Optional[str] = None,
        root: Optional[Path] = None,
        env: Optional[Mapping[str, str]] = None,
        files: Optional[Mapping[str, bytes]] = None,
        bwrap: Optional[str] = None,
        architecture: Optional[str] = None,
        glibc_dir: Optional[Path] = None,
    ) -> None:
        self.function_zip = Path(function_zip)
        self.layer_zip = Path(layer_zip) if layer_zip else None
        self.policy = policy or load_policy("al2023")
        self.handler = handler
        self.extra_env = dict(env or {})
        #: absolute path inside the root -> content (e.g. a test CA for SSL_CERT_FILE)
        self.files = dict(files or {})
        self._own_root = root is None
        self.root = Path(root) if root else Path(tempfile.mkdtemp(prefix="native-lambda-root-"))
        self.bwrap = bwrap or shutil.which("bwrap") or ""
        #: Lambda's name (x86_64, arm64); another than this machine's runs under binfmt
        self.architecture = architecture or host_architecture()
        #: where this architecture's glibc comes from (default: this machine's own)
        self.glibc_dir = Path(glibc_dir) if glibc_dir else None
        self.libraries: List[str] = []
        self.prepared = False
        self.forward_sigterm = True

    @classmethod
    def from_dist(cls, dist_dir: Path, **kwargs: object) -> Sandbox:
        """Sandbox for ``dist_dir/function.zip`` (+ ``layer.zip`` when present)."""
        dist_dir = Path(dist_dir)
        fn = dist_dir / FUNCTION_ZIP
        if not fn.is_file():
            raise SandboxError(f"{fn} not found", hint="run `native-lambda build` first")
        layer = dist_dir / LAYER_ZIP
        return cls(fn, layer if layer.is_file() else None, **kwargs)  # type: ignore[arg-type]

    # -- root --------------------------------------------------------------------------
    def prepare(self) -> Sandbox:
        if not self.bwrap:
            raise SandboxError(
                "bubblewrap (bwrap) is not installed", hint="apt-get install bubblewrap"
            )
        root = self.root
        for d in (
            TASK_ROOT.lstrip("/"),
            RUNTIME_DIR.lstrip("/"),
            LAYER_ROOT.lstrip("/"),
            "tmp",
            "proc",
            "dev",
            "usr/lib64",
            "usr/lib",
            "etc",
        ):
            (root / d).mkdir(parents=True, exist_ok=True)
        for link, target in (("lib64", "usr/lib64"), ("lib", "usr/lib")):
            if not (root / link).is_symlink():
                os.symlink(target, root / link)
        task_root = root / TASK_ROOT.lstrip("/")
        used = extract_zip(self.function_zip, task_root)
        bootstrap = task_root / BOOTSTRAP
        if not bootstrap.is_file():
            raise SandboxError(f"{self.function_zip} has no {BOOTSTRAP} at its top level")
        if not os.stat(bootstrap).st_mode & stat.S_IXUSR:
            raise SandboxError(
                f"{self.function_zip}: bootstrap is not executable (mode in the zip)",
                hint="Lambda would fail with Runtime.InvalidEntrypoint; rebuild",
            )
        self._check_architecture(bootstrap)
        if self.layer_zip is not None:
            # Lambda counts the function and its layers against one limit
            extract_zip(self.layer_zip, root / LAYER_ROOT.lstrip("/"), limit=UNZIPPED_LIMIT - used)
        self._copy_glibc()
        self._copy_locale()
        self._write_etc()
        for inside, content in sorted(self.files.items()):
            dest = root / inside.lstrip("/")
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(content)
        self.prepared = True
        return self

    def _check_architecture(self, bootstrap: Path) -> None:
        """Refuse a bootstrap this sandbox cannot start, before "Exec format error" does."""
        with open(bootstrap, "rb") as fh:
            built_for = elf_architecture(fh.read(20))
        if built_for is not None and built_for != self.architecture:
            raise SandboxError(
                f"{self.function_zip}: bootstrap is built for {built_for}, but this sandbox "
                f"is {self.architecture}",
                hint=f"run it in an {built_for} sandbox (native-lambda run reads the "
                "architecture from build.json) or rebuild for "
                f"{self.architecture}",
            )
        if self.architecture != host_architecture() and emulation_entry(self.architecture) is None:
            raise SandboxError(
                f"{self.function_zip}: bootstrap is built for {self.architecture}; this "
                f"machine is {host_architecture()} and has no qemu binfmt emulation for it",
                hint="sudo scripts/setup-binfmt.sh (apt-get install qemu-user-static "
                f"binfmt-support), or run it on an {self.architecture} machine",
            )

    def _copy_glibc(self) -> None:
        lib64 = self.root / "usr" / "lib64"
        dirs = (str(self.glibc_dir),) if self.glibc_dir else HOST_LIB_DIRS
        for name in sorted(self.policy.system_libraries):
            found = find_host_library(name, dirs)
            if found is None:
                continue  # e.g. the aarch64 loader on x86_64
            with open(found, "rb") as fh:
                if elf_architecture(fh.read(20)) not in (None, self.architecture):
                    continue  # another architecture's copy (a cross toolchain's)
            shutil.copyfile(found, lib64 / name)
            os.chmod(lib64 / name, 0o755)
            self.libraries.append(name)
            if name.startswith("ld-linux-aarch64"):
                # the aarch64 PT_INTERP is /lib/ld-linux-aarch64.so.1; AL2023 links it there
                link = self.root / "usr" / "lib" / name
                if not link.is_symlink():
                    os.symlink(f"../lib64/{name}", link)
        if not any(n.startswith("ld-linux") for n in self.libraries):
            where = self.glibc_dir or "this machine"
            raise SandboxError(f"no {self.architecture} glibc loader (ld-linux*.so) in {where}")

    def _copy_locale(self) -> None:
        """``C.utf8`` as AL2023's glibc-minimal-langpack ships it: Lambda sets
        ``LANG=en_US.UTF-8``, which the image lacks, so Python falls back to C.UTF-8; without
        that locale too, startup aborts (seen here: SIGABRT before any Python code runs)."""
        locales = self.glibc_dir / "locale" if self.glibc_dir else Path(HOST_LOCALE_DIR)
        for name in ("C.utf8", "C.UTF-8"):
            src = locales / name
            if src.is_dir():
                dest = self.root / "usr" / "lib" / "locale" / "C.utf8"
                if not dest.exists():
                    shutil.copytree(src, dest)
                return

    def _write_etc(self) -> None:
        etc = self.root / "etc"
        for name, text in ETC_FILES.items():
            (etc / name).write_text(text)
        # Amazon Linux: the CA bundle lives in /etc/pki, /etc/ssl/certs points there.
        certs = etc / "pki" / "tls" / "certs"
        certs.mkdir(parents=True, exist_ok=True)
        bundle = system_ca_bundle()
        if bundle is not None:
            shutil.copyfile(bundle, certs / "ca-bundle.crt")
            if not (etc / "pki" / "tls" / "cert.pem").exists():
                os.symlink("certs/ca-bundle.crt", etc / "pki" / "tls" / "cert.pem")
        (etc / "ssl").mkdir(exist_ok=True)
        if not (etc / "ssl" / "certs").is_symlink():
            os.symlink("../pki/tls/certs", etc / "ssl" / "certs")

    # -- running -----------------------------------------------------------------------
    def lambda_env(self) -> Dict[str, str]:
        env = dict(LAMBDA_ENV)
        if self.handler:
            env["_HANDLER"] = self.handler
        env.update(self.extra_env)
        return env

    def command(self, argv: Sequence[str] = (f"{TASK_ROOT}/{BOOTSTRAP}",)) -> List[str]:
        """bwrap argv running ``argv`` in the root (prepares the root on first use)."""
        if not self.prepared:
            self.prepare()
        cmd = [
            self.bwrap,
            "--ro-bind",
            str(self.root),
            "/",
            "--size",
            str(TMP_SIZE),
            "--tmpfs",
            "/tmp",
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            "--unshare-user",
            "--uid",
            str(LAMBDA_UID),
            "--gid",
            str(LAMBDA_GID),
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-cgroup-try",
            "--hostname",
            "169.254.0.1",  # not this machine's name; Lambda's look like this
            "--die-with-parent",
            "--chdir",
            TASK_ROOT,
        ]
        if self.forward_sigterm:
            cmd = [*IGNORE_SIGTERM, *cmd]
        lambda_env = self.lambda_env()
        for key in sorted(os.environ):
            if key not in lambda_env and not key.startswith(PASS_PREFIXES):
                cmd += ["--unsetenv", key]
        for key, value in sorted(lambda_env.items()):
            cmd += ["--setenv", key, value]
        return [*cmd, *argv]

    def cleanup(self) -> None:
        if self._own_root and self.root.exists():
            shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> Sandbox:
        if not self.prepared:
            self.prepare()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cleanup()
