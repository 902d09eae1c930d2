"""InvokeWithResponseStream on the deploy client's signed connection (no boto3).

``POST /2021-11-15/functions/{name}/response-streaming-invocations`` answers with an
``application/vnd.amazon.eventstream`` body: ``PayloadChunk`` events carry the function's
bytes and one ``InvokeComplete`` event ends it (``ErrorCode``, ``ErrorDetails``,
``LogResult``). Each chunk is handed over the moment its frame is complete.

An invocation is never repeated once it may have reached the function: only a connection
that was never made and a throttling answer (refused before anything ran) are retried.
A break after the stream began, an ``exception``/``error`` message in the stream, and a
stream that ends without ``InvokeComplete`` are errors that say what arrived.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import httpx

from ..eventstream import INVOKE_COMPLETE, PAYLOAD_CHUNK, Decoder, EventStreamError
from ._errors import DeployError, LambdaApiError, may_have_run
from ._retry import is_throttling

if TYPE_CHECKING:
    from ._client import LambdaClient

STREAM_API = "/2021-11-15"
#: Lambda's longest run (900 s) plus a margin: the longest silence between two frames.
STREAM_READ_TIMEOUT = 960.0
CONNECT_ATTEMPTS = 3


@dataclass
class StreamOutput:
    """What the stream carried besides the chunks themselves (already handed over)."""

    status: int
    chunks: int
    size: int
    error_code: str | None  # InvokeComplete ErrorCode: the function failed
    error_details: str | None
    log_tail: str | None  # decoded LogResult
    executed_version: str | None
    content_type: str | None  # the answer's Content-Type (ResponseStreamContentType)


def _may_have_run(name: str, why: str) -> DeployError:
    return may_have_run(f"InvokeWithResponseStream of {name}: {why}")


def invoke_with_response_stream(
    client: LambdaClient,
    name: str,
    payload: bytes,
    on_chunk: Callable[[bytes], None],
    *,
    qualifier: str | None = None,
    log_tail: bool = True,
    client_context: str | None = None,
) -> StreamOutput:
    """Invoke ``name`` and hand each chunk to ``on_chunk`` as it arrives.

    ``client_context`` is the JSON text; it is sent base64-encoded, as the API wants.
    """
    from ._client import _error_of, invoke_headers

    headers = invoke_headers(log_tail, client_context)
    params = {"Qualifier": qualifier} if qualifier else None
    path = f"{STREAM_API}/functions/{client._name(name)}/response-streaming-invocations"
    timeout = httpx.Timeout(STREAM_READ_TIMEOUT, connect=min(client._timeout, 30.0))
    attempt = 0
    while True:
        attempt += 1
        try:
            with client._http.stream(
                "POST", path, content=payload, params=params, headers=headers, timeout=timeout
            ) as response:
                if response.status_code >= 300:
                    response.read()
                    error = _error_of(response)
                    if is_throttling(error.status, error.code):
                        if attempt < client.retry.max_attempts:
                            client.backoff(attempt, response.headers.get("retry-after"), str(error))
                            continue
                    elif error.status >= 500:
                        raise _may_have_run(name, f"{error}")
                    raise error
                return _read(response, name, on_chunk)
        except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
            if attempt >= min(client.retry.max_attempts, CONNECT_ATTEMPTS):
                raise DeployError(
                    f"cannot reach the Lambda endpoint {client.endpoint}: {exc or type(exc)}"
                ) from None
            client.backoff(attempt, None, f"connection failed ({exc})", CONNECT_ATTEMPTS)
        except httpx.TransportError as exc:  # sent, and no answer began
            why = f"no answer ({type(exc).__name__}: {exc or 'no detail'})"
            raise _may_have_run(name, why) from None
        except httpx.HTTPError as exc:  # a bad URL or similar: nothing was sent
            raise DeployError(f"cannot call the Lambda endpoint {client.endpoint}: {exc}") from None


def _read(response: httpx.Response, name: str, on_chunk: Callable[[bytes], None]) -> StreamOutput:
    output = StreamOutput(
        status=response.status_code,
        chunks=0,
        size=0,
        error_code=None,
        error_details=None,
        log_tail=None,
        executed_version=response.headers.get("x-amz-executed-version"),
        content_type=response.headers.get("content-type"),
    )
    decoder = Decoder()
    complete = False
    try:
        for data in response.iter_raw():
            for event, body in decoder.feed(data):
                complete = _event(event, body, output, on_chunk, response) or complete
    except (httpx.TransportError, EventStreamError) as exc:
        raise _may_have_run(
            name,
            f"the stream broke off after {output.chunks} chunks ({output.size} bytes): "
            f"{exc or type(exc).__name__}",
        ) from None
    if not complete or decoder.pending:
        raise _may_have_run(
            name,
            f"the stream ended after {output.chunks} chunks ({output.size} bytes) without "
            "InvokeComplete",
        )
    return output


def _event(
    event: dict[str, str],
    body: bytes,
    output: StreamOutput,
    on_chunk: Callable[[bytes], None],
    response: httpx.Response,
) -> bool:
    """Apply one message; True for ``InvokeComplete``."""
    message_type = event.get(":message-type", "event")
    if message_type != "event":  # "exception" (a modelled error) or "error"
        code = event.get(":exception-type") or event.get(":error-code") or "UnknownError"
        text = event.get(":error-message") or body.decode("utf-8", "replace")
        try:
            parsed = json.loads(text)
            if isinstance(parsed, dict):
                text = str(parsed.get("message") or parsed.get("Message") or text)
        except ValueError:
            pass
        raise LambdaApiError(
            code,
            f"{text} (in the stream, after {output.chunks} chunks)",
            response.status_code,
            request_id=response.headers.get("x-amzn-requestid"),
        )
    kind = event.get(":event-type")
    if kind == PAYLOAD_CHUNK:
        output.chunks += 1
        output.size += len(body)
        on_chunk(body)
    elif kind == INVOKE_COMPLETE:
        summary = json.loads(body or b"{}")
        output.error_code = summary.get("ErrorCode") or None
        output.error_details = summary.get("ErrorDetails")
        raw = summary.get("LogResult")
        output.log_tail = base64.b64decode(raw).decode("utf-8", "replace") if raw else None
        return True
    return False
