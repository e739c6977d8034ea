"""Finding one's way on the labelling screen: search as you type with pages and labels,
the filter chooser's counts, progress with rate and time left, the article list's
done/total, annotate's commands in the palette and the settings they save."""

from __future__ import annotations

import os
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from helpers.tui import WHO, app_for, current, labels, pilot, rendered, save, settle

from annotate.store import Store
from annotate.tui.screens import search
from annotate.tui.widgets.claim import StatusBar


async def typed(app, pilot, text: str) -> None:
    """Type into the search box and wait for the debounced search and its workers."""
    await pilot.press(*text)
    await pilot.pause(search.DEBOUNCE + 0.1)
    await settle(app, pilot)


def status(app) -> str:
    return str(app.screen.query_one("#search-status").render())


def results(app) -> list[str]:
    options = app.screen.query_one("#results")
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


@pilot
async def test_search_runs_as_you_type_with_each_result_s_label(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await pilot.press("2")  # "NASA's new administrator…" is labelled unattributed
        await pilot.press("slash")
        await typed(app, pilot, "talks")
        assert status(app) == "2 results for “talks”"
        shown = results(app)
        assert shown[0].startswith("unlabelled") and "The talks were" in shown[0]
        assert shown[1].startswith("unlabelled") and "Such talks" in shown[1]
        await pilot.press(*["backspace"] * 5)
        await typed(app, pilot, "NASA")  # typed on: the newer search replaces the older
        assert status(app) == "1 result for “NASA”"
        assert results(app)[0].startswith("unattributed")
        assert app.screen.query_one("#search-input").has_focus  # typing goes on
        await pilot.press("down", "enter")
        assert current(app) == "NASA's new administr"


@pilot
async def test_search_pages_say_how_many_and_load_more_on_demand(db, monkeypatch):
    with Store.open(db) as store:
        save(store, "more.txt", "More", [[f"Sentence {n} of the filler." for n in range(7)]])
    monkeypatch.setattr(search, "PAGE", 3)
    app = app_for(db)
    async with app.run_test(size=(100, 40)) as pilot:
        await pilot.press("slash")
        await typed(app, pilot, "filler")
        assert status(app) == "first 3 of 7 for “filler” · ↓ for more"
        assert len(app.screen.shown) == 3
        await pilot.press("down")  # into the results
        await pilot.press("down", "down")  # onto the last one: the next page comes
        await settle(app, pilot)
        assert len(app.screen.shown) == 6
        assert status(app) == "first 6 of 7 for “filler” · ↓ for more"
        await pilot.press("down", "down", "down")  # onto the sixth: the last page comes
        await settle(app, pilot)
        assert status(app) == "7 results for “filler”"
        await pilot.press("down", "enter")
        assert current(app) == "Sentence 6 of the fi"
        await pilot.press("1")
    assert labels(db) == {"Sentence 6 of the fi": ("attributed", None, 0)}


@pilot
async def test_the_filter_chooser_shows_each_filter_s_count(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await pilot.press("1", "1", "f", "3")  # two attributed, a flag, one editorial
        await pilot.press("F")
        await settle(app, pilot)
        options = app.screen.query_one("#filters")
        shown = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert [" ".join(line.split()) for line in shown] == [
            "all 6",
            "unlabelled 3",
            "attributed 2",
            "unattributed 0",
            "editorial 1",
            "not claim 0",
            "flagged 1",
            "noted 0",
        ]
        await pilot.press("down", "down", "enter")  # attributed
        assert app.session.only == "attributed"


@pilot
async def test_the_article_list_shows_done_of_total_for_every_article(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await pilot.press("1", "2", "a")  # two of space.txt's five claims
        await settle(app, pilot)
        table = app.screen.query_one("DataTable")
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == ["2/5", "0/1"]
        await pilot.press("down", "enter", "x", "a")  # station.txt's one claim: done
        await settle(app, pilot)
        table = app.screen.query_one("DataTable")
        assert [str(table.get_row_at(i)[0]) for i in range(table.row_count)] == ["2/5", "✓ 1/1"]


def label_a_minute_apart(db, count: int) -> None:
    """Label the first ``count`` claims, as if one a minute up to now (history's times)."""
    with Store.open(db) as store:
        ids = [u.id for u, _ in store.search_page("", WHO, limit=count)]
        for unit_id in ids:
            store.set_label(unit_id, WHO, "attributed")
    conn = sqlite3.connect(db)
    now = datetime.now(UTC)
    for n, (row,) in enumerate(conn.execute("SELECT id FROM history ORDER BY id DESC").fetchall()):
        at = (now - timedelta(minutes=n)).isoformat().replace("+00:00", "Z")
        conn.execute("UPDATE history SET at = ? WHERE id = ?", (at, row))
    conn.commit()
    conn.close()


@pilot
async def test_progress_shows_the_share_the_pace_and_the_time_left(db):
    label_a_minute_apart(db, 3)  # three decisions over two minutes: 60 an hour
    app = app_for(db)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        line = rendered(app, StatusBar).splitlines()[1]
        assert line.endswith("3/6 labelled · 50% · 60/h · ~3 min left · tester")
    app = app_for(db)
    async with app.run_test(size=(60, 15)) as pilot:
        await settle(app, pilot)
        line = rendered(app, StatusBar).splitlines()[1]
        assert line.endswith("3/6 · 50% · 60/h · ~3m left · tester")  # shorter at 60


async def palette(app, pilot, command: str) -> None:
    """Run a command from the palette (ctrl+p) by typing it and pressing enter."""
    await pilot.press("ctrl+p")
    await pilot.pause(0.2)
    await pilot.press(*command)
    await pilot.pause(0.5)  # the palette searches its providers as one types
    await pilot.press("enter")
    await settle(app, pilot)


def config_file() -> Path:
    """The default config file (in the tests' own home folder)."""
    return Path(os.environ["XDG_CONFIG_HOME"]) / "annotate" / "config.toml"


@pilot
async def test_palette_commands_jump_filter_search_and_export(db):
    app = app_for(db)
    async with app.run_test(size=(120, 36)) as pilot:
        await palette(app, pilot, "jump to article: ISS remains")
        assert current(app) == "But bad weather push"
        await pilot.press("1")
        await palette(app, pilot, "filter: attributed")
        assert app.session.only == "attributed"
        await palette(app, pilot, "export labels as jsonl")
        line = app.label_screen.query_one("#message").plain
        assert "Wrote 1 row(s) to exports/annotations-" in line and line.endswith(".jsonl")
        assert len(list(Path("exports").glob("*.jsonl"))) == 1  # in the cwd, as the CLI's
        await palette(app, pilot, "search claims")
        assert type(app.screen).__name__ == "SearchScreen"


@pilot
async def test_the_theme_and_the_strip_are_saved_and_restored(db):
    app = app_for(db)
    async with app.run_test(size=(120, 36)) as pilot:
        strip = app.label_screen.query_one("#decisions")
        assert strip.display
        await palette(app, pilot, "hide the decision strip")
        assert not strip.display
        app.theme = "nord"  # as Textual's own "Theme" command sets it
        await pilot.pause()
    text = config_file().read_text()
    assert "decisions = false" in text and 'theme = "nord"' in text
    app = app_for(db)
    async with app.run_test(size=(120, 36)) as pilot:
        assert app.theme == "nord"
        assert not app.label_screen.query_one("#decisions").display
        await pilot.press("h")  # h still opens it
        assert app.label_screen.query_one("#decisions").display


@pilot
async def test_a_bad_saved_setting_falls_back_with_a_word(db):
    config_file().parent.mkdir(parents=True)
    config_file().write_text('[ui]\ntheme = "no-such-theme"\n')
    app = app_for(db)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert app.theme == "textual-dark"
        line = app.label_screen.query_one("#message").plain
        assert line.endswith("'no-such-theme' in the config is not a theme; using textual-dark")
    config_file().write_text("[ui]\ndecisions = 2\n")
    app = app_for(db)
    async with app.run_test() as pilot:
        await pilot.pause()
        assert (
            "'decisions' in [ui] must be true or false"
            in app.label_screen.query_one("#message").plain
        )
