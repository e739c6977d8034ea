"""Adjudication mode through Pilot: disagreements built in a test database, settled with a
reason, undone; assertions on the adjudications table and history."""

from __future__ import annotations

import pytest
from helpers.tui import ARTICLES, claim_plain, pilot, save, settle
from textual.binding import Binding

from annotate.model import SENTENCE
from annotate.store import Store
from annotate.tui.app import AnnotateApp, make_app
from annotate.tui.screens.adjudicate import AdjudicateScreen, Reviews, reviews_text


@pytest.fixture
def disputed(db_path):
    """Alice labels every claim attributed; bob disagrees on the 1st and 3rd, with a note."""
    with Store.open(db_path) as store:
        for path, (title, blocks) in ARTICLES.items():
            save(store, path, title, blocks)
        claims = [
            u["id"]
            for path in ARTICLES
            for u in store.units_of_article(path)
            if u["kind"] == SENTENCE
        ]
        for uid in claims:
            store.set_label(uid, "alice", "attributed")
        store.set_label(claims[0], "bob", "unattributed")
        store.set_label(claims[1], "bob", "attributed")
        store.set_label(claims[2], "bob", "editorial")
        store.set_note(claims[2], "bob", "[bold]could signal[/] is opinion")
    return db_path, claims


def adjudicator_app(db) -> AnnotateApp:
    return make_app(db_path=db, annotator="carol", adjudicate=True)


def adjudications(db) -> dict[str, tuple]:
    with Store.open(db) as store:
        rows = store.conn.execute("SELECT unit_id, label, reason, adjudicator FROM adjudications")
        return {r[0]: tuple(r[1:]) for r in rows}


def status(app: AnnotateApp) -> str:
    return str(app.screen.query_one("#adjudicate-status").render())


@pilot
async def test_adjudicate_with_a_reason_then_undo(disputed):
    db, claims = disputed
    app = adjudicator_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, AdjudicateScreen)
        assert "disagreement 1 of 2 · 2 left" in status(app)
        assert "\n\nNASA's new administrator held" in claim_plain(app)  # under its subheading
        reviews = str(screen.query_one(Reviews).render())
        assert "alice" in reviews and "attributed" in reviews and "unattributed" in reviews
        assert "not adjudicated yet" in reviews

        await pilot.press("1", *"names Roscosmos", "enter")
        assert adjudications(db) == {claims[0]: ("attributed", "names Roscosmos", "carol")}
        assert "disagreement 2 of 2 · 1 left" in status(app)
        # The annotator's note is shown as written, never read as markup.
        assert "note: [bold]could signal[/] is opinion" in str(screen.query_one(Reviews).render())

        await pilot.press("3", "enter")  # an empty reason is allowed
        assert adjudications(db)[claims[2]] == ("editorial", None, "carol")
        assert "0 left" in status(app)

        await pilot.press("u")  # back to the claim undone, without an adjudication
        assert claims[2] not in adjudications(db)
        assert screen.walk.current.unit_id == claims[2]
        assert "1 left" in status(app)
    # Raw labels are untouched; every step is in history under the adjudicator's name.
    with Store.open(db) as store:
        assert store.label_state(claims[0], "bob").label == "unattributed"
        actions = [(h["action"], h["label"]) for h in store.history("carol")]
    assert actions == [("undo", None), ("adjudicate", "editorial"), ("adjudicate", "attributed")]


@pilot
async def test_escape_at_the_reason_records_nothing(disputed):
    db, _ = disputed
    app = adjudicator_app(db)
    async with app.run_test() as pilot:
        await pilot.press("2", *"why", "escape")
        assert adjudications(db) == {}
        assert isinstance(app.screen, AdjudicateScreen)


@pilot
async def test_undo_restores_an_earlier_adjudication_exactly(disputed):
    db, claims = disputed
    with Store.open(db) as store:
        store.set_adjudication(claims[0], "editorial", "first pass", "dave")
    app = adjudicator_app(db)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        assert app.screen.walk.current.unit_id == claims[2]  # starts at the open one
        await pilot.press("left")  # a settled one can be revisited and changed
        assert "final: editorial by dave" in str(app.screen.query_one(Reviews).render())
        await pilot.press("1")
        assert app.screen.query_one("Input").value == "first pass"  # the reason to revise
        await pilot.press("enter")
        assert adjudications(db)[claims[0]] == ("attributed", "first pass", "carol")
        await pilot.press("u")
    assert adjudications(db)[claims[0]] == ("editorial", "first pass", "dave")


@pilot
async def test_nothing_to_adjudicate_says_so(db_path):
    with Store.open(db_path) as store:
        for path, (title, blocks) in ARTICLES.items():
            save(store, path, title, blocks)
    app = adjudicator_app(db_path)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        assert "Nothing to adjudicate" in claim_plain(app)
        assert "two annotators" in claim_plain(app)
        await pilot.press("1", "u", "right")  # nothing to act on: nothing happens
        assert isinstance(app.screen, AdjudicateScreen)
    assert adjudications(db_path) == {}


def test_reviews_text_lists_every_annotator_and_the_final_label(disputed):
    db, claims = disputed
    with Store.open(db) as store:
        store.set_adjudication(claims[0], "attributed", "r", "carol")
        [d, _] = store.disagreements()
    plain = reviews_text(d).plain.splitlines()
    assert plain[0].startswith("alice") and "attributed" in plain[0]
    assert plain[1].startswith("bob") and "unattributed" in plain[1]
    assert plain[2] == "final: attributed by carol · reason: r"


def test_more_binding_ids_are_the_ones_the_screens_declare():
    from annotate.tui.app import MORE_BINDING_IDS, binding_ids
    from annotate.tui.screens.prompt import ReasonScreen, SourceScreen

    declared = {
        b.id
        for s in (AdjudicateScreen, ReasonScreen, SourceScreen)
        for b in Binding.make_bindings(s.BINDINGS)
        if b.id
    }
    assert set(MORE_BINDING_IDS) <= declared <= binding_ids()


def test_adjudicate_screen(disputed, snap_compare):
    """Layout: the claim, each annotator's label and note, the final label, the position."""

    async def run_before(pilot) -> None:
        await pilot.app.workers.wait_for_complete()  # the first open one is found
        await pilot.pause()
        await pilot.press("right")
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()

    db, _ = disputed
    assert snap_compare(adjudicator_app(db), terminal_size=(100, 24), run_before=run_before)


@pilot
async def test_the_first_open_disagreement_is_found_in_a_worker(disputed, monkeypatch):
    from helpers.tui import spy

    db, claims = disputed
    with Store.open(db) as store:
        store.set_adjudication(claims[0], "attributed", "r", "carol")
    app = adjudicator_app(db)
    pages = spy(monkeypatch, app.store, "disagreements")
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        assert pages == []  # read on the worker's connection, not the UI thread's
        assert app.screen.walk.current.unit_id == claims[2]
        assert "disagreement 2 of 2 · 1 left" in status(app)
        await pilot.press("3", "enter")
    assert adjudications(db)[claims[2]] == ("editorial", None, "carol")


@pilot
async def test_a_lock_held_elsewhere_is_one_line_and_nothing_is_adjudicated(disputed):
    import sqlite3

    db, _claims = disputed
    app = adjudicator_app(db)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(app, pilot)
        other = sqlite3.connect(db, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")
        await pilot.press("1", "enter")
        await pilot.pause()
        assert any("Not saved" in n.message for n in app._notifications)
        assert app.is_running
        other.execute("ROLLBACK")
        other.close()
        await pilot.press("1", "enter")  # once the lock is free, the same key works
        await pilot.pause()
    assert [v[0] for v in adjudications(db).values()] == ["attributed"]
