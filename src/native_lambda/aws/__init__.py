"""Call AWS from a function without an SDK: SigV4 signing, credentials and region.

Import cost is nearly nothing: submodules load on first attribute access, ``hashlib`` and
``hmac`` on the first signature, httpx only through :func:`sigv4_auth`.

    from native_lambda import aws
    creds = aws.CredentialsProvider()          # module level: resolved on first use
    headers = aws.sign_headers("GET", url, {}, b"", credentials=creds.get(),
                               region=aws.resolve_region(), service="s3")
"""

from __future__ import annotations

# typing costs ~15 ms to import: only type checkers see these names.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

    from ._credentials import CredentialsProvider, resolve_credentials, resolve_region
    from ._httpx import sigv4_auth
    from ._sigv4 import (
        EMPTY_SHA256,
        UNSIGNED_PAYLOAD,
        canonical_request,
        payload_hash,
        presign_url,
        sign_headers,
    )
    from ._types import Credentials, CredentialsError

_TYPES = frozenset(("Credentials", "CredentialsError"))
_CREDENTIALS = frozenset(
    (
        "CredentialsProvider",
        "resolve_credentials",
        "resolve_region",
    )
)
_SIGV4 = frozenset(
    (
        "EMPTY_SHA256",
        "UNSIGNED_PAYLOAD",
        "canonical_request",
        "payload_hash",
        "presign_url",
        "sign_headers",
    )
)

__all__ = [
    "EMPTY_SHA256",
    "UNSIGNED_PAYLOAD",
    "Credentials",
    "CredentialsError",
    "CredentialsProvider",
    "canonical_request",
    "payload_hash",
    "presign_url",
    "resolve_credentials",
    "resolve_region",
    "sign_headers",
    "sigv4_auth",
]


def __getattr__(name: str) -> Any:
    # Static relative imports (not importlib with a computed name): Nuitka sees them and
    # compiles the submodules into a bootstrap that uses this package.
    if name in _SIGV4:
        from . import _sigv4

        value = getattr(_sigv4, name)
    elif name in _TYPES:
        from . import _types

        value = getattr(_types, name)
    elif name in _CREDENTIALS:
        from . import _credentials

        value = getattr(_credentials, name)
    elif name == "sigv4_auth":
        from . import _httpx

        value = _httpx.sigv4_auth
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list:
    return __all__
