"""Fast tests of the build's inputs: handler resolution, the Nuitka command, report checks."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import py39
from native_lambda.handler_ref import HandlerRef
from native_lambda_toolchain.build import compile as nl_compile
from native_lambda_toolchain.build import entry as nl_entry
from native_lambda_toolchain.build import report as nl_report
from native_lambda_toolchain.build.config import (
    BuildConfig,
    _minimal_table,
    load_config,
    read_tool_table,
)
from native_lambda_toolchain.commands import build as build_cmd
from native_lambda_toolchain.errors import BuildError

ROOT = Path(__file__).resolve().parents[2]


def write_project(tmp_path: Path, table: str) -> Path:
    (tmp_path / "pyproject.toml").write_text(
        textwrap.dedent(
            f"""\
            [project]
            name = "demo"

            [tool.native-lambda]
            {table}

            [tool.other]
            handler = "not.this"
            """
        )
    )
    (tmp_path / "sub").mkdir()
    return tmp_path


def test_repo_default_handler_is_the_example() -> None:
    config = load_config(project_dir=ROOT)
    assert config.handler == HandlerRef("examples.greeting", "handler")
    assert config.project_dir == ROOT


def test_cli_handler_wins_over_pyproject(tmp_path: Path) -> None:
    project = write_project(tmp_path, 'handler = "app.main.handler"')
    assert str(load_config(None, project).handler) == "app.main.handler"
    assert str(load_config("other.mod.fn", project).handler) == "other.mod.fn"
    # found from a subdirectory, like git finds its repository
    assert str(load_config(None, project / "sub").handler) == "app.main.handler"


def test_handler_grammar_is_the_runtimes(tmp_path: Path) -> None:
    """``dir/mod.fn`` is Lambda's (and the runtime's) spelling of ``dir.mod.fn``."""
    project = write_project(tmp_path, 'handler = "app/main.handler"\nhandlers = ["b/c.fn"]')
    config = load_config(None, project)
    assert config.handler == HandlerRef("app.main", "handler")
    assert config.handlers == (HandlerRef("b.c", "fn"),)
    assert load_config("src/app.handler", project).handler == HandlerRef("src.app", "handler")


def test_config_travels_to_the_container_as_resolved_json(tmp_path: Path) -> None:
    project = write_project(tmp_path, 'handler = "a.b.fn"\nhandlers = ["c.fn"]')
    config = load_config(None, project)
    again = BuildConfig.from_json(config.to_json(), "test")
    assert again.to_json() == config.to_json()
    assert again.all_handlers == (HandlerRef("a.b", "fn"), HandlerRef("c", "fn"))


def test_missing_handler_is_an_error_that_says_what_to_do(tmp_path: Path) -> None:
    project = write_project(tmp_path, 'include-modules = ["x"]')
    with pytest.raises(BuildError) as err:
        load_config(None, project)
    assert "--handler" in str(err.value) and "[tool.native-lambda]" in str(err.value)


@pytest.mark.parametrize("bad", ["handler", "mod.", ".fn", "mod.fn-x", "1mod.fn"])
def test_malformed_handler_is_rejected(bad: str, tmp_path: Path) -> None:
    with pytest.raises(BuildError, match=r"module\.function"):
        load_config(bad, tmp_path)
    project = write_project(tmp_path, f'handler = "a.fn"\nhandlers = ["{bad}"]')
    with pytest.raises(BuildError, match=r"handlers"):
        load_config(None, project)


def test_minimal_toml_reader_matches_tomllib(tmp_path: Path) -> None:
    """Python 3.9 without tomli reads the table with the fallback: same values."""
    text = textwrap.dedent(
        """\
        [tool.native-lambda]
        handler = "a.b.c"  # trailing comment
        include-modules = ["x.y", 'z']
        exclude-modules = []
        flag = true
        [tool.ruff]
        line-length = 100
        """
    )
    (tmp_path / "pyproject.toml").write_text(text)
    expected = read_tool_table(tmp_path / "pyproject.toml")  # tomllib on 3.11
    assert _minimal_table(text, "tool.native-lambda", tmp_path) == expected
    assert expected["include-modules"] == ["x.y", "z"] and expected["flag"] is True


@py39.requires
def test_build_path_imports_under_python39() -> None:
    """The build container runs the build path under Python 3.9 (no tomllib there)."""
    python39 = py39.interpreter()
    package = ROOT / "toolchain" / "native_lambda_toolchain"
    sources = [*sorted((package / "build").rglob("*.py")), package / "dist.py"]
    sources += [package / "commands" / "build.py", package / "container" / "_run.py"]
    for src in sources:
        subprocess.run([python39, "-m", "py_compile", str(src)], check=True)
    code = (  # the pipeline needs pyelftools, which the container installs (3.9-capable)
        "import native_lambda_toolchain.commands.build, "
        "native_lambda_toolchain.build.compile, native_lambda_toolchain.build.config as c; "
        "print(c.load_config(None, __import__('pathlib').Path('.')).handler)"
    )
    proc = subprocess.run(
        [python39, "-c", code],
        cwd=ROOT,
        env={
            "PYTHONPATH": f"{ROOT / 'toolchain'}:{ROOT / 'src'}",
            "PATH": os.environ["PATH"],
        },
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "examples.greeting.handler"


def run_entry(src: str, env_handler: str | None) -> str:
    """Run the generated entry with a stand-in ``run_handler_string``; what it was given."""
    served: list[str] = []
    fake = type(sys)("native_lambda")
    fake.run_handler_string = served.append  # type: ignore[attr-defined]
    saved = sys.modules.get("native_lambda")
    old = os.environ.pop("_HANDLER", None)
    try:
        sys.modules["native_lambda"] = fake
        if env_handler is not None:
            os.environ["_HANDLER"] = env_handler
        exec(compile(src, "bootstrap.py", "exec"), {"__name__": "__main__"})
    finally:
        sys.modules["native_lambda"] = saved  # type: ignore[assignment]
        os.environ.pop("_HANDLER", None)
        if old is not None:
            os.environ["_HANDLER"] = old
    return served[0]


def test_entry_serves_the_handler_that_handler_env_selects() -> None:
    src = nl_entry.entry_source("examples.greeting.handler", ["b.mod.fn", "a.mod.fn"])
    assert "NATIVE_LAMBDA" not in src
    assert "import examples" not in src  # handler modules load when selected, not all at init
    assert src.index("'a.mod.fn'") < src.index("'b.mod.fn'")  # deterministic
    assert nl_entry.entry_source("x.y.z", ["a.b"]) == nl_entry.entry_source("x.y.z", ["a.b"])
    assert run_entry(src, None) == "examples.greeting.handler"
    assert run_entry(src, "b.mod.fn") == "b.mod.fn"
    assert run_entry(src, "b/mod.fn") == "b.mod.fn"  # Lambda's spelling, one grammar
    # a placeholder or unknown Handler setting serves the built handler, as select() says
    assert run_entry(src, "not.compiled.in") == "examples.greeting.handler"
    assert run_entry(src, "index.handler") == "examples.greeting.handler"


def test_nuitka_command_excludes_toolchain_and_unused_extensions(tmp_path: Path) -> None:
    req = nl_compile.CompileRequest(
        handler=HandlerRef.parse("examples.greeting.handler"),
        handlers=(HandlerRef.parse("tests.build.handlers.graceful.handler"),),
        project_dir=ROOT,
        work_dir=tmp_path,
        exclude_modules=("boto3",),
        include_modules=("extra.mod",),
    )
    cmd = nl_compile.nuitka_command(req, tmp_path / "bootstrap.py", ["_csv"])
    for name in ("examples.greeting", "tests.build.handlers.graceful", "extra.mod"):
        assert f"--include-module={name}" in cmd
    for name in ("nuitka", "native_lambda_toolchain", "docker", "pytest", "zstandard"):
        assert f"--nofollow-import-to={name}" in cmd
    assert "--nofollow-import-to=boto3" in cmd and "--nofollow-import-to=_csv" in cmd
    assert "--mode=standalone" in cmd and f"--output-filename={nl_entry.ENTRY_NAME}" in cmd
    assert any(a.startswith("--python-flag=") and "no_site" in a for a in cmd)
    assert cmd[-1].endswith("bootstrap.py")


def test_stdlib_scan_keeps_what_the_handlers_import(tmp_path: Path) -> None:
    """The import scan (a script run by the build interpreter) starts from every handler
    module compiled in, namespace packages too."""
    pkg = tmp_path / "nspkg"  # no __init__.py: a namespace package like examples/ may be
    pkg.mkdir()
    (pkg / "fn.py").write_text("import csv\n\ndef handler(e, c):\n    return e\n")
    (pkg / "other.py").write_text("import bz2\n\ndef handler(e, c):\n    return e\n")
    req = nl_compile.CompileRequest(
        handler=HandlerRef.parse("nspkg.fn.handler"),
        handlers=(HandlerRef.parse("nspkg/other.handler"),),
        project_dir=tmp_path,
        work_dir=tmp_path / "w",
        progress=None,
    )
    entry = nl_entry.write_entry(req.work_dir, str(req.handler), [str(req.handlers[0])])
    excluded = nl_compile.unused_stdlib_extensions(req, entry, nl_compile.build_env(req))
    assert excluded, "the scan found nothing to exclude"
    assert "_csv" not in excluded and "_bz2" not in excluded  # the handlers import them
    assert "_sqlite3" in excluded or "_curses" in excluded  # nothing imports these


REPORT = """<?xml version='1.0' encoding='utf8'?>
<nuitka-compilation-report>
  <module name="__main__" kind="PythonMainModule" reason="Root module">
    <module_usages>
      <module_usage name="app" reason="import" />
      <module_usage name="_csv" reason="stdlib" />
    </module_usages>
  </module>
  <module name="app" kind="CompiledPythonModule" reason="Instructed by user to follow">
    <module_usages><module_usage name="_json" reason="import" /></module_usages>
  </module>
  <module name="_json" kind="PythonExtensionModule" reason="used extension module" />
  <module name="_csv" kind="PythonExtensionModule" reason="Including as part of stdlib" />
  <module name="zlib" kind="PythonExtensionModule"
          reason="Technically required for CPython library startup." />
  {extra}
</nuitka-compilation-report>
"""


def test_report_check_flags_unreachable_extensions_and_forbidden_modules(
    tmp_path: Path,
) -> None:
    path = tmp_path / "r.xml"
    path.write_text(REPORT.format(extra=""))
    report = nl_report.read_report(path)
    assert nl_report.unreachable_extensions(report) == ["_csv"]
    assert nl_report.check_report(report) == ["extension modules nothing imports (removed): _csv"]
    # a module compiled in by name (a handler) is a root: what it imports stays
    report.modules["handler2"] = "CompiledPythonModule"
    report.usages["handler2"] = {"_csv"}
    assert nl_report.unreachable_extensions(report, ["handler2"]) == []
    path.write_text(
        REPORT.format(extra='<module name="docker.api" kind="UncompiledPythonModule" />')
    )
    with pytest.raises(BuildError, match=r"docker\.api"):
        nl_report.check_report(nl_report.read_report(path))


def test_target_choice_without_docker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(build_cmd, "_engine_reachable", lambda: False)

    def choose(**kw: object) -> tuple[str, bool]:
        ns = argparse.Namespace(target=None, no_docker=False)
        ns.__dict__.update(kw)
        return build_cmd.choose(ns)

    assert choose() == ("host", False)
    assert choose(target="al2023") == ("al2023", True)  # the container stage says: no engine
    assert choose(target="al2023", no_docker=True) == ("al2023", False)
    monkeypatch.setattr(build_cmd, "_engine_reachable", lambda: True)
    assert choose() == ("al2023", True)
    assert choose(target="al2") == ("al2", True)
    assert choose(target="al2023", no_docker=True) == ("al2023", False)
    assert choose(target="host") == ("host", False)


def test_build_cli_rejects_unknown_target() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "native_lambda_toolchain", "build", "--target", "al1"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 2 and "invalid choice" in proc.stderr
