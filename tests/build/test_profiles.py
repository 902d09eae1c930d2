"""Build profiles: ``dev`` hands Nuitka's C compiler -O0 after its own level; ``release``
leaves Nuitka's flags alone. The real effect (a dev dependency build) is checked by the
shared dependency build in tests/deps."""

from __future__ import annotations

from pathlib import Path

import pytest

from native_lambda.handler_ref import HandlerRef
from native_lambda_toolchain.build import compile as nl_compile
from native_lambda_toolchain.build.config import BuildConfig
from native_lambda_toolchain.build.pipeline import BuildRequest
from native_lambda_toolchain.build.profiles import PROFILES, profile
from native_lambda_toolchain.cli import build_parser
from native_lambda_toolchain.container._orchestrate import forward_args

ROOT = Path(__file__).resolve().parents[2]


def _request(tmp_path: Path, name: str) -> nl_compile.CompileRequest:
    return nl_compile.CompileRequest(
        handler=HandlerRef.parse("examples.greeting.handler"),
        project_dir=ROOT,
        work_dir=tmp_path,
        profile=name,
    )


def test_dev_profile_appends_o0_after_the_users_cflags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CFLAGS", "-pipe")
    env = nl_compile.build_env(_request(tmp_path, "dev"))
    assert env["CFLAGS"].split() == ["-pipe", "-O0"]


def test_release_profile_leaves_nuitkas_flags_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("CFLAGS", raising=False)
    assert "CFLAGS" not in nl_compile.build_env(_request(tmp_path, "release"))


def test_unknown_profile_names_the_choices() -> None:
    with pytest.raises(ValueError, match="release, dev"):
        profile("fast")
    assert set(PROFILES) == {"release", "dev"}


def test_cli_profile_reaches_the_container_stage_and_its_own_work_folder(tmp_path: Path) -> None:
    args = build_parser().parse_args(["build", "--profile", "dev", "--handler", "a.b"])
    assert args.profile == "dev"
    assert forward_args(args)[-2:] == ["--profile", "dev"]
    release = build_parser().parse_args(["build", "--handler", "a.b"])
    assert "--profile" in forward_args(release)  # always said: the stage never guesses
    cfg = BuildConfig(project_dir=tmp_path, handler=HandlerRef.parse("a.b"))
    assert BuildRequest(config=cfg, target="host", profile="dev").resolved_work_dir().name == (
        "host-dev"
    )
    assert BuildRequest(config=cfg, target="host").resolved_work_dir().name == "host"


def test_cli_refuses_an_unknown_profile(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["build", "--profile", "fast"])
    assert "invalid choice: 'fast'" in capsys.readouterr().err
