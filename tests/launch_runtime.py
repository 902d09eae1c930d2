"""Start a handler under the emulator on CPython (``python -m native_lambda``) or compiled
(the shared session build's bootstrap, the handler selected by ``_HANDLER``).

Used by tests/streaming and tests/concurrency through the ``launch`` fixture below (a plugin
of tests/conftest.py), parametrized over both runtimes; the compiled one carries ``compile``."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any, Callable

import pytest

ROOT = Path(__file__).resolve().parents[1]
RUNTIMES = ["cpython", pytest.param("compiled", marks=pytest.mark.compile)]


def runtime_command(
    kind: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[list[str], dict[str, str], str]:
    """(command, environment, working directory) for ``kind``."""
    python = os.environ.get("NATIVE_LAMBDA_TEST_PYTHON") or sys.executable
    if kind == "cpython":
        env = {"LAMBDA_TASK_ROOT": str(ROOT), "PYTHONPATH": str(ROOT / "src")}
        return [python, "-m", "native_lambda"], env, str(ROOT)
    from artifacts import unpack

    built = request.getfixturevalue("built_example")
    base = tmp_path_factory.getbasetemp() / "compiled-runtime"
    task, opt = base / "task", base / "opt"
    if not (task / "bootstrap").exists():
        unpack(built.function_zip, task)
        unpack(built.layer_zip, opt)
    env = {
        "LD_LIBRARY_PATH": f"{opt / 'lib'}:{task}",
        "LAMBDA_TASK_ROOT": str(task),
        "PYTHONPATH": "",
    }
    return [str(task / "bootstrap")], env, str(task)


def launcher(
    kind: str,
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    emulator_factory: Callable[..., Any],
) -> Callable[..., Any]:
    command, base_env, cwd = runtime_command(kind, request, tmp_path_factory)

    def launch(handler: str, **kwargs: Any) -> Any:
        env = dict(base_env, _HANDLER=handler, **kwargs.pop("env", {}))
        emu = emulator_factory(command, env=env, cwd=cwd, **kwargs)
        assert emu.wait_ready(60), emu.logs()
        return emu

    return launch


@pytest.fixture(params=RUNTIMES)
def launch(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    emulator_factory: Callable[..., Any],
) -> Callable[..., Any]:
    """``launch(handler)``: a handler under the emulator, on CPython and compiled."""
    return launcher(request.param, request, tmp_path_factory, emulator_factory)
