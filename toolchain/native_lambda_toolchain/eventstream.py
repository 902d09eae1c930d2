"""``application/vnd.amazon.eventstream``: the binary framing of InvokeWithResponseStream.

Each message is: total length (u32), headers length (u32), CRC32 of those 8 bytes, the
headers, the payload, and a CRC32 of everything before it. A header is a 1-byte name length,
the name, a type byte (7: string) and a u16-length value. Lambda sends ``PayloadChunk``
events (the function's bytes) and one ``InvokeComplete`` event (``ErrorCode``,
``ErrorDetails``, ``LogResult``). The emulator encodes; ``invoke --stream`` decodes.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Iterator

CONTENT_TYPE = "application/vnd.amazon.eventstream"
PAYLOAD_CHUNK = "PayloadChunk"
INVOKE_COMPLETE = "InvokeComplete"
_STRING = 7
_PRELUDE = struct.Struct(">III")
#: A message is never larger than this (16 MiB, as AWS's decoders also cap it).
MAX_MESSAGE_BYTES = 16 * 1024 * 1024


class EventStreamError(ValueError):
    """A frame that does not decode (bad length, CRC or header)."""


def encode_event(event_type: str, payload: bytes, content_type: str) -> bytes:
    """One ``event`` message."""
    headers = b"".join(
        _header(name, value)
        for name, value in (
            (":event-type", event_type),
            (":content-type", content_type),
            (":message-type", "event"),
        )
    )
    total = 12 + len(headers) + len(payload) + 4
    prelude = struct.pack(">II", total, len(headers))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    message = prelude + headers + payload
    return message + struct.pack(">I", zlib.crc32(message))


def _header(name: str, value: str) -> bytes:
    raw_name, raw_value = name.encode(), value.encode()
    return (
        bytes([len(raw_name)])
        + raw_name
        + bytes([_STRING])
        + struct.pack(">H", len(raw_value))
        + raw_value
    )


class Decoder:
    """Feed bytes as they arrive; :meth:`events` yields complete (headers, payload) pairs."""

    def __init__(self) -> None:
        self._buf = bytearray()

    def feed(self, data: bytes) -> Iterator[tuple[dict[str, str], bytes]]:
        self._buf += data
        buf = self._buf
        while len(buf) >= 12:
            total, headers_len, prelude_crc = _PRELUDE.unpack_from(buf)
            if zlib.crc32(bytes(buf[:8])) != prelude_crc:
                raise EventStreamError("event stream prelude CRC mismatch")
            if total < 16 + headers_len or total > MAX_MESSAGE_BYTES:
                raise EventStreamError(f"event stream message length {total} is invalid")
            if len(buf) < total:
                return
            message = bytes(buf[:total])
            del buf[:total]
            if zlib.crc32(message[:-4]) != struct.unpack(">I", message[-4:])[0]:
                raise EventStreamError("event stream message CRC mismatch")
            headers = _parse_headers(message[12 : 12 + headers_len])
            yield headers, message[12 + headers_len : -4]

    @property
    def pending(self) -> int:
        return len(self._buf)


def _parse_headers(block: bytes) -> dict[str, str]:
    headers: dict[str, str] = {}
    i = 0
    while i < len(block):
        size = block[i]
        name = block[i + 1 : i + 1 + size].decode()
        i += 1 + size
        kind = block[i]
        i += 1
        if kind != _STRING:
            raise EventStreamError(f"event stream header {name!r} has type {kind}, not string")
        (length,) = struct.unpack_from(">H", block, i)
        i += 2
        headers[name] = block[i : i + length].decode()
        i += length
    return headers
