"""What Nuitka's start-up walk of its constants blob costs in resident memory.

    python scripts/bench/blob_walk.py [--python 3.13]   # after run.py, which builds it

Nuitka embeds one blob in the bootstrap's ``.rodata``: a ``.bytecode`` section holding the
marshalled code of every stdlib module shipped as bytecode, then the constants of each
compiled module. At start its loader walks the ``.bytecode`` section entry by entry (a tag
and a length before each module's bytes), so it touches one page per module, and the
kernel's fault-around maps the neighbouring pages with it. A lazy loader (an index, each
module's bytes read on its first import) would touch only the modules imported.

Three figures for the blob's pages, in KiB resident:

* **measured**: the compiled bench function at its first GET ``/next`` (init done), read
  from ``/proc/<pid>/pagemap`` over the blob's address range;
* **walk, replayed**: a fresh process maps the same file at the same alignment and reads
  exactly the bytes the walk reads (section headers, every entry's tag and length, the
  constants sections), then the bytecode of the modules the bootstrap imported;
* **lazy, replayed**: the same without the walk: only the headers, the constants sections
  and the imported modules' bytecode.

The replayed walk checks the model against the measurement; lazy minus walk is what leaving
the blob unwalked would save. The modules imported come from the same start, run with
``PYTHONPROFILEIMPORTTIME=1``. Writes ``bench-results/blob_walk.md``.
"""

from __future__ import annotations

import argparse
import ctypes
import mmap
import os
import re
import struct
import sys
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from scripts.bench import payloads  # noqa: E402
from scripts.bench.runtimes import Artifact, native_runtime  # noqa: E402
from scripts.bench.session import Session  # noqa: E402

PAGE = os.sysconf("SC_PAGE_SIZE")
#: Nuitka's loader table: ``"name", ... , <bytecode index>, <size>, NUITKA_BYTECODE_FLAG``
_LOADER_ENTRY = re.compile(r'^\s*"([^"]+)",.*?, (\d+), (\d+), NUITKA_BYTECODE_FLAG')
_IMPORT_LINE = re.compile(r"import time:\s+\d+ \|\s+\d+ \|\s*(\S+)")


@dataclass
class Blob:
    """Where the blob's parts are, as offsets into the bootstrap file."""

    start: int
    size: int
    #: (offset, length) of each ``.bytecode`` entry's tag + length, by index
    headers: list[tuple[int, int]]
    #: (offset, length) of each entry's marshalled bytes, by index
    bytecode: list[tuple[int, int]]
    #: (offset, length) of the section names, sizes and the constants sections
    sections: list[tuple[int, int]]


def _varint(data: bytes, pos: int) -> tuple[int, int]:
    """Nuitka's variable-length size (7 bits a byte, high bit: more follows)."""
    value, shift = 0, 0
    while True:
        byte = data[pos]
        pos += 1
        value |= (byte & 0x7F) << shift
        if byte < 0x80:
            return value, pos
        shift += 7


def parse_blob(binary: bytes, blob: bytes) -> Blob:
    """Find ``blob`` (the build's ``blobs/__constant.bin``) in ``binary`` and index it."""
    start = binary.find(blob[:4096])
    if start < 0 or binary[start : start + len(blob)] != blob:
        raise SystemExit("blob_walk: the build folder's blob is not in this bootstrap")
    headers: list[tuple[int, int]] = []
    bytecode: list[tuple[int, int]] = []
    sections: list[tuple[int, int]] = []
    pos = 0
    while pos < len(blob):
        name_end = blob.index(b"\0", pos)
        (size,) = struct.unpack_from("<I", blob, name_end + 1)
        data = name_end + 5
        if blob[pos:name_end] == b".bytecode":
            sections.append((start + pos, data + 2 - pos))
            count = struct.unpack_from("<H", blob, data)[0]
            at = data + 2
            for _ in range(count):
                size_at = at + 1  # one tag byte, then the length
                length, body = _varint(blob, size_at)
                headers.append((start + at, body - at))
                bytecode.append((start + body, length))
                at = body + length
        else:
            sections.append((start + pos, data + size - pos))
        pos = data + size
        if pos + 1 >= len(blob) or blob[pos] == 0:
            break
    return Blob(start, len(blob), headers, bytecode, sections)


def loader_indexes(loader_c: Path) -> dict[str, int]:
    """Module name -> bytecode index, from the build's ``__loader.c``."""
    out = {}
    for line in loader_c.read_text().splitlines():
        m = _LOADER_ENTRY.match(line)
        if m:
            out[m.group(1)] = int(m.group(2))
    return out


def _segment_of(pid: int | str, path: Path, offset: int) -> tuple[int, int, int]:
    """(start, end, file offset) of ``pid``'s mapping of ``path`` holding ``offset``."""
    with open(f"/proc/{pid}/maps") as f:
        for line in f:
            parts = line.split()
            if len(parts) < 6 or Path(parts[5]).resolve() != path.resolve():
                continue
            lo, hi = (int(x, 16) for x in parts[0].split("-"))
            file_off = int(parts[2], 16)
            if file_off <= offset < file_off + (hi - lo):
                return lo, hi, file_off
    raise SystemExit(f"blob_walk: no mapping of {path} at offset {offset:#x} in {pid}")


def resident_pages(pid: int | str, path: Path, blob: Blob) -> int:
    """Pages of the blob's file range present in ``pid``'s page table (pagemap bit 63)."""
    lo, _, file_off = _segment_of(pid, path, blob.start)
    first = (lo + blob.start - file_off) // PAGE
    last = (lo + blob.start + blob.size - file_off - 1) // PAGE
    with open(f"/proc/{pid}/pagemap", "rb") as f:
        f.seek(first * 8)
        raw = f.read((last - first + 1) * 8)
    entries = struct.unpack(f"<{len(raw) // 8}Q", raw)
    return sum(1 for e in entries if e >> 63)


def replay(path: Path, blob: Blob, ranges: list[tuple[int, int]]) -> int:
    """Map ``path`` (same page alignment and the same 64 KiB fault-around alignment as the
    non-PIE bootstrap, whose addresses equal its file offsets), read one byte per page of
    each range, return the blob's resident pages."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.mmap.restype = ctypes.c_void_p
    libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int]
    libc.mmap.argtypes += [ctypes.c_int, ctypes.c_long]
    size = path.stat().st_size
    fd = os.open(path, os.O_RDONLY)
    try:
        hint = 0x7E0000000000  # 64 KiB aligned: address ≡ file offset, as in the binary
        addr = libc.mmap(hint, size, mmap.PROT_READ, mmap.MAP_PRIVATE, fd, 0)
        if addr in (None, ctypes.c_void_p(-1).value) or addr % 65536:
            raise SystemExit(f"blob_walk: mmap gave {addr}, not a 64 KiB aligned address")
        view = (ctypes.c_ubyte * size).from_address(addr)
        total = 0
        for offset, length in ranges:
            for at in range(offset, offset + max(length, 1), PAGE):
                total += view[at]
            total += view[offset + max(length, 1) - 1]
        pages = resident_pages("self", path, blob)
        libc.munmap(ctypes.c_void_p(addr), ctypes.c_size_t(size))
        return pages
    finally:
        os.close(fd)


def pages_read(ranges: list[tuple[int, int]]) -> int:
    """Pages the ranges cover: what is resident with no fault-around (``MADV_RANDOM``)."""
    pages: set[int] = set()
    for offset, length in ranges:
        pages.update(range(offset // PAGE, (offset + max(length, 1) - 1) // PAGE + 1))
    return len(pages)


def imported_at_init(bootstrap_dir: Path, blob: Blob, python: str) -> tuple[int, set[str]]:
    """Start the bootstrap with the import profiler; at its first GET /next read the blob's
    resident pages; return them and the modules it imported."""
    art = Artifact(bootstrap_dir / "task", bootstrap_dir / "opt", None, None)
    rt = native_runtime("blobwalk", art, python=python, tuning=True, target="host")
    rt.env["PYTHONPROFILEIMPORTTIME"] = "1"
    logs = REPO / "bench-results" / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    measured: list[int] = []
    log = logs / f"{rt.name}.log"
    if log.exists():
        log.unlink()
    with Session(rt, logs) as s:
        sample = s.server.on_first_next

        def at_init() -> None:
            assert s.proc is not None
            measured.append(resident_pages(s.proc.pid, art.bootstrap, blob))
            if sample is not None:
                sample()

        s.server.on_first_next = at_init
        s.start(payloads.make(payloads.SIZES["1KB"]))
        time.sleep(0.1)
    names = {m.group(1) for m in map(_IMPORT_LINE.match, log.read_text().splitlines()) if m}
    return measured[0], names


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--python", default="3.13")
    p.add_argument("--out", type=Path, default=REPO / "bench-results")
    p.add_argument("--rounds", type=int, default=5, help="starts measured (medians)")
    args = p.parse_args(argv)
    work = (args.out / "work" / f"py{args.python}").resolve()
    unpacked = work / "unpacked-native"
    build = work / "build-native" / "nuitka" / "bootstrap.build"
    if not (unpacked / "task" / "bootstrap").is_file() or not build.is_dir():
        raise SystemExit(f"blob_walk: no build under {work}: run scripts/bench/run.py first")
    bootstrap = unpacked / "task" / "bootstrap"
    blob = parse_blob(bootstrap.read_bytes(), (build / "blobs" / "__constant.bin").read_bytes())
    indexes = loader_indexes(build / "__loader.c")
    runs = [imported_at_init(unpacked, blob, args.python) for _ in range(args.rounds)]
    measured = sorted(r[0] for r in runs)[len(runs) // 2]
    names = set().union(*(r[1] for r in runs))
    used = sorted(indexes[n] for n in names if n in indexes)
    needed = [blob.bytecode[i] for i in used]
    lazy_ranges = [*blob.sections, *needed]
    walk = replay(bootstrap, blob, [*lazy_ranges, *blob.headers])
    lazy = replay(bootstrap, blob, lazy_ranges)
    kib = PAGE // 1024
    used_bytes = sum(n for _, n in needed)
    all_bytes = sum(n for _, n in blob.bytecode)
    lines = [
        f"Python {args.python}, compiled bench function (tuning on, host), at its first GET "
        f"/next; median of {args.rounds} starts. Blob: {blob.size / 1024:.0f} KiB, "
        f"{len(blob.bytecode)} modules as bytecode ({all_bytes / 1024:.0f} KiB), "
        f"{len(used)} of them imported ({used_bytes / 1024:.0f} KiB).",
        "",
        "| blob pages resident | KiB |",
        "|---|---|",
        f"| measured (pagemap of the running bootstrap) | {measured * kib} |",
        f"| walk, replayed (headers of every entry + imported modules) | {walk * kib} |",
        f"| lazy, replayed (imported modules only) | {lazy * kib} |",
        f"| **saving of a lazy loader** (walk minus lazy, replayed) | **{(walk - lazy) * kib}** |",
        f"| lazy, pages its bytes cover (no fault-around) | {pages_read(lazy_ranges) * kib} |",
    ]
    out = "\n".join(lines) + "\n"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "blob_walk.md").write_text(out)
    print(out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
