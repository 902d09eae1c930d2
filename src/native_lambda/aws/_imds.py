"""EC2 instance metadata (IMDSv2): a session token by ``PUT /latest/api/token``, then the
instance role's name and its credentials with that token.

The endpoint is ``http://169.254.169.254/`` unless ``AWS_EC2_METADATA_SERVICE_ENDPOINT`` says
otherwise; ``AWS_EC2_METADATA_DISABLED=true`` turns this source off. The SDKs' one-second
timeout keeps the chain quick off EC2. IMDSv1 (no token) is not used.
"""

from __future__ import annotations

from ._http import HttpFailure, exchange
from ._timeparse import parse_timestamp
from ._types import Credentials, CredentialsError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Mapping, Optional

DEFAULT_ENDPOINT = "http://169.254.169.254/"
TOKEN_PATH = "latest/api/token"
ROLE_PATH = "latest/meta-data/iam/security-credentials/"
TOKEN_TTL = "21600"


def disabled(env: Mapping[str, str]) -> bool:
    return (env.get("AWS_EC2_METADATA_DISABLED") or "").strip().lower() == "true"


def base_url(env: Mapping[str, str]) -> str:
    url = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT") or DEFAULT_ENDPOINT
    return url if url.endswith("/") else url + "/"


def from_imds(env: Mapping[str, str], *, timeout: float = 1.0) -> Optional[Credentials]:
    """Credentials of the instance role; None when no metadata service answers the token
    request (not on EC2, or IMDSv2 turned off).

    Raises :class:`CredentialsError` when the service answers but gives no usable role.
    """
    import json

    base = base_url(env)
    source = f"EC2 instance metadata {base}"
    try:
        status, token = exchange(
            "PUT",
            base + TOKEN_PATH,
            headers={"X-aws-ec2-metadata-token-ttl-seconds": TOKEN_TTL},
            timeout=timeout,
        )
    except HttpFailure:
        return None
    if status in (403, 404, 405):  # IMDSv2 off or not a metadata service: not on EC2
        return None
    if status != 200 or not token:
        raise CredentialsError(f"{source}: IMDSv2 token request answered HTTP {status}")
    headers = {"X-aws-ec2-metadata-token": token.decode("ascii", "replace").strip()}
    try:
        status, names = exchange("GET", base + ROLE_PATH, headers=headers, timeout=timeout)
        if status == 404:
            raise CredentialsError(f"{source}: the instance has no IAM role attached")
        if status != 200:
            raise CredentialsError(f"{source}: role lookup answered HTTP {status}")
        role = names.decode("utf-8", "replace").strip().splitlines()
        if not role:
            raise CredentialsError(f"{source}: the instance has no IAM role attached")
        status, body = exchange("GET", base + ROLE_PATH + role[0], headers=headers, timeout=timeout)
    except HttpFailure as exc:
        raise CredentialsError(f"{source}: {exc}") from None
    if status != 200:
        raise CredentialsError(f"{source}: credentials of role {role[0]!r}: HTTP {status}")
    try:
        data = json.loads(body)
        key, secret = data["AccessKeyId"], data["SecretAccessKey"]
    except (ValueError, KeyError, TypeError):
        raise CredentialsError(
            f"{source}: answer for role {role[0]!r} lacks AccessKeyId/SecretAccessKey"
        ) from None
    expiration = data.get("Expiration")
    return Credentials(
        key,
        secret,
        data.get("Token"),
        expiration=parse_timestamp(expiration) if expiration else None,
        source=f"{source} (role {role[0]})",
    )
