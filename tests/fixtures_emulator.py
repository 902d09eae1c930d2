"""Emulator fixtures shared by all test folders.

``emulator_factory`` makes started :class:`Emulator` instances and stops every one of them
at teardown, even when a test fails half-way::

    def test_greeting(emulator_factory):
        emu = emulator_factory([sys.executable, "-m", "native_lambda", "examples.greeting.handler"])
        assert emu.invoke(b'{"name": "x"}').status == 200
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import Any

import pytest

from native_lambda_toolchain.emulator import Emulator

EmulatorFactory = Callable[..., Emulator]


@pytest.fixture
def emulator_factory() -> Iterator[EmulatorFactory]:
    """``make(command, **kwargs) -> Emulator`` (already started; stopped at teardown)."""
    made: list[Emulator] = []

    def make(command: Sequence[str] | None, **kwargs: Any) -> Emulator:
        emulator = Emulator(command, **kwargs)
        made.append(emulator)
        return emulator.start()

    yield make
    errors: list[BaseException] = []
    for emulator in reversed(made):
        try:
            emulator.stop()
        except BaseException as exc:  # stop the others anyway
            errors.append(exc)
    if errors:
        raise errors[0]
