"""Find, load and trim a botocore model: the parts a client needs, documentation dropped.

A model is named by a service (read from the installed botocore's data, newest API version)
or by the path of any botocore-format ``service-2.json`` (``.gz`` too); ``paginators-1.json``
is read from the same folder when it exists.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

from ..errors import ToolchainError

#: Protocols the runtime speaks, in our order of preference when a model lists several.
SUPPORTED_PROTOCOLS = ("json", "rest-json", "query", "rest-xml")

_SHAPE_KEYS = (
    "type",
    "members",
    "required",
    "member",
    "key",
    "value",
    "payload",
    "flattened",
    "locationName",
    "xmlNamespace",
    "timestampFormat",
    "streaming",
    "requiresLength",
    "error",
    "exception",
    "union",
    "document",
    "eventstream",
    "event",
)
_MEMBER_KEYS = (
    "shape",
    "location",
    "locationName",
    "jsonvalue",
    "idempotencyToken",
    "hostLabel",
    "xmlAttribute",
    "xmlNamespace",
    "flattened",
    "timestampFormat",
    "queryName",
    "streaming",
    "eventpayload",
)
_OPERATION_KEYS = (
    "http",
    "input",
    "output",
    "errors",
    "endpoint",
    "httpChecksumRequired",
    "httpChecksum",
    "authtype",
    "auth",
)
_METADATA_KEYS = (
    "apiVersion",
    "endpointPrefix",
    "jsonVersion",
    "serviceId",
    "signingName",
    "targetPrefix",
    "xmlNamespace",
    "awsQueryCompatible",
    "globalEndpoint",
)


class Model:
    """A trimmed model: ``metadata``, ``operations``, ``shapes``, ``paginators``, where from."""

    def __init__(
        self,
        metadata: Dict[str, Any],
        operations: Dict[str, Dict[str, Any]],
        shapes: Dict[str, Dict[str, Any]],
        paginators: Dict[str, Dict[str, Any]],
        source: str,
    ) -> None:
        self.metadata = metadata
        self.operations = operations
        self.shapes = shapes
        self.paginators = paginators
        self.source = source


def _read_json(path: Path) -> Any:
    try:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        return json.loads(raw)
    except OSError as exc:
        raise ToolchainError(f"cannot read the model {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise ToolchainError(f"{path} is not a JSON model: {exc}") from None


def botocore_data() -> Tuple[Path, str]:
    """The installed botocore's data folder and its version."""
    try:
        import botocore
    except ModuleNotFoundError:
        raise ToolchainError(
            "a service name needs botocore's models, and botocore is not installed",
            hint="pip install botocore, or pass the path of a service-2.json file",
        ) from None
    return Path(botocore.__file__).parent / "data", str(botocore.__version__)


def locate(source: str) -> Tuple[Path, Optional[str]]:
    """The model file for a service name or a path, and the botocore version if from botocore."""
    path = Path(source)
    if path.is_file():
        return path, None
    if path.is_dir():
        for name in ("service-2.json", "service-2.json.gz"):
            if (path / name).is_file():
                return path / name, None
        raise ToolchainError(f"{source}: no service-2.json in this folder")
    if "/" in source or source.endswith((".json", ".gz")):
        raise ToolchainError(f"{source}: no such model file")
    data, version = botocore_data()
    folder = data / source
    versions = sorted(p for p in folder.glob("*") if p.is_dir()) if folder.is_dir() else []
    for api in reversed(versions):
        for name in ("service-2.json", "service-2.json.gz"):
            if (api / name).is_file():
                return api / name, version
    raise ToolchainError(
        f"{source!r} is neither a model file nor a service in botocore {version}",
        hint="use botocore's service name (e.g. dynamodb, s3, logs) or a service-2.json path",
    )


def _merge(base: Dict[str, Any], extra: Dict[str, Any]) -> None:
    """Deep-merge ``extra`` into ``base`` (botocore's ``*.sdk-extras.json`` rule)."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = value


def _with_extras(raw: Any, path: Path, stem: str) -> Any:
    """``raw`` with the ``merge`` section of ``<stem>.sdk-extras.json`` beside it applied."""
    extras = path.parent / f"{stem}.sdk-extras.json"
    if isinstance(raw, dict) and extras.is_file():
        found = _read_json(extras)
        if isinstance(found, dict) and isinstance(found.get("merge"), dict):
            _merge(raw, found["merge"])
    return raw


def _pick(mapping: Dict[str, Any], keys: Tuple[str, ...]) -> Dict[str, Any]:
    return {k: mapping[k] for k in keys if k in mapping}


def _protocol(metadata: Dict[str, Any], path: Path) -> str:
    offered: List[str] = list(metadata.get("protocols") or []) or [metadata.get("protocol", "")]
    for protocol in offered:
        if protocol in SUPPORTED_PROTOCOLS:
            return str(protocol)
    raise ToolchainError(
        f"{path}: protocols {offered} are not supported",
        hint="supported: " + ", ".join(SUPPORTED_PROTOCOLS),
    )


def load(source: str) -> Tuple[Model, Optional[str]]:
    """The trimmed model for ``source`` and the botocore version it came from (or None)."""
    path, version = locate(source)
    raw = _with_extras(_read_json(path), path, "service-2")
    if not isinstance(raw, dict) or not isinstance(raw.get("metadata"), dict):
        raise ToolchainError(f"{path}: not a botocore service model (no 'metadata')")
    for key in ("operations", "shapes"):
        if not isinstance(raw.get(key), dict):
            raise ToolchainError(f"{path}: not a botocore service model (no {key!r} object)")
    metadata = _pick(raw["metadata"], _METADATA_KEYS)
    metadata["protocol"] = _protocol(raw["metadata"], path)
    if "endpointPrefix" not in metadata:
        raise ToolchainError(f"{path}: metadata has no endpointPrefix")
    shapes: Dict[str, Dict[str, Any]] = {}
    for name, shape in raw["shapes"].items():
        trimmed = _pick(shape, _SHAPE_KEYS)
        if "members" in trimmed:
            trimmed["members"] = {
                m: _pick(spec, _MEMBER_KEYS) for m, spec in trimmed["members"].items()
            }
        for key in ("member", "key", "value"):
            if key in trimmed:
                trimmed[key] = _pick(trimmed[key], _MEMBER_KEYS)
        if "error" in trimmed:
            trimmed["error"] = _pick(trimmed["error"], ("code", "httpStatusCode", "senderFault"))
        shapes[name] = trimmed
    operations = {name: _pick(op, _OPERATION_KEYS) for name, op in raw["operations"].items()}
    for name, op in operations.items():
        for ref in ("input", "output"):
            target = op.get(ref, {}).get("shape")
            if target is not None and target not in shapes:
                raise ToolchainError(f"{path}: operation {name} names a missing shape {target!r}")
    _check_references(shapes, path)
    paginators: Dict[str, Dict[str, Any]] = {}
    for candidate in (path.parent / "paginators-1.json", path.parent / "paginators-1.json.gz"):
        if candidate.is_file():
            found = _with_extras(_read_json(candidate), candidate, "paginators-1")
            found = found.get("pagination", {})
            paginators = {k: v for k, v in found.items() if k in operations}
            break
    return Model(metadata, operations, shapes, paginators, str(path)), version


def _check_references(shapes: Dict[str, Dict[str, Any]], path: Path) -> None:
    for name, shape in shapes.items():
        refs = list(shape.get("members", {}).values())
        refs += [shape[k] for k in ("member", "key", "value") if k in shape]
        for ref in refs:
            if ref.get("shape") not in shapes:
                raise ToolchainError(f"{path}: shape {name} refers to a missing shape {ref}")
