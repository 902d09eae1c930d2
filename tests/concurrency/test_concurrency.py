"""Managed Instances concurrency: AWS_LAMBDA_MAX_CONCURRENCY pre-forked workers under the
emulator, which hands out that many invocations at once; on CPython and compiled."""

from __future__ import annotations

import json
import re
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

MOD = "tests.concurrency.handlers"
SLEEPY = f"{MOD}.conc_fns.sleepy"


def _many(emu: Any, events: list[dict[str, Any]], threads: int, **kwargs: Any) -> list[Any]:
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda e: emu.invoke(json.dumps(e), **kwargs), events))


def test_four_workers_serve_eight_one_second_invocations_in_two_seconds(
    launch: Callable[..., Any],
) -> None:
    emu = launch(SLEEPY, env={"AWS_LAMBDA_MAX_CONCURRENCY": "4"})
    start = time.monotonic()
    results = _many(emu, [{"sleep": 1, "n": i} for i in range(8)], 8)
    took = time.monotonic() - start
    assert [r.status for r in results] == [200] * 8
    assert all(r.function_error is None for r in results), [r.body for r in results]
    # Two rounds of one second; well under the eight a single process would take, with room
    # for a loaded two-core machine.
    assert 1.9 < took < 5, took
    assert len({r.json()["pid"] for r in results}) == 4


def test_two_thousand_invocations_none_lost_or_duplicated(launch: Callable[..., Any]) -> None:
    emu = launch(SLEEPY, env={"AWS_LAMBDA_MAX_CONCURRENCY": "4"})
    results = _many(emu, [{"n": i} for i in range(2000)], 16)
    bodies = [r.json() for r in results]
    assert [b["n"] for b in bodies] == list(range(2000))
    ids = [b["request_id"] for b in bodies]
    assert len(set(ids)) == 2000
    assert ids == [r.request_id for r in results]
    assert len({b["pid"] for b in bodies}) == 4


def test_every_log_record_and_trace_id_belongs_to_its_invocation(
    launch: Callable[..., Any],
) -> None:
    env = {
        "AWS_LAMBDA_MAX_CONCURRENCY": "4",
        "AWS_LAMBDA_LOG_FORMAT": "JSON",
        "AWS_LAMBDA_LOG_LEVEL": "INFO",
    }
    emu = launch(SLEEPY, env=env)
    traces = [f"Root=1-5759e988-bd862e3fe1be46a99427{i:04d};Sampled=1" for i in range(12)]
    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(lambda t: emu.invoke(b'{"sleep": 0.3}', trace_id=t), traces))
    bodies = [r.json() for r in results]
    assert [b["trace"] for b in bodies] == traces
    assert [b["context_trace"] for b in bodies] == traces
    deadline = time.monotonic() + 3
    while True:  # the workers share one output pipe: let the last lines land
        lines = emu.logs().splitlines()
        records = [json.loads(line) for line in lines if line.startswith('{"timestamp"')]
        ours = [r for r in records if r.get("logger") == "conc"]
        if len(ours) >= 24 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(ours) == 24, emu.logs()[-3000:]
    for record in ours:
        if record["message"].startswith("start "):
            assert record["requestId"] == record["message"][len("start ") :]
        else:
            assert record["requestId"] == record["seen"]
    assert {r["requestId"] for r in ours} == {b["request_id"] for b in bodies}


def test_printed_lines_of_workers_sharing_the_output_pipe_stay_whole(
    launch: Callable[..., Any],
) -> None:
    # print() writes its text and its newline separately when stdout is write-through
    # (PYTHONUNBUFFERED): the runtime buffers each line, so workers never split each other's.
    env = {"AWS_LAMBDA_MAX_CONCURRENCY": "4", "PYTHONUNBUFFERED": "1"}
    emu = launch(SLEEPY, env=env)
    results = _many(emu, [{"lines": 2000, "n": i} for i in range(8)], 8)
    assert all(r.function_error is None for r in results)
    whole = re.compile(r"line [0-9a-f-]{36} \d{5} x{80}")
    deadline = time.monotonic() + 3
    while True:
        lines = [x for x in emu.logs().splitlines() if "line " in x]
        if len(lines) >= 16000 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    broken = [x for x in lines if not whole.fullmatch(x)]
    assert broken == [] and len(lines) == 16000, (len(lines), broken[:3])


def test_a_killed_worker_fails_only_its_invocation_and_is_replaced(
    launch: Callable[..., Any],
) -> None:
    emu = launch(SLEEPY, env={"AWS_LAMBDA_MAX_CONCURRENCY": "4"})
    events = [{"sleep": 0.5, "n": i} for i in range(3)] + [{"crash": True, "n": 3}]
    results = _many(emu, events, 4)
    ok, crashed = results[:3], results[3]
    assert all(r.function_error is None for r in ok), [r.body for r in ok]
    assert crashed.function_error == "Unhandled"
    error = crashed.json()
    assert error["errorType"] == "Runtime.ExitError"
    assert "signal: kill" in error["errorMessage"]
    # The replacement joins: four workers keep serving.
    after = _many(emu, [{"sleep": 0.3, "n": i} for i in range(8)], 8)
    assert all(r.function_error is None for r in after)
    assert len({r.json()["pid"] for r in after}) == 4
    assert emu.process_exits == []  # the runtime itself never went away


def test_sigterm_reaches_every_worker_and_hooks_run_once_each(
    launch: Callable[..., Any],
) -> None:
    emu = launch(f"{MOD}.conc_graceful.handler", env={"AWS_LAMBDA_MAX_CONCURRENCY": "3"})
    results = _many(emu, [{}] * 12, 6)
    pids = {r.json()["pid"] for r in results}
    emu.stop()
    ran = re.findall(r"hook ran in (\d+)", emu.logs())
    assert len(ran) == len(set(ran)) == 3, emu.logs()
    assert pids <= {int(p) for p in ran}


def test_without_the_variable_one_process_serves(launch: Callable[..., Any]) -> None:
    emu = launch(SLEEPY)
    results = _many(emu, [{"sleep": 0.2}] * 4, 4)
    assert len({r.json()["pid"] for r in results}) == 1


def test_a_plain_handler_loads_neither_streaming_nor_workers(
    launch: Callable[..., Any],
) -> None:
    emu = launch(f"{MOD}.conc_fns.loaded")
    loaded = emu.invoke(b"{}").json()
    assert loaded["native_lambda._streaming"] is False
    assert loaded["native_lambda._workers"] is False
    assert loaded["native_lambda._aloop"] is False
    assert loaded["asyncio"] is False
