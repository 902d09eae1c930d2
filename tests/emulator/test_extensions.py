"""Extensions API: registration, init gating, INVOKE events, and the Shutdown phase."""

from __future__ import annotations

import json
import re
import signal
import time
import uuid

from tests.emulator.helpers import SCRIPTED

from native_lambda_toolchain.emulator import Emulator


def test_init_completes_only_after_every_extension_called_next(emulator_factory):
    emu = emulator_factory(
        SCRIPTED, env={"SCRIPTED_EXTENSION": "1", "SCRIPTED_EXTENSION_DELAY": "0.6"}
    )
    result = emu.invoke(b'{"action": "echo"}')
    assert result.function_error is None
    # The runtime polled /next at once, but init ended with the extension's late /next.
    assert emu.reports[0].init_duration_ms is not None
    assert emu.reports[0].init_duration_ms >= 600
    paths = [r.path for r in emu.records]
    register = paths.index("/2020-01-01/extension/register")
    runtime_next = paths.index("/2018-06-01/runtime/invocation/next")
    extension_next = paths.index("/2020-01-01/extension/event/next")
    assert register < runtime_next < extension_next
    registration = emu.records[register]
    assert registration.headers["lambda-extension-name"] == "scripted-internal"


def test_extension_gets_invoke_events(emulator_factory):
    emu = emulator_factory(SCRIPTED, env={"SCRIPTED_EXTENSION": "1"})
    first = emu.invoke(b'{"action": "echo"}')
    second = emu.invoke(b'{"action": "echo"}')
    emu.invoke(b'{"action": "echo"}')  # delivered only once the extension polled again
    logs = emu.logs()
    assert f"extension event INVOKE {first.request_id}" in logs
    assert f"extension event INVOKE {second.request_id}" in logs


def test_stop_sends_sigterm_when_an_extension_is_registered():
    with Emulator(SCRIPTED, env={"SCRIPTED_EXTENSION": "1"}) as emu:
        assert emu.invoke(b'{"action": "echo"}').status == 200
    assert "SIGTERM received" in emu.logs()
    assert emu.process_exits == [0]


def test_sigterm_grace_then_sigkill():
    with Emulator(SCRIPTED, env={"SCRIPTED_EXTENSION": "ignore-term"}) as emu:
        assert emu.wait_ready()
        started = time.monotonic()
    assert time.monotonic() - started >= 0.5  # Lambda's 500 ms for internal extensions
    assert emu.process_exits == [-signal.SIGKILL]
    assert "SIGTERM received" not in emu.logs()


def test_stop_without_extensions_kills_at_once():
    with Emulator(SCRIPTED) as emu:
        assert emu.wait_ready()
        started = time.monotonic()
    assert time.monotonic() - started < 0.5
    assert emu.process_exits == [-signal.SIGKILL]


def test_register_response_carries_function_metadata(emulator_factory):
    emu = emulator_factory(
        SCRIPTED,
        function_name="meta",
        env={"SCRIPTED_EXTENSION": "1", "_HANDLER": "app.handler"},
    )
    assert emu.wait_ready()
    ext_id, body = re.search(r"extension registered (\S+) (.*)", emu.logs()).groups()
    assert str(uuid.UUID(ext_id)) == ext_id
    assert json.loads(body) == {
        "functionName": "meta",
        "functionVersion": "$LATEST",
        "handler": "app.handler",
    }
