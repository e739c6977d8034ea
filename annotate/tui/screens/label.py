"""The main screen: one claim at a time, labelled with one keystroke.

Bindings carry ids so that users can remap them (``[keymap]`` in the config file);
``action_*`` methods delegate to the ``Session`` and then redraw, and ``check_action``
dims in the footer what cannot be done right now (undo with nothing to undo).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.progress_bar import ProgressBar
from rich.table import Table
from rich.text import Text
from textual import events, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState, get_current_worker

from annotate.labelling.progress import rate_per_hour
from annotate.labelling.session import (
    Finder,
    Session,
    filter_name,
    first_unlabelled,
    matches,
    next_filter,
)
from annotate.model import Dropped
from annotate.store import (
    ArticleProgress,
    LockProbe,
    Store,
    StoreBusyError,
    StoreFullError,
    UnitGoneError,
    UnitView,
)
from annotate.tui.messages import (
    ClaimDrawn,
    ClaimShown,
    Decided,
    Farewell,
    IngestEvent,
    IngestOver,
    IngestStarted,
    SuggestionsReady,
)
from annotate.tui.widgets.claim import (
    ArticleHeader,
    ClaimView,
    MessageLine,
    StatusBar,
    SuggestionBar,
)
from annotate.tui.widgets.decisions import DecisionList
from annotate.tui.widgets.keys import KeyBar, KeyEntry
from annotate.visible import visible

# How often the ingest worker passes the child's events on to the screen (seconds).
INGEST_POST_EVERY = 0.1
# How long a quit waits for the write lock once more before saying what was not saved.
QUIT_LOCK_WAIT = 1.0

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


# The key bar's keys in order of importance: (binding id, short description, essential).
# The essential ones are the next step's and always show; the rest as width allows.
KEY_BAR = (
    ("label.attributed", "attr", True),
    ("label.unattributed", "unattr", True),
    ("label.editorial", "edit'l", True),
    ("label.not_claim", "not", True),
    ("label.accept_suggestion", "accept", True),
    ("next", "next", True),
    ("guidelines", "help", True),
    ("quit", "quit", True),
    ("undo", "undo", False),
    ("note", "note", False),
    ("flag", "flag", False),
    ("decisions", "history", False),
    ("search", "search", False),
    ("articles", "articles", False),
    ("filter.choose", "filter", False),
    ("source.edit", "source", False),
)
# Shorter long descriptions for the bar than the help screen's.
_BAR_LONG = {"label.accept_suggestion": "Accept", "next": "Next", "source.edit": "Source"}


def key_entries(
    bindings: list[Binding],
    label_keys: dict[str, str],
    display: Callable[[str], str],
    order: tuple[tuple[str, str, bool], ...] = KEY_BAR,
) -> list[KeyEntry]:
    """The key bar's entries: the first key in effect of each binding in ``order``
    (after the keymap; a binding left without keys is left out), as ``display`` names it."""
    by_id = {b.id: b for b in bindings if b.id}
    entries = []
    for binding_id, short, essential in order:
        keys = [k for k in label_keys.get(binding_id, "").split(",") if k]
        b = by_id.get(binding_id)
        if not keys or b is None:
            continue
        long = _BAR_LONG.get(binding_id, b.description)
        entries.append(KeyEntry(b.action, display(keys[0]), long, short, essential))
    return entries


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
        # Into the decision strip (shown beside the claim from 110 columns); enter there
        # goes back to a claim, escape back to labelling.
        Binding("h", "decisions", "Last decisions", id="decisions", show=False),
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
    # Nothing takes the focus: every key is the screen's until h enters the strip.
    AUTO_FOCUS = None
    # From 110 columns the decision strip has room beside the claim.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (110, "-wide")]

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

    def __init__(
        self,
        session: Session,
        *,
        label_keys: dict[str, str],
        corpus: Path | None = None,
        report_shown: bool = False,
        show_others: bool = False,
    ) -> None:
        """The screen over a started ``session``, with ``label_keys`` (binding id -> keys
        after the keymap) in effect; given ``corpus``, it ingests it in the background.
        ``report_shown``: post ``ClaimShown`` after each claim drawn (benchmark hooks).
        ``show_others``: show other annotators' labels (blind labelling by default)."""
        super().__init__()
        self.session = session
        self.db_path = str(session.store.path)
        self.label_keys = label_keys
        self.corpus = corpus
        self.ingesting = corpus is not None
        self.report_shown = report_shown
        self.show_others = show_others
        self.ingested = False  # the corpus given has been ingested
        self._ingest_process: Any = None
        self._ingest_hold: Any = None  # ingest_process.Hold, once the child started
        self._ingest_progress = (0, 0)  # files ingested, of how many (0: not listed yet)
        self._can: tuple[bool, ...] | None = None  # what check_action last allowed
        self._accept_key = "s"  # shown on the suggestion line ("" for none)
        self._placeholder = ""  # shown when there is no claim: see empty_message
        # A change the database could not take yet (another process holds its write
        # lock): (run it again, what it was), kept until it is written or the app quits.
        self.pending: tuple[Callable[[], None], str] | None = None

    def compose(self) -> ComposeResult:
        yield ArticleHeader(id="article")
        with Horizontal(id="middle"):
            yield ClaimView(id="claim")
            yield DecisionList(id="decisions")
        yield SuggestionBar(id="suggestion")
        yield MessageLine(id="message")
        yield StatusBar(id="status")
        yield Static(id="ingest")
        yield KeyBar(id="keys")

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
        self.query_one(SuggestionBar).show_others = self.show_others
        # The ingest bar from the first paint on, before the corpus is even listed.
        self.show_ingest(0, 0, running=self.ingesting)
        # The accept key in effect: the keymap may move it, or give its keys to others.
        first = self.label_keys["label.accept_suggestion"].split(",")[0]
        self._accept_key = self.app.get_key_display(Binding(first, "")) if first else ""
        bindings = Binding.make_bindings(self.BINDINGS)
        self.query_one(KeyBar).set_entries(
            key_entries(list(bindings), self.label_keys, self.key_display)
        )
        self.show_unit()
        # Workers start once the first claim is drawn, so they do not delay it.
        self.call_after_refresh(self.screen_ready)

    # -- actions: one-line delegations -------------------------------------------------

    def action_label(self, label: str) -> None:
        self.attempt(lambda: self.decide(label), f"the label {label.replace('_', ' ')}")

    def action_accept_suggestion(self) -> None:
        self.attempt(lambda: self.decide(None), "the suggested label")

    def action_edit_source(self) -> None:
        self.edit_source()

    def action_merge(self) -> None:
        self.attempt(lambda: self.resegment(self.session.merge_next), "the merge")

    def action_split(self) -> None:
        self.open_split()

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
        self.attempt(self._undo, "the undo")

    def _undo(self) -> None:
        self.session.undone = ""
        self.resegment(self.session.undo)
        if self.session.undone:
            self.say(self.session.undone)

    def action_decisions(self) -> None:
        """Into the decision strip (showing it on a narrow screen), or out of it."""
        panel = self.query_one(DecisionList)
        if panel.has_focus:
            self.on_decision_list_closed(DecisionList.Closed())
            return
        self.add_class("-decisions")
        panel.show(self.session.recent)
        panel.can_focus = True
        panel.focus()

    def on_decision_list_closed(self, _message: DecisionList.Closed) -> None:
        self.remove_class("-decisions")
        self.query_one(DecisionList).can_focus = False  # the label keys stay the screen's
        self.set_focus(None)

    def on_decision_list_jump(self, message: DecisionList.Jump) -> None:
        self.on_decision_list_closed(DecisionList.Closed())
        self.moved(self.session.go_to(message.unit_id), "That claim is no longer stored.")

    def action_step(self, forward: bool) -> None:
        if self.session.rare_filter():
            self.search(self.session.step_finder(forward), self._end_message(forward))
        else:
            self.moved(self.session.step(forward), self._end_message(forward))

    def action_next_unlabelled(self) -> None:
        self.moved(self.session.next_unlabelled(), "Every claim is labelled.")

    def action_note(self) -> None:
        self.edit_note()

    def action_flag(self) -> None:
        self.attempt(lambda: self.change(self.session.toggle_flag), "the flag")

    def action_articles(self) -> None:
        self.open_articles()

    def action_search(self) -> None:
        self.open_search()

    def action_cycle_filter(self) -> None:
        self.apply_filter(next_filter(self.session.only))

    def action_choose_filter(self) -> None:
        self.choose_filter()

    def action_guidelines(self) -> None:
        self.open_guidelines()

    def action_quit(self) -> None:
        self.quit_app()

    def refresh_keys(self) -> None:
        """The bindings changed what they may do: tell Textual and redraw the key bar."""
        self.refresh_bindings()
        self.query_one(KeyBar).update_enabled(self.can_run)

    def key_display(self, key: str) -> str:
        """A key as the terminal names it ("?" for question_mark)."""
        return self.app.get_key_display(Binding(key, ""))

    def can_run(self, action: str) -> bool:
        return self.check_action(action, ()) is True

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Dim (None) what cannot be done now, so the key bar tells the truth."""
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
            self.say(f"Still {WAITING}.", "warning")
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
            self.refresh_keys()
            self._can = None
            self.alert(
                f"Not saved yet, {WAITING}: {what} is kept and saved as soon as it frees.",
                "warning",
            )
            self.wait_for_lock()
        except StoreFullError:
            self._not_saved_disk_full(what)

    def _not_saved_disk_full(self, what: str) -> None:
        self.alert(
            f"Not saved (disk full): {what} was not written; free some space and try "
            "again. Everything saved before is kept.",
            "error",
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
            self.say(f"Saved: {what} is written.")
        self.query_one(StatusBar).show_waiting("")
        self._can = None
        self.refresh_keys()
        return True

    def say(self, message: str, severity: str = "information") -> None:
        """A message in the screen's message line: it replaces the one before."""
        self.query_one(MessageLine).say(message, severity)

    def alert(self, message: str, severity: SeverityLevel = "warning") -> None:
        """What needs the annotator's attention (a change not saved, a failed ingest): in
        the message line and as the one toast on screen (an earlier one is cleared)."""
        self.say(message, severity)
        self.app.clear_notifications()
        timeout = 15 if severity == "error" else 8
        self.notify(message, severity=severity, timeout=timeout, markup=False)

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
        self.post_message(Decided())
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
            self.say(self._done_message())
        self.show_unit()

    def sentence_changed(self) -> None:
        """The claim on screen was replaced on disk (nothing was recorded): show what is
        there now."""
        self.session.recheck()
        self.say("This sentence changed on disk; showing the current version.", "warning")
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
            self.say(f"Cannot do that: {e}.", "warning")
            return
        self.show_unit()

    def moved(self, unit: object | None, message: str) -> None:
        if unit is None and message:
            self.say(message, "warning")
        elif unit is not None:
            self.query_one(MessageLine).clear()  # what it said was about the claim left
        self.show_unit()

    def search(self, find: Finder, message: str) -> None:
        """Move by a walk that may read the whole queue: run in a worker, "searching…"
        showing meanwhile; ``message`` if it finds nothing."""
        self.searching(True)
        self.walk(find, self.session.unit.id if self.session.unit else None, message)

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
            self.say(f"No {filter_name(only)} claims.", "warning")
        self.show_unit()

    def _end_message(self, forward: bool) -> str:
        where = "last" if forward else "first"
        if self.session.only is None:
            return f"This is the {where} claim."
        return f"This is the {where} {filter_name(self.session.only)} claim."

    def _done_message(self) -> str:
        if self.session.only in (None, "unlabelled") and self.session.check_earlier:
            return "No unlabelled claim after this one; looking at the earlier ones…"
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
        claim = self.query_one(ClaimView)
        claim.show(context, self._placeholder)
        # After the claim view's own refresh (it asks for it once its queue is empty).
        claim.call_after_refresh(self.post_message, ClaimDrawn())
        self.show_decisions()
        self.query_one(SuggestionBar).show(context, self._accept_key)
        status = self.query_one(StatusBar)
        if context is None:
            status.show("", None)
        else:
            where = f"claim {context.index} of {context.of} in this article"
            status.show(where, context.state, f"claim {context.index}/{context.of}")
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
            self.refresh_keys()
        if self.report_shown:
            self.post_message(ClaimShown(self.session.unit is not None))

    def show_decisions(self) -> None:
        panel = self.query_one(DecisionList)
        if panel.display and panel.region.width:  # hidden at 80 columns: no cost there
            panel.show(self.session.recent)

    def on_resize(self) -> None:
        self.call_after_refresh(self.show_decisions)  # the strip may just have appeared

    def show_counts(self) -> None:
        s = self.session
        only = filter_name(s.only) if s.only else ""
        rate = rate_per_hour([d.at for d in s.recent])  # ten times parsed: no cost to speak of
        bar = self.query_one(StatusBar)
        bar.show_counts(s.labelled, s.claims, s.annotator, only, s.scope(), rate)

    def show_ingest(self, done: int, total: int, running: bool = True) -> None:
        """The ingest line under the progress: shown only while ingest runs (``total``
        0: the corpus is not listed yet)."""
        ingest = self.query_one("#ingest", Static)
        ingest.display = running
        self._ingest_progress = (done, total)
        if running:
            grid = Table.grid(padding=(0, 1))
            grid.add_row(
                Text("Ingesting corpus", "dim"),
                ProgressBar(total=total or None, completed=done, width=30),
                Text(f"{done:,}/{total:,} files" if total else "listing files…", "dim"),
            )
            ingest.update(grid)

    def on_key(self, event: events.Key) -> None:
        """A key that cannot act now, because a change still waits for the database or
        the first claims are still being ingested: say why nothing happens rather than
        drop it without a word."""
        active = self.active_bindings.get(event.key)
        if self.pending is not None:
            action = active.binding.action.split("(")[0] if active is not None else ""
            if action and action not in _WHILE_WAITING:
                self.say(f"That key did nothing: {self.pending[1]} is still {WAITING}.", "warning")
            return
        if self.session.unit is not None or not self.ingesting or self.ingested:
            return
        if active is not None and active.binding.action.split("(")[0] in self._NEED_UNIT:
            done, total = self._ingest_progress
            where = f"ingest at {done:,}/{total:,} files" if total else "listing the corpus"
            self.say(f"No claim yet: {where}; keys work once a claim shows.", "warning")

    # -- workers: each on a connection of its own, so the screen never waits on them -----

    def screen_ready(self) -> None:
        """The first claim is drawn: count, look for earlier unlabelled claims, ingest.

        Each runs in a worker thread with its own connection, so the first claim is on
        screen and keys are taken while they run.
        """
        self.count()
        if self.session.check_earlier:
            self.find_earlier(self.session.unit.id if self.session.unit else None)
        if self.corpus is not None:
            # The child's batches leave a WAL of many pages: checkpointing it on this
            # connection's commits would stall the screen; the child checkpoints at its end.
            self.session.store.conn.execute("PRAGMA wal_autocheckpoint = 0")
            self.ingest(self.corpus)

    @work(thread=True, exclusive=True, group="count")
    def count(self) -> None:
        """Read the progress counters (a pass over an index of the whole corpus)."""
        with Store.open(self.db_path, migrate=False) as store:
            snapshot = store.progress_snapshot(
                self.session.annotator, assigned=self.session.assigned
            )
        self.app.call_from_thread(self._counted, *snapshot)

    def _counted(self, claims: int, labelled: int, last: int) -> None:
        if self.ingested:  # ingest finished first and counted the claims after it
            claims = self.session.claims
        self.session.counted(claims, labelled, last)
        self.show_counts()

    @work(thread=True, exclusive=True, group="find")
    def find_earlier(self, start_unit: str | None) -> None:
        """Nothing unlabelled after where the annotator stopped: look from the start."""
        with Store.open(self.db_path, migrate=False) as store:
            session = self.session
            found = first_unlabelled(
                store, session.annotator, assigned=session.assigned, order=session.order
            )
        self.app.call_from_thread(self._found_earlier, start_unit, found)

    def _found_earlier(self, start_unit: str | None, found: UnitView | None) -> None:
        session = self.session
        session.earlier_checked(found)
        if found is None:
            self.say(f"Every claim is labelled ({session.labelled:,}).")
        elif session.unit is not None and session.unit.id == start_unit:
            self.moved(session.go(found), "")  # the annotator has not moved yet
        else:
            self.say("Some earlier claims are unlabelled: n jumps to the next one.")

    @work(thread=True, exclusive=True, group="walk")
    def walk(self, find: Finder, from_unit: str | None, message: str) -> None:
        """Run a walk that may read the whole queue (a rare filter) on a connection of its
        own; the claim found is shown unless the annotator moved meanwhile."""
        worker = get_current_worker()
        with Store.open(self.db_path, migrate=False) as store:
            found = find(store)
        if not worker.is_cancelled:
            self.app.call_from_thread(self._walked, found, from_unit, message)

    def _walked(self, found: UnitView | None, from_unit: str | None, message: str) -> None:
        session = self.session
        self.searching(False)
        if (session.unit.id if session.unit else None) != from_unit:
            return  # the annotator went elsewhere (undo, search, ...) while it ran
        self.moved(session.go(found), message)

    @work(thread=True, exclusive=True, group="lock")
    def wait_for_lock(self) -> None:
        """Watch for the write lock held by another process to free, then write the
        pending change (on the screen's connection, on the screen's thread)."""
        worker = get_current_worker()
        probe = LockProbe(self.db_path)
        try:
            while not worker.is_cancelled:
                if not probe.free():
                    time.sleep(0.05)
                    continue
                if worker.is_cancelled:
                    return
                written: bool = self.app.call_from_thread(self.retry_pending)
                if written:
                    return
        finally:
            probe.close()

    def quit_app(self) -> None:
        """Quit; a change still waiting for the database is tried once more, and if the
        lock is still held the annotator is told what was not saved."""
        if self.pending is not None:
            self.session.store.lock_wait = QUIT_LOCK_WAIT
            self.retry_pending()
        if self.pending is not None:
            self.post_message(
                Farewell(
                    f"Not saved: {self.pending[1]} (the database {visible(self.db_path)} was "
                    "held by another process). Everything before it is saved."
                )
            )
            return
        self.app.exit()

    # -- ingest in a worker thread -------------------------------------------------------

    @work(thread=True, exclusive=True, group="ingest", exit_on_error=False)
    def ingest(self, corpus: Path) -> None:
        """Run ingest in a child process (annotate/tui/ingest_process.py), passing its
        events on to the screen a few times a second."""
        import tempfile

        from annotate.ingest import Summary
        from annotate.tui.ingest_process import Hold, read_frames, start

        worker = get_current_worker()
        mine = self.session.annotator if self.session.assigned else ""
        with tempfile.TemporaryFile() as errors:
            proc = start(self.db_path, corpus, mine, errors)
            self._ingest_process = proc
            self._ingest_hold = Hold(proc)
            self.post_message(IngestStarted(proc, self._ingest_hold))
            self.session.store.on_busy = self._ingest_hold.nudge
            self.session.store.on_got_lock = self._ingest_hold.stop_again
            assert proc.stdout is not None
            events: list[Any] = []
            claims: int | None = None
            report: list[str] | None = None
            posted = time.monotonic()
            for kind, payload in read_frames(proc.stdout):
                if worker.is_cancelled:
                    break
                if kind == "claims":
                    claims = payload
                elif kind == "report":
                    report = payload
                elif kind == "suggestions":
                    self.post_message(SuggestionsReady())
                else:
                    events.append(payload)
                # A few messages a second: the screen redraws once for many events.
                now = time.monotonic()
                if isinstance(payload, Summary) or now - posted >= INGEST_POST_EVERY:
                    self.post_message(IngestEvent(events, claims, report))
                    events, posted = [], now
            if events and not worker.is_cancelled:
                self.post_message(IngestEvent(events, claims, report))
            self.session.store.on_busy = self.session.store.on_got_lock = None
            if worker.is_cancelled:
                stop(proc)
                return
            if proc.wait() != 0:
                errors.seek(0)
                lines = errors.read().decode("utf-8", "replace").strip().splitlines()
                raise RuntimeError(lines[-1] if lines else f"exit status {proc.returncode}")

    def _start_session(self) -> UnitView | None:
        """Start the session on claims that just arrived; if nothing is unlabelled after
        where the annotator stopped, a worker looks at the earlier claims."""
        unit = self.session.start()
        if self.session.check_earlier:
            self.find_earlier(unit.id if unit else None)
        return unit

    def on_ingest_event(self, message: IngestEvent) -> None:
        from annotate.ingest import Progress

        progress = [e for e in message.events if isinstance(e, Progress)]
        counts = False  # the claim count changed: the status line once for all events
        for event in message.events:
            if not isinstance(event, Progress):
                counts |= self.ingest_step(event, message.claims, message.report or [])
        if counts:
            self.show_counts()
        if progress and not self.ingested:
            self.show_ingest(progress[-1].done, progress[-1].total)

    def ingest_step(self, event: Any, claims: int | None, report: list[str]) -> bool:
        """One event of the ingest (progress aside); True when only the counts changed
        (the caller shows them once for a message's events)."""
        from annotate.ingest import ArticleResult, Summary, headline_count

        session = self.session
        # Skipped files are named in the report that comes with the Summary.
        if isinstance(event, ArticleResult) and event.status in ("added", "updated"):
            session.reopen()
            if event.status == "added" and not session.assigned:  # new: assigned to nobody
                session.claims += event.units
            if session.unit is None and self._start_session() is not None:
                self.show_unit()  # the first claims of an empty database have arrived
            elif session.unit is not None and session.unit.article_path == event.path:
                session.recheck()  # the article on screen changed: its claim may be gone
                self.show_unit()
            else:
                return True
        elif isinstance(event, Summary):
            self.ingested = True
            session.store.conn.execute("PRAGMA wal_autocheckpoint = 1000")
            if claims is not None:
                session.claims = claims
            if session.unit is None:
                self._start_session()
            else:
                session.recheck()
            if event.changed:
                self.count()  # labels on replaced sentences no longer count
            self.show_ingest(event.files, event.files, running=False)
            self.show_unit(self.empty_message(ingested=True))
            self.post_message(IngestOver(ingested=True))
            if not (event.changed or event.skipped or not event.articles):
                return False  # an unchanged corpus: nothing worth interrupting the annotator for
            if not event.skipped and event.articles:  # all went well: one line is enough
                self.say(visible(report[0]) if report else "Ingest done.")
                return False
            # What was ingested goes to the message line, what needs a look (skipped files)
            # to the one toast on screen: a small terminal keeps most of the claim in view.
            head = headline_count(event)
            if head and report:
                self.say(visible(report[0]))
            self.app.clear_notifications()
            self.notify(
                "\n".join(visible(line) for line in report[head:] or report),  # any bytes
                title="Ingest",
                timeout=8,
                severity="warning",
                markup=False,  # file names are data
            )
        return False

    def on_suggestions_ready(self, _message: SuggestionsReady) -> None:
        self.session.reopen()  # in the confidence order, new suggestions join the walk
        self.session.go(self.session.unit)  # re-read the suggestion of the current claim
        self.show_unit()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "ingest" and event.state == WorkerState.ERROR:
            self.session.store.conn.execute("PRAGMA wal_autocheckpoint = 1000")
            self.show_ingest(0, 1, running=False)
            self.post_message(IngestOver(ingested=False))
            self.alert(f"Ingest failed: {visible(event.worker.error)}", "error")

    def on_unmount(self) -> None:
        if self._ingest_process is not None:
            self._ingest_hold.release()
            stop(self._ingest_process)

    # -- pop-up screens ------------------------------------------------------------------

    def edit_note(self) -> None:
        from annotate.tui.screens.note import NoteScreen

        self.app.push_screen(NoteScreen(self.session.state.note), self._note_done)

    def _note_done(self, note: str | None) -> None:
        if note is not None:
            self.attempt(lambda: self.change(lambda: self.session.set_note(note)), "the note")

    def edit_source(self) -> None:
        from annotate.tui.screens.prompt import SourceScreen

        session = self.session
        value = session.state.source or session.detected_source() or ""
        question = (
            "Source of this claim (enter saves, empty removes, esc cancels)"
            if session.state.label
            else "Source of this claim: enter labels it attributed (esc cancels)"
        )
        self.app.push_screen(SourceScreen(question, value, "who said it"), self._source_done)

    def _source_done(self, source: str | None) -> None:
        if source is not None:
            self.attempt(lambda: self.set_source(source), "the source")

    def open_split(self) -> None:
        from annotate.tui.screens.split import SplitScreen

        if self.session.unit is not None:
            self.app.push_screen(SplitScreen(self.session.unit.text), self._split_done)

    def _split_done(self, at: int | None) -> None:
        if at is not None:
            self.attempt(lambda: self.resegment(lambda: self.session.split_at(at)), "the split")

    def choose_filter(self) -> None:
        from annotate.tui.screens.filter import FilterScreen

        s = self.session
        known = {"": s.claims, "unlabelled": s.claims - s.labelled}
        screen = FilterScreen(s.only, self.db_path, s.annotator, assigned=s.assigned, known=known)
        self.app.push_screen(screen, self._filter_done)

    def _filter_done(self, only: str | None) -> None:
        if only is not None:
            self.apply_filter(only or None)

    def open_articles(self) -> None:
        from annotate.tui.screens.articles import ArticlesScreen

        current = self.session.unit.article_id if self.session.unit else None
        screen = ArticlesScreen(
            self.db_path, self.session.annotator, current, assigned=self.session.assigned
        )
        self.app.push_screen(screen, self.jump_to_article)

    def jump_to_article(self, article: ArticleProgress | None) -> None:
        """To the article's first unlabelled claim (its first, once all are labelled)."""
        if article is None or article.first_pos is None:
            return
        self.moved(self.session.go(self.session.first_in_article(article.id)), "")

    def open_search(self) -> None:
        from annotate.tui.screens.search import SearchScreen

        screen = SearchScreen(self.db_path, self.session.annotator, assigned=self.session.assigned)
        self.app.push_screen(screen, self._search_done)

    def _search_done(self, unit_id: str | None) -> None:
        if unit_id is not None:
            self.moved(self.session.go_to(unit_id), "")

    def open_guidelines(self) -> None:
        self.app.push_screen(help_screen(self.label_keys, self.app, LabelScreen.BINDINGS))


def shown_keys(label_keys: dict[str, str], app: Any) -> dict[str, str]:
    """Binding id -> its keys in effect as the help screen shows them ("`a`, `1`")."""
    shown = {}
    for binding_id, keys in label_keys.items():
        names = [f"`{app.get_key_display(Binding(k, ''))}`" for k in keys.split(",") if k]
        shown[binding_id] = ", ".join(names) or "none"
    return shown


def key_sheet(label_keys: dict[str, str], app: Any, bindings: list[Any]) -> list[tuple[str, str]]:
    """(keys in effect, what they do) for each of ``bindings`` with an id, in order."""
    cells = []
    for b in bindings:
        if isinstance(b, Binding) and b.id and b.id in label_keys:
            keys = [app.get_key_display(Binding(k, "")) for k in label_keys[b.id].split(",") if k]
            cells.append((", ".join(keys) or "none", b.description))
    return cells


def help_screen(label_keys: dict[str, str], app: Any, bindings: list[Any]) -> Screen[None]:
    """The help screen: the key sheet of ``bindings``, the guidelines with the keys in
    effect, the full key table."""
    from annotate.tui.screens.guidelines import GuidelinesScreen

    full = keys_markdown(label_keys, app).replace("## Keys", "## Every key and its binding id")
    return GuidelinesScreen(
        full, sheet=key_sheet(label_keys, app, bindings), keys=shown_keys(label_keys, app)
    )


def keys_markdown(label_keys: dict[str, str], app: Any) -> str:
    """The key table as it is now (after the user's keymap), for the help screen; ``app``
    shows a key as the terminal names it (``get_key_display``)."""
    rows = ["## Keys", "", "| key | does | binding id |", "| --- | --- | --- |"]
    for b in LabelScreen.BINDINGS:
        assert isinstance(b, Binding) and b.id
        keys = [k for k in label_keys[b.id].split(",") if k]
        shown = ", ".join(f"`{app.get_key_display(Binding(k, ''))}`" for k in keys)
        rows.append(f"| {shown or 'none'} | {b.description} | `{b.id}` |")
    return "\n".join(rows)


def stop(proc: Any) -> None:
    """End a child process (the ingest, at quit): what it had not committed is redone by
    the next run, as after any interruption."""
    if proc.poll() is None:
        try:
            proc.stdin.close()  # it stops at its next file, rolling back its batch
            proc.wait(timeout=2)
        except Exception:
            proc.terminate()
            try:
                proc.wait(timeout=5)
            except Exception:
                proc.kill()
