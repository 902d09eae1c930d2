"""Text-format error lines on a terminal: each ``\\r`` becomes an indented new line there,
while pipes and files keep Lambda's bytes (one CloudWatch record per error)."""

from __future__ import annotations

import io
import os
import pty

from native_lambda_toolchain._terminal import expand_carriage_returns, for_stream

ERROR_LINE = (
    "[ERROR] EmptyNameError: name must not be empty\rTraceback (most recent call last):\r"
    '  File "/var/task/examples/greeting.py", line 9, in handler\r\n'
)


def test_a_terminal_gets_indented_lines() -> None:
    main, follower = pty.openpty()
    try:
        with os.fdopen(follower, "w", closefd=False) as tty:
            shown = for_stream(ERROR_LINE, tty)
    finally:
        os.close(main)
        os.close(follower)
    assert shown.splitlines() == [
        "[ERROR] EmptyNameError: name must not be empty",
        "    Traceback (most recent call last):",
        '      File "/var/task/examples/greeting.py", line 9, in handler',
    ]
    assert "\r" not in shown


def test_a_pipe_gets_the_bytes_unchanged() -> None:
    read_end, write_end = os.pipe()
    try:
        with os.fdopen(write_end, "w", closefd=False) as pipe:
            assert for_stream(ERROR_LINE, pipe) == ERROR_LINE
    finally:
        os.close(read_end)
        os.close(write_end)
    assert for_stream(ERROR_LINE, io.StringIO()) == ERROR_LINE


def test_crlf_stays_one_line_end() -> None:
    assert expand_carriage_returns("a\r\nb\rc") == "a\nb\n    c"
