"""One build: check the handler -> compile -> move libraries into the layer -> ABI check ->
reproducible zips -> the build record.

``function.zip`` holds ``bootstrap`` and the extension modules beside it (for ``/var/task``);
``layer.zip`` holds ``lib/`` with every library the target's policy does not guarantee (for
``/opt/lib``). ``build.json`` (``dist.BuildRecord``) records what was built so ``run`` and
``deploy`` set ``_HANDLER`` and the architecture without guessing. Runs inside the build
container too: Python 3.9-compatible.
"""

from __future__ import annotations

import shutil
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from .. import dist
from . import abi, package, sizes, thirdparty, vendor
from .compile import CompileRequest, CompileResult, compile_handler, source_path
from .config import BuildConfig
from .elf import is_elf, read_elf
from .handler_check import check_handler
from .policy import Policy, load_policy
from .profiles import DEFAULT_PROFILE, profile
from .progress import Progress, echo, say
from .report import unreachable_extensions


def _installed_version(name: str) -> str:
    """The installed distribution's version; "" where it is only on the path (the container)."""
    try:
        from importlib.metadata import PackageNotFoundError, version
    except ImportError:  # pragma: no cover - Python < 3.8
        return ""
    try:
        return version(name)
    except PackageNotFoundError:
        return ""


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
    #: ``profiles.PROFILES`` name: release (default, what ships) or dev (fast C compile)
    profile: str = DEFAULT_PROFILE
    progress: Progress = echo
    #: installed third-party trees from the dependency stage (read-only; on Nuitka's path)
    deps_dirs: Tuple[Path, ...] = ()
    #: recorded in build.json; the host passes its own into the container
    toolchain_version: str = field(default_factory=lambda: _installed_version("native-lambda"))

    def resolved_work_dir(self) -> Path:
        if self.work_dir is not None:
            return Path(self.work_dir).absolute()
        folder = self.target if self.profile == DEFAULT_PROFILE else f"{self.target}-{self.profile}"
        return self.config.project_dir / ".build" / folder


@dataclass
class BuildResult:
    function_zip: Path
    layer_zip: Path
    log: Path
    info: Path
    record: dist.BuildRecord
    compiled: CompileResult
    vendored: vendor.VendorReport
    abi_report: abi.AbiReport
    summary: package.Summary
    timings: Dict[str, float] = field(default_factory=dict)
    #: the size table: packages by their share of function.zip and layer.zip
    packages_table: str = ""
    #: third-party packages compiled in, data files copied, packages shipped as bytecode
    third_party: List[str] = field(default_factory=list)
    data_files: List[str] = field(default_factory=list)
    bytecode: List[str] = field(default_factory=list)

    @property
    def dist_dir(self) -> Path:
        return self.function_zip.parent


def check_handlers(config: BuildConfig) -> None:
    """Every handler compiled in must import, parse and name a top-level object (BuildError
    in milliseconds, before minutes of compiling)."""
    search = source_path(config.project_dir)
    for handler in config.all_handlers:
        check_handler(handler, config.project_dir, search)


def build(req: BuildRequest) -> BuildResult:
    """Run the whole pipeline; any problem the user must fix is a BuildError."""
    policy = load_policy(req.target)  # an unknown target fails before minutes of compiling
    check_handlers(req.config)
    work = req.resolved_work_dir()
    out = Path(req.out_dir).absolute()
    timings: Dict[str, float] = {}
    cfg = req.config
    say(req.progress, f"building {cfg.handler} for target {req.target} ({policy.description})")

    t0 = time.monotonic()
    compiled = compile_handler(
        CompileRequest(
            handler=cfg.handler,
            handlers=cfg.handlers,
            project_dir=cfg.project_dir,
            work_dir=work / "nuitka",
            include_modules=cfg.include_modules,
            include_package_data=cfg.include_package_data,
            exclude_modules=cfg.exclude_modules,
            bytecode_packages=cfg.bytecode_packages,
            deps_dirs=tuple(Path(d) for d in req.deps_dirs),
            lto=req.lto,
            jobs=req.jobs,
            extra_args=tuple(req.nuitka_args),
            startup_tuning=req.startup_tuning,
            profile=req.profile,
            progress=req.progress,
        )
    )
    timings["compile"] = time.monotonic() - t0
    pruned = prune_unreachable(compiled)
    deps_dirs = [Path(d) for d in req.deps_dirs]
    third_party, data_files, bytecode = add_third_party(compiled, cfg, deps_dirs, req.progress)
    owner = thirdparty.owners(deps_dirs) if deps_dirs else {}

    t0 = time.monotonic()
    stage = work / "stage"
    if stage.exists():
        shutil.rmtree(stage)
    function_dir, layer_lib = stage / "function", stage / "layer" / "lib"
    vendored = vendor.vendor(
        compiled.dist_dir, policy, layer_lib, rpath=dist.LAYER_LIB, function_dir=function_dir
    )
    say(
        req.progress,
        f"layer: {len(vendored.layer_libs)} libraries -> {dist.LAYER_LIB} "
        f"({', '.join(sorted(vendored.layer_libs)) or 'none'}); "
        f"left to {policy.name}: {', '.join(vendored.system_libs)}",
    )
    timings["vendor"] = time.monotonic() - t0

    t0 = time.monotonic()
    abi_report = check_abi(vendored, policy, owner, compiled.dist_dir)
    glibc = abi_report.highest_version("GLIBC")
    say(req.progress, f"ABI ok for {policy.name}: highest glibc symbol version needed {glibc}")
    timings["abi"] = time.monotonic() - t0

    t0 = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    function_zip = package.write_zip(
        out / dist.FUNCTION_ZIP,
        package.tree_entries(function_dir, files=vendored.function_files),
    )
    layer_zip = package.write_zip(out / dist.LAYER_ZIP, vendor.layer_entries(layer_lib))
    log = out / dist.BUILD_LOG
    shutil.copyfile(compiled.log, log)
    arch = read_elf(vendored.main).arch
    record = dist.BuildRecord(
        handler=str(cfg.handler),
        handlers=tuple(str(h) for h in cfg.all_handlers),
        target=policy.name,
        architecture=dist.ARCHITECTURES.get(arch, arch),
        python_version="{}.{}".format(*sys.version_info[:2]),
        nuitka_version=_installed_version("nuitka"),
        toolchain_version=req.toolchain_version,
        glibc_needed=glibc or "",
        layer_libraries=sorted(vendored.layer_libs),
        system_libraries=vendored.system_libs,
        not_followed=compiled.excluded_modules,
        removed_unimported=pruned,
        startup_tuning=req.startup_tuning,
        profile=req.profile,
    )
    summary = package.summary(
        function_zip,
        layer_zip,
        direct_upload_limit=int(cfg.max_zipped_mb * package.MiB),
        unzipped_limit=int(cfg.max_unzipped_mb * package.MiB),
    )
    shares = sizes.package_shares(
        summary,
        owner,
        sizes.layer_origins(
            {n: e.source for n, e in vendored.layer_libs.items()}, compiled.dist_dir.resolve()
        ),
        sizes.compiled_sizes(compiled.dist_dir.with_suffix(".build")),
    )
    table = sizes.render_table(shares, summary)
    timings["package"] = time.monotonic() - t0
    sizes.check_limits(
        summary, table, max_unzipped_mb=cfg.max_unzipped_mb, max_zipped_mb=cfg.max_zipped_mb
    )
    info = dist.write_record(out, record)  # only for a bundle Lambda accepts
    return BuildResult(
        function_zip=function_zip,
        layer_zip=layer_zip,
        log=log,
        info=info,
        record=record,
        compiled=compiled,
        vendored=vendored,
        abi_report=abi_report,
        summary=summary,
        timings=timings,
        packages_table=table,
        third_party=third_party,
        data_files=data_files,
        bytecode=bytecode,
    )


def add_third_party(
    compiled: CompileResult, cfg: BuildConfig, deps_dirs: List[Path], progress: Progress
) -> Tuple[List[str], List[str], List[str]]:
    """Data files and metadata of the installed packages compiled in, and the
    ``bytecode-packages`` beside the binary (see ``thirdparty``)."""
    dist_dir = compiled.dist_dir
    used = {m.split(".")[0] for m in compiled.report.modules}
    installed = thirdparty.installed_top_levels(deps_dirs) if deps_dirs else set()
    packages = sorted(used & installed)
    data = thirdparty.copy_package_data(deps_dirs, dist_dir, packages)
    data += thirdparty.copy_metadata(deps_dirs, dist_dir, packages)
    search = [Path(p) for p in source_path(cfg.project_dir)] + deps_dirs
    bytecode = thirdparty.ship_bytecode(search, dist_dir, cfg.bytecode_packages)
    if packages or bytecode:
        say(
            progress,
            f"third-party: {len(packages)} installed packages compiled in "
            f"({', '.join(packages) or 'none'}); {len(data)} data/metadata files copied; "
            f"as bytecode: {', '.join(bytecode) or 'none'}",
        )
    return packages, data, bytecode


def prune_unreachable(compiled: CompileResult) -> List[str]:
    """Delete the extension modules nothing imports from the dist folder, then the libraries
    only they needed. Nuitka ships a net of stdlib modules (as bytecode) "just in case"; the
    extension modules those import (``_csv`` via ``importlib.metadata``) come along although
    the program's import graph never reaches them (see ``report.unreachable_extensions``)."""
    dist_dir = compiled.dist_dir
    removed: List[str] = []
    for name in unreachable_extensions(compiled.report, compiled.roots):
        path = dist_dir / (name.replace(".", "/") + ".so")
        if path.is_file():
            path.unlink()
            removed.append(str(path.relative_to(dist_dir)))
    while removed:  # libraries whose last user went (libbz2 after _bz2 ...), to a fixpoint
        elves = [p for p in sorted(dist_dir.rglob("*")) if p.is_file() and is_elf(p)]
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
            removed.append(str(p.relative_to(dist_dir)))
    return removed


def check_abi(
    vendored: vendor.VendorReport,
    policy: Policy,
    owner: Optional[Dict[str, str]] = None,
    dist_dir: Optional[Path] = None,
) -> abi.AbiReport:
    """Every ELF we ship against what the target's glibc provides (raises BuildError).

    A violation in a file that came with a wheel names the wheel (``owner``: top-level or
    file name -> "distribution version")."""
    files: List[Path] = [*vendored.function_elves, *(e.dest for e in vendored.layer_libs.values())]
    bundled = {name: e.dest for name, e in vendored.layer_libs.items()}
    report = abi.check(files, policy, bundled=bundled, raise_error=not owner)
    if not report.violations:
        return report
    wheels = _wheel_of_files(vendored, owner or {}, dist_dir)
    named = []
    for line in report.violations:
        path = line.split(" ", 1)[0]
        wheel = wheels.get(path)
        named.append(f"{line} [from wheel {wheel}]" if wheel else line)
    raise abi.abi_error(named, policy)


def _wheel_of_files(
    vendored: vendor.VendorReport, owner: Dict[str, str], dist_dir: Optional[Path]
) -> Dict[str, str]:
    """Shipped file (as the ABI check prints it) -> the wheel it came from."""
    out: Dict[str, str] = {}
    for p in vendored.function_elves:
        _, wheel = sizes.describe_owner(p.relative_to(vendored.function_dir).as_posix(), owner)
        if wheel:
            out[str(p)] = wheel
    base = dist_dir.resolve() if dist_dir else None
    for e in vendored.layer_libs.values():
        rel = e.source.name
        if base is not None:
            try:
                rel = e.source.relative_to(base).as_posix()
            except ValueError:
                continue  # a library of the build image, not of a wheel
        _, wheel = sizes.describe_owner(rel, owner)
        if wheel:
            out[str(e.dest)] = wheel
    return out


def render(result: BuildResult) -> str:
    """The summary printed at the end of a build (the compile notes appear here, once)."""
    lines = [result.summary.render()]
    if result.packages_table:
        lines += [
            "packages by share of function.zip and layer.zip (unzipped):",
            result.packages_table,
        ]
    t = result.timings
    lines.append(
        "time: "
        + ", ".join(f"{k} {v:.1f}s" for k, v in t.items())
        + f" (total {sum(t.values()):.1f}s)"
    )
    lines += [f"note: {w}" for w in result.compiled.warnings]
    if result.record.profile != DEFAULT_PROFILE:
        lines.append(f"profile {result.record.profile}: {profile(result.record.profile).summary}")
    lines.append(f"compiler log: {result.log}")
    lines.append(f"artifacts: {result.function_zip}  {result.layer_zip}")
    return "\n".join(lines)
