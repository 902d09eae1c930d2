"""Check the symbol versions the artifacts need against what the target's system provides.

The linker records, per needed library, the symbol versions a file binds to (``hypot@GLIBC_2.35``).
The loader refuses to start when the target's library lacks one of them, so a build that needs
more than the target's glibc must fail here, at build time, with the symbol named, not on Lambda.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterable, List, Mapping, Optional, Tuple, Union

from ..errors import BuildError
from .elf import ElfInfo, read_elf
from .policy import Policy, format_version, parse_symbol_version

#: Version needs without numbers that still imply a minimum glibc.
IMPLIED = {"GLIBC_ABI_DT_RELR": ("GLIBC", (2, 36))}

BUILD_HINT = (
    "build inside the target's container instead: run `native-lambda build` with a Docker "
    "engine reachable, or use `--target host` for artifacts that only run on this machine"
)


@dataclass(frozen=True)
class VersionUse:
    """One version a file needs from one library, with the symbols that need it."""

    file: Path
    library: str
    version: str
    symbols: Tuple[str, ...]

    def describe(self) -> str:
        syms = ", ".join(self.symbols[:5]) + (" ..." if len(self.symbols) > 5 else "")
        what = f"symbol {syms}" if self.symbols else "no symbol (a loader feature)"
        return f"{self.file} needs {self.version} from {self.library} ({what})"


@dataclass
class AbiReport:
    """Highest version needed per family (GLIBC, GLIBCXX, CXXABI, GCC ...) and violations."""

    highest: Dict[str, Tuple[Tuple[int, ...], VersionUse]] = field(default_factory=dict)
    violations: List[str] = field(default_factory=list)

    def highest_version(self, family: str) -> Optional[str]:
        got = self.highest.get(family)
        return f"{family}_{format_version(got[0])}" if got else None


def check(
    files: Iterable[Union[Path, ElfInfo]],
    policy: Policy,
    *,
    bundled: Optional[Mapping[str, Union[Path, ElfInfo]]] = None,
    raise_error: bool = True,
) -> AbiReport:
    """Check every file's version needs; raise BuildError listing each violation.

    - needs on a library the policy provides must not exceed ``policy.max_versions`` of their
      family (GLIBC_2.35 > 2.34 on al2023), and ``GLIBC_PRIVATE`` is never acceptable;
    - needs on a library in ``bundled`` (name -> the copy we ship) must be defined by that copy;
    - each file must be built for one of the policy's architectures, and all for the same
      one as the others: one process cannot load x86_64 and aarch64 code together.
    """
    report = AbiReport()
    bundled_infos: Dict[str, ElfInfo] = {
        name: v if isinstance(v, ElfInfo) else read_elf(v) for name, v in (bundled or {}).items()
    }
    first: Optional[ElfInfo] = None
    for item in files:
        info = item if isinstance(item, ElfInfo) else read_elf(item)
        if info.arch not in policy.architectures:
            report.violations.append(
                f"{info.path} is built for {info.arch}; target {policy.name} runs "
                f"{' or '.join(policy.architectures)}"
            )
        elif first is None:
            first = info
        elif not first.compatible_with(info):
            report.violations.append(
                f"{info.path} is built for {info.arch}, but {first.path} is {first.arch}: "
                "one process cannot load both"
            )
        for library, versions in sorted(info.version_needs.items()):
            for version in sorted(versions):
                use = VersionUse(info.path, library, version, info.symbols_for(library, version))
                _check_one(use, policy, bundled_infos, report)
    if report.violations and raise_error:
        raise abi_error(report.violations, policy)
    return report


def abi_error(violations: List[str], policy: Policy) -> BuildError:
    """The one error for ABI violations (the pipeline adds the wheel at fault to each)."""
    shown = violations[:20]
    more = len(violations) - len(shown)
    lines = "\n  ".join(shown) + (f"\n  ... and {more} more" if more > 0 else "")
    return BuildError(
        f"the artifacts need more than target {policy.name} provides "
        f"({_limits(policy)}):\n  {lines}",
        hint=BUILD_HINT,
    )


def _check_one(
    use: VersionUse, policy: Policy, bundled: Mapping[str, ElfInfo], report: AbiReport
) -> None:
    parsed = parse_symbol_version(use.version) or IMPLIED.get(use.version)
    if parsed is not None:
        family, numbers = parsed
        best = report.highest.get(family)
        if best is None or numbers > best[0]:
            report.highest[family] = (numbers, use)
    if policy.is_system(use.library):
        if use.version == "GLIBC_PRIVATE":
            report.violations.append(
                f"{use.describe()}: a private interface of the build machine's glibc"
            )
            return
        _check_limit(use, parsed, policy, report)
        return
    copy = bundled.get(use.library)
    if copy is None:
        _check_limit(use, parsed, policy, report)
    elif use.version not in copy.version_defs:
        report.violations.append(
            f"{use.describe()}, but the bundled {copy.path} does not define {use.version}"
        )


def _check_limit(
    use: VersionUse,
    parsed: Optional[Tuple[str, Tuple[int, ...]]],
    policy: Policy,
    report: AbiReport,
) -> None:
    """A version the target must provide: at most the policy's limit for its family."""
    if parsed is None:
        return
    family, numbers = parsed
    limit = policy.max_versions.get(family)
    if limit is not None and numbers > limit:
        report.violations.append(
            f"{use.describe()}, but {policy.name} provides {family} {format_version(limit)} at most"
        )


def _limits(policy: Policy) -> str:
    return ", ".join(f"{f} {format_version(v)}" for f, v in sorted(policy.max_versions.items()))
