"""AWS credentials: the resolution chain, a caching provider and the region.

Order (botocore's): environment keys → the profile (assume-role, web identity from
``AWS_WEB_IDENTITY_TOKEN_FILE``/``AWS_ROLE_ARN`` or the profile, SSO, credentials-file keys,
``credential_process``, config-file keys; see ``_profiles``) → the container credentials
endpoint (ECS, EKS Pod Identity, local tools) → EC2 instance metadata (IMDSv2). Inside Lambda
the environment always has keys, so nothing beyond ``os.environ`` is read at a cold start.

Secrets never reach a repr, a log line or an exception message.
"""

from __future__ import annotations

import os

from ._config import ConfigError, profile_settings
from ._env import from_env
from ._profiles import from_profile
from ._types import Credentials, CredentialsError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Mapping, Optional


def resolve_credentials(
    *,
    profile: Optional[str] = None,
    env: Optional[Mapping[str, str]] = None,
    timeout: float = 5.0,
) -> Credentials:
    """Find credentials the way the AWS CLI does; raise :class:`CredentialsError` if none.

    An explicit ``profile`` skips the environment keys and ``AWS_ROLE_ARN`` web identity (as
    ``--profile`` does in the CLI); ``AWS_PROFILE`` only selects the profile.
    """
    env = os.environ if env is None else env
    if profile is None:
        found = from_env(env)
        if found is not None:
            return found
    name = profile or env.get("AWS_PROFILE") or env.get("AWS_DEFAULT_PROFILE") or "default"
    found = from_profile(name, env, timeout=timeout, use_env=profile is None)
    if found is not None:
        return found
    if env.get("AWS_CONTAINER_CREDENTIALS_FULL_URI") or env.get(
        "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
    ):
        from ._container import from_container

        return from_container(env, timeout=timeout)
    explicit = profile is not None or "AWS_PROFILE" in env
    if explicit:
        try:
            creds_file, config_file = profile_settings(name, env)
        except ConfigError as exc:
            raise CredentialsError(str(exc)) from None
        if not creds_file and not config_file:
            raise CredentialsError(
                f"profile {name!r} not found in the shared config/credentials files"
            )
    from ._imds import base_url, disabled, from_imds

    if disabled(env):
        imds = "EC2 instance metadata: off (AWS_EC2_METADATA_DISABLED)"
    else:
        found = from_imds(env, timeout=min(timeout, 1.0))
        if found is not None:
            return found
        imds = f"EC2 instance metadata: no IMDSv2 token from {base_url(env)}"
    raise CredentialsError(
        "no AWS credentials: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile in "
        "~/.aws/credentials or ~/.aws/config (AWS_PROFILE) with keys, role_arn, "
        "sso_session or credential_process, AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN, "
        f"or the container credentials endpoint ({imds})"
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
