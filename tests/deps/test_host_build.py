"""``--target host`` with dependencies: the same resolution as the container build, into this
machine's own cache (never the active virtual environment), compiled in, answering in the
sandbox as CPython does with the same installed tree."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from artifacts import sandboxed

pytestmark = [pytest.mark.compile, pytest.mark.root]

#: Pure Python, absent from the test environment: only the dependency stage can provide it.
REQUIREMENT = "tabulate==0.9.0"
HANDLER = """\
from tabulate import tabulate


def handler(event, context):
    return {"table": tabulate(event["rows"], headers=["name", "n"], tablefmt="github")}
"""
EVENT = {"rows": [["orders", 3], ["refunds", 12]]}


def test_host_build_compiles_dependencies_from_its_own_cache(tmp_path: Path) -> None:
    probe = subprocess.run([sys.executable, "-c", "import tabulate"], capture_output=True)
    assert probe.returncode != 0, "tabulate is in the test venv: the test would prove nothing"
    project = tmp_path / "project"
    project.mkdir()
    (project / "app.py").write_text(HANDLER)
    (project / "requirements.txt").write_text(REQUIREMENT + "\n")
    (project / "pyproject.toml").write_text(
        '[project]\nname = "host-deps"\nversion = "0"\n\n'
        '[tool.native-lambda]\nhandler = "app.handler"\n'
    )
    dist = tmp_path / "dist"
    command = ["build", "--target", "host", "--profile", "dev", "--out", str(dist)]
    proc = subprocess.run(
        [sys.executable, "-m", "native_lambda_toolchain", *command],
        cwd=project,
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 0, out[-6000:]
    assert "dependencies: from requirements.txt" in out
    site = re.search(r"(?:into|reused from) (/\S+/site)\b", out)
    assert site, out[-4000:]
    assert str(Path(sys.prefix)) not in site.group(1)  # its own cache, not this venv
    assert "third-party: 1 installed packages compiled in (tabulate)" in out, out[-4000:]
    assert json.loads((dist / "build.json").read_text())["profile"] == "dev"

    expected = subprocess.run(
        [sys.executable, "-c", f"import json,app;print(json.dumps(app.handler({EVENT!r}, None)))"],
        cwd=project,
        env={**os.environ, "PYTHONPATH": site.group(1)},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    with sandboxed(dist / "function.zip", dist / "layer.zip", env={"_HANDLER": "app.handler"}) as (
        _,
        emu,
    ):
        got = emu.invoke(json.dumps(EVENT))
        assert got.status == 200 and got.function_error is None, (got.body, emu.lambda_log())
        assert got.json() == json.loads(expected)
