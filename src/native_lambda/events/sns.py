"""SNS notifications delivered to Lambda, and the SNS envelope SQS subscribers receive."""

from datetime import datetime
from typing import Any, Dict, List, Optional, Type, TypeVar

import msgspec

from ._base import PascalStruct

__all__ = ["SNSEvent", "SNSMessage", "SNSMessageAttribute", "SNSNotification", "SNSRecord"]

T = TypeVar("T")


class SNSMessageAttribute(PascalStruct):
    type: str
    value: str


class SNSMessage(PascalStruct):
    """The ``Sns`` object of a Lambda record (note Lambda's ``SigningCertUrl`` spelling)."""

    message_id: str
    message: str
    topic_arn: str
    timestamp: datetime
    type: str
    subject: Optional[str] = None
    message_attributes: Dict[str, SNSMessageAttribute] = {}
    signature_version: Optional[str] = None
    signature: Optional[str] = None
    signing_cert_url: Optional[str] = None
    unsubscribe_url: Optional[str] = None

    def json(self, type: "Type[T]" = Any) -> "T":  # type: ignore[assignment]
        """The message decoded as JSON, strictly into ``type`` when given."""
        return msgspec.json.decode(self.message, type=type)


class SNSRecord(PascalStruct):
    event_source: str
    event_version: str
    event_subscription_arn: str
    sns: SNSMessage


class SNSEvent(msgspec.Struct, omit_defaults=True):
    records: List[SNSRecord] = msgspec.field(name="Records")


class SNSNotification(PascalStruct):
    """The JSON body an SQS (or HTTP) subscriber gets without raw message delivery.

    Decode an SQS record's body with ``record.json(SNSNotification)``. Spelled ``...URL``
    here, unlike in Lambda's own SNS records.
    """

    message_id: str
    message: str
    topic_arn: str
    timestamp: datetime
    type: str
    subject: Optional[str] = None
    sequence_number: Optional[str] = None
    message_attributes: Dict[str, SNSMessageAttribute] = {}
    signature_version: Optional[str] = None
    signature: Optional[str] = None
    signing_cert_url: Optional[str] = msgspec.field(default=None, name="SigningCertURL")
    unsubscribe_url: Optional[str] = msgspec.field(default=None, name="UnsubscribeURL")

    def json(self, type: "Type[T]" = Any) -> "T":  # type: ignore[assignment]
        return msgspec.json.decode(self.message, type=type)
