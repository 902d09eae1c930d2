"""The shared dependency build (``deps_build``): real wheels from the index installed for
al2023 in the bullseye stand-in, compiled in, and every handler's answer in the Lambda-like
sandbox compared with the same handler under CPython."""

from __future__ import annotations

import json
import sys
import time
import zipfile
from pathlib import Path
from typing import Any

import pytest

from artifacts import sandboxed
from deps_project import PROJECT, DepsBuild, cli, container_build_args
from local_tls import CA_INSIDE
from native_lambda_toolchain.build import abi, elf
from native_lambda_toolchain.build.policy import load_policy

pytestmark = [pytest.mark.docker, pytest.mark.bullseye, pytest.mark.compile]


def rest_event(method: str, path: str, body: Any = None) -> dict[str, Any]:
    return {
        "resource": path,
        "path": path,
        "httpMethod": method,
        "headers": {"Content-Type": "application/json", "Host": "api.example.com"},
        "multiValueHeaders": {"Content-Type": ["application/json"]},
        "queryStringParameters": None,
        "multiValueQueryStringParameters": None,
        "pathParameters": None,
        "stageVariables": None,
        "requestContext": {
            "accountId": "000000000000",
            "apiId": "api",
            "httpMethod": method,
            "path": f"/prod{path}",
            "protocol": "HTTP/1.1",
            "requestId": "req",
            "resourcePath": path,
            "stage": "prod",
            "identity": {"sourceIp": "127.0.0.1"},
        },
        "body": None if body is None else json.dumps(body),
        "isBase64Encoded": False,
    }


def sqs_record(n: int, body: Any) -> dict[str, Any]:
    return {
        "messageId": f"m-{n}",
        "receiptHandle": f"r-{n}",
        "body": json.dumps(body),
        "attributes": {
            "ApproximateReceiveCount": "1",
            "SentTimestamp": "1700000000000",
            "SenderId": "AIDAEXAMPLE",
            "ApproximateFirstReceiveTimestamp": "1700000000001",
        },
        "messageAttributes": {},
        "md5OfBody": "0" * 32,
        "eventSource": "aws:sqs",
        "eventSourceARN": "arn:aws:sqs:us-east-1:000000000000:payments",
        "awsRegion": "us-east-1",
    }


CASES: dict[str, list[Any]] = {
    "orders_api.handler": [
        rest_event("POST", "/orders", {"item": "pear", "quantity": 3}),
        rest_event("POST", "/orders", {"item": "pear", "quantity": 0}),  # 422 from pydantic
        rest_event("POST", "/orders", {"item": "kiwi", "quantity": 1}),  # 404
        rest_event("GET", "/prices/plum"),
    ],
    "batch.handler": [
        {
            "Records": [
                sqs_record(1, {"order_id": "o-1", "amount_cents": 250}),
                sqs_record(2, {"order_id": "o-2", "amount_cents": -1}),  # fails validation
                sqs_record(3, {"order_id": "o-3", "amount_cents": 100}),
            ]
        }
    ],
    "native.handler": [{"values": [1, 2, 3.5]}],
}


@pytest.mark.root
@pytest.mark.parametrize("handler", sorted(CASES))
def test_handler_answers_as_cpython(deps_build: DepsBuild, cpython: Any, handler: str) -> None:
    expected = [cpython(handler, event) for event in CASES[handler]]
    env = {"_HANDLER": handler}
    with sandboxed(deps_build.function_zip, deps_build.layer_zip, target="al2023", env=env) as (
        _,
        emu,
    ):
        for event, want in zip(CASES[handler], expected):
            got = emu.invoke(json.dumps(event))
            assert got.status == 200 and got.function_error is None, (got.body, emu.lambda_log())
            assert got.json() == want, emu.lambda_log()
        assert emu.process_exits == []
    if handler == "orders_api.handler":
        assert [w["statusCode"] for w in expected] == [200, 422, 404, 200]
    if handler == "native.handler":
        assert expected[0]["psycopg"]["impl"] == "binary"
        assert expected[0]["selfsource"]["compiled"] is False


@pytest.mark.root
def test_requests_over_tls_with_certifi(
    deps_build: DepsBuild, cpython: Any, deps_ca: Any, deps_https_url: str, tmp_path: Path
) -> None:
    event = {"url": f"{deps_https_url}/ping"}
    ca_file = tmp_path / "ca.pem"
    ca_file.write_bytes(deps_ca.ca_pem)
    want = cpython("net.handler", event, {"TEST_CA_FILE": str(ca_file)})
    env = {"_HANDLER": "net.handler", "TEST_CA_FILE": CA_INSIDE}
    files = {CA_INSIDE: deps_ca.ca_pem}
    with sandboxed(
        deps_build.function_zip, deps_build.layer_zip, target="al2023", env=env, files=files
    ) as (_, emu):
        got = emu.invoke(json.dumps(event))
        assert got.status == 200 and got.function_error is None, (got.body, emu.lambda_log())
        reply = got.json()
    assert reply["certifi_in_task"] is True  # certifi's bundle travelled to /var/task
    assert want.pop("certifi_in_task") is False
    reply.pop("certifi_in_task")
    assert reply == want
    assert reply["with_certifi"] == "SSLError" and reply["status"] == 200
    assert reply["certifi_cas"] > 100


@pytest.mark.root
def test_run_selects_a_compiled_in_handler(deps_build: DepsBuild, cpython: Any) -> None:
    """``native-lambda run --handler`` on the one build: _HANDLER picks among the four."""
    info = json.loads((deps_build.dist_dir / "build.json").read_text())
    assert info["handler"] == "orders_api.handler"
    assert sorted(info["handlers"]) == sorted(
        ["orders_api.handler", "batch.handler", "net.handler", "native.handler"]
    )
    event = {"values": [2, 4]}
    proc = cli(
        *("run", "--dist", str(deps_build.dist_dir), "--handler", "native.handler"),
        *("--payload", json.dumps(event)),
        cwd=deps_build.project,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert json.loads(proc.stdout.strip().splitlines()[-1]) == cpython("native.handler", event)


def test_build_said_what_it_installed_and_shipped(deps_build: DepsBuild) -> None:
    out = deps_build.output
    assert "dependencies: from requirements.txt" in out
    assert "packages ready" in out
    assert "manylinux_2_31_x86_64, CPython 3.9" in out
    assert "packages by share of function.zip and layer.zip" in out
    # the dev profile reached Nuitka's C compile inside the container, and the record says so
    assert "profile dev: C unoptimised (-O0)" in out
    assert "Inherited CFLAGS='-O0'" in (deps_build.dist_dir / "build.log").read_text()
    assert json.loads((deps_build.dist_dir / "build.json").read_text())["profile"] == "dev"
    with zipfile.ZipFile(deps_build.function_zip) as zf:
        names = set(zf.namelist())
    with zipfile.ZipFile(deps_build.layer_zip) as zf:
        layer = {n.split("/")[-1] for n in zf.namelist()}
    assert "certifi/cacert.pem" in names
    assert "selfsource/__init__.py" in names  # the bytecode package, source + .pyc
    assert any(n.startswith("selfsource/__pycache__/") for n in names)
    assert any(n.startswith("pydantic-2.13.5.dist-info/") for n in names)
    assert not any(n.endswith(".py") and not n.startswith("selfsource/") for n in names)
    # wheel-carried libraries (auditwheel's <pkg>.libs) went to the layer, not the function
    assert any(n.startswith("libscipy_openblas") for n in layer), layer
    assert any(n.startswith("libpq-") for n in layer), layer
    assert not any(".libs/" in n for n in names)


def test_shipped_files_fit_al2023(deps_build: DepsBuild, tmp_path: Path) -> None:
    for name in ("function_zip", "layer_zip"):
        with zipfile.ZipFile(getattr(deps_build, name)) as zf:
            zf.extractall(tmp_path / name)
    files = [p for p in sorted(tmp_path.rglob("*")) if p.is_file() and elf.is_elf(p)]
    layer = {p.name: p for p in files if "layer_zip" in p.parts}
    report = abi.check(files, load_policy("al2023"), bundled=layer, raise_error=False)
    assert report.violations == []
    assert len(files) > 20


def _small_project(dest: Path, pyproject_extra: str) -> Path:
    dest.mkdir()
    (dest / "requirements.txt").write_bytes((PROJECT / "requirements.txt").read_bytes())
    (dest / "tiny.py").write_text(
        "import orjson\n\n\ndef handler(event, context):\n    return orjson.loads(b'[1]')\n"
    )
    (dest / "pyproject.toml").write_text(
        '[project]\nname = "tiny"\nversion = "0"\n\n[tool.native-lambda]\n'
        f'handler = "tiny.handler"\n{pyproject_extra}'
    )
    return dest


def test_unchanged_lock_skips_install_and_over_limit_fails_with_table(
    deps_build: DepsBuild, tmp_path: Path
) -> None:
    """Same requirements as the shared build: the dependency step is skipped (log line). A
    limit of 1 MiB (real default: 250) fails the build with the size table."""
    project = _small_project(tmp_path / "tiny", "max-unzipped-mb = 1\n")
    proc = cli(*container_build_args(tmp_path / "dist"), cwd=project)
    out = proc.stdout + proc.stderr
    assert "unchanged (key" in out and "install skipped" in out, out[-4000:]
    assert "dependencies: installing" not in out
    assert proc.returncode == 1, out[-4000:]
    assert "native-lambda: error: the bundle is too big for Lambda" in out
    assert "over the 1 MiB limit" in out and "largest packages (unzipped)" in out
    assert "orjson" in out.split("largest packages (unzipped)")[1].split("hint:")[0]
    assert not (tmp_path / "dist" / "build.json").exists()


@pytest.mark.parametrize("requirement", ["native-lambda-no-such-package-7c1e"])
def test_bad_requirement_fails_in_seconds_in_the_container(
    tmp_path: Path, requirement: str
) -> None:
    project = tmp_path / "bad"
    project.mkdir()
    (project / "requirements.txt").write_text(f"{requirement}\n")
    (project / "app.py").write_text("def handler(event, context):\n    return 1\n")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "bad"\nversion = "0"\n\n[tool.native-lambda]\nhandler = "app.handler"\n'
    )
    start = time.monotonic()
    proc = cli(*container_build_args(tmp_path / "dist"), cwd=project, timeout=600)
    seconds = time.monotonic() - start
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert f"native-lambda: error: dependency {requirement}" in out, out
    assert "al2023 (manylinux_2_31_x86_64, CPython 3.9)" in out
    assert "compile stage in" not in out
    assert out.count("native-lambda: error:") == 1
    assert seconds < 120, seconds
    sys.stderr.write(f"bad requirement failed after {seconds:.1f}s\n")
