"""Merging and splitting claims in the app, driven through Pilot; asserts on the database.

Checks offsets stay exact (``cleaned[start:end] == text``), labels carry over where a
unit's text is unchanged and are kept as orphans where it is not, every edit leaves
history and segment_edits rows, and undo puts units and labels back.
"""

from __future__ import annotations

import asyncio
import functools
import sqlite3

import pytest
from helpers.tui import save_split

from annotate.model import SENTENCE
from annotate.store import Store
from annotate.tui.app import AnnotateApp, make_app
from annotate.tui.screens.split import SplitScreen, halves, likely_split

WHO = "tester"

TEXT = """The ministers met on Monday in Brussels, officials said. They agreed on a budget. \
Critics were not convinced.

A second paragraph starts here. It has two sentences.
"""


def pilot(test):
    """Run an async Pilot test on a fresh event loop (no pytest async plugin needed)."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        asyncio.run(test(*args, **kwargs))

    return run


@pytest.fixture
def db(db_path):
    with Store.open(db_path) as store:
        save_split(store, "a.txt", TEXT)
    return db_path


def units(db) -> list[tuple[str, int, int]]:
    """(text, start, end) of every claim unit in reading order, checked against cleaned."""
    conn = sqlite3.connect(db)
    cleaned = conn.execute("SELECT cleaned FROM articles").fetchone()[0]
    rows = conn.execute(
        "SELECT text, start, end, seq FROM units WHERE kind = ? ORDER BY seq", (SENTENCE,)
    ).fetchall()
    conn.close()
    for text, start, end, _ in rows:
        assert cleaned[start:end] == text
    return [(r[0], r[1], r[2]) for r in rows]


def query(db, sql: str) -> list[tuple]:
    conn = sqlite3.connect(db)
    rows = conn.execute(sql).fetchall()
    conn.close()
    return rows


def texts(db) -> list[str]:
    return [u[0] for u in units(db)]


async def ready(app: AnnotateApp, pilot) -> None:
    """Until the screen's count worker has reported (it may start after the first paint,
    so one wait for the workers can return before it has begun: on a loaded machine the
    counters were still 0)."""
    for _ in range(500):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if app.session.claims:
            return
    raise AssertionError("the app never counted the claims")


@pilot
async def test_merge_then_undo(db):
    app = make_app(db_path=db, annotator=WHO)
    async with app.run_test() as pilot:
        await ready(app, pilot)
        assert app.session.unit.text.startswith("The ministers met")
        claims = app.session.claims
        await pilot.press("m")
        await pilot.pause()
        merged = "The ministers met on Monday in Brussels, officials said. They agreed on a budget."
        assert texts(db)[0] == merged
        assert app.session.unit.text == merged
        assert app.session.claims == claims - 1
        [(action, before, after, who)] = query(
            db, "SELECT action, before, after, annotator FROM segment_edits"
        )
        assert (action, who) == ("merge-units", WHO) and "They agreed" in before
        actions = [r[0] for r in query(db, "SELECT action FROM history ORDER BY id")]
        assert actions == ["merge-units"] * 3  # two units went, one came
        await pilot.press("u")
        await pilot.pause()
        assert texts(db)[:2] == [
            "The ministers met on Monday in Brussels, officials said.",
            "They agreed on a budget.",
        ]
        assert app.session.claims == claims
        assert query(db, "SELECT undone_at IS NOT NULL FROM segment_edits") == [(1,)]
        undone = "SELECT count(*) FROM history WHERE action = 'undo-merge-units'"
        assert query(db, undone) == [(3,)]


@pilot
async def test_merge_keeps_labels_of_unchanged_units_and_orphans_the_others(db):
    app = make_app(db_path=db, annotator=WHO)
    async with app.run_test() as pilot:
        await ready(app, pilot)
        await pilot.press("1", "2", "3")  # label the first paragraph's three claims
        await pilot.press("k", "k", "k")  # back to the first
        await pilot.pause()
        assert app.session.unit.text.startswith("The ministers")
        assert app.session.labelled == 3
        await pilot.press("m")
        await pilot.pause()
        # The merged unit is new: unlabelled; the third keeps its label; two are orphans.
        assert app.session.state.label is None
        assert app.session.labelled == 1
        with Store.open(db) as store:
            assert store.labelled_count(WHO) == 1
            orphans = store.orphan_labels()
        assert sorted((o.label, o.text) for o in orphans) == [
            ("attributed", "The ministers met on Monday in Brussels, officials said."),
            ("unattributed", "They agreed on a budget."),
        ]
        labelled = query(
            db, "SELECT u.text, l.label FROM labels l JOIN units u ON u.id = l.unit_id"
        )
        assert labelled == [("Critics were not convinced.", "editorial")]
        # Undo brings the two units back, and with them their labels (never deleted).
        await pilot.press("u")
        await pilot.pause()
        assert app.session.labelled == 3 and app.session.state.label == "attributed"
        with Store.open(db) as store:
            assert store.labelled_count(WHO) == 3 and store.orphan_labels() == []


@pilot
async def test_split_at_the_cursor_then_undo(db):
    app = make_app(db_path=db, annotator=WHO)
    async with app.run_test() as pilot:
        await ready(app, pilot)
        await pilot.press("m")  # make a unit worth splitting
        await pilot.press("1")  # and label it
        await pilot.press("k")
        await pilot.pause()
        whole = app.session.unit.text
        assert whole.endswith("budget.") and app.session.state.label == "attributed"
        await pilot.press("S")
        await pilot.pause()
        assert isinstance(app.screen, SplitScreen)
        # The cursor starts after the first sentence end; move it one word on and back.
        await pilot.press("ctrl+right", "ctrl+left")
        await pilot.press("enter")
        await pilot.pause()
        assert texts(db)[:2] == [
            "The ministers met on Monday in Brussels, officials said.",
            "They agreed on a budget.",
        ]
        assert app.session.unit.text.startswith("The ministers") and app.session.state.label is None
        [(action, before, after)] = query(
            db, "SELECT action, before, after FROM segment_edits ORDER BY seq DESC LIMIT 1"
        )
        assert action == "split-unit" and '"start": ' in after
        assert query(db, "SELECT count(*) FROM history WHERE action = 'split-unit'") == [(3,)]
        await pilot.press("u")
        await pilot.pause()
        assert texts(db)[0] == whole and app.session.state.label == "attributed"


@pilot
async def test_split_is_cancelled_with_escape(db):
    app = make_app(db_path=db, annotator=WHO)
    async with app.run_test() as pilot:
        await ready(app, pilot)
        before = units(db)
        await pilot.press("S")
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert units(db) == before and query(db, "SELECT count(*) FROM segment_edits") == [(0,)]


@pilot
async def test_merge_at_the_end_of_a_paragraph_is_refused(db):
    app = make_app(db_path=db, annotator=WHO)
    async with app.run_test() as pilot:
        await ready(app, pilot)
        await pilot.press("j", "j")  # "Critics were not convinced.": last of its paragraph
        await pilot.pause()
        before = units(db)
        await pilot.press("m")
        await pilot.pause()
        assert units(db) == before


def test_likely_split_and_halves():
    text = "He said it was over.The talks went on."
    at = likely_split("He left. She stayed.")
    assert "He left. She stayed."[at:] == "She stayed."
    assert halves(text, text.index("The")) == ("He said it was over.", "The talks went on.")
    assert halves("a  b", 2) == ("a", "b")


@pilot
async def test_the_split_pop_up_keys_can_be_remapped(db, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"split.confirm" = "f3"\n"split.cancel" = "f2"\n')
    app = make_app(db_path=db, annotator=WHO, config=config)
    async with app.run_test() as pilot:
        await ready(app, pilot)
        await pilot.press("m", "S")
        await pilot.pause()
        await pilot.press("f2")
        await pilot.pause()
        assert not isinstance(app.screen, SplitScreen)
        await pilot.press("S")
        await pilot.pause()
        await pilot.press("f3")
        await pilot.pause()
        assert query(db, "SELECT count(*) FROM segment_edits WHERE undone_at IS NULL") == [(2,)]
