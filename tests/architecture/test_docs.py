"""The documentation covers every command and option, and its links lead somewhere."""

from __future__ import annotations

import importlib.util
import re
import sqlite3
from pathlib import Path

import click
import pytest

from annotate.cli import main

REPO = Path(__file__).resolve().parents[2]
DOCS = REPO / "docs"


def _reference_module():
    spec = importlib.util.spec_from_file_location("cli_reference", DOCS / "cli_reference.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _commands() -> list[str]:
    with click.Context(main) as ctx:
        return sorted(main.list_commands(ctx))


def test_the_cli_reference_is_current():
    expected = _reference_module().reference()
    assert (DOCS / "cli.md").read_text(encoding="utf-8") == expected, (
        "run: .venv/bin/python docs/cli_reference.py"
    )


@pytest.mark.parametrize("name", _commands())
def test_every_command_and_option_is_in_the_reference_with_an_example(name):
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    section = text.split(f"\n## annotate {name}\n", 1)[1].split("\n## ", 1)[0]
    command = main.get_command(click.Context(main), name)
    assert command is not None
    for param in command.params:
        if isinstance(param, click.Option):
            assert any(opt in section for opt in param.opts), (name, param.opts)
    assert "-h, --help" in section
    assert "Example" in section, f"annotate {name} --help shows no example"


def _anchors(path: Path) -> set[str]:
    """GitHub-style anchors of a Markdown file's headings."""
    anchors = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            title = line.lstrip("#").strip().lower()
            title = re.sub(r"[^\w\- ]", "", title).replace(" ", "-")
            anchors.add(title)
    return anchors


@pytest.mark.parametrize("doc", ["README.md", *sorted(p.name for p in DOCS.glob("*.md"))])
def test_links_resolve(doc):
    path = REPO / doc if doc == "README.md" else DOCS / doc
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+://|mailto:", target):
            continue
        file, _, anchor = target.partition("#")
        dest = (path.parent / file).resolve() if file else path
        if not dest.exists():
            broken.append(target)
        elif anchor and dest.suffix == ".md" and anchor not in _anchors(dest):
            broken.append(target)
    assert broken == []


def test_the_schema_page_names_every_table_and_column(tmp_path):
    from annotate.store import Store

    page = (DOCS / "schema.md").read_text(encoding="utf-8")
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(\w+)` \| (.*) \|$", page, re.M)}
    with Store.open(tmp_path / "fresh.db"):
        pass  # creates and migrates it
    conn = sqlite3.connect(tmp_path / "fresh.db")
    names = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
    tables = {
        name: [row[1] for row in conn.execute(f'PRAGMA table_info("{name}")')]
        for (name,) in names
        if not name.startswith(("_", "sqlite_"))
    }
    conn.close()
    for table, columns in tables.items():
        assert table in rows, f"docs/schema.md has no row for the table {table}"
        missing = [c for c in columns if f"`{c}`" not in rows[table]]
        assert not missing, f"docs/schema.md: {table} lacks {missing}"
