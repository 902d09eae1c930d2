"""Function logs: ``AWS_LAMBDA_LOG_FORMAT`` (Text | JSON), ``AWS_LAMBDA_LOG_LEVEL``, stdlib
``logging`` integration, one log event per record.

Why lazy: ``import logging`` costs 5-10 ms of cold start (threading, weakref, string,
traceback). Most handlers import it themselves, so instead of importing it at init the
runtime puts a tiny finder on ``sys.meta_path`` that wires the root handler the moment
anyone imports ``logging`` -- before their own module body continues, exactly as if the
handler had been installed up front (so ``logging.basicConfig()`` stays a no-op, as in
awslambdaric).

One record = one CloudWatch event: without the telemetry FD, Lambda splits stdout on
``\\n``, so Text records have their inner newlines turned into ``\\r`` (awslambdaric's
trick for tracebacks) and JSON records are single-line by construction. With
``_LAMBDA_TELEMETRY_LOG_FD`` (managed runtimes) records are framed instead.
"""

from __future__ import annotations

import os
import sys
import time
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._errors import Diagnostic

TEXT = "Text"
JSON = "JSON"

# Read by formatters while an invocation runs; the loop sets them per invocation.
request_id = ""
tenant_id: str | None = None
# When invocations share one process (``async def`` handlers on one event loop, ``_aloop``),
# each task sets its own (request_id, tenant_id) here instead: a ContextVar, which tasks copy.
per_task: Any = None

log_format = TEXT
log_level = ""
_frames: Any = None  # the telemetry FD as an unbuffered binary file, when Lambda gives one
_installed = False
_json_encode: Any = None

# Telemetry frame types (big-endian u32): 0xA55A0002 + 1 for Text + a per-level step.
_LEVEL_STEP = {0: 0, 10: 8, 20: 12, 30: 16, 40: 20, 50: 24}


def setup() -> None:
    """Read the logging environment once at init and prepare stdout and ``logging``."""
    global log_format, log_level, _frames
    env = os.environ
    log_format = JSON if env.get("AWS_LAMBDA_LOG_FORMAT", "").upper() == "JSON" else TEXT
    level = env.get("AWS_LAMBDA_LOG_LEVEL", "").upper()
    log_level = "DEBUG" if level == "TRACE" else level
    fd = env.pop("_LAMBDA_TELEMETRY_LOG_FD", None)
    if fd is not None and fd.isdigit():
        _frames = os.fdopen(int(fd), "wb", 0)
    # print() must reach the log before a timeout kills us: flush per line, not per 8 KiB.
    # Not write-through (PYTHONUNBUFFERED, -u): print() writes the text and its newline
    # separately, and workers sharing the output pipe would then split each other's lines.
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(line_buffering=True, write_through=False)
    if "logging" in sys.modules:
        install(sys.modules["logging"])
    elif not any(isinstance(finder, _LoggingHook) for finder in sys.meta_path):
        sys.meta_path.insert(0, _LoggingHook())


def flush_output() -> None:
    """Push out an unfinished line before the runtime asks for the next invocation: line
    buffering holds text until its newline, and once the invocation is complete Lambda may
    freeze or end the environment, or the text would join the next invocation's output."""
    for stream in (sys.stdout, sys.stderr):
        try:  # noqa: SIM105 (contextlib is not loaded at init, and this runs per invocation)
            stream.flush()
        except (AttributeError, OSError, ValueError):  # replaced or closed by the handler
            pass


def use_per_task_ids() -> Any:
    """Switch the formatters to per-task ids; returns the ContextVar each task sets."""
    global per_task
    if per_task is None:
        import contextvars

        per_task = contextvars.ContextVar("native_lambda_invocation", default=("", None))
    return per_task


def _ids() -> tuple[str, str | None]:
    return (request_id, tenant_id) if per_task is None else per_task.get()


def timestamp(now: float) -> str:
    """``2024-05-01T12:00:00.123Z`` (UTC, milliseconds)."""
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"


def write(text: str, level: int, newline_safe: bool = False) -> None:
    """Write one log record as one event. ``text`` has no trailing newline."""
    if _frames is not None:
        data = text.encode("utf-8")
        kind = 0xA55A0002 + (log_format == TEXT) + _LEVEL_STEP.get(min(50, level) // 10 * 10, 0)
        _frames.write(
            kind.to_bytes(4, "big")
            + len(data).to_bytes(4, "big")
            + (time.time_ns() // 1000).to_bytes(8, "big")
            + data
        )
        return
    if not newline_safe and "\n" in text:
        text = text.replace("\r\n", "\r").replace("\n", "\r")
    sys.stdout.write(text + "\n")


def encode_json(record: dict[str, Any]) -> str:
    global _json_encode
    if _json_encode is None:
        import msgspec.json

        _json_encode = msgspec.json.Encoder(enc_hook=_to_str).encode
    return _json_encode(record).decode("utf-8")


def _to_str(value: Any) -> str:
    return str(value)


def log_error(error: Diagnostic) -> None:
    """The runtime's own record of a failed invocation or init (awslambdaric's shapes)."""
    if log_format == JSON:
        record = {"timestamp": timestamp(time.time()), "level": "ERROR", **error.fields()}
        write(encode_json(record), 40, newline_safe=True)
    else:
        from ._errors import text_lines

        write("\r".join(text_lines(error)), 40)


# --- stdlib logging ------------------------------------------------------------------

# LogRecord attributes that are not user "extra" fields.
_RESERVED = frozenset(
    {
        "name",
        "msg",
        "args",
        "levelname",
        "levelno",
        "pathname",
        "filename",
        "module",
        "exc_info",
        "exc_text",
        "stack_info",
        "lineno",
        "funcName",
        "created",
        "msecs",
        "relativeCreated",
        "thread",
        "threadName",
        "processName",
        "process",
        "taskName",
        "message",
        "asctime",
        "aws_request_id",
        "tenant_id",
    }
)


def install(logging: Any) -> None:
    """Put the Lambda handler on the root logger (idempotent)."""
    global _installed
    if _installed:
        return
    _installed = True

    class LambdaHandler(logging.Handler):
        """Formats and writes each record as one Lambda log event."""

        def emit(self, record: Any) -> None:
            try:
                if log_format == JSON:
                    write(_json_record(record), record.levelno, newline_safe=True)
                else:
                    write(_text_record(record, self), record.levelno)
            except Exception:
                self.handleError(record)

    root = logging.getLogger()
    root.addHandler(LambdaHandler())
    if log_level and log_level in logging._nameToLevel:
        root.setLevel(log_level)


def _text_record(record: Any, handler: Any) -> str:
    # awslambdaric: "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s"
    message = record.getMessage()
    if record.exc_info and not record.exc_text:
        import logging

        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        message = f"{message}\n{record.exc_text}"
    if record.stack_info:
        message = f"{message}\n{record.stack_info}"
    return f"[{record.levelname}]\t{timestamp(record.created)}\t{_ids()[0]}\t{message}"


def _json_record(record: Any) -> str:
    msg = record.msg
    request, tenant = _ids()
    result: dict[str, Any] = {
        "timestamp": timestamp(record.created),
        "level": record.levelname,
        "message": msg if isinstance(msg, dict) and not record.args else record.getMessage(),
        "logger": record.name,
        "requestId": request,
    }
    if tenant is not None:
        result["tenantId"] = tenant
    exc_info = record.exc_info
    if exc_info and exc_info[0] is not None:
        import traceback

        result["errorType"] = exc_info[0].__name__
        result["errorMessage"] = str(exc_info[1])
        result["stackTrace"] = traceback.format_tb(exc_info[2])
        result["location"] = f"{record.pathname}:{record.funcName}:{record.lineno}"
    for key, value in record.__dict__.items():
        if key not in _RESERVED and key not in result:
            result[key] = value
    return encode_json(result)


class _LoggingHook:
    """``sys.meta_path`` finder that calls :func:`install` right after ``logging`` loads."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name != "logging":
            return None
        # Stay on sys.meta_path until logging really executes: find_spec() may be a probe.
        for finder in sys.meta_path:
            if finder is self:
                continue
            find = getattr(finder, "find_spec", None)
            spec = find(name, path, target) if find is not None else None
            if spec is not None:
                break
        else:
            return None
        if spec.loader is not None and hasattr(spec.loader, "exec_module"):
            spec.loader = _InstallingLoader(spec.loader)
        return spec


class _InstallingLoader:
    """Delegates to the real loader, then wires the freshly executed ``logging``."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def create_module(self, spec: Any) -> Any:
        return self._inner.create_module(spec)

    def exec_module(self, module: Any) -> None:
        self._inner.exec_module(module)
        sys.meta_path[:] = [f for f in sys.meta_path if not isinstance(f, _LoggingHook)]
        install(module)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)


def ensure_installed() -> None:
    """Fallback for loaders the hook could not wrap: wire ``logging`` if it is loaded now."""
    if not _installed and "logging" in sys.modules:
        install(sys.modules["logging"])
