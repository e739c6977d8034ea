"""The labelling guidelines (``annotate/guidelines.md``) with the keys in use above them."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Markdown

GUIDELINES = Path(__file__).resolve().parents[2] / "guidelines.md"


def read_guidelines() -> str:
    try:
        return GUIDELINES.read_text(encoding="utf-8")
    except OSError as e:
        return f"# Guidelines\n\nThe guidelines file could not be read: {e}"


class GuidelinesScreen(Screen[None]):
    """Scrollable guidelines; any of escape, q or ? goes back to labelling."""

    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Back", id="guidelines.close"),
        Binding("j,down", "scroll(1)", "Down", show=False),
        Binding("k,up", "scroll(-1)", "Up", show=False),
    ]

    def __init__(self, keys_markdown: str) -> None:
        super().__init__()
        self.keys_markdown = keys_markdown

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="guidelines-scroll"):
            yield Markdown(read_guidelines() + "\n\n" + self.keys_markdown, id="guidelines")
        yield Footer(compact=True)

    def action_scroll(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
