"""``build.scan_cache``: the import scan's answer is reused only while no import changed.

Real scans (``stdlib_scan.py`` run by this interpreter, as ``compile`` runs it) over a small
project in a temporary folder; ``sqlite3`` is the probe: while nothing imports it, its
extension module ``_sqlite3`` is in the answer (left out of the build), and the moment a
module imports it, the answer must change.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from native_lambda.handler_ref import HandlerRef
from native_lambda_toolchain.build import compile as nl_compile
from native_lambda_toolchain.build import scan_cache


class Scanner:
    """Runs the real scan through the cache and counts the real runs."""

    def __init__(self, project: Path, work: Path) -> None:
        self.runs = 0
        self.req = nl_compile.CompileRequest(
            handler=HandlerRef.parse("app.handler"), project_dir=project, work_dir=work
        )
        self.entry = work / "bootstrap.py"
        self.entry.write_text("import app\n")
        self.env = dict(os.environ, PYTHONPATH=str(project))

    def answer(self, roots: tuple[str, ...] = ()) -> list[str]:
        def run() -> list[str]:
            self.runs += 1
            return nl_compile.unused_stdlib_extensions(self.req, self.entry, self.env)

        self.req.include_modules = roots
        inputs = scan_cache.scan_inputs(
            self.req.python, self.req.roots, (), self.env["PYTHONPATH"], self.entry
        )
        return scan_cache.cached(
            self.req.work_dir, self.req.work_dir / "stdlib-scan.json", inputs, run
        )


@pytest.fixture
def scanner(tmp_path: Path) -> Scanner:
    project, work = tmp_path / "project", tmp_path / "work"
    project.mkdir()
    work.mkdir()
    (project / "app.py").write_text("import json\n\n\ndef handler(event, context):\n    return 1\n")
    return Scanner(project, work)


def test_unchanged_imports_reuse_the_answer_until_an_import_changes(scanner: Scanner) -> None:
    first = scanner.answer()
    assert "_sqlite3" in first and scanner.runs == 1
    assert scanner.answer() == first and scanner.runs == 1
    app = scanner.req.project_dir / "app.py"
    app.write_text(app.read_text().replace("return 1", "return 2  # a one-line change"))
    assert scanner.answer() == first and scanner.runs == 1
    app.write_text(app.read_text().replace("    return 2", "    import sqlite3\n    return 2"))
    again = scanner.answer()
    assert scanner.runs == 2
    assert "_sqlite3" not in again


def test_new_module_other_roots_or_a_damaged_cache_scan_again(scanner: Scanner) -> None:
    first = scanner.answer()
    (scanner.req.project_dir / "helpers.py").write_text("import sqlite3\n")
    assert scanner.answer() == first and scanner.runs == 2  # helpers.py is imported by nobody
    assert "_sqlite3" not in scanner.answer(roots=("helpers",))
    assert scanner.runs == 3
    (scanner.req.work_dir / scan_cache.CACHE_NAME).write_text("{not json")
    scanner.answer(roots=("helpers",))
    assert scanner.runs == 4


def test_an_optional_import_reached_only_through_the_left_out_adapter_is_left_out(
    tmp_path: Path,
) -> None:
    """The generated AWS clients reach the httpx adapter, which ``reach`` leaves out; httpx's
    own typing_extensions import must then not keep msgspec's optional typing_extensions (it
    imports ``inspect`` at init)."""
    root = Path(__file__).resolve().parents[2]
    req = nl_compile.CompileRequest(
        handler=HandlerRef.parse("tests.clients.handlers.ddb_to_sqs.handler"),
        project_dir=root,
        work_dir=tmp_path,
    )
    entry = tmp_path / "bootstrap.py"
    entry.write_text("import tests.clients.handlers.ddb_to_sqs\n")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(root), str(root / "src")]))
    excluded, needs = nl_compile.not_followed(req, entry, env)
    assert needs is not None and "native_lambda.aws._httpx" in needs.left_out()
    assert {"native_lambda.aws._httpx", "typing_extensions"} <= set(excluded), excluded
