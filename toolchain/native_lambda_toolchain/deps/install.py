"""Install a dependency set for a target platform into a cached tree, with pip.

The tree lives at ``<cache>/<key>/site`` (``target.cache_key``), written under a temporary
name and renamed when complete, with ``installed.json`` beside it: a tree that exists is
whole, so an unchanged dependency set is reused without running the installer at all.

Why pip and not uv: README Design, "Dependencies". Runs in the dependency stage only (the
one step with network), in the build image or, for ``--target host``, on this machine.
Python 3.9-clean.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Dict, List, Optional

from ..errors import BuildError
from .source import DependencySet
from .target import TargetPlatform, cache_key

INSTALLER = "pip"
SITE = "site"
RECORD = "installed.json"
#: The dependency stage's last line: this prefix, then ``Installed.to_json()``.
RESULT_PREFIX = "NATIVE_LAMBDA_DEPS_RESULT "

Say = Callable[[str], None]

#: pip's ways of saying that nothing matches a requirement.
_NOT_FOUND = (
    re.compile(r"No matching distribution found for (\S+)"),
    re.compile(r"Could not find a version that satisfies the requirement (\S+)"),
)


@dataclass
class Installed:
    """An installed tree and how it came to be."""

    site: Path
    key: str
    source: str
    packages: Dict[str, str]  # distribution name -> version
    cached: bool
    seconds: float
    platform: str
    extra: Dict[str, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.packages)

    def to_json(self) -> Dict[str, object]:
        return {
            "site": str(self.site),
            "key": self.key,
            "source": self.source,
            "packages": self.packages,
            "cached": self.cached,
            "seconds": round(self.seconds, 2),
            "platform": self.platform,
        }


def pip_command(
    deps_file: Path, site: Path, plat: TargetPlatform, no_deps: bool, python: str
) -> List[str]:
    """The pip command line installing ``deps_file`` for ``plat`` into ``site``."""
    cmd = [python, "-m", "pip", "install", "--target", str(site), "-r", str(deps_file)]
    cmd += ["--disable-pip-version-check", "--no-input", "--no-compile", "--prefer-binary"]
    cmd += ["--no-warn-script-location", "--progress-bar", "off"]
    if no_deps:
        cmd.append("--no-deps")
    if not plat.native:
        cmd += ["--only-binary=:all:", "--implementation", "cp", "--python-version", plat.python]
        for tag in plat.platform_tags():
            cmd += ["--platform", tag]
    return cmd


def installed_packages(site: Path) -> Dict[str, str]:
    """Distribution name -> version, from the ``*.dist-info`` folders of ``site``."""
    out: Dict[str, str] = {}
    for info in sorted(site.glob("*.dist-info")):
        name, _, version = info.name[: -len(".dist-info")].partition("-")
        out[name] = version
    return out


def install(
    deps: DependencySet,
    plat: TargetPlatform,
    cache_dir: Path,
    *,
    python: str = sys.executable,
    say: Say = print,
) -> Installed:
    """The installed tree for ``deps`` on ``plat``: from the cache, else installed now."""
    key = cache_key(deps, plat, INSTALLER)
    home = Path(cache_dir) / key
    record = home / RECORD
    if record.is_file():
        data = json.loads(record.read_text())
        found = Installed(
            site=home / SITE,
            key=key,
            source=deps.source,
            packages=dict(data["packages"]),
            cached=True,
            seconds=0.0,
            platform=plat.describe(),
        )
        say(
            f"dependencies: {deps.source} unchanged (key {key}): {found.count} packages for "
            f"{plat.describe()} reused from {found.site}, install skipped"
        )
        return found
    Path(cache_dir).mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=str(cache_dir)))
    try:
        return _install_into(deps, plat, work, home, key, python, say)
    finally:
        if work.exists():
            shutil.rmtree(work, ignore_errors=True)


def _install_into(
    deps: DependencySet,
    plat: TargetPlatform,
    work: Path,
    home: Path,
    key: str,
    python: str,
    say: Say,
) -> Installed:
    deps_file = work / "requirements.txt"
    deps_file.write_text(deps.text, encoding="utf-8")
    how = "native tags, sdists allowed" if plat.native else "wheels only"
    say(
        f"dependencies: installing {len(deps.requirements)} requirements from {deps.source} "
        f"for {plat.describe()} with {INSTALLER} ({how})"
    )
    start = time.monotonic()
    cmd = pip_command(deps_file, work / SITE, plat, deps.no_deps, python)
    env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PYTHONDONTWRITEBYTECODE="1")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    seconds = time.monotonic() - start
    if proc.returncode != 0:
        raise install_error(proc.stdout + proc.stderr, plat, deps)
    shutil.rmtree(work / SITE / "bin", ignore_errors=True)  # console scripts: not for Lambda
    packages = installed_packages(work / SITE)
    result = Installed(work / SITE, key, deps.source, packages, False, seconds, plat.describe())
    (work / RECORD).write_text(json.dumps(result.to_json(), indent=1, sort_keys=True))
    (work / "requirements.txt").write_text(deps.text, encoding="utf-8")
    try:
        os.rename(work, home)
    except OSError:  # another build installed the same set meanwhile: theirs is as good
        if not (home / RECORD).is_file():
            raise
    result.site = home / SITE
    say(
        f"dependencies: installed {result.count} packages from {deps.source} in "
        f"{seconds:.1f}s into {result.site}"
    )
    return result


def install_error(output: str, plat: TargetPlatform, deps: DependencySet) -> BuildError:
    """pip's failure as one message naming the requirement and the target platform."""
    for pattern in _NOT_FOUND:
        match = pattern.search(output)
        if match:
            name = match.group(1).rstrip(",;")
            versions = re.search(r"\(from versions: ([^)]*)\)", output)
            seen = versions.group(1).strip() if versions else ""
            detail = (
                f"versions available there: {seen}"
                if seen and seen != "none"
                else ("no wheel or sdist of it matches")
            )
            return BuildError(
                f"dependency {name} (from {deps.source}) cannot be installed for target "
                f"{plat.describe()}: {detail}",
                hint="check the name and version; a package needs a wheel for "
                f"{plat.manylinux} (or older) and CPython {plat.python}, or an sdist"
                + (
                    ""
                    if plat.native
                    else " (sdists are not built when the build image's "
                    "glibc is newer than the target's)"
                ),
            )
    tail = "\n    ".join(output.strip().splitlines()[-15:])
    return BuildError(
        f"installing the dependencies from {deps.source} for {plat.describe()} failed:\n    {tail}",
        hint="the installer's output is above; fix the requirement it names",
    )


def default_cache_root() -> Path:
    """``$NATIVE_LAMBDA_CACHE_DIR`` or ``$XDG_CACHE_HOME/native-lambda`` (``~/.cache``)."""
    if os.environ.get("NATIVE_LAMBDA_CACHE_DIR"):
        return Path(os.environ["NATIVE_LAMBDA_CACHE_DIR"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "native-lambda"


def find_site(cache_dir: Path, key: str) -> Optional[Path]:
    site = Path(cache_dir) / key / SITE
    return site if (Path(cache_dir) / key / RECORD).is_file() else None
