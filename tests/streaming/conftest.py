"""``launch(handler)``: a streaming handler under the emulator, on CPython and compiled."""

from __future__ import annotations

from typing import Any, Callable

import pytest

from launch_runtime import RUNTIMES, launcher


@pytest.fixture(params=RUNTIMES)
def launch(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    emulator_factory: Callable[..., Any],
) -> Callable[..., Any]:
    return launcher(request.param, request, tmp_path_factory, emulator_factory)
