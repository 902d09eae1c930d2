"""Where dependencies come from: detection order, locks pinned, extras, one-line errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from native_lambda_toolchain.deps import detect
from native_lambda_toolchain.errors import BuildError

UV_LOCK = """\
version = 1
requires-python = ">=3.9"

[[package]]
name = "app"
version = "0.1.0"
source = { virtual = "." }
dependencies = [
    { name = "requests" },
    { name = "colorama", marker = "sys_platform == 'win32'" },
]

[package.optional-dependencies]
fast = [{ name = "orjson" }]

[package.dev-dependencies]
dev = [{ name = "pytest" }]

[[package]]
name = "requests"
version = "2.32.5"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "idna" }, { name = "urllib3" }]

[[package]]
name = "idna"
version = "3.10"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "urllib3"
version = "2.5.0"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "colorama"
version = "0.4.6"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "orjson"
version = "3.11.5"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "pytest"
version = "8.4.2"
source = { registry = "https://pypi.org/simple" }
"""

PYLOCK = """\
lock-version = "1.0"
created-by = "pip"

[[packages]]
name = "pydantic"
version = "2.13.5"

[[packages]]
name = "uvloop"
version = "0.21.0"
marker = "sys_platform != 'win32'"
"""

PYPROJECT = """\
[project]
name = "app"
version = "0"
dependencies = ["requests>=2", "orjson"]

[project.optional-dependencies]
tracing = ["aws-xray-sdk"]
"""


def test_uv_lock_pins_what_the_project_reaches_with_markers(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_text(UV_LOCK)
    (tmp_path / "requirements.txt").write_text("flask\n")  # the lock wins
    found = detect(tmp_path)
    assert found is not None and found.source == "uv.lock" and found.no_deps
    assert found.requirements == [
        "colorama==0.4.6 ; (sys_platform == 'win32')",
        "idna==3.10",
        "requests==2.32.5",
        "urllib3==2.5.0",
    ]  # no dev group, no unchosen extra, not the project itself


def test_uv_lock_extras(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_text(UV_LOCK)
    found = detect(tmp_path, extras=("fast",))
    assert found is not None and "orjson==3.11.5" in found.requirements


def test_pylock_before_requirements(tmp_path: Path) -> None:
    (tmp_path / "pylock.toml").write_text(PYLOCK)
    (tmp_path / "requirements.txt").write_text("flask\n")
    found = detect(tmp_path)
    assert found is not None and found.source == "pylock.toml" and found.no_deps
    assert found.requirements == [
        "pydantic==2.13.5",
        "uvloop==0.21.0 ; sys_platform != 'win32'",
    ]


def test_requirements_before_pyproject(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    (tmp_path / "requirements.txt").write_text("# pins\nrequests==2.32.5\n")
    found = detect(tmp_path)
    assert found is not None and found.source == "requirements.txt" and not found.no_deps
    assert found.requirements == ["requests==2.32.5"]


def test_pyproject_dependencies_and_extras(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    found = detect(tmp_path, extras=("tracing",))
    assert found is not None
    assert found.source == "pyproject.toml [project].dependencies + extras tracing"
    assert found.requirements == ["requests>=2", "orjson", "aws-xray-sdk"]


def test_unknown_extra_is_named(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(PYPROJECT)
    with pytest.raises(BuildError, match=r"extras names 'tracin'.*\(tracing\)"):
        detect(tmp_path, extras=("tracin",))


def test_no_dependencies(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "a"\nversion = "0"\n')
    assert detect(tmp_path) is None


def test_explicit_file_wins_and_must_exist(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\n")
    other = tmp_path / "prod.txt"
    other.write_text("orjson==3.11.5\n")
    found = detect(tmp_path, requirements=other)
    assert found is not None and found.requirements == ["orjson==3.11.5"]
    with pytest.raises(BuildError, match=r"--requirements .*missing\.txt: no such file"):
        detect(tmp_path, requirements=tmp_path / "missing.txt")


def test_nested_requirement_files_are_refused(tmp_path: Path) -> None:
    (tmp_path / "requirements.txt").write_text("-r base.txt\n")
    with pytest.raises(BuildError, match="nested requirement files"):
        detect(tmp_path)


def test_bad_lock_is_named(tmp_path: Path) -> None:
    (tmp_path / "uv.lock").write_text("version = [\n")
    with pytest.raises(BuildError, match=r"uv\.lock: not valid TOML"):
        detect(tmp_path)


PATH_LOCK = """\
version = 1

[[package]]
name = "app"
version = "0"
source = { editable = "." }
dependencies = [
    { name = "httplib" },
    { name = "winlib", marker = "sys_platform == 'win32'" },
    { name = "pdf", marker = "python_version < '3.11'" },
]

[[package]]
name = "winlib"
version = "1"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "shared" }, { name = "pdf" }]

[[package]]
name = "pdf"
version = "2"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "fonts", marker = "platform_machine == 'x86_64'" }]

[[package]]
name = "fonts"
version = "3"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "shared"
version = "4"
source = { registry = "https://pypi.org/simple" }

[[package]]
name = "httplib"
version = "5"
source = { registry = "https://pypi.org/simple" }
dependencies = [{ name = "pdf" }, { name = "shared", extra = ["speed"] }]

[package.optional-dependencies]
unused = [{ name = "fonts" }]

[[package]]
name = "speedups"
version = "6"
source = { registry = "https://pypi.org/simple" }
"""


def test_uv_lock_markers_hold_along_the_whole_path_and_extras_on_any_edge(
    tmp_path: Path,
) -> None:
    """A package is conditional on every edge of its path ("and"), on any of its paths ("or");
    an extra asked for by a later edge is still followed."""
    lock = PATH_LOCK.replace(
        'name = "shared"\nversion = "4"\nsource = { registry = "https://pypi.org/simple" }\n',
        'name = "shared"\nversion = "4"\nsource = { registry = "https://pypi.org/simple" }\n\n'
        '[package.optional-dependencies]\nspeed = [{ name = "speedups" }]\n',
    )
    (tmp_path / "uv.lock").write_text(lock)
    found = detect(tmp_path)
    assert found is not None
    assert found.requirements == [
        "fonts==3 ; (platform_machine == 'x86_64')",  # pdf is always reached through httplib
        "httplib==5",
        "pdf==2",
        "shared==4",
        "speedups==6",  # shared[speed], asked for by httplib's edge, not winlib's
        "winlib==1 ; (sys_platform == 'win32')",
    ]


def test_uv_lock_conditions_combine_along_a_marked_path(tmp_path: Path) -> None:
    lock = PATH_LOCK.replace('    { name = "httplib" },\n', "")
    (tmp_path / "uv.lock").write_text(lock)
    found = detect(tmp_path)
    assert found is not None
    assert found.requirements == [
        "fonts==3 ; ((platform_machine == 'x86_64') and (python_version < '3.11')) or "
        "((platform_machine == 'x86_64') and (sys_platform == 'win32'))",
        "pdf==2 ; ((python_version < '3.11')) or ((sys_platform == 'win32'))",
        "shared==4 ; (sys_platform == 'win32')",
        "winlib==1 ; (sys_platform == 'win32')",
    ]
