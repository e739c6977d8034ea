"""The claim inside its paragraph, and the line that says how it is labelled.

Corpus text is data, never markup: everything here is assembled as ``rich.text.Text``
with styles attached, so a unit containing ``[bold]`` or an escape sequence shows exactly
those characters.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from annotate.store import LabelState, UnitView
from annotate.tui.session import Context

# How many sentences of the paragraph to show on each side of the claim before eliding.
NEIGHBOURS = 2


def literal(text: str) -> str:
    """Control characters made visible (ESC as ␛ and so on), so a unit holding a terminal
    escape sequence cannot restyle the screen and the reviewer sees what is there."""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() or c == " " else chr(0x2400 + ord(c)) if ord(c) < 32 else "\ufffd"
        for c in text
    )


def paragraph_text(
    paragraph: list[UnitView],
    claim_id: str,
    claim_style: Style | str = "bold reverse",
    context_style: Style | str = "dim",
    neighbours: int = NEIGHBOURS,
) -> Text:
    """The claim highlighted among up to ``neighbours`` sentences either side of it."""
    at = next((i for i, u in enumerate(paragraph) if u.id == claim_id), 0)
    lo, hi = max(0, at - neighbours), min(len(paragraph), at + neighbours + 1)
    text = Text()
    if lo > 0:
        text.append("… ", context_style)
    for i in range(lo, hi):
        if i > lo:
            text.append(" ", context_style)
        text.append(literal(paragraph[i].text), claim_style if i == at else context_style)
    if hi < len(paragraph):
        text.append(" …", context_style)
    return text


def state_text(state: LabelState) -> Text:
    """The current label, flag and note of a unit, e.g. 'label: editorial · ⚑ unsure'."""
    text = Text("label: ")
    if state.label is None:
        text.append("— unlabelled", "dim")
    else:
        text.append(state.label.replace("_", " "), "bold")
    if state.flagged:
        text.append(" · ")
        text.append("⚑ unsure", "bold")
    if state.note:
        text.append(" · note: ")
        text.append(literal(state.note), "italic")
    return text


class ClaimView(Widget):
    """The current claim, highlighted inside its paragraph with its neighbours dimmed."""

    COMPONENT_CLASSES = {"claim-view--claim", "claim-view--context"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context: Context | None = None
        self.placeholder = Text("")

    def show(self, context: Context | None, placeholder: str = "") -> None:
        """Show a claim (or, with None, the placeholder message)."""
        self.context = context
        self.placeholder = Text(placeholder, "italic")
        self.refresh(layout=True)

    def render(self) -> Text:
        c = self.context
        if c is None:
            return self.placeholder
        return paragraph_text(
            c.paragraph,
            c.unit.id,
            claim_style=self.get_component_rich_style("claim-view--claim"),
            context_style=self.get_component_rich_style("claim-view--context"),
        )
