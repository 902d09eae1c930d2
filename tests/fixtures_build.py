"""Build fixtures: the example compiled once per test session, for every test folder.

``built_example`` builds ``examples.greeting.handler`` (with the start-up probe compiled in
beside it) for ``--target host`` into the session's
temporary directory (minutes with a cold ccache, about a minute warm) and hands out the paths.
Tests that use it must be marked ``compile`` (they are skipped where Nuitka is missing).

``NATIVE_LAMBDA_TEST_DIST=DIR`` reuses artifacts built earlier (``native-lambda build --target
host --out DIR``) instead of compiling: handy when iterating on tests, never set in CI.

``NATIVE_LAMBDA_TEST_BUILD_PYTHON=X.Y`` makes the same build with another Python
(``tests/build_python.py``: 3.9 in the bullseye container, others in a pyenv venv); the
build's Python is then ``Built.python``. ``nox -s compiled -- X.Y`` runs the compiled suite so.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE_HANDLER = "examples.greeting.handler"
#: Compiled into the example build too: ``_HANDLER`` selects it (tests/build/test_startup_tuning)
TUNING_PROBE = "tests.build.handlers.tuning_probe.handler"
#: Compiled in for tests/streaming and tests/concurrency (selected by ``_HANDLER``)
STREAMING_AND_CONCURRENCY = tuple(
    [
        f"tests.streaming.handlers.stream_fns.{name}"
        for name in ("five", "text", "big", "fails", "fails_first", "agen", "writer", "http")
    ]
    + [f"tests.concurrency.handlers.conc_fns.{n}" for n in ("sleepy", "async_sleepy", "loaded")]
    + [f"tests.concurrency.handlers.conc_graceful.{n}" for n in ("handler", "async_handler")]
)
#: Compiled in for tests/clients: generated DynamoDB and SQS clients on moto
CLIENTS_HANDLER = "tests.clients.handlers.ddb_to_sqs.handler"


@dataclass
class Built:
    """Artifacts of one build; ``result`` is the pipeline's BuildResult (None when reused)."""

    dist_dir: Path
    function_zip: Path
    layer_zip: Path
    log: Path
    info: Path
    work_dir: Optional[Path]
    result: Any = None
    #: the progress lines the build printed (empty when reused)
    output: list[str] = field(default_factory=list)
    #: ``X.Y`` of the Python the bootstrap embeds (the build record's)
    python: str = "{}.{}".format(*sys.version_info[:2])


def build_artifacts(
    out_dir: Path,
    work_dir: Path,
    handler: str = EXAMPLE_HANDLER,
    *,
    handlers: tuple[str, ...] = (),
    include_modules: tuple[str, ...] = (),
    exclude_modules: tuple[str, ...] = (),
    target: str = "host",
) -> Built:
    """Run the real build (Nuitka, patchelf, zips) for ``handler`` from this repository;
    ``handlers`` are compiled in too, for ``_HANDLER`` to select."""
    from native_lambda.handler_ref import HandlerRef
    from native_lambda_toolchain.build.config import BuildConfig
    from native_lambda_toolchain.build.pipeline import BuildRequest, build

    config = BuildConfig(
        project_dir=ROOT,
        handler=HandlerRef.parse(handler),
        handlers=tuple(HandlerRef.parse(h) for h in handlers),
        include_modules=include_modules,
        exclude_modules=exclude_modules,
    )
    output: list[str] = []

    def progress(line: str) -> None:
        output.append(line)
        print(line, flush=True)

    result = build(
        BuildRequest(
            config=config, target=target, out_dir=out_dir, work_dir=work_dir, progress=progress
        )
    )
    return Built(
        dist_dir=out_dir,
        function_zip=result.function_zip,
        layer_zip=result.layer_zip,
        log=result.log,
        info=result.info,
        work_dir=work_dir,
        result=result,
        output=output,
    )


def _reused(dist: Path, work_dir: Optional[Path] = None) -> Built:
    """Artifacts built elsewhere (earlier, or by another Python): no BuildResult."""
    from native_lambda_toolchain import dist as contract

    record = contract.read_record(dist)
    built = Built(
        dist_dir=dist,
        function_zip=dist / contract.FUNCTION_ZIP,
        layer_zip=dist / contract.LAYER_ZIP,
        log=dist / contract.BUILD_LOG,
        info=dist / contract.RECORD,
        work_dir=work_dir,
    )
    if record is not None:
        built.python = record.python_version
    return built


def _other_python(version: str, base: Path, handlers: tuple[str, ...]) -> Built:
    """The shared build made by Nuitka under ``version`` (``tests/build_python.py``)."""
    import build_python

    if version == build_python.CONTAINER_PYTHON:
        build_python.build_in_container(base, base / "dist", base / "work", handlers)
        return _reused(base / "dist", base / "work")
    build_python.build_in_venv(version, base / "dist", base / "work", handlers)
    return _reused(base / "dist", base / "work")


@pytest.fixture(scope="session")
def built_example(tmp_path_factory: pytest.TempPathFactory) -> Built:
    """The example built once per session for the host target (dist dir, zips, log)."""
    reuse = os.environ.get("NATIVE_LAMBDA_TEST_DIST")
    if reuse and os.environ.get("CI") != "true":
        work = Path(reuse).parent / "work"  # a session build's own folder, when it is one
        return _reused(Path(reuse), work if work.is_dir() else None)
    import build_python

    base = tmp_path_factory.mktemp("built-example")
    handlers = (TUNING_PROBE, *STREAMING_AND_CONCURRENCY, CLIENTS_HANDLER)
    version = build_python.requested()
    if version is not None:
        built = _other_python(version, base, (EXAMPLE_HANDLER, *handlers))
        assert built.python == version, (built.python, version)
        return built
    return build_artifacts(base / "dist", base / "work", handlers=handlers)
