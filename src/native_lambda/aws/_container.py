"""The container credentials endpoint (ECS task roles, EKS Pod Identity, local tools).

``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` is relative to ``http://169.254.170.2``;
``AWS_CONTAINER_CREDENTIALS_FULL_URI`` may be any HTTPS URL, or plain HTTP only to a
loopback IP address (127.0.0.0/8, ::1), ``localhost``, or the link-local ECS/EKS addresses
(the SDKs' rule: credentials must not cross a network in clear text). The host is parsed and
compared as an address, so ``http://127.attacker.example/`` is refused. The token comes from
``AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE`` (re-read each time: EKS rotates it) or
``AWS_CONTAINER_AUTHORIZATION_TOKEN``.
"""

from __future__ import annotations

from ._encoding import host_port, split_url
from ._timeparse import parse_timestamp
from ._types import Credentials, CredentialsError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Mapping

ECS_HOST = "169.254.170.2"
#: Plain-HTTP hosts besides loopback addresses: ECS, EKS Pod Identity (IPv4 and IPv6).
LINK_LOCAL_HOSTS = frozenset(("169.254.170.2", "169.254.170.23", "fd00:ec2::23"))


def http_allowed(host: str) -> bool:
    """May credentials travel over plain HTTP to ``host`` (brackets of IPv6 removed)?"""
    if host == "localhost" or host in LINK_LOCAL_HOSTS:
        return True
    import ipaddress  # only on this path: ~5 ms of imports

    try:
        address = ipaddress.ip_address(host)
    except ValueError:  # a name, even one that starts with "127."
        return False
    return address.is_loopback or str(address) in LINK_LOCAL_HOSTS


def container_uri(env: Mapping[str, str]) -> str:
    relative = env.get("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
    if relative:
        return "http://" + ECS_HOST + ("" if relative.startswith("/") else "/") + relative
    full = env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI") or ""
    try:
        parts = split_url(full)
    except ValueError:
        raise CredentialsError(
            f"container endpoint: AWS_CONTAINER_CREDENTIALS_FULL_URI is not an absolute URL"
            f" ({full!r})"
        ) from None
    host = host_port(parts.netloc)[0].lower()
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if parts.scheme == "https" or (parts.scheme == "http" and http_allowed(host)):
        return full
    raise CredentialsError(
        "container endpoint: AWS_CONTAINER_CREDENTIALS_FULL_URI must use https, or http to "
        "a loopback address (127.0.0.0/8, ::1, localhost) or 169.254.170.2, 169.254.170.23, "
        f"fd00:ec2::23 (got {parts.scheme}://{host})"
    )


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
    import json

    from ._http import HttpFailure, exchange

    uri = container_uri(env)
    parts = split_url(uri)
    headers = {"Accept": "application/json"}
    token = _token(env)
    if token:
        headers["Authorization"] = token
    source = f"container endpoint {parts.scheme}://{parts.netloc}{parts.path or '/'}"
    last_error = ""
    for _attempt in range(3):  # the agent may not be ready in the first milliseconds
        try:
            status, body = exchange("GET", uri, headers=headers, timeout=timeout)
        except HttpFailure as exc:
            last_error = str(exc)
            continue
        if status >= 500:
            last_error = f"HTTP {status}"
            continue
        break
    else:
        raise CredentialsError(f"{source}: unreachable ({last_error})")
    if status != 200:
        raise CredentialsError(f"{source}: HTTP {status} (body not shown)")
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
