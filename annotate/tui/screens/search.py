"""Search claim units by text as you type; enter on a result jumps to it.

Each search runs in a worker thread on a connection of its own, a moment after the last
key (typing is never held up by a search). Results come a page at a time: the status
says how many of how many are listed, and moving past the last one loads the next page.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option
from textual.worker import get_current_worker

from annotate.store import LabelState, Store, UnitView
from annotate.tui.widgets.claim import literal

# Results read at a time, and how long after the last key a search starts (seconds).
PAGE = 200
DEBOUNCE = 0.25


def label_status(state: LabelState) -> str:
    """'unlabelled', 'attributed', 'not claim · flagged · note'."""
    words = [state.label.replace("_", " ") if state.label else "unlabelled"]
    if state.flagged:
        words.append("flagged")
    if state.note:
        words.append("note")
    return " · ".join(words)


def result_text(unit: UnitView, state: LabelState, query: str) -> Text:
    """A result: its label status and article on one line, dimmed but for the label, then
    the unit text with the match emphasised."""
    text = Text()
    text.append(f"{label_status(state):<14}", "bold" if state.label is None else "")
    text.append(f"  {literal(unit.article_title or unit.article_path)}\n", "dim")
    claim = Text(literal(unit.text))
    claim.highlight_words([query], "bold reverse", case_sensitive=False)
    return text.append_text(claim)


def status_text(query: str, shown: int, total: int | None, more: bool) -> Text:
    """'first 200 of 1,612 for “NASA” · ↓ for more', '3 results for “NASA”' (``total``
    None: still counting; ``more``: more than ``shown`` match)."""
    if more:
        head = f"first {shown:,} of {'…' if total is None else f'{total:,}'}"
    else:
        head = "no results" if not shown else f"{shown:,} result{'s' if shown > 1 else ''}"
    text = Text(f"{head} for “")
    text.append(literal(query), "bold")
    text.append("”")
    if more:
        text.append(" · ↓ for more", "dim")
    return text


class SearchScreen(Screen[str | None]):
    """Dismisses with the chosen unit id, or None if cancelled."""

    BINDINGS = [
        Binding("escape", "close", "Back", id="search.close"),
        Binding("down", "results", "Results", show=False),
    ]

    def __init__(self, db_path: str, annotator: str, *, assigned: bool = False) -> None:
        super().__init__()
        self.db_path = db_path
        self.annotator = annotator
        self.assigned = assigned  # with an assignment plan: search only their articles
        self.query_text = ""  # the search the results are for
        self.total: int | None = None  # how many match, once counted
        self.more = False  # a page came back full: there may be more after it
        self.loading = False
        self.shown: list[UnitView] = []
        self._timer: Timer | None = None

    def compose(self) -> ComposeResult:
        yield Input(placeholder="search claims (as you type)", id="search-input")
        yield Static("", id="search-status")
        yield OptionList(id="results")
        yield Footer(compact=True)

    def on_input_changed(self, event: Input.Changed) -> None:
        if self._timer is not None:
            self._timer.stop()
        query = event.value.strip()
        self._timer = self.set_timer(DEBOUNCE, lambda: self.start(query))

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self._timer is not None:
            self._timer.stop()
        if event.value.strip() != self.query_text or not self.shown:
            self.start(event.value.strip(), focus=True)
        elif self.shown:
            self.action_results()

    def start(self, query: str, *, focus: bool = False) -> None:
        """A new search: the first page, and the count beside it."""
        if query == self.query_text and not focus:
            return
        self.query_text, self.total, self.more, self.shown = query, None, False, []
        self.query_one(OptionList).clear_options()
        status = self.query_one("#search-status", Static)
        if not query:
            self.workers.cancel_group(self, "page")
            self.workers.cancel_group(self, "count")
            status.update("")
            return
        status.update("Searching…")
        self.loading = True
        self.page(query, -1, focus)
        self.count(query)

    @work(thread=True, exclusive=True, group="page")
    def page(self, query: str, after: int, focus: bool = False) -> None:
        """Read one page of results in a thread (a rare word reads the whole corpus)."""
        worker = get_current_worker()
        with Store.open(self.db_path, migrate=False) as store:
            found = store.search_page(
                query,
                self.annotator,
                after=after,
                limit=PAGE,
                assigned=self.assigned,
                cancelled=lambda: worker.is_cancelled,
            )
        if found is not None and not worker.is_cancelled:
            self.app.call_from_thread(self.add_page, query, found, focus)

    @work(thread=True, exclusive=True, group="count")
    def count(self, query: str) -> None:
        """Count every match in a thread; a newer search interrupts it."""
        worker = get_current_worker()
        with Store.open(self.db_path, migrate=False) as store:
            total = store.search_count(
                query,
                assigned_to=self.annotator if self.assigned else None,
                cancelled=lambda: worker.is_cancelled,
            )
        if total is not None and not worker.is_cancelled:
            self.app.call_from_thread(self.counted, query, total)

    def add_page(self, query: str, found: list[tuple[UnitView, LabelState]], focus: bool) -> None:
        if query != self.query_text:
            return  # typed on meanwhile
        self.loading = False
        results = self.query_one(OptionList)
        first = not self.shown
        options: list[Option | None] = []
        for unit, state in found:
            if self.shown or options:
                options.append(None)  # a rule between results
            options.append(Option(result_text(unit, state, query), id=unit.id))
            self.shown.append(unit)
        results.add_options(options)
        self.more = len(found) == PAGE
        self.show_status()
        if first and self.shown:
            results.highlighted = 0
            if focus:
                results.focus()

    def counted(self, query: str, total: int) -> None:
        if query == self.query_text:
            self.total = total
            self.show_status()

    @property
    def has_more(self) -> bool:
        """Whether matches remain after the last result listed."""
        return self.more and (self.total is None or self.total > len(self.shown))

    def show_status(self) -> None:
        text = status_text(self.query_text, len(self.shown), self.total, self.has_more)
        self.query_one("#search-status", Static).update(text)

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        """On the last result of a full page: read the next page."""
        last = self.shown[-1].id if self.shown else None
        if event.option.id == last and self.has_more and not self.loading:
            self.loading = True
            self.page(self.query_text, self.shown[-1].pos)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_results(self) -> None:
        if self.shown:
            self.query_one(OptionList).focus()

    def action_close(self) -> None:
        self.dismiss(None)
