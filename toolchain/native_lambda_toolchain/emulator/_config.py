"""What the service is configured with, and the names every API module shares."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass

RUNTIME_PREFIX = "/2018-06-01/runtime/"
EXTENSION_PREFIX = "/2020-01-01/extension/"
INVOKE_PREFIX = "/2015-03-31/functions/"
STREAM_INVOKE_PREFIX = "/2021-11-15/functions/"
STREAM_INVOKE_SUFFIX = "/response-streaming-invocations"
ACCOUNT_ID = "012345678912"
ACCEPTED = b'{"status":"OK"}'
_ERROR_TYPE_RE = re.compile(r"(Runtime|Function)\.[A-Z][a-zA-Z]+")


@dataclass
class ServiceConfig:
    command: list[str] | None  # None: an external runtime connects by itself
    env: dict[str, str]  # the complete environment of the runtime process
    cwd: str | None
    function_name: str
    memory_mb: int
    timeout_s: float
    region: str
    eager: bool = True
    version: str = "$LATEST"
    handler: str = ""
    external_extensions: frozenset[str] = frozenset()
    validate_json: bool = False
    init_error_grace_s: float = 2.0  # time a runtime gets to exit by itself after /init/error
    echo: Callable[[bytes], None] | None = None
    max_concurrency: int = 1  # AWS_LAMBDA_MAX_CONCURRENCY (Managed Instances)

    @property
    def function_arn(self) -> str:
        return f"arn:aws:lambda:{self.region}:{ACCOUNT_ID}:function:{self.function_name}"


def max_concurrency(env: Mapping[str, str]) -> int:
    """``AWS_LAMBDA_MAX_CONCURRENCY`` (Managed Instances): invocations out at once."""
    raw = env.get("AWS_LAMBDA_MAX_CONCURRENCY", "")
    if not raw:
        return 1
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"AWS_LAMBDA_MAX_CONCURRENCY={raw!r}: expected a whole number >= 1")
    return int(raw)


def header_error_type(value: str | None) -> str:
    value = value or ""
    if _ERROR_TYPE_RE.match(value):
        return value
    return "Function.Unknown" if value.startswith("Function.") else "Runtime.Unknown"
