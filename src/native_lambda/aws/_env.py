"""Keys from the environment: the first source of the chain, and the only one read inside
Lambda (its runtime always sets them)."""

from __future__ import annotations

from ._types import Credentials, CredentialsError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Mapping, Optional


def from_env(env: Mapping[str, str]) -> Optional[Credentials]:
    key = env.get("AWS_ACCESS_KEY_ID")
    secret = env.get("AWS_SECRET_ACCESS_KEY")
    if not key and not secret:
        return None
    if not key or not secret:
        missing = "AWS_SECRET_ACCESS_KEY" if key else "AWS_ACCESS_KEY_ID"
        raise CredentialsError(f"environment: {missing} is not set (the other key is)")
    token = env.get("AWS_SESSION_TOKEN") or env.get("AWS_SECURITY_TOKEN")
    return Credentials(key, secret, token, source="environment")
