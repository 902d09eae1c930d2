"""``native-lambda deploy``: publish dist/layer.zip as a layer and create or update the
function from dist/function.zip (runtime provided.al2023, handler ``bootstrap``)."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import Any

from ._options import parse_env_pairs


def register(subparsers: Any) -> None:
    from native_lambda_toolchain.deploy import AUTH_TYPES, add_aws_arguments

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
    url = parser.add_argument_group("function URL")
    url.add_argument(
        "--url", action="store_true", help="create or update the function's URL (and print it)"
    )
    url.add_argument(
        "--stream",
        action="store_true",
        help="with --url: InvokeMode RESPONSE_STREAM, for streaming handlers (default BUFFERED)",
    )
    url.add_argument(
        "--url-auth",
        choices=AUTH_TYPES,
        help="with --url: AWS_IAM (default; signed callers) or NONE (public, and the resource "
        "policy allows anyone to call it)",
    )
    managed = parser.add_argument_group("Lambda Managed Instances")
    managed.add_argument(
        "--capacity-provider",
        metavar="ARN",
        help="run on this capacity provider (only when the function is created)",
    )
    managed.add_argument(
        "--max-concurrency",
        type=int,
        metavar="N",
        help="invocations at once per execution environment (PerExecutionEnvironmentMax"
        "Concurrency, 1-1600; needs --capacity-provider)",
    )
    managed.add_argument(
        "--memory-per-vcpu",
        type=float,
        metavar="GIB",
        help="GiB of memory per vCPU: 2, 4 or 8 (needs --capacity-provider)",
    )
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


def _url_spec(args: argparse.Namespace) -> Any:
    """The function URL wanted, or None; options that need --url are refused without it."""
    from native_lambda_toolchain.deploy import DeployError, UrlSpec

    if not args.url:
        for given, option in ((args.stream, "--stream"), (args.url_auth, "--url-auth")):
            if given:
                raise DeployError(
                    f"{option} sets the function URL, and --url is not given",
                    hint=f"add --url (deploy NAME --url {option} ...)",
                )
        return None
    return UrlSpec(
        auth_type=args.url_auth or "AWS_IAM",
        invoke_mode="RESPONSE_STREAM" if args.stream else "BUFFERED",
    )


def run(args: argparse.Namespace) -> int:
    from native_lambda_toolchain.deploy import (
        DeployError,
        DeploySpec,
        capacity_config,
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
    # Everything that can be refused without AWS is refused before the first call.
    environment = parse_env_pairs(args.env)
    url = _url_spec(args)
    capacity = capacity_config(
        args.capacity_provider, args.max_concurrency, args.memory_per_vcpu, environment
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
            environment=environment,
            layer_name=args.layer_name,
            extra_layers=list(args.layer),
            url=url,
            capacity=capacity,
        )
        result = deploy(client, spec)
        if client.retries:
            print(f"({client.retries} throttled or failed calls retried)")
    print(result.function_arn)
    if result.function_url:
        print(result.function_url)
    return 0
