"""The request side of the HTTP model: :class:`Request` and its header and query maps.

Nothing here knows a front door: the per-source builders in ``_front_doors`` fill a
:class:`Request` from each source's Struct.
"""

from __future__ import annotations

import binascii
from collections.abc import Mapping as _Mapping  # isinstance: faster than typing's
from typing import (
    Any,
    Dict,
    Iterable,
    Iterator,
    List,
    Mapping,
    Optional,
    Tuple,
    Type,
    TypeVar,
    Union,
)

import msgspec

from .response import HeaderValue, HTTPError

__all__ = ["Headers", "MultiDict", "Request"]

T = TypeVar("T")


def _unquote(text: str, plus: bool) -> str:
    """Percent-decoding; ``urllib.parse`` is imported only when there is some to do."""
    if plus and "+" in text:
        text = text.replace("+", " ")
    if "%" not in text:
        return text
    from urllib.parse import unquote

    return unquote(text)


class MultiDict:
    """A mapping of name → values keeping every repeated value, in order.

    ``m[name]``/``get`` give the first value, ``get_all`` every value. Iteration yields
    each name once.
    """

    __slots__ = ("_items",)
    _fold = False

    def __init__(
        self, items: Union[Mapping[str, HeaderValue], Iterable[Tuple[str, HeaderValue]]] = ()
    ) -> None:
        self._items: Dict[str, List[str]] = {}
        pairs = items.items() if isinstance(items, (dict, _Mapping)) else items
        for name, value in pairs:
            if isinstance(value, str):
                self.add(name, value)
            else:
                for one in value:
                    self.add(name, one)

    def _key(self, name: str) -> str:
        return name.lower() if self._fold else name

    def add(self, name: str, value: str) -> None:
        key = self._key(name)
        values = self._items.get(key)
        if values is None:
            self._items[key] = [value]
        else:
            values.append(value)

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:
        values = self._items.get(self._key(name))
        return values[0] if values else default

    def get_all(self, name: str) -> List[str]:
        return list(self._items.get(self._key(name), ()))

    def __getitem__(self, name: str) -> str:
        values = self._items.get(self._key(name))
        if not values:
            raise KeyError(name)
        return values[0]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._key(name) in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def items(self) -> Iterator[Tuple[str, str]]:
        """Every (name, value) pair, repeated names included."""
        for name, values in self._items.items():
            for value in values:
                yield name, value

    def to_dict(self) -> Dict[str, List[str]]:
        return {name: list(values) for name, values in self._items.items()}

    def __eq__(self, other: object) -> bool:
        if isinstance(other, MultiDict):
            return self._items == other._items
        return NotImplemented

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self._items!r})"


class Headers(MultiDict):
    """Case-insensitive :class:`MultiDict`; names are kept lower-case.

    HTTP APIs and Function URLs join repeated headers with commas before Lambda sees them,
    so there a repeated header is one comma-separated value.
    """

    __slots__ = ()
    _fold = True


def _parse_query(raw: str) -> MultiDict:
    query = MultiDict()
    if raw:
        for part in raw.split("&"):
            if part:
                name, _, value = part.partition("=")
                query.add(_unquote(name, True), _unquote(value, True))
    return query


def _parse_cookies(values: Iterable[str]) -> Dict[str, str]:
    """``Cookie`` header values (``a=1; b=2``) or v2's list of ``a=1`` pairs."""
    cookies: Dict[str, str] = {}
    for value in values:
        for pair in value.split(";"):
            name, sep, val = pair.strip().partition("=")
            if sep and name:
                cookies[name] = val
    return cookies


def _body_bytes(body: Optional[str], is_base64: bool) -> bytes:
    if not body:
        return b""
    if not is_base64:
        return body.encode("utf-8")
    try:
        return binascii.a2b_base64(body)
    except binascii.Error as exc:
        raise ValueError(f"the event's body is flagged isBase64Encoded but: {exc}") from None


class Request:
    """An HTTP request, whatever front door it came through.

    ``body`` is bytes (base64 already undone); ``text``/``json`` decode it. ``event`` is
    the source's typed Struct (for authorizer claims, stage variables, ...), ``source`` one
    of ``apigateway-v1``, ``apigateway-v2``, ``function-url``, ``alb``.
    """

    __slots__ = (
        "_body",
        "_wire_body",
        "context",
        "cookies",
        "event",
        "headers",
        "method",
        "multi_value",
        "path",
        "path_params",
        "query",
        "source",
    )

    def __init__(
        self,
        method: str,
        path: str,
        *,
        headers: Optional[Headers] = None,
        query: Optional[MultiDict] = None,
        cookies: Optional[Dict[str, str]] = None,
        body: bytes = b"",
        wire_body: Optional[Tuple[Optional[str], bool]] = None,
        path_params: Optional[Dict[str, str]] = None,
        source: str = "",
        event: Any = None,
        context: Any = None,
        multi_value: bool = False,
    ) -> None:
        self.method = method.upper()
        self.path = path
        self.headers = headers if headers is not None else Headers()
        self.query = query if query is not None else MultiDict()
        self.cookies = cookies if cookies is not None else {}
        # The event's (body, isBase64Encoded), decoded on first access to ``body``.
        self._wire_body = wire_body
        self._body: Optional[bytes] = None if wire_body is not None else body
        self.path_params = path_params if path_params is not None else {}
        self.source = source
        self.event = event
        self.context = context
        # True when the request came with multi-value maps (ALB answers the same way).
        self.multi_value = multi_value

    @property
    def body(self) -> bytes:
        if self._body is None:
            self._body = _body_bytes(*self._wire_body) if self._wire_body else b""
        return self._body

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")

    def json(self, type: Type[T] = Any) -> T:  # type: ignore[assignment]
        """The body decoded strictly into ``type``; bad input answers 400 naming the field."""
        try:
            return msgspec.json.decode(self.body, type=type)
        except msgspec.DecodeError as exc:  # ValidationError included
            raise HTTPError(400, f"Invalid request body: {exc}") from None

    @classmethod
    def from_event(cls, event: Any, context: Any = None) -> Request:
        """Detect the source of a raw event (dict, bytes, ``msgspec.Raw`` or a typed
        Struct) and build the request. Raises ``msgspec.ValidationError`` naming the field
        when the event does not match its source's shape."""
        from ._front_doors import request_from_event  # imports this module: not at the top

        return request_from_event(event, context)

    def __repr__(self) -> str:
        return f"<Request {self.method} {self.path} from {self.source or '?'}>"
