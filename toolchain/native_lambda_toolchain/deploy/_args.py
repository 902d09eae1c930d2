"""The AWS options that ``deploy`` and ``invoke`` share (argparse only: no httpx here, so
building the CLI parser stays cheap)."""

from __future__ import annotations

import argparse


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
