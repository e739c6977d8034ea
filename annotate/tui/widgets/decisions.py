"""The decision strip: the annotator's last decisions, newest first (from ``history``
after a relaunch too); enter on one goes back to that claim."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from annotate.labelling.session import Decision
from annotate.tui.widgets.claim import literal


def age(at: str, now: datetime | None = None) -> str:
    """How long ago an ISO time (UTC, as stored) was: 'now', '5m', '3h', '2d'."""
    try:
        then = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return ""
    seconds = ((now or datetime.now(UTC)) - then).total_seconds()
    if seconds < 60:
        return "now"
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            return f"{int(seconds // size)}{unit}"
    return "now"


def decision_text(d: Decision, width: int = 44) -> Text:
    """'5m  attributed   The talks were the first…' cut to ``width`` columns (the
    option list would wrap it)."""
    text = Text(f"{age(d.at):>3} ", "dim")
    label = d.label.replace("_", " ") if d.label else "unlabelled"
    text.append(f"{label:<13}", "bold")
    text.append(literal(d.text) or "(no longer stored)")
    if text.cell_len > width:
        text.truncate(max(width - 1, 1))
        text.append("…")
    return text


class DecisionList(OptionList):
    """The last decisions; enter or a click on one posts ``Jump``, escape ``Closed``."""

    BINDINGS = [Binding("escape", "close", "Back to the claim", show=False)]

    @dataclass
    class Jump(Message):
        unit_id: str

    @dataclass
    class Closed(Message):
        pass

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.border_title = "last decisions"
        self.can_focus = False  # until the screen hands it the keys (h)
        self._shown: list[Decision] | None = None

    def show(self, decisions: Sequence[Decision]) -> None:
        """List ``decisions`` (redrawn only when they changed)."""
        if self._shown == list(decisions):
            return
        self._shown = list(decisions)
        self.clear_options()
        if decisions:
            width = max(self.content_region.width - 1, 20) if self.content_region.width else 44
            self.add_options([Option(decision_text(d, width), id=d.unit_id) for d in decisions])
        else:
            self.add_option(Option(Text("no decisions yet", "dim italic"), disabled=True))
        self.highlighted = 0 if decisions else None

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.post_message(self.Jump(event.option.id))

    def action_close(self) -> None:
        self.post_message(self.Closed())
