"""Pieces shared by the HTTP front doors (API Gateway v1/v2, Function URLs, authorizers).

Kept apart so ``function_url`` does not import all of ``apigateway`` (each Struct class
costs some 15-20 µs to create at import).
"""

from typing import List, Optional

import msgspec

from ._base import CamelStruct


class CertValidity(CamelStruct):
    not_before: str
    not_after: str


class ClientCert(CamelStruct):
    """The mutual-TLS client certificate API Gateway verified."""

    client_cert_pem: str
    subject_dn: str = msgspec.field(name="subjectDN")
    issuer_dn: str = msgspec.field(name="issuerDN")
    serial_number: str
    validity: CertValidity


class Authentication(CamelStruct):
    client_cert: Optional[ClientCert] = None


class HttpDescription(CamelStruct):
    """``requestContext.http`` of payload format 2.0 (HTTP APIs, Function URLs)."""

    method: str
    path: str
    protocol: Optional[str] = None
    source_ip: Optional[str] = None
    user_agent: Optional[str] = None


class CognitoIdentity(CamelStruct):
    amr: List[str]
    identity_id: str
    identity_pool_id: str


class IamAuthorizer(CamelStruct):
    """``requestContext.authorizer.iam``: the SigV4 caller (AWS_IAM auth)."""

    access_key: Optional[str] = None
    account_id: Optional[str] = None
    caller_id: Optional[str] = None
    cognito_identity: Optional[CognitoIdentity] = None
    principal_org_id: Optional[str] = None
    user_arn: Optional[str] = None
    user_id: Optional[str] = None
