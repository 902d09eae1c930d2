"""What one profile of the shared files yields, in the AWS CLI's order within a profile:
assume-role (``role_arn``) → web identity → SSO → static keys of the credentials file →
``credential_process`` → static keys of the config file.

Values of the credentials file win over the config file's for the same key, as in the CLI.
A role profile takes its source credentials from ``source_profile`` (any profile this module
resolves, chains included) or ``credential_source`` (``Environment``, ``Ec2InstanceMetadata``,
``EcsContainer``). Options this module cannot honour (``mfa_serial``) are named in the error.
"""

from __future__ import annotations

from ._config import ConfigError, profile_settings
from ._types import Credentials, CredentialsError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, List, Mapping, Optional

CREDENTIAL_SOURCES = ("Environment", "Ec2InstanceMetadata", "EcsContainer")


def session_name() -> str:
    import time

    return f"native-lambda-{int(time.time())}"


def sts_region(settings: Mapping[str, str], env: Mapping[str, str]) -> str:
    return (
        env.get("AWS_REGION")
        or env.get("AWS_DEFAULT_REGION")
        or settings.get("region")
        or "us-east-1"
    )


def static_keys(settings: Mapping[str, str], source: str) -> Optional[Credentials]:
    key = settings.get("aws_access_key_id")
    secret = settings.get("aws_secret_access_key")
    if not key and not secret:
        return None
    if not key or not secret:
        raise CredentialsError(f"{source}: needs both aws_access_key_id and aws_secret_access_key")
    return Credentials(key, secret, settings.get("aws_session_token"), source=source)


def _settings(name: str, env: Mapping[str, str]) -> tuple:
    try:
        return profile_settings(name, env)
    except ConfigError as exc:
        raise CredentialsError(str(exc)) from None


def web_identity(
    role_arn: str,
    token_file: str,
    *,
    name: Optional[str],
    settings: Mapping[str, str],
    env: Mapping[str, str],
    timeout: float,
) -> Credentials:
    from ._sts import assume_role_with_web_identity

    where = f"profile {name!r}" if name else "AWS_WEB_IDENTITY_TOKEN_FILE"
    source = f"web identity ({where}, role {role_arn})"
    try:
        with open(token_file, encoding="utf-8") as handle:
            token = handle.read().strip()
    except OSError as exc:
        raise CredentialsError(
            f"{source}: cannot read token file {token_file}: {exc.strerror}"
        ) from None
    if not token:
        raise CredentialsError(f"{source}: token file {token_file} is empty")
    session = (
        (env.get("AWS_ROLE_SESSION_NAME") if name is None else None)
        or settings.get("role_session_name")
        or session_name()
    )
    return assume_role_with_web_identity(
        token,
        role_arn,
        session_name=session,
        region=sts_region(settings, env),
        env=env,
        source=source,
        timeout=timeout,
    )


def _role_source(
    name: str,
    merged: Mapping[str, str],
    env: Mapping[str, str],
    timeout: float,
    visited: List[str],
) -> Credentials:
    """The credentials that sign a role profile's AssumeRole call."""
    source_profile = merged.get("source_profile")
    credential_source = merged.get("credential_source")
    if source_profile and credential_source:
        raise CredentialsError(
            f"profile {name!r} sets both source_profile and credential_source: keep one"
        )
    if source_profile:
        if source_profile == name:  # the CLI allows this: the profile's own static keys
            found = static_keys(merged, f"profile {name!r}")
        else:
            creds_file, config_file = _settings(source_profile, env)
            if not creds_file and not config_file:
                raise CredentialsError(
                    f"profile {name!r} uses source_profile {source_profile!r}, which is not in "
                    "the shared config/credentials files"
                )
            found = from_profile(source_profile, env, timeout=timeout, visited=[*visited, name])
        if found is None:
            raise CredentialsError(
                f"profile {name!r} uses source_profile {source_profile!r}, which has no credentials"
            )
        return found
    if credential_source == "Environment":
        from ._env import from_env

        found = from_env(env)
        if found is None:
            raise CredentialsError(
                f"profile {name!r} uses credential_source Environment, but "
                "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY are not set"
            )
        return found
    if credential_source == "Ec2InstanceMetadata":
        from ._imds import from_imds

        found = from_imds(env)
        if found is None:
            raise CredentialsError(
                f"profile {name!r} uses credential_source Ec2InstanceMetadata, but no instance "
                "metadata service answered"
            )
        return found
    if credential_source == "EcsContainer":
        from ._container import from_container

        return from_container(env, timeout=timeout)
    if credential_source:
        raise CredentialsError(
            f"profile {name!r} uses credential_source {credential_source!r}, which is not one "
            f"of {', '.join(CREDENTIAL_SOURCES)}"
        )
    raise CredentialsError(
        f"profile {name!r} uses role_arn, which needs source_profile or credential_source"
    )


def _assume(
    name: str, merged: Mapping[str, str], env: Mapping[str, str], timeout: float, visited: List[str]
) -> Credentials:
    from ._sts import assume_role

    if name in visited:
        chain = " -> ".join([*visited, name])
        raise CredentialsError(f"profile {name!r}: source_profile loop ({chain})")
    if merged.get("mfa_serial"):
        raise CredentialsError(
            f"profile {name!r} uses mfa_serial, which needs an MFA code typed at a prompt; this "
            "tool cannot ask for one: export temporary credentials (for example with "
            f"`aws configure export-credentials --profile {name} --format env`)"
        )
    signer = _role_source(name, merged, env, timeout, visited)
    role_arn = merged["role_arn"]
    return assume_role(
        signer,
        role_arn,
        session_name=merged.get("role_session_name") or session_name(),
        region=sts_region(merged, env),
        env=env,
        source=f"assume-role profile {name!r} (role {role_arn}, via {signer.source})",
        external_id=merged.get("external_id"),
        duration_seconds=merged.get("duration_seconds"),
        timeout=timeout,
    )


def from_profile(
    name: str,
    env: Mapping[str, str],
    *,
    timeout: float = 5.0,
    use_env: bool = False,
    visited: Optional[List[str]] = None,
) -> Optional[Credentials]:
    """Credentials that profile ``name`` defines; None when it defines none.

    ``use_env``: also honour ``AWS_WEB_IDENTITY_TOKEN_FILE``/``AWS_ROLE_ARN`` (the default
    chain does; a source profile does not).
    """
    creds_file, config_file = _settings(name, env)
    merged: Dict[str, str] = dict(config_file)
    merged.update(creds_file)
    visited = visited or []
    token_file = merged.get("web_identity_token_file")
    if merged.get("role_arn") and not token_file:
        return _assume(name, merged, env, timeout, visited)
    env_role, env_token = env.get("AWS_ROLE_ARN"), env.get("AWS_WEB_IDENTITY_TOKEN_FILE")
    if use_env and env_role and env_token:
        return web_identity(
            env_role, env_token, name=None, settings=merged, env=env, timeout=timeout
        )
    if token_file:
        role = merged.get("role_arn")
        if not role:
            raise CredentialsError(
                f"profile {name!r} uses web_identity_token_file, which needs role_arn too"
            )
        return web_identity(role, token_file, name=name, settings=merged, env=env, timeout=timeout)
    if config_file.get("sso_session") or config_file.get("sso_start_url"):
        from ._sso import from_sso

        return from_sso(name, config_file, env, timeout=timeout)
    found = static_keys(creds_file, f"credentials file profile {name!r}")
    if found is not None:
        return found
    process = merged.get("credential_process")
    if process:
        from ._process import from_process

        return from_process(process, profile=name, timeout=max(timeout, 60.0))
    return static_keys(config_file, f"config file profile {name!r}")
