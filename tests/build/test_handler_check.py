"""The handler is checked before compiling: found, parsed, and naming a top-level object.

Each broken handler fails ``native-lambda build --target host`` within seconds, with exit 1,
the error type the runtime would report, the file (and line), the ``--handler`` hint, and no
Nuitka run (no work folder).
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from native_lambda.handler_ref import HandlerRef
from native_lambda_toolchain.build.handler_check import check_handler, top_level_names
from native_lambda_toolchain.errors import BuildError

ROOT = Path(__file__).resolve().parents[2]


def build(handler: str, project: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    start = time.monotonic()
    proc = subprocess.run(
        [
            *(sys.executable, "-m", "native_lambda_toolchain", "build", "--target", "host"),
            *("--handler", handler, "--project", str(project)),
            *("--out", str(tmp_path / "dist"), "--work-dir", str(tmp_path / "work")),
        ],
        capture_output=True,
        text=True,
        cwd=project,
        timeout=120,
    )
    assert time.monotonic() - start < 60, "the check must fail before compiling"
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr and "--handler" in proc.stderr, proc.stderr
    assert not (tmp_path / "work" / "nuitka").exists(), "Nuitka ran"
    assert not (tmp_path / "dist").exists()
    return proc


@pytest.fixture
def project(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    (root / "src" / "app").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "demo"\n')
    (root / "src" / "app" / "__init__.py").write_text("")
    (root / "src" / "app" / "broken.py").write_text("def handler(event, context):\n    return (\n")
    (root / "src" / "app" / "ok.py").write_text(
        textwrap.dedent(
            """\
            import json as handler_json
            from functools import partial

            try:
                from fast import fn as aliased
            except ImportError:
                aliased = None

            async def async_handler(event, context):
                return event

            def handler(event, context):
                return event

            wrapped = partial(handler)
            """
        )
    )
    return root


def test_syntax_error(project: Path, tmp_path: Path) -> None:
    proc = build("app.broken.handler", project, tmp_path / "b")
    assert "Runtime.UserCodeSyntaxError" in proc.stderr
    assert f"{project / 'src' / 'app' / 'broken.py'}:" in proc.stderr


def test_misspelled_function(tmp_path: Path) -> None:
    proc = build("examples.greeting.handlr", ROOT, tmp_path)
    assert "Runtime.HandlerNotFound" in proc.stderr and "'handlr'" in proc.stderr
    assert str(ROOT / "examples" / "greeting.py") in proc.stderr
    assert "did you mean 'handler'" in proc.stderr


def test_missing_module(project: Path, tmp_path: Path) -> None:
    proc = build("app.nope.handler", project, tmp_path)
    assert "Runtime.ImportModuleError" in proc.stderr and "app.nope" in proc.stderr


def test_top_level_names_of_every_kind(project: Path) -> None:
    import ast

    names = top_level_names(ast.parse((project / "src" / "app" / "ok.py").read_text()))
    for name in ("handler", "async_handler", "wrapped", "aliased", "handler_json", "partial"):
        assert name in names
    search = [str(project), str(project / "src")]
    for handler in ("app.ok.handler", "app/ok.async_handler", "app.ok.wrapped", "app.ok.aliased"):
        assert check_handler(HandlerRef.parse(handler), project, search).name == "ok.py"
    with pytest.raises(BuildError, match=r"HandlerNotFound.*'nothing'"):
        check_handler(HandlerRef.parse("app.ok.nothing"), project, search)
    with pytest.raises(BuildError, match=r"ImportModuleError.*not a package"):
        check_handler(HandlerRef.parse("app.ok.inner.fn"), project, search)


def test_namespace_packages_on_several_path_entries(tmp_path: Path) -> None:
    """Folders without ``__init__.py`` (like tests/ here), split over two path entries, found
    without importing anything (nothing of them is in ``sys.modules``)."""
    first, second = tmp_path / "one", tmp_path / "two"
    (first / "nsdemo" / "inner").mkdir(parents=True)
    (second / "nsdemo" / "other").mkdir(parents=True)
    (second / "nsdemo" / "other" / "fn.py").write_text("def handler(e, c):\n    return e\n")
    assert "nsdemo" not in sys.modules
    found = check_handler(
        HandlerRef.parse("nsdemo/other/fn.handler"), tmp_path, [str(first), str(second)]
    )
    assert found == second / "nsdemo" / "other" / "fn.py"
    with pytest.raises(BuildError, match=r"No module named 'nsdemo.inner.fn'"):
        check_handler(HandlerRef.parse("nsdemo.inner.fn.handler"), tmp_path, [str(first)])
