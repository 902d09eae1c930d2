"""Parameter checks before anything is sent: unknown names, missing required members and
wrong types are a :class:`ParamValidationError` that names the parameter's path."""

from __future__ import annotations

from ._result import ParamValidationError

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, List

    from ._model import ServiceModel

_NUMBER = (int, float)
_TYPES = {
    "string": (str,),
    "integer": (int,),
    "long": (int,),
    "short": (int,),
    "byte": (int,),
    "boolean": (bool,),
    "float": _NUMBER,
    "double": _NUMBER,
    "list": (list, tuple),
    "map": (dict,),
}
_NAMES = {"string": "str", "integer": "int", "long": "int", "boolean": "bool", "list": "list"}


def validate(model: ServiceModel, shape: Dict[str, Any], params: Any, operation: str) -> None:
    errors: List[str] = []
    _check(model, shape, params, "", errors)
    if errors:
        raise ParamValidationError(
            f"{operation}: " + "; ".join(errors[:5]) + (" (and more)" if len(errors) > 5 else "")
        )


def _check(
    model: ServiceModel, shape: Dict[str, Any], value: Any, path: str, errors: List[str]
) -> None:
    kind = shape.get("type")
    where = f"parameter {path!r}" if path else "parameters"
    if kind == "structure":
        if shape.get("document"):
            return
        if not isinstance(value, dict):
            errors.append(f"{where} must be a dict, not {type(value).__name__}")
            return
        members = shape.get("members", {})
        for name in shape.get("required", ()):
            if name not in value:
                errors.append(f"missing required parameter {_join(path, name)!r}")
        for name, item in value.items():
            ref = members.get(name)
            if ref is None:
                valid = ", ".join(members) or "none"
                errors.append(f"unknown parameter {_join(path, name)!r} (valid: {valid})")
                continue
            _check(model, model.shape(ref["shape"]), item, _join(path, name), errors)
        if shape.get("union") and len(value) != 1:
            errors.append(f"{where} must set exactly one member of {', '.join(members)}")
        return
    if kind == "blob":
        if not isinstance(value, (bytes, bytearray, str)) and not hasattr(value, "read"):
            errors.append(
                f"{where} must be bytes, str or a readable file, not {type(value).__name__}"
            )
        return
    if kind == "timestamp":
        from ._timestamps import to_datetime

        try:
            to_datetime(value)
        except (TypeError, ValueError):
            errors.append(
                f"{where} must be a datetime, an ISO 8601 string or epoch seconds, not {value!r}"
            )
        return
    expected = _TYPES.get(str(kind))
    if expected is None:
        return
    if not isinstance(value, expected) or (
        kind != "boolean" and isinstance(value, bool) and kind != "string"
    ):
        if not (kind in ("float", "double") and _is_decimal(value)):
            wanted = _NAMES.get(str(kind), kind)
            errors.append(f"{where} must be {wanted}, not {type(value).__name__} {_short(value)}")
        return
    items: Any = value
    if kind == "list":
        member = model.shape(shape["member"]["shape"])
        for index, item in enumerate(items):
            _check(model, member, item, f"{path}[{index}]", errors)
    elif kind == "map":
        target = model.shape(shape["value"]["shape"])
        for key, item in items.items():
            if not isinstance(key, str):
                errors.append(f"{where} keys must be str, not {type(key).__name__}")
            _check(model, target, item, f"{path}.{key}", errors)


def _is_decimal(value: Any) -> bool:
    return type(value).__name__ == "Decimal"


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
