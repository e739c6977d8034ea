"""The app against hostile input and faults: odd file names, a lock held elsewhere, a full
disk, a damaged database, a keymap naming no key. Nothing leaks to the terminal, nothing
hangs, nothing stored is lost; each problem is one line for the annotator.
"""

from __future__ import annotations

import sqlite3

import pytest
from click.testing import CliRunner
from helpers.tui import ARTICLES, app_for, labels, pilot, rendered, save, settle

from annotate.cli import main
from annotate.store import Store
from annotate.tui import app as app_module
from annotate.tui.screens import label as label_module
from annotate.tui.screens.label import WAITING
from annotate.tui.widgets.claim import MessageLine, StatusBar


@pytest.fixture
def db(db_path):
    """The two articles of tests/test_tui.py."""
    with Store.open(db_path) as store:
        for path, (title, blocks) in ARTICLES.items():
            save(store, path, title, blocks)
    return db_path


def notifications(app) -> list:
    return list(app._notifications)


def corpus_with_empty_file(tmp_path, name: str):
    """A corpus of one article and an empty file (skipped by ingest) named ``name``."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "ok.txt").write_text("A title\n\nThe agency said talks would go on.\n")
    (corpus / name).write_text("")
    return corpus


async def ingested(app, pilot) -> None:
    """Wait until the app's ingest is over and its report shown."""
    await app.workers.wait_for_complete()
    while app.label_screen.query_one("#ingest").display:
        await pilot.pause(0.05)
    await pilot.pause()


@pilot
async def test_skipped_file_names_are_shown_escaped_never_as_markup(db_path, tmp_path):
    app = app_for(db_path, corpus=corpus_with_empty_file(tmp_path, "\x1b[31mred[bold]x\x07.txt"))
    async with app.run_test() as pilot:
        await ingested(app, pilot)
        [note] = [n for n in notifications(app) if n.title == "Ingest"]
    assert not note.markup
    assert "\x1b" not in note.message and "\x07" not in note.message
    assert "\\x1b[31mred[bold]x\\x07.txt: empty file" in note.message


@pilot
async def test_an_ingest_with_skipped_files_says_what_was_ingested_in_the_message_line(
    db_path, tmp_path
):
    app = app_for(db_path, corpus=corpus_with_empty_file(tmp_path, "blank.txt"))
    async with app.run_test() as pilot:
        await ingested(app, pilot)
        [note] = [n for n in notifications(app) if n.title == "Ingest"]
        line = rendered(app, MessageLine)
    # The toast holds what needs a look, the message line what was ingested: on a small
    # terminal the toast covers less of the claim.
    assert "blank.txt: empty file" in note.message
    assert "Ingested" not in note.message and "The database holds" not in note.message
    assert "Ingested" in line


def hold_write_lock(db_path) -> sqlite3.Connection:
    """Another process's connection holding the write lock (until rollback)."""
    other = sqlite3.connect(db_path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    return other


@pilot
async def test_a_lock_held_elsewhere_keeps_the_decision_and_writes_it_once_freed(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        first = app.session.unit.id
        other = hold_write_lock(db)
        await pilot.press("1")
        screen = app.label_screen
        assert screen.pending is not None
        assert WAITING in rendered(app, StatusBar)
        assert app.session.unit.id == first  # still on it: nothing is shown as labelled
        await pilot.press("2")  # refused while waiting, with a word, and the app answers
        assert "That key did nothing" in rendered(app, MessageLine)
        assert labels(db) == {}
        other.execute("ROLLBACK")
        other.close()
        await app.workers.wait_for_complete()
        await pilot.pause()
        assert screen.pending is None
        assert WAITING not in rendered(app, StatusBar)
        assert list(labels(db).values()) == [("attributed", None, 0)]
        assert app.session.unit.id != first  # and the next claim shows


@pilot
async def test_quitting_while_the_lock_is_held_says_what_was_not_saved(db, monkeypatch):
    monkeypatch.setattr(label_module, "QUIT_LOCK_WAIT", 0.05)
    app = app_for(db)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        await pilot.press("x")
        await pilot.press("1")
        other = hold_write_lock(db)
        await pilot.press("2")
        assert app.label_screen.pending is not None
        await pilot.press("q")
        await pilot.pause()
    other.execute("ROLLBACK")
    other.close()
    assert app.return_code == 1
    assert "Not saved: the label unattributed" in app.farewell
    assert sorted(v[0] for v in labels(db).values()) == ["attributed", "not_claim"]


def fill_the_database(conn: sqlite3.Connection) -> None:
    """Let the database grow no more, and fill the free room in its label pages with the
    smallest rows there are, so the next label written needs a page it cannot have."""
    pages = conn.execute("PRAGMA page_count").fetchone()[0]
    conn.execute(f"PRAGMA max_page_count = {pages}")
    unit = conn.execute("SELECT id FROM units LIMIT 1").fetchone()[0]
    for table, sql in (
        ("labels", "INSERT INTO labels (unit_id, annotator, flagged) VALUES (?, ?, 0)"),
        ("history", "INSERT INTO history (at, annotator, unit_id, action) VALUES ('', ?, ?, '')"),
    ):
        for i in range(100_000):
            args = (unit, f"{i}") if table == "labels" else (f"{i}", unit)
            try:
                conn.execute(sql, args)
            except sqlite3.OperationalError as e:
                assert "full" in str(e)
                break


@pilot
async def test_a_full_disk_is_one_line_and_the_app_stays_up(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        await pilot.press("x")
        saved = labels(db)
        fill_the_database(app.store.conn)
        unit = app.session.unit.id
        await pilot.press("1")
        await pilot.pause()
        [note] = [n for n in notifications(app) if "disk full" in n.message]
        assert note.message.startswith("Not saved (disk full)")
        assert app.session.unit.id == unit and app.session.state.label is None
        assert app.is_running
        await pilot.press("u")  # undo needs a write too: refused, kept for later
        assert len(app.session.undo_stack) == 1
        app.store.conn.execute("PRAGMA max_page_count = 1000000")
        await pilot.press("1")
    assert labels(db) == saved | {k: v for k, v in labels(db).items() if v[0] == "attributed"}
    assert sorted(v[0] for v in labels(db).values()) == ["attributed", "not_claim"]


def test_a_damaged_database_is_one_line_and_a_non_zero_exit(db):
    data = bytearray(db.read_bytes())
    data[4096 * 2 : 4096 * 6] = bytes(range(256)) * 64  # pages of garbage past the header
    db.write_bytes(bytes(data))
    result = CliRunner().invoke(main, ["open", "--db", str(db)])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    [line] = result.output.strip().splitlines()
    assert line.startswith("Error: ") and "damaged" in line and str(db) in line


@pilot
async def test_a_database_found_damaged_while_labelling_ends_the_app_in_one_line(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await settle(app, pilot)

        def damaged(_store):
            raise sqlite3.DatabaseError("database disk image is malformed")

        # a worker's walk of the queue reads a damaged page
        app.label_screen.walk(damaged, None, "")
        for _ in range(100):
            if app.farewell is not None:
                break
            await pilot.pause(0.02)
    assert app.return_code == 1
    assert "the database file is damaged" in app.farewell


def test_real_key_names_are_accepted():
    for name in ("a", "F", "1", "ctrl+s", "f5", "space", "question_mark", "slash", "shift+tab"):
        assert app_module.is_key_name(name), name
    for name in ("notakey!!", "ctrl+shift+banana", "banana", "ctrl+", "hyper+hyper+a", ""):
        assert not app_module.is_key_name(name), name


@pilot
async def test_quitting_during_ingest_stops_the_child_process(db_path, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for i in range(300):
        (corpus / f"a{i:03d}.txt").write_text(f"Title {i}\n\nThe agency said talk {i} went on.\n")
    app = app_for(db_path, corpus=corpus)
    async with app.run_test() as pilot:
        for _ in range(200):
            if app._ingest_process is not None:
                break
            await pilot.pause(0.02)
        child = app._ingest_process
        await pilot.press("q")
    assert child.wait(timeout=10) is not None  # ended, not left behind
