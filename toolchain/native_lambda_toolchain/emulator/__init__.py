"""A local Lambda execution environment for one function, never compiled into a bootstrap.

It serves the Runtime API (2018-06-01) and the Extensions API (2020-01-01) to the runtime
process it spawns, and an invoke endpoint compatible with AWS's Runtime Interface Emulator
and with the Invoke API's path: ``POST /2015-03-31/functions/{any name}/invocations``.
Errors, timeouts, init failures, crashes and START/END/REPORT lines follow Lambda's wording::

    with Emulator(["python", "-m", "native_lambda", "examples.greeting.handler"]) as emu:
        result = emu.invoke(b'{"name": "x"}', log_tail=True)
        result.json(), result.function_error, result.log_result, emu.reports[-1]
"""

from ._bind import ALLOW_REMOTE_FLAG, check_bind_host, listen_error
from ._emulator import Emulator, Headers, InvokeResult
from ._limits import (
    MAX_INVOKE_REQUEST_BYTES,
    MAX_RESPONSE_BYTES,
    MAX_STREAMED_RESPONSE_BYTES,
)
from ._records import Report, RuntimeApiRecord
from ._stream_client import StreamResult

__all__ = [
    "ALLOW_REMOTE_FLAG",
    "MAX_INVOKE_REQUEST_BYTES",
    "MAX_RESPONSE_BYTES",
    "MAX_STREAMED_RESPONSE_BYTES",
    "Emulator",
    "Headers",
    "InvokeResult",
    "Report",
    "RuntimeApiRecord",
    "StreamResult",
    "check_bind_host",
    "listen_error",
]
