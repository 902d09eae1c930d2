"""Calibration function: lambda-perf's "hello world" shape (no imports, returns the event).

awslambdaric serving this is the local counterpart of lambda-perf's python3.x figure, used
to turn local init times into a paper estimate of Lambda's Init Duration.
"""

from typing import Any


def handler(event: Any, context: Any) -> Any:
    return event
