"""A small Lambda API client on httpx, signed by ``native_lambda.aws`` (the same SigV4 code
that functions compile in). Only the operations the deploy tool needs.

Retries never duplicate a write. Requests that were never sent (connection refused) and
throttling answers (the service refused before doing anything) are retried for every call.
A 5xx, a read timeout, a reset or a malformed answer after the request went out is retried
only for idempotent calls (GET, and the PUTs that set code or configuration to a value);
for the others (PublishLayerVersion, CreateFunction, Invoke, DeleteFunction) it raises
:class:`UncertainOutcome`, and the caller re-checks the state before anything is sent again.
"""

from __future__ import annotations

import base64
import json
import re
import time
import urllib.parse
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import httpx

from native_lambda.aws import Credentials, CredentialsProvider, sigv4_auth

from ._errors import DeployError, LambdaApiError, UncertainOutcome, may_have_run
from ._invoke import InvokeOutput
from ._retry import RetryPolicy, is_throttling

if TYPE_CHECKING:
    from ._stream import StreamOutput

API = "/2015-03-31"
LAYERS_API = "/2018-10-31"
USER_AGENT = "native-lambda-deploy/0.1"
CONNECT_ATTEMPTS = 3


def _error_of(response: httpx.Response) -> LambdaApiError:
    code = response.headers.get("x-amzn-errortype", "").split(":")[0]
    message = ""
    try:
        body = response.json()
    except ValueError:
        body = None
    if isinstance(body, dict):
        message = str(body.get("message") or body.get("Message") or body.get("errorMessage") or "")
        if not code:
            raw = str(body.get("__type") or body.get("code") or body.get("Code") or "")
            code = raw.rpartition("#")[2]
    if not message:  # not JSON (a proxy's or a crashed server's page): text without tags
        text = " ".join(re.sub(r"<[^>]*>", " ", response.text).split())
        message = text[:300] or response.reason_phrase
    return LambdaApiError(
        code or f"HTTP{response.status_code}",
        message,
        response.status_code,
        request_id=response.headers.get("x-amzn-requestid"),
    )


class LambdaClient:
    """Lambda control and data plane calls, with retries where they cannot duplicate a write.

    ``sleep`` is injectable only so that a test can count waits; it defaults to time.sleep.
    """

    def __init__(
        self,
        *,
        endpoint: str,
        region: str,
        credentials: Credentials | CredentialsProvider,
        retry: RetryPolicy | None = None,
        timeout: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
        on_retry: Callable[[str], None] | None = None,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.region = region
        self.retry = retry or RetryPolicy()
        self._sleep = sleep
        self._on_retry = on_retry
        self._timeout = timeout
        self._http = httpx.Client(
            base_url=self.endpoint,
            auth=sigv4_auth(credentials, region=region, service="lambda"),
            timeout=timeout,
            headers={"User-Agent": USER_AGENT},
        )
        self.retries = 0  # how many retries this client made (reported by the CLI)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> LambdaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- transport -----------------------------------------------------------------------

    def _call(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        content: bytes | None = None,
        params: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
        idempotent: bool | None = None,
        operation: str = "",
    ) -> httpx.Response:
        data = json.dumps(body).encode() if body is not None else content
        send_headers = dict(headers or {})
        if body is not None:
            send_headers.setdefault("Content-Type", "application/json")
        if idempotent is None:
            idempotent = method in ("GET", "HEAD", "PUT")
        what = operation or f"{method} {path}"
        attempt = 0
        while True:
            attempt += 1
            try:
                response = self._http.request(
                    method, path, content=data, params=params, headers=send_headers
                )
            except (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout) as exc:
                # Never sent. Nothing listening is rarely transient: a few quick tries.
                if attempt >= min(self.retry.max_attempts, CONNECT_ATTEMPTS):
                    raise DeployError(
                        f"cannot reach the Lambda endpoint {self.endpoint}: {exc or type(exc)}"
                    ) from None
                self.backoff(attempt, None, f"connection failed ({exc})", CONNECT_ATTEMPTS)
                continue
            except httpx.TransportError as exc:  # sent; no (complete) answer came back
                reason = self._transport_reason(exc)
                if not idempotent:
                    raise UncertainOutcome(what, reason) from None
                if attempt >= self.retry.max_attempts:
                    raise DeployError(
                        f"{what}: {reason} (gave up after {attempt} attempts)",
                        hint="check the endpoint and the network, or try again later",
                    ) from None
                self.backoff(attempt, None, f"{what}: {reason}")
                continue
            except httpx.HTTPError as exc:  # a bad URL or similar: nothing to retry
                raise DeployError(
                    f"cannot call the Lambda endpoint {self.endpoint}: {exc}"
                ) from None
            if response.status_code < 300:
                return response
            error = _error_of(response)
            retry_after = response.headers.get("retry-after")
            if is_throttling(error.status, error.code):  # refused before doing anything
                if attempt < self.retry.max_attempts:
                    self.backoff(attempt, retry_after, str(error))
                    continue
                raise error
            if error.status >= 500:
                if not idempotent:
                    raise UncertainOutcome(what, error.message)
                if attempt < self.retry.max_attempts:
                    self.backoff(attempt, retry_after, str(error))
                    continue
            raise error

    def _transport_reason(self, exc: httpx.TransportError) -> str:
        if isinstance(exc, httpx.ReadTimeout):
            return f"no answer within {self._timeout:g} s (read timeout)"
        if isinstance(exc, httpx.TimeoutException):
            return f"timed out ({type(exc).__name__})"
        return f"the exchange broke off ({type(exc).__name__}: {exc or 'no detail'})"

    def backoff(
        self, attempt: int, retry_after: str | None, why: str, limit: int | None = None
    ) -> None:
        delay = self.retry.delay(attempt, retry_after)
        self.retries += 1
        attempts = min(limit or self.retry.max_attempts, self.retry.max_attempts)
        if self._on_retry is not None:
            self._on_retry(f"retry {attempt}/{attempts - 1} in {delay:.2f}s: {why}")
        self._sleep(delay)

    @staticmethod
    def _name(name: str) -> str:
        return urllib.parse.quote(name, safe="")

    # -- layers --------------------------------------------------------------------------

    def list_layer_versions(self, layer: str) -> Iterator[dict[str, Any]]:
        marker: str | None = None
        while True:
            params = {"MaxItems": "50"}
            if marker:
                params["Marker"] = marker
            page = self._call(
                "GET", f"{LAYERS_API}/layers/{self._name(layer)}/versions", params=params
            ).json()
            yield from page.get("LayerVersions") or []
            marker = page.get("NextMarker")
            if not marker:
                return

    def publish_layer_version(
        self,
        layer: str,
        zip_bytes: bytes,
        *,
        description: str,
        architectures: list[str],
        runtimes: list[str],
    ) -> dict[str, Any]:
        body = {
            "Description": description,
            "Content": {"ZipFile": base64.b64encode(zip_bytes).decode()},
            "CompatibleRuntimes": runtimes,
            "CompatibleArchitectures": architectures,
        }
        return self._call(
            "POST",
            f"{LAYERS_API}/layers/{self._name(layer)}/versions",
            body=body,
            operation=f"PublishLayerVersion of {layer}",
        ).json()

    # -- functions -----------------------------------------------------------------------

    def get_function(self, name: str) -> dict[str, Any] | None:
        """The function's configuration, or None when it does not exist."""
        try:
            return self._call("GET", f"{API}/functions/{self._name(name)}/configuration").json()
        except LambdaApiError as exc:
            if exc.code == "ResourceNotFoundException" or exc.status == 404:
                return None
            raise

    def create_function(self, config: dict[str, Any], zip_bytes: bytes) -> dict[str, Any]:
        body = dict(config)
        name = str(body.get("FunctionName", ""))
        body["Code"] = {"ZipFile": base64.b64encode(zip_bytes).decode()}
        body.setdefault("Publish", False)
        return self._call(
            "POST", f"{API}/functions", body=body, operation=f"CreateFunction of {name}"
        ).json()

    def update_function_code(
        self, name: str, zip_bytes: bytes, *, architectures: list[str]
    ) -> dict[str, Any]:
        body = {
            "ZipFile": base64.b64encode(zip_bytes).decode(),
            "Architectures": architectures,
            "Publish": False,
        }
        return self._call("PUT", f"{API}/functions/{self._name(name)}/code", body=body).json()

    def update_function_configuration(self, name: str, config: dict[str, Any]) -> dict[str, Any]:
        return self._call(
            "PUT", f"{API}/functions/{self._name(name)}/configuration", body=config
        ).json()

    def delete_function(self, name: str) -> None:
        """Delete; after an uncertain answer, GetFunction says whether it is gone."""
        for attempt in range(1, self.retry.max_attempts + 1):
            try:
                self._call(
                    "DELETE",
                    f"{API}/functions/{self._name(name)}",
                    operation=f"DeleteFunction of {name}",
                )
                return
            except UncertainOutcome as exc:
                if self.get_function(name) is None:
                    return
                if attempt == self.retry.max_attempts:
                    raise
                self.backoff(attempt, None, f"{exc.reason}; the function still exists")

    def wait_until_ready(
        self, name: str, *, timeout: float = 300.0, poll: float = 1.0
    ) -> dict[str, Any]:
        """Poll until ``State`` is Active and ``LastUpdateStatus`` is Successful."""
        deadline = time.monotonic() + timeout
        while True:
            config = self.get_function(name)
            if config is None:
                raise DeployError(f"function {name} disappeared while waiting for it")
            state = config.get("State", "Active")
            update = config.get("LastUpdateStatus", "Successful")
            if state == "Failed":
                reason = config.get("StateReason", "no reason given")
                raise DeployError(f"function {name} failed to activate: {reason}")
            if update == "Failed":
                reason = config.get("LastUpdateStatusReason", "no reason given")
                raise DeployError(f"update of function {name} failed: {reason}")
            if state == "Active" and update == "Successful":
                return config
            if time.monotonic() > deadline:
                raise DeployError(
                    f"function {name} not ready after {timeout:g}s "
                    f"(State={state}, LastUpdateStatus={update})"
                )
            self._sleep(poll)

    # -- invoking --------------------------------------------------------------------------

    def invoke(
        self,
        name: str,
        payload: bytes,
        *,
        log_tail: bool = True,
        qualifier: str | None = None,
        client_context: str | None = None,
    ) -> InvokeOutput:
        try:
            response = self._call(
                "POST",
                f"{API}/functions/{self._name(name)}/invocations",
                content=payload,
                params={"Qualifier": qualifier} if qualifier else None,
                headers=invoke_headers(log_tail, client_context),
                operation=f"Invoke of {name}",
            )
        except UncertainOutcome as exc:
            raise may_have_run(str(exc)) from None
        raw_log = response.headers.get("x-amz-log-result")
        tail = base64.b64decode(raw_log).decode("utf-8", "replace") if raw_log else None
        return InvokeOutput(
            status=response.status_code,
            payload=response.content,
            function_error=response.headers.get("x-amz-function-error"),
            log_tail=tail,
            executed_version=response.headers.get("x-amz-executed-version"),
        )

    def invoke_stream(
        self,
        name: str,
        payload: bytes,
        on_chunk: Callable[[bytes], None],
        *,
        log_tail: bool = True,
        qualifier: str | None = None,
        client_context: str | None = None,
    ) -> StreamOutput:
        """InvokeWithResponseStream: each chunk goes to ``on_chunk`` as it arrives."""
        from ._stream import invoke_with_response_stream

        return invoke_with_response_stream(
            self,
            name,
            payload,
            on_chunk,
            qualifier=qualifier,
            log_tail=log_tail,
            client_context=client_context,
        )


def invoke_headers(log_tail: bool, client_context: str | None) -> dict[str, str]:
    """The headers of a synchronous invoke, buffered or streamed: the log tail on request,
    the client context (JSON text) base64-encoded, as the API wants it."""
    headers = {"X-Amz-Invocation-Type": "RequestResponse"}
    if log_tail:
        headers["X-Amz-Log-Type"] = "Tail"
    if client_context is not None:
        headers["X-Amz-Client-Context"] = base64.b64encode(client_context.encode()).decode()
    return headers
