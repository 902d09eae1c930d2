"""Unpacking artifacts into the sandbox root: modes, Lambda's unzipped size limit, bad zips.

Real zips made with zipfile; no compile, no root needed.
"""

from __future__ import annotations

import stat
import struct
import zipfile
from pathlib import Path

import pytest

from native_lambda_toolchain.sandbox import UNZIPPED_LIMIT, SandboxError, extract_zip

TEN_MB = 10 * 1024 * 1024


def _entry(name: str, mode: int) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name)
    info.external_attr = (stat.S_IFREG | mode) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    return info


def _disk_use(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def test_setuid_setgid_and_sticky_bits_are_dropped(tmp_path: Path) -> None:
    archive = tmp_path / "function.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr(_entry("bootstrap", 0o4755), b"#!/bin/sh\n")
        zf.writestr(_entry("bin/helper", 0o2750), b"x")
        zf.writestr(_entry("data/shared", 0o1666), b"y")
    dest = tmp_path / "root"
    assert extract_zip(archive, dest) == len(b"#!/bin/sh\n") + 2
    modes = {
        name: stat.S_IMODE((dest / name).stat().st_mode)
        for name in ("bootstrap", "bin/helper", "data/shared")
    }
    assert modes == {"bootstrap": 0o755, "bin/helper": 0o750, "data/shared": 0o666}


def test_a_zip_bomb_fails_before_anything_is_written(tmp_path: Path) -> None:
    """30 entries of 10 MiB zeros: a few hundred KB zipped, 300 MiB unzipped."""
    archive = tmp_path / "layer.zip"
    zeros = bytes(TEN_MB)
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for i in range(30):
            zf.writestr(f"lib/blob{i}", zeros)
    assert archive.stat().st_size < 1_000_000
    dest = tmp_path / "root"
    with pytest.raises(SandboxError) as caught:
        extract_zip(archive, dest)
    message = caught.value.message
    assert str(archive) in message and f"{UNZIPPED_LIMIT:,}" in message, message
    assert "250 MB" in (caught.value.hint or "")
    assert not dest.exists() or _disk_use(dest) == 0


def test_the_function_and_its_layer_share_one_limit(tmp_path: Path) -> None:
    """Each zip fits alone; together they are over, so the second one fails."""
    limit = 3 * 1024 * 1024
    archives = []
    for name in ("function.zip", "layer.zip"):
        path = tmp_path / name
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("blob-" + name, bytes(2 * 1024 * 1024))
        archives.append(path)
    used = extract_zip(archives[0], tmp_path / "task", limit=limit)
    assert used == 2 * 1024 * 1024
    with pytest.raises(SandboxError, match="exceeds Lambda's limit"):
        extract_zip(archives[1], tmp_path / "opt", limit=limit - used)


def test_an_entry_larger_than_it_declares_is_refused(tmp_path: Path) -> None:
    """The central directory says 10 bytes, the data inflates to 10 MiB: a clear error, no
    traceback, and no more than the declared bytes on disk."""
    archive = tmp_path / "function.zip"
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big", bytes(TEN_MB))
    data = bytearray(archive.read_bytes())
    real = struct.pack("<I", TEN_MB)
    lie = struct.pack("<I", 10)
    # uncompressed size: local header offset 22, central directory record offset 24
    assert data[22:26] == real
    data[22:26] = lie
    central = data.index(b"PK\x01\x02")
    assert data[central + 24 : central + 28] == real
    data[central + 24 : central + 28] = lie
    archive.write_bytes(bytes(data))
    with pytest.raises(SandboxError, match="not a valid zip"):
        extract_zip(archive, tmp_path / "root")
    assert _disk_use(tmp_path / "root") <= 10


def test_an_entry_escaping_the_root_is_refused(tmp_path: Path) -> None:
    archive = tmp_path / "function.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../outside", b"x")
    with pytest.raises(SandboxError, match="escapes the root"):
        extract_zip(archive, tmp_path / "root")
    assert not (tmp_path / "outside").exists()
