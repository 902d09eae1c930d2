"""What ``deploy`` and ``invoke`` share: AWS options, project settings, client creation."""

from __future__ import annotations

import argparse
import os
import platform
import sys
from pathlib import Path
from typing import Any

from native_lambda.aws import (
    Credentials,
    CredentialsError,
    CredentialsProvider,
    resolve_credentials,
    resolve_region,
)

from ._client import LambdaClient
from ._endpoint import resolve_endpoint
from ._errors import DeployError

# Used only against the local emulator, which ignores signatures.
LOCAL_CREDENTIALS = ("LOCALEMULATORKEY", "local-emulator-ignores-signatures")


def add_aws_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("AWS")
    group.add_argument(
        "--endpoint-url",
        help="Lambda API endpoint (moto, LocalStack, the emulator); "
        "default AWS_ENDPOINT_URL_LAMBDA, AWS_ENDPOINT_URL, then AWS",
    )
    group.add_argument(
        "--region", help="AWS region (default AWS_REGION, AWS_DEFAULT_REGION, profile)"
    )
    group.add_argument("--profile", help="profile of the shared config/credentials files")


def project_settings(start: Path | None = None) -> dict[str, Any]:
    """``[tool.native-lambda]`` of the nearest pyproject.toml (empty if none)."""
    from ..config import find_project, read_tool_table

    pyproject = find_project(start or Path.cwd()) / "pyproject.toml"
    return read_tool_table(pyproject) if pyproject.is_file() else {}


def host_architecture() -> str:
    return "arm64" if platform.machine().lower() in ("aarch64", "arm64") else "x86_64"


def make_client(
    args: argparse.Namespace, *, local: bool = False, endpoint: str | None = None
) -> LambdaClient:
    """A signed Lambda client for ``args``; raises CredentialsError/DeployError with advice."""
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
    if local:
        try:
            credentials = resolve_credentials(profile=args.profile)
        except CredentialsError:
            credentials = Credentials(*LOCAL_CREDENTIALS, source="local emulator placeholder")
    else:
        credentials = resolve_credentials(profile=args.profile)
    return LambdaClient(
        endpoint=target,
        region=region,
        credentials=credentials,
        on_retry=lambda message: print(f"native-lambda: {message}", file=sys.stderr),
    )


def report_error(command: str, exc: BaseException) -> int:
    """Print an error without a traceback; exit status 2 for setup problems, 1 otherwise."""
    from ._errors import LambdaApiError

    if isinstance(exc, LambdaApiError):
        print(
            f"native-lambda {command}: AWS error {exc.code} (HTTP {exc.status}): {exc.message}",
            file=sys.stderr,
        )
        return 1
    print(f"native-lambda {command}: {exc}", file=sys.stderr)
    return 2
