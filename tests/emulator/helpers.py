"""Shared bits of the emulator tests: the scripted runtime's command line and small parsers."""

from __future__ import annotations

import re
import sys
from pathlib import Path

HERE = Path(__file__).parent
SCRIPTED = [sys.executable, str(HERE / "scripted_runtime.py")]
ECHO = [sys.executable, str(HERE / "echo_runtime.py")]

REPORT_RE = re.compile(
    r"REPORT RequestId: (?P<id>[0-9a-f-]{36})\tDuration: (?P<duration>\d+\.\d\d) ms\t"
    r"Billed Duration: (?P<billed>\d+) ms\tMemory Size: (?P<size>\d+) MB\t"
    r"Max Memory Used: (?P<used>\d+) MB\t(?:Init Duration: (?P<init>\d+\.\d\d) ms\t)?"
    r"(?:Status: (?P<status>\w+)\t(?:Error Type: (?P<etype>[\w.]+)\t)?)?$"
)


def report_lines(log: str) -> list[re.Match[str]]:
    """Every REPORT line of a CloudWatch-like log, parsed (a malformed one fails the test)."""
    found = []
    for line in log.splitlines():
        if line.startswith("REPORT "):
            match = REPORT_RE.match(line)
            assert match, f"malformed REPORT line: {line!r}"
            found.append(match)
    return found
