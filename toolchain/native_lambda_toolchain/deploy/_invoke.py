"""The result of an Invoke call, and telling a function's error from the service's.

A runtime reports a function error as a JSON object (``errorMessage``/``errorType``, as
awslambdaric and our runtime send it). Local stand-ins such as moto answer with the
function-error header too when *they* could not run the function (moto runs functions in
Docker with an image from a registry, and says ``error running docker: ...`` as the payload).
Such an answer means the function never ran, and is reported as that.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

SERVICE_MARKERS = ("error running docker",)


@dataclass
class InvokeOutput:
    status: int
    payload: bytes
    function_error: str | None  # X-Amz-Function-Error: "Unhandled" / "Handled"
    log_tail: str | None  # decoded X-Amz-Log-Result
    executed_version: str | None


def service_failure(output: InvokeOutput) -> str | None:
    """A sentence saying that the service, not the function, failed; None when the function
    ran (its own error, if any, is then the caller's to report)."""
    if not output.function_error:
        return None
    text = " ".join(output.payload.decode("utf-8", "replace").split())
    if any(text.lower().startswith(marker) for marker in SERVICE_MARKERS):
        return f"the Lambda service could not run the function, which never ran: {text[:500]}"
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if isinstance(body, dict) and ("errorMessage" in body or "errorType" in body):
        return None  # what a runtime sends for a function error
    if output.log_tail:  # the function ran and logged: its error, in whatever shape
        return None
    return (
        "the Lambda service reported a function error without a runtime's error object or a "
        f"log, so the function probably never ran: {text[:300]}"
    )
