"""Run Nuitka: everything to a log file, the phases and warnings to the progress sink."""

from __future__ import annotations

import queue
import subprocess
import threading
import time
from pathlib import Path
from typing import Dict, List, Optional

from ..errors import BuildError
from .progress import Progress, say

#: Output lines that start a phase -> what we tell the user.
PHASES = (
    ("Starting Python compilation", "analysing imports and optimising Python"),
    ("Completed Python level compilation", "Python level done"),
    ("Generating source code for C backend", "generating C code"),
    ("Running data composer", "packing constants"),
    ("Running C compilation via Scons", "compiling C (ccache)"),
    ("Backend C linking", "linking"),
    ("Copying", "collecting extension modules and libraries"),
    ("Successfully created", "done"),
)


def run_nuitka(
    cmd: List[str], env: Dict[str, str], *, cwd: Path, log_path: Path, progress: Progress
) -> float:
    """Run ``cmd``, log everything to ``log_path``, show phases and elapsed seconds."""
    start = time.monotonic()
    lines: queue.Queue[Optional[str]] = queue.Queue()
    with open(log_path, "w", encoding="utf-8") as log:
        log.write("$ " + " ".join(cmd) + "\n")
        log.flush()
        proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=str(cwd),
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        assert proc.stdout is not None

        def pump() -> None:
            assert proc.stdout is not None
            for line in proc.stdout:
                lines.put(line)
            lines.put(None)

        threading.Thread(target=pump, daemon=True).start()
        phase, last_shown = "starting Nuitka", start
        tail: List[str] = []
        while True:
            try:
                line = lines.get(timeout=1.0)
            except queue.Empty:
                line = ""
            now = time.monotonic()
            if line is None:
                break
            if line:
                log.write(line)
                log.flush()
                tail = [*tail, line.rstrip()][-40:]
                for marker, name in PHASES:
                    if marker in line and name != phase:
                        phase, last_shown = name, now
                        say(progress, f"  [{now - start:6.1f}s] {phase}")
                        break
                if "WARNING" in line or "FATAL" in line or ":ERROR" in line:
                    say(progress, f"  [{now - start:6.1f}s] {line.rstrip()}")
            if now - last_shown >= 15:
                last_shown = now
                say(progress, f"  [{now - start:6.1f}s] still {phase} ...")
        code = proc.wait()
    elapsed = time.monotonic() - start
    if code != 0:
        shown = "\n    ".join(tail[-25:])
        raise BuildError(
            f"Nuitka failed (exit {code}) after {elapsed:.0f}s; last lines:\n    {shown}",
            hint=f"full log: {log_path}",
        )
    return elapsed
