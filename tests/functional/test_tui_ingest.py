"""The app's first ingest through Pilot: a progress line from the first paint, and keys
pressed before the first claim is in answered with a word instead of dropped."""

from __future__ import annotations

from helpers.tui import app_for, labels, pilot, settle
from textual.geometry import Region
from textual.widgets import Static

from annotate.ingest import Progress
from annotate.tui.messages import IngestEvent
from annotate.tui.screens.label import LabelScreen
from annotate.tui.widgets.claim import MessageLine


def ingest_line(app) -> str:
    """The ingest line under the progress, as it is drawn."""
    line = app.label_screen.query_one("#ingest", Static)
    return " ".join(strip.text.strip() for strip in line.render_lines(Region(0, 0, *line.size)))


@pilot
async def test_the_ingest_line_shows_from_the_first_paint_and_keys_get_a_word(
    db_path, sample_corpus, monkeypatch
):
    # The child process is not started: the screen is seen as it is before any event.
    monkeypatch.setattr(LabelScreen, "ingest", lambda self, corpus: None)
    app = app_for(db_path, corpus=sample_corpus)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = app.label_screen
        assert screen.query_one("#ingest").display
        assert ingest_line(app).startswith("Ingesting corpus")
        assert "listing files…" in ingest_line(app)
        await pilot.press("1")  # no claim yet: said, not dropped without a word
        message = screen.query_one(MessageLine).plain
        assert message == "! No claim yet: listing the corpus; keys work once a claim shows."
        screen.post_message(IngestEvent([Progress(0, 143, ""), Progress(3, 143, "a.txt")]))
        await pilot.pause()
        assert "3/143 files" in ingest_line(app)
        await pilot.press("x")
        assert "No claim yet: ingest at 3/143 files;" in screen.query_one(MessageLine).plain
        await pilot.press("question_mark")  # keys that need no claim work as ever
        assert app.screen is not screen
    assert labels(db_path) == {}


@pilot
async def test_without_ingest_a_key_on_an_empty_database_says_nothing_new(db_path):
    app = app_for(db_path)
    async with app.run_test() as pilot:
        await pilot.press("1")
        assert app.label_screen.query_one(MessageLine).plain == ""
        assert not app.label_screen.query_one("#ingest").display


@pilot
async def test_the_first_claim_shows_once_ingested_and_the_line_goes(db_path, sample_corpus):
    app = app_for(db_path, corpus=sample_corpus)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        assert app.session.unit is not None
        assert not app.label_screen.query_one("#ingest").display
        await pilot.press("1")
        assert "No claim yet" not in app.label_screen.query_one(MessageLine).plain
    assert len(labels(db_path)) == 1
