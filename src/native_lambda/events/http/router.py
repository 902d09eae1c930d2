"""Routing by method and path template, and the Lambda handler that ties it together."""

from __future__ import annotations

from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import msgspec

from ._front_doors import path_is_decoded, request_from_event, response_to_event
from .request import Request, _unquote
from .response import HTTPError, Response, StreamingResponse

__all__ = ["Router"]

# The error type the runtime gives an event that does not decode into the handler's type.
UNMARSHAL_ERROR = "Runtime.UnmarshalError"

Handler = Callable[..., Any]


def _as_response(result: Any) -> Any:
    if isinstance(result, (Response, StreamingResponse)):
        return result
    if result is None:
        return Response(status=204)
    if isinstance(result, str):
        return Response.text(result)
    if isinstance(result, (bytes, bytearray)):
        return Response(bytes(result), content_type="application/octet-stream")
    return Response.json(result)


def _split(path: str) -> List[str]:
    return [segment for segment in path.split("/") if segment]


class _Route:
    __slots__ = ("greedy", "handlers", "pattern", "segments")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        self.segments = _split(pattern)
        self.handlers: Dict[str, Handler] = {}
        last = self.segments[-1] if self.segments else ""
        self.greedy = last.startswith("{") and last.endswith("+}")
        for segment in self.segments[:-1] if self.greedy else self.segments:
            if segment.endswith("+}"):
                raise ValueError(f"{pattern}: only the last segment may be greedy ({{name+}})")

    def match(self, parts: List[str], decode: bool) -> Optional[Dict[str, str]]:
        segments = self.segments
        fixed = len(segments) - 1 if self.greedy else len(segments)
        if len(parts) < fixed + (1 if self.greedy else 0) or (
            not self.greedy and len(parts) != fixed
        ):
            return None
        params: Dict[str, str] = {}
        for segment, part in zip(segments[:fixed], parts):
            if segment.startswith("{") and segment.endswith("}"):
                params[segment[1:-1]] = _unquote(part, False) if decode else part
            elif segment != part:
                return None
        if self.greedy:
            rest = "/".join(parts[fixed:])
            params[segments[-1][1:-2]] = _unquote(rest, False) if decode else rest
        return params


class Router:
    """Routes by method and path template: ``/items/{id}`` (one segment) and
    ``/files/{path+}`` (the rest of the path). Routes are called ``fn(request, **params)``
    and may return a :class:`Response`, a str (text), bytes, ``None`` (204) or anything
    msgspec encodes (JSON). Unknown paths answer 404, known paths with another method 405
    (with ``Allow``); HEAD falls back to GET without the body.

    The router is itself a Lambda handler: ``handler = Router()`` then
    ``handler(event, context)`` answers in the event source's response shape.
    """

    def __init__(self) -> None:
        self._static: Dict[str, _Route] = {}
        self._dynamic: List[_Route] = []

    def route(self, path: str, methods: Sequence[str] = ("GET",)) -> Callable[[Handler], Handler]:
        if not path.startswith("/"):
            raise ValueError(f"route {path!r} must start with '/'")
        normalized = "/" + "/".join(_split(path))

        def register(fn: Handler) -> Handler:
            route = self._static.get(normalized) if "{" not in normalized else None
            if route is None:
                route = next((r for r in self._dynamic if r.pattern == normalized), None)
            if route is None:
                route = _Route(normalized)
                if "{" in normalized:
                    self._dynamic.append(route)
                else:
                    self._static[normalized] = route
            for method in methods:
                route.handlers[method.upper()] = fn
            return fn

        return register

    def get(self, path: str) -> Callable[[Handler], Handler]:
        return self.route(path, ("GET",))

    def post(self, path: str) -> Callable[[Handler], Handler]:
        return self.route(path, ("POST",))

    def put(self, path: str) -> Callable[[Handler], Handler]:
        return self.route(path, ("PUT",))

    def patch(self, path: str) -> Callable[[Handler], Handler]:
        return self.route(path, ("PATCH",))

    def delete(self, path: str) -> Callable[[Handler], Handler]:
        return self.route(path, ("DELETE",))

    def head(self, path: str) -> Callable[[Handler], Handler]:
        return self.route(path, ("HEAD",))

    def options(self, path: str) -> Callable[[Handler], Handler]:
        return self.route(path, ("OPTIONS",))

    def resolve(
        self, method: str, path: str, decode: bool = True
    ) -> Tuple[Handler, Dict[str, str]]:
        """The route for ``method path`` and its parameters; HTTPError 404/405 otherwise."""
        method = method.upper()
        parts = _split(path)
        allowed: List[str] = []
        candidates: List[Tuple[_Route, Dict[str, str]]] = []
        static = self._static.get("/" + "/".join(parts))
        if static is not None:
            candidates.append((static, {}))
        for route in self._dynamic:
            params = route.match(parts, decode)
            if params is not None:
                candidates.append((route, params))
        for route, params in candidates:
            fn = route.handlers.get(method)
            if fn is None and method == "HEAD":
                fn = route.handlers.get("GET")
            if fn is not None:
                return fn, params
            allowed.extend(m for m in route.handlers if m not in allowed)
        if allowed:
            raise HTTPError(405, headers={"Allow": ", ".join(sorted(allowed))})
        raise HTTPError(404)

    def handle(self, request: Request) -> Response:
        """Route ``request`` and turn the result (or an HTTPError) into a Response."""
        try:
            # Path parameters are percent-decoded here unless the front door did it.
            fn, params = self.resolve(
                request.method, request.path, decode=not path_is_decoded(request.source)
            )
            request.path_params = params
            response = _as_response(fn(request, **params))
        except HTTPError as exc:
            response = exc.to_response()
        if request.method == "HEAD":
            response.body = None
        return response

    def __call__(self, event: msgspec.Raw, context: Any = None) -> Any:
        """The Lambda handler: raw event in, the source's response Struct out."""
        try:
            request = request_from_event(event, context)
        except msgspec.ValidationError as exc:
            raise _unmarshal_error(exc) from None
        response = self.handle(request)
        if isinstance(response, StreamingResponse):
            return response  # the runtime streams it (Function URL, RESPONSE_STREAM)
        return response_to_event(response, request)


def _unmarshal_error(exc: Exception) -> Exception:
    """Report an event that does not fit its source as the runtime reports any event that
    does not fit the handler's type: a ``Runtime.UnmarshalError``."""
    from native_lambda import FaultError

    return FaultError(UNMARSHAL_ERROR, f"Unable to unmarshal input: {exc}")
