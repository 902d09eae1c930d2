"""A long-running emulator keeps bounded history: memory stays flat under endless traffic."""

from __future__ import annotations

import time

from tests.emulator.helpers import ECHO
from tests.emulator.test_http_limits import rss_kb

PAYLOAD = b'"' + b"x" * (1024 * 1024 - 2) + b'"'  # 1 MB of JSON


def test_rss_stays_flat_over_10000_invocations_of_1_mb(emulator_factory):
    emu = emulator_factory(ECHO)
    for _ in range(1000):  # warm up: allocator pools, history rings filled
        assert emu.invoke(PAYLOAD).status == 200
    settled = rss_kb()
    started = time.monotonic()
    for i in range(9000):
        result = emu.invoke(PAYLOAD)
        assert result.status == 200 and len(result.body) == len(PAYLOAD)
        if i % 500 == 0:  # fail early rather than exhaust the machine
            assert rss_kb() - settled < 64 * 1024, f"RSS grew after {1000 + i} invocations"
    grown = rss_kb() - settled
    assert grown < 32 * 1024, f"RSS grew by {grown} KiB over 9,000 invocations of 1 MB"
    assert len(emu.reports) <= 1000 and len(emu.records) <= 1000
    assert time.monotonic() - started < 120
