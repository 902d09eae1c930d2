"""Which packages the zips are made of, and Lambda's size limits.

Each zip entry is charged to a package: its top-level folder in ``function.zip`` (extension
modules, data files, bytecode packages), and for ``layer.zip`` the wheel the library came
from (``numpy.libs/`` -> numpy) or ``system`` for the build image's libraries. The bootstrap
itself is split by the size of each package's compiled objects in Nuitka's build folder
(``module.<name>.o``), an estimate; the rest of it is the interpreter, the
constants blob of every module and the bundled standard library.

Lambda refuses a function whose unzipped code and layers exceed 250 MB, and a direct upload
over 50 MB zipped: the build fails past either limit with this table in the message.
Python 3.9-clean.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence, Tuple

from ..dist import BOOTSTRAP
from ..errors import BuildError
from .package import MiB, Summary

INTERPRETER = "(interpreter+constants)"
SYSTEM = "(system libraries)"
STDLIB_EXTENSIONS = "(stdlib extensions)"


@dataclass
class Share:
    package: str
    function_bytes: int = 0
    layer_bytes: int = 0

    @property
    def total(self) -> int:
        return self.function_bytes + self.layer_bytes


def compiled_sizes(build_dir: Optional[Path]) -> Dict[str, int]:
    """Top-level package -> bytes of its compiled modules' objects (``module.<name>.o``)."""
    out: Dict[str, int] = {}
    if build_dir is None or not Path(build_dir).is_dir():
        return out
    for obj in Path(build_dir).glob("module.*.o"):
        name = obj.name[len("module.") : -len(".o")]
        top = name.split(".")[0]
        if top in ("__main__", "bootstrap"):
            continue
        out[top] = out.get(top, 0) + obj.stat().st_size
    return out


def package_shares(
    summary: Summary,
    owner: Mapping[str, str],
    layer_origin: Mapping[str, str],
    compiled: Mapping[str, int],
) -> List[Share]:
    """Bytes (unzipped) per package in each zip, largest first.

    ``owner``: top-level name -> wheel ("numpy 2.0.2"); ``layer_origin``: layer library
    name -> the dist-relative path it was found at (empty when from the system).
    """
    rows: Dict[str, Share] = {}

    def add(name: str, where: str, size: int) -> None:
        row = rows.setdefault(name, Share(name))
        if where == "function":
            row.function_bytes += size
        else:
            row.layer_bytes += size

    def label(top: str) -> str:
        top = top.split(".cpython")[0]
        wheel = owner.get(top) or owner.get(top.split(".")[0])
        return wheel.split(" ")[0] if wheel else top

    artifacts = summary.artifacts
    for name, size in artifacts[0].entries:
        if name == BOOTSTRAP:
            charged = _split_bootstrap(size, compiled)
            for pkg, part in charged.items():
                add(label(pkg) if pkg != INTERPRETER else pkg, "function", part)
            continue
        top = name.split("/")[0]
        if top.endswith(".dist-info"):
            top = top.split("-")[0]
        if "/" not in name and ".so" in name and not _owned(top, owner):
            add(STDLIB_EXTENSIONS, "function", size)  # lib-dynload modules beside bootstrap
            continue
        add(label(top), "function", size)
    if len(artifacts) > 1:
        for name, size in artifacts[1].entries:
            origin = layer_origin.get(name.split("/")[-1], "")
            top = origin.split("/")[0]
            add(label(top) if origin and _owned(top, owner) else SYSTEM, "layer", size)
    return sorted(rows.values(), key=lambda r: (-r.total, r.package))


def _owned(top: str, owner: Mapping[str, str]) -> bool:
    return bool(owner.get(top.split(".cpython")[0]) or owner.get(top))


def _split_bootstrap(size: int, compiled: Mapping[str, int]) -> Dict[str, int]:
    total = sum(compiled.values())
    scale = min(1.0, 0.9 * size / total) if total else 0.0  # the interpreter is never 0
    out = {pkg: int(n * scale) for pkg, n in compiled.items() if int(n * scale)}
    out[INTERPRETER] = size - sum(out.values())
    return out


def render_table(shares: Sequence[Share], summary: Summary, top: int = 12) -> str:
    """``package  function.zip  layer.zip`` with MiB and % of each zip (unzipped)."""
    fn_total = summary.artifacts[0].unzipped or 1
    layer_total = summary.artifacts[1].unzipped if len(summary.artifacts) > 1 else 0
    lines = [f"  {'package':<28} {'function.zip':>20} {'layer.zip':>20}"]
    for row in shares[:top]:
        fn = f"{row.function_bytes / MiB:.1f} MiB {100 * row.function_bytes / fn_total:3.0f}%"
        layer = "-"
        if row.layer_bytes:
            pct = 100 * row.layer_bytes / (layer_total or 1)
            layer = f"{row.layer_bytes / MiB:.1f} MiB {pct:3.0f}%"
        lines.append(f"  {row.package:<28} {fn:>20} {layer:>20}")
    if len(shares) > top:
        rest = shares[top:]
        lines.append(
            f"  {f'... {len(rest)} more':<28} "
            f"{sum(r.function_bytes for r in rest) / MiB:>16.1f} MiB "
            f"{sum(r.layer_bytes for r in rest) / MiB:>16.1f} MiB"
        )
    return "\n".join(lines)


def check_limits(
    summary: Summary, table: str, *, max_unzipped_mb: float, max_zipped_mb: float
) -> None:
    """BuildError with the package table when the zips break Lambda's limits."""
    problems: List[str] = []
    total = summary.unzipped_total
    if total > max_unzipped_mb * MiB:
        problems.append(
            f"function + layer unzip to {total / MiB:.1f} MiB, over the "
            f"{max_unzipped_mb:g} MiB limit"
        )
    for a in summary.artifacts:
        if a.zipped > max_zipped_mb * MiB:
            problems.append(
                f"{a.path.name} is {a.zipped / MiB:.1f} MiB zipped, over the "
                f"{max_zipped_mb:g} MiB direct-upload limit"
            )
    if problems:
        raise BuildError(
            "the bundle is too big for Lambda: "
            + "; ".join(problems)
            + "\nlargest packages (unzipped):\n"
            + table,
            hint="drop or replace the largest packages, ship rarely used ones as "
            "bytecode-packages, or raise max-unzipped-mb / max-zipped-mb under "
            "[tool.native-lambda] if the function is uploaded through S3",
        )


def layer_origins(sources: Mapping[str, Path], dist_dir: Path) -> Dict[str, str]:
    """Layer library name -> its path relative to the dist folder ('' when from the system)."""
    out: Dict[str, str] = {}
    for name, source in sources.items():
        try:
            out[name] = Path(source).relative_to(dist_dir).as_posix()
        except ValueError:
            out[name] = ""
    return out


def describe_owner(rel: str, owner: Mapping[str, str]) -> Tuple[str, Optional[str]]:
    """(dist-relative path, "wheel version" or None) for ABI messages."""
    parts = rel.split("/")
    return rel, owner.get(parts[0].split(".cpython")[0]) or owner.get(parts[-1])
