"""The shipping Python (3.13, the default target's): one lean tuned build of a synchronous
handler, checked for what the start-up tuning and the reach detection promise.

* Only the inspect part of Nuitka's start-up patching is skipped: a compiled ``TypeVar``,
  ``namedtuple``, ``TypedDict``, dataclass and generic ``msgspec.Struct`` still carry their
  module (``sys._getframemodulename`` and ``typing`` patches kept), and ``inspect`` is not
  loaded at init.
* The edit is a regular file in the build folder; Nuitka's installation is untouched.
* A handler with no ``async def`` and no TLS leaves asyncio, ssl, ``_ssl``, ``_hashlib``,
  libssl and libcrypto out of both zips.

Nuitka must run under the Python it compiles for, so this build uses its own 3.13 venv
(``scripts/bench/pyenvs.py``: Nuitka, msgspec from the package index), unlike the shared
session build, which runs on the test venv's Python.
"""

from __future__ import annotations

import json
import os
import subprocess
import zipfile
from pathlib import Path
from typing import Any

import pytest

from artifacts import unpack
from fixtures_build import ROOT

VERSION = "3.13"
HANDLER = "tests.build.handlers.typing_probe.handler"
MODULE = "tests.build.handlers.typing_probe"

BUILD = """
import json, sys
from pathlib import Path
from native_lambda.handler_ref import HandlerRef
from native_lambda_toolchain.build.config import BuildConfig
from native_lambda_toolchain.build.pipeline import BuildRequest, build
root, work = Path(sys.argv[1]), Path(sys.argv[2])
config = BuildConfig(project_dir=root, handler=HandlerRef.parse(sys.argv[3]))
result = build(BuildRequest(config=config, target="host", out_dir=work / "dist",
                            work_dir=work / "build"))
print(json.dumps({"function_zip": str(result.function_zip), "layer_zip": str(result.layer_zip),
                  "python": result.record.python_version}))
"""


def env_python() -> Path:
    from scripts.bench import pyenvs

    try:
        pyenvs.find_interpreter(VERSION)
    except SystemExit as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{exc} (CI=true: nothing may skip)")
        pytest.skip(str(exc))
    return pyenvs.ensure_env(VERSION)


@pytest.fixture(scope="module")
def built313(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    from scripts.bench import pyenvs

    work = tmp_path_factory.mktemp("built313")
    python = env_python()
    proc = subprocess.run(
        [str(python), "-c", BUILD, str(ROOT), str(work), HANDLER],
        env=dict(os.environ, PYTHONPATH=pyenvs.project_pythonpath()),
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-4000:]
    out = dict(json.loads(proc.stdout.strip().splitlines()[-1]))
    out["work"] = work
    return out


@pytest.mark.compile
@pytest.mark.timeout(1500)
def test_typing_works_compiled_on_313_without_inspect_at_init(
    built313: dict[str, Any], emulator_factory: Any, tmp_path: Path
) -> None:
    assert built313["python"] == VERSION
    task, opt = tmp_path / "task", tmp_path / "opt"
    unpack(Path(built313["function_zip"]), task)
    unpack(Path(built313["layer_zip"]), opt)
    env = {
        "LD_LIBRARY_PATH": f"{opt / 'lib'}:{task}",
        "LAMBDA_TASK_ROOT": str(task),
        "_HANDLER": HANDLER,
        "PYTHONPATH": "",
    }
    emu = emulator_factory([str(task / "bootstrap")], env=env, cwd=str(task))
    result = emu.invoke(b"{}")
    assert result.status == 200, (result.body, emu.logs())
    out = result.json()
    assert out["python"] == VERSION
    assert out["modules"] == dict.fromkeys(out["modules"], MODULE), out["modules"]
    assert out["generic"][:2] == [3, "x"]
    assert "Expected `int`, got `str`" in out["generic"][2]
    assert out["dataclass"] == {"left": 1, "right": 2}
    assert out["fields"] == ["left", "right"]
    at_init = set(out["at_init"])
    assert not at_init & {"inspect", "ast", "dis", "tokenize", "asyncio", "ssl"}, sorted(
        at_init & {"inspect", "ast", "dis", "tokenize", "asyncio", "ssl"}
    )


@pytest.mark.compile
def test_313_edit_is_a_copy_and_nuitka_is_untouched(built313: dict[str, Any]) -> None:
    from scripts.bench import pyenvs

    build = built313["work"] / "build" / "nuitka" / "bootstrap.build" / "static_src"
    copied = build / "CompiledFunctionType.c"
    assert copied.is_file() and not copied.is_symlink()
    text = copied.read_text(encoding="utf-8")
    assert "#if 0 /* native-lambda: inspect part of patchInspectModule() skipped" in text
    assert '#include "InspectPatcher.c"' not in text
    assert "_sys_getframemodulename_replacement" in text  # the 3.12+ patches stay
    main_program = (build / "MainProgram.c").read_text(encoding="utf-8")
    assert "    patchInspectModule(tstate);\n" in main_program  # the call stays on 3.12+
    site = pyenvs.site_packages(env_python())
    installed = (site / "nuitka" / "build" / "static_src" / "InspectPatcher.c").read_text()
    assert "    CHECK_OBJECT(dict_builtin);\n\n#if PYTHON_VERSION >= 0x300\n" in installed


@pytest.mark.compile
def test_sync_handler_without_tls_ships_no_asyncio_ssl_or_openssl(
    built313: dict[str, Any],
) -> None:
    names: list[str] = []
    for key in ("function_zip", "layer_zip"):
        with zipfile.ZipFile(built313[key]) as zf:
            names += zf.namelist()
    left_out = ("libssl", "libcrypto", "_ssl.", "_hashlib.", "_asyncio.")
    bad = [n for n in names if any(x in Path(n).name for x in left_out)]
    assert not bad, bad
    report = (built313["work"] / "build" / "nuitka" / "nuitka-report.xml").read_text()
    for module in ("asyncio", "ssl"):
        assert f'<module name="{module}"' not in report
