"""Application Load Balancer target-group requests and responses.

With multi-value headers enabled on the target group the request carries only the
``multiValue*`` maps and the response must answer with ``multi_value_headers``; otherwise
only the single-value maps are used. ALB passes query values as sent (still URL-encoded).
"""

from typing import Dict, List, Optional

from ._base import CamelStruct

__all__ = ["ALBEvent", "ALBRequestContext", "ALBResponse", "ElbContext"]


class ElbContext(CamelStruct):
    target_group_arn: str


class ALBRequestContext(CamelStruct):
    elb: ElbContext


class ALBEvent(CamelStruct):
    http_method: str
    path: str
    request_context: ALBRequestContext
    headers: Optional[Dict[str, str]] = None
    multi_value_headers: Optional[Dict[str, List[str]]] = None
    query_string_parameters: Optional[Dict[str, str]] = None
    multi_value_query_string_parameters: Optional[Dict[str, List[str]]] = None
    body: Optional[str] = None
    is_base64_encoded: bool = False


class ALBResponse(CamelStruct, kw_only=True):
    """ALB wants ``statusDescription`` (``"200 OK"``) and ``isBase64Encoded`` always
    present, so both are required here (a default would be omitted when encoding)."""

    status_code: int
    status_description: str
    is_base64_encoded: bool
    headers: Optional[Dict[str, str]] = None
    multi_value_headers: Optional[Dict[str, List[str]]] = None
    body: Optional[str] = None
