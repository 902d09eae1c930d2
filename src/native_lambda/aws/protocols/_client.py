"""The base of every generated client: validate, serialize, sign, send with retries, parse.

A generated module supplies the model (as JSON texts) and the result classes; this module
does the rest. Nothing here imports ``typing`` or ``httpx``.
"""

from __future__ import annotations

import os
import time

from .._encoding import split_url, uri_encode
from . import _endpoint
from ._model import ServiceModel
from ._result import TransportError

# Validation, serialization, signing, credentials, retries, the transport and parsing are
# imported by the first call, not by import and construction (each compiled module costs
# about 0.1 ms to load): a client a function constructs but never calls costs nothing more.

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional, Tuple

    from . import _transport
    from ._request import Request

_CHECKSUM_OPS = frozenset(
    ("DeleteObjects", "PutBucketLifecycleConfiguration", "PutObjectLockConfiguration")
)
_S3_200_ERROR_OPS = frozenset(("CompleteMultipartUpload", "CopyObject", "UploadPartCopy"))
USER_AGENT = "native-lambda"


class BaseClient:
    """``Client(region_name=None, endpoint_url=None, aws_access_key_id=None,
    aws_secret_access_key=None, aws_session_token=None)`` as in boto3, plus timeouts
    (seconds), ``max_attempts`` (standard retry mode, default 3 or ``AWS_MAX_ATTEMPTS``) and
    S3's ``addressing_style`` (auto, virtual or path)."""

    metadata: Dict[str, str] = {}
    shapes: Any = {}  # the module's Tables (name -> JSON text)
    operations: Any = {}
    paginators: Any = {}
    exceptions: Any = None
    results: Any = None  # the module's Results: result classes by name
    methods: Any = {}  # method name -> "Operation ResultClass"

    def __init__(
        self,
        region_name: Optional[str] = None,
        endpoint_url: Optional[str] = None,
        aws_access_key_id: Optional[str] = None,
        aws_secret_access_key: Optional[str] = None,
        aws_session_token: Optional[str] = None,
        *,
        connect_timeout: float = 60.0,
        read_timeout: float = 60.0,
        max_attempts: Optional[int] = None,
        addressing_style: str = "auto",
    ) -> None:
        cls = type(self)
        model = cls.__dict__.get("_service_model")
        if model is None:
            model = ServiceModel(cls.metadata, cls.shapes, cls.operations, cls.paginators)
            cls._service_model = model  # type: ignore[attr-defined]
        self._model = model
        meta = model.metadata
        env = os.environ
        region = region_name or env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION")
        if not region:  # a profile's region: the config file is read only then
            from .._credentials import resolve_region

            region = resolve_region()
        if not region:
            raise ValueError("no AWS region: pass region_name= or set AWS_REGION")
        self.region = region
        self._keys: Optional[Tuple[str, str, Optional[str]]] = None
        if aws_access_key_id or aws_secret_access_key:
            self._keys = (aws_access_key_id or "", aws_secret_access_key or "", aws_session_token)
        self._credentials: Any = None  # made by the first signature
        self.endpoint_url = _endpoint.resolve(meta, region, endpoint_url)
        parts = split_url(self.endpoint_url)
        self._scheme, self._netloc = parts.scheme, parts.netloc
        self._base_path = parts.path.rstrip("/")
        self._service = meta.get("signingName") or meta["endpointPrefix"]
        self._s3 = self._service == "s3"
        self._timeouts = (connect_timeout, read_timeout)
        if max_attempts is None:
            max_attempts = int(env.get("AWS_MAX_ATTEMPTS") or 3)
        self._max_attempts = max(1, max_attempts)
        # botocore's "auto": virtual-hosted on AWS's endpoints, path-style on a custom one.
        custom = self.endpoint_url != _endpoint.regional(meta, region)
        self._addressing = "path" if addressing_style == "auto" and custom else addressing_style
        self._quota_found: Any = None
        self._proxy = _endpoint.proxy_for(
            self._scheme, self._netloc.rpartition(":")[0] or self._netloc
        )

    def __getattr__(self, name: str) -> Any:
        """An operation's method, made on first use and kept on the class: a compiled
        module with a function per operation cost more to load than the rest of it."""
        cls = type(self)
        entry = None if name.startswith("_") else cls.methods.get(name)
        if entry is None:
            raise AttributeError(f"{cls.__name__!r} object has no attribute {name!r}")
        op, result = entry.split(" ")

        def method(self: BaseClient, **params: Any) -> Any:
            return self._call(op, params, result)

        method.__name__ = method.__qualname__ = name
        method.__doc__ = f"{op}: keyword arguments as in boto3 (see the module's Client)."
        setattr(cls, name, method)
        return getattr(self, name)

    def __dir__(self) -> Any:
        return sorted(set(super().__dir__()) | set(type(self).methods))

    @property
    def _quota(self) -> Any:
        """The retry quota this client shares with every client of its endpoint."""
        if self._quota_found is None:
            from . import _retry

            self._quota_found = _retry.quota(self.endpoint_url)
        return self._quota_found

    def _signing_credentials(self) -> Any:
        """The credentials to sign with now (the provider refreshes expiring ones)."""
        if self._credentials is None:
            if self._keys is not None:
                from .._types import Credentials

                self._credentials = Credentials(*self._keys)
            else:
                from .._credentials import CredentialsProvider

                self._credentials = CredentialsProvider()
        return self._credentials if self._keys is not None else self._credentials.get()

    # -- one operation --------------------------------------------------------------------

    def _call(self, name: str, params: Dict[str, Any], result: str) -> Any:
        import msgspec

        from . import _parse
        from ._serialize import serialize
        from ._validate import validate

        model = self._model
        op = model.operation(name)
        in_ref = op.get("input")
        if in_ref is not None:
            validate(model, model.shape(in_ref["shape"]), params, name)
        elif params:
            from ._result import ParamValidationError

            raise ParamValidationError(f"{name} takes no parameters, got {', '.join(params)}")
        request = serialize(model, op, params)
        response = self._send(op, request, self._streams(op))
        parsed = _parse.result(model, op, response.status, response.headers, response.body)
        return msgspec.convert(parsed, self.results.get(result))

    def _streams(self, op: Dict[str, Any]) -> bool:
        out = op.get("output")
        if out is None:
            return False
        shape = self._model.shape(out["shape"])
        payload = shape.get("payload")
        if not payload:
            return False
        ref = shape["members"][payload]
        return bool(ref.get("streaming") or self._model.shape(ref["shape"]).get("streaming"))

    def _url(self, request: Request) -> Tuple[str, str]:
        """(host, path with query) for ``request``: host prefix and S3 addressing applied."""
        host = self._netloc
        path = request.path
        bucket = request.bucket
        if bucket is not None and _endpoint.virtual_host_ok(
            bucket, host.rpartition(":")[0] or host, self._scheme, self._addressing
        ):
            prefix = "/" + uri_encode(bucket, safe="~")
            if path == prefix or path.startswith(prefix + "/"):
                path = path[len(prefix) :] or "/"
                host = bucket + "." + host
        if request.host_prefix and not _endpoint._is_ip(host.rpartition(":")[0] or host):
            host = request.host_prefix + host
        target = self._base_path + path
        if request.query:
            target += "?" + "&".join(
                uri_encode(k) + ("" if v is None else "=" + uri_encode(v)) for k, v in request.query
            )
        return host, target

    def _prepare(self, op: Dict[str, Any], request: Request) -> Tuple[str, str, Dict[str, str]]:
        host, target = self._url(request)
        headers = dict(request.headers)
        headers["User-Agent"] = USER_AGENT
        body = request.body
        body_hash = None
        if hasattr(body, "read"):
            body_hash, length = _file_digest(body)
            headers["Content-Length"] = str(length)
        elif self._s3 and (op.get("httpChecksumRequired") or op["name"] in _CHECKSUM_OPS):
            import base64
            import hashlib

            headers["Content-MD5"] = base64.b64encode(hashlib.md5(body).digest()).decode()
        auth = op.get("auth") or []
        if op.get("authtype") != "none" and "smithy.api#noAuth" not in auth:
            from .. import _sigv4

            creds = self._signing_credentials()
            headers.update(
                _sigv4.sign_headers(
                    request.method,
                    f"{self._scheme}://{host}{target}",
                    headers,
                    body if isinstance(body, (bytes, str)) else b"",
                    credentials=creds,
                    region=self.region,
                    service=self._service,
                    body_hash=body_hash,
                )
            )
        headers["Host"] = host
        return host, target, headers

    def _send(self, op: Dict[str, Any], request: Request, stream: bool) -> _transport.Response:
        from . import _parse, _retry, _transport

        attempt = 0
        has_token = (
            any(
                ref.get("idempotencyToken")
                for ref in self._model.shape(op["input"]["shape"]).get("members", {}).values()
            )
            if "input" in op
            else False
        )
        cost = 0
        while True:
            attempt += 1
            host, target, headers = self._prepare(op, request)
            code = None
            try:
                response = _transport.send(
                    self._scheme,
                    host,
                    request.method,
                    target,
                    headers,
                    request.body,
                    connect_timeout=self._timeouts[0],
                    read_timeout=self._timeouts[1],
                    stream=stream,
                    proxy=self._proxy,
                )
            except TransportError as exc:
                retry = not exc.sent or _retry.idempotent(op, has_token)
                timeout = "timed out" in str(exc)
                if retry and attempt < self._max_attempts:
                    taken = self._quota.take(timeout)
                    if taken:
                        cost = taken
                        time.sleep(_retry.backoff(attempt))
                        continue
                raise
            status = response.status
            failed = status >= 300 or (
                self._s3 and op["name"] in _S3_200_ERROR_OPS and b"<Error>" in response.body[:256]
            )
            if not failed:
                self._quota.refund(cost)
                return response
            code, message, details = _parse.error(
                self._model, op, status, response.reason, response.headers, response.body
            )
            if status < 300:
                status = 500  # S3's error inside a 200: transient
            if _retry.retryable_answer(status, code) and attempt < self._max_attempts:
                taken = self._quota.take(False)
                if taken:
                    cost = taken
                    time.sleep(_retry.backoff(attempt))
                    continue
            cls = self.exceptions.from_code(_parse.class_code(self._service, details))
            raise cls(code, message, status, details, op["name"])

    # -- boto3 conveniences ---------------------------------------------------------------

    def upload_file(
        self, Filename: str, Bucket: str, Key: str, ExtraArgs: Optional[Dict[str, Any]] = None
    ) -> None:
        """S3: upload a file, in parts above 8 MiB (as boto3's ``upload_file``)."""
        from ._s3transfer import upload_file

        self._require_s3("upload_file")
        upload_file(self, Filename, Bucket, Key, ExtraArgs)

    def upload_fileobj(
        self, Fileobj: Any, Bucket: str, Key: str, ExtraArgs: Optional[Dict[str, Any]] = None
    ) -> None:
        """S3: upload from a binary file object, in parts above 8 MiB."""
        from ._s3transfer import upload_fileobj

        self._require_s3("upload_fileobj")
        upload_fileobj(self, Fileobj, Bucket, Key, ExtraArgs)

    def _require_s3(self, what: str) -> None:
        if not self._s3:
            raise AttributeError(f"{what} is an S3 client method")

    def can_paginate(self, operation: str) -> bool:
        return self._op_name(operation) in self._model.paginators

    def _op_name(self, method: str) -> str:
        from ._names import operation_for

        return operation_for(self._model, method)

    def get_paginator(self, operation: str) -> Any:
        """Pages (``.paginate(**params)``) and items (``.items(**params)``)."""
        return self._paginator(operation)

    def _paginator(self, method: str) -> Any:
        from ._paginate import Paginator

        name = self._op_name(method)
        if name not in self._model.paginators:
            raise ValueError(f"{method} cannot be paginated")
        return Paginator(self, name, getattr(self, method), self._model.paginator(name))

    def generate_presigned_url(
        self,
        ClientMethod: str,
        Params: Optional[Dict[str, Any]] = None,
        ExpiresIn: int = 3600,
        HttpMethod: Optional[str] = None,
    ) -> str:
        """A URL that performs ``ClientMethod`` with ``Params`` without credentials."""
        from .. import _sigv4
        from ._serialize import serialize
        from ._validate import validate

        model = self._model
        op = model.operation(self._op_name(ClientMethod))
        params = dict(Params or {})
        if "input" in op:
            validate(model, model.shape(op["input"]["shape"]), params, op["name"])
        request = serialize(model, op, params)
        host, target = self._url(request)
        creds = self._signing_credentials()
        return _sigv4.presign_url(
            HttpMethod or request.method,
            f"{self._scheme}://{host}{target}",
            credentials=creds,
            region=self.region,
            service=self._service,
            expires=ExpiresIn,
            headers={k: v for k, v in request.headers.items() if k.lower().startswith("x-amz-")},
        )


def _file_digest(body: Any) -> Tuple[str, int]:
    """(hex SHA-256, length) of a seekable file from its current position, rewound after."""
    import hashlib

    start = body.tell()
    digest = hashlib.sha256()
    length = 0
    while True:
        chunk = body.read(1 << 20)
        if not chunk:
            break
        if isinstance(chunk, str):
            raise TypeError("file bodies must be opened in binary mode ('rb')")
        digest.update(chunk)
        length += len(chunk)
    body.seek(start)
    return digest.hexdigest(), length
