"""Small one-line pop-ups: the source of an attributed label, the reason for an adjudication.

Each dismisses with the text typed (empty allowed: enter alone is an answer) or None when
cancelled with escape.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label


class PromptScreen(ModalScreen[str | None]):
    """A question and an input line; subclasses give the binding id of their escape."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, question: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self.question, self.value, self.placeholder = question, value, placeholder

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            # A question may quote corpus text (a label, a source): never markup.
            yield Label(self.question, markup=False)
            yield Input(self.value, placeholder=self.placeholder)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class SourceScreen(PromptScreen):
    """Correct the source of an attributed label (empty removes it)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="source.cancel")]


class ReasonScreen(PromptScreen):
    """Why the adjudicator chose a label (empty allowed)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="reason.cancel")]
