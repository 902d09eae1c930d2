"""``application/vnd.amazon.eventstream``: the binary framing of InvokeWithResponseStream.

Each message is: total length (u32), headers length (u32), CRC32 of those 8 bytes, the
headers, the payload, and a CRC32 of everything before it. A header is a 1-byte name length,
the name, a type byte and the value (7: string, with a u16 length). Lambda sends ``PayloadChunk``
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


_FIXED = {2: ">b", 3: ">h", 4: ">i", 5: ">q", 8: ">q"}  # byte, short, int, long, timestamp


def _parse_headers(block: bytes) -> dict[str, str]:
    """Header values as text. Lambda sends strings only; the other types of the format
    (booleans, integers, timestamps, bytes, UUIDs) are read too, so that a frame that
    carries one is still understood rather than refused."""
    headers: dict[str, str] = {}
    i = 0
    try:
        while i < len(block):
            size = block[i]
            name = block[i + 1 : i + 1 + size].decode()
            i += 1 + size
            kind = block[i]
            i += 1
            if kind in (0, 1):
                headers[name] = "true" if kind == 0 else "false"
            elif kind in _FIXED:
                fmt = _FIXED[kind]
                headers[name] = str(struct.unpack_from(fmt, block, i)[0])
                i += struct.calcsize(fmt)
            elif kind == 9:
                headers[name] = block[i : i + 16].hex()
                i += 16
            elif kind in (6, _STRING):
                (length,) = struct.unpack_from(">H", block, i)
                i += 2
                raw = block[i : i + length]
                headers[name] = raw.decode() if kind == _STRING else raw.hex()
                i += length
            else:
                raise EventStreamError(f"event stream header {name!r} has unknown type {kind}")
    except (IndexError, struct.error, UnicodeDecodeError) as exc:
        raise EventStreamError(f"event stream headers do not decode: {exc}") from None
    return headers
