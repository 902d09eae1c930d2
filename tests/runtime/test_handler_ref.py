"""HandlerRef: the one handler grammar, and the record it parses into."""

from __future__ import annotations

import copy
import pickle

import pytest

from native_lambda.handler_ref import HandlerRef, HandlerRefError, select


def test_parse_and_the_record() -> None:
    ref = HandlerRef.parse("src/app.main")
    assert ref == HandlerRef("src.app", "main") == ("src.app", "main")
    assert (ref.module, ref.function) == ("src.app", "main")
    module, function = ref
    assert (module, function) == ("src.app", "main")
    assert str(ref) == "src.app.main"
    assert repr(ref) == "HandlerRef(module='src.app', function='main')"
    assert hash(ref) == hash(HandlerRef.parse("src.app.main"))
    assert copy.deepcopy(ref) == ref and pickle.loads(pickle.dumps(ref)) == ref
    assert isinstance(pickle.loads(pickle.dumps(ref)), HandlerRef)


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("nodot", "not enough values to unpack (expected 2, got 1)"),
        ("app.", "not enough values to unpack (expected 2, got 1)"),
        ("my-app.handler", "'my-app' is not a Python name"),
        ("app.handler()", "'handler()' is not a Python name"),
    ],
)
def test_malformed(text: str, why: str) -> None:
    with pytest.raises(HandlerRefError) as raised:
        HandlerRef.parse(text)
    assert str(raised.value).startswith(f"Bad handler '{text}': {why}")


def test_select() -> None:
    compiled = ["a.fn", "b.c.fn"]
    assert select("b/c.fn", compiled, "a.fn") == "b.c.fn"
    assert select("placeholder", compiled, "a.fn") == "a.fn"
    assert select(None, compiled, "a.fn") == "a.fn"
