"""API Gateway request contexts, shared by the proxy events and the authorizer events."""

from typing import Any, Dict, List, Optional

import msgspec

from ._base import CamelStruct
from ._shared import Authentication, ClientCert, HttpDescription, IamAuthorizer


class RequestIdentity(CamelStruct):
    """``requestContext.identity`` of a REST API request; every field may be null."""

    access_key: Optional[str] = None
    account_id: Optional[str] = None
    api_key: Optional[str] = None
    api_key_id: Optional[str] = None
    caller: Optional[str] = None
    client_cert: Optional[ClientCert] = None
    cognito_amr: Optional[Any] = None
    cognito_authentication_provider: Optional[str] = None
    cognito_authentication_type: Optional[str] = None
    cognito_identity_id: Optional[str] = None
    cognito_identity_pool_id: Optional[str] = None
    principal_org_id: Optional[str] = None
    source_ip: Optional[str] = None
    user: Optional[str] = None
    user_agent: Optional[str] = None
    user_arn: Optional[str] = None
    vpc_id: Optional[str] = None
    vpce_id: Optional[str] = None


class RequestContext(CamelStruct):
    """``requestContext`` of a REST API (v1) request."""

    account_id: str
    api_id: str
    request_id: str
    stage: str
    # Cognito claims/scopes, a Lambda authorizer's principalId and context: shape varies.
    authorizer: Optional[Dict[str, Any]] = None
    domain_name: Optional[str] = None
    domain_prefix: Optional[str] = None
    extended_request_id: Optional[str] = None
    http_method: Optional[str] = None
    identity: Optional[RequestIdentity] = None
    operation_name: Optional[str] = None
    path: Optional[str] = None
    protocol: Optional[str] = None
    request_time: Optional[str] = None
    request_time_epoch: Optional[int] = None
    resource_id: Optional[str] = None
    resource_path: Optional[str] = None


class JwtAuthorizer(CamelStruct):
    claims: Dict[str, Any] = {}
    scopes: Optional[List[str]] = None


class APIGatewayV2Authorizer(CamelStruct):
    """Exactly one of ``jwt``, ``iam`` or ``lambda_`` (wire ``lambda``) is set."""

    jwt: Optional[JwtAuthorizer] = None
    iam: Optional[IamAuthorizer] = None
    lambda_: Optional[Dict[str, Any]] = msgspec.field(default=None, name="lambda")


class APIGatewayV2RequestContext(CamelStruct):
    account_id: str
    api_id: str
    http: HttpDescription
    request_id: str
    authentication: Optional[Authentication] = None
    authorizer: Optional[APIGatewayV2Authorizer] = None
    domain_name: Optional[str] = None
    domain_prefix: Optional[str] = None
    route_key: Optional[str] = None
    stage: Optional[str] = None
    time: Optional[str] = None
    time_epoch: Optional[int] = None
