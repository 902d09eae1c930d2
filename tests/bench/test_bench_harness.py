"""Fast checks of the benchmark harness pieces (the full race is `nox -s bench`).

Real processes over real sockets: the C floor is compiled with gcc, the shell bootstrap runs
under /bin/sh with curl, both against the bench's own Runtime API server.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from scripts.bench import payloads, report
from scripts.bench.runtimes import HERE, Runtime, compile_floor
from scripts.bench.session import Session, SessionError


@pytest.mark.parametrize("name", list(payloads.SIZES))
def test_payload_is_typed_json_of_the_asked_size(name: str) -> None:
    size = payloads.SIZES[name]
    body = payloads.make(size)
    doc = json.loads(body)
    assert size <= len(body) < size + 200
    assert set(doc) == {"request_id", "items"}
    assert set(doc["items"][0]) == {"id", "name", "score", "active", "tags"}


def require_tool(name: str) -> None:
    """Skip without ``name`` on a laptop; under CI (``CI=true``) that is a failure."""
    if shutil.which(name) is None:
        message = f"{name} is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{message} (CI=true: nothing may skip)")
        pytest.skip(message)


@pytest.fixture(scope="module")
def floor(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_tool("gcc")
    return compile_floor(tmp_path_factory.mktemp("floor"))


def test_floor_serves_small_and_large_events(floor: Path, tmp_path: Path) -> None:
    small, large = payloads.make(1_000), payloads.make(1_000_000)
    with Session(Runtime("floor", "C floor", [str(floor)]), tmp_path) as s:
        s.start(small)
        s.run_group("1KB", small, 50)
        s.run_group("1MB", large, 3)  # Session checks the echoed bytes of each group's last event
        result = s.result
    assert 0 < result.init_ms < 5_000
    assert len(result.round_trips_us["1KB"]) == 49
    assert all(rt > 0 for rt in result.round_trips_us["1KB"])
    assert result.rss_kb["1MB"] >= result.rss_kb["init"] > 0


def test_shell_bootstrap_carries_events_beyond_the_argv_limit(tmp_path: Path) -> None:
    require_tool("curl")
    event = payloads.make(200_000)  # > 128 KiB: would fail as a command-line argument
    rt = Runtime("shell", "shell", ["/bin/sh", str(HERE / "bootstrap.sh")])
    with Session(rt, tmp_path) as s:
        s.start(event)
        s.run_group("200KB", event, 3)
    assert len(s.result.round_trips_us["200KB"]) == 2


def test_a_runtime_answering_with_an_error_fails_the_session(tmp_path: Path) -> None:
    script = tmp_path / "bad.sh"
    script.write_text(
        'API="http://$AWS_LAMBDA_RUNTIME_API/2018-06-01/runtime"\n'
        'ID=$(curl -sS -D - -o /dev/null "$API/invocation/next" | grep -i request-id'
        " | tr -d '[:space:]' | cut -d: -f2)\n"
        'curl -sS -o /dev/null -d \'{"errorType":"X"}\' "$API/invocation/$ID/error"\n'
        "sleep 30\n"
    )
    require_tool("curl")
    bad = Runtime("bad", "bad", ["/bin/sh", str(script)])
    with (
        Session(bad, tmp_path) as s,
        pytest.raises(SessionError, match="bad answer \\(error\\)"),
    ):
        s.start(payloads.make(1_000))


def test_report_ratios_and_targets() -> None:
    def rec(init: float, rt: float, rss: int) -> dict[str, object]:
        return {
            "init_ms": [init, init + 2, init - 2],
            "init_cpu_ms": [init / 2],
            "first_ms": [1.0],
            "rss_init_kb": [rss],
            "round_trips_us": {"1KB": [[rt] * 10], "1MB": [[rt * 100] * 5]},
            "rss_kb": {"1KB": [rss], "1MB": [rss * 2]},
        }

    raw = {
        "date": "d",
        "machine": "m",
        "method": "x",
        "groups": ["1KB", "1MB"],
        "pythons": ["3.13", "3.11"],
        "labels": {},
        "config": {},
        "runtimes": {},
        "bare_start_ms": {"3.13": [5.0, 6.0, 7.0], "3.11": [5.0]},
    }
    for name, kind, python, r in (
        ("native@3.13", "native", "3.13", rec(10, 50, 10240)),
        ("awslambdaric@3.13", "awslambdaric", "3.13", rec(40, 100, 20480)),
        ("native@3.11", "native", "3.11", rec(30, 50, 10240)),
        ("awslambdaric@3.11", "awslambdaric", "3.11", rec(40, 200, 20480)),
        ("floor", "floor", "", rec(1, 25, 1024)),
    ):
        raw["labels"][name] = kind.upper()
        raw["config"][name] = {"kind": kind, "python": python, "tuning": "on", "target": "host"}
        raw["runtimes"][name] = r
    summary = report.summarize(raw)
    text = report.markdown(raw, summary)
    # each row against awslambdaric on its own Python; the floor against the first one's
    assert "| NATIVE | 3.13 | 0.25x | 0.25x | 0.50x | 0.50x | 0.50x |" in text
    assert "| NATIVE | 3.11 | 0.75x | 0.75x | 0.25x | 0.25x | 0.50x |" in text
    assert "| FLOOR | - | 0.03x |" in text
    checks = {name: ok for name, ok, _ in report.targets(raw, summary, "native@3.13")}
    assert checks["init (wall) ≤ 0.5x"] is True
    assert checks["moonshot: init (wall) within 3 ms of `python -S -I -c pass`"] is False
    assert checks["peak RSS ≤ 0.8x"] is True
    table = report.columns(raw, summary)
    assert "| target | Python 3.13 (host, tuning on) | Python 3.11 (host, tuning on) |" in table
    assert (
        "| init (wall) ≤ 0.5x | 10.0 / 40.0 ms = 0.25x met | 30.0 / 40.0 ms = 0.75x **missed** |"
        in table
    )
