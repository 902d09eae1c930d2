"""Response streaming end to end: handler → runtime (chunked POST with trailers) → emulator →
InvokeWithResponseStream event stream, on CPython and compiled."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any, Callable

import pytest

ROOT = Path(__file__).resolve().parents[2]
MOD = "tests.streaming.handlers.stream_fns"


def test_chunks_arrive_as_they_are_produced(launch: Callable[..., Any]) -> None:
    emu = launch(f"{MOD}.five")
    start = time.monotonic()
    result = emu.invoke_stream(b'{"sleep": 0.4}')
    assert result.status == 200, result.body
    assert result.headers["content-type"] == "application/vnd.amazon.eventstream"
    assert result.complete == {}
    arrivals = [at - start for at, _ in result.chunks]
    assert len(arrivals) == 5
    # The first chunk is seen about 1.6 s before the handler produced its last one.
    assert arrivals[-1] - arrivals[0] > 1.2, arrivals
    produced = [float(chunk.split(b" at ")[1]) for _, chunk in result.chunks]
    assert produced[-1] - produced[0] > 1.2
    assert result.payload == b"".join(chunk for _, chunk in result.chunks)
    assert [c.split(b" at ")[0] for _, c in result.chunks] == [b"chunk %d" % i for i in range(5)]
    # The plain Invoke path stays buffered: one body, the same bytes in order.
    plain = emu.invoke(b'{"sleep": 0.01}')
    assert plain.status == 200 and plain.function_error is None
    assert plain.body.count(b"chunk ") == 5


@pytest.mark.parametrize(
    ("name", "expected"),
    [("text", "héllo, world".encode()), ("agen", b"a0;a1;a2;"), ("writer", b"w1;w2;")],
)
def test_str_chunks_async_generators_and_the_writer(
    launch: Callable[..., Any], name: str, expected: bytes
) -> None:
    emu = launch(f"{MOD}.{name}")
    result = emu.invoke_stream(b"{}")
    assert result.payload == expected and result.complete == {}
    assert emu.invoke(b"{}").body == expected


def test_exception_after_two_chunks_reaches_the_caller(launch: Callable[..., Any]) -> None:
    emu = launch(f"{MOD}.fails")
    result = emu.invoke_stream(b"{}")
    assert result.payload == b"one,two,"
    assert result.error_code == "Function.ValueError"
    details = result.error_details
    assert details["errorType"] == "ValueError"
    assert details["errorMessage"] == "broke after two chunks"
    assert any("fails" in frame for frame in details["stackTrace"])
    # What the runtime sent: both trailers declared up front, the body trailer base64.
    record = next(r for r in emu.records if r.path.endswith("/response"))
    assert record.headers["lambda-runtime-function-response-mode"] == "streaming"
    assert record.headers["transfer-encoding"] == "chunked"
    declared = {t.strip().lower() for t in record.headers["trailer"].split(",")}
    assert declared == {
        "lambda-runtime-function-error-type",
        "lambda-runtime-function-error-body",
    }
    plain = emu.invoke(b"{}")
    assert plain.function_error == "Unhandled"
    assert plain.json()["errorType"] == "ValueError"
    assert emu.reports[-1].error_type == "Function.ValueError"


def test_exception_before_the_first_chunk_is_a_plain_error(launch: Callable[..., Any]) -> None:
    emu = launch(f"{MOD}.fails_first")
    result = emu.invoke_stream(b"{}")
    assert result.chunks == []
    assert result.error_code == "Unhandled"
    assert result.error_details["errorType"] == "KeyError"
    assert any(r.path.endswith("/error") for r in emu.records)


def test_http_prelude_matches_the_function_url_format(launch: Callable[..., Any]) -> None:
    emu = launch(f"{MOD}.http")
    sample = ROOT / "tests/events/powertools/lambdaFunctionUrlEventWithHeaders.json"
    event = json.loads(sample.read_text())
    event["rawPath"] = event["requestContext"]["http"]["path"] = "/stream"
    event["requestContext"]["http"]["method"] = "GET"
    result = emu.invoke_stream(json.dumps(event))
    assert result.complete == {}, result.error_details
    record = next(r for r in emu.records if r.path.endswith("/response"))
    assert record.headers["content-type"] == "application/vnd.awslambda.http-integration-response"
    # The prelude is the first chunk, JSON then 8 NUL bytes, before any body chunk.
    first = result.chunks[0][1]
    assert first.endswith(b"\0" * 8) and first.count(b"\0") == 8
    prelude = json.loads(first[:-8])
    assert prelude == {
        "statusCode": 201,
        "headers": {"Content-Type": "text/html", "X-Custom": "a, b"},
        "cookies": ["session=1; Secure"],
    }
    assert [c for _, c in result.chunks[1:]] == [b"<p>first</p>", b"<p>second</p>"]


def test_20_mb_streamed_without_the_runtime_growing(launch: Callable[..., Any]) -> None:
    emu = launch(f"{MOD}.big")
    emu.invoke_stream(b'{"mb": 1}')  # warm: whatever the first stream allocates once
    before = _rss_kb(emu.pid)
    total = 0

    def count(chunk: bytes) -> None:
        nonlocal total
        total += len(chunk)

    result = emu.invoke_stream(b'{"mb": 20}', on_chunk=count)
    after = _rss_kb(emu.pid)
    assert result.complete == {} and total == 20 * 1024 * 1024
    assert result.chunks[7][1] == bytes([7]) * 65536
    assert after - before < 4 * 1024, (before, after)
    # Over 6 MB the buffered path refuses, as Lambda's does.
    plain = emu.invoke(b'{"mb": 7}')
    assert plain.function_error == "Unhandled"
    assert plain.json()["errorType"] == "Function.ResponseSizeTooLarge"


def _rss_kb(pid: int | None) -> int:
    assert pid is not None
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise AssertionError("no VmRSS")
