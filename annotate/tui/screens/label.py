"""The main screen: one claim at a time, labelled with one keystroke.

Bindings carry ids so that users can remap them (``[keymap]`` in the config file);
``action_*`` methods delegate to the ``Session`` and then redraw, and ``check_action``
dims in the footer what cannot be done right now (undo with nothing to undo).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, cast

from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from annotate.labelling.session import Finder, Session, filter_name, matches, next_filter
from annotate.model import Dropped
from annotate.store import StoreBusyError, StoreFullError, UnitGoneError
from annotate.tui.widgets.claim import ArticleHeader, ClaimView, StatusBar, SuggestionBar

if TYPE_CHECKING:
    from annotate.tui.app import AnnotateApp


WAITING = "waiting for the database (held by another process)"

# While a change waits for the database, only these stay available.
_WHILE_WAITING = {"quit", "guidelines"}

# One key per decision. The adjudication screen uses the same ids, so a remapped label
# key works there too.
LABEL_BINDINGS = [
    Binding("1", "label('attributed')", "Attributed", id="label.attributed"),
    Binding("2", "label('unattributed')", "Unattributed", id="label.unattributed"),
    Binding("3", "label('editorial')", "Editorial", id="label.editorial"),
    Binding("x", "label('not_claim')", "Not claim", id="label.not_claim"),
]


class LabelScreen(Screen[None]):
    """Shows the current claim in context and takes one-keystroke decisions."""

    BINDINGS = [
        *LABEL_BINDINGS,
        # Off the footer (no room at 80 columns): the suggestion line names the key.
        Binding(
            "s,enter",
            "accept_suggestion",
            "Accept suggestion",
            id="label.accept_suggestion",
            show=False,
        ),
        Binding("o", "edit_source", "Correct source", id="source.edit", show=False),
        Binding("u,ctrl+z", "undo", "Undo", id="undo"),
        Binding("left,k", "step(False)", "Back", id="back", show=False),
        Binding("right,j", "step(True)", "Forward", id="forward", show=False),
        Binding("n,tab", "next_unlabelled", "Next unlabelled", id="next", show=False),
        Binding("e", "note", "Note", id="note"),
        Binding("f", "flag", "Flag", id="flag"),
        Binding("question_mark", "guidelines", "Help", id="guidelines"),
        # Listed on the help screen; the footer of an 80-column terminal has no room.
        Binding("a", "articles", "Articles", id="articles", show=False),
        Binding("slash", "search", "Search", id="search", show=False),
        Binding("v", "cycle_filter", "Next filter", id="filter.cycle", show=False),
        Binding("F", "choose_filter", "Choose filter", id="filter.choose", show=False),
        Binding("m", "merge", "Merge with next", id="unit.merge", show=False),
        Binding("S,ctrl+s", "split", "Split…", id="unit.split", show=False),
        Binding("D", "dropped", "Dropped text…", id="unit.dropped", show=False),
        Binding("q", "quit", "Quit", id="quit", show=False),
    ]

    # Below 18 lines the header and the suggestion take one line each (app.tcss), so
    # the claim stays in view on a small terminal.
    VERTICAL_BREAKPOINTS = [(0, "-short"), (18, "-tall")]

    # Actions that need a claim on screen.
    _NEED_UNIT = {
        "label",
        "note",
        "flag",
        "step",
        "next_unlabelled",
        "cycle_filter",
        "accept_suggestion",
        "edit_source",
        "merge",
        "split",
        "dropped",
    }

    def __init__(self, session: Session, *, ingesting: bool = False) -> None:
        super().__init__()
        self.session = session
        self.ingesting = ingesting
        self._can: tuple[bool, ...] | None = None  # what check_action last allowed
        self._accept_key = "s"  # shown on the suggestion line ("" for none)
        self._placeholder = ""  # shown when there is no claim: see empty_message
        # A change the database could not take yet (another process holds its write
        # lock): (run it again, what it was), kept until it is written or the app quits.
        self.pending: tuple[Callable[[], None], str] | None = None

    @property
    def annotate(self) -> AnnotateApp:
        return cast("AnnotateApp", self.app)

    def compose(self) -> ComposeResult:
        yield ArticleHeader(id="article")
        yield ClaimView(id="claim")
        yield SuggestionBar(id="suggestion")
        yield StatusBar(id="status")
        yield Static(id="ingest")
        yield Footer(compact=True, show_command_palette=False)

    def empty_message(self, *, ingested: bool = False) -> str:
        """What the claim area says when there is no claim to show (``ingested``: the
        corpus given has been ingested)."""
        if self.session.assigned_articles == 0:
            return "No articles are assigned to you (annotate assign): nothing to label here."
        if ingested:
            return "No claims: nothing in the corpus could be read."
        if self.ingesting:
            return "Ingesting the corpus; the first claim shows as soon as it is in."
        return "No claims in the database yet."

    def on_mount(self) -> None:
        self._placeholder = self.empty_message()
        self.query_one("#ingest").display = self.ingesting
        # The accept key in effect: the keymap may move it, or give its keys to others.
        first = self.annotate.label_keys["label.accept_suggestion"].split(",")[0]
        self._accept_key = self.app.get_key_display(Binding(first, "")) if first else ""
        self.show_unit()
        # Workers start once the first claim is drawn, so they do not delay it.
        self.call_after_refresh(self.annotate.screen_ready)

    # -- actions: one-line delegations -------------------------------------------------

    def action_label(self, label: str) -> None:
        self.attempt(lambda: self.decide(label), f"the label {label.replace('_', ' ')}")

    def action_accept_suggestion(self) -> None:
        self.attempt(lambda: self.decide(None), "the suggested label")

    def action_edit_source(self) -> None:
        self.annotate.edit_source()

    def action_merge(self) -> None:
        self.attempt(lambda: self.resegment(self.session.merge_next), "the merge")

    def action_split(self) -> None:
        self.annotate.open_split()

    def action_dropped(self) -> None:
        self.open_dropped()

    def open_dropped(self) -> None:
        """Show what cleaning dropped around the claim; a block chosen there is restored."""
        from annotate.tui.screens.dropped import DroppedScreen

        self.app.push_screen(DroppedScreen(self.session.dropped_near()), self._dropped_done)

    def _dropped_done(self, block: Dropped | None) -> None:
        if block is not None:
            self.resegment(lambda: self.session.restore_block(block))

    def action_undo(self) -> None:
        self.attempt(lambda: self.resegment(self.session.undo), "the undo")

    def action_step(self, forward: bool) -> None:
        if self.session.rare_filter():
            self.search(self.session.step_finder(forward), self._end_message(forward))
        else:
            self.moved(self.session.step(forward), self._end_message(forward))

    def action_next_unlabelled(self) -> None:
        self.moved(self.session.next_unlabelled(), "Every claim is labelled.")

    def action_note(self) -> None:
        self.annotate.edit_note()

    def action_flag(self) -> None:
        self.attempt(lambda: self.change(self.session.toggle_flag), "the flag")

    def action_articles(self) -> None:
        self.annotate.open_articles()

    def action_search(self) -> None:
        self.annotate.open_search()

    def action_cycle_filter(self) -> None:
        self.apply_filter(next_filter(self.session.only))

    def action_choose_filter(self) -> None:
        self.annotate.choose_filter()

    def action_guidelines(self) -> None:
        self.annotate.open_guidelines()

    def action_quit(self) -> None:
        self.annotate.quit_app()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Dim (None) what cannot be done now, so the footer tells the truth."""
        if self.pending is not None and action not in _WHILE_WAITING:
            return None  # the change waiting for the database comes first
        if action in self._NEED_UNIT and self.session.unit is None:
            return None
        if action == "undo" and not self.session.undo_stack:
            return None
        if action == "accept_suggestion" and self.session.suggestion is None:
            return None
        # A source belongs to an attributed label (or names one, on an unlabelled claim).
        if action == "edit_source" and not self.session.can_edit_source():
            return None
        return True

    # -- doing -------------------------------------------------------------------------

    def attempt(self, do: Callable[[], None], what: str) -> None:
        """Run ``do``, a change written to the database (a decision, note, flag, undo,
        merge or split). A lock held by another process keeps it pending, retried when
        the lock frees (the screen stays usable and quits); a full disk is reported and
        nothing is changed. Either way nothing already stored is touched."""
        if self.pending is not None:
            self.notify(f"Still {WAITING}.", severity="warning", timeout=3)
            return
        unit_id = self.session.unit.id if self.session.unit else None

        def again() -> None:
            # On the claim it was meant for, even if an ingest moved the screen meanwhile.
            if self.session.unit is not None and self.session.unit.id != unit_id and unit_id:
                self.session.go_to(unit_id)
            do()

        try:
            do()
        except StoreBusyError:
            self.pending = (again, what)
            self.query_one(StatusBar).show_waiting(WAITING)
            self.refresh_bindings()
            self._can = None
            self.notify(
                f"Not saved yet, {WAITING}: {what} is kept and saved as soon as it frees.",
                severity="warning",
                timeout=5,
            )
            self.annotate.wait_for_lock()
        except StoreFullError:
            self._not_saved_disk_full(what)

    def _not_saved_disk_full(self, what: str) -> None:
        self.notify(
            f"Not saved (disk full): {what} was not written; free some space and try "
            "again. Everything saved before is kept.",
            severity="error",
            timeout=10,
        )

    def retry_pending(self) -> bool:
        """Write the pending change again; False if the database is still held."""
        if self.pending is None:
            return True
        (do, what), self.pending = self.pending, None
        try:
            do()
        except StoreBusyError:
            self.pending = (do, what)
            return False
        except StoreFullError:
            self._not_saved_disk_full(what)
        else:
            self.notify(f"Saved: {what} is written.", timeout=3)
        self.query_one(StatusBar).show_waiting("")
        self._can = None
        self.refresh_bindings()
        return True

    def decide(self, label: str | None) -> None:
        """Commit a label (None: the suggested one; the store commits before returning),
        then show the next claim."""
        try:
            if label is None:
                self.session.accept_suggestion()
            else:
                self.session.label(label)
        except UnitGoneError:
            self.sentence_changed()
            return
        if self.annotate.retrainer is not None:
            self.annotate.retrainer.labelled()
        self._advance()

    def set_source(self, source: str) -> None:
        """Correct the source of the claim; on an unlabelled claim that labels it attributed,
        a decision like any other, so the next claim shows."""
        decision = self.session.state.label is None
        try:
            self.session.set_source(source)
        except UnitGoneError:
            self.sentence_changed()
            return
        if decision:
            self._advance()
        else:
            self.show_unit()

    def _advance(self) -> None:
        if self.session.rare_filter():  # on to the next match: maybe far, in a worker
            self.show_unit()
            self.search(self.session.step_finder(), self._done_message())
            return
        if self.session.advance() is None:
            self.notify(self._done_message(), title="Done")
        self.show_unit()

    def sentence_changed(self) -> None:
        """The claim on screen was replaced on disk (nothing was recorded): show what is
        there now."""
        self.session.recheck()
        self.notify(
            "This sentence changed on disk; showing the current version.",
            severity="warning",
            timeout=5,
        )
        self.show_unit()

    def changed(self, _before: object) -> None:
        """A note or flag changed: redraw the unit's state and the footer."""
        self.show_unit()

    def change(self, change: Callable[[], object]) -> None:
        """Run a note or flag change (committed by the store), then redraw; if the
        sentence changed on disk meanwhile, nothing is written and the current one shows."""
        try:
            before = change()
        except UnitGoneError:
            self.sentence_changed()
            return
        self.changed(before)

    def resegment(self, change: Callable[[], object]) -> None:
        """Run a merge or split (committed by the store), then show the unit it made."""
        from annotate.text.resegment import SegmentError

        try:
            change()
        except SegmentError as e:
            self.notify(f"Cannot do that: {e}.", severity="warning", timeout=3)
            return
        self.show_unit()

    def moved(self, unit: object | None, message: str) -> None:
        if unit is None and message:
            self.notify(message, severity="warning", timeout=3)
        self.show_unit()

    def search(self, find: Finder, message: str) -> None:
        """Move by a walk that may read the whole queue: run in a worker, "searching…"
        showing meanwhile; ``message`` if it finds nothing."""
        self.searching(True)
        self.annotate.walk(find, self.session.unit.id if self.session.unit else None, message)

    def searching(self, on: bool) -> None:
        self.query_one(StatusBar).show_searching(on)

    def apply_filter(self, only: str | None) -> None:
        session = self.session
        if only is not None and session.unit is not None and not matches(only, session.state):
            session.only = only
            if session.rare_filter():
                self.show_unit()
                self.search(session.filter_finder(), f"No {filter_name(only)} claims.")
                return
        if self.session.set_filter(only) is None and self.session.unit is not None:
            self.notify(f"No {filter_name(only)} claims.", severity="warning", timeout=3)
        self.show_unit()

    def _end_message(self, forward: bool) -> str:
        where = "last" if forward else "first"
        if self.session.only is None:
            return f"This is the {where} claim."
        return f"This is the {where} {filter_name(self.session.only)} claim."

    def _done_message(self) -> str:
        if self.session.only in (None, "unlabelled"):
            return f"Every claim is labelled ({self.session.labelled:,})."
        return f"No more {filter_name(self.session.only)} claims after this one."

    # -- drawing -------------------------------------------------------------------------

    def show_unit(self, placeholder: str | None = None) -> None:
        """Redraw everything about the current claim (a repaint: every size is fixed)."""
        if placeholder is not None:
            self._placeholder = placeholder
        context = self.session.context()
        self.query_one(ArticleHeader).show(context)
        self.query_one(ClaimView).show(context, self._placeholder)
        self.query_one(SuggestionBar).show(context, self._accept_key)
        status = self.query_one(StatusBar)
        if context is None:
            status.show("", None)
        else:
            status.show(f"claim {context.index} of {context.of} in this article", context.state)
        self.show_counts()
        # The footer recomposes on every bindings refresh (~10 ms): only when it would change.
        s = self.session
        can = (
            s.unit is not None,
            bool(s.undo_stack),
            s.suggestion is not None,
            s.can_edit_source(),
        )
        if can != self._can:
            self._can = can
            self.refresh_bindings()
        self.annotate.shown()

    def show_counts(self) -> None:
        s = self.session
        only = filter_name(s.only) if s.only else ""
        self.query_one(StatusBar).show_counts(s.labelled, s.claims, s.annotator, only, s.scope())

    def show_ingest(self, done: int, total: int, running: bool = True) -> None:
        """The ingest line under the progress: shown only while ingest runs."""
        ingest = self.query_one("#ingest", Static)
        ingest.display = running
        if running:
            grid = Table.grid(padding=(0, 1))
            grid.add_row(
                Text("Ingesting corpus", "dim"),
                ProgressBar(total=max(total, 1), completed=done, width=30),
                Text(f"{done:,}/{total:,} files", "dim"),
            )
            ingest.update(grid)
