"""The container-rebuild bench's pieces, run for real (the timed race is the script itself).

The docker test rebuilds with this machine's warm caches (not the bench's empty ones, to stay
at about a minute) after changing the greeting to a word no earlier build can have produced,
then runs the artifacts in the sandbox behind the emulator: the rebuilt bootstrap must answer
with that word, or the incremental build shipped stale code.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from scripts.bench import container_rebuild as bench

REPO = Path(__file__).resolve().parents[2]


def _run_handler(project: Path, name: str) -> str:
    """The copied project's handler, imported and called by a real Python process."""
    code = (
        "import json, sys\n"
        "from native_lambda import Context\n"
        "from examples.greeting import Greeting, handler\n"
        "reply = handler(Greeting(name=sys.argv[1]), Context('req-1'))\n"
        "print(json.dumps({'message': reply.message}))\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(project / "src"), str(project)])}
    proc = subprocess.run(
        [sys.executable, "-c", code, name],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return str(json.loads(proc.stdout)["message"])


def test_one_line_change_changes_the_reply_and_only_one_line(tmp_path: Path) -> None:
    project = bench.make_project(tmp_path / "project")
    before = (project / "examples" / "greeting.py").read_text().splitlines()
    assert _run_handler(project, "World") == "Hello, World!"

    bench.change_greeting(project, "Howdy")

    after = (project / "examples" / "greeting.py").read_text().splitlines()
    assert len(after) == len(before)
    assert sum(a != b for a, b in zip(before, after)) == 1
    assert _run_handler(project, "World") == "Howdy, World!"
    # the repository's own example is untouched
    assert 'f"Hello, {event.name}!"' in (REPO / "examples" / "greeting.py").read_text()
    with pytest.raises(bench.BenchError):
        bench.change_greeting(project, "Again")  # the line is gone: say so, don't no-op


@pytest.mark.docker
@pytest.mark.bullseye
@pytest.mark.compile
@pytest.mark.root
def test_warm_rebuild_ships_the_changed_handler(tmp_path: Path) -> None:
    word = "Hi" + uuid.uuid4().hex[:10]
    bench.ensure_base(bench.DEFAULT_BASE_IMAGE, bench.DEFAULT_PYTHON)
    project = bench.make_project(tmp_path / "project")
    bench.change_greeting(project, word)

    timing = bench.build(
        "smoke",
        project,
        tmp_path / "dist",
        base_image=bench.DEFAULT_BASE_IMAGE,
        python_version=bench.DEFAULT_PYTHON,
        cache_dir=None,  # this machine's warm caches
        log_dir=tmp_path / "logs",
    )

    assert bench.greet(tmp_path / "dist", "World") == f"{word}, World!"
    # the CLI's own timing line was found and parsed
    assert timing.compile_s is not None and timing.total_s is not None
    assert timing.base_image_s is not None and timing.base_image_s < timing.total_s
    assert 0 < timing.total_s <= timing.wall_s
