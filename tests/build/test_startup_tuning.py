"""Start-up tuning (``native_lambda_toolchain.build.startup``), on by default in every build.

The compiled example must start without ``inspect``, ``typing_extensions``, ``platform`` or
``socket.py`` (what the tuning keeps out of init), the deferred msgspec parts must still ship
and work when used, and Nuitka's installation must stay untouched: Nuitka provides
``MainProgram.c`` to the build folder as a *symlink* into itself, so the plugin must replace
the link, never write through it.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import importlib.util
from pathlib import Path
from typing import Any

import pytest

from artifacts import unpack
from fixtures_build import TUNING_PROBE, Built
from native_lambda.handler_ref import HandlerRef
from native_lambda_toolchain.build import compile as nl_compile
from native_lambda_toolchain.build import startup
from native_lambda_toolchain.dist import read_record

#: The probe, compiled into the example build: ``_HANDLER`` selects it.
PROBE_HANDLER = TUNING_PROBE

NOT_AT_INIT = {
    "inspect",  # Nuitka's patchInspectModule (plugin) and typing_extensions
    "typing_extensions",  # left out of the build: msgspec falls back to typing
    "ast",
    "dis",
    "tokenize",
    "platform",  # uuid's import of it (anti_bloat.yml)
    "msgspec.inspect",  # msgspec's eager submodule imports (anti_bloat.yml)
    "msgspec._json_schema",
    "msgspec.toml",
    "msgspec.yaml",
    "textwrap",
    "socket",  # the runtime client uses _socket
    "selectors",
}


def installed_main_program() -> Path:
    import nuitka

    return Path(nuitka.__file__).parent / "build" / "static_src" / "MainProgram.c"


def recorded_sha256(path: Path) -> str:
    """The file's sha256 as Nuitka's wheel RECORD has it (what pip installed)."""
    for entry in importlib.metadata.files("nuitka") or ():
        if entry.hash is not None and Path(str(entry.locate())).resolve() == path.resolve():
            assert entry.hash.mode == "sha256"
            return entry.hash.value
    raise AssertionError(f"{path} is not in Nuitka's RECORD")


def sha256_b64(path: Path) -> str:
    digest = hashlib.sha256(path.read_bytes()).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def test_tuning_options_are_on_by_default_and_can_be_turned_off(tmp_path: Path) -> None:
    def command(**kwargs: Any) -> list[str]:
        req = nl_compile.CompileRequest(
            handler=HandlerRef.parse("examples.greeting.handler"),
            project_dir=tmp_path,
            work_dir=tmp_path,
            **kwargs,
        )
        return nl_compile.nuitka_command(req, tmp_path / "bootstrap.py", [])

    tuned = [a for a in command() if a in startup.nuitka_options()]
    assert tuned == list(startup.nuitka_options())
    assert startup.PLUGIN.is_file() and startup.PACKAGE_CONFIG.is_file()
    assert not set(command(startup_tuning=False)) & set(startup.nuitka_options())


def test_cli_switch_turns_tuning_off_here_and_in_the_container() -> None:
    import argparse

    from native_lambda_toolchain.commands import build as build_command
    from native_lambda_toolchain.container._orchestrate import forward_args

    parser = argparse.ArgumentParser()
    build_command.register(parser.add_subparsers())
    on = parser.parse_args(["build"])
    off = parser.parse_args(["build", "--no-startup-tuning"])
    assert on.startup_tuning is True and off.startup_tuning is False
    assert "--no-startup-tuning" not in forward_args(on)
    assert "--no-startup-tuning" in forward_args(off)


def load_plugin(monkeypatch: pytest.MonkeyPatch) -> Any:
    """The plugin module, loaded the way Nuitka loads it (by file); its patch of Nuitka's
    provider function is undone at teardown."""
    import nuitka.build.SconsInterface as scons

    monkeypatch.setattr(scons, "_provideStaticSourceFiles", scons._provideStaticSourceFiles)
    spec = importlib.util.spec_from_file_location("nl_startup_plugin", startup.PLUGIN)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_plugin_replaces_the_link_and_leaves_its_target_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugin = load_plugin(monkeypatch)
    original = installed_main_program().read_text(encoding="utf-8")
    target = tmp_path / "installed" / "MainProgram.c"
    target.parent.mkdir()
    target.write_text(original, encoding="utf-8")
    link = tmp_path / "build" / "static_src" / "MainProgram.c"
    link.parent.mkdir(parents=True)
    link.symlink_to(target)

    plugin.skip_inspect_patch(str(link))

    assert target.read_text(encoding="utf-8") == original
    assert not link.is_symlink()
    edited = link.read_text(encoding="utf-8")
    assert plugin.CALL not in edited and plugin.REPLACEMENT in edited
    assert len(edited.splitlines()) == len(original.splitlines())


def test_plugin_fails_loudly_when_nuitka_changed_the_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugin = load_plugin(monkeypatch)
    source = tmp_path / "MainProgram.c"
    source.write_text("int main(void) {\n    patchInspectModule(tstate, 1);\n}\n")
    with pytest.raises(RuntimeError, match="patchInspectModule"):
        plugin.skip_inspect_patch(str(source))
    assert "patchInspectModule(tstate, 1);" in source.read_text()


@pytest.mark.parametrize("skips_call", [True, False])
def test_plugin_edits_the_build_copies_for_the_python_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, skips_call: bool
) -> None:
    """Through Nuitka's own provider: links into Nuitka first, then our regular files.
    Python < 3.12: the call is removed from MainProgram.c. 3.12+: the call stays (it also
    installs patches compiled code needs) and only the inspect part of InspectPatcher.c,
    inlined into CompiledFunctionType.c, is compiled out."""
    plugin = load_plugin(monkeypatch)
    monkeypatch.setattr(plugin, "SKIPS_CALL", skips_call)
    plugin._provide(str(tmp_path), ["CompiledFunctionType.c", "MainProgram.c"])
    main = tmp_path / "static_src" / "MainProgram.c"
    functions = tmp_path / "static_src" / "CompiledFunctionType.c"
    assert main.is_symlink() is not skips_call
    assert functions.is_symlink() is skips_call
    assert (plugin.CALL in main.read_text(encoding="utf-8")) is not skips_call
    text = functions.read_text(encoding="utf-8")
    assert (plugin.INCLUDE in text) is skips_call
    assert (plugin.INSPECT_SKIPPED in text) is not skips_call
    if not skips_call:  # the 3.12+ patches compiled code needs are still compiled in
        assert "patchTypingModule();" in text and "_getframemodulename" in text
        assert plugin.INSPECT_PART not in text
    assert plugin.CALL in installed_main_program().read_text(encoding="utf-8")
    installed = installed_main_program().with_name("InspectPatcher.c").read_text()
    assert plugin.INSPECT_PART in installed


def test_plugin_fails_loudly_when_the_inspect_block_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plugin = load_plugin(monkeypatch)
    (tmp_path / "InspectPatcher.c").write_text("void patchInspectModule(void) {}\n")
    source = tmp_path / "CompiledFunctionType.c"
    source.write_text(plugin.INCLUDE)
    with pytest.raises(RuntimeError, match="CHECK_OBJECT"):
        plugin.skip_inspect_part(str(source))
    assert source.read_text() == plugin.INCLUDE


@pytest.mark.compile
def test_nuitka_installation_is_unchanged_after_the_build(built_example: Built) -> None:
    installed = installed_main_program()
    assert not installed.is_symlink()
    assert sha256_b64(installed) == recorded_sha256(installed)
    assert "    patchInspectModule(tstate);\n" in installed.read_text(encoding="utf-8")
    if built_example.work_dir is None:
        pytest.skip("reused artifacts (NATIVE_LAMBDA_TEST_DIST): no build folder to inspect")
    static = built_example.work_dir / "nuitka" / "bootstrap.build" / "static_src"
    if tuple(int(x) for x in built_example.python.split(".")) >= (3, 12):
        # 3.12+ (NATIVE_LAMBDA_TEST_BUILD_PYTHON): the call stays, its inspect part is cut
        copied = static / "CompiledFunctionType.c"
        assert copied.is_file() and not copied.is_symlink()
        assert "#if 0 /* native-lambda: inspect part" in copied.read_text(encoding="utf-8")
        return
    copied = static / "MainProgram.c"
    assert copied.is_file() and not copied.is_symlink()
    assert "patchInspectModule(tstate);" not in copied.read_text(encoding="utf-8")


@pytest.mark.compile
@pytest.mark.timeout(300)
def test_compiled_example_starts_lean_and_deferred_parts_still_work(
    built_example: Built, emulator_factory: Any, tmp_path: Path
) -> None:
    record = read_record(built_example.dist_dir)
    assert record is not None and record.startup_tuning is True
    assert "typing_extensions" in record.not_followed
    assert PROBE_HANDLER in record.handlers
    task, opt = tmp_path / "task", tmp_path / "opt"
    unpack(built_example.function_zip, task)
    unpack(built_example.layer_zip, opt)
    env = {
        "LD_LIBRARY_PATH": f"{opt / 'lib'}:{task}",
        "LAMBDA_TASK_ROOT": str(task),
        "_HANDLER": PROBE_HANDLER,
        "PYTHONPATH": "",  # nothing but what the bootstrap carries (and the task root)
    }
    emu = emulator_factory([str(task / "bootstrap")], env=env, cwd=str(task))
    result = emu.invoke(b"{}")
    assert result.status == 200, (result.body, emu.logs())
    out = result.json()

    at_init = set(out["at_init"])
    assert {
        "msgspec",
        "msgspec.json",
        "native_lambda._loop",
        "tests.build.handlers.tuning_probe",
    } <= at_init
    # the entry imports only the selected handler's module, not every one compiled in
    assert "examples.greeting" not in at_init
    assert not at_init & NOT_AT_INIT, sorted(at_init & NOT_AT_INIT)
    assert out["type_info"] == ["x", "y"]
    assert out["schema"]["$ref"] == "#/$defs/Point"
    assert out["schema"]["$defs"]["Point"]["required"] == ["x"]
    assert out["components"] == ["Point"]
    assert out["msgpack"] == 1
    assert out["compiled"] == dict.fromkeys(out["compiled"], True), out["compiled"]
    assert out["yaml"].startswith("ImportError:") and "PyYAML" in out["yaml"]
    if tuple(int(x) for x in record.python_version.split(".")) >= (3, 11):
        assert out["toml"] == {"a": 1}
    else:  # no tomllib in the stdlib: msgspec names the package it needs, as on CPython
        assert out["toml"].startswith("ImportError:") and "tomli" in out["toml"], out["toml"]
    assert out["uuid"] == [True, 36]  # os.uname().sysname stood in for platform.system()
    assert {"msgspec.inspect", "msgspec._json_schema"} <= set(out["later"])
    assert "platform" not in out["later"]
