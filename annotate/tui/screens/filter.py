"""A pop-up list to choose which claims navigation follows, each filter with its count."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, OptionList
from textual.widgets.option_list import Option

from annotate.labelling.session import FILTER_ORDER, filter_name
from annotate.store import Store


def filter_prompt(only: str | None, count: int | None) -> Text:
    """'unlabelled      1,234' (``count`` None: still counting)."""
    text = Text(f"{filter_name(only):<14}")
    text.append(f"{'…' if count is None else f'{count:,}':>9}", "dim")
    return text


class FilterScreen(ModalScreen[str | None]):
    """Dismisses with the chosen filter ("" for all claims), or None if cancelled.

    The counts are this annotator's, read in a worker on a connection of its own (one
    pass over their labels), so the list is there at once and the counts follow."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="filter.cancel")]

    def __init__(
        self, current: str | None, db_path: str, annotator: str, *, assigned: bool = False
    ) -> None:
        super().__init__()
        self.current = current
        self.db_path = db_path
        self.annotator = annotator
        self.assigned = assigned  # with an assignment plan: counts in their articles
        self.counts: dict[str, int] = {}

    def compose(self) -> ComposeResult:
        options = [Option(filter_prompt(f, None), id=f or "") for f in FILTER_ORDER]
        with Vertical(id="filter-box", classes="dialog"):
            yield Label("Show which claims?")
            yield OptionList(*options, id="filters")

    def on_mount(self) -> None:
        self.query_one(OptionList).highlighted = FILTER_ORDER.index(self.current)
        self.count()

    @work(thread=True, exclusive=True)
    def count(self) -> None:
        with Store.open(self.db_path, migrate=False) as store:
            counts = store.filter_counts(self.annotator, assigned=self.assigned)
        self.app.call_from_thread(self.show_counts, counts)

    def show_counts(self, counts: dict[str, int]) -> None:
        self.counts = counts
        options = self.query_one(OptionList)
        for only in FILTER_ORDER:
            options.replace_option_prompt(only or "", filter_prompt(only, counts[only or ""]))

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id or "")

    def action_cancel(self) -> None:
        self.dismiss(None)
