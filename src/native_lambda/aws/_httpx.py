"""SigV4 as an ``httpx.Auth``: the one place httpx is imported, on first use."""

from __future__ import annotations

from ._credentials import CredentialsProvider
from ._sigv4 import sign_headers
from ._types import Credentials

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Optional, Union

_AUTH_CLASS: Any = None


def sigv4_auth(
    credentials: Union[Credentials, CredentialsProvider],
    *,
    region: str,
    service: str,
    unsigned_payload: bool = False,
) -> Any:
    """An ``httpx.Auth`` that signs every request (and every retry) with fresh time.

    ``credentials`` may be a provider, so that long-lived clients pick up rotated
    temporary credentials.
    """
    global _AUTH_CLASS
    if _AUTH_CLASS is None:
        import httpx

        class SigV4Auth(httpx.Auth):
            requires_request_body = True

            def __init__(self, creds: Any, region: str, service: str, unsigned: bool) -> None:
                self._creds = creds
                self._region = region
                self._service = service
                self._unsigned = unsigned

            def auth_flow(self, request: httpx.Request) -> Any:
                creds = self._creds
                if isinstance(creds, CredentialsProvider):
                    creds = creds.get()
                added = sign_headers(
                    request.method,
                    str(request.url),
                    request.headers.multi_items(),
                    request.content,
                    credentials=creds,
                    region=self._region,
                    service=self._service,
                    unsigned_payload=self._unsigned,
                )
                for name in ("Authorization", "X-Amz-Date", "X-Amz-Security-Token"):
                    request.headers.pop(name, None)
                request.headers.update(added)
                yield request

            def __repr__(self) -> str:
                return f"SigV4Auth(region={self._region!r}, service={self._service!r})"

        _AUTH_CLASS = SigV4Auth
    return _AUTH_CLASS(credentials, region, service, unsigned_payload)


def default_client(timeout: Optional[float] = 30.0) -> Any:
    """A plain ``httpx.Client`` (helper for functions that call AWS services)."""
    import httpx

    return httpx.Client(timeout=timeout)
