"""Fixtures of the build tests: a second bundle with an httpx handler, a test CA, a TLS server.

The TLS bundle is the example plus ``tests.build.handlers.tls_get`` compiled into one
bootstrap (one compile for every sandbox test; ``NATIVE_LAMBDA_HANDLER`` picks the handler),
so the sandbox tests also cover a bundle with libssl/libcrypto in its layer.
"""

from __future__ import annotations

import datetime
import http.server
import ipaddress
import json
import ssl
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

from fixtures_build import Built, build_artifacts
from native_lambda_toolchain.emulator import Emulator
from native_lambda_toolchain.policy import load_policy
from native_lambda_toolchain.sandbox import Sandbox

TLS_HANDLER = "tests.build.handlers.tls_get.handler"
CA_INSIDE = "/etc/pki/test/native-lambda-test-ca.pem"


@pytest.fixture(scope="session")
def built_tls(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Example + httpx TLS handler in one bootstrap (host target)."""
    base = tmp_path_factory.mktemp("built-tls")
    return build_artifacts(
        base / "dist",
        base / "work",
        include_modules=("tests.build.handlers.tls_get", "tests.build.handlers.graceful"),
        # a sync handler: httpcore's optional async backends would only cost compile time
        exclude_modules=("anyio", "sniffio", "trio"),
    )


@dataclass
class TestCA:
    ca_pem: bytes
    cert_file: Path
    key_file: Path


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> TestCA:
    """A throwaway CA and a server certificate for 127.0.0.1 / localhost."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "native-lambda test CA")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False
        )
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()),
            critical=False,
        )
        .sign(ca_key, hashes.SHA256())
    )
    d = tmp_path_factory.mktemp("test-ca")
    (d / "server.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (d / "server.key").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return TestCA(
        ca_pem=ca_cert.public_bytes(serialization.Encoding.PEM),
        cert_file=d / "server.pem",
        key_file=d / "server.key",
    )


class _Hello(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:
        body = json.dumps({"path": self.path, "tls": True}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def tls_server(test_ca: TestCA) -> Iterator[str]:
    """An HTTPS server on 127.0.0.1 (certificate from the test CA); yields its base URL."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(test_ca.cert_file, test_ca.key_file)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    server.socket = ctx.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def run_sandboxed():  # type: ignore[no-untyped-def]
    """``run_sandboxed(function_zip, layer_zip, env=..., files=...)`` -> (Sandbox, Emulator)."""
    return sandboxed


@contextmanager
def sandboxed(
    function_zip: Path,
    layer_zip: Path | None,
    *,
    env: Mapping[str, str] | None = None,
    files: Mapping[str, bytes] | None = None,
    timeout_s: float = 30,
) -> Iterator[tuple[Sandbox, Emulator]]:
    """The artifacts in the sandbox behind a real emulator (spawned lazily, like a cold start)."""
    box = Sandbox(
        function_zip,
        layer_zip,
        policy=load_policy("host"),
        handler="examples.greeting.handler",
        env=env,
        files=files,
    )
    with (
        box,
        Emulator(
            command=box.command(),
            env=box.lambda_env(),
            inherit_env=False,
            timeout_s=timeout_s,
            eager=False,
        ) as emu,
    ):
        yield box, emu
