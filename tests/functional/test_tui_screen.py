"""The labelling screen's feedback (issue 16): one message line, toasts only for what
needs attention."""

from __future__ import annotations

from helpers.tui import app_for, pilot, rendered, settle

from annotate.tui.widgets.claim import MessageLine, StatusBar


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
async def test_moving_on_clears_a_message_about_the_claim_left(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        await pilot.press("left")
        assert "first claim" in message(app)
        await pilot.press("right")
        assert message(app) == ""
