"""One build: compile -> move libraries into the layer -> ABI check -> reproducible zips.

``function.zip`` holds ``bootstrap`` and the extension modules beside it (for ``/var/task``);
``layer.zip`` holds ``lib/`` with every library the target's policy does not guarantee (for
``/opt/lib``). ``build.json`` records what was built so ``native-lambda run`` and deploy can
set ``_HANDLER`` without guessing. Runs inside the build container too: Python 3.9-compatible.
"""

from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from . import abi, package, patcher
from .compile import (
    CompileRequest,
    CompileResult,
    compile_handler,
    echo,
    unreachable_extensions,
)
from .config import BuildConfig
from .elf import is_elf, read_elf
from .errors import BuildError
from .policy import Policy, load_policy

FUNCTION_ZIP = "function.zip"
LAYER_ZIP = "layer.zip"
BUILD_INFO = "build.json"
BUILD_LOG = "build.log"


@dataclass
class BuildRequest:
    config: BuildConfig
    target: str = "host"
    out_dir: Path = Path("dist")
    work_dir: Optional[Path] = None  # default: <project>/.build/<target>
    lto: str = "no"
    jobs: Optional[int] = None
    #: extra Nuitka options, appended as given (experiments, benchmarks)
    nuitka_args: Tuple[str, ...] = ()
    #: start-up tuning (``compile.CompileRequest.startup_tuning``); False to compare
    startup_tuning: bool = True
    progress: Optional[Callable[[str], None]] = echo

    def resolved_work_dir(self) -> Path:
        if self.work_dir is not None:
            return Path(self.work_dir).absolute()
        return self.config.project_dir / ".build" / self.target


@dataclass
class BuildResult:
    function_zip: Path
    layer_zip: Path
    log: Path
    info: Path
    compiled: CompileResult
    vendored: patcher.VendorReport
    abi_report: abi.AbiReport
    summary: package.Summary
    timings: Dict[str, float] = field(default_factory=dict)

    @property
    def dist_dir(self) -> Path:
        return self.function_zip.parent


def _say(req: BuildRequest, message: str) -> None:
    if req.progress is not None:
        req.progress(message)


def build(req: BuildRequest) -> BuildResult:
    """Run the whole pipeline; any problem the user must fix is a BuildError."""
    policy = load_policy(req.target)  # an unknown target fails before minutes of compiling
    work = req.resolved_work_dir()
    out = Path(req.out_dir).absolute()
    timings: Dict[str, float] = {}
    _say(req, f"building {req.config.handler} for target {req.target} ({policy.description})")

    t0 = time.monotonic()
    compiled = compile_handler(
        CompileRequest(
            handler=req.config.handler,
            project_dir=req.config.project_dir,
            work_dir=work / "nuitka",
            include_modules=req.config.include_modules,
            include_package_data=req.config.include_package_data,
            exclude_modules=req.config.exclude_modules,
            lto=req.lto,
            jobs=req.jobs,
            extra_args=tuple(req.nuitka_args),
            startup_tuning=req.startup_tuning,
            progress=req.progress,
        )
    )
    timings["compile"] = time.monotonic() - t0
    pruned = prune_unreachable(compiled)

    t0 = time.monotonic()
    stage = work / "stage"
    if stage.exists():
        shutil.rmtree(stage)
    function_dir, layer_lib = stage / "function", stage / "layer" / "lib"
    vendored = patcher.vendor(
        compiled.dist_dir, policy, layer_lib, rpath=patcher.LAYER_LIB, function_dir=function_dir
    )
    _say(
        req,
        f"layer: {len(vendored.layer_libs)} libraries -> {patcher.LAYER_LIB} "
        f"({', '.join(sorted(vendored.layer_libs)) or 'none'}); "
        f"left to {policy.name}: {', '.join(vendored.system_libs)}",
    )
    timings["vendor"] = time.monotonic() - t0

    t0 = time.monotonic()
    abi_report = check_abi(vendored, policy)
    glibc = abi_report.highest_version("GLIBC")
    _say(req, f"ABI ok for {policy.name}: highest glibc symbol version needed {glibc}")
    timings["abi"] = time.monotonic() - t0

    t0 = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    function_zip = package.write_zip(
        out / FUNCTION_ZIP,
        package.tree_entries(function_dir, files=vendored.function_files),
    )
    layer_zip = package.write_zip(out / LAYER_ZIP, patcher.layer_entries(layer_lib))
    log = out / BUILD_LOG
    shutil.copyfile(compiled.log, log)
    info = out / BUILD_INFO
    info.write_text(
        json.dumps(
            {
                "handler": req.config.handler,
                "target": policy.name,
                "glibc_needed": glibc,
                "layer_libraries": sorted(vendored.layer_libs),
                "system_libraries": vendored.system_libs,
                "not_followed": compiled.excluded_modules,
                "removed_unimported": pruned,
                "startup_tuning": req.startup_tuning,
            },
            indent=2,
            sort_keys=True,
        )
        + "\n"
    )
    summary = package.summary(function_zip, layer_zip)
    timings["package"] = time.monotonic() - t0
    return BuildResult(
        function_zip=function_zip,
        layer_zip=layer_zip,
        log=log,
        info=info,
        compiled=compiled,
        vendored=vendored,
        abi_report=abi_report,
        summary=summary,
        timings=timings,
    )


def prune_unreachable(compiled: CompileResult) -> List[str]:
    """Delete the extension modules nothing imports from the dist folder, then the libraries
    only they needed. Nuitka ships a net of stdlib modules (as bytecode) "just in case"; the
    extension modules those import (``_csv`` via ``importlib.metadata``) come along although
    the program's import graph never reaches them (see ``compile.unreachable_extensions``)."""
    dist = compiled.dist_dir
    removed: List[str] = []
    for name in unreachable_extensions(compiled.report):
        path = dist / (name.replace(".", "/") + ".so")
        if path.is_file():
            path.unlink()
            removed.append(str(path.relative_to(dist)))
    while removed:  # libraries whose last user went (libbz2 after _bz2 ...), to a fixpoint
        elves = [p for p in sorted(dist.rglob("*")) if p.is_file() and is_elf(p)]
        infos = {p: read_elf(p) for p in elves}
        needed = {n for info in infos.values() for n in info.needed}
        orphans = [
            p
            for p, info in infos.items()
            if info.soname and ".so." in p.name and not {p.name, info.soname} & needed
        ]
        if not orphans:
            break
        for p in orphans:
            p.unlink()
            removed.append(str(p.relative_to(dist)))
    return removed


def check_abi(vendored: patcher.VendorReport, policy: Policy) -> abi.AbiReport:
    """Every ELF we ship against what the target's glibc provides (raises BuildError)."""
    files: List[Path] = [*vendored.function_elves, *(e.dest for e in vendored.layer_libs.values())]
    bundled = {name: e.dest for name, e in vendored.layer_libs.items()}
    return abi.check(files, policy, bundled=bundled)


def render(result: BuildResult) -> str:
    """The summary printed at the end of a build."""
    lines = [result.summary.render()]
    t = result.timings
    lines.append(
        "time: "
        + ", ".join(f"{k} {v:.1f}s" for k, v in t.items())
        + f" (total {sum(t.values()):.1f}s)"
    )
    lines += [f"note: {w}" for w in result.compiled.warnings]
    lines.append(f"compiler log: {result.log}")
    lines.append(f"artifacts: {result.function_zip}  {result.layer_zip}")
    return "\n".join(lines)


def read_info(dist_dir: Path) -> Dict[str, object]:
    """``build.json`` of a dist folder ({} when absent: zips from elsewhere)."""
    path = Path(dist_dir) / BUILD_INFO
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text())
    except ValueError as exc:
        raise BuildError(f"{path}: not valid JSON ({exc})", hint="rebuild") from exc
    return data if isinstance(data, dict) else {}
