"""API Gateway Lambda proxy integrations: REST APIs (payload 1.0) and HTTP APIs (2.0).

``APIGatewayProxyEvent``/``APIGatewayProxyResponse`` are the REST API (v1) shapes,
``APIGatewayV2Event``/``APIGatewayV2Response`` the HTTP API payload format 2.0. For one
handler behind any HTTP front door use :mod:`native_lambda.events.http` instead.
"""

from typing import Dict, List, Optional

from ._base import CamelStruct
from ._contexts import (
    APIGatewayV2Authorizer,
    APIGatewayV2RequestContext,
    JwtAuthorizer,
    RequestContext,
    RequestIdentity,
)
from ._shared import Authentication, ClientCert, HttpDescription, IamAuthorizer

__all__ = [
    "APIGatewayProxyEvent",
    "APIGatewayProxyResponse",
    "APIGatewayV2Authorizer",
    "APIGatewayV2Event",
    "APIGatewayV2RequestContext",
    "APIGatewayV2Response",
    "Authentication",
    "ClientCert",
    "HttpDescription",
    "IamAuthorizer",
    "JwtAuthorizer",
    "RequestContext",
    "RequestIdentity",
]


class APIGatewayProxyEvent(CamelStruct):
    """A REST API (v1) proxy request. Multi-value maps hold every repeated value."""

    http_method: str
    path: str
    request_context: RequestContext
    resource: Optional[str] = None
    version: Optional[str] = None
    headers: Optional[Dict[str, str]] = None
    multi_value_headers: Optional[Dict[str, List[str]]] = None
    query_string_parameters: Optional[Dict[str, str]] = None
    multi_value_query_string_parameters: Optional[Dict[str, List[str]]] = None
    path_parameters: Optional[Dict[str, str]] = None
    stage_variables: Optional[Dict[str, str]] = None
    body: Optional[str] = None
    is_base64_encoded: bool = False


class APIGatewayProxyResponse(CamelStruct):
    """What a REST API (v1) proxy integration answers; ``body`` base64 when flagged."""

    status_code: int
    headers: Optional[Dict[str, str]] = None
    multi_value_headers: Optional[Dict[str, List[str]]] = None
    body: Optional[str] = None
    is_base64_encoded: bool = False


class APIGatewayV2Event(CamelStruct):
    """An HTTP API request, payload format 2.0. Repeated headers/query values arrive
    comma-joined; ``raw_query_string`` keeps them apart."""

    version: str
    raw_path: str
    request_context: APIGatewayV2RequestContext
    route_key: Optional[str] = None
    raw_query_string: str = ""
    cookies: Optional[List[str]] = None
    headers: Optional[Dict[str, str]] = None
    query_string_parameters: Optional[Dict[str, str]] = None
    path_parameters: Optional[Dict[str, str]] = None
    stage_variables: Optional[Dict[str, str]] = None
    body: Optional[str] = None
    is_base64_encoded: bool = False


class APIGatewayV2Response(CamelStruct):
    """Payload format 2.0 response; ``cookies`` become ``Set-Cookie`` headers."""

    status_code: int
    headers: Optional[Dict[str, str]] = None
    body: Optional[str] = None
    is_base64_encoded: bool = False
    cookies: Optional[List[str]] = None
