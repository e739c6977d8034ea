"""A pop-up list to choose which claims navigation follows."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from annotate.labelling.session import FILTER_ORDER, filter_name


class FilterScreen(ModalScreen[str | None]):
    """Dismisses with the chosen filter ("" for all claims), or None if cancelled."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="filter.cancel")]

    def __init__(self, current: str | None) -> None:
        super().__init__()
        self.current = current

    def compose(self) -> ComposeResult:
        options = [Option(filter_name(f), id=f or "") for f in FILTER_ORDER]
        with Vertical(id="filter-box", classes="dialog"):
            yield Label("Show which claims?")
            yield OptionList(*options, id="filters")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = FILTER_ORDER.index(self.current)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id or "")

    def action_cancel(self) -> None:
        self.dismiss(None)
