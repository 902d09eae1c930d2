"""API Gateway Lambda authorizers: TOKEN and REQUEST (REST APIs), REQUEST 2.0 (HTTP APIs).

Answers: :class:`PolicyResponse` (an IAM policy; REST APIs, and HTTP APIs with payload
1.0/2.0) or :class:`SimpleResponse` (HTTP APIs with simple responses enabled).
"""

from typing import Any, Dict, List, Optional, Union

from ._base import CamelStruct, PascalStruct
from ._contexts import APIGatewayV2RequestContext, RequestContext

__all__ = [
    "PolicyDocument",
    "PolicyResponse",
    "PolicyStatement",
    "RequestAuthorizerEvent",
    "RequestAuthorizerEventV2",
    "SimpleResponse",
    "TokenAuthorizerEvent",
]


class TokenAuthorizerEvent(CamelStruct):
    """TOKEN authorizer input: the identity-source header's value and the method ARN."""

    type: str
    authorization_token: str
    method_arn: str


class RequestAuthorizerEvent(CamelStruct):
    """REQUEST authorizer input of a REST API: the request minus its body."""

    type: str
    method_arn: str
    request_context: RequestContext
    version: Optional[str] = None
    resource: Optional[str] = None
    path: Optional[str] = None
    http_method: Optional[str] = None
    identity_source: Optional[str] = None
    authorization_token: Optional[str] = None
    headers: Optional[Dict[str, str]] = None
    multi_value_headers: Optional[Dict[str, List[str]]] = None
    query_string_parameters: Optional[Dict[str, str]] = None
    multi_value_query_string_parameters: Optional[Dict[str, List[str]]] = None
    path_parameters: Optional[Dict[str, str]] = None
    stage_variables: Optional[Dict[str, str]] = None


class RequestAuthorizerEventV2(CamelStruct):
    """REQUEST authorizer input of an HTTP API, payload format 2.0."""

    version: str
    type: str
    route_arn: str
    request_context: APIGatewayV2RequestContext
    identity_source: Optional[List[str]] = None
    route_key: Optional[str] = None
    raw_path: Optional[str] = None
    raw_query_string: Optional[str] = None
    cookies: Optional[List[str]] = None
    headers: Optional[Dict[str, str]] = None
    query_string_parameters: Optional[Dict[str, str]] = None
    path_parameters: Optional[Dict[str, str]] = None
    stage_variables: Optional[Dict[str, str]] = None


class SimpleResponse(CamelStruct):
    """HTTP API simple response: allow or deny, plus context for the integration."""

    is_authorized: bool
    context: Optional[Dict[str, Any]] = None


# Not omit_defaults (here and below): IAM wants "Action" and "Version" written out.
class PolicyStatement(PascalStruct, omit_defaults=False):
    effect: str  # "Allow" | "Deny"
    resource: Union[str, List[str]]
    action: Union[str, List[str]] = "execute-api:Invoke"


class PolicyDocument(PascalStruct, omit_defaults=False):
    statement: List[PolicyStatement]
    version: str = "2012-10-17"


class PolicyResponse(CamelStruct):
    """IAM policy answer. ``context`` values must be strings, numbers or booleans."""

    principal_id: str
    policy_document: PolicyDocument
    context: Optional[Dict[str, Any]] = None
    usage_identifier_key: Optional[str] = None

    @classmethod
    def allow(
        cls, principal_id: str, resource: Union[str, List[str]], **context: Any
    ) -> "PolicyResponse":
        """Allow ``execute-api:Invoke`` on ``resource`` (e.g. the event's method ARN)."""
        return cls._make(principal_id, "Allow", resource, context)

    @classmethod
    def deny(
        cls, principal_id: str, resource: Union[str, List[str]], **context: Any
    ) -> "PolicyResponse":
        return cls._make(principal_id, "Deny", resource, context)

    @classmethod
    def _make(
        cls, principal_id: str, effect: str, resource: Any, context: Dict[str, Any]
    ) -> "PolicyResponse":
        statement = PolicyStatement(effect=effect, resource=resource)
        return cls(
            principal_id=principal_id,
            policy_document=PolicyDocument(statement=[statement]),
            context=context or None,
        )
