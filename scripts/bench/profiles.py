"""C compile time of Nuitka's generated modules under each build profile (release vs dev).

    python scripts/bench/profiles.py [--build-dir DIR] [--files 6]

Compiles the largest ``module.*.c`` files of a Nuitka build folder once with the flags of each
profile (``native_lambda_toolchain.build.profiles``: release keeps Nuitka's ``-O3``, dev
appends ``-O0``), interleaved, and prints the CPU time of each and the ratio. The C compile
is most of a cold build with dependencies, so the ratio is what ``--profile dev`` saves there.
The default folder is the example's host build (``native-lambda build --target host``), whose
C was generated for the Python running this script.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import sysconfig
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
DEFAULT_BUILD = REPO / ".build" / "host" / "nuitka" / "bootstrap.build"
#: What Nuitka passes for its generated code on gcc (its scons report), minus warnings.
BASE_FLAGS = ("-std=c11", "-fvisibility=hidden", "-fwrapv", "-fno-strict-aliasing", "-w")
RELEASE_LEVEL = "-O3"  # Nuitka's level against a shared libpython


def include_dirs(build_dir: Path) -> list[str]:
    import nuitka

    nuitka_build = Path(nuitka.__file__).parent / "build"
    return [
        f"-I{build_dir}",
        f"-I{nuitka_build / 'include'}",
        f"-I{nuitka_build / 'static_src'}",
        f"-I{sysconfig.get_paths()['include']}",
    ]


def cpu_seconds(cmd: list[str]) -> float:
    proc = subprocess.Popen(cmd)
    _, status, usage = os.wait4(proc.pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"failed: {' '.join(cmd)}")
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> int:
    from native_lambda_toolchain.build.profiles import PROFILES

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--build-dir", type=Path, default=DEFAULT_BUILD)
    parser.add_argument("--files", type=int, default=6, help="largest generated modules to time")
    args = parser.parse_args(argv)
    sources = sorted(args.build_dir.glob("module.*.c"), key=lambda p: -p.stat().st_size)
    if not sources:
        raise SystemExit(
            f"no generated modules in {args.build_dir}: build first "
            "(`native-lambda build --target host`), or pass --build-dir"
        )
    defines = ["-D_NUITKA_STANDALONE", "-D_NUITKA_EXE_MODE"]
    common = ["gcc", "-c", *BASE_FLAGS, RELEASE_LEVEL, *defines, *include_dirs(args.build_dir)]
    totals = {name: 0.0 for name in PROFILES}
    print(f"{'module':60} " + " ".join(f"{name:>9}" for name in PROFILES))
    with tempfile.TemporaryDirectory() as tmp:
        for source in sources[: args.files]:
            row = {}
            for name, profile in PROFILES.items():
                out = str(Path(tmp) / f"{name}.o")
                row[name] = cpu_seconds([*common, *profile.c_flags, "-o", out, str(source)])
                totals[name] += row[name]
            print(f"{source.name[:60]:60} " + " ".join(f"{row[n]:8.1f}s" for n in PROFILES))
    print(f"{'total':60} " + " ".join(f"{totals[n]:8.1f}s" for n in PROFILES))
    print(f"dev / release C compile time: {totals['dev'] / totals['release']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
