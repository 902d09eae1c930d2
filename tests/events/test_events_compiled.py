"""The routed HTTP handler compiled into a bootstrap, run in the Lambda-like sandbox.

Mirrors ``test_events_e2e.py`` (same fixtures, same answers) for the native build: one
bootstrap serves ``tests.events.http_app.handler`` behind API Gateway v1, v2, a Function URL
and an ALB, and a malformed event is a ``Runtime.UnmarshalError`` naming the field. The same
build carries ``tests.events.import_probe`` (``_HANDLER`` picks it), proving that
a compiled-in events module is imported only when asked. The entry imports the probe and the
routed app eagerly, so this build is not the one to *time* imports with: the bench
(``scripts/bench/events.py``) builds the probe alone for that.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from tests.events.support import (
    FRONT_DOORS,
    check_malformed_http_event,
    check_routed_answer,
    fixture,
)

from artifacts import sandboxed
from fixtures_build import Built, build_artifacts

pytestmark = [pytest.mark.compile, pytest.mark.root, pytest.mark.timeout(2400)]

HTTP_HANDLER = "tests.events.http_app.handler"
PROBE_HANDLER = "tests.events.import_probe.handler"


@pytest.fixture(scope="module")
def built_http(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """One bootstrap: the routed app (baked-in handler) plus the import probe."""
    base = tmp_path_factory.mktemp("built-events")
    return build_artifacts(
        base / "dist",
        base / "work",
        handler=HTTP_HANDLER,
        handlers=(PROBE_HANDLER,),
    )


@pytest.fixture(scope="module")
def http_function(built_http: Built) -> Iterator[Any]:
    """The bootstrap in the sandbox behind the emulator; one process for the whole module."""
    with sandboxed(built_http.function_zip, built_http.layer_zip, target="host") as (_, emu):
        yield emu


@pytest.mark.parametrize(("name", "source"), FRONT_DOORS)
def test_compiled_routed_handler_behind_every_front_door(
    http_function: Any, name: str, source: str
) -> None:
    result = http_function.invoke(fixture(name))
    assert result.status == 200 and result.function_error is None, (
        result.body,
        http_function.lambda_log(),
    )
    check_routed_answer(result.json(), source)
    assert http_function.process_exits == []  # every front door on the same warm process


def test_compiled_malformed_http_event_is_an_unmarshal_error(http_function: Any) -> None:
    check_malformed_http_event(http_function)
    assert http_function.process_exits == []


def test_compiled_probe_imports_one_events_module_on_demand(built_http: Built) -> None:
    """The probe, compiled into the same bootstrap: ``sqs`` is imported on the request,
    not at init (the routed app already loaded the ``http`` module), and nothing else."""
    env = {"_HANDLER": PROBE_HANDLER}
    with sandboxed(built_http.function_zip, built_http.layer_zip, env=env) as (_, emu):
        result = emu.invoke(json.dumps({"module": "sqs"}))
        assert result.function_error is None, (result.body, emu.lambda_log())
        answer = result.json()
        assert emu.invoke(json.dumps({"module": "nope"})).function_error == "Unhandled"
    assert answer["module"] == "sqs"
    assert "native_lambda.events.sqs" in answer["new_modules"]
    events_new = {m for m in answer["new_modules"] if m.startswith("native_lambda.events.")}
    assert events_new <= {"native_lambda.events._base", "native_lambda.events.sqs"}, answer
    assert 0 < answer["wall_us"] < 1_000_000
