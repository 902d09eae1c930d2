"""S3 event notifications (direct or through SNS/SQS) and S3 events via EventBridge."""

from datetime import datetime
from typing import List, Optional

import msgspec

from ._base import CamelStruct, KebabStruct
from .eventbridge import EventBridgeEvent

__all__ = [
    "S3Bucket",
    "S3Entity",
    "S3Event",
    "S3EventBridgeBucket",
    "S3EventBridgeDetail",
    "S3EventBridgeEvent",
    "S3EventBridgeObject",
    "S3EventRecord",
    "S3Object",
]


def _unquote_key(key: str) -> str:
    """Keys arrive URL-encoded with ``+`` for spaces; most have nothing to decode."""
    if "%" not in key and "+" not in key:
        return key
    from urllib.parse import unquote_plus

    return unquote_plus(key)


class S3Identity(CamelStruct):
    principal_id: str


class S3RequestParameters(CamelStruct):
    source_ip_address: str = msgspec.field(name="sourceIPAddress")


class S3ResponseElements(CamelStruct):
    x_amz_request_id: Optional[str] = msgspec.field(default=None, name="x-amz-request-id")
    x_amz_id_2: Optional[str] = msgspec.field(default=None, name="x-amz-id-2")


class S3Bucket(CamelStruct):
    name: str
    arn: str
    owner_identity: Optional[S3Identity] = None


class S3Object(CamelStruct):
    """``size``/``e_tag`` are absent for deletions. ``key`` is URL-encoded as sent."""

    key: str
    size: Optional[int] = None
    e_tag: Optional[str] = None
    version_id: Optional[str] = None
    sequencer: Optional[str] = None

    @property
    def decoded_key(self) -> str:
        return _unquote_key(self.key)


class S3Entity(CamelStruct):
    s3_schema_version: str
    bucket: S3Bucket
    object: S3Object
    configuration_id: Optional[str] = None


class RestoreEventData(CamelStruct):
    lifecycle_restoration_expiry_time: Optional[str] = None
    lifecycle_restore_storage_class: Optional[str] = None


class GlacierEventData(CamelStruct):
    restore_event_data: RestoreEventData


class IntelligentTieringEventData(CamelStruct):
    destination_access_tier: str


class S3EventRecord(CamelStruct):
    event_version: str
    event_source: str
    aws_region: str
    event_time: datetime
    event_name: str
    s3: S3Entity
    user_identity: Optional[S3Identity] = None
    request_parameters: Optional[S3RequestParameters] = None
    response_elements: Optional[S3ResponseElements] = None
    glacier_event_data: Optional[GlacierEventData] = None
    intelligent_tiering_event_data: Optional[IntelligentTieringEventData] = None


class S3Event(msgspec.Struct, omit_defaults=True):
    records: List[S3EventRecord] = msgspec.field(name="Records")


class S3EventBridgeBucket(KebabStruct):
    name: str


class S3EventBridgeObject(KebabStruct):
    key: str
    size: Optional[int] = None
    etag: Optional[str] = None
    version_id: Optional[str] = None
    sequencer: Optional[str] = None


class S3EventBridgeDetail(KebabStruct):
    """``detail`` of ``aws.s3`` events (Object Created/Deleted/Restore.../Tags...)."""

    version: str
    bucket: S3EventBridgeBucket
    object: S3EventBridgeObject
    request_id: Optional[str] = None
    requester: Optional[str] = None
    source_ip_address: Optional[str] = None
    reason: Optional[str] = None
    deletion_type: Optional[str] = None
    restore_expiry_time: Optional[str] = None
    source_storage_class: Optional[str] = None
    destination_storage_class: Optional[str] = None
    destination_access_tier: Optional[str] = None


S3EventBridgeEvent = EventBridgeEvent[S3EventBridgeDetail]
