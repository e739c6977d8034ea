"""A pop-up listing what cleaning dropped around the current claim, with the reasons.

Each entry is one dropped line or block (a menu, a caption, a teaser, a comment) as it
stood just before or after the claim's paragraph, with the reason cleaning gave. A
annotator who finds article text among them puts it back with enter: it becomes body
text (claim units) and stays so through every later ingest.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from annotate.model import Dropped

# Long blocks are cut in the list; the whole text is restored.
_SHOWN_CHARS = 240
# Rows of the list at most, and the rows of the dialog around it (border, padding, the
# heading and the key hint): on a short terminal the list shrinks so the hint stays.
_LIST_ROWS = 20
_AROUND_LIST = 6


def dropped_line(block: Dropped) -> Text:
    """One entry of the list: the reason, then the text (corpus text is never markup)."""
    text = block.text if len(block.text) <= _SHOWN_CHARS else block.text[: _SHOWN_CHARS - 1]
    line = Text()
    line.append(f"{block.reason}: ", style="bold")
    line.append(text + ("…" if text != block.text else ""))
    return line


class DroppedScreen(ModalScreen[Dropped | None]):
    """Dismisses with the block to restore as body text, or None."""

    BINDINGS = [
        Binding("escape,D", "close", "Close", id="dropped.close"),
        Binding("r", "restore", "Restore as body", id="dropped.restore"),
    ]

    def __init__(self, blocks: list[Dropped]) -> None:
        super().__init__()
        self.blocks = blocks

    def compose(self) -> ComposeResult:
        with Vertical(id="dropped-box", classes="dialog"):
            if self.blocks:
                yield Label("Dropped by cleaning around this claim, and why")
                yield OptionList(
                    *(Option(dropped_line(b), id=str(i)) for i, b in enumerate(self.blocks)),
                    id="dropped-list",
                )
                yield Label("enter or r restores as body · esc closes", classes="hint")
            else:
                yield Label("Nothing was dropped around this claim.")
                yield Label("esc closes", classes="hint")

    def on_mount(self) -> None:
        if self.blocks:
            self.query_one(OptionList).focus()

    def on_resize(self, event: events.Resize) -> None:
        if self.blocks:
            rows = min(_LIST_ROWS, max(3, event.size.height - _AROUND_LIST))
            self.query_one(OptionList).styles.max_height = rows

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.blocks[event.option_index])

    def action_restore(self) -> None:
        if not self.blocks:
            return
        index = self.query_one(OptionList).highlighted
        if index is not None:
            self.dismiss(self.blocks[index])

    def action_close(self) -> None:
        self.dismiss(None)
