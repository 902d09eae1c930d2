"""The serialized request, before the endpoint and the signature are added."""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List, Optional, Tuple


class Request:
    """Method, path (already percent-encoded), query pairs, headers and body."""

    __slots__ = ("body", "bucket", "headers", "host_prefix", "method", "path", "query")

    def __init__(self, method: str = "POST", path: str = "/") -> None:
        self.method = method
        self.path = path
        self.query: List[Tuple[str, str]] = []
        self.headers: Dict[str, str] = {}
        self.body: Any = b""
        self.host_prefix: Optional[str] = None
        self.bucket: Optional[str] = None  # S3: the bucket, for virtual-hosted addressing
