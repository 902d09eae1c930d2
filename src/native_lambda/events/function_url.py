"""Lambda Function URL requests and responses (payload format 2.0 without API Gateway).

Same shape as an HTTP API event minus routes, stages and path parameters; the only
authorizer is AWS_IAM.
"""

from typing import Dict, List, Optional

from ._base import CamelStruct
from ._shared import Authentication, ClientCert, HttpDescription, IamAuthorizer

__all__ = [
    "Authentication",
    "ClientCert",
    "FunctionUrlAuthorizer",
    "FunctionUrlEvent",
    "FunctionUrlRequestContext",
    "FunctionUrlResponse",
    "HttpDescription",
    "IamAuthorizer",
]


class FunctionUrlAuthorizer(CamelStruct):
    iam: Optional[IamAuthorizer] = None


class FunctionUrlRequestContext(CamelStruct):
    account_id: str
    api_id: str
    http: HttpDescription
    request_id: str
    authentication: Optional[Authentication] = None
    authorizer: Optional[FunctionUrlAuthorizer] = None
    domain_name: Optional[str] = None
    domain_prefix: Optional[str] = None
    route_key: Optional[str] = None
    stage: Optional[str] = None
    time: Optional[str] = None
    time_epoch: Optional[int] = None


class FunctionUrlEvent(CamelStruct):
    """A request to the function's URL (``https://<url-id>.lambda-url.<region>.on.aws``)."""

    version: str
    raw_path: str
    request_context: FunctionUrlRequestContext
    route_key: Optional[str] = None
    raw_query_string: str = ""
    cookies: Optional[List[str]] = None
    headers: Optional[Dict[str, str]] = None
    query_string_parameters: Optional[Dict[str, str]] = None
    body: Optional[str] = None
    is_base64_encoded: bool = False


class FunctionUrlResponse(CamelStruct):
    """A Function URL answer; ``cookies`` become ``Set-Cookie`` headers."""

    status_code: int
    headers: Optional[Dict[str, str]] = None
    body: Optional[str] = None
    is_base64_encoded: bool = False
    cookies: Optional[List[str]] = None
