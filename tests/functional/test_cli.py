"""The CLI through click's CliRunner: every command has help, exit codes, clear errors."""

from __future__ import annotations

import json
import os

import click
import pytest
from click.testing import CliRunner

from annotate.cli import main
from annotate.store import Store


@pytest.fixture
def runner():
    return CliRunner()


def all_commands():
    return sorted(main.commands)


@pytest.mark.parametrize("name", all_commands())
def test_every_command_has_help_with_an_example(runner, name):
    result = runner.invoke(main, [name, "-h"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


def test_main_help(runner):
    result = runner.invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in all_commands():
        if not main.commands[name].hidden:
            assert name in result.output


def test_ingest_then_ingest_again_says_nothing_new(runner, sample_corpus, tmp_path):
    db = tmp_path / "a.db"
    first = runner.invoke(main, ["ingest", str(sample_corpus), "--db", str(db)])
    assert first.exit_code == 0, first.output
    assert "2 article(s) added" in first.output
    second = runner.invoke(main, ["ingest", str(sample_corpus), "--db", str(db)])
    assert second.exit_code == 0
    assert "Nothing new" in second.output


def test_db_comes_from_the_environment(runner, sample_corpus, tmp_path, monkeypatch):
    db = tmp_path / "env.db"
    monkeypatch.setenv("ANNOTATE_DB", str(db))
    assert runner.invoke(main, ["ingest", str(sample_corpus)]).exit_code == 0
    with Store.open(db) as s:
        assert s.counts()["articles"] == 2


def test_nothing_readable_exits_1_with_a_clear_message(runner, tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "empty.txt").write_bytes(b"")
    result = runner.invoke(main, ["ingest", str(corpus), "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 1
    assert "empty.txt" in result.output and "no article could be read" in result.output
    assert "Traceback" not in result.output


def test_missing_corpus_is_a_one_line_error(runner, tmp_path):
    result = runner.invoke(main, ["ingest", str(tmp_path / "nope")])
    assert result.exit_code == 2 and "does not exist" in result.output


def test_not_a_database_is_a_one_line_error(runner, sample_corpus, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_text("hello " * 200)
    result = runner.invoke(main, ["ingest", str(sample_corpus), "--db", str(bad)])
    assert result.exit_code == 1
    assert "not an annotate database" in result.output and "Traceback" not in result.output


def test_split_prints_one_unit_per_line(runner, sample_corpus):
    result = runner.invoke(main, ["split", str(sample_corpus / "003_3b0ee42016bb75ed.txt")])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0] == "# US, Russian space chiefs talk moon cooperation in rare Florida meeting"
    assert not any("Sign up now" in line or "PHOTO" in line for line in lines)


def test_split_stdin_raw_json(runner):
    result = runner.invoke(
        main, ["split", "-", "--raw", "--json"], input="Mr. Smith left. He was late.\n"
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["text"] for r in rows] == ["Mr. Smith left.", "He was late."]
    assert set(rows[0]) >= {"seq", "paragraph", "kind", "start", "end", "text"}
    assert rows[1]["start"] == 16 and rows[1]["end"] == 28


def test_split_dropped_shows_reasons(runner, sample_corpus):
    result = runner.invoke(
        main, ["split", str(sample_corpus / "000_5a2869755751f143.txt"), "--dropped"]
    )
    assert result.exit_code == 0
    assert "No Result" in result.output
    assert all(line.count(":") >= 2 for line in result.output.splitlines())


def test_split_missing_file(runner, tmp_path):
    result = runner.invoke(main, ["split", str(tmp_path / "nope.txt")])
    assert result.exit_code == 1 and "no such file" in result.output


def test_commands_are_click_commands():
    assert all(isinstance(c, click.Command) for c in main.commands.values())


# -- ingest computes suggestions ---------------------------------------------------------

SAMPLE_PATHS = ("000_5a2869755751f143.txt", "003_3b0ee42016bb75ed.txt")


def test_ingest_computes_suggestions_and_claim_groups(runner, sample_corpus, tmp_path):
    db = tmp_path / "s.db"
    first = runner.invoke(main, ["ingest", str(sample_corpus), "--db", str(db)])
    assert first.exit_code == 0, first.output
    with Store.open(db) as s:
        units = [u for p in SAMPLE_PATHS for u in s.article_units(s.article(p).id)]
        suggestions = [s.suggestion(u.id) for u in units]
        total = s.counts()["units"]
    assert None not in suggestions
    groups = {x.claim_group for x in suggestions if x and x.claim_group}
    # The two sample articles report the same meeting: some claims are grouped.
    assert groups
    line = next(li for li in first.output.splitlines() if li.startswith("Suggestions:"))
    assert line == f"Suggestions: {total} units in 2 articles, {len(groups)} claim groups."
    # Nothing changed and nothing is missing: no suggestion work, no line.
    again = runner.invoke(main, ["ingest", str(sample_corpus), "--db", str(db)])
    assert again.exit_code == 0 and "Suggestions:" not in again.output
    # One article changed: only its units are suggested again.
    path = sample_corpus / "003_3b0ee42016bb75ed.txt"
    path.write_text(path.read_text(encoding="utf-8") + "\nOfficials said the talks went well.\n")
    changed = runner.invoke(main, ["ingest", str(sample_corpus), "--db", str(db)])
    assert changed.exit_code == 0, changed.output
    assert " units in 1 articles, " in changed.output


def test_ingest_fills_in_suggestions_missing_from_an_older_database(
    runner, sample_corpus, tmp_path
):
    from annotate.ingest import ingest

    db = tmp_path / "old.db"
    with Store.open(db) as s:
        for _ in ingest(s, sample_corpus):  # the library step alone suggests nothing
            pass
        first_unit = s.article_units(s.article(SAMPLE_PATHS[0]).id)[0]
        assert s.suggestion(first_unit.id) is None
    result = runner.invoke(main, ["ingest", str(sample_corpus), "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert "Nothing new" in result.output and " units in 2 articles, " in result.output


# -- databases that cannot be written, or are not there ----------------------------------


@pytest.mark.parametrize("command", ["stats", "export", "agreement", "import", "suggest"])
def test_a_missing_database_folder_is_named(runner, tmp_path, command):
    args = [command, "--db", "nodir/x.db"]
    if command == "import":
        (tmp_path / "x.csv").write_text("unit_id,annotator,label\n")
        args.insert(1, str(tmp_path / "x.csv"))
    result = runner.invoke(main, args)
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == ["Error: folder does not exist: nodir"]


@pytest.mark.parametrize("command", ["stats", "export", "agreement"])
def test_reading_a_missing_database_says_how_to_make_one(runner, tmp_path, command):
    result = runner.invoke(main, [command, "--db", "x.db"])
    assert result.exit_code == 1
    assert result.output.strip() == (
        "Error: no such database: x.db (run `annotate ingest CORPUS --db x.db` first)"
    )
    assert not (tmp_path / "x.db").exists()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write read-only files")
def test_read_commands_work_on_a_read_only_database(runner, sample_corpus, tmp_path):
    import sqlite3

    db = tmp_path / "ro.db"
    assert runner.invoke(main, ["ingest", str(sample_corpus), "--db", str(db)]).exit_code == 0
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode = DELETE")  # not in WAL mode, like a copied file
    conn.close()
    db.chmod(0o444)
    try:
        for args in (["stats"], ["agreement"], ["export", "--out", "-"]):
            result = runner.invoke(main, [*args, "--db", str(db)])
            assert result.exit_code == 0, result.output
        result = runner.invoke(main, ["ingest", str(sample_corpus), "--db", str(db)])
        assert result.exit_code == 1
        assert f"database is read-only: {db} (needed to write labels)" in result.output
    finally:
        db.chmod(0o644)


def test_evaluate_takes_the_database_from_the_environment(
    runner, sample_corpus, tmp_path, monkeypatch
):
    db = tmp_path / "env.db"
    assert runner.invoke(main, ["ingest", str(sample_corpus), "--db", str(db)]).exit_code == 0
    monkeypatch.setenv("ANNOTATE_DB", str(db))
    result = runner.invoke(main, ["evaluate"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("all annotators: 0 units")
    shipped = runner.invoke(main, ["evaluate", "--data", str(tmp_path / "none.jsonl")])
    assert shipped.exit_code == 2  # --data wins over ANNOTATE_DB (and must exist)


def test_split_from_a_terminal_says_it_reads_stdin(runner, monkeypatch):
    import io
    import types

    class Terminal:
        buffer = io.BytesIO(b"He left.\n")

        def isatty(self) -> bool:
            return True

    # CliRunner swaps sys.stdin for a pipe; the command's own view of it is a terminal.
    with monkeypatch.context() as m:
        m.setattr("annotate.cli.sys", types.SimpleNamespace(stdin=Terminal()))
        result = runner.invoke(main, ["split"])
    assert result.exit_code == 0, result.output
    assert result.stderr == "reading an article from stdin; end with Ctrl-D\n"
    assert result.stdout == "He left.\n"
    piped = runner.invoke(main, ["split", "-"], input="He left.\n")
    assert piped.stderr == "" and piped.stdout == "He left.\n"


def test_ingest_names_articles_without_claim_units(runner, sample_corpus, tmp_path):
    (sample_corpus / "title_only.txt").write_text("Title only\n", encoding="utf-8")
    db = str(tmp_path / "t.db")
    result = runner.invoke(main, ["ingest", str(sample_corpus), "--db", db])
    assert result.exit_code == 0, result.output
    assert "3 article(s) added" in result.output
    assert (
        "1 article(s) have no claim units (only a title or page chrome): title_only.txt"
        in result.output.splitlines()
    )
    again = runner.invoke(main, ["ingest", str(sample_corpus), "--db", db])
    assert "no claim units" not in again.output  # said once, when it was added


@pytest.mark.parametrize(
    "env",
    [
        {},
        {"FORCE_COLOR": "1"},
        {"FORCE_COLOR": ""},
        {"TTY_COMPATIBLE": "1"},
        {"TTY_COMPATIBLE": "0"},
    ],
)
def test_ingest_draws_its_bar_where_rich_would(monkeypatch, env):
    """Whether stderr takes the progress bar is decided without importing rich, as rich
    decides it (here stderr is not a terminal)."""
    from rich.console import Console

    from annotate.cli import _stderr_is_terminal

    for name in ("FORCE_COLOR", "TTY_COMPATIBLE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert _stderr_is_terminal() == Console(stderr=True).is_terminal
