"""Reproducible zips for Lambda: same inputs, byte-identical ``function.zip`` and ``layer.zip``.

Everything that usually leaks build-time state into a zip is fixed: entry order (sorted by
name), timestamps (1980-01-01 00:00, the zip epoch), permissions (0755 for ``bootstrap`` and
ELF files, 0644 for the rest, as Unix external attributes so Lambda keeps them executable),
owner/system fields, and the compression level. No directory entries are written.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, List, Optional, Sequence, Tuple, Union

from ..dist import BOOTSTRAP
from ..errors import BuildError
from .elf import ELF_MAGIC

FIXED_DATE = (1980, 1, 1, 0, 0, 0)
COMPRESS_LEVEL = 6  # zlib default: level 9 is ~3x slower for <1% smaller zips
MiB = 1024 * 1024
#: Lambda's limits: zipped size for a direct upload, unzipped size of function plus layers.
DIRECT_UPLOAD_LIMIT = 50 * MiB
UNZIPPED_LIMIT = 250 * MiB
WARN_FRACTION = 0.8

Source = Union[Path, str, bytes]


def _is_executable(name: str, data: bytes) -> bool:
    return name.rsplit("/", 1)[-1] == BOOTSTRAP or data[:4] == ELF_MAGIC


def write_zip(path: Path | str, entries: Iterable[Tuple[str, Source]]) -> Path:
    """Write ``entries`` (zip name -> file path or bytes) to ``path`` reproducibly.

    Returns ``path``. Written to a unique temporary name and renamed, so a failed build
    never leaves a truncated zip behind and concurrent builds never collide. Duplicate names
    are a BuildError.
    """
    path = Path(path)
    items = sorted(entries, key=lambda e: e[0])
    names = [n for n, _ in items]
    dupes = sorted({n for n in names if names.count(n) > 1})
    if dupes:
        raise BuildError(f"{path}: these entries would be written twice: {', '.join(dupes)}")
    for name in names:
        if name.startswith("/") or ".." in name.split("/"):
            raise BuildError(f"{path}: entry name {name!r} must be relative")
    path.parent.mkdir(parents=True, exist_ok=True)
    # A unique name in the same folder: concurrent builds into one folder never share a
    # temporary file, and the rename is atomic (readers see the old zip or the new one).
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=str(path.parent))
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:
            for name, source in items:
                data = source if isinstance(source, bytes) else Path(source).read_bytes()
                info = zipfile.ZipInfo(name, date_time=FIXED_DATE)
                info.create_system = 3  # Unix: external_attr carries st_mode
                mode = 0o755 if _is_executable(name, data) else 0o644
                info.external_attr = (0o100000 | mode) << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                zf.writestr(info, data, compresslevel=COMPRESS_LEVEL)
        os.chmod(tmp, 0o644)  # mkstemp's 0600 would make the artifact private
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink()
        raise
    return path


def tree_entries(
    root: Path, prefix: str = "", files: Optional[Sequence[Path]] = None
) -> List[Tuple[str, Path]]:
    """``(prefix + relative name, path)`` for every file under ``root`` (or the given files)."""
    root = Path(root)
    chosen = files if files is not None else [p.relative_to(root) for p in root.rglob("*")]
    out: List[Tuple[str, Path]] = []
    for rel in chosen:
        p = root / rel
        if p.is_file():
            out.append((prefix + Path(rel).as_posix(), p))
    return sorted(out)


@dataclass
class ArtifactSize:
    path: Path
    zipped: int
    unzipped: int
    entries: List[Tuple[str, int]]  # (name, unzipped size)


@dataclass
class Summary:
    artifacts: List[ArtifactSize]
    bundled_libraries: List[Tuple[str, int]]
    largest: List[Tuple[str, int]]  # "artifact:entry", unzipped size
    warnings: List[str] = field(default_factory=list)

    @property
    def unzipped_total(self) -> int:
        return sum(a.unzipped for a in self.artifacts)

    def render(self) -> str:
        lines = []
        for a in self.artifacts:
            lines.append(
                f"{a.path.name}: {_mb(a.zipped)} zipped, {_mb(a.unzipped)} unzipped "
                f"({len(a.entries)} files)"
            )
        lines.append(f"total unzipped (function + layer): {_mb(self.unzipped_total)}")
        if self.bundled_libraries:
            lines.append("bundled libraries (layer lib/):")
            lines += [f"  {name:<32} {_mb(size):>10}" for name, size in self.bundled_libraries]
        if self.largest:
            lines.append("largest contributors:")
            lines += [f"  {name:<48} {_mb(size):>10}" for name, size in self.largest]
        lines += [f"WARNING: {w}" for w in self.warnings]
        return "\n".join(lines)


def _mb(n: int) -> str:
    return f"{n / MiB:.1f} MiB" if n >= 100 * 1024 else f"{n / 1024:.1f} KiB"


def measure(path: Path | str) -> ArtifactSize:
    path = Path(path)
    with zipfile.ZipFile(path) as zf:
        entries = [(i.filename, i.file_size) for i in zf.infolist() if not i.is_dir()]
    return ArtifactSize(path, path.stat().st_size, sum(s for _, s in entries), entries)


def summary(
    function_zip: Path | str,
    layer_zip: Optional[Path | str] = None,
    *,
    top: int = 8,
    direct_upload_limit: int = DIRECT_UPLOAD_LIMIT,
    unzipped_limit: int = UNZIPPED_LIMIT,
) -> Summary:
    """Sizes, bundled libraries and largest files, with warnings near Lambda's limits."""
    artifacts = [measure(function_zip)]
    if layer_zip is not None:
        artifacts.append(measure(layer_zip))
    libs: List[Tuple[str, int]] = []
    if layer_zip is not None:
        libs = sorted(
            (n[len("lib/") :], s) for n, s in artifacts[1].entries if n.startswith("lib/")
        )
    everything = [(f"{a.path.name}:{n}", s) for a in artifacts for n, s in a.entries]
    largest = sorted(everything, key=lambda e: (-e[1], e[0]))[:top]
    result = Summary(artifacts, libs, largest)
    for a in artifacts:
        if a.zipped > direct_upload_limit:
            result.warnings.append(
                f"{a.path.name} is {_mb(a.zipped)} zipped, over Lambda's "
                f"{_mb(direct_upload_limit)} direct-upload limit: upload it through S3"
            )
        elif a.zipped > WARN_FRACTION * direct_upload_limit:
            result.warnings.append(
                f"{a.path.name} is {_mb(a.zipped)} zipped, close to Lambda's "
                f"{_mb(direct_upload_limit)} direct-upload limit"
            )
    total = result.unzipped_total
    if total > unzipped_limit:
        result.warnings.append(
            f"function + layer unzip to {_mb(total)}, over Lambda's {_mb(unzipped_limit)} limit: "
            "the function cannot be created"
        )
    elif total > WARN_FRACTION * unzipped_limit:
        result.warnings.append(
            f"function + layer unzip to {_mb(total)}, close to Lambda's {_mb(unzipped_limit)} limit"
        )
    return result
