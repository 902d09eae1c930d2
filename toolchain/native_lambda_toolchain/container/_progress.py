"""Show an image build or pull as it streams from the engine.

On a terminal: one line per Dockerfile step, with the step's latest output line and the
pull's layer/byte totals redrawn in place. Elsewhere (CI logs): every output line,
indented under its step, and one line per finished layer, so a failed build can be read
from the log. Either way the last lines are kept for the error message.
"""

from __future__ import annotations

import collections
import re
import shutil
import sys
import time
from typing import Any, Deque, Dict, Mapping, Optional, TextIO, Tuple

_STEP = re.compile(r"^Step (\d+)/(\d+) : (.*)$")
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class StreamProgress:
    """Consume the engine's decoded JSON chunks (``stream``/``status``/``error``/``aux``)."""

    def __init__(
        self, title: str, out: Optional[TextIO] = None, tty: Optional[bool] = None
    ) -> None:
        self.title = title
        self.out = out or sys.stderr
        self.tty = self.out.isatty() if tty is None else tty
        self.start = time.monotonic()
        self.tail: Deque[str] = collections.deque(maxlen=30)
        self.error: Optional[str] = None
        self.image_id: Optional[str] = None
        self._partial = ""
        self._layers: Dict[str, Tuple[int, int]] = {}
        self._done_layers: set = set()
        self._transient = False
        self._step = ""

    # -- engine chunks -------------------------------------------------------------------
    def feed(self, chunk: Mapping[str, Any]) -> None:
        if "error" in chunk:
            detail = chunk.get("errorDetail") or {}
            self.error = str(detail.get("message") or chunk["error"]).strip()
            self._line(f"error: {self.error}", keep=True)
        if "stream" in chunk:
            self._text(str(chunk["stream"]))
        if "status" in chunk:
            self._status(chunk)
        aux = chunk.get("aux")
        if isinstance(aux, dict) and aux.get("ID"):
            self.image_id = str(aux["ID"])

    def close(self) -> None:
        if self._partial:
            self._output(self._partial)
            self._partial = ""
        self._clear()

    def elapsed(self) -> float:
        return time.monotonic() - self.start

    # -- build output --------------------------------------------------------------------
    def _text(self, text: str) -> None:
        text = self._partial + _ANSI.sub("", text)
        *lines, self._partial = text.split("\n")
        for line in lines:
            self._output(line.rstrip("\r"))

    def _output(self, line: str) -> None:
        line = line.split("\r")[-1].rstrip()
        if not line:
            return
        step = _STEP.match(line)
        if step:
            self._step = f"step {step.group(1)}/{step.group(2)}"
            self._line(f"{self._step}: {step.group(3)}", keep=True)
            return
        self.tail.append(line)
        if self.tty:
            self._redraw(line)
        else:
            self._line("    " + line)

    # -- pull progress -------------------------------------------------------------------
    def _status(self, chunk: Mapping[str, Any]) -> None:
        status = str(chunk.get("status", ""))
        layer = chunk.get("id")
        detail = chunk.get("progressDetail") or {}
        if layer and detail.get("total"):
            self._layers[str(layer)] = (int(detail.get("current", 0)), int(detail["total"]))
        if layer and status in ("Pull complete", "Already exists"):
            self._done_layers.add(str(layer))
            if not self.tty:
                self._line(f"    layer {layer}: {status.lower()}")
        elif not layer and status:
            self._line(f"    {status}", keep=True)
        if self.tty and layer:
            now = sum(c for c, _ in self._layers.values()) / 1e6
            total = sum(t for _, t in self._layers.values()) / 1e6
            known = len(set(self._layers) | self._done_layers)
            self._redraw(
                f"{len(self._done_layers)}/{known} layers, {now:.0f}/{total:.0f} MB downloaded"
            )

    # -- drawing -------------------------------------------------------------------------
    def _stamp(self) -> str:
        return f"[{self.title} {self.elapsed():5.0f}s]"

    def _line(self, text: str, keep: bool = False) -> None:
        self._clear()
        if keep:
            self.tail.append(text)
        self.out.write(f"{self._stamp()} {text}\n")
        self.out.flush()

    def _redraw(self, text: str) -> None:
        width = shutil.get_terminal_size((100, 20)).columns
        line = f"{self._stamp()} {self._step + ' ' if self._step else ''}| {text}"
        self.out.write("\r\x1b[2K" + line[: max(20, width - 1)])
        self.out.flush()
        self._transient = True

    def _clear(self) -> None:
        if self._transient:
            self.out.write("\r\x1b[2K")
            self._transient = False

    def last_lines(self, count: int = 15) -> str:
        return "\n    ".join(list(self.tail)[-count:])
