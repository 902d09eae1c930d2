"""START/END/REPORT lines: what Lambda prints when an invocation ends, and its numbers."""

from __future__ import annotations

import datetime
import math

from . import _errors as err
from ._core import ServiceCore
from ._records import Report
from ._sandbox import Invocation, Outcome, Sandbox


def _utc_stamp() -> str:
    now = datetime.datetime.now(datetime.timezone.utc)
    return now.strftime("%Y-%m-%dT%H:%M:%S.") + f"{now.microsecond // 1000:03d}Z"


class Reporting(ServiceCore):
    """Prints the platform lines that end an invocation and records its REPORT."""

    def _report(self, sb: Sandbox, inv: Invocation, outcome: Outcome, ended_at: float) -> None:
        """Print the platform lines that end an invocation and record its REPORT."""
        cfg = self.config
        rid = inv.request_id
        kind = outcome.kind
        duration_ms = (ended_at - inv.started_at) * 1000 if inv.started_at else 0.0
        init_ms: float | None = None
        if not sb.init_reported:
            settled_at = sb.init_done_at if sb.init_done_at is not None else sb.init_failed_at
            if settled_at is not None:
                init_ms = (settled_at - sb.started_at) * 1000
                sb.init_reported = True
        if sb.proc is not None and sb.proc.alive:
            sb.maxrss_kb = max(sb.maxrss_kb, sb.proc.max_rss_kb())
        used_mb = math.ceil(sb.maxrss_kb / 1024)
        status = "success" if kind == "response" else "error"
        platform_status = ""
        if kind == "timeout":
            status = "timeout"
            stamp = _utc_stamp()
            self._platform_line(
                f"{stamp} {rid} Task timed out after {cfg.timeout_s:.2f} seconds", inv
            )
            platform_status = "Status: timeout\t"
        elif kind == "exit":
            self._platform_line(
                f"RequestId: {rid} Error: {err.exit_reason(outcome.returncode)}", inv
            )
            self._platform_line("Runtime.ExitError", inv)
            platform_status = "Status: error\tError Type: Runtime.ExitError\t"
        elif kind == "entrypoint":
            self._platform_line(f"RequestId: {rid} Error: {outcome.detail}", inv)
            self._platform_line("Runtime.InvalidEntrypoint", inv)
            platform_status = "Status: error\tError Type: Runtime.InvalidEntrypoint\t"
        elif kind == "init":
            platform_status = f"Status: error\tError Type: {outcome.error_type}\t"
        billed = math.ceil(duration_ms + (init_ms or 0.0))  # provided.* bills init too
        line = (
            f"REPORT RequestId: {rid}\tDuration: {duration_ms:.2f} ms\t"
            f"Billed Duration: {billed} ms\tMemory Size: {cfg.memory_mb} MB\t"
            f"Max Memory Used: {used_mb} MB\t"
        )
        if init_ms is not None:
            line += f"Init Duration: {init_ms:.2f} ms\t"
        line += platform_status
        self._platform_line(f"END RequestId: {rid}", inv)
        self._platform_line(line, inv)
        report = Report(
            request_id=rid,
            duration_ms=round(duration_ms, 2),
            billed_duration_ms=billed,
            memory_size_mb=cfg.memory_mb,
            max_memory_used_mb=used_mb,
            init_duration_ms=None if init_ms is None else round(init_ms, 2),
            status=status,
            error_type=None if kind == "response" else outcome.error_type,
            line=line,
        )
        self.reports.append(report)
        if self.on_report is not None:
            self.on_report(report)
