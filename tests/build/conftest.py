"""Fixtures of the build tests: a second bundle with an httpx handler, a test CA, a TLS server.

The TLS bundle is the example plus ``tests.build.handlers.tls_get`` compiled into one
bootstrap (one compile for every sandbox test; ``_HANDLER`` picks the handler),
so the sandbox tests also cover a bundle with libssl/libcrypto in its layer.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from artifacts import sandboxed
from fixtures_build import Built, build_artifacts
from local_tls import LocalCA, https_server, make_ca


@pytest.fixture(scope="session")
def built_tls(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """Example + httpx TLS handler in one bootstrap (host target)."""
    base = tmp_path_factory.mktemp("built-tls")
    return build_artifacts(
        base / "dist",
        base / "work",
        handlers=(
            "tests.build.handlers.tls_get.handler",
            "tests.build.handlers.graceful.handler",
            "tests.build.handlers.init_error.handler",
        ),
        # a sync handler: httpcore's optional async backends would only cost compile time
        exclude_modules=("anyio", "sniffio", "trio"),
    )


@pytest.fixture(scope="session")
def test_ca(tmp_path_factory: pytest.TempPathFactory) -> LocalCA:
    """A throwaway CA and a server certificate for 127.0.0.1 / localhost."""
    return make_ca(tmp_path_factory.mktemp("test-ca"))


@pytest.fixture
def tls_server(test_ca: LocalCA) -> Iterator[str]:
    """An HTTPS server on 127.0.0.1 (certificate from the test CA); yields its base URL."""
    with https_server(test_ca) as url:
        yield url


@pytest.fixture
def run_sandboxed():  # type: ignore[no-untyped-def]
    """``run_sandboxed(function_zip, layer_zip, env=..., files=...)`` -> (Sandbox, Emulator)."""
    return sandboxed
