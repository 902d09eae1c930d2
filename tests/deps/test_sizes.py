"""The size table (packages by share of function.zip and layer.zip) and Lambda's limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from native_lambda_toolchain.build import package, sizes
from native_lambda_toolchain.errors import BuildError

MiB = 1024 * 1024


def _zips(tmp_path: Path) -> package.Summary:
    fn = package.write_zip(
        tmp_path / "function.zip",
        [
            ("bootstrap", b"\x7fELF" + b"b" * (3 * MiB)),
            ("numpy/_core/_multiarray_umath.cpython-39-x86_64-linux-gnu.so", b"n" * (2 * MiB)),
            ("certifi/cacert.pem", b"c" * 300_000),
            ("_ssl.cpython-39-x86_64-linux-gnu.so", b"x" * 1000),
            ("pydantic-2.13.5.dist-info/METADATA", b"m" * 1000),
        ],
    )
    layer = package.write_zip(
        tmp_path / "layer.zip",
        [("lib/libscipy_openblas64_-ff651d7f.so", b"o" * (5 * MiB)), ("lib/libssl.so.1.1", b"s")],
    )
    return package.summary(fn, layer)


OWNER = {
    "numpy": "numpy 2.0.2",
    "numpy.libs": "numpy 2.0.2",
    "certifi": "certifi 2026.10.19.post1",
    "pydantic": "pydantic 2.13.5",
    "pydantic_core": "pydantic_core 2.46.5",
}


def test_shares_charge_each_entry_to_its_package(tmp_path: Path) -> None:
    summary = _zips(tmp_path)
    # libssl: copied into the dist folder by Nuitka from the build image, owned by no wheel
    origins = {
        "libscipy_openblas64_-ff651d7f.so": "numpy.libs/libscipy.so",
        "libssl.so.1.1": "libssl.so.1.1",
    }
    compiled = {"pydantic": 1 * MiB, "pydantic_core": 0, "numpy": MiB // 2}
    shares = {s.package: s for s in sizes.package_shares(summary, OWNER, origins, compiled)}
    assert shares["numpy"].layer_bytes == 5 * MiB
    assert shares["numpy"].function_bytes == 2 * MiB + MiB // 2
    assert shares["pydantic"].function_bytes == MiB + 1000
    assert shares["certifi"].function_bytes == 300_000
    assert shares[sizes.SYSTEM].layer_bytes == 1
    assert shares[sizes.STDLIB_EXTENSIONS].function_bytes == 1000
    assert shares[sizes.INTERPRETER].function_bytes == 3 * MiB + 4 - MiB - MiB // 2
    ordered = sizes.package_shares(summary, OWNER, origins, compiled)
    assert ordered[0].package == "numpy"  # largest first
    table = sizes.render_table(ordered, summary)
    assert "numpy" in table.splitlines()[1] and "5.0 MiB" in table.splitlines()[1]


def test_over_the_limit_fails_with_the_table(tmp_path: Path) -> None:
    summary = _zips(tmp_path)
    shares = sizes.package_shares(summary, OWNER, {}, {})
    table = sizes.render_table(shares, summary)
    sizes.check_limits(summary, table, max_unzipped_mb=250, max_zipped_mb=50)  # the real ones
    with pytest.raises(BuildError) as caught:
        sizes.check_limits(summary, table, max_unzipped_mb=8, max_zipped_mb=50)
    message = caught.value.message
    assert "over the 8 MiB limit" in message and "largest packages" in message
    assert table in message
    with pytest.raises(BuildError, match=r"layer\.zip is .* MiB zipped, over the 0\.001 MiB"):
        sizes.check_limits(summary, table, max_unzipped_mb=250, max_zipped_mb=0.001)
