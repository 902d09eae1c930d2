"""Import hygiene and Python 3.9: the package imports nothing until asked, and the events
tests pass on the oldest Python the runtime supports."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from tests.events.support import REPO

import native_lambda.events as events
import py39

SRC = str(REPO / "src")


def _python(code: str, python: str = sys.executable) -> str:
    env = dict(os.environ, PYTHONPATH=SRC)
    return subprocess.run(
        [python, "-c", code], capture_output=True, text=True, check=True, env=env
    ).stdout


def test_package_import_loads_no_event_module() -> None:
    out = _python(
        "import sys, native_lambda.events\n"
        "print(sorted(m for m in sys.modules if m.startswith('native_lambda.')))\n"
        "from native_lambda.events import SQSEvent\n"
        "print(sorted(m for m in sys.modules if m.startswith('native_lambda.')))\n"
    )
    before, after = out.splitlines()
    assert before == "['native_lambda.events']"
    assert (
        after
        == "['native_lambda.events', 'native_lambda.events._base', 'native_lambda.events.sqs']"
    )


def test_lazy_names_are_the_modules_own() -> None:
    import importlib

    for name, module in events._MODULE_OF.items():
        loaded = importlib.import_module(f"native_lambda.events.{module}")
        assert getattr(events, name) is getattr(loaded, name), name
    with pytest.raises(AttributeError):
        events.NoSuchEvent  # noqa: B018


@py39.requires
def test_events_tests_pass_on_python39() -> None:
    """Struct annotations are evaluated by msgspec at runtime: no ``X | Y``, no 3.10 APIs.

    The interpreter is a local python3.9 or, on hosts without one (CI), Python 3.9 in a
    bullseye container (tests/py39.py).
    """
    python = py39.interpreter()
    version = _python("import sys; print(sys.version_info[:2])", python)
    assert version.strip() == "(3, 9)"
    here = os.path.dirname(__file__)
    result = subprocess.run(
        [
            python,
            "-m",
            "pytest",
            "-q",
            "--noconftest",
            "-p",
            "no:cacheprovider",
            "-o",
            "addopts=--import-mode=importlib",
            here,
            # these two need the toolchain (emulator, Nuitka), which runs on the host only
            f"--ignore={os.path.join(here, 'test_events_e2e.py')}",
            f"--ignore={os.path.join(here, 'test_events_compiled.py')}",
            f"--ignore={__file__}",
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
        env=dict(os.environ, PYTHONPATH=os.pathsep.join([SRC, str(REPO)])),
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert " passed" in result.stdout and "failed" not in result.stdout
