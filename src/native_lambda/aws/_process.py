"""``credential_process``: run a command that prints credentials as JSON (version 1).

Covers SSO and other identity providers via ``aws configure export-credentials --format
process``. The command's stdout is never echoed: it holds the secret.
"""

from __future__ import annotations

from ._timeparse import parse_timestamp
from ._types import Credentials, CredentialsError


def from_process(command: str, *, profile: str, timeout: float = 60.0) -> Credentials:
    import json
    import shlex
    import subprocess

    source = f"credential_process of profile {profile!r}"
    try:
        argv = shlex.split(command)
    except ValueError as exc:
        raise CredentialsError(f"{source}: cannot split command: {exc}") from None
    try:
        done = subprocess.run(
            argv, capture_output=True, timeout=timeout, check=False, stdin=subprocess.DEVNULL
        )
    except FileNotFoundError:
        raise CredentialsError(f"{source}: command not found: {argv[0]!r}") from None
    except subprocess.TimeoutExpired:
        raise CredentialsError(f"{source}: no answer within {timeout:g} s") from None
    if done.returncode != 0:
        detail = done.stderr.decode("utf-8", "replace").strip()[-500:]
        raise CredentialsError(
            f"{source}: {argv[0]!r} exited with status {done.returncode}"
            + (f": {detail}" if detail else "")
        )
    try:
        data = json.loads(done.stdout)
    except ValueError:
        raise CredentialsError(
            f"{source}: output is not JSON ({len(done.stdout)} bytes, not shown)"
        ) from None
    if not isinstance(data, dict) or data.get("Version") != 1:
        raise CredentialsError(f'{source}: output must be a JSON object with "Version": 1')
    key, secret = data.get("AccessKeyId"), data.get("SecretAccessKey")
    if not isinstance(key, str) or not isinstance(secret, str) or not key or not secret:
        raise CredentialsError(f"{source}: output lacks AccessKeyId or SecretAccessKey")
    expiration = data.get("Expiration")
    return Credentials(
        key,
        secret,
        data.get("SessionToken"),
        expiration=parse_timestamp(expiration) if expiration else None,
        source=source,
    )
