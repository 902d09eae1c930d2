"""``native-lambda deploy``: publish dist/layer.zip as a layer and create or update the
function from dist/function.zip (runtime provided.al2023, handler ``bootstrap``)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from ._options import parse_env_pairs


def register(subparsers: Any) -> None:
    from native_lambda_toolchain.deploy import add_aws_arguments

    parser = subparsers.add_parser(
        "deploy",
        help="deploy dist/ to AWS Lambda (layer + function)",
        description=__doc__,
    )
    parser.add_argument(
        "name",
        nargs="?",
        help="function name (default [tool.native-lambda] function-name or LAMBDA_FUNCTION_NAME)",
    )
    parser.add_argument(
        "--role",
        help="execution role ARN (default LAMBDA_ROLE_ARN, then [tool.native-lambda] role)",
    )
    parser.add_argument("--memory", type=int, help="memory in MB (default 128)")
    parser.add_argument("--timeout", type=int, help="timeout in seconds (default 15)")
    parser.add_argument(
        "--env",
        action="append",
        default=[],
        metavar="K=V",
        help="environment variable for the function (repeatable)",
    )
    parser.add_argument(
        "--architecture",
        choices=("x86_64", "arm64"),
        help="instruction set (default: the build's, from dist/build.json)",
    )
    parser.add_argument("--handler", default=None, help="handler setting (default 'bootstrap')")
    parser.add_argument("--dist", type=Path, default=Path("dist"), help="build output directory")
    parser.add_argument("--layer-name", help="layer name (default '<function>-libs')")
    parser.add_argument(
        "--layer",
        action="append",
        default=[],
        metavar="ARN",
        help="extra layer version ARN to attach (repeatable)",
    )
    parser.add_argument("--delete", action="store_true", help="delete the function instead")
    add_aws_arguments(parser)
    parser.set_defaults(func=run)


def _number(value: object, what: str) -> int:
    from native_lambda_toolchain.deploy import DeployError

    try:
        return int(str(value))
    except ValueError:
        raise DeployError(
            f"[tool.native-lambda] {what} must be a whole number, got {value!r}"
        ) from None


def run(args: argparse.Namespace) -> int:
    from native_lambda_toolchain.deploy import (
        DeployError,
        DeploySpec,
        deploy,
        deploy_architecture,
        make_client,
        project_settings,
    )

    settings = project_settings()
    name = args.name or settings.get("function-name") or os.environ.get("LAMBDA_FUNCTION_NAME")
    if not name:
        raise DeployError(
            "no function name: pass NAME, set LAMBDA_FUNCTION_NAME or "
            "[tool.native-lambda] function-name"
        )
    with make_client(args) as client:
        if args.delete:
            client.delete_function(name)
            print(f"function {name}: deleted")
            return 0
        spec = DeploySpec(
            function_name=name,
            dist=args.dist,
            role=args.role or os.environ.get("LAMBDA_ROLE_ARN") or settings.get("role"),
            handler=args.handler or settings.get("lambda-handler", "bootstrap"),
            memory_mb=args.memory or _number(settings.get("memory", 128), "memory"),
            timeout_s=args.timeout or _number(settings.get("timeout", 15), "timeout"),
            architecture=deploy_architecture(
                args.dist, args.architecture, settings.get("architecture"), print
            ),
            environment=parse_env_pairs(args.env),
            layer_name=args.layer_name,
            extra_layers=list(args.layer),
        )
        result = deploy(client, spec)
        if client.retries:
            print(f"({client.retries} throttled or failed calls retried)")
    print(result.function_arn)
    return 0
