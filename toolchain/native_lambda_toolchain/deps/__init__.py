"""The dependency stage: which third-party packages a function needs (``source``), for which
platform (``target``) and the installed, cached tree (``install``).

The only step of a build with network access. The container build runs it in the build image
(``python -m native_lambda_toolchain.deps``) before the offline compile stage, which then
gets the tree read-only; ``--target host`` runs it here into its own cache.
"""

from __future__ import annotations

from .install import RESULT_PREFIX, Installed, default_cache_root, install
from .source import DependencySet, detect
from .target import TargetPlatform, cache_key, target_platform

__all__ = [
    "RESULT_PREFIX",
    "DependencySet",
    "Installed",
    "TargetPlatform",
    "cache_key",
    "default_cache_root",
    "detect",
    "install",
    "target_platform",
]
