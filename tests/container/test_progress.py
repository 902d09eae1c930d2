"""The build/pull progress display, fed the engine's chunk shapes (recorded from dockerd)."""

from __future__ import annotations

import io
from typing import Any

from native_lambda_toolchain.container._progress import StreamProgress

BUILD_CHUNKS: list[dict[str, Any]] = [
    {"stream": "Step 1/3 : FROM native-lambda/bullseye-base\n"},
    {"stream": " ---> 671b2d4a502a\n"},
    {"stream": "Step 2/3 : RUN apt-get update\n"},
    {"stream": " ---> Running in 40fbcf3856e9\n"},
    {"stream": "Get:1 http://deb.debian.org/debian bullseye InRelease [116 kB]\nFetched 8"},
    {"stream": "301 kB in 2s\n"},
    {"aux": {"ID": "sha256:cb89dba8e413"}},
    {
        "error": "The command '/bin/sh -c x' returned a non-zero code: 1",
        "errorDetail": {"message": "The command '/bin/sh -c x' returned a non-zero code: 1"},
    },
]
PULL_CHUNKS: list[dict[str, Any]] = [
    {"status": "Pulling from amazonlinux/amazonlinux", "id": "2023"},
    {
        "status": "Downloading",
        "id": "a1",
        "progressDetail": {"current": 5_000_000, "total": 50_000_000},
    },
    {
        "status": "Downloading",
        "id": "a1",
        "progressDetail": {"current": 50_000_000, "total": 50_000_000},
    },
    {"status": "Pull complete", "id": "a1"},
    {"status": "Digest: sha256:abc"},
]


def test_log_mode_keeps_every_line_under_its_step() -> None:
    out = io.StringIO()
    progress = StreamProgress("base image", out, tty=False)
    for chunk in BUILD_CHUNKS:
        progress.feed(chunk)
    progress.close()
    text = out.getvalue()
    assert "step 1/3: FROM native-lambda/bullseye-base" in text
    assert "step 2/3: RUN apt-get update" in text
    # a line split across two chunks comes out whole
    assert "    Fetched 8301 kB in 2s" in text
    assert progress.image_id == "sha256:cb89dba8e413"
    assert progress.error and "non-zero code: 1" in progress.error
    assert "non-zero code" in progress.last_lines()
    assert "\r" not in text  # nothing redrawn in a log


def test_terminal_mode_redraws_one_status_line() -> None:
    out = io.StringIO()
    progress = StreamProgress("pull", out, tty=True)
    for chunk in PULL_CHUNKS:
        progress.feed(chunk)
    progress.close()
    text = out.getvalue()
    assert "\r\x1b[2K" in text
    assert "1/1 layers, 50/50 MB downloaded" in text
    assert "Digest: sha256:abc" in text
    assert progress.error is None
