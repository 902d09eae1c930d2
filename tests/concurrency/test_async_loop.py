"""Managed Instances for ``async def`` handlers: N invocations on one event loop in one
process (the default), or the pre-forked workers (NATIVE_LAMBDA_ASYNC_CONCURRENCY=fork);
on CPython and compiled."""

from __future__ import annotations

import json
import re
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

MOD = "tests.concurrency.handlers"
ASYNC = f"{MOD}.conc_fns.async_sleepy"
FOUR = {"AWS_LAMBDA_MAX_CONCURRENCY": "4"}
ROOT = Path(__file__).resolve().parents[2]


def _many(emu: Any, events: list[dict[str, Any]], threads: int, **kwargs: Any) -> list[Any]:
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(lambda e: emu.invoke(json.dumps(e), **kwargs), events))


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()]


def test_one_process_serves_four_at_once_with_four_polls_in_flight(
    launch: Callable[..., Any],
) -> None:
    emu = launch(ASYNC, env=FOUR)
    start = time.monotonic()
    results = _many(emu, [{"sleep": 1, "n": i} for i in range(8)], 8)
    took = time.monotonic() - start
    assert all(r.function_error is None for r in results), [r.body for r in results]
    assert [r.json()["n"] for r in results] == list(range(8))
    # Four at a time: two rounds of one second, not one (eight) and not eight (one).
    assert 1.9 < took < 5, took
    (pid,) = {r.json()["pid"] for r in results}
    assert _children(pid) == []  # nothing forked
    # Four /next long-polls are parked in the emulator while the runtime is idle.
    time.sleep(0.3)
    nexts = [r for r in emu.records if r.path.endswith("/invocation/next")]
    assert len(nexts) >= 8 + 4, len(nexts)


def test_log_records_context_and_trace_are_per_invocation_on_one_loop(
    launch: Callable[..., Any],
) -> None:
    env = dict(FOUR, AWS_LAMBDA_LOG_FORMAT="JSON", AWS_LAMBDA_LOG_LEVEL="INFO")
    emu = launch(ASYNC, env=env)
    traces = [f"Root=1-5759e988-bd862e3fe1be46a99427{i:04d};Sampled=1" for i in range(12)]
    with ThreadPoolExecutor(12) as pool:
        results = list(pool.map(lambda t: emu.invoke(b'{"sleep": 0.3}', trace_id=t), traces))
    bodies = [r.json() for r in results]
    assert len({b["pid"] for b in bodies}) == 1
    assert [b["context_trace"] for b in bodies] == traces
    # One environment cannot hold four trace headers at once: the variable is not set.
    assert [b["trace"] for b in bodies] == [None] * 12
    deadline = time.monotonic() + 3
    while True:
        records = [json.loads(x) for x in emu.logs().splitlines() if x.startswith('{"timest')]
        ours = [r for r in records if r.get("logger") == "conc"]
        if len(ours) >= 24 or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert len(ours) == 24, emu.logs()[-3000:]
    for record in ours:  # the awaits interleave the invocations' records
        if record["message"].startswith("start "):
            assert record["requestId"] == record["message"][len("start ") :]
        else:
            assert record["requestId"] == record["seen"]
    assert {r["requestId"] for r in ours} == {b["request_id"] for b in bodies}


def test_a_failing_invocation_fails_alone_and_the_loop_keeps_serving(
    launch: Callable[..., Any],
) -> None:
    emu = launch(ASYNC, env=FOUR)
    events = [{"sleep": 0.3, "n": i, "fail": i == 2} for i in range(4)]
    results = _many(emu, events, 4)
    assert [r.function_error for r in results] == [None, None, "Unhandled", None]
    assert results[2].json()["errorMessage"] == "failed 2"
    again = _many(emu, [{"sleep": 0.1, "n": i} for i in range(8)], 8)
    assert all(r.function_error is None for r in again)
    assert emu.process_exits == []


def test_an_oversized_result_fails_alone_on_the_loop(launch: Callable[..., Any]) -> None:
    """The Runtime API answers 413 to a result over 6 MB: that invocation gets
    Function.ResponseSizeTooLarge and the loop goes on serving the others."""
    emu = launch(ASYNC, env=FOUR)
    events = [{"sleep": 0.2, "n": i, "pad": 6_400_000 if i == 1 else 0} for i in range(4)]
    results = _many(emu, events, 4)
    assert [r.function_error for r in results] == [None, "Unhandled", None, None]
    assert results[1].json()["errorType"] == "Function.ResponseSizeTooLarge"
    assert [r.json()["n"] for i, r in enumerate(results) if i != 1] == [0, 2, 3]
    assert emu.invoke(b'{"n": 9}').json()["n"] == 9
    assert emu.process_exits == []


def test_fork_is_still_there_for_async_handlers(launch: Callable[..., Any]) -> None:
    emu = launch(ASYNC, env=dict(FOUR, NATIVE_LAMBDA_ASYNC_CONCURRENCY="fork"))
    traces = [f"Root=1-5759e988-bd862e3fe1be46a99427{i:04d};Sampled=1" for i in range(8)]
    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda t: emu.invoke(b'{"sleep": 0.5}', trace_id=t), traces))
    bodies = [r.json() for r in results]
    assert len({b["pid"] for b in bodies}) == 4
    assert [b["trace"] for b in bodies] == traces  # per worker: the variable is set again


def test_shutdown_hooks_run_once_in_the_one_process(launch: Callable[..., Any]) -> None:
    emu = launch(f"{MOD}.conc_graceful.async_handler", env={"AWS_LAMBDA_MAX_CONCURRENCY": "3"})
    results = _many(emu, [{}] * 12, 6)
    pids = {r.json()["pid"] for r in results}
    emu.stop()
    assert re.findall(r"hook ran in (\d+)", emu.logs()) == [str(p) for p in pids], emu.logs()


def _on_cpython(emulator_factory: Any, handler: str, **env: str) -> Any:
    env.update(_HANDLER=handler, LAMBDA_TASK_ROOT=str(ROOT), PYTHONPATH=str(ROOT / "src"))
    return emulator_factory([sys.executable, "-m", "native_lambda"], env=env, cwd=str(ROOT))


def test_a_streamed_result_leaves_from_a_thread_with_its_request_id(
    emulator_factory: Any,
) -> None:
    env = dict(FOUR, AWS_LAMBDA_LOG_FORMAT="JSON", AWS_LAMBDA_LOG_LEVEL="INFO")
    emu = _on_cpython(emulator_factory, f"{MOD}.conc_fns.async_streams", **env)
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: emu.invoke_stream(b"{}"), range(4)))
    ids = []
    for result in results:
        assert result.complete == {}, result.error_details
        prelude, _, body = result.payload.partition(b"\0" * 8)
        assert json.loads(prelude)["statusCode"] == 200
        request_id = body.decode()[len("one ") : -len(";two")]
        assert body == f"one {request_id};two".encode()
        ids.append(request_id)
    records = [json.loads(x) for x in emu.logs().splitlines() if x.startswith('{"timest')]
    logged = {r["message"][len("streaming ") :]: r["requestId"] for r in records}
    assert logged == {i: i for i in ids}


def test_a_bad_mode_is_an_init_error_naming_the_variable(emulator_factory: Any) -> None:
    env = dict(FOUR, NATIVE_LAMBDA_ASYNC_CONCURRENCY="threads")
    emu = _on_cpython(emulator_factory, ASYNC, **env)
    assert emu.wait_ready(60) is False
    error = emu.invoke(b"{}").json()
    assert error["errorType"] == "Runtime.InvalidSetting"
    assert "NATIVE_LAMBDA_ASYNC_CONCURRENCY='threads'" in error["errorMessage"]
    assert "'loop'" in error["errorMessage"] and "'fork'" in error["errorMessage"]
