"""The labelling screen's feedback (issue 16): one message line, toasts only for what
needs attention."""

from __future__ import annotations

import pytest
from helpers.tui import app_for, current, labels, pilot, rendered, settle
from rich.console import Console
from textual.widgets import Markdown

from annotate.tui.screens.guidelines import GuidelinesScreen, sheet_table
from annotate.tui.widgets.claim import MessageLine, StatusBar
from annotate.tui.widgets.decisions import DecisionList
from annotate.tui.widgets.keys import KeyBar, KeyEntry, fit


def message(app) -> str:
    return rendered(app, MessageLine)


@pilot
async def test_keys_after_the_last_claim_never_stack_toasts(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        await pilot.press(*"123x11")  # all six claims labelled
        for _ in range(7):
            await pilot.press("n")
        await pilot.pause()
        assert list(app._notifications) == []
        assert message(app) == "! Every claim is labelled."
        await pilot.press("right")
        assert message(app) == "! This is the last claim."  # the latest wins


@pilot
async def test_the_message_line_is_its_own_row_under_the_claim_and_above_the_counter(db):
    app = app_for(db)
    async with app.run_test(size=(60, 15)) as pilot:
        await settle(app, pilot)
        await pilot.press("left")  # already on the first claim
        line = app.screen.query_one(MessageLine).region
        counter = app.screen.query_one(StatusBar).region
        assert line.height == 1 and line.bottom <= counter.y
        assert "first claim" in message(app)
        assert list(app._notifications) == []


@pilot
async def test_a_long_message_is_cut_with_an_ellipsis_never_wrapped(db):
    app = app_for(db)
    async with app.run_test(size=(60, 15)) as pilot:
        await settle(app, pilot)
        await pilot.press("1", "u")
        line = app.screen.query_one(MessageLine)
        shown = line.render().plain
        assert shown.startswith("· Undid attributed") and shown.endswith("…")
        assert len(shown) == line.content_size.width


@pilot
async def test_moving_on_clears_a_message_about_the_claim_left(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        await pilot.press("left")
        assert "first claim" in message(app)
        await pilot.press("right")
        assert message(app) == ""


# -- the key bar and the help screen -------------------------------------------------------

NEXT_STEP = ("1 ", "2 ", "3 ", "x ", "s ", "n ", "? ", "q ")


def key_bar(app) -> str:
    return app.screen.query_one(KeyBar).plain


@pytest.mark.parametrize("width", [60, 80, 120])
@pilot
async def test_the_key_bar_fits_and_shows_the_next_step_keys(db, width):
    app = app_for(db)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(app, pilot)
        bar = key_bar(app)
        assert len(bar) <= width
        for key in NEXT_STEP:
            assert key in bar + " ", key


@pilot
async def test_the_key_bar_keeps_only_the_keys_at_a_tiny_width(db):
    app = app_for(db)
    async with app.run_test(size=(40, 12)) as pilot:
        await settle(app, pilot)
        assert key_bar(app).startswith("1 2 3 x s n ? q")


@pilot
async def test_a_remapped_key_keeps_its_place_in_the_key_bar_and_the_guidelines(db, tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[keymap]\n"label.attributed" = "a"\n"articles" = "l"\n')
    app = app_for(db, config=config)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert key_bar(app).startswith("a Attributed 2 Unattributed")
        await pilot.press("question_mark")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, GuidelinesScreen)
        assert ("a", "Attributed") == screen.sheet[0]  # the sheet, first, has the keys in effect
        assert ("l", "Articles") in screen.sheet
        source = screen.query_one(Markdown).source  # the guidelines name them too
        assert "| `a` | **attributed** |" in source
        assert "| `1` | **attributed** |" not in source


@pilot
async def test_the_key_sheet_is_first_and_fits_one_screen_at_80x24(db):
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        sheet = app.screen.query_one("#key-sheet")
        assert sheet.region.y <= 1 and sheet.region.bottom <= 24 - 1  # above the footer
        shown = rendered_sheet(app)
        for key in ("Attributed", "s, ⏎", "Accept suggestion", "Help", "Search", "Quit"):
            assert key in shown, key


def rendered_sheet(app) -> str:
    console = Console(width=80, color_system=None)
    with console.capture() as capture:
        console.print(sheet_table(app.screen.sheet))
    return capture.get()


def test_fit_drops_optional_keys_before_it_shortens_essential_ones_to_keys_alone():
    entries = [
        KeyEntry("a", "1", "Attributed", "attr", True),
        KeyEntry("b", "u", "Undo", "undo", False),
        KeyEntry("c", "?", "Help", "help", True),
    ]
    assert [d for _, d in fit(entries, 100)] == ["Attributed", "Undo", "Help"]
    assert [d for _, d in fit(entries, 20)] == ["Attributed", "Help"]
    assert [d for _, d in fit(entries, 13)] == ["attr", "help"]
    assert [(e.key, d) for e, d in fit(entries, 5)] == [("1", ""), ("u", ""), ("?", "")]
    assert [(e.key, d) for e, d in fit(entries, 3)] == [("1", ""), ("?", "")]


# -- the decision strip and undo -------------------------------------------------------------


def strip(app) -> list[str]:
    panel = app.screen_stack[0].query_one(DecisionList)
    return [str(panel.get_option_at_index(i).prompt) for i in range(panel.option_count)]


@pilot
async def test_the_strip_lists_the_last_decisions_and_enter_jumps_back(db):
    app = app_for(db)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await pilot.press("1", "2", "3")
        await pilot.pause()
        shown = strip(app)
        assert [line[4:17].strip() for line in shown] == ["editorial", "unattributed", "attributed"]
        assert "Such talks could" in shown[0] and "NASA's new" in shown[2]
        await pilot.press("h", "down", "down", "enter")  # the oldest of the three
        assert current(app) == "NASA's new administr"
        assert app.focused is None  # back to labelling: keys label again
        await pilot.press("x")
        assert labels(db)["NASA's new administr"][0] == "not_claim"
        assert strip(app)[0][4:17].strip() == "not claim" and len(strip(app)) == 3


@pilot
async def test_the_strip_opens_on_h_at_80_columns_and_escape_closes_it(db):
    app = app_for(db)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        panel = app.screen.query_one(DecisionList)
        assert not panel.display
        await pilot.press("1", "h")
        await pilot.pause()
        assert panel.display and panel.has_focus and len(strip(app)) == 1
        await pilot.press("escape")
        await pilot.pause()
        assert not panel.display and app.focused is None


@pilot
async def test_undo_says_what_it_undid(db):
    app = app_for(db)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press("1", "u")
        assert (
            message(app)
            == "· Undid attributed on “NASA's new administrator held a rare me…” (now unlabelled)."
        )


@pilot
async def test_undo_works_after_a_relaunch_from_history(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        await pilot.press("1", "2", "f", "3", "u")  # the 3 undone: not undone again
    app = app_for(db)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert app.screen.check_action("undo", ()) is True
        assert [line[4:17].strip() for line in strip(app)] == ["unattributed", "attributed"]
        await pilot.press("u")  # the flag, then the 2, then the 1
        assert current(app) == "Such talks could sig"
        assert labels(db)["Such talks could sig"] == (None, None, 0)
        await pilot.press("u")
        assert labels(db)["The talks were the f"] == (None, None, 0)
        assert "Undid unattributed" in message(app)
        await pilot.press("u")
        assert labels(db) == {
            "NASA's new administr": (None, None, 0),
            "The talks were the f": (None, None, 0),
            "Such talks could sig": (None, None, 0),
        }
        assert not app.screen.check_action("undo", ())
        assert strip(app) == ["no decisions yet"]
