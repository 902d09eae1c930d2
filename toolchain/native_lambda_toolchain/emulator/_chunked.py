"""An incremental reader for a chunked request body that is consumed as it arrives.

A streamed response from the runtime is read chunk by chunk and each chunk is passed on to
the caller at once, so nothing holds the whole body. Trailers (the runtime's mid-stream
error report) are parsed like header fields and returned with the end of the body.
"""

from __future__ import annotations

import re

from ._limits import MAX_CHUNK_LINE_BYTES, MAX_HEAD_BYTES

_HEX = re.compile(rb"[0-9a-fA-F]{1,15}\Z")


class ChunkError(Exception):
    """A malformed chunked body: ``status`` is the answer (400, 431)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


class ChunkReader:
    """Feeds on a connection buffer; :meth:`read` takes what is complete out of it."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.size = 0  # body bytes read so far
        self.trailers: dict[str, str] | None = None  # set once the body is complete

    def read(self, buf: bytearray) -> list[bytes]:
        """Complete chunks now in ``buf`` (removed from it). Stops at the limit: then
        ``oversize`` is true and nothing more is read."""
        out: list[bytes] = []
        while self.trailers is None and not self.oversize:
            eol = buf.find(b"\r\n", 0, MAX_CHUNK_LINE_BYTES + 2)
            if eol < 0:
                if len(buf) > MAX_CHUNK_LINE_BYTES:
                    raise ChunkError(400, "chunk-size line too long")
                break
            digits = bytes(buf[:eol]).split(b";", 1)[0].strip(b" \t")
            if not _HEX.match(digits):
                raise ChunkError(400, "bad chunk size")
            size = int(digits, 16)
            if size == 0:
                if len(buf) < eol + 4:
                    break
                if buf[eol + 2 : eol + 4] == b"\r\n":
                    del buf[: eol + 4]
                    self.trailers = {}
                    break
                end = buf.find(b"\r\n\r\n", eol + 2, MAX_HEAD_BYTES)
                if end < 0:
                    if len(buf) > MAX_HEAD_BYTES:
                        raise ChunkError(431, "Request Header Fields Too Large")
                    break
                self.trailers = _fields(bytes(buf[eol + 2 : end]))
                del buf[: end + 4]
                break
            if self.size + size > self.limit:
                self.size += size
                break
            start = eol + 2
            if len(buf) < start + size + 2:
                break
            if buf[start + size : start + size + 2] != b"\r\n":
                raise ChunkError(400, "malformed chunk")
            out.append(bytes(buf[start : start + size]))
            self.size += size
            del buf[: start + size + 2]
        return out

    @property
    def oversize(self) -> bool:
        return self.size > self.limit


def _fields(block: bytes) -> dict[str, str]:
    fields: dict[str, str] = {}
    for line in block.decode("latin-1").split("\r\n"):
        name, sep, value = line.partition(":")
        if not sep or not name.strip() or "\r" in value or "\n" in value:
            raise ChunkError(400, "invalid trailer field")
        fields[name.strip().lower()] = value.strip(" \t")
    return fields
