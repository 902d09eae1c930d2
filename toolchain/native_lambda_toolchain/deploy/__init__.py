"""Deploy to AWS Lambda and invoke: a Lambda API client on httpx with our own SigV4.

This door imports nothing at import time: ``--help`` and the parser (``add_aws_arguments``)
must not load httpx. Each name loads its module on first access.
"""

from __future__ import annotations

from typing import Any

_WHERE = {
    "add_aws_arguments": "_args",
    "InvokeOutput": "_invoke",
    "service_failure": "_invoke",
    "LambdaClient": "_client",
    "DeployResult": "_deploy",
    "DeploySpec": "_deploy",
    "deploy": "_deploy",
    "ensure_layer": "_deploy",
    "LOCAL_ENDPOINT": "_endpoint",
    "capacity_config": "_managed",
    "StreamOutput": "_stream",
    "AUTH_TYPES": "_url",
    "UrlSpec": "_url",
    "resolve_endpoint": "_endpoint",
    "DeployError": "_errors",
    "LambdaApiError": "_errors",
    "UncertainOutcome": "_errors",
    "RetryPolicy": "_retry",
    "deploy_architecture": "_session",
    "make_client": "_session",
    "project_settings": "_session",
}

__all__ = sorted(_WHERE)


def __getattr__(name: str) -> Any:
    module_name = _WHERE.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module_name}"), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
