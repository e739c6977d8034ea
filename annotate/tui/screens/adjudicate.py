"""Adjudication mode (``annotate corpus/ --adjudicate``): settle what annotators disagree on.

Each claim annotators labelled differently is shown in its paragraph with every annotator's
label, flag and note; one of the label keys, then a reason (enter alone is fine), records
the final label in the adjudications table, apart from the annotators' labels.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Static

from annotate.labelling.adjudication import AdjudicationWalk
from annotate.store import (
    Disagreement,
    Store,
    StoreBusyError,
    StoreFullError,
    SuggestionRecord,
)
from annotate.tui.screens.label import LABEL_BINDINGS, WAITING, help_screen, key_entries
from annotate.tui.widgets.claim import ArticleHeader, ClaimView, MessageLine, literal
from annotate.tui.widgets.keys import KeyBar

# The key bar's keys in order of importance (see annotate.tui.screens.label.KEY_BAR).
KEY_BAR = (
    ("label.attributed", "attr", True),
    ("label.unattributed", "unattr", True),
    ("label.editorial", "edit'l", True),
    ("label.not_claim", "not", True),
    ("adjudicate.next", "next", True),
    ("guidelines", "help", True),
    ("quit", "quit", True),
    ("undo", "undo", False),
)

# Annotator lines shown before "… and N more".
ANNOTATOR_LINES = 3


def reviews_text(d: Disagreement | None, suggestion: SuggestionRecord | None = None) -> Text:
    """Every annotator's label, flag and note, the adjudication if there is one, and what
    the rules suggest (a third opinion, with its reason)."""
    if d is None:
        return Text("")
    lines = []
    for r in d.labels[:ANNOTATOR_LINES]:
        line = Text(f"{literal(r.annotator):<12.12} ")
        line.append(f"{r.label.replace('_', ' '):<13}", "bold")
        if r.flagged:
            line.append(" ⚑ unsure", "bold")
        if r.note:
            line.append(" · note: ")
            line.append(literal(r.note), "italic")
        lines.append(line)
    if len(d.labels) > ANNOTATOR_LINES:
        lines.append(Text(f"… and {len(d.labels) - ANNOTATOR_LINES} more annotators", "dim"))
    a = d.adjudication
    final = Text("final: ")
    if a is None:
        final.append("— not adjudicated yet", "dim")
    else:
        final.append(a.label.replace("_", " "), "bold")
        final.append(f" by {literal(a.adjudicator)}")
        if a.reason:
            final.append(" · reason: ")
            final.append(literal(a.reason), "italic")
    lines.append(final)
    if suggestion is not None:
        rules = Text("rules suggest: ", "dim")
        rules.append(suggestion.suggested_label.replace("_", " "))
        rules.append(f" {suggestion.confidence:.2f} — ", "dim")
        rules.append(literal(suggestion.reason), "dim italic")
        lines.append(rules)
    text = Text("\n").join(lines)
    text.no_wrap, text.overflow = True, "ellipsis"
    return text


class Reviews(Widget):
    """The annotators' decisions on the current claim and its final label."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.disagreement: Disagreement | None = None
        self.suggestion: SuggestionRecord | None = None

    def show(self, d: Disagreement | None, suggestion: SuggestionRecord | None) -> None:
        self.disagreement, self.suggestion = d, suggestion
        self.refresh()

    def render(self) -> Text:
        return reviews_text(self.disagreement, self.suggestion)


class AdjudicateScreen(Screen[None]):
    """Walks the disagreements; a label key then a reason records the final label."""

    BINDINGS = [
        *LABEL_BINDINGS,
        Binding("u,ctrl+z", "undo", "Undo", id="undo"),
        Binding("left,k", "step(False)", "Back", id="back", show=False),
        Binding("right,j", "step(True)", "Forward", id="forward", show=False),
        Binding("n", "next_unresolved", "Next open", id="adjudicate.next"),
        # Tab too, as on the labelling screen; its own binding so the footer shows "n".
        Binding("tab", "next_unresolved", "Next open", show=False),
        Binding("question_mark", "guidelines", "Help", id="guidelines"),
        Binding("q", "quit", "Quit", id="quit"),
    ]

    _NEED_ITEM = {"label", "step", "next_unresolved"}

    def __init__(self, store: Store, adjudicator: str, *, label_keys: dict[str, str]) -> None:
        """Walk the disagreements of the open ``store`` as ``adjudicator``; ``label_keys``
        (binding id -> keys after the keymap) for the help screen."""
        super().__init__()
        self.store = store
        self.db_path = str(store.path)
        self.label_keys = label_keys
        self.adjudicator = adjudicator
        self.walk: AdjudicationWalk | None = None
        self.ready = False  # the first open disagreement has been found (a worker's job)
        self.annotators: list[str] | None = None  # who has labelled anything, once counted

    def compose(self) -> ComposeResult:
        yield ArticleHeader(id="article")
        yield ClaimView(id="claim")
        yield Reviews(id="reviews")
        yield MessageLine(id="message")
        yield Static(id="adjudicate-status")
        yield KeyBar(id="keys")

    def on_mount(self) -> None:
        display = self.app.get_key_display
        entries = key_entries(
            list(Binding.make_bindings(self.BINDINGS)),
            self.label_keys,
            lambda key: display(Binding(key, "")),
            KEY_BAR,
        )
        self.query_one(KeyBar).set_entries(entries)
        self.walk = AdjudicationWalk(self.store, self.adjudicator)
        self.show_item()
        self.find_start()
        self.count()

    @work(thread=True, exclusive=True, group="start")
    def find_start(self) -> None:
        """Find the first disagreement without an adjudication on a connection of its own:
        past every adjudicated one, a page at a time, so the screen never waits on it."""
        with Store.open(self.db_path, migrate=False) as store:
            found = AdjudicationWalk(store, self.adjudicator)
            found.start()
        self.app.call_from_thread(self._started, found)

    def _started(self, found: AdjudicationWalk) -> None:
        self._walk.take_start(found)
        self.ready = True
        self.show_item()

    @work(thread=True, exclusive=True, group="count")
    def count(self) -> None:
        """Count the disagreements (a pass over every label) on a connection of its own."""
        with Store.open(self.db_path, migrate=False) as store:
            counts = store.disagreement_count(), store.disagreement_count(unresolved=True)
            annotators = store.annotators()
        self.app.call_from_thread(self._counted, *counts, annotators)

    def _counted(self, total: int, left: int, annotators: list[str]) -> None:
        self._walk.counted(total, left)
        self.annotators = annotators
        self.show_item()
        if total and not left:
            self.say(f"Every disagreement is adjudicated ({total:,}).")

    # -- actions: one-line delegations -------------------------------------------------

    def action_label(self, label: str) -> None:
        self.ask_reason(label)

    def action_undo(self) -> None:
        self.written(lambda: self.moved(self._walk.undo(), ""), "the undo")

    def action_step(self, forward: bool) -> None:
        self.moved(self._walk.step(forward), f"This is the {'last' if forward else 'first'} one.")

    def action_next_unresolved(self) -> None:
        self.moved(self._walk.next_unresolved(), "Every disagreement is adjudicated.")

    def action_guidelines(self) -> None:
        self.app.push_screen(help_screen(self.label_keys, self.app, self.BINDINGS))

    def action_quit(self) -> None:
        self.app.exit()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Dim (None) what cannot be done now, so the footer tells the truth."""
        if self.walk is None or not self.ready:
            return None if action in self._NEED_ITEM or action == "undo" else True
        if action in self._NEED_ITEM and self.walk.current is None:
            return None
        if action == "undo" and not self.walk.undo_stack:
            return None
        return True

    # -- doing -------------------------------------------------------------------------

    @property
    def _walk(self) -> AdjudicationWalk:
        assert self.walk is not None
        return self.walk

    def ask_reason(self, label: str) -> None:
        """Ask why, then record ``label`` as the final one (escape: nothing recorded)."""
        from annotate.tui.screens.prompt import ReasonScreen

        question = f"Final label {label.replace('_', ' ')}: why? (enter saves, esc cancels)"
        before = self._walk.current
        old = before.adjudication.reason if before and before.adjudication else ""

        def done(reason: str | None) -> None:
            if reason is not None:
                self.written(lambda: self.decide(label, reason), "the final label")

        self.app.push_screen(ReasonScreen(question, old or "", "reason (optional)"), done)

    def decide(self, label: str, reason: str) -> None:
        """Record the adjudication (committed), then show the next open disagreement."""
        walk = self._walk
        walk.decide(label, reason)
        if not walk.next_unresolved():
            self.say("Every disagreement is adjudicated.")
        self.show_item()

    def written(self, do: Callable[[], None], what: str) -> None:
        """Run a change written to the database; if the write lock is held elsewhere or
        the disk is full, nothing is written and the adjudicator is told in one line."""
        try:
            do()
        except StoreBusyError:
            self.alert(f"Not saved, {WAITING}: try {what} again.", "warning")
        except StoreFullError:
            self.alert(f"Not saved (disk full): {what} was not written.", "error")

    def say(self, message: str, severity: str = "information") -> None:
        """A message in the screen's message line: it replaces the one before."""
        self.query_one(MessageLine).say(message, severity)

    def alert(self, message: str, severity: SeverityLevel) -> None:
        """A change not saved: in the message line and as the one toast on screen."""
        self.say(message, severity)
        self.app.clear_notifications()
        self.notify(message, severity=severity, timeout=10, markup=False)

    def moved(self, ok: bool, message: str) -> None:
        if not ok and message:
            self.say(message, "warning")
        elif ok:
            self.query_one(MessageLine).clear()
        self.show_item()

    # -- drawing -------------------------------------------------------------------------

    def show_item(self) -> None:
        walk = self._walk
        if not self.ready:  # reading the walk now would page through it on this thread
            self.query_one(ClaimView).show(None, "Searching for the first open disagreement…")
            self.query_one("#adjudicate-status", Static).update("searching…")
            return
        context = walk.context()
        self.query_one(ArticleHeader).show(context)
        self.query_one(ClaimView).show(context, self._nothing_message())
        self.query_one(Reviews).show(walk.current, context.suggestion if context else None)
        status = Text(walk.position())
        status.append(" · adjudicator ")
        status.append(literal(walk.adjudicator), "bold")
        self.query_one("#adjudicate-status", Static).update(status)
        self.refresh_bindings()
        self.query_one(KeyBar).update_enabled(lambda action: self.check_action(action, ()) is True)

    def _nothing_message(self) -> str:
        annotators = self.annotators
        if annotators is not None and len(annotators) < 2:
            who = ", ".join(annotators) or "nobody"
            return (
                f"Nothing to adjudicate: labels from at least two annotators are needed "
                f"(labelled so far by: {who})."
            )
        return "Nothing to adjudicate: the annotators agree on every claim they have all labelled."
