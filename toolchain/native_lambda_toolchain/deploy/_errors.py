"""Errors of the deploy tool, rendered by ``cli.main`` like every toolchain error: AWS API
errors keep AWS's code (exit 1); local problems say what to do (exit 2)."""

from __future__ import annotations

from ..errors import ToolchainError


class LambdaApiError(ToolchainError):
    """An error answer of the Lambda API: AWS's error code, its message and the HTTP status."""

    def __init__(
        self, code: str, message: str, status: int, *, request_id: str | None = None
    ) -> None:
        self.code = code
        self.aws_message = message
        self.status = status
        self.request_id = request_id
        super().__init__(f"AWS error {code} (HTTP {status}): {message}", exit_code=1)


class DeployError(ToolchainError):
    """A local precondition failed (missing artifact, no role, function failed to activate)."""

    exit_code = 2


class UncertainOutcome(ToolchainError):
    """A write reached the endpoint but no clear answer came back (5xx, timeout, reset).

    It may have taken effect, so it is never simply sent again: the caller re-checks the
    state (layer content hash, the function's CodeSha256) or reports it as it is.
    """

    def __init__(self, operation: str, reason: str) -> None:
        self.operation = operation
        self.reason = reason
        super().__init__(
            f"{operation}: {reason}; the request reached the endpoint, so it may have taken effect"
        )


def may_have_run(what: str) -> DeployError:
    """An invocation that got no clear answer: never sent again (the function may have run).
    ``what`` names the call and what went wrong."""
    return DeployError(
        f"{what}; an invocation is not repeated, because the function may have run",
        hint="look at the function's logs before invoking again",
        exit_code=1,
    )
