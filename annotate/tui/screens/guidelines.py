"""The help screen: a one-screen sheet of the keys in effect, then the labelling
guidelines (``annotate/guidelines.md``, their keys swapped for those in effect), then the
full key table with the binding ids a config file may remap."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Markdown, Static

GUIDELINES = Path(__file__).resolve().parents[2] / "guidelines.md"


def read_guidelines() -> str:
    try:
        return GUIDELINES.read_text(encoding="utf-8")
    except OSError as e:
        return f"# Guidelines\n\nThe guidelines file could not be read: {e}"


# Where the guidelines name a key, by binding id: the label table's rows ("| `1` |
# **attributed** |") and the tips ("**Flag** (`f`)", "press `f` again", "(`F`)").
_GUIDELINE_KEYS = (
    (r"(?m)^(\| )`1`( \| \*\*attributed\*\*)", "label.attributed"),
    (r"(?m)^(\| )`2`( \| \*\*unattributed\*\*)", "label.unattributed"),
    (r"(?m)^(\| )`3`( \| \*\*editorial\*\*)", "label.editorial"),
    (r"(?m)^(\| )`x`( \| \*\*not a claim\*\*)", "label.not_claim"),
    (r"(\*\*Flag\*\* \()`f`(\))", "flag"),
    (r"(press )`f`( again)", "flag"),
    (r"(\*flagged\* \()`F`(\))", "filter.choose"),
    (r"(\*\*Note\*\* \()`e`(\))", "note"),
    (r"(\*\*Undo\*\* \()`u`(\))", "undo"),
)


def guidelines_with_keys(text: str, keys: Mapping[str, str]) -> str:
    """The guidelines with each key they name replaced by the keys in effect for its
    binding (``keys``: binding id -> keys as shown, e.g. "`a`"; "none" if unbound)."""
    for pattern, binding_id in _GUIDELINE_KEYS:
        shown = keys.get(binding_id)
        if shown is not None:
            text = re.sub(pattern, _between(shown), text)
    return text


def sheet_table(cells: Sequence[tuple[str, str]]) -> Table:
    """The key sheet: two keys a row, no borders, so some twenty keys fit one screen."""
    table = Table.grid(padding=(0, 2))
    table.title = "Keys in effect (esc goes back; the guidelines follow)"
    table.title_justify = "left"
    for _ in range(2):
        table.add_column(style="bold", no_wrap=True)
        table.add_column(no_wrap=True)
    for i in range(0, len(cells), 2):
        row = [*cells[i], *(cells[i + 1] if i + 1 < len(cells) else ("", ""))]
        table.add_row(*(Text(c) for c in row))
    return table


def _between(shown: str) -> Callable[[re.Match[str]], str]:
    """A replacement that puts ``shown`` between a pattern's two groups (no escapes)."""
    return lambda m: m.group(1) + shown + m.group(2)


class GuidelinesScreen(Screen[None]):
    """Scrollable guidelines; any of escape, q or ? goes back to labelling."""

    BINDINGS = [
        Binding("escape,q,question_mark", "close", "Back", id="guidelines.close"),
        Binding("j,down", "scroll(1)", "Down", show=False),
        Binding("k,up", "scroll(-1)", "Up", show=False),
    ]

    def __init__(
        self,
        keys_markdown: str,
        *,
        sheet: Sequence[tuple[str, str]] = (),
        keys: Mapping[str, str] | None = None,
    ) -> None:
        """``sheet``: (keys, what they do) for the one-screen key sheet shown first;
        ``keys``: binding id -> the keys in effect as the Markdown shows them ("`a`"),
        swapped into the guidelines; ``keys_markdown``: the full key table at the end."""
        super().__init__()
        self.keys_markdown = keys_markdown
        self.sheet = list(sheet)
        self.keys = keys or {}

    def compose(self) -> ComposeResult:
        guidelines = guidelines_with_keys(read_guidelines(), self.keys)
        with VerticalScroll(id="guidelines-scroll"):
            if self.sheet:
                yield Static(sheet_table(self.sheet), id="key-sheet")
            yield Markdown(guidelines + "\n\n" + self.keys_markdown, id="guidelines")
        yield Footer(compact=True)

    def action_scroll(self, lines: int) -> None:
        self.query_one(VerticalScroll).scroll_relative(y=lines, animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
