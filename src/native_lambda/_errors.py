"""Error results in awslambdaric's shape: ``{"errorMessage","errorType","requestId","stackTrace"}``,
as a typed :class:`Diagnostic`.

``traceback`` is imported only when an error actually happens: the happy path never pays.
"""

from __future__ import annotations

import os
from typing import Any

import msgspec
import msgspec.json

# Error types shared with awslambdaric (lambda_runtime_exception.FaultException).
MARSHAL_ERROR = "Runtime.MarshalError"
UNMARSHAL_ERROR = "Runtime.UnmarshalError"
USER_CODE_SYNTAX_ERROR = "Runtime.UserCodeSyntaxError"
HANDLER_NOT_FOUND = "Runtime.HandlerNotFound"
IMPORT_MODULE_ERROR = "Runtime.ImportModuleError"
BUILT_IN_MODULE_CONFLICT = "Runtime.BuiltInModuleConflict"
MALFORMED_HANDLER_NAME = "Runtime.MalformedHandlerName"
CONTEXT_UNMARSHAL_ERROR = "Runtime.LambdaContextUnmarshalError"
# Ours: the Runtime API refused a response for its size (HTTP 413). Named after the error
# the Invoke API itself reports for that case.
RESPONSE_TOO_LARGE = "Function.ResponseSizeTooLarge"
# Ours: handler annotations that cannot be resolved or turned into a decoder.
HANDLER_TYPE_ERROR = "Runtime.HandlerTypeError"

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


class FaultError(Exception):
    """A failure the runtime reports with its own error type (no user traceback)."""

    def __init__(self, error_type: str, message: str, trace: list[str] | None = None) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []


class Diagnostic(
    msgspec.Struct,
    rename={
        "error_message": "errorMessage",
        "error_type": "errorType",
        "request_id": "requestId",
        "stack_trace": "stackTrace",
    },
):
    """One error result. Encodes to awslambdaric's bytes: its keys, in its order."""

    error_message: str
    error_type: str
    request_id: str = ""
    stack_trace: list[str] = []

    def encode(self) -> bytes:
        return msgspec.json.encode(self)

    def fields(self) -> dict[str, object]:
        """The result's keys and values, for the JSON log record."""
        return {
            "errorMessage": self.error_message,
            "errorType": self.error_type,
            "requestId": self.request_id,
            "stackTrace": self.stack_trace,
        }


def from_exception(exc: BaseException, request_id: str = "") -> Diagnostic:
    """The error result for an exception: its class name, message and user stack frames."""
    return invocation_failure(exc, request_id)[0]


def invocation_failure(exc: BaseException, request_id: str) -> tuple[Diagnostic, bytes]:
    """The error result and the X-Ray error cause for an exception.

    A :class:`FaultError` is the runtime's own finding: X-Ray sees it as
    ``LambdaValidationError`` without a stack, as awslambdaric reports it.
    """
    from . import _xray

    if isinstance(exc, FaultError):
        error = Diagnostic(exc.message, exc.error_type, request_id, exc.trace)
        return error, _xray.cause("LambdaValidationError", exc.message, [])
    import traceback

    frames = user_frames(exc)
    message = str(exc)
    name = type(exc).__name__
    error = Diagnostic(message, name, request_id, traceback.format_list(frames))
    return error, _xray.cause(name, message, frames)


def user_frames(exc: BaseException) -> list[Any]:
    """The traceback's frames below the runtime's own (and asyncio's), outermost first."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    skip = 0
    for frame in frames:
        if not _is_runtime_frame(frame.filename):
            break
        skip += 1
    if skip == len(frames):
        skip = 0
    return list(frames[skip:])


def _is_runtime_frame(filename: str) -> bool:
    if filename.startswith("<frozen importlib"):
        return True
    path = os.path.abspath(filename)
    if os.path.dirname(path) == _PACKAGE_DIR:
        return True
    return os.sep + "asyncio" + os.sep in path


def text_lines(error: Diagnostic) -> list[str]:
    """awslambdaric's Text-mode error log: ``[ERROR] Type: message`` then the traceback.

    Lines are later joined with ``\\r`` so CloudWatch keeps them as one event; leading
    spaces become U+00A0 so the console does not swallow the indentation.
    """
    head = "[ERROR]"
    error_type = error.error_type
    message = error.error_message
    if error_type:
        head += f" {error_type}"
    if message:
        head += (":" if error_type else "") + f" {message}"
    lines = [head]
    if error.stack_trace:
        lines.append("Traceback (most recent call last):")
        for element in error.stack_trace:
            for line in element.splitlines():
                stripped = line.lstrip(" ")
                lines.append("\u00a0" * (len(line) - len(stripped)) + stripped)
    return lines
