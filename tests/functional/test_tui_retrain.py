"""The app and a background retraining: a run is held from the key until the screen is
redrawn, and goes on after."""

from __future__ import annotations

from helpers.tui import app_for, pilot, settle


class Recorder:
    """Stands in for the app's Retrainer: a run that is always idle-scheduled (it can be
    held), recording when it was held and let go."""

    def __init__(self, app) -> None:
        self.app = app
        self.held = False
        self.calls: list[tuple[str, int]] = []  # (call, decisions stored by then)

    def _note(self, call: str) -> None:
        self.calls.append((call, self.app.session.labelled))

    def labelled(self) -> bool:
        self._note("labelled")
        return False

    def pause(self) -> bool:
        self._note("pause")
        self.held = True
        return True

    def resume(self) -> None:
        self._note("resume")
        self.held = False

    def stop(self) -> None:
        self.held = False


@pilot
async def test_a_training_run_is_held_from_the_key_until_the_next_claim_is_drawn(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        recorder = app.retrainer = Recorder(app)  # type: ignore[assignment]
        await pilot.press("1")
        await settle(app, pilot)
        calls = recorder.calls
        # Held at the key, before the decision was stored ...
        assert calls[0] == ("pause", 0)
        assert ("labelled", 1) in calls
        # ... and let go once the screen was redrawn: not left stopped.
        assert ("resume", 1) in calls and not recorder.held
        recorder.calls.clear()
        await pilot.press("question_mark")  # a key that decides nothing holds it too
        await settle(app, pilot)
        assert recorder.calls[0][0] == "pause" and not recorder.held
