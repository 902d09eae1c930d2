"""One grammar for Lambda's handler setting, shared by the runtime and the toolchain.

Lambda's Python runtime reads ``path/to/module.function``: everything before the last dot is
the module (``/`` separates folders, as ``.`` does), the last part is a top-level name in it.
This module parses that string exactly once into a :class:`HandlerRef`; everything else works
with the record, never with the raw string. Kept free of imports: it is compiled into every
bootstrap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Optional, Sequence, Tuple

if TYPE_CHECKING:
    _Pair = Tuple[str, str]
else:
    _Pair = tuple  # not NamedTuple/Tuple[...]: each costs 0.1-0.3 ms of every cold start

#: The variable Lambda sets from the function's Handler setting; the only one the bootstrap reads.
HANDLER_ENV = "_HANDLER"


class HandlerRefError(ValueError):
    """The handler string does not follow ``module.function``; ``str()`` says why."""


class HandlerRef(_Pair):
    """``module`` is dotted (``dir/mod`` becomes ``dir.mod``); ``function`` is a plain name.
    A ``(module, function)`` tuple: compares, hashes and unpacks like one."""

    __slots__ = ()

    def __new__(cls, module: str, function: str) -> HandlerRef:
        return tuple.__new__(cls, (module, function))

    @property
    def module(self) -> str:
        return self[0]

    @property
    def function(self) -> str:
        return self[1]

    def __getnewargs__(self) -> tuple[str, str]:  # copy and pickle
        return (self[0], self[1])

    def __repr__(self) -> str:
        return f"HandlerRef(module={self[0]!r}, function={self[1]!r})"

    @classmethod
    def parse(cls, text: str) -> HandlerRef:
        """Parse Lambda's handler setting; raise :class:`HandlerRefError` when it is malformed."""
        module, dot, function = text.strip().rpartition(".")
        if not dot or not module or not function:
            raise HandlerRefError(
                f"Bad handler '{text}': not enough values to unpack (expected 2, got 1)"
            )
        module = module.replace("/", ".")
        parts = module.split(".")
        for part in [*parts, function]:
            if not part.isidentifier():
                raise HandlerRefError(
                    f"Bad handler '{text}': {part!r} is not a Python name "
                    "(expected module.function, e.g. app.handler or src/app.handler)"
                )
        return cls(module, function)

    def __str__(self) -> str:
        return f"{self.module}.{self.function}"


def select(requested: Optional[str], compiled_in: Sequence[str], default: str) -> str:
    """The handler a bootstrap serves: ``requested`` (``_HANDLER``) when it names a compiled-in
    handler, else ``default``. provided.al2023 functions often carry a placeholder Handler
    setting, so an unknown name is not an error."""
    if requested:
        try:
            wanted = str(HandlerRef.parse(requested))
        except HandlerRefError:
            return default
        if wanted in compiled_in:
            return wanted
    return default
