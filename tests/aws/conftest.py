"""Fixtures for the AWS tests: a real moto server, a throttling proxy, small zips."""

from __future__ import annotations

import http.client
import http.server
import json
import os
import socket
import subprocess
import sys
import threading
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from native_lambda import aws

ACCOUNT = "123456789012"
# Distinctive values: the no-secret tests search every output for them.
SECRET = "sEcReT/Never+Print+Me0123456789abcdefEXAMPLE"
TOKEN = "ToKeN-Never-Print-Me-FwoGZXIvYXdzEXAMPLE=="
KEY_ID = "AKIATESTKEYID0000001"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def moto_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A moto server on loopback for the whole session (real HTTP, real signed requests)."""
    port = free_port()
    log = tmp_path_factory.mktemp("moto") / "moto.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/moto-api/", timeout=2)
                break
            except httpx.TransportError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"moto server did not start: {log.read_text()}") from None
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="session")
def creds() -> aws.Credentials:
    return aws.Credentials(KEY_ID, SECRET, TOKEN, source="test")


@pytest.fixture(scope="session")
def role_arn(moto_url: str, creds: aws.Credentials) -> str:
    """An execution role created in moto's IAM through our own signer (the helper that
    the moto workflow uses: ``python -m native_lambda_toolchain.deploy.local_role``)."""
    from native_lambda_toolchain.deploy.local_role import ensure_role

    arn = ensure_role(moto_url, "native-lambda-test", creds)
    assert arn == f"arn:aws:iam::{ACCOUNT}:role/native-lambda-test"
    assert ensure_role(moto_url, "native-lambda-test", creds) == arn  # found, not re-created
    return arn


@pytest.fixture
def aws_env(moto_url: str, tmp_path: Path) -> dict[str, str]:
    """Environment for CLI subprocesses: credentials of the test, moto as endpoint, and no
    shared files from the machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(
        AWS_ACCESS_KEY_ID=KEY_ID,
        AWS_SECRET_ACCESS_KEY=SECRET,
        AWS_SESSION_TOKEN=TOKEN,
        AWS_REGION="us-east-1",
        AWS_ENDPOINT_URL=moto_url,
        AWS_CONFIG_FILE=str(tmp_path / "no-config"),
        AWS_SHARED_CREDENTIALS_FILE=str(tmp_path / "no-credentials"),
    )
    env.pop("LAMBDA_ROLE_ARN", None)
    return env


def make_dist(directory: Path, code: str = "v1", libs: str | None = "libfoo-1") -> Path:
    """A hand-made dist/: function.zip with a bootstrap script, layer.zip with lib/."""
    directory.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(directory / "function.zip", "w") as archive:
        info = zipfile.ZipInfo("bootstrap", (2020, 1, 1, 0, 0, 0))
        info.external_attr = 0o100755 << 16
        archive.writestr(info, f"#!/bin/sh\necho {code}\n")
    if libs is not None:
        with zipfile.ZipFile(directory / "layer.zip", "w") as archive:
            archive.writestr(zipfile.ZipInfo("lib/libfoo.so.1", (2020, 1, 1, 0, 0, 0)), libs)
    return directory


class FaultProxy:
    """A real HTTP proxy in front of moto that spoils the first ``failures`` requests whose
    ``"METHOD /path "`` contains ``match`` (end it with a space to match one path exactly),
    then forwards everything.

    ``mode``: ``"before"`` answers ``status`` without forwarding (the service refused);
    ``"after"`` forwards, so moto applies the request, then answers ``status`` instead of
    moto's answer (the write happened, its answer was lost); ``"drop"`` closes the
    connection without an answer; ``"hang"`` waits ``delay`` seconds, then closes.
    ``seen`` lists every request received, ``forwarded`` those that reached moto: what the
    server really got, independent of what the client believes it sent.
    """

    def __init__(
        self,
        upstream: str,
        failures: int,
        status: int = 429,
        code: str = "TooManyRequestsException",
        message: str = "Rate exceeded",
        *,
        mode: str = "before",
        match: str = "",
        delay: float = 0.0,
    ) -> None:
        self.upstream = upstream.removeprefix("http://")
        self.failures = failures
        self.status = status
        self.code = code
        self.message = message
        self.mode = mode
        self.match = match
        self.delay = delay
        self.seen: list[str] = []
        self.forwarded: list[str] = []
        self.rejected = 0
        self._lock = threading.Lock()
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _fail(self) -> None:
                data = json.dumps({"Type": "User", "message": proxy.message}).encode()
                self.send_response(proxy.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("x-amzn-ErrorType", f"{proxy.code}:http://internal/")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
                proxy.forwarded.append(f"{self.command} {self.path}")
                conn = http.client.HTTPConnection(proxy.upstream, timeout=60)
                headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
                conn.request(self.command, self.path, body=body or None, headers=headers)
                response = conn.getresponse()
                data = response.read()
                conn.close()
                return response.status, response.getheaders(), data

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = f"{self.command} {self.path}"
                proxy.seen.append(request)
                with proxy._lock:
                    spoil = proxy.match in request + " " and proxy.rejected < proxy.failures
                    if spoil:
                        proxy.rejected += 1
                if spoil and proxy.mode in ("drop", "hang"):
                    time.sleep(proxy.delay)
                    self.close_connection = True
                    return
                if spoil and proxy.mode == "before":
                    self._fail()
                    return
                status, headers, data = self._forward(body)
                if spoil:  # "after": moto applied it; the client never learns
                    self._fail()
                    return
                self.send_response(status)
                for key, value in headers:
                    if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def writes(self) -> list[str]:
        """Requests other than GET that reached moto."""
        return [line for line in self.forwarded if not line.startswith("GET ")]

    def __enter__(self) -> FaultProxy:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def dist_factory(tmp_path: Path):
    """``make(name, code=..., libs=...)`` → a dist directory under this test's tmp dir."""
    return lambda name="dist", **kwargs: make_dist(tmp_path / name, **kwargs)


@pytest.fixture
def fault_proxy():
    return FaultProxy


@pytest.fixture(scope="session")
def secret_values() -> tuple[str, str]:
    return SECRET, TOKEN
