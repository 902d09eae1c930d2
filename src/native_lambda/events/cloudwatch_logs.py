"""CloudWatch Logs subscription events: ``awslogs.data`` is compressed, base64 JSON.

msgspec already turns the base64 into bytes while decoding the event; :meth:`logs`
decompresses (gzip, or zlib as account-level policies send) and decodes the batch.
The same :func:`decode_logs` reads log batches that a subscription put on a Kinesis stream
or Firehose (``record.kinesis.data``).
"""

from typing import Dict, List, Optional

import msgspec

from ._base import CamelStruct

__all__ = ["AwsLogs", "CloudWatchLogsEvent", "LogEvent", "LogsData", "decode_logs"]


class LogEvent(CamelStruct):
    id: str
    timestamp: int
    message: str
    extracted_fields: Optional[Dict[str, str]] = None


class LogsData(CamelStruct):
    """One batch. ``message_type`` ``CONTROL_MESSAGE`` batches only check reachability."""

    message_type: str
    owner: str
    log_group: str
    log_stream: str
    subscription_filters: List[str]
    log_events: List[LogEvent]
    policy_level: Optional[str] = None


def decode_logs(data: bytes) -> LogsData:
    """Decompress (gzip or zlib, told apart by their headers) and decode a log batch."""
    import zlib

    return msgspec.json.decode(zlib.decompress(data, 47), type=LogsData)


class AwsLogs(CamelStruct):
    data: bytes


class CloudWatchLogsEvent(CamelStruct):
    awslogs: AwsLogs

    def logs(self) -> LogsData:
        return decode_logs(self.awslogs.data)
