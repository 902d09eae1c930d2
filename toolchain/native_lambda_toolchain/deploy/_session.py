"""What ``deploy`` and ``invoke`` share: project settings, the architecture to deploy, and
client creation (credential problems become toolchain errors with advice)."""

from __future__ import annotations

import argparse
import os
import platform
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from native_lambda.aws import (
    Credentials,
    CredentialsError,
    CredentialsProvider,
    resolve_credentials,
    resolve_region,
)

from ..dist import ARCHITECTURES, RECORD, read_record
from ._client import LambdaClient
from ._endpoint import resolve_endpoint
from ._errors import DeployError

# Used only against the local emulator, which ignores signatures.
LOCAL_CREDENTIALS = ("LOCALEMULATORKEY", "local-emulator-ignores-signatures")


def project_settings(start: Path | None = None) -> dict[str, Any]:
    """``[tool.native-lambda]`` of the nearest pyproject.toml (empty if none)."""
    from ..build.config import find_project, read_tool_table

    pyproject = find_project(start or Path.cwd()) / "pyproject.toml"
    return read_tool_table(pyproject) if pyproject.is_file() else {}


def host_architecture() -> str:
    return ARCHITECTURES.get(platform.machine().lower(), "x86_64")


def deploy_architecture(
    dist: Path, requested: str | None, configured: str | None, log: Callable[[str], None]
) -> str:
    """The instruction set to deploy: what the build record says the build produced.

    ``--architecture`` that contradicts the record is refused (the bootstrap would not
    start); without a record, ``--architecture``, the project setting, then this machine.
    A dev-profile build is deployed, with a note that its C is unoptimised.
    """
    record = read_record(dist)
    if record is not None:
        if record.profile != "release":
            log(
                f"note: {dist / RECORD} says this is a {record.profile} build (C compiled "
                "unoptimised, slower): for production, rebuild without --profile"
            )
        built = record.architecture
        if requested and requested != built:
            raise DeployError(
                f"--architecture {requested} contradicts {dist / RECORD}, which says the build "
                f"produced {built}",
                hint=f"rebuild for {requested}, or drop --architecture",
            )
        return built
    if requested or configured:
        return str(requested or configured)
    guessed = host_architecture()
    log(
        f"note: no {dist / RECORD} (zips not made by `native-lambda build`): deploying as "
        f"{guessed}, this machine's architecture; pass --architecture to choose"
    )
    return guessed


def credentials_error(exc: CredentialsError) -> DeployError:
    return DeployError(
        f"AWS credentials: {exc}",
        hint="see the README section on credentials (environment, profiles, SSO, roles)",
    )


def make_client(
    args: argparse.Namespace, *, local: bool = False, endpoint: str | None = None
) -> LambdaClient:
    """A signed Lambda client for ``args``; raises DeployError with advice."""
    region = args.region or resolve_region(profile=args.profile)
    target = endpoint or resolve_endpoint(args.endpoint_url, region or "us-east-1")
    if not region:
        if local or args.endpoint_url or "AWS_ENDPOINT_URL" in os.environ:
            region = "us-east-1"
        else:
            raise DeployError(
                "no AWS region: pass --region or set AWS_REGION (or region in your profile)"
            )
    credentials: Credentials | CredentialsProvider
    try:
        credentials = resolve_credentials(profile=args.profile)
    except CredentialsError as exc:
        if not local:
            raise credentials_error(exc) from None
        credentials = Credentials(*LOCAL_CREDENTIALS, source="local emulator placeholder")
    return LambdaClient(
        endpoint=target,
        region=region,
        credentials=credentials,
        on_retry=lambda message: print(f"native-lambda: {message}", file=sys.stderr),
    )
