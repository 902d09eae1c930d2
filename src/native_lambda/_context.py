"""The ``context`` argument, attribute-compatible with awslambdaric's ``LambdaContext``.

Built once per invocation, so it is ``__slots__`` only and the per-process values (function
name, memory, log group...) are class attributes filled once by :func:`load_environment`.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Any, Optional


class CognitoIdentity:
    """``context.identity``: the Amazon Cognito identity of a mobile-SDK caller."""

    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, identity: Optional[dict[str, Any]] = None) -> None:
        identity = identity or {}
        self.cognito_identity_id = identity.get("cognitoIdentityId")
        self.cognito_identity_pool_id = identity.get("cognitoIdentityPoolId")

    def __repr__(self) -> str:
        return (
            f"CognitoIdentity([cognito_identity_id={self.cognito_identity_id},"
            f"cognito_identity_pool_id={self.cognito_identity_pool_id}])"
        )


class Client:
    """``context.client_context.client``: the calling mobile application."""

    __slots__ = (
        "app_package_name",
        "app_title",
        "app_version_code",
        "app_version_name",
        "installation_id",
    )

    def __init__(self, client: dict[str, Any]) -> None:
        self.installation_id = client.get("installation_id")
        self.app_title = client.get("app_title")
        self.app_version_name = client.get("app_version_name")
        self.app_version_code = client.get("app_version_code")
        self.app_package_name = client.get("app_package_name")

    def __repr__(self) -> str:
        return (
            f"Client([installation_id={self.installation_id},app_title={self.app_title},"
            f"app_version_name={self.app_version_name},"
            f"app_version_code={self.app_version_code},"
            f"app_package_name={self.app_package_name}])"
        )


class ClientContext:
    """``context.client_context``: decoded ``Lambda-Runtime-Client-Context``."""

    __slots__ = ("client", "custom", "env")

    def __init__(self, data: dict[str, Any]) -> None:
        client = data.get("client")
        self.client = Client(client) if isinstance(client, dict) else None
        self.custom = data.get("custom")
        self.env = data.get("env")

    def __repr__(self) -> str:
        return f"ClientContext([custom={self.custom},env={self.env},client={self.client}])"


class Context:
    """Invocation metadata passed as the handler's second argument."""

    __slots__ = (
        "aws_request_id",
        "client_context",
        "deadline_ms",
        "identity",
        "invoked_function_arn",
        "tenant_id",
        "xray_trace_id",
    )

    # Per-process values (same for every invocation); see load_environment().
    function_name: Optional[str] = None
    function_version: Optional[str] = None
    memory_limit_in_mb: Optional[str] = None
    log_group_name: Optional[str] = None
    log_stream_name: Optional[str] = None

    def __init__(
        self,
        aws_request_id: str,
        invoked_function_arn: Optional[str] = None,
        deadline_ms: int = 0,
        client_context: Optional[ClientContext] = None,
        identity: Optional[CognitoIdentity] = None,
        tenant_id: Optional[str] = None,
        xray_trace_id: Optional[str] = None,
    ) -> None:
        self.aws_request_id = aws_request_id
        self.invoked_function_arn = invoked_function_arn
        self.deadline_ms = deadline_ms
        self.client_context = client_context
        self.identity = identity if identity is not None else CognitoIdentity()
        self.tenant_id = tenant_id
        self.xray_trace_id = xray_trace_id

    def get_remaining_time_in_millis(self) -> int:
        """Milliseconds left before Lambda stops this invocation (0 once past the deadline)."""
        remaining = self.deadline_ms - int(time.time() * 1000)
        return remaining if remaining > 0 else 0

    def log(self, message: object) -> None:
        """awslambdaric's ``context.log``: write the message as-is to the function's log."""
        sys.stdout.write(str(message))

    def __repr__(self) -> str:
        return (
            f"Context([aws_request_id={self.aws_request_id},"
            f"log_group_name={self.log_group_name},log_stream_name={self.log_stream_name},"
            f"function_name={self.function_name},memory_limit_in_mb={self.memory_limit_in_mb},"
            f"function_version={self.function_version},"
            f"invoked_function_arn={self.invoked_function_arn},"
            f"client_context={self.client_context},identity={self.identity},"
            f"tenant_id={self.tenant_id}])"
        )


def load_environment() -> None:
    """Copy the per-process ``AWS_LAMBDA_*`` values onto :class:`Context` once, at init."""
    env = os.environ
    Context.function_name = env.get("AWS_LAMBDA_FUNCTION_NAME")
    Context.function_version = env.get("AWS_LAMBDA_FUNCTION_VERSION")
    # A string, as in awslambdaric (it is the raw environment value there too).
    Context.memory_limit_in_mb = env.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
    Context.log_group_name = env.get("AWS_LAMBDA_LOG_GROUP_NAME")
    Context.log_stream_name = env.get("AWS_LAMBDA_LOG_STREAM_NAME")
