"""End to end: the routed handler and a typed batch handler under
``python -m native_lambda`` behind the emulator, over real HTTP."""

from __future__ import annotations

import json
import sys
from typing import Any, Iterator

import pytest
from tests.events.support import (
    FRONT_DOORS,
    REPO,
    check_malformed_http_event,
    check_routed_answer,
    fixture,
)

emulator_module = pytest.importorskip("native_lambda_toolchain.emulator")


@pytest.fixture(scope="module")
def http_function() -> Iterator[Any]:
    command = [sys.executable, "-m", "native_lambda", "tests.events.http_app.handler"]
    with emulator_module.Emulator(command, cwd=str(REPO)) as emulator:
        yield emulator


@pytest.mark.parametrize(("name", "source"), FRONT_DOORS)
def test_routed_handler_behind_every_front_door(http_function: Any, name: str, source: str) -> None:
    result = http_function.invoke(fixture(name))
    assert result.status == 200 and result.function_error is None, result.body
    check_routed_answer(result.json(), source)


def test_malformed_http_event_is_an_unmarshal_error(http_function: Any) -> None:
    check_malformed_http_event(http_function)


def test_typed_batch_handler() -> None:
    command = [sys.executable, "-m", "native_lambda", "tests.events.typed_handlers.sqs_batch"]
    with emulator_module.Emulator(command, cwd=str(REPO)) as emulator:
        result = emulator.invoke(fixture("sqs.json"))
        assert result.json() == {
            "batchItemFailures": [{"itemIdentifier": "00000000-0000-4000-8000-000000000002"}]
        }
        assert "bad amount in 00000000-0000-4000-8000-000000000002" in emulator.logs()
        event = json.loads(fixture("sqs.json"))
        event["Records"][2]["body"] = None
        result = emulator.invoke(json.dumps(event))
        assert result.function_error == "Unhandled"
        error = result.json()
        assert error["errorType"] == "Runtime.UnmarshalError"
        assert error["errorMessage"] == (
            "Unable to unmarshal input: Expected `str`, got `null` - at `$.Records[2].body`"
        )


def test_import_probe_imports_only_what_is_asked() -> None:
    """The bench's probe, and proof that one events module pulls in nothing else."""
    command = [sys.executable, "-m", "native_lambda", "tests.events.import_probe.handler"]
    expected = {
        "sqs": ["native_lambda.events", "native_lambda.events._base", "native_lambda.events.sqs"],
        "eventbridge": [
            "native_lambda.events",
            "native_lambda.events._base",
            "native_lambda.events.eventbridge",
        ],
    }
    for module, modules in expected.items():
        with emulator_module.Emulator(command, cwd=str(REPO)) as emulator:
            answer = emulator.invoke(json.dumps({"module": module})).json()
        assert answer["module"] == module
        assert answer["new_modules"] == modules
        assert 0 < answer["cpu_us"] < 1_000_000
