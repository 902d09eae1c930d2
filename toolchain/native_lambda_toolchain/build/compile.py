"""Compile the handlers and the runtime with Nuitka (standalone) into one ELF, ``bootstrap``.

The generated entry (``entry``) selects the handler; the handler modules are compiled in with
``--include-module``. Only what their import graph reaches goes in:

* the toolchain's own world (nuitka, native_lambda_toolchain, docker, pytest, setuptools,
  zstandard, pip) is never followed, and the compilation report is checked for it afterwards;
* Nuitka's standalone mode also carries the whole standard library "just in case"; its
  extension modules (``_csv``, ``_bz2``, ``_lzma`` ...) cost size and bring libraries (libbz2,
  liblzma) into the layer, so every ``lib-dynload`` module the program's static import graph
  never reaches is excluded with ``--nofollow-import-to`` (``stdlib_scan``).

Start-up tuning (``startup`` package, on unless ``startup_tuning=False``): a Nuitka user
plugin drops the ``inspect`` patching Nuitka runs at every start, and a package configuration
defers imports nobody needs at init (uuid's ``platform``, msgspec's rarely used submodules).

Runs inside the build container too: Python 3.9-compatible.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from native_lambda.handler_ref import HandlerRef

from ..errors import BuildError
from . import reach, scan_cache, startup
from .entry import ENTRY_NAME, write_entry
from .nuitka_run import run_nuitka
from .profiles import DEFAULT_PROFILE, profile
from .progress import Progress, echo, say
from .report import C_IMPORTS, FORBIDDEN, ReportSummary, check_report, read_report

#: Optional integrations our dependencies import only when asked (inside functions or in a
#: try/except): left out unless something *else* in the program imports them. msgspec's
#: PyYAML/attrs/typing_extensions support alone is ~10 MB of generated C. typing_extensions
#: also costs start-up: msgspec._utils imports it at init when present, and it imports
#: ``inspect`` (ast, dis, tokenize ...). Without it msgspec falls back to ``typing``, which
#: has everything on 3.11+; on 3.9/3.10 ``NotRequired``/``Required`` exist only in
#: typing_extensions, so a handler using them imports typing_extensions itself -- and then
#: the scan sees that import and keeps it (for msgspec too).
OPTIONAL_IMPORTS: Dict[str, Tuple[str, ...]] = {
    "msgspec": ("yaml", "attr", "attrs", "typing_extensions", "tomli", "tomli_w"),
    "httpx": ("httpx._main", "click", "rich", "pygments", "zstandard", "brotli", "h2", "socksio"),
}

#: The import scanner, run as a script by the build's Python (never imported here).
STDLIB_SCAN = Path(__file__).with_name("stdlib_scan.py")

#: Nuitka anti-bloat switches: stop following these, rather than warn about them.
ANTI_BLOAT = (
    "--noinclude-setuptools-mode=nofollow",
    "--noinclude-pytest-mode=nofollow",
    "--noinclude-unittest-mode=nofollow",
    "--noinclude-pydoc-mode=nofollow",
    "--noinclude-IPython-mode=nofollow",
)


@dataclass
class CompileRequest:
    """Inputs of one compilation; ``work_dir`` is kept between runs for incremental builds."""

    handler: HandlerRef
    project_dir: Path
    work_dir: Path
    #: further handlers compiled in, which ``_HANDLER`` may select at start
    handlers: Tuple[HandlerRef, ...] = ()
    python: str = sys.executable
    include_modules: Tuple[str, ...] = ()
    include_package_data: Tuple[str, ...] = ()
    exclude_modules: Tuple[str, ...] = ()
    lto: str = "no"
    jobs: Optional[int] = None
    extra_args: Tuple[str, ...] = ()
    #: Nuitka start-up tuning (``startup`` package: no inspect patching, lazy imports); off
    #: only to compare or to rule it out when something behaves differently compiled
    startup_tuning: bool = True
    #: ``profiles.PROFILES`` name: release (what ships) or dev (C at -O0, fast to compile)
    profile: str = DEFAULT_PROFILE
    progress: Progress = echo
    #: installed third-party trees (the dependency stage's), searched after the project
    deps_dirs: Tuple[Path, ...] = ()
    #: not compiled in: imported at run time from source + bytecode beside the binary
    bytecode_packages: Tuple[str, ...] = ()

    @property
    def roots(self) -> List[str]:
        """The modules compiled in by name: every handler's module and the include modules."""
        modules = {self.handler.module, *(h.module for h in self.handlers)}
        return sorted(modules | set(self.include_modules))

    @property
    def log_path(self) -> Path:
        return self.work_dir / "nuitka.log"

    @property
    def report_path(self) -> Path:
        return self.work_dir / "nuitka-report.xml"

    @property
    def dist_dir(self) -> Path:
        return self.work_dir / f"{ENTRY_NAME}.dist"


@dataclass
class CompileResult:
    dist_dir: Path
    binary: Path
    log: Path
    report: ReportSummary
    report_path: Path
    seconds: float
    excluded_modules: List[str]
    warnings: List[str]
    command: List[str]
    roots: List[str] = field(default_factory=list)


def source_path(project_dir: Path) -> List[str]:
    """Where the handler's modules and the runtime are imported from at compile time."""
    paths = [str(project_dir)]
    if (project_dir / "src").is_dir():
        paths.append(str(project_dir / "src"))
    return paths


def build_env(req: CompileRequest) -> Dict[str, str]:
    env = dict(os.environ)
    extra = source_path(req.project_dir) + [str(Path(d)) for d in req.deps_dirs]
    old = env.get("PYTHONPATH")
    env["PYTHONPATH"] = os.pathsep.join(extra + ([old] if old else []))
    # A stable ccache directory makes rebuilds (and the second build of a session) fast.
    env.setdefault("CCACHE_DIR", str(Path.home() / ".cache" / "ccache"))
    env.setdefault("PYTHONHASHSEED", "0")
    env.setdefault("SOURCE_DATE_EPOCH", "315532800")
    c_flags = profile(req.profile).c_flags
    if c_flags:  # Nuitka appends $CFLAGS after its own -O level, so these win
        env["CFLAGS"] = " ".join([env.get("CFLAGS", ""), *c_flags]).strip()
    return env


def unused_stdlib_extensions(
    req: CompileRequest, entry: Path, env: Dict[str, str], left_out: Sequence[str] = ()
) -> List[str]:
    """``lib-dynload`` modules the program's static import graph never reaches, plus the
    optional imports (``OPTIONAL_IMPORTS``) nothing but their owner package reaches.
    ``left_out`` (``reach``'s answer) is not followed, so what only it imports is unused."""
    spec = {
        "entry": str(entry),
        "roots": req.roots,
        "excludes": list(FORBIDDEN) + list(req.exclude_modules) + list(left_out),
        "c_imports": C_IMPORTS,
        "optional": OPTIONAL_IMPORTS,
    }
    spec_path = req.work_dir / "stdlib-scan.json"
    spec_path.write_text(json.dumps(spec, indent=1, sort_keys=True))
    cmd = [req.python, str(STDLIB_SCAN), str(spec_path)]
    proc = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        # Not fatal: Nuitka then just carries some unused extension modules.
        say(req.progress, f"warning: import scan failed, keeping stdlib extensions: {proc.stderr}")
        return []
    return list(json.loads(proc.stdout.strip().splitlines()[-1]))


def nuitka_command(req: CompileRequest, entry: Path, excluded: Sequence[str]) -> List[str]:
    """The Nuitka command line; see README "Build: Nuitka options" for why each is there."""
    cmd = [
        req.python,
        "-m",
        "nuitka",
        "--mode=standalone",
        f"--output-dir={req.work_dir}",
        f"--output-filename={ENTRY_NAME}",
        # no site.py (no .pth scanning at start), asserts and docstrings stripped,
        # unbuffered stdout/stderr so log lines reach CloudWatch in order and survive a crash
        "--python-flag=no_site,-O,no_docstrings,unbuffered",
        f"--lto={req.lto}",
        "--static-libpython=auto",
        f"--report={req.report_path}",
        "--progress-bar=none",
        "--assume-yes-for-downloads",
        *ANTI_BLOAT,
    ]
    if req.jobs:
        cmd.append(f"--jobs={req.jobs}")
    for name in sorted(set(FORBIDDEN) | set(req.exclude_modules) | set(excluded)):
        cmd.append(f"--nofollow-import-to={name}")
    if req.bytecode_packages:
        for name in sorted(set(req.bytecode_packages)):
            cmd.append(f"--nofollow-import-to={name}")
        # Nuitka's standalone loader otherwise refuses to import a module it was told not
        # to follow; these are imported at run time from their source beside the binary.
        cmd.append("--no-deployment-flag=excluded-module-usage")
    for name in req.roots:
        cmd.append(f"--include-module={name}")
    for name in sorted(set(req.include_package_data)):
        cmd.append(f"--include-package-data={name}")
    if req.startup_tuning:
        cmd.extend(startup.nuitka_options())
    cmd.extend(req.extra_args)
    cmd.append(str(entry))
    return cmd


def not_followed(
    req: CompileRequest, entry: Path, env: Dict[str, str]
) -> Tuple[List[str], Optional[reach.Reach]]:
    """What the Nuitka run leaves out: what the handlers cannot reach (``reach``: asyncio,
    TLS, the httpx adapter), then what the import scan finds unused once those are out (an
    optional import reached only through the httpx adapter is unused too)."""
    needs = reach.scan(req.roots, source_path(req.project_dir)) if req.startup_tuning else None
    left_out = needs.left_out() if needs else ()
    unused = scan_cache.cached(
        req.work_dir,
        req.work_dir / "stdlib-scan.json",
        scan_cache.scan_inputs(
            req.python, req.roots, [*req.exclude_modules, *left_out], env["PYTHONPATH"], entry
        ),
        lambda: unused_stdlib_extensions(req, entry, env, left_out),
    )
    return sorted(set(unused) | set(left_out)), needs


def compile_handler(req: CompileRequest) -> CompileResult:
    """Generate the entry, compile it, check the report; returns where the dist folder is."""
    req.work_dir = Path(req.work_dir).absolute()
    entry = write_entry(req.work_dir, str(req.handler), [str(h) for h in req.handlers])
    env = build_env(req)
    say(req.progress, f"compiling {req.handler} with Nuitka (log: {req.log_path})")
    excluded, needs = not_followed(req, entry, env)
    cmd = nuitka_command(req, entry, excluded)
    if req.report_path.exists():
        req.report_path.unlink()
    seconds = run_nuitka(cmd, env, cwd=req.work_dir, log_path=req.log_path, progress=req.progress)
    binary = req.dist_dir / ENTRY_NAME
    if not binary.is_file():
        raise BuildError(f"Nuitka reported success but {binary} is missing", hint=str(req.log_path))
    report = read_report(req.report_path)
    warnings = check_report(report, req.exclude_modules, req.roots)
    if needs is not None:
        reach.check_report(report, needs)
    say(req.progress, f"compiled in {seconds:.1f}s: {binary}")
    return CompileResult(
        dist_dir=req.dist_dir,
        binary=binary,
        log=req.log_path,
        report=report,
        report_path=req.report_path,
        seconds=seconds,
        excluded_modules=excluded,
        warnings=warnings,
        command=cmd,
        roots=req.roots,
    )
