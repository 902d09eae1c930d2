"""Deploy ``dist/``: publish the layer (only when its content changed), then create or
update the function and wait until Lambda says it is ready.

The layer's SHA-256 is written into its description (``native-lambda sha256:<hex>``), so an
unchanged ``layer.zip`` is found again with ListLayerVersions instead of publishing a new,
identical version on every deploy. The function's code is compared by ``CodeSha256``, its
configuration field by field: a deploy with nothing new makes no writes at all.

The two writes that are not idempotent re-check before they are sent again after an
uncertain answer (5xx, timeout): PublishLayerVersion looks its content hash up first, and
CreateFunction asks GetFunction whether the function now exists with our CodeSha256.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..dist import FUNCTION_ZIP, LAYER_ZIP
from . import _managed
from ._client import LambdaClient
from ._errors import DeployError, UncertainOutcome
from ._url import UrlSpec, ensure_url

RUNTIME = "provided.al2023"
HASH_TAG = "native-lambda sha256:"
DIRECT_UPLOAD_LIMIT = 50 * 1024 * 1024  # larger zips must go through S3 (not supported)


@dataclass
class DeploySpec:
    function_name: str
    dist: Path = Path("dist")
    role: str | None = None
    handler: str = "bootstrap"
    memory_mb: int = 128
    timeout_s: int = 15
    architecture: str = "x86_64"
    environment: dict[str, str] = field(default_factory=dict)
    layer_name: str | None = None  # default: "<function>-libs"
    extra_layers: list[str] = field(default_factory=list)
    description: str = "native-lambda function"
    url: UrlSpec | None = None  # create/update the function URL (None: leave it alone)
    capacity: dict[str, Any] | None = None  # CapacityProviderConfig (Managed Instances)

    @property
    def layer(self) -> str:
        return self.layer_name or f"{self.function_name}-libs"


@dataclass
class DeployResult:
    function_arn: str
    layer_version_arn: str | None = None
    layer_published: bool = False
    created: bool = False
    code_updated: bool = False
    configuration_updated: bool = False
    code_sha256: str = ""
    function_url: str | None = None
    url_written: bool = False
    published: bool = False


def _read_zip(path: Path, what: str) -> bytes:
    if not path.is_file():
        raise DeployError(f"{path} not found: run `native-lambda build` first ({what})")
    data = path.read_bytes()
    try:
        with zipfile.ZipFile(path) as archive:
            archive.namelist()
    except zipfile.BadZipFile:
        raise DeployError(f"{path} is not a zip archive") from None
    if len(data) > DIRECT_UPLOAD_LIMIT:
        raise DeployError(
            f"{path} is {len(data) / 2**20:.1f} MiB: direct upload is limited to 50 MiB "
            "(upload through S3 is not supported yet)"
        )
    return data


def _has_files(path: Path) -> bool:
    with zipfile.ZipFile(path) as archive:
        return any(not name.endswith("/") for name in archive.namelist())


def _find_layer(client: LambdaClient, spec: DeploySpec, tag: str) -> tuple[str, object] | None:
    """(LayerVersionArn, Version) of a version whose description has our hash, or None."""
    for version in client.list_layer_versions(spec.layer):
        archs = version.get("CompatibleArchitectures") or [spec.architecture]
        if tag in (version.get("Description") or "") and spec.architecture in archs:
            return version["LayerVersionArn"], version.get("Version")
    return None


def ensure_layer(
    client: LambdaClient, spec: DeploySpec, data: bytes, log: Callable[[str], None]
) -> tuple[str, bool]:
    """(LayerVersionArn, published?) — reuses a version whose description has our hash.

    The lookup runs before every publish attempt, so a publish that was applied although
    its answer was lost is found instead of published twice.
    """
    digest = hashlib.sha256(data).hexdigest()
    tag = HASH_TAG + digest
    attempts = client.retry.max_attempts
    for attempt in range(1, attempts + 1):
        found = _find_layer(client, spec, tag)
        if found is not None:
            verb = "unchanged" if attempt == 1 else "found after an uncertain publish"
            log(f"layer {spec.layer}: {verb} (sha256 {digest[:12]}), reusing version {found[1]}")
            return found[0], attempt > 1
        try:
            published = client.publish_layer_version(
                spec.layer,
                data,
                description=tag,
                architectures=[spec.architecture],
                runtimes=[RUNTIME],
            )
        except UncertainOutcome as exc:
            if attempt == attempts:
                raise
            client.backoff(attempt, None, f"{exc.reason}; looking the layer up before publishing")
            continue
        log(
            f"layer {spec.layer}: published version {published.get('Version')} "
            f"(sha256 {digest[:12]}, {len(data)} bytes)"
        )
        return published["LayerVersionArn"], True
    raise AssertionError("unreachable")


def _create(
    client: LambdaClient,
    spec: DeploySpec,
    config: dict[str, Any],
    zip_bytes: bytes,
    code_sha: str,
    log: Callable[[str], None],
) -> dict[str, Any]:
    """CreateFunction; after an uncertain answer, GetFunction decides: created with our code
    (done), absent (send again), or present with other code (stop: not ours to overwrite)."""
    attempts = client.retry.max_attempts
    for attempt in range(1, attempts + 1):
        try:
            return client.create_function(config, zip_bytes)
        except UncertainOutcome as exc:
            current = client.get_function(spec.function_name)
            if current is not None:
                if current.get("CodeSha256") == code_sha:
                    log(f"function {spec.function_name}: created (confirmed after: {exc.reason})")
                    return current
                raise DeployError(
                    f"function {spec.function_name} exists after an uncertain CreateFunction "
                    f"({exc.reason}), but with other code (CodeSha256 "
                    f"{current.get('CodeSha256')})",
                    hint="someone else may be deploying it; run deploy again to update it",
                    exit_code=1,
                ) from None
            if attempt == attempts:
                raise
            client.backoff(attempt, None, f"{exc.reason}; the function does not exist, creating")
    raise AssertionError("unreachable")


def _configuration(spec: DeploySpec, layers: list[str], role: str | None) -> dict[str, Any]:
    config: dict[str, Any] = {
        "FunctionName": spec.function_name,
        "Runtime": RUNTIME,
        "Handler": spec.handler,
        "MemorySize": spec.memory_mb,
        "Timeout": spec.timeout_s,
        "Description": spec.description,
        "Environment": {"Variables": dict(spec.environment)},
        "Layers": layers,
    }
    if role:
        config["Role"] = role
    if spec.capacity is not None:
        config["CapacityProviderConfig"] = spec.capacity
    return config


def _differs(current: dict[str, Any], wanted: dict[str, Any]) -> list[str]:
    changed = []
    for key, value in wanted.items():
        if key == "FunctionName":
            continue
        if key == "Environment":
            have = (current.get("Environment") or {}).get("Variables") or {}
            if have != value["Variables"]:
                changed.append(key)
        elif key == "Layers":
            have = [layer.get("Arn") for layer in current.get("Layers") or []]
            if have != value:
                changed.append(key)
        elif key == "CapacityProviderConfig":
            if _managed.differs(current.get(key), value):
                changed.append(key)
        elif current.get(key) != value:
            changed.append(key)
    return changed


def deploy(
    client: LambdaClient,
    spec: DeploySpec,
    *,
    log: Callable[[str], None] = print,
    wait_timeout: float = 300.0,
) -> DeployResult:
    function_zip = _read_zip(spec.dist / FUNCTION_ZIP, "function code")
    code_sha = base64.b64encode(hashlib.sha256(function_zip).digest()).decode()
    layers = list(spec.extra_layers)
    layer_arn = None
    published = False
    layer_path = spec.dist / LAYER_ZIP
    if layer_path.exists():
        layer_zip = _read_zip(layer_path, "shared libraries")
        if _has_files(layer_path):
            layer_arn, published = ensure_layer(client, spec, layer_zip, log)
            layers.insert(0, layer_arn)
        else:
            log(f"layer {spec.layer}: {layer_path} is empty, no layer needed")

    current = client.get_function(spec.function_name)
    result = DeployResult(
        function_arn="",
        layer_version_arn=layer_arn,
        layer_published=published,
        code_sha256=code_sha,
    )
    if current is None:
        if not spec.role:
            raise DeployError(
                f"function {spec.function_name} does not exist and no execution role is set: "
                "pass --role, set LAMBDA_ROLE_ARN or [tool.native-lambda] role"
            )
        config = _configuration(spec, layers, spec.role)
        config["Architectures"] = [spec.architecture]
        created = _create(client, spec, config, function_zip, code_sha, log)
        log(f"function {spec.function_name}: created ({created.get('FunctionArn')})")
        result.created = True
    else:
        _managed.check_existing(spec.function_name, current, spec.capacity)
        client.wait_until_ready(spec.function_name, timeout=wait_timeout)
        archs = current.get("Architectures") or ["x86_64"]
        if current.get("CodeSha256") != code_sha or archs != [spec.architecture]:
            client.update_function_code(
                spec.function_name, function_zip, architectures=[spec.architecture]
            )
            log(f"function {spec.function_name}: code updated (sha256 {code_sha})")
            result.code_updated = True
            client.wait_until_ready(spec.function_name, timeout=wait_timeout)
        else:
            log(f"function {spec.function_name}: code unchanged")
        config = _configuration(spec, layers, spec.role)
        changed = _differs(current, config)
        if changed:
            client.update_function_configuration(spec.function_name, config)
            log(f"function {spec.function_name}: configuration updated ({', '.join(changed)})")
            result.configuration_updated = True
        else:
            log(f"function {spec.function_name}: configuration unchanged")
    ready = client.wait_until_ready(spec.function_name, timeout=wait_timeout)
    result.function_arn = ready.get("FunctionArn", "")
    log(
        f"function {spec.function_name}: ready (State={ready.get('State', 'Active')}, "
        f"LastUpdateStatus={ready.get('LastUpdateStatus', 'Successful')})"
    )
    # Unqualified calls of a Managed Instances function run $LATEST.PUBLISHED: republish it.
    written = result.created or result.code_updated or result.configuration_updated
    managed = spec.capacity is not None or bool((current or {}).get("CapacityProviderConfig"))
    if managed and written:
        _managed.publish_latest(client, spec.function_name, log)
        result.published = True
    if spec.url is not None:
        result.function_url, result.url_written = ensure_url(
            client, spec.function_name, spec.url, log
        )
    return result
