"""Every size limit the emulator enforces, in one place, with Lambda's numbers.

Limits are enforced while reading, so a client that declares or trickles a huge body is
answered and dropped before its bytes are buffered.
"""

from __future__ import annotations

#: Invoke API: the largest synchronous request payload (6 MB).
MAX_INVOKE_REQUEST_BYTES = 6291456
#: Runtime API: the largest buffered /response body (6 MiB + 100 bytes of framing).
MAX_RESPONSE_BYTES = 6291556
#: Runtime API: the largest streamed response (for response streaming; 200 MiB).
MAX_STREAMED_RESPONSE_BYTES = 200 * 1024 * 1024
#: Request line plus headers (and chunked trailers), at any time, also behind a long poll.
MAX_HEAD_BYTES = 64 * 1024
#: One chunk-size line of a chunked body (hex size plus extensions).
MAX_CHUNK_LINE_BYTES = 4096
#: What a connection may still send after its over-limit answer before it is dropped.
MAX_DISCARD_BYTES = 64 * 1024 * 1024
#: Seconds a connection gets to read its over-limit answer before it is dropped.
DISCARD_GRACE_S = 2.0

#: History kept for inspection (records, reports, exits): the newest entries only.
HISTORY_ENTRIES = 1000
#: Bytes of request bodies kept in the records history, newest first.
HISTORY_BODY_BYTES = 8 * 1024 * 1024
#: Bytes of runtime output (and of the CloudWatch-like log) kept, newest first.
HISTORY_LOG_BYTES = 4 * 1024 * 1024
