"""A small pop-up to split the current claim: move a cursor in its text, enter splits there.

The text is shown read-only in a ``TextArea`` so every cursor key works (word jumps with
ctrl+left/right, home/end); a preview line shows the two units the split would give.
"""

from __future__ import annotations

import re

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static, TextArea

# Where a splitter most often misses a boundary: after a sentence end and a space, before
# a capital, a quote or a digit.
_LIKELY = re.compile(r"[.!?;:][\"'”’)]*\s+(?=[\"'“‘(]*[A-Z0-9])")


def likely_split(text: str) -> int:
    """Where to put the cursor first: after the first likely missed boundary, else at the
    word nearest the middle."""
    m = _LIKELY.search(text)
    if m is not None and m.end() < len(text):
        return m.end()
    spaces = [i + 1 for i, c in enumerate(text) if c == " "]
    return min(spaces, key=lambda i: abs(i - len(text) // 2), default=0)


def halves(text: str, at: int) -> tuple[str, str]:
    """The two unit texts a split before character ``at`` gives (stripped at the cut)."""
    return text[:at].rstrip(), text[at:].lstrip()


class SplitScreen(ModalScreen[int | None]):
    """Dismisses with the offset in the unit's text to split before, or None if cancelled."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="split.cancel"),
        # Priority: the text area would otherwise take enter (read-only, it ignores it).
        Binding("enter", "split", "Split here", id="split.confirm", priority=True),
    ]

    def __init__(self, text: str) -> None:
        super().__init__()
        self.text = text

    def compose(self) -> ComposeResult:
        with Vertical(id="split-box", classes="dialog"):
            yield Label("Split: put the cursor where the second part starts")
            yield TextArea(
                self.text,
                read_only=True,
                soft_wrap=True,
                show_line_numbers=False,
                id="split-text",
            )
            yield Static(id="split-preview")
            yield Label("enter splits · esc cancels", classes="hint")

    def on_mount(self) -> None:
        area = self.query_one(TextArea)
        # The text has no newline (units are one line), so a location is (0, offset).
        area.cursor_location = (0, likely_split(self.text))
        area.focus()
        self._preview()

    def on_text_area_selection_changed(self, _event: TextArea.SelectionChanged) -> None:
        self._preview()

    @property
    def at(self) -> int:
        """The cursor's offset in the unit's text."""
        row, column = self.query_one(TextArea).cursor_location
        return column if row == 0 else len(self.text)

    def _preview(self) -> None:
        one, two = halves(self.text, self.at)
        preview = Text()
        if one and two:
            # Unit text is data: appended as Text, never parsed as markup.
            preview.append("1 ", "bold")
            preview.append(one)
            preview.append("\n2 ", "bold")
            preview.append(two)
        else:
            preview.append("Move the cursor inside the text: both parts need words.", "italic")
        self.query_one("#split-preview", Static).update(preview)

    def action_split(self) -> None:
        one, two = halves(self.text, self.at)
        if one and two:
            self.dismiss(self.at)
        else:
            self.notify("Both parts need text.", severity="warning", timeout=3)

    def action_cancel(self) -> None:
        self.dismiss(None)
