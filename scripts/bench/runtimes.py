"""The contenders: how to prepare each runtime and the command + environment that starts it.

Every runtime serves the same function (``function/bench_echo.py``) against the same
server. CPython runtimes run from a fresh venv holding only what they need (symlinks to
the dev venv's packages), like Lambda's clean ``/var/runtime`` + ``/var/task``: the dev
venv's dozens of ``.pth`` files would otherwise slow every CPython start and flatter us.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
FUNCTION_DIR = HERE / "function"
HANDLER = "bench_echo.handler"

#: Packages the CPython contenders need, linked from the dev venv into the clean venv.
_CLEAN_VENV_PACKAGES = (
    "awslambdaric",
    "runtime_client",  # awslambdaric's C++ extension (top-level .so)
    "simplejson",
    "snapshot_restore_py",
    "msgspec",
)


@dataclass
class Runtime:
    """One contender: ``command`` started in ``cwd`` with ``env`` added to the base env."""

    name: str  # short key used in tables and on the command line
    label: str
    command: list[str]
    cwd: Path = FUNCTION_DIR
    env: dict[str, str] = field(default_factory=dict)
    note: str = ""
    #: configuration shown on every row: Python version ("" for the shell and the C floor),
    #: start-up tuning ("on"/"off", "" where it does not apply), build target
    python: str = ""
    tuning: str = ""
    target: str = ""
    kind: str = ""  # native, native-untuned, cpython, awslambdaric, ... (name without @X.Y)


def base_env(runtime_api: str, task_root: Path) -> dict[str, str]:
    """What Lambda gives every runtime process (subset), and nothing from our shell."""
    return {
        "PATH": "/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "TZ": ":UTC",
        "AWS_LAMBDA_RUNTIME_API": runtime_api,
        "AWS_LAMBDA_FUNCTION_NAME": "bench",
        "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
        "AWS_LAMBDA_LOG_GROUP_NAME": "/aws/lambda/bench",
        "AWS_LAMBDA_LOG_STREAM_NAME": "2026/01/01/[$LATEST]bench",
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "LAMBDA_TASK_ROOT": str(task_root),
        "_HANDLER": HANDLER,
    }


def base_python() -> str:
    """The interpreter the dev venv was made from (same build as the compiled one)."""
    return str(Path(sys.base_prefix) / "bin" / f"python{sys.version_info[0]}.{sys.version_info[1]}")


def make_clean_venv(work: Path, env_python: Path | None = None) -> Path:
    """A pip-less venv whose site-packages links only the packages the contenders use,
    taken from ``env_python``'s environment (default: this process's dev venv)."""
    from scripts.bench import pyenvs

    env_python = env_python or Path(sys.executable)
    base = pyenvs.base_interpreter(env_python)
    version = base.rsplit("python", 1)[1]
    venv = work / f"clean-venv-{version}"
    python = venv / "bin" / "python"
    if not python.exists():
        subprocess.run([base, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = venv / "lib" / f"python{version}" / "site-packages"
    dev_site = pyenvs.site_packages(env_python)
    links = {"native_lambda": REPO / "src" / "native_lambda"}
    for name in _CLEAN_VENV_PACKAGES:
        hits = [p for p in dev_site.iterdir() if p.name == name or p.name.startswith(name + ".")]
        hits = [p for p in hits if not p.name.endswith((".dist-info", ".pth"))]
        if not hits:
            raise SystemExit(
                f"bench: package {name!r} missing from {dev_site} (pip install .[bench])"
            )
        links.update({p.name: p for p in hits})
    for link_name, target in links.items():
        link = site / link_name
        if not link.exists():
            link.symlink_to(target)
    return python


def compile_floor(work: Path) -> Path:
    """gcc -O2 the C floor (at bench time, so it matches this machine's libc)."""
    out = work / "floor"
    subprocess.run(["gcc", "-O2", "-o", str(out), str(HERE / "floor.c")], check=True)
    return out


@dataclass
class Artifact:
    """An unpacked native-lambda build: ``task/bootstrap`` + ``opt/lib`` (the layer)."""

    task_dir: Path
    opt_dir: Path
    function_zip: Path | None
    layer_zip: Path | None

    @property
    def bootstrap(self) -> Path:
        return self.task_dir / "bootstrap"


def unpack_dist(dist: Path, target: Path) -> Artifact:
    """Unpack ``function.zip`` to target/task and ``layer.zip`` to target/opt, like Lambda."""
    fz, lz = dist / "function.zip", dist / "layer.zip"
    if not fz.is_file():
        raise SystemExit(f"bench: {fz} not found (run `native-lambda build` first)")
    shutil.rmtree(target, ignore_errors=True)
    task, opt = target / "task", target / "opt"
    for zpath, dest in ((fz, task), (lz, opt)):
        if not zpath.is_file():
            dest.mkdir(parents=True, exist_ok=True)
            continue
        with zipfile.ZipFile(zpath) as zf:
            for info in zf.infolist():
                zf.extract(info, dest)
                mode = info.external_attr >> 16
                if mode:
                    os.chmod(dest / info.filename, mode & 0o7777)
    return Artifact(task, opt, fz, lz if lz.is_file() else None)


def native_runtime(
    name: str, artifact: Artifact, *, python: str, tuning: bool, target: str
) -> Runtime:
    """The compiled bootstrap, unpacked the way Lambda does it (task root + /opt/lib)."""
    opt_lib = artifact.opt_dir / "lib"
    tuned = "on" if tuning else "off"
    return Runtime(
        f"{name}@{python}" if python else name,
        "native-lambda, compiled" + ("" if tuning else ", start-up tuning off"),
        [str(artifact.bootstrap)],
        cwd=artifact.task_dir,
        env={
            "LD_LIBRARY_PATH": f"{opt_lib}:{artifact.task_dir}",
            "LAMBDA_TASK_ROOT": str(artifact.task_dir),
        },
        python=python,
        tuning=tuned,
        target=target,
        kind=name,
    )


def python_contenders(work: Path, env_python: Path, version: str) -> list[Runtime]:
    """The CPython contenders on one interpreter (same one as that column's compiled build)."""
    python = str(make_clean_venv(work, env_python))

    def rt(kind: str, label: str, command: list[str], **kw: object) -> Runtime:
        return Runtime(
            f"{kind}@{version}",
            label,
            command,
            python=version,
            kind=kind,
            **kw,  # type: ignore[arg-type]
        )

    return [
        rt("cpython", "native-lambda on CPython", [python, "-m", "native_lambda", HANDLER]),
        rt("awslambdaric", "awslambdaric (CPython)", [python, "-m", "awslambdaric", HANDLER]),
        rt(
            "awslambdaric-plain",
            "awslambdaric, untyped hello-world handler (calibration)",
            [python, "-m", "awslambdaric", "bench_plain.handler"],
            env={"_HANDLER": "bench_plain.handler"},
            note="no msgspec import: the shape of lambda-perf's python hello world",
        ),
    ]


def machine_contenders(work: Path) -> list[Runtime]:
    """The contenders no Python version applies to."""
    return [
        Runtime(
            "shell",
            "shell + curl bootstrap",
            ["/bin/sh", str(HERE / "bootstrap.sh")],
            note="RSS is the shell's; each curl is a separate short-lived process",
            kind="shell",
        ),
        Runtime("floor", "C floor", [str(compile_floor(work))], kind="floor"),
    ]
