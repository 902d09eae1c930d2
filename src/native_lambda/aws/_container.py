"""The container credentials endpoint (ECS task roles, EKS Pod Identity, local tools).

``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` is relative to ``http://169.254.170.2``;
``AWS_CONTAINER_CREDENTIALS_FULL_URI`` may be any HTTPS URL, or plain HTTP only to a
loopback or the link-local ECS/EKS addresses (the SDKs' rule: credentials must not cross a
network in clear text). The token comes from ``AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE``
(re-read each time: EKS rotates it) or ``AWS_CONTAINER_AUTHORIZATION_TOKEN``. Uses
``http.client`` so that functions do not need httpx for this.
"""

from __future__ import annotations

from ._credentials import Credentials, CredentialsError
from ._encoding import host_port, split_url
from ._timeparse import parse_timestamp

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Mapping

ECS_HOST = "169.254.170.2"
_ALLOWED_HTTP_HOSTS = frozenset(
    ("localhost", "169.254.170.2", "169.254.170.23", "[fd00:ec2::23]", "[::1]")
)


def _allowed(scheme: str, host: str) -> bool:
    if scheme == "https":
        return True
    if scheme != "http":
        return False
    return host in _ALLOWED_HTTP_HOSTS or host.startswith("127.")


def container_uri(env: Mapping[str, str]) -> str:
    relative = env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
    if relative:
        return "http://" + ECS_HOST + ("" if relative.startswith("/") else "/") + relative
    full = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI") or ""
    parts = split_url(full)
    host = host_port(parts.netloc)[0].lower()
    if not _allowed(parts.scheme, host):
        raise CredentialsError(
            "container endpoint: AWS_CONTAINER_CREDENTIALS_FULL_URI must use https, or http to "
            f"a loopback or ECS/EKS address (got host {host!r})"
        )
    return full


def _token(env: Mapping[str, str]) -> str:
    path = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE")
    if path:
        try:
            with open(path, encoding="utf-8") as handle:
                token = handle.read().strip()
        except OSError as exc:
            raise CredentialsError(
                f"container endpoint: cannot read token file {path}: {exc.strerror}"
            ) from None
    else:
        token = env.get("AWS_CONTAINER_AUTHORIZATION_TOKEN", "")
    if "\r" in token or "\n" in token:
        raise CredentialsError("container endpoint: authorization token contains a line break")
    return token


def from_container(env: Mapping[str, str], *, timeout: float = 5.0) -> Credentials:
    import http.client
    import json

    uri = container_uri(env)
    parts = split_url(uri)
    headers = {"Accept": "application/json"}
    token = _token(env)
    if token:
        headers["Authorization"] = token
    conn_type = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    conn = conn_type(parts.netloc, timeout=timeout)
    target = (parts.path or "/") + ("?" + parts.query if parts.query else "")
    source = f"container endpoint {parts.scheme}://{parts.netloc}{parts.path or '/'}"
    last_error = ""
    for _attempt in range(3):  # the agent may not be ready in the first milliseconds
        try:
            conn.request("GET", target, headers=headers)
            response = conn.getresponse()
            body = response.read()
        except OSError as exc:
            last_error = f"{type(exc).__name__}: {exc}"
            conn.close()
            continue
        if response.status >= 500:
            last_error = f"HTTP {response.status}"
            continue
        break
    else:
        conn.close()
        raise CredentialsError(f"{source}: unreachable ({last_error})")
    conn.close()
    if response.status != 200:
        raise CredentialsError(f"{source}: HTTP {response.status} (body not shown)")
    try:
        data = json.loads(body)
        key, secret = data["AccessKeyId"], data["SecretAccessKey"]
    except (ValueError, KeyError, TypeError):
        raise CredentialsError(f"{source}: answer lacks AccessKeyId/SecretAccessKey") from None
    expiration = data.get("Expiration")
    return Credentials(
        key,
        secret,
        data.get("Token") or data.get("SessionToken"),
        expiration=parse_timestamp(expiration) if expiration else None,
        source=source,
    )
