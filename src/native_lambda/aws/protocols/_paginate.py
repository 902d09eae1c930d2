"""Paginators: generators over pages (``paginate``) and over their items (``items``).

Token and result expressions are the small subset botocore's paginator files use:
dotted paths, ``a || b`` alternatives and a ``[-1]`` index.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Iterator, List


def _path(data: Any, expr: str) -> Any:
    for alternative in expr.split("||"):
        value = data
        for part in alternative.strip().split("."):
            name, _, index = part.partition("[")
            value = value.get(name) if isinstance(value, dict) else None
            if value is not None and index:
                try:
                    value = value[int(index.rstrip("]"))]
                except (IndexError, ValueError, TypeError):
                    value = None
            if value is None:
                break
        if value is not None:
            return value
    return None


def _list(spec: Any) -> List[str]:
    return list(spec) if isinstance(spec, list) else ([spec] if spec else [])


class Paginator:
    """``paginate(**params)`` yields result Structs; ``items(**params)`` their items."""

    def __init__(self, client: Any, operation: str, method: Any, config: Dict[str, Any]) -> None:
        self._client = client
        self._operation = operation
        self._method = method
        self._config = config

    def paginate(self, **params: Any) -> Iterator[Any]:
        config = self._config
        inputs = _list(config.get("input_token"))
        outputs = _list(config.get("output_token"))
        more = config.get("more_results")
        params = dict(params)
        seen = set()
        while True:
            page = self._method(**params)
            yield page
            data = page.to_dict()
            if more and not _path(data, more):
                return
            tokens = [_path(data, expr) for expr in outputs]
            if all(t is None or t == "" for t in tokens):
                return
            marker = repr(tokens)
            if marker in seen:
                raise RuntimeError(f"{self._operation}: the service repeated a page token")
            seen.add(marker)
            for name, token in zip(inputs, tokens):
                if token is None:
                    params.pop(name, None)
                else:
                    params[name] = token

    def items(self, **params: Any) -> Iterator[Any]:
        keys = _list(self._config.get("result_key"))
        for page in self.paginate(**params):
            data = page.to_dict()
            for key in keys:
                found = _path(data, key)
                if isinstance(found, list):
                    yield from found
                elif isinstance(found, dict):
                    yield from found.items()
