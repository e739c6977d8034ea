"""The ``[ui]`` table of the config file: what the app remembers between launches (the
theme, whether the decision strip shows), and writing it back when it changes there.

Pure Python (no Textual). A value of the wrong kind is not worth refusing to start for:
it is left out with a word saying so, and the default holds.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from annotate.labelling.config import Config, default_config_path

TABLE = "ui"
# Each setting and the kind of value it takes.
KINDS: dict[str, type] = {"theme": str, "decisions": bool}


@dataclass(frozen=True)
class Settings:
    """What ``[ui]`` holds: ``theme`` (a Textual theme name, None: the default),
    ``decisions`` (the decision strip beside the claim on a wide screen), and a word for
    each value that was left out (``problems``)."""

    theme: str | None = None
    decisions: bool = True
    problems: tuple[str, ...] = field(default=())


def load_settings(config: Config) -> Settings:
    """The ``[ui]`` table of the config file (as ``read_config`` read it); defaults when
    the file or the table is absent."""
    path = config.path
    table = config.data.get(TABLE, {})
    if not isinstance(table, dict):
        return Settings(problems=(f"{path}: [{TABLE}] is not a table; left out",))
    values: dict[str, object] = {}
    problems = []
    for key, value in table.items():
        kind = KINDS.get(key)
        if kind is None:
            problems.append(f"{path}: unknown setting {key!r} in [{TABLE}]; left out")
        elif not isinstance(value, kind):
            problems.append(
                f"{path}: {key!r} in [{TABLE}] must be {_kind_name(kind)}; the default is used"
            )
        else:
            values[key] = value
    return replace(Settings(), **values, problems=tuple(problems))  # type: ignore[arg-type]


def _kind_name(kind: type) -> str:
    return "true or false" if kind is bool else "a name in quotes"


def save_setting(path: Path | None, key: str, value: str | bool) -> Path:
    """Set ``key`` in the ``[ui]`` table of the config file at ``path`` (None: the
    default location, created with its folder if need be), keeping every other line of
    the file as it was; the file is replaced in one step. Returns the file written."""
    if KINDS.get(key) is not type(value):
        raise ValueError(f"{key!r} takes {KINDS.get(key)}, not {value!r}")
    path = Path(path) if path is not None else default_config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        text = ""
    line = f"{key} = {_toml_value(value)}"
    lines = text.splitlines()
    start = next((i for i, s in enumerate(lines) if _is_header(s, TABLE)), None)
    if start is None:
        lines += ([""] if lines and lines[-1].strip() else []) + [f"[{TABLE}]", line]
    else:
        end = next((i for i in range(start + 1, len(lines)) if _HEADER.match(lines[i])), len(lines))
        at = next((i for i in range(start + 1, end) if _is_key(lines[i], key)), None)
        if at is None:
            while end > start + 1 and not lines[end - 1].strip():
                end -= 1  # after the table's last line, not after the blank ones
            lines.insert(end, line)
        else:
            lines[at] = line
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.replace(temporary, path)
    return path


_HEADER = re.compile(r"^\s*\[")


def _is_header(line: str, name: str) -> bool:
    return re.match(rf"^\s*\[\s*\"?{re.escape(name)}\"?\s*\]\s*(#.*)?$", line) is not None


def _is_key(line: str, key: str) -> bool:
    return re.match(rf"^\s*\"?{re.escape(key)}\"?\s*=", line) is not None


def _toml_value(value: str | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)  # a TOML basic string: JSON's escapes are TOML's
