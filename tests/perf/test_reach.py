"""``build.reach``: which handlers may leave asyncio and TLS out of the bootstrap, read from
their syntax and imports (real files on disk), and the report check that fails a build when
something still imports asyncio."""

from __future__ import annotations

from pathlib import Path

import pytest

from native_lambda_toolchain.build import reach
from native_lambda_toolchain.build.report import ReportSummary
from native_lambda_toolchain.errors import BuildError

ROOT = Path(__file__).resolve().parents[2]


def project(tmp_path: Path, files: dict[str, str]) -> list[str]:
    for name, text in files.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return [str(tmp_path)]


def test_sync_handler_with_runtime_and_msgspec_only_leaves_both_out(tmp_path: Path) -> None:
    search = project(
        tmp_path,
        {"fn.py": "import msgspec\nfrom native_lambda import Context\ndef handler(e, c): ...\n"},
    )
    found = reach.scan(["fn"], search)
    assert found.left_out() == (*reach.ASYNC_MODULES, *reach.TLS_MODULES, reach.HTTPX_ADAPTER)


@pytest.mark.parametrize(
    ("source", "adapter"),
    [
        ("from native_lambda.aws.clients import dynamodb\n", False),
        ("from native_lambda import aws\nsign = aws.sign_headers\n", False),
        ("from native_lambda import aws\nauth = aws.sigv4_auth(creds)\n", True),
        ("from native_lambda.aws import sigv4_auth\n", True),
        ("import httpx\n", True),
    ],
)
def test_the_httpx_adapter_is_kept_only_when_named(
    tmp_path: Path, source: str, adapter: bool
) -> None:
    """The aws door mentions its httpx adapter; only code that uses it keeps httpx (and with
    it anyio and asyncio) in the bootstrap."""
    found = reach.scan(["fn"], project(tmp_path, {"fn.py": source}))
    assert found.httpx_adapter == adapter, found.why
    assert (reach.HTTPX_ADAPTER in found.left_out()) == (not adapter)


@pytest.mark.parametrize(
    ("source", "asyncio", "tls"),
    [
        ("async def handler(e, c):\n  return e\n", True, False),
        ("def handler(e, c):\n  async def inner():\n    pass\n", True, False),
        ("import asyncio\ndef handler(e, c):\n  return asyncio.run(x())\n", True, True),
        ("def handler(e, c):\n  import urllib.request\n", False, True),
        ("from http import client\n", False, True),
        ("import hashlib\n", False, True),
        ("from native_lambda.aws.clients import dynamodb\n", False, True),
        ("import requests\n", True, True),  # third-party: needs not read, both kept
        ("import json, re, typing\n", False, False),
    ],
)
def test_what_keeps_asyncio_and_tls(tmp_path: Path, source: str, asyncio: bool, tls: bool) -> None:
    found = reach.scan(["fn"], project(tmp_path, {"fn.py": source}))
    assert (found.asyncio, found.tls) == (asyncio, tls), found.why


def test_project_modules_are_followed_with_the_file_and_line_named(tmp_path: Path) -> None:
    search = project(
        tmp_path,
        {
            "app/__init__.py": "",
            "app/fn.py": "from . import db\ndef handler(e, c):\n  pass\n",
            "app/db.py": "\n\nasync def fetch():\n  pass\n",
        },
    )
    found = reach.scan(["app.fn"], search)
    assert found.asyncio and not found.tls
    assert found.why["asyncio"].endswith("db.py:3: async syntax")
    assert "app.db" in found.scanned


def test_asking_for_asyncio_by_name_keeps_it(tmp_path: Path) -> None:
    found = reach.scan(["fn", "asyncio"], project(tmp_path, {"fn.py": "x = 1\n"}))
    assert found.asyncio and "include-modules" in found.why["asyncio"]


def test_the_repository_handlers() -> None:
    search = [str(ROOT), str(ROOT / "src")]
    assert reach.scan(["examples.greeting"], search).left_out()
    tls = reach.scan(["tests.build.handlers.tls_get"], search)
    assert tls.tls and tls.asyncio  # ssl, and httpx (third-party)
    conc = reach.scan(["tests.concurrency.handlers.conc_fns"], search)
    assert conc.asyncio


def summary(usages: dict[str, set[str]]) -> ReportSummary:
    return ReportSummary(modules=dict.fromkeys(usages, "x"), reasons={}, usages=usages)


def test_report_check_allows_the_runtimes_lazy_import_only() -> None:
    sync = reach.Reach()
    reach.check_report(summary({"native_lambda._loop": {"asyncio"}, "json": {"re"}}), sync)
    # The event-loop concurrency of async def handlers: compiled in, loaded only for them.
    loop_modules = {"native_lambda._aloop": {"asyncio"}, "native_lambda._aclient": {"asyncio"}}
    reach.check_report(summary(loop_modules), sync)
    with pytest.raises(BuildError, match=r"helpers\.net import\(s\) asyncio") as info:
        reach.check_report(summary({"helpers.net": {"asyncio", "os"}}), sync)
    assert "async def" in (info.value.hint or "")
    reach.check_report(summary({"helpers.net": {"asyncio"}}), reach.Reach(asyncio=True))
