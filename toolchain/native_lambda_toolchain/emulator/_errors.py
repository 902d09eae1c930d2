"""The error answers Lambda gives, word for word, so runtimes are tested against real shapes.

Texts follow Lambda's Runtime API server (RAPID, published as aws-lambda-runtime-interface-
emulator) and what the Invoke API returns for platform errors (timeouts, runtime exits).
"""

from __future__ import annotations

import json
import signal

from ._limits import MAX_RESPONSE_BYTES


def error_json(error_type: str, message: str) -> bytes:
    """Runtime API error body: ``{"errorMessage": ..., "errorType": ...}``."""
    return json.dumps({"errorMessage": message, "errorType": error_type}).encode()


def invalid_request_id() -> tuple[int, bytes]:
    return 400, error_json("InvalidRequestID", "Invalid request ID")


def invalid_state(current: str, target: str) -> tuple[int, bytes]:
    message = (
        f"State transition from {current} to {target} failed for runtime. "
        "Error: State transition is not allowed"
    )
    return 403, error_json("InvalidStateTransition", message)


def response_too_large(limit: int = MAX_RESPONSE_BYTES) -> tuple[int, bytes]:
    message = f"Exceeded maximum allowed payload size ({limit} bytes)."
    return 413, error_json("RequestEntityTooLarge", message)


def request_too_large() -> tuple[int, bytes]:
    """Any other Runtime/Extensions API request whose body is over the limit."""
    return response_too_large()


def function_response_too_large(size: int, limit: int = MAX_RESPONSE_BYTES) -> bytes:
    """What the invoker gets when the runtime's response was over the limit."""
    message = (
        f"Response payload size ({size} bytes) exceeded maximum allowed payload size "
        f"({limit} bytes)."
    )
    return json.dumps(
        {"errorType": "Function.ResponseSizeTooLarge", "errorMessage": message}
    ).encode()


def extension_error(error_type: str, message: str) -> tuple[int, bytes]:
    return 403, error_json(error_type, message)


def timed_out(request_id: str, timeout_s: float) -> bytes:
    message = f"RequestId: {request_id} Error: Task timed out after {timeout_s:.2f} seconds"
    return json.dumps({"errorMessage": message, "errorType": "Sandbox.Timedout"}).encode()


def exit_reason(returncode: int) -> str:
    """Go's wording for a process status, as Lambda prints it ("exit status 1")."""
    if returncode == 0:
        return "Runtime exited without providing a reason"
    if returncode > 0:
        return f"Runtime exited with error: exit status {returncode}"
    try:
        name = (signal.strsignal(-returncode) or f"signal {-returncode}").lower()
    except ValueError:
        name = f"signal {-returncode}"
    return f"Runtime exited with error: signal: {name}"


def runtime_exit(request_id: str, returncode: int) -> bytes:
    message = f"RequestId: {request_id} Error: {exit_reason(returncode)}"
    return json.dumps({"errorType": "Runtime.ExitError", "errorMessage": message}).encode()


def invalid_entrypoint(request_id: str, detail: str) -> bytes:
    message = f"RequestId: {request_id} Error: {detail}"
    return json.dumps({"errorType": "Runtime.InvalidEntrypoint", "errorMessage": message}).encode()


def invoke_api_error(status: int, error_type: str, message: str) -> tuple[int, bytes, str]:
    """An Invoke API (control plane) error: body, and the ``X-Amzn-ErrorType`` header value."""
    return status, json.dumps({"Type": "User", "message": message}).encode(), error_type
