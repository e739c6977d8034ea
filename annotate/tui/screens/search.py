"""Search claim units by text; enter on a result jumps to it."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from annotate.store import Store, UnitView
from annotate.tui.widgets.claim import literal


def result_text(unit: UnitView, query: str) -> Text:
    """A result line: the unit text with the match emphasised, then its article, dimmed."""
    text = Text(literal(unit.text))
    text.highlight_words([query], "bold reverse", case_sensitive=False)
    text.append(f"  {literal(unit.article_title or unit.article_path)}", "dim")
    return text


class SearchScreen(Screen[str | None]):
    """Dismisses with the chosen unit id, or None if cancelled."""

    BINDINGS = [Binding("escape", "close", "Back", id="search.close")]

    def __init__(self, db_path: str, assigned_to: str | None = None) -> None:
        super().__init__()
        self.db_path = db_path
        self.assigned_to = assigned_to  # with an assignment plan: search only their articles

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search claims (enter searches)", id="search-input")
        yield Static("", id="search-status")
        yield OptionList(id="results")
        yield Footer(compact=True)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.query_one("#search-status", Static).update("Searching…")
            self.search(event.value.strip())

    @work(thread=True, exclusive=True)
    def search(self, query: str) -> None:
        """Search in a thread: a substring search reads every unit of a big corpus."""
        with Store.open(self.db_path, migrate=False) as store:
            units = store.search(query, assigned_to=self.assigned_to)
        self.app.call_from_thread(self.show_results, query, units)

    def show_results(self, query: str, units: list[UnitView]) -> None:
        results = self.query_one(OptionList)
        results.clear_options()
        results.add_options(Option(result_text(u, query), id=u.id) for u in units)
        status = Text(f"{len(units)} result(s) for ")
        status.append(query, "bold")
        self.query_one("#search-status", Static).update(status)
        if units:
            results.highlighted = 0
            results.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)
