"""Response streaming: chunks leave the process as the handler produces them.

A streamed answer is one chunked ``POST /invocation/{id}/response`` with
``Lambda-Runtime-Function-Response-Mode: streaming``. Each yielded (or written) piece is one
HTTP chunk, sent at once: nothing buffers the whole body, so a 200 MB answer needs no more
memory than its largest chunk. An exception after the first chunk cannot become an
``/error`` call any more (the response has started), so it travels in the trailers
``Lambda-Runtime-Function-Error-Type`` (``Category.Reason``) and
``Lambda-Runtime-Function-Error-Body`` (base64 of the error JSON), both declared up front in
``Trailer:`` because servers such as Go's net/http drop undeclared trailers.

Loaded only when a handler streams (a generator, an async generator, a ``@streaming``
writer handler, or a result with ``__lambda_stream__``), so buffered handlers pay nothing.
"""

from __future__ import annotations

import binascii
from typing import Any, Callable, Iterator, Optional

from ._client import Response, RuntimeApi, RuntimeApiError
from ._errors import RESPONSE_TOO_LARGE, FaultError

#: AWS's limit for one streamed response.
MAX_STREAMED_BYTES = 200 * 1024 * 1024
#: Content type of a Function URL answer with a JSON prelude (status, headers, cookies).
HTTP_INTEGRATION = "application/vnd.awslambda.http-integration-response"
DEFAULT_TYPE = "application/octet-stream"

_UA = b"User-Agent: native-lambda/0.1\r\n"
_MODE = (
    b"Lambda-Runtime-Function-Response-Mode: streaming\r\n"
    b"Trailer: Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body\r\n"
)


class ResponseStream:
    """A writer for code that cannot be a generator: ``write()`` sends a chunk at once,
    ``close()`` ends the response. A handler decorated with :func:`native_lambda.streaming`
    receives one as ``handler(event, stream, context)``."""

    __slots__ = ("_closed", "_sender", "content_type")

    def __init__(self, sender: _Sender) -> None:
        self._sender = sender
        self._closed = False
        self.content_type = DEFAULT_TYPE

    def write(self, data: Any) -> None:
        if self._closed:
            raise ValueError("write() on a closed ResponseStream")
        self._sender.content_type = self.content_type
        self._sender.send(data)

    def close(self) -> None:
        self._closed = True

    @property
    def closed(self) -> bool:
        return self._closed


class _Sender:
    """One streamed response on the Runtime API connection, opened at the first chunk."""

    __slots__ = ("_api", "_early", "_path", "_started", "content_type", "sent")

    def __init__(self, api: RuntimeApi, request_id: str, content_type: str) -> None:
        self._api = api
        self._path = b"/2018-06-01/runtime/invocation/%s/response" % request_id.encode("latin-1")
        self._started = False
        self._early: Optional[Response] = None
        self.content_type = content_type
        self.sent = 0

    def send(self, data: Any) -> None:
        if type(data) is not bytes:
            if isinstance(data, str):
                data = data.encode("utf-8")
            elif isinstance(data, (bytearray, memoryview)):
                data = bytes(data)
            else:
                raise TypeError(
                    f"a streaming handler yields bytes or str, not {type(data).__name__}"
                )
        if not data:
            return  # an empty chunk would end the body
        self.sent += len(data)
        if self.sent > MAX_STREAMED_BYTES:
            raise FaultError(
                RESPONSE_TOO_LARGE,
                f"Response payload size exceeded maximum allowed payload size "
                f"({MAX_STREAMED_BYTES} bytes).",
            )
        chunk = b"%x\r\n%s\r\n" % (len(data), data)
        if self._early is not None:
            return
        conn = self._api.conn
        if not self._started:
            self._started = True
            headers = _UA + _MODE + b"Content-Type: " + self.content_type.encode("latin-1")
            self._early = conn.open_chunked(self._path, headers + b"\r\n", chunk)
        else:
            self._early = conn.send_chunk(chunk)

    def finish(self, error: Any = None) -> Response:
        """End the body; ``error`` (a Diagnostic) goes in the trailers."""
        if not self._started:
            self._started = True
            headers = _UA + _MODE + b"Content-Type: " + self.content_type.encode("latin-1")
            self._early = self._api.conn.open_chunked(self._path, headers + b"\r\n", b"")
        if self._early is not None:
            return self._early
        trailers = b""
        if error is not None:
            trailers = (
                b"Lambda-Runtime-Function-Error-Type: %s\r\n"
                b"Lambda-Runtime-Function-Error-Body: %s\r\n"
                % (
                    trailer_type(error.error_type).encode("latin-1", "replace"),
                    binascii.b2a_base64(error.encode(), newline=False),
                )
            )
        return self._api.conn.finish_chunked(trailers)

    @property
    def started(self) -> bool:
        return self._started


def trailer_type(error_type: str) -> str:
    """Lambda's ``Category.Reason`` form: a bare exception name becomes ``Function.<name>``."""
    safe = "".join(c for c in error_type if c.isalnum() or c in "._")
    if "." in safe:
        return safe
    return f"Function.{safe or 'Unhandled'}"


def stream_result(
    api: RuntimeApi,
    request_id: str,
    chunks: Iterator[Any],
    content_type: str,
    failure: Callable[[BaseException], Any],
) -> Response:
    """Send every chunk of ``chunks`` as it comes; an exception before the first chunk is
    raised (the caller reports it on ``/error``), after it it goes in the trailers."""
    sender = _Sender(api, request_id, content_type)
    try:
        for chunk in chunks:
            sender.send(chunk)
    except RuntimeApiError:
        raise
    except Exception as exc:
        if not sender.started:
            raise
        _close(chunks)
        return sender.finish(failure(exc))
    return sender.finish()


def stream_writer(
    api: RuntimeApi,
    request_id: str,
    call: Callable[[ResponseStream], Any],
    failure: Callable[[BaseException], Any],
) -> Response:
    """Run a writer handler with its :class:`ResponseStream`, then end the response."""
    sender = _Sender(api, request_id, DEFAULT_TYPE)
    stream = ResponseStream(sender)
    try:
        call(stream)
    except RuntimeApiError:
        raise
    except Exception as exc:
        if not sender.started:
            raise
        return sender.finish(failure(exc))
    stream.close()
    sender.content_type = stream.content_type
    return sender.finish()


def from_async(agen: Any, run: Callable[[Any], Any]) -> Iterator[Any]:
    """The chunks of an async generator, each awaited on the runtime's event loop."""
    step = agen.__anext__
    while True:
        try:
            yield run(step())
        except StopAsyncIteration:
            return


def _close(chunks: Any) -> None:
    close = getattr(chunks, "close", None)
    if close is not None:
        try:  # noqa: SIM105 (contextlib is one import more on this path)
            close()
        except Exception:
            pass


def streaming(handler: Callable[..., Any]) -> Callable[..., Any]:
    """Mark ``handler(event, stream, context)`` as a writer handler: it gets a
    :class:`ResponseStream` and writes its answer in pieces. A stable interface."""
    handler._native_lambda_writer = True  # type: ignore[attr-defined]
    return handler
