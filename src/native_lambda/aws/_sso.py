"""IAM Identity Center (SSO) profiles: the token that ``aws sso login`` cached, exchanged at
the SSO portal (``GetRoleCredentials``) for the role's credentials.

A profile names ``sso_session`` (a ``[sso-session NAME]`` section with ``sso_start_url`` and
``sso_region``), or carries ``sso_start_url``/``sso_region`` itself (the legacy form). The
token is read from ``~/.aws/sso/cache/<sha1 of the session name, or of the start URL>.json``.
An expired token is not refreshed here: the error says to run ``aws sso login``.
The portal is ``https://portal.sso.<sso_region>.amazonaws.com`` or ``AWS_ENDPOINT_URL_SSO``.
"""

from __future__ import annotations

from ._config import home_path, sso_session
from ._http import HttpFailure, exchange
from ._types import Credentials, CredentialsError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Mapping


def _portal(region: str, env: Mapping[str, str]) -> str:
    url = env.get("AWS_ENDPOINT_URL_SSO") or env.get("AWS_ENDPOINT_URL")
    if url:
        return url.rstrip("/")
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://portal.sso.{region}.{suffix}"


def _cached_token(key: str, login: str, source: str, env: Mapping[str, str]) -> str:
    import hashlib
    import json
    import time

    from ._timeparse import parse_timestamp

    path = home_path(env, f".aws/sso/cache/{hashlib.sha1(key.encode('utf-8')).hexdigest()}.json")
    try:
        with open(path, encoding="utf-8") as handle:
            data = json.load(handle)
        token, expires = data["accessToken"], data["expiresAt"]
    except FileNotFoundError:
        raise CredentialsError(
            f"{source}: no cached SSO token ({path}): run `aws sso login {login}`"
        ) from None
    except (OSError, ValueError, KeyError, TypeError):
        raise CredentialsError(
            f"{source}: {path} is not an SSO token cache file: run `aws sso login {login}`"
        ) from None
    try:
        expired = parse_timestamp(str(expires)) <= time.time()
    except ValueError:
        expired = True
    if expired:
        raise CredentialsError(
            f"{source}: the cached SSO token has expired (this tool does not refresh it): "
            f"run `aws sso login {login}`"
        )
    return str(token)


def from_sso(
    profile: str, settings: Mapping[str, str], env: Mapping[str, str], *, timeout: float = 10.0
) -> Credentials:
    """Credentials of an SSO profile (``settings`` is its config-file section)."""
    import json

    from ._encoding import uri_encode

    source = f"SSO profile {profile!r}"
    session = settings.get("sso_session")
    if session:
        section = sso_session(session, env)
        if not section:
            raise CredentialsError(
                f"profile {profile!r} uses sso_session {session!r}, which has no "
                f"[sso-session {session}] section in the config file"
            )
        start_url, region = section.get("sso_start_url"), section.get("sso_region")
        key, login = session, f"--sso-session {session}"
    else:
        start_url, region = settings.get("sso_start_url"), settings.get("sso_region")
        key, login = start_url or "", f"--profile {profile}"
    account, role = settings.get("sso_account_id"), settings.get("sso_role_name")
    missing = [
        name
        for name, value in (
            ("sso_start_url", start_url),
            ("sso_region", region),
            ("sso_account_id", account),
            ("sso_role_name", role),
        )
        if not value
    ]
    if missing or not region or not account or not role:
        raise CredentialsError(f"{source}: missing {', '.join(missing)}")
    token = _cached_token(key, login, source, env)
    url = (
        _portal(region, env)
        + "/federation/credentials?role_name="
        + uri_encode(role)
        + "&account_id="
        + uri_encode(account)
    )
    try:
        status, body = exchange(
            "GET", url, headers={"x-amz-sso_bearer_token": token}, timeout=timeout
        )
    except HttpFailure as exc:
        raise CredentialsError(f"{source}: SSO portal unreachable ({exc})") from None
    if status in (401, 403):
        raise CredentialsError(
            f"{source}: the SSO portal refused the cached token (HTTP {status}): "
            f"run `aws sso login {login}`"
        )
    if status != 200:
        raise CredentialsError(f"{source}: SSO portal answered HTTP {status}")
    try:
        creds = json.loads(body)["roleCredentials"]
        key_id, secret = creds["accessKeyId"], creds["secretAccessKey"]
    except (ValueError, KeyError, TypeError):
        raise CredentialsError(f"{source}: SSO portal answer lacks roleCredentials") from None
    expiration = creds.get("expiration")
    return Credentials(
        key_id,
        secret,
        creds.get("sessionToken"),
        expiration=expiration / 1000.0 if isinstance(expiration, (int, float)) else None,
        source=f"{source} (account {account}, role {role})",
    )
