"""Streaming handlers for tests/streaming (also compiled into the shared session build)."""

from __future__ import annotations

import time
from typing import Any, Iterator

import native_lambda
from native_lambda.events.http import Request, Router, StreamingResponse


def five(event: Any, context: Any) -> Iterator[bytes]:
    """Five chunks, ``event["sleep"]`` seconds apart; each says when it was produced."""
    pause = float(event.get("sleep", 0.3)) if isinstance(event, dict) else 0.3
    for i in range(5):
        if i:
            time.sleep(pause)
        yield f"chunk {i} at {time.time():.6f}\n".encode()


def text(event: Any, context: Any) -> Iterator[str]:
    yield "héllo, "
    yield "world"


def big(event: Any, context: Any) -> Iterator[bytes]:
    """``event["mb"]`` MiB in 64 KiB chunks, each built fresh (nothing kept)."""
    size = int(event.get("mb", 20)) if isinstance(event, dict) else 20
    block = 64 * 1024
    for i in range(size * 1024 * 1024 // block):
        yield bytes([i % 251]) * block


def fails(event: Any, context: Any) -> Iterator[bytes]:
    yield b"one,"
    yield b"two,"
    raise ValueError("broke after two chunks")


def fails_first(event: Any, context: Any) -> Iterator[bytes]:
    raise KeyError("before any chunk")
    yield b""  # pragma: no cover


async def agen(event: Any, context: Any) -> Any:
    import asyncio

    for i in range(3):
        await asyncio.sleep(0.01)
        yield f"a{i};"


@native_lambda.streaming
def writer(event: Any, stream: native_lambda.ResponseStream, context: Any) -> None:
    stream.content_type = "text/plain"
    stream.write("w1;")
    stream.write(b"w2;")
    stream.close()


def buffered(event: Any, context: Any) -> dict:
    return {"buffered": True}


app = Router()


@app.get("/stream")
def http_stream(request: Request) -> StreamingResponse:
    def body() -> Iterator[str]:
        yield "<p>first</p>"
        yield "<p>second</p>"

    return StreamingResponse(
        body(),
        status=201,
        headers={"Content-Type": "text/html", "X-Custom": ["a", "b"]},
        cookies=["session=1; Secure"],
    )


http = app


def one_mb_streamed(event: Any, context: Any) -> Iterator[bytes]:
    """1 MiB in 16 chunks, 10 ms of work before each (time to first byte vs buffered)."""
    for i in range(16):
        time.sleep(0.01)
        yield bytes([65 + i]) * 65536


def one_mb_buffered(event: Any, context: Any) -> bytes:
    parts = []
    for i in range(16):
        time.sleep(0.01)
        parts.append(bytes([65 + i]) * 65536)
    return b"".join(parts)
