"""The function URL of ``deploy --url``: its auth type and invoke mode (``--stream`` is
``RESPONSE_STREAM``, the default ``BUFFERED``), created or updated only when they differ.

A public URL (``AuthType NONE``) needs the resource policy to allow anyone to call it:
``lambda:InvokeFunctionUrl`` for URLs with auth type NONE, and ``lambda:InvokeFunction`` when
invoked through a function URL. Both statements have fixed ids, so adding them again is a
no-op (409); GetPolicy says which are there, so an unchanged deploy writes nothing. They are
removed when the URL goes back to ``AWS_IAM``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ._client import API, LambdaClient
from ._errors import LambdaApiError, UncertainOutcome

URL_API = "/2021-10-31"
AUTH_TYPES = ("AWS_IAM", "NONE")
PUBLIC_STATEMENTS: tuple[dict[str, Any], ...] = (
    {
        "StatementId": "native-lambda-url-public",
        "Action": "lambda:InvokeFunctionUrl",
        "Principal": "*",
        "FunctionUrlAuthType": "NONE",
    },
    {
        "StatementId": "native-lambda-url-public-invoke",
        "Action": "lambda:InvokeFunction",
        "Principal": "*",
        "InvokedViaFunctionUrl": True,
    },
)


@dataclass(frozen=True)
class UrlSpec:
    auth_type: str = "AWS_IAM"
    invoke_mode: str = "BUFFERED"

    def config(self) -> dict[str, str]:
        return {"AuthType": self.auth_type, "InvokeMode": self.invoke_mode}


def _missing(exc: LambdaApiError) -> bool:
    return exc.code == "ResourceNotFoundException" or exc.status == 404


def get_url_config(client: LambdaClient, name: str) -> dict[str, Any] | None:
    """The function URL's configuration, or None when the function has none."""
    try:
        return client._call("GET", f"{URL_API}/functions/{client._name(name)}/url").json()
    except LambdaApiError as exc:
        if _missing(exc):
            return None
        raise


def _differs(current: dict[str, Any], wanted: dict[str, str]) -> list[str]:
    """Fields to change. Enum values compare without case (moto says ``Buffered``), and a
    URL without InvokeMode is BUFFERED, as the API documents."""
    have = {"AuthType": current.get("AuthType"), "InvokeMode": current.get("InvokeMode")}
    have["InvokeMode"] = have["InvokeMode"] or "BUFFERED"
    return [key for key, value in wanted.items() if str(have[key] or "").upper() != value]


def _create(client: LambdaClient, name: str, wanted: dict[str, str]) -> dict[str, Any] | None:
    """CreateFunctionUrlConfig; after an uncertain answer, None (the caller looks again)."""
    try:
        return client._call(
            "POST",
            f"{URL_API}/functions/{client._name(name)}/url",
            body=wanted,
            operation=f"CreateFunctionUrlConfig of {name}",
        ).json()
    except UncertainOutcome:
        return None


def _statement_ids(client: LambdaClient, name: str) -> set[str]:
    """The ids of the function's resource-policy statements (GetPolicy)."""
    try:
        answer = client._call("GET", f"{API}/functions/{client._name(name)}/policy").json()
    except LambdaApiError as exc:
        if _missing(exc):
            return set()
        raise
    try:
        policy = json.loads(answer.get("Policy") or "{}")
    except ValueError:
        return set()
    return {str(item.get("Sid")) for item in policy.get("Statement") or []}


def _set_public(client: LambdaClient, name: str, public: bool) -> list[str]:
    """Add (or remove) the public statements that are missing (or present): a deploy that
    changes nothing writes nothing. The ids of those that changed."""
    present = _statement_ids(client, name)
    changed = []
    for statement in PUBLIC_STATEMENTS:
        sid = statement["StatementId"]
        if (sid in present) == public:
            continue
        try:
            if public:
                # A repeat after an uncertain answer meets 409: the statement is there.
                client._call(
                    "POST",
                    f"{API}/functions/{client._name(name)}/policy",
                    body=statement,
                    idempotent=True,
                    operation=f"AddPermission {sid} to {name}",
                )
            else:
                client._call(
                    "DELETE", f"{API}/functions/{client._name(name)}/policy/{sid}", idempotent=True
                )
        except LambdaApiError as exc:
            if exc.code == "ResourceConflictException" or exc.status == 409 or _missing(exc):
                continue
            raise
        changed.append(sid)
    return changed


def ensure_url(
    client: LambdaClient, name: str, spec: UrlSpec, log: Callable[[str], None]
) -> tuple[str, bool]:
    """(FunctionUrl, written?) — creates the URL, or updates what differs from ``spec``."""
    wanted = spec.config()
    summary = f"{spec.auth_type}, {spec.invoke_mode}"
    current = get_url_config(client, name)
    written = False
    attempts = client.retry.max_attempts
    for attempt in range(1, attempts + 1):
        if current is not None:
            break
        current = _create(client, name, wanted)
        if current is None:  # uncertain: it may exist now
            current = get_url_config(client, name)
            if current is None and attempt < attempts:
                client.backoff(attempt, None, "uncertain CreateFunctionUrlConfig; creating again")
        else:
            log(f"function URL {current.get('FunctionUrl')}: created ({summary})")
            written = True
    if current is None:
        raise UncertainOutcome(f"CreateFunctionUrlConfig of {name}", "no URL after retries")
    was_public = str(current.get("AuthType", "")).upper() == "NONE"
    changed = [] if written else _differs(current, wanted)
    if changed:
        current = client._call(
            "PUT", f"{URL_API}/functions/{client._name(name)}/url", body=wanted
        ).json()
        log(f"function URL {current.get('FunctionUrl')}: updated {', '.join(changed)} ({summary})")
        written = True
    elif not written:
        log(f"function URL {current.get('FunctionUrl')}: unchanged ({summary})")
    public = spec.auth_type == "NONE"
    if public or was_public:
        statements = _set_public(client, name, public)
        if statements:
            verb = "allowed" if public else "no longer allowed"
            log(f"function URL: public invocation {verb} ({', '.join(statements)})")
            written = True
    return str(current.get("FunctionUrl", "")), written
