"""The shared ``config`` and ``credentials`` files (INI), read only when needed.

``[name]`` sections in the credentials file; ``[default]`` and ``[profile name]`` in the
config file. Nested sub-sections (``s3 =`` followed by indented lines) are skipped.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Dict, Mapping, Tuple


class ConfigError(Exception):
    """A shared file exists but cannot be parsed; the message names the file and line."""


def _path(env: Mapping[str, str], var: str, default: str) -> str:
    value = (env.get(var) if var else None) or default
    if value.startswith("~"):
        home = env.get("HOME") or os.path.expanduser("~")
        value = home + value[1:]
    return value


def parse_ini(text: str, path: str) -> Dict[str, Dict[str, str]]:
    """Sections → key → value. Comments (``#``/``;``) and nested blocks are ignored."""
    sections: Dict[str, Dict[str, str]] = {}
    current = None
    nested = False
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if raw[0] in " \t":  # continuation/nested block line
            if current is None:
                raise ConfigError(f"{path}:{number}: indented line outside a section")
            continue
        if line.startswith("["):
            if not line.endswith("]"):
                raise ConfigError(f"{path}:{number}: malformed section header")
            current = sections.setdefault(line[1:-1].strip(), {})
            nested = False
            continue
        if current is None:
            raise ConfigError(f"{path}:{number}: setting outside a section")
        key, sep, value = line.partition("=")
        if not sep:
            raise ConfigError(f"{path}:{number}: expected 'key = value'")
        key = key.strip().lower()
        value = value.strip()
        for marker in (" #", " ;", "\t#", "\t;"):
            pos = value.find(marker)
            if pos != -1:
                value = value[:pos].rstrip()
        nested = value == ""
        if not nested:
            current[key] = value
    return sections


def _read(path: str) -> Dict[str, Dict[str, str]]:
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    return parse_ini(text, path)


def home_path(env: Mapping[str, str], relative: str) -> str:
    """``~/relative`` with ``HOME`` taken from ``env`` (tests and tools pass their own)."""
    return _path(env, "", "~/" + relative)


def sso_session(name: str, env: Mapping[str, str]) -> Dict[str, str]:
    """The ``[sso-session name]`` section of the config file; empty if absent."""
    return _read(_path(env, "AWS_CONFIG_FILE", "~/.aws/config")).get(f"sso-session {name}", {})


def profile_settings(name: str, env: Mapping[str, str]) -> Tuple[Dict[str, str], Dict[str, str]]:
    """(credentials-file section, config-file section) of profile ``name``; empty if absent."""
    creds = _read(_path(env, "AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"))
    config = _read(_path(env, "AWS_CONFIG_FILE", "~/.aws/config"))
    config_section = config.get(f"profile {name}")
    if config_section is None and name == "default":
        config_section = config.get("default")
    return creds.get(name, {}), config_section or {}
