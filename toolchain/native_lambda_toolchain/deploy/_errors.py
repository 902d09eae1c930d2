"""Errors of the deploy tool: AWS API errors keep AWS's code; local problems say what to do."""

from __future__ import annotations


class LambdaApiError(Exception):
    """An error answer of the Lambda API: AWS's error code, its message and the HTTP status."""

    def __init__(
        self, code: str, message: str, status: int, *, request_id: str | None = None
    ) -> None:
        self.code = code
        self.message = message
        self.status = status
        self.request_id = request_id
        super().__init__(f"{code} (HTTP {status}): {message}")


class DeployError(Exception):
    """A local precondition failed (missing artifact, no role, function failed to activate)."""
