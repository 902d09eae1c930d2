"""The blob walk measurement (scripts/bench/blob_walk.py): its reading of Nuitka's blob layout
and its replay of page reads in a real mapping of a real file."""

from __future__ import annotations

import struct
from pathlib import Path

from scripts.bench import blob_walk


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def make_blob(modules: list[bytes], constants: bytes) -> bytes:
    """``.bytecode`` (count, then tag + length + bytes per module), then one module's
    constants section, then the end."""
    body = struct.pack("<H", len(modules))
    body += b"".join(b"X" + _varint(len(m)) + m for m in modules)
    blob = b".bytecode\0" + struct.pack("<I", len(body)) + body
    return blob + b"mod\0" + struct.pack("<I", len(constants)) + constants + b"\0"


def test_blob_entries_are_found_at_their_offsets_in_the_binary() -> None:
    modules = [b"a" * 10, b"b" * 200, b"c" * 70000]
    blob = make_blob(modules, b"k" * 30)
    binary = b"\x7fELF" + b"\0" * 8188 + blob + b"tail"
    parsed = blob_walk.parse_blob(binary, blob)
    assert parsed.start == 8192 and parsed.size == len(blob)
    assert [binary[o : o + n] for o, n in parsed.bytecode] == modules
    assert [binary[o] for o, _ in parsed.headers] == [ord("X")] * 3
    assert parsed.headers[2][1] == 1 + len(_varint(70000)) == 4
    assert binary[parsed.sections[1][0] :].startswith(b"mod\0")
    assert sum(n for _, n in parsed.sections) + 1 + sum(
        h + b for (_, h), (_, b) in zip(parsed.headers, parsed.bytecode)
    ) == len(blob)


def test_replayed_reads_make_exactly_the_pages_read_resident(tmp_path: Path) -> None:
    """Without the walk only the read module's pages (and fault-around) become resident."""
    page = blob_walk.PAGE
    modules = [bytes([i]) * (40 * page) for i in range(4)]
    blob = make_blob(modules, b"k")
    binary = b"\0" * (16 * page) + blob
    path = tmp_path / "bootstrap"
    path.write_bytes(binary)
    parsed = blob_walk.parse_blob(binary, blob)
    lazy = blob_walk.replay(path, parsed, [parsed.bytecode[1]])
    walk = blob_walk.replay(path, parsed, [parsed.bytecode[1], *parsed.headers])
    assert blob_walk.pages_read([parsed.bytecode[1]]) in (40, 41)
    assert 40 <= lazy < walk <= parsed.size // page + 1
