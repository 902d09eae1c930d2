"""Fixtures of the container tests: the stand-in base image, one container build, a TLS server.

The container build compiles a small project (the runtime, the example and an httpx
handler, copied from this repository) with ``native-lambda build --target al2023`` in the
bullseye stand-in (glibc 2.31, Python 3.9), once per session. Caches under
``~/.cache/native-lambda`` (base image tag, ccache, Nuitka's module cache) make it about a
minute after the first run on a machine; the first run compiles for several minutes.
"""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import json
import os
import shutil
import ssl
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
BULLSEYE_IMAGE = os.environ.get("NATIVE_LAMBDA_BULLSEYE_IMAGE", "native-lambda/bullseye-base")
BULLSEYE_PYTHON = "3.9"
EXAMPLE_HANDLER = "examples.greeting.handler"
NET_HANDLER = "net_check.handler"
CA_INSIDE = "/etc/pki/test/native-lambda-container-ca.pem"

PYPROJECT = f"""\
[project]
name = "container-build-check"
version = "0"

[tool.native-lambda]
handler = "{EXAMPLE_HANDLER}"
include-modules = ["net_check"]
"""


@dataclass
class ContainerBuild:
    project: Path
    dist_dir: Path
    function_zip: Path
    layer_zip: Path
    output: str
    seconds: float


def cli(
    *args: str, cwd: Path, env: dict[str, str] | None = None, timeout: float = 1800
) -> subprocess.CompletedProcess[str]:
    """``native-lambda ARGS`` as a real subprocess; a CompletedProcess with text output."""
    return subprocess.run(
        [sys.executable, "-m", "native_lambda_toolchain", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def make_project(dest: Path) -> Path:
    """A project outside this repository: runtime + example + the httpx handler."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "src", dest / "src", ignore=ignore)
    shutil.copytree(ROOT / "examples", dest / "examples", ignore=ignore)
    shutil.copyfile(HERE / "handlers" / "net_check.py", dest / "net_check.py")
    (dest / "pyproject.toml").write_text(PYPROJECT)
    return dest


@pytest.fixture(scope="session")
def run_cli() -> Callable[..., subprocess.CompletedProcess[str]]:
    """``run_cli(*args, cwd=..., env=..., timeout=...)``: the real CLI as a subprocess."""
    return cli


@pytest.fixture(scope="session")
def container_build(tmp_path_factory: pytest.TempPathFactory) -> ContainerBuild:
    """The project built for al2023 in the bullseye stand-in through the real CLI."""
    base = tmp_path_factory.mktemp("container-build")
    project = make_project(base / "project")
    dist = base / "dist"
    start = time.monotonic()
    proc = cli(
        "build",
        "--target",
        "al2023",
        "--base-image",
        BULLSEYE_IMAGE,
        "--python-version",
        BULLSEYE_PYTHON,
        "--out",
        str(dist),
        cwd=project,
    )
    seconds = time.monotonic() - start
    output = proc.stdout + proc.stderr
    (base / "build-output.log").write_text(output)
    assert proc.returncode == 0, output[-6000:]
    return ContainerBuild(
        project=project,
        dist_dir=dist,
        function_zip=dist / "function.zip",
        layer_zip=dist / "layer.zip",
        output=output,
        seconds=seconds,
    )


@dataclass
class TestCA:
    ca_pem: bytes
    cert_file: Path
    key_file: Path


@pytest.fixture(scope="session")
def container_ca(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    """A throwaway CA and a certificate for 127.0.0.1 signed by it."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    valid = (now - datetime.timedelta(minutes=5), now + datetime.timedelta(days=1))
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "native-lambda container CA")])
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(valid[0])
        .not_valid_after(valid[1])
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    folder = tmp_path_factory.mktemp("container-ca")
    (folder / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (folder / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return TestCA(
        ca_pem=ca.public_bytes(serialization.Encoding.PEM),
        cert_file=folder / "cert.pem",
        key_file=folder / "key.pem",
    )


class _Answer(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = json.dumps({"path": self.path}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def https_url(container_ca: TestCA) -> Iterator[str]:
    """Base URL of an HTTPS server on 127.0.0.1 with a certificate from ``container_ca``."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(container_ca.cert_file, container_ca.key_file)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Answer)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
