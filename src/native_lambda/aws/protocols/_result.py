"""The base of every result Struct and of every service error."""

from __future__ import annotations

import msgspec

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any, Dict, Optional

UNSET = msgspec.UNSET


def _plain(value: Any) -> Any:
    if isinstance(value, Result):
        return value.to_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class Result(msgspec.Struct, omit_defaults=True):
    """A parsed response. Attributes are snake_case; ``to_dict()`` gives boto3's dict
    (member names as keys, ``datetime``, ``bytes``, streaming bodies as readable objects)
    without ``ResponseMetadata``."""

    def to_dict(self) -> Dict[str, Any]:
        out: Dict[str, Any] = {}
        names = self.__struct_encode_fields__
        for attr, name in zip(self.__struct_fields__, names):
            value = getattr(self, attr)
            if value is not UNSET:
                out[name] = _plain(value)
        return out

    def __getitem__(self, name: str) -> Any:
        """``result["Item"]`` as in boto3 (the member name, not the attribute)."""
        try:
            attr = self.__struct_fields__[self.__struct_encode_fields__.index(name)]
        except ValueError:
            raise KeyError(name) from None
        value = getattr(self, attr)
        if value is UNSET:
            raise KeyError(name)
        return _plain(value)

    def get(self, name: str, default: Any = None) -> Any:
        try:
            return self[name]
        except KeyError:
            return default


class ServiceError(Exception):
    """An error answer from the service (boto3's ``ClientError``): ``code``, ``message``,
    ``status`` and ``response`` (boto3's parsed error dict, without ``ResponseMetadata``)."""

    code = "ServiceError"
    status = 400

    def __init__(
        self,
        code: Optional[str] = None,
        message: str = "",
        status: Optional[int] = None,
        response: Optional[Dict[str, Any]] = None,
        operation_name: str = "",
    ) -> None:
        if code is not None:
            self.code = code
        if status is not None:
            self.status = status
        self.message = message
        self.operation_name = operation_name
        self.response = (
            response if response is not None else {"Error": {"Code": self.code, "Message": message}}
        )
        super().__init__(
            f"An error occurred ({self.code}) when calling the {operation_name or '?'} "
            f"operation: {message}"
        )


class ParamValidationError(TypeError):
    """A parameter has the wrong type, is unknown or missing; raised before sending."""


class TransportError(OSError):
    """The request did not get an answer (connection refused, reset, timed out)."""

    def __init__(self, message: str, *, sent: bool) -> None:
        super().__init__(message)
        self.sent = sent  # True when the request may have reached the service


class Results:
    """A generated module's result Structs, made on first use.

    Creating ~200 Struct classes at import is most of a module's import cost, and a
    function uses a handful. The module holds each class as data (attribute, member name,
    annotation) and this makes a class, and the classes its annotations name, into the
    module's namespace when it is first needed, where msgspec resolves the annotations.
    """

    __slots__ = ("_ns", "_table")

    def __init__(self, namespace: Dict[str, Any], table: Any) -> None:
        self._ns = namespace
        self._table = table  # a Table (or dict): class name -> fields as JSON

    def get(self, name: str) -> Any:
        found = self._ns.get(name)
        if found is None:
            found = self._make(name)
        return found

    def _make(self, name: str) -> Any:
        ns, table = self._ns, self._table
        todo = [name]
        while todo:
            current = todo.pop()
            if current in ns:
                continue
            fields = msgspec.json.decode(table[current])
            rename = {attr: member for attr, member, _ in fields if attr != member}
            ns[current] = msgspec.defstruct(
                current,
                [(attr, annotation, UNSET) for attr, _, annotation in fields],
                bases=(Result,),
                module=ns["__name__"],
                rename=rename or None,
                omit_defaults=True,
            )
            for _, _, annotation in fields:
                for word in annotation.replace("[", " ").replace("]", " ").split():
                    word = word.rstrip(",")
                    if word in table and word not in ns:
                        todo.append(word)
        return ns[name]


class Exceptions:
    """A client's ``exceptions``: the modeled error classes by name, each made on first use
    (a module holds dozens and a function meets a few); ``ClientError`` catches them all."""

    ClientError = ServiceError

    def __init__(self, namespace: Dict[str, Any], table: Any) -> None:
        self._ns = namespace
        self._table = table  # a Table (or dict): attribute -> "ClassName code status"
        self._codes: Optional[Dict[str, str]] = None

    def __getattr__(self, name: str) -> Any:
        entry = self.__dict__["_table"].get(name)
        if entry is None:
            raise AttributeError(f"{self._ns['__name__']} models no error {name!r}")
        class_name, code, status = entry.split(" ")
        cls = self._ns.get(class_name)
        if cls is None:
            cls = type(
                class_name,
                (ServiceError,),
                {
                    "__doc__": f"The modeled ``{name}`` error.",
                    "__module__": self._ns["__name__"],
                    "code": code,
                    "status": int(status),
                },
            )
            self._ns[class_name] = cls
        setattr(self, name, cls)  # found directly from now on
        return cls

    def from_code(self, code: str) -> Any:
        """The class for an error code (botocore's ``from_code``); ``ServiceError`` if none."""
        if self._codes is None:
            codes: Dict[str, str] = {}
            for attr, entry in sorted(self._table.items()):
                codes[entry.split(" ")[1]] = attr  # a code two shapes share: the last one
            self._codes = codes
        found = self._codes.get(code)
        return ServiceError if found is None else getattr(self, found)

    def named(self, class_name: str) -> Any:
        """An error class by its class name (the module's ``__getattr__``)."""
        for attr, entry in self._table.items():
            if entry.split(" ", 1)[0] == class_name:
                return getattr(self, attr)
        raise AttributeError(f"module {self._ns['__name__']!r} has no attribute {class_name!r}")
