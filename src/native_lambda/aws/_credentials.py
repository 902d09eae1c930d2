"""AWS credentials: the value object and the resolution chain.

Order (as the AWS SDKs): environment variables → shared credentials file → a profile's
``credential_process`` → static keys in the config file → the container credentials
endpoint (ECS, EKS Pod Identity, Lambda SnapStart/local tools). Inside Lambda the
environment always has keys, so nothing beyond ``os.environ`` is read at a cold start.

Secrets never reach a repr, a log line or an exception message.
"""

from __future__ import annotations

import os
import time

from ._config import ConfigError, profile_settings

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Mapping, Optional

# Refresh temporary credentials this long before they expire.
REFRESH_MARGIN_S = 300.0


class CredentialsError(Exception):
    """No usable credentials; the message says which source failed and why (never a secret)."""


class Credentials:
    """An access key pair, optionally temporary (session token + expiry).

    ``repr`` shows the first four characters of the key id and masks everything else, so
    credentials can be logged by accident without leaking.
    """

    __slots__ = ("access_key_id", "expiration", "secret_access_key", "session_token", "source")

    def __init__(
        self,
        access_key_id: str,
        secret_access_key: str,
        session_token: Optional[str] = None,
        *,
        expiration: Optional[float] = None,
        source: str = "explicit",
    ) -> None:
        if not access_key_id or not secret_access_key:
            raise CredentialsError(f"{source}: access key id or secret access key is empty")
        self.access_key_id = access_key_id
        self.secret_access_key = secret_access_key
        self.session_token = session_token or None
        self.expiration = expiration  # seconds since the epoch, None = does not expire
        self.source = source

    def expired(self, margin: float = REFRESH_MARGIN_S, now: Optional[float] = None) -> bool:
        if self.expiration is None:
            return False
        return (time.time() if now is None else now) + margin >= self.expiration

    def __repr__(self) -> str:
        token = ", session_token='****'" if self.session_token else ""
        return (
            f"Credentials(access_key_id='{_mask(self.access_key_id)}', "
            f"secret_access_key='****'{token}, source={self.source!r})"
        )

    __str__ = __repr__

    def __reduce__(self) -> str:  # keep secrets out of pickles sent to other processes
        raise TypeError("Credentials are not picklable")


def _mask(value: str) -> str:
    return value[:4] + "****" if len(value) > 8 else "****"


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


def _from_profile_keys(settings: Mapping[str, str], source: str) -> Optional[Credentials]:
    key = settings.get("aws_access_key_id")
    secret = settings.get("aws_secret_access_key")
    if not key and not secret:
        return None
    if not key or not secret:
        raise CredentialsError(f"{source}: needs both aws_access_key_id and aws_secret_access_key")
    return Credentials(key, secret, settings.get("aws_session_token"), source=source)


def resolve_credentials(
    *,
    profile: Optional[str] = None,
    env: Optional[Mapping[str, str]] = None,
    timeout: float = 5.0,
) -> Credentials:
    """Find credentials the way the AWS CLI does; raise :class:`CredentialsError` if none.

    An explicit ``profile`` skips the environment keys (as ``--profile`` does in the CLI);
    ``AWS_PROFILE`` only selects the profile.
    """
    env = os.environ if env is None else env
    if profile is None:
        found = from_env(env)
        if found is not None:
            return found
    name = profile or env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE") or "default"
    try:
        creds_file, config_file = profile_settings(name, env)
    except ConfigError as exc:
        raise CredentialsError(str(exc)) from None
    found = _from_profile_keys(creds_file, f"credentials file profile {name!r}")
    if found is not None:
        return found
    process = creds_file.get("credential_process") or config_file.get("credential_process")
    if process:
        from ._process import from_process

        return from_process(process, profile=name, timeout=max(timeout, 60.0))
    found = _from_profile_keys(config_file, f"config file profile {name!r}")
    if found is not None:
        return found
    if env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI") or env.get(
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
    ):
        from ._container import from_container

        return from_container(env, timeout=timeout)
    explicit = profile is not None or "AWS_PROFILE" in env
    if explicit and not creds_file and not config_file:
        raise CredentialsError(f"profile {name!r} not found in the shared config/credentials files")
    raise CredentialsError(
        "no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile in "
        "~/.aws/credentials or ~/.aws/config (AWS_PROFILE), credential_process, or the "
        "container credentials endpoint"
    )


class CredentialsProvider:
    """Resolve once, then reuse until the credentials are about to expire.

    Functions keep one of these at module level: the first AWS call resolves, later calls
    are a dictionary-free attribute read.
    """

    def __init__(
        self,
        *,
        profile: Optional[str] = None,
        env: Optional[Mapping[str, str]] = None,
        credentials: Optional[Credentials] = None,
    ) -> None:
        self._profile = profile
        self._env = env
        self._credentials = credentials

    def get(self) -> Credentials:
        creds = self._credentials
        if creds is None or creds.expired():
            creds = resolve_credentials(profile=self._profile, env=self._env)
            self._credentials = creds
        return creds

    def __repr__(self) -> str:
        return f"CredentialsProvider(profile={self._profile!r}, cached={self._credentials!r})"


def resolve_region(
    *, profile: Optional[str] = None, env: Optional[Mapping[str, str]] = None
) -> Optional[str]:
    """``AWS_REGION`` → ``AWS_DEFAULT_REGION`` → the profile's ``region`` → None."""
    env = os.environ if env is None else env
    region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
    if region:
        return region
    name = profile or env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE") or "default"
    try:
        _, config_file = profile_settings(name, env)
    except ConfigError:
        return None
    return config_file.get("region") or None
