"""The user's config file: where it lives, and reading it once as TOML for the tables
that use it (``[keymap]`` in ``keymap``, ``[ui]`` in ``settings``).

Pure Python (no Textual), so the CLI can report a bad file before the app starts.
"""

from __future__ import annotations

import os
import tomllib
from pathlib import Path
from typing import Any, NamedTuple

CONFIG_NAME = "config.toml"


class ConfigError(Exception):
    """A config file that cannot be used; the message is one line naming the file."""


class Config(NamedTuple):
    """The config file's path and its tables (empty when the file is absent)."""

    path: Path
    data: dict[str, Any]


def default_config_path() -> Path:
    """``$XDG_CONFIG_HOME/annotate/config.toml``, by default ``~/.config/annotate/config.toml``."""
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "annotate" / CONFIG_NAME


def read_config(path: Path | None) -> Config:
    """The config file at ``path`` (None: the default location, which may be absent and
    then holds nothing; a path given explicitly must exist). One that cannot be read or
    is not TOML is a ConfigError naming it."""
    explicit = path is not None
    path = Path(path) if path is not None else default_config_path()
    try:
        return Config(path, tomllib.loads(path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        if explicit:
            raise ConfigError(f"{path}: no such config file") from None
        return Config(path, {})
    except OSError as e:
        raise ConfigError(f"{path}: cannot read the config file ({e.strerror or e})") from None
    except UnicodeDecodeError as e:
        raise ConfigError(f"{path}: cannot read the config file: not UTF-8 ({e.reason})") from None
    except tomllib.TOMLDecodeError as e:
        # tomllib's message already says "(at line N, column M)".
        raise ConfigError(f"{path}: cannot read the config file ({e})") from None
