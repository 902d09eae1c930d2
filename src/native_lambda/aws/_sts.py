"""STS ``AssumeRole`` (signed by our SigV4 code) and ``AssumeRoleWithWebIdentity`` (unsigned:
the web identity token is the proof), over the query API with ``http.client``.

Endpoint: ``AWS_ENDPOINT_URL_STS`` → ``AWS_ENDPOINT_URL`` → ``https://sts.<region>.amazonaws.com``
(the regional endpoint; ``us-east-1`` when no region is configured).
"""

from __future__ import annotations

from ._http import HttpFailure, exchange, form_encode
from ._timeparse import parse_timestamp
from ._types import Credentials, CredentialsError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Mapping, Optional

VERSION = "2011-06-15"
_ENTITIES = (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&"))


def endpoint(region: str, env: Mapping[str, str]) -> str:
    url = env.get("AWS_ENDPOINT_URL_STS") or env.get("AWS_ENDPOINT_URL")
    if url:
        return url.rstrip("/") + "/"
    suffix = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"https://sts.{region}.{suffix}/"


def _tag(xml: str, name: str) -> Optional[str]:
    start = xml.find(f"<{name}>")
    if start == -1:
        return None
    start += len(name) + 2
    end = xml.find(f"</{name}>", start)
    if end == -1:
        return None
    value = xml[start:end].strip()
    for entity, char in _ENTITIES:
        value = value.replace(entity, char)
    return value


def _call(
    action: str,
    params: Dict[str, str],
    *,
    region: str,
    env: Mapping[str, str],
    source: str,
    signer: Optional[Credentials],
    timeout: float,
) -> Credentials:
    url = endpoint(region, env)
    body = form_encode({"Action": action, "Version": VERSION, **params})
    headers = {"Content-Type": "application/x-www-form-urlencoded; charset=utf-8"}
    if signer is not None:
        from ._sigv4 import sign_headers

        headers.update(
            sign_headers(
                "POST", url, headers, body, credentials=signer, region=region, service="sts"
            )
        )
    try:
        status, data = exchange("POST", url, headers=headers, body=body, timeout=timeout)
    except HttpFailure as exc:
        raise CredentialsError(f"{source}: STS at {url} unreachable ({exc})") from None
    text = data.decode("utf-8", "replace")
    if status != 200:
        code = _tag(text, "Code") or f"HTTP {status}"
        message = (_tag(text, "Message") or "")[:300]
        raise CredentialsError(f"{source}: STS {action} failed: {code}: {message}".rstrip(": "))
    key, secret = _tag(text, "AccessKeyId"), _tag(text, "SecretAccessKey")
    if not key or not secret:
        raise CredentialsError(f"{source}: STS {action} answer lacks credentials")
    expiration = _tag(text, "Expiration")
    return Credentials(
        key,
        secret,
        _tag(text, "SessionToken"),
        expiration=parse_timestamp(expiration) if expiration else None,
        source=source,
    )


def assume_role(
    signer: Credentials,
    role_arn: str,
    *,
    session_name: str,
    region: str,
    env: Mapping[str, str],
    source: str,
    external_id: Optional[str] = None,
    duration_seconds: Optional[str] = None,
    timeout: float = 10.0,
) -> Credentials:
    params = {"RoleArn": role_arn, "RoleSessionName": session_name}
    if external_id:
        params["ExternalId"] = external_id
    if duration_seconds:
        params["DurationSeconds"] = duration_seconds
    return _call(
        "AssumeRole",
        params,
        region=region,
        env=env,
        source=source,
        signer=signer,
        timeout=timeout,
    )


def assume_role_with_web_identity(
    token: str,
    role_arn: str,
    *,
    session_name: str,
    region: str,
    env: Mapping[str, str],
    source: str,
    timeout: float = 10.0,
) -> Credentials:
    params = {"RoleArn": role_arn, "RoleSessionName": session_name, "WebIdentityToken": token}
    return _call(
        "AssumeRoleWithWebIdentity",
        params,
        region=region,
        env=env,
        source=source,
        signer=None,
        timeout=timeout,
    )
