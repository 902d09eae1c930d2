"""Log output, line by line: Text and JSON formats, levels, one event per record."""

from __future__ import annotations

import json
import os
import re
import subprocess
import time
from pathlib import Path

from independent_api import PYTHON, ROOT, IndependentApi

TS = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z"


def run_logs(serve, **env: str) -> tuple[str, list[str]]:
    api = serve("fns.logs", **env)
    out = api.invoke("{}")
    assert out.json() == "ok"
    request_id = out.headers["request-id"]
    api.invoke("{}")  # a second invocation: its output proves the first one is complete
    lines = api.logs().split("\n")
    first = lines[: lines.index("printed line", 1)]
    return request_id, first


def test_text_format_line_by_line(serve) -> None:
    request_id, lines = run_logs(serve, AWS_LAMBDA_LOG_LEVEL="INFO")
    assert len(lines) == 4, lines
    assert lines[0] == "printed line"
    assert re.fullmatch(rf"\[INFO\]\t{TS}\t{request_id}\tinfo one\rsecond line", lines[1])
    assert re.fullmatch(rf"\[WARNING\]\t{TS}\t{request_id}\twarned arg", lines[2])
    assert re.fullmatch(
        rf"\[ERROR\]\t{TS}\t{request_id}\tcaught\rTraceback \(most recent call last\):\r"
        r'  File ".*fns\.py", line \d+, in logs\r'
        r'    raise ValueError\("bad\\nvalue"\)\rValueError: bad\rvalue',
        lines[3],
    ), lines[3]


def test_default_level_is_warning_like_awslambdaric(serve) -> None:
    _, lines = run_logs(serve)
    assert [line.split("\t")[0] for line in lines] == ["printed line", "[WARNING]", "[ERROR]"]


def test_debug_level_and_trace_alias(serve) -> None:
    _, lines = run_logs(serve, AWS_LAMBDA_LOG_LEVEL="trace")
    levels = [line.split("\t")[0] for line in lines]
    assert levels == ["printed line", "[INFO]", "[WARNING]", "[ERROR]", "[DEBUG]"]


def test_error_level_hides_warnings(serve) -> None:
    _, lines = run_logs(serve, AWS_LAMBDA_LOG_LEVEL="ERROR")
    assert [line.split("\t")[0] for line in lines] == ["printed line", "[ERROR]"]


def test_json_format_line_by_line(serve) -> None:
    request_id, lines = run_logs(serve, AWS_LAMBDA_LOG_FORMAT="JSON", AWS_LAMBDA_LOG_LEVEL="INFO")
    assert lines[0] == "printed line"  # print() output is passed through untouched
    records = [json.loads(line) for line in lines[1:]]
    assert len(records) == 3
    for record in records:
        assert re.fullmatch(TS, record["timestamp"])
        assert record["requestId"] == request_id
        assert record["logger"] == "fns"
    assert [r["level"] for r in records] == ["INFO", "WARNING", "ERROR"]
    assert records[0]["message"] == "info one\nsecond line"
    assert list(records[0]) == ["timestamp", "level", "message", "logger", "requestId"]
    assert records[1]["message"] == "warned arg"
    assert records[1]["custom"] == 7  # `extra` fields, as awslambdaric
    error = records[2]
    assert error["message"] == "caught"
    assert error["errorType"] == "ValueError"
    assert error["errorMessage"] == "bad\nvalue"
    assert 'raise ValueError("bad\\nvalue")' in error["stackTrace"][0]
    assert error["location"].endswith(":logs:" + error["location"].rsplit(":", 1)[1])


def test_json_error_record_for_failed_invocation(serve) -> None:
    api = serve("fns.raising", AWS_LAMBDA_LOG_FORMAT="JSON")
    out = api.invoke("{}")
    api.invoke("{}")
    records = [json.loads(line) for line in api.logs().splitlines()]
    assert len(records) == 2
    record = records[0]
    assert record["level"] == "ERROR"
    assert record["errorType"] == "Boom"
    assert record["requestId"] == out.headers["request-id"]
    assert record["stackTrace"] == out.json()["stackTrace"]


def test_logging_not_imported_at_init_and_wired_when_imported_late(
    api: IndependentApi, tmp_path: Path
) -> None:
    (tmp_path / "lazy.py").write_text(
        "import sys, importlib.util\n"
        "AT_INIT = 'logging' in sys.modules\n"
        "assert importlib.util.find_spec('logging') is not None  # a probe, not an import\n"
        "def handler(event, context):\n"
        "    import logging\n"
        "    logging.getLogger('late').warning('from a late import')\n"
        "    return AT_INIT\n"
    )
    api.start_runtime("lazy.handler", env={"LAMBDA_TASK_ROOT": str(tmp_path)}, tmp_path=tmp_path)
    out = api.invoke("{}")
    assert out.json() is False  # the runtime itself did not import logging
    api.invoke("{}")
    first = api.logs().split("\n")[0]
    assert re.fullmatch(
        rf"\[WARNING\]\t{TS}\t{out.headers['request-id']}\tfrom a late import", first
    )


def test_basic_config_in_user_code_does_not_duplicate(api: IndependentApi, tmp_path: Path) -> None:
    (tmp_path / "basic.py").write_text(
        "import logging\n"
        "logging.basicConfig(level=logging.INFO)\n"
        "def handler(event, context):\n"
        "    logging.warning('once')\n"
        "    return 1\n"
    )
    api.start_runtime("basic.handler", env={"LAMBDA_TASK_ROOT": str(tmp_path)}, tmp_path=tmp_path)
    api.invoke("{}")
    api.invoke("{}")
    assert api.logs().count("once") == 2  # one per invocation, not two


def test_telemetry_fd_frames(api: IndependentApi, tmp_path: Path) -> None:
    read_fd, write_fd = os.pipe()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("AWS_")},
        "AWS_LAMBDA_RUNTIME_API": api.address,
        "PYTHONPATH": str(ROOT / "src"),
        "LAMBDA_TASK_ROOT": str(Path(__file__).parent / "handlers"),
        "AWS_LAMBDA_LOG_LEVEL": "INFO",
        "_LAMBDA_TELEMETRY_LOG_FD": str(write_fd),
    }
    api.process = subprocess.Popen(
        [PYTHON, "-m", "native_lambda", "fns.logs"],
        env=env,
        pass_fds=(write_fd,),
        stdout=subprocess.DEVNULL,
    )
    os.close(write_fd)
    api.invoke("{}")
    time.sleep(0.2)
    api.stop_runtime()
    data = b""
    while chunk := os.read(read_fd, 65536):
        data += chunk
    os.close(read_fd)
    frames = []
    while data:
        kind = int.from_bytes(data[:4], "big")
        length = int.from_bytes(data[4:8], "big")
        stamp = int.from_bytes(data[8:16], "big")
        frames.append((kind, data[16 : 16 + length].decode()))
        assert abs(stamp / 1e6 - time.time()) < 60
        data = data[16 + length :]
    assert [kind for kind, _ in frames] == [0xA55A000F, 0xA55A0013, 0xA55A0017]
    assert "info one\nsecond line" in frames[0][1]  # framed: newlines kept inside one event


def test_output_without_a_newline_is_out_before_the_next_poll(serve) -> None:
    """Line-buffered streams hold a line until its newline; an invocation's unfinished line
    must still leave the process before the runtime asks for the next invocation (Lambda may
    freeze or end the environment then), not with the next invocation's output."""
    api = serve("fns.partial_lines")
    assert api.invoke({"n": 1}).json() == "ok"
    api.wait_for(lambda records: sum(r.path.endswith("/next") for r in records) >= 2)
    deadline = time.monotonic() + 5
    while "stderr tail 1" not in api.logs() and time.monotonic() < deadline:
        time.sleep(0.02)
    logs = api.logs()
    assert "stdout tail 1" in logs and "stderr tail 1" in logs, logs
