"""Fixtures for the runtime tests: the independent Runtime API with the runtime under it."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from independent_api import IndependentApi

HANDLERS = Path(__file__).parent / "handlers"


@pytest.fixture
def api(tmp_path: Path) -> Iterator[IndependentApi]:
    with IndependentApi() as server:
        yield server


@pytest.fixture
def serve(api: IndependentApi, tmp_path: Path):
    """``serve("fns.typed", **env)``: start the runtime on a handler from handlers/."""

    def start(handler: str | None, **env: str) -> IndependentApi:
        env.setdefault("LAMBDA_TASK_ROOT", str(HANDLERS))
        api.start_runtime(handler, env=env, tmp_path=tmp_path)
        return api

    return start
