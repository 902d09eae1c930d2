"""EventBridge (CloudWatch Events) envelopes with a user-typed ``detail``.

``EventBridgeEvent[OrderPlaced]`` decodes ``detail`` strictly into ``OrderPlaced``; a bare
``EventBridgeEvent`` leaves it as plain JSON values. ``ScheduledEvent`` is what a schedule
rule sends (``detail`` is ``{}``).
"""

from datetime import datetime
from typing import Any, Dict, Generic, List, Optional, TypeVar

from ._base import KebabStruct

__all__ = ["EventBridgeEvent", "ScheduledEvent"]

T = TypeVar("T")


class EventBridgeEvent(KebabStruct, Generic[T]):
    """Envelope fields keep AWS's kebab-case on the wire (``detail-type``)."""

    version: str
    id: str
    detail_type: str
    source: str
    account: str
    time: datetime
    region: str
    detail: T
    resources: List[str] = []
    replay_name: Optional[str] = None


class ScheduledEvent(EventBridgeEvent[Dict[str, Any]]):
    """A scheduled rule's event (``source`` ``aws.events``, ``detail-type`` ``Scheduled Event``)."""
