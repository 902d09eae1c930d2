"""A container build in the bullseye stand-in: ABI within al2023, artifacts that serve.

The artifacts are checked with the toolchain's own ELF reader (highest GLIBC version any
shipped file needs must be <= 2.34, AL2023's glibc) and then run end to end: unpacked into
the Lambda-like sandbox (only glibc in its root) behind the emulator, over HTTP.
"""

from __future__ import annotations

import json
import os
import zipfile
from pathlib import Path
from typing import Any

import pytest

from artifacts import sandboxed
from local_tls import CA_INSIDE
from native_lambda_toolchain.build import abi, elf
from native_lambda_toolchain.build.policy import load_policy, parse_symbol_version
from native_lambda_toolchain.container import connect
from native_lambda_toolchain.container._run import OUT_LABEL

pytestmark = [pytest.mark.docker, pytest.mark.bullseye, pytest.mark.compile]

AL2023_GLIBC = (2, 34)


def _unpack(build: Any, dest: Path) -> list[Path]:
    """Every ELF file of function.zip and layer.zip, unpacked under ``dest``."""
    for name in ("function_zip", "layer_zip"):
        with zipfile.ZipFile(getattr(build, name)) as zf:
            zf.extractall(dest / name)
    return [p for p in sorted(dest.rglob("*")) if p.is_file() and elf.is_elf(p)]


def test_artifacts_need_at_most_glibc_2_34(container_build: Any, tmp_path: Path) -> None:
    files = _unpack(container_build, tmp_path)
    names = {p.name for p in files}
    assert "bootstrap" in names
    highest: tuple[int, ...] = ()
    for path in files:
        info = elf.read_elf(path)
        assert info.arch == "x86_64", path
        for versions in info.version_needs.values():
            for version in versions:
                parsed = parse_symbol_version(version)
                if parsed and parsed[0] == "GLIBC":
                    highest = max(highest, parsed[1])
    assert highest, "no GLIBC version needs found: the check would prove nothing"
    assert highest <= AL2023_GLIBC, f"artifacts need GLIBC_{'.'.join(map(str, highest))}"
    # built on glibc 2.31: nothing can need more than that either
    assert highest <= (2, 31)

    layer = {p.name: p for p in files if "layer_zip" in p.parts}
    report = abi.check(files, load_policy("al2023"), bundled=layer, raise_error=False)
    assert report.violations == []
    info = json.loads((container_build.dist_dir / "build.json").read_text())
    assert info["target"] == "al2023"
    assert info["glibc_needed"] == report.highest_version("GLIBC")


def test_artifacts_belong_to_the_invoking_user(container_build: Any) -> None:
    for path in container_build.dist_dir.iterdir():
        st = path.stat()
        assert (st.st_uid, st.st_gid) == (os.getuid(), os.getgid()), path


def test_build_ran_in_the_container(container_build: Any) -> None:
    out = container_build.output
    assert "compile stage in native-lambda/build-base:py3.9-" in out
    assert "compile stage exited with 0" in out
    assert "ABI ok for al2023" in out
    client = connect()
    label = f"{OUT_LABEL}={container_build.dist_dir.resolve()}"
    left = client.containers.list(all=True, filters={"label": label})
    client.close()
    assert left == [], "compile containers must always be removed"


@pytest.mark.root
def test_typed_invocation_and_handler_error_in_the_sandbox(container_build: Any) -> None:
    build = container_build
    with sandboxed(build.function_zip, build.layer_zip, target="al2023") as (_, emu):
        ok = emu.invoke(json.dumps({"name": "World", "times": 2}))
        assert ok.status == 200 and ok.function_error is None, (ok.body, emu.lambda_log())
        reply = ok.json()
        assert reply["message"] == "Hello, World! Hello, World!"
        assert reply["request_id"] == ok.request_id

        bad = emu.invoke(json.dumps({"name": ""}))
        assert bad.function_error == "Unhandled", bad.body
        assert bad.json()["errorType"] == "EmptyNameError"
        assert "name must not be empty" in bad.json()["errorMessage"]

        # the same warm process goes on serving after the handler error
        assert emu.invoke(json.dumps({"name": "again"})).json()["message"] == "Hello, again!"
        assert emu.process_exits == []


@pytest.mark.root
def test_httpx_over_tls_in_the_sandbox(
    container_build: Any, container_ca: Any, https_url: str
) -> None:
    """httpx + certifi + the layer's libssl (from bullseye) in the compiled binary."""
    env = {"_HANDLER": "net_check.handler", "SSL_CERT_FILE": CA_INSIDE}
    files = {CA_INSIDE: container_ca.ca_pem}
    build = container_build
    with sandboxed(build.function_zip, build.layer_zip, target="al2023", env=env, files=files) as (
        _,
        emu,
    ):
        result = emu.invoke(json.dumps({"url": f"{https_url}/ping"}))
        assert result.status == 200 and result.function_error is None, (
            result.body,
            emu.lambda_log(),
        )
        reply = result.json()
        assert reply["status"] == 200
        assert json.loads(reply["body"]) == {"path": "/ping", "tls": True}
        assert reply["python"] == "3.9"  # compiled by the image's Python, not the host's
        assert reply["certifi_where"].startswith("/var/task/"), reply
        assert reply["certifi_cas"] > 100
