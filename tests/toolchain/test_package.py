"""Reproducible zips and the size summary."""

from __future__ import annotations

import os
import stat
import zipfile

import pytest

from native_lambda_toolchain.build.package import (
    FIXED_DATE,
    MiB,
    summary,
    tree_entries,
    write_zip,
)
from native_lambda_toolchain.errors import BuildError


@pytest.fixture
def tree(tmp_path, elves):
    root = tmp_path / "fn"
    (root / "pkg").mkdir(parents=True)
    (root / "bootstrap").write_bytes(elves.exe_rpath.read_bytes())  # an ELF called bootstrap
    (root / "pkg/mod.so").write_bytes(elves.libfoo.read_bytes())  # an ELF, any name
    (root / "pkg/data.json").write_text('{"a": 1}\n' * 100)
    (root / "zz.txt").write_text("last\n")
    os.chmod(root / "bootstrap", 0o700)  # source modes must not leak into the zip
    os.chmod(root / "zz.txt", 0o600)
    return root


def test_entries_sorted_with_fixed_dates_and_modes(tree, tmp_path):
    out = write_zip(tmp_path / "function.zip", tree_entries(tree))
    with zipfile.ZipFile(out) as zf:
        infos = zf.infolist()
        assert [i.filename for i in infos] == [
            "bootstrap",
            "pkg/data.json",
            "pkg/mod.so",
            "zz.txt",
        ]
        modes = {i.filename: i.external_attr >> 16 for i in infos}
        assert {i.date_time for i in infos} == {FIXED_DATE}
        assert {i.create_system for i in infos} == {3}
        assert {i.compress_type for i in infos} == {zipfile.ZIP_DEFLATED}
        assert zf.read("pkg/data.json") == (tree / "pkg/data.json").read_bytes()
    assert modes["bootstrap"] == stat.S_IFREG | 0o755
    assert modes["pkg/mod.so"] == stat.S_IFREG | 0o755
    assert modes["pkg/data.json"] == stat.S_IFREG | 0o644
    assert modes["zz.txt"] == stat.S_IFREG | 0o644


def test_byte_identical_across_writes(tree, tmp_path):
    a = write_zip(tmp_path / "a.zip", tree_entries(tree))
    os.utime(tree / "pkg/data.json", (1_700_000_000, 1_700_000_000))  # touch: new mtime
    os.chmod(tree / "bootstrap", 0o755)
    b = write_zip(tmp_path / "b.zip", reversed(tree_entries(tree)))  # other input order
    assert a.read_bytes() == b.read_bytes()
    assert not list(tmp_path.glob("*.tmp"))


def test_bytes_entries_and_prefix(tmp_path, tree):
    out = write_zip(
        tmp_path / "layer.zip", [("lib/extra.txt", b"x"), *tree_entries(tree / "pkg", "lib/")]
    )
    with zipfile.ZipFile(out) as zf:
        assert zf.namelist() == ["lib/data.json", "lib/extra.txt", "lib/mod.so"]


def test_duplicates_and_absolute_names_rejected(tmp_path):
    with pytest.raises(BuildError, match="twice: a"):
        write_zip(tmp_path / "x.zip", [("a", b"1"), ("a", b"2")])
    with pytest.raises(BuildError, match="relative"):
        write_zip(tmp_path / "y.zip", [("/etc/passwd", b"1")])


def test_summary_sizes_libraries_and_largest(tree, tmp_path, elves):
    fn = write_zip(tmp_path / "function.zip", tree_entries(tree))
    layer = write_zip(
        tmp_path / "layer.zip",
        [("lib/libfoo.so.1", elves.libfoo), ("lib/libbar.so.1", elves.libbar)],
    )
    s = summary(fn, layer, top=3)
    assert [a.path.name for a in s.artifacts] == ["function.zip", "layer.zip"]
    assert s.artifacts[0].zipped == fn.stat().st_size
    assert s.artifacts[0].unzipped == sum(p.stat().st_size for p in tree.rglob("*") if p.is_file())
    assert [name for name, _ in s.bundled_libraries] == ["libbar.so.1", "libfoo.so.1"]
    assert len(s.largest) == 3 and s.largest[0][1] >= s.largest[-1][1]
    assert s.warnings == []
    text = s.render()
    assert "function.zip" in text and "libfoo.so.1" in text and "largest" in text


def test_summary_warns_near_and_over_limits(tree, tmp_path):
    fn = write_zip(tmp_path / "function.zip", tree_entries(tree))
    size, unzipped = fn.stat().st_size, summary(fn).unzipped_total
    near = summary(fn, direct_upload_limit=int(size / 0.9), unzipped_limit=int(unzipped / 0.9))
    assert len(near.warnings) == 2 and all("close to" in w for w in near.warnings)
    over = summary(fn, direct_upload_limit=size - 1, unzipped_limit=unzipped - 1)
    assert any("through S3" in w for w in over.warnings)
    assert any("cannot be created" in w for w in over.warnings)
    assert "WARNING" in over.render()
    assert summary(fn).warnings == []  # real limits: 50 MiB zipped, 250 MiB unzipped
    assert MiB == 1048576


def test_concurrent_writes_to_one_name_never_collide(tmp_path):
    """Builds writing the same artifact at once each finish with a whole zip in place; no
    temporary file is shared or left behind."""
    import threading

    target = tmp_path / "function.zip"
    writers = 6
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []
    payloads = {i: os.urandom(256 * 1024) for i in range(writers)}  # incompressible: slow

    def write(i: int) -> None:
        barrier.wait()
        try:
            for _ in range(3):
                write_zip(target, [(f"w{i}/{n}", payloads[i]) for n in range(8)])
        except BaseException as exc:  # collected: a thread's failure must fail the test
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(i,)) for i in range(writers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with zipfile.ZipFile(target) as zf:
        assert zf.testzip() is None
        names = zf.namelist()
        owner = names[0].split("/")[0]
        assert names == [f"{owner}/{n}" for n in range(8)]
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["function.zip"]
