"""The labelling app: ``AnnotateApp``, and ``make_app``, one constructor for the CLI
and the tests.

The app opens its own ``Store`` and shows the claim after the one this annotator last
worked on. Given a corpus, it ingests it in a worker thread with its own connection while
the annotator labels what is already stored; progress arrives as messages.
"""

from __future__ import annotations

import getpass
import os
import sqlite3
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path
from time import perf_counter
from typing import Any

from rich.text import Text
from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.screen import Screen
from textual.worker import Worker, WorkerFailed, WorkerState, get_current_worker

from annotate.labelling.keymap import keys_in_effect, load_keymap
from annotate.labelling.session import Finder, Session, first_unlabelled
from annotate.store import ArticleProgress, Store, StoreError, UnitView, is_damaged, is_full
from annotate.tui.screens.label import LABEL_BINDINGS, LabelScreen
from annotate.visible import visible

# Ids of the pop-up screens' bindings. The pop-ups are imported when first opened (the
# guidelines alone pull in a Markdown parser), so their ids are listed here for checking
# the config file; tests/test_tui.py checks the list against the screens.
POPUP_BINDING_IDS = (
    "guidelines.close",
    "articles.close",
    "search.close",
    "note.cancel",
    "filter.cancel",
    "split.cancel",
    "split.confirm",
)
# Ids of the adjudication screen's own bindings and of the one-line prompts (kept apart
# from POPUP_BINDING_IDS; tests/test_tui_adjudicate.py checks them against the screens).
MORE_BINDING_IDS = (
    "adjudicate.next",
    "source.cancel",
    "reason.cancel",
)

# Benchmark hooks (benchmarks/tui_speed.py): a file to write the wall-clock time of the
# first claim on screen to, and a file to write key-to-next-claim latencies to at exit.
FIRST_PAINT_ENV = "ANNOTATE_BENCH_FIRST_PAINT"
LATENCY_ENV = "ANNOTATE_BENCH_LATENCY"

# How long the screen's thread may wait for the database's write lock before a change is
# kept pending (another writer's batch is shorter than this: see Store.batched), and how
# long a quit waits for it once more before saying what was not saved.
UI_LOCK_WAIT = 0.25
# How often the ingest worker passes the child's events on to the screen (seconds).
INGEST_POST_EVERY = 0.1
QUIT_LOCK_WAIT = 1.0


def database_problem(path: str, e: sqlite3.Error) -> str:
    """One line about a database error that ends the app (a damaged file, most often)."""
    if is_damaged(e):
        return (
            f"{visible(path)}: the database file is damaged ({visible(e)}); restore it from "
            "a copy (annotate merge can combine copies)"
        )
    if is_full(e):
        return f"{visible(path)}: the disk is full ({visible(e)})"
    return f"{visible(path)}: database error ({visible(e)})"


def default_annotator() -> str:
    """The login name, or "annotator" where there is none (containers, odd CI set-ups)."""
    try:
        return getpass.getuser() or "annotator"
    except Exception:  # getuser raises OSError or KeyError without a passwd entry
        return "annotator"


def binding_ids() -> set[str]:
    """Every binding id a config file may remap."""
    main = {b.id for b in Binding.make_bindings(LabelScreen.BINDINGS) if b.id}
    return main | set(POPUP_BINDING_IDS) | set(MORE_BINDING_IDS)


def default_keys(screen: type[Screen[Any]]) -> dict[str, str]:
    """A screen's binding ids -> their default keys, comma separated."""
    keys: dict[str, list[str]] = {}
    for b in Binding.make_bindings(screen.BINDINGS):
        if b.id:
            keys.setdefault(b.id, []).append(b.key)
    return {binding_id: ",".join(k) for binding_id, k in keys.items()}


def keymap_screens() -> list[dict[str, str]]:
    """The binding ids of each screen with their default keys, for checking a keymap for
    two ids of one screen on one key (the pop-ups' by their id prefix, keys unknown
    until they are imported)."""
    from annotate.tui.screens.adjudicate import AdjudicateScreen

    popups: dict[str, dict[str, str]] = {}
    for binding_id in (*POPUP_BINDING_IDS, *MORE_BINDING_IDS):
        popups.setdefault(binding_id.split(".")[0], {})[binding_id] = ""
    return [default_keys(LabelScreen), default_keys(AdjudicateScreen), *popups.values()]


_MODIFIERS = ("ctrl", "shift", "alt", "meta", "super", "hyper")


@cache
def _key_names() -> frozenset[str]:
    """Textual's names of the keys a keyboard sends: its special keys (``f5``, ``space``,
    ``pageup``) and the printable ASCII characters by name (``question_mark``)."""
    from textual import keys

    special = {k.value for k in keys.Keys if "+" not in k.value and not k.value.startswith("<")}
    special |= {alias for names in keys.KEY_ALIASES.values() for alias in names if "+" not in alias}
    chars = {keys._character_to_key(c) for c in map(chr, range(0x20, 0x7F))}
    return frozenset(special | chars)


def is_key_name(name: str) -> bool:
    """Whether ``name`` is a key Textual can bind: a key name or one printable character,
    after any modifiers (``ctrl+shift+f5``); not ``"notakey!!"`` or ``"ctrl+banana"``."""
    *modifiers, key = name.split("+") if name != "+" else ["+"]
    if any(m not in _MODIFIERS for m in modifiers) or len(set(modifiers)) < len(modifiers):
        return False
    if len(key) == 1:
        return key.isprintable() and not key.isspace()
    return key in _key_names()


class IngestEvent(Message):
    """Events from the ingest worker, in order (handler: ``on_ingest_event``)."""

    def __init__(
        self, events: list[Any], claims: int | None = None, report: list[str] | None = None
    ) -> None:
        super().__init__()
        self.events = events
        self.claims = claims  # once the Summary came: the claim count after ingest
        self.report = report  # once the Summary came: its lines (annotate.ingest.describe)


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


class SuggestionsReady(Message):
    """The ingest worker stored new suggestions (handler: ``on_suggestions_ready``)."""


def make_app(
    db_path: str | Path,
    annotator: str | None = None,
    corpus: Path | None = None,
    *,
    adjudicate: bool = False,
    config: Path | None = None,
    order: str = "corpus",
) -> AnnotateApp:
    """The app for the CLI (``annotate open``) and the tests alike: reads the keymap,
    opens the store and starts the session. Raises ConfigError (bad config file) or
    StoreError (unusable database).

    ``order``: what "next unlabelled" follows, "corpus" or "confidence" (least certain
    suggestion first)."""
    keymap = load_keymap(
        config,
        known_ids=binding_ids(),
        screens=keymap_screens(),
        is_key=is_key_name,
        must_reach={b.id: b.key for b in Binding.make_bindings(LABEL_BINDINGS) if b.id},
    )
    store = Store.open(str(db_path))
    # Never wait on the screen's thread for a lock held elsewhere: a change that cannot
    # have it at once is kept and retried by a worker (LabelScreen.attempt).
    store.lock_wait = UI_LOCK_WAIT
    try:
        session = Session(store, annotator or default_annotator(), order=order)
        session.start()
    except sqlite3.DatabaseError as e:
        store.close()
        raise StoreError(database_problem(str(db_path), e)) from None
    return AnnotateApp(
        store=store, session=session, keymap=keymap, corpus=corpus, adjudicate=adjudicate
    )


class AnnotateApp(App[None]):
    """Label the claims of a corpus, one keystroke per claim."""

    CSS_PATH = "app.tcss"
    TITLE = "annotate"
    ENABLE_COMMAND_PALETTE = True

    def __init__(
        self,
        *,
        store: Store,
        session: Session,
        keymap: dict[str, str],
        corpus: Path | None = None,
        adjudicate: bool = False,
    ) -> None:
        """An app on an open ``store`` and a started ``session``, with ``keymap`` (binding
        id -> keys) in effect; built by ``make_app``. Given ``corpus``, it ingests it in
        the background; with ``adjudicate`` it walks the disagreements."""
        super().__init__()
        self.keymap_config = keymap
        # The main screen's keys after the keymap, for the help screen and "s accepts".
        self.label_keys = keys_in_effect(self.keymap_config, default_keys(LabelScreen))
        self.db_path = str(store.path)
        self.corpus = corpus
        self.adjudicate = adjudicate  # walk the disagreements instead of labelling
        self.store = store
        self.session = session
        # Retrains the model beside the database every N decisions, in another process.
        from annotate.learn.retrain import Retrainer

        self.retrainer = None if adjudicate else Retrainer.for_database(self.db_path)
        self._ingested = False
        self.ingest_over = corpus is None  # the corpus given is ingested (or failed to be)
        self._first_paint = os.environ.get(FIRST_PAINT_ENV)
        self._latencies: list[float] | None = [] if os.environ.get(LATENCY_ENV) else None
        self._key_at: float | None = None
        self.farewell: str | None = None  # the line printed when the app ends in error
        self._ingest_process: Any = None

    def get_default_screen(self) -> Screen[None]:
        if self.adjudicate:
            from annotate.tui.screens.adjudicate import AdjudicateScreen

            # The adjudicator's decisions go in the adjudications table, under their name.
            return AdjudicateScreen(self.db_path, self.session.annotator)
        return LabelScreen(self.session, ingesting=self.corpus is not None)

    @property
    def label_screen(self) -> LabelScreen:
        """The main screen, at the bottom of the stack whatever pop-up is open."""
        screen = self.screen_stack[0]
        assert isinstance(screen, LabelScreen)
        return screen

    def on_mount(self) -> None:
        self.set_keymap(self.keymap_config)

    def screen_ready(self) -> None:
        """The label screen is up: count, look for earlier unlabelled claims, ingest.

        Each runs in a worker thread with its own connection, so the first claim is on
        screen and keys are taken while they run.
        """
        self.count()
        if self.session.check_earlier:
            self.find_earlier(self.session.unit.id if self.session.unit else None)
        if self.corpus is not None:
            # The child's batches leave a WAL of many pages: checkpointing it on this
            # connection's commits would stall the screen; the child checkpoints at its end.
            self.store.conn.execute("PRAGMA wal_autocheckpoint = 0")
            self.ingest(self.corpus)

    @work(thread=True, exclusive=True, group="count")
    def count(self) -> None:
        """Read the progress counters (a pass over an index of the whole corpus)."""
        with Store.open(self.db_path, migrate=False) as store:
            snapshot = store.progress_snapshot(
                self.session.annotator, assigned=self.session.assigned
            )
        self.call_from_thread(self._counted, *snapshot)

    def _counted(self, claims: int, labelled: int, last: int) -> None:
        if self._ingested:  # ingest finished first and counted the claims after it
            claims = self.session.claims
        self.session.counted(claims, labelled, last)
        self.label_screen.show_counts()

    @work(thread=True, exclusive=True, group="find")
    def find_earlier(self, start_unit: str | None) -> None:
        """Nothing unlabelled after where the annotator stopped: look from the start."""
        with Store.open(self.db_path, migrate=False) as store:
            session = self.session
            found = first_unlabelled(
                store, session.annotator, assigned=session.assigned, order=session.order
            )
        self.call_from_thread(self._found_earlier, start_unit, found)

    def _found_earlier(self, start_unit: str | None, found: UnitView | None) -> None:
        session = self.session
        if found is None:
            session.complete = True
            self.notify(f"Every claim is labelled ({session.labelled:,}).", title="Done")
        elif session.unit is not None and session.unit.id == start_unit:
            self.label_screen.moved(session.go(found), "")  # the annotator has not moved yet
        else:
            self.notify("Some earlier claims are unlabelled: n jumps to the next one.")

    @work(thread=True, exclusive=True, group="walk")
    def walk(self, find: Finder, from_unit: str | None, message: str) -> None:
        """Run a walk that may read the whole queue (a rare filter) on a connection of its
        own; the claim found is shown unless the annotator moved meanwhile."""
        worker = get_current_worker()
        with Store.open(self.db_path, migrate=False) as store:
            found = find(store)
        if not worker.is_cancelled:
            self.call_from_thread(self._walked, found, from_unit, message)

    def _walked(self, found: UnitView | None, from_unit: str | None, message: str) -> None:
        screen, session = self.label_screen, self.session
        screen.searching(False)
        if (session.unit.id if session.unit else None) != from_unit:
            return  # the annotator went elsewhere (undo, search, ...) while it ran
        screen.moved(session.go(found), message)

    @work(thread=True, exclusive=True, group="lock")
    def wait_for_lock(self) -> None:
        """Watch for the write lock held by another process to free, then have the
        screen write its pending change (on its own connection, its own thread)."""
        worker = get_current_worker()
        conn = sqlite3.connect(self.db_path, timeout=0, isolation_level=None)
        try:
            while not worker.is_cancelled:
                try:
                    conn.execute("BEGIN IMMEDIATE")
                    conn.execute("ROLLBACK")
                except sqlite3.OperationalError:
                    time.sleep(0.05)
                    continue
                if worker.is_cancelled:
                    return
                written: bool = self.call_from_thread(self.label_screen.retry_pending)
                if written:
                    return
        finally:
            conn.close()

    def quit_app(self) -> None:
        """Quit; a change still waiting for the database is tried once more, and if the
        lock is still held the annotator is told what was not saved."""
        screen = self.label_screen
        if screen.pending is not None:
            self.store.lock_wait = QUIT_LOCK_WAIT
            screen.retry_pending()
        if screen.pending is not None:
            self.leave(
                f"Not saved: {screen.pending[1]} (the database {visible(self.db_path)} was "
                "held by another process). Everything before it is saved."
            )
            return
        self.exit()

    def leave(self, line: str) -> None:
        """Exit with status 1, printing ``line`` (kept in ``farewell`` for the tests)."""
        self.farewell = line
        self.exit(return_code=1, message=Text(line))

    def _handle_exception(self, error: Exception) -> None:
        """A database that turns out damaged (or any database error no screen handles)
        ends the app with one line and exit status 1, not a traceback."""
        cause = error.error if isinstance(error, WorkerFailed) else error
        if isinstance(cause, sqlite3.DatabaseError):
            self.leave(f"Error: {database_problem(self.db_path, cause)}")
            return
        if isinstance(cause, StoreError):  # a worker could not open the database again
            self.leave(f"Error: {visible(cause)}")
            return
        super()._handle_exception(error)

    def on_unmount(self) -> None:
        if self._ingest_process is not None:
            stop(self._ingest_process)
        if self.retrainer is not None:
            self.retrainer.stop()
        self.store.close()
        if self._latencies is not None:
            Path(os.environ[LATENCY_ENV]).write_text(
                "\n".join(f"{t:.9f}" for t in self._latencies) + "\n"
            )

    # -- ingest in a worker thread -------------------------------------------------------

    @work(thread=True, exclusive=True, group="ingest", exit_on_error=False)
    def ingest(self, corpus: Path) -> None:
        """Run ingest in a child process (annotate/tui/ingest_process.py), passing its
        events on to the app a few times a second."""
        import subprocess
        import sys
        import tempfile

        from annotate.ingest import Summary
        from annotate.tui.ingest_process import read_frames

        worker = get_current_worker()
        mine = self.session.annotator if self.session.assigned else ""
        module = "annotate.tui.ingest_process"
        with tempfile.TemporaryFile() as errors:
            proc = subprocess.Popen(
                [sys.executable, "-m", module, self.db_path, os.fsdecode(corpus), mine],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=errors,
            )
            self._ingest_process = proc
            self.store.on_busy = self._nudge_ingest
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
            self.store.on_busy = None
            if worker.is_cancelled:
                stop(proc)
                return
            if proc.wait() != 0:
                errors.seek(0)
                lines = errors.read().decode("utf-8", "replace").strip().splitlines()
                raise RuntimeError(lines[-1] if lines else f"exit status {proc.returncode}")

    def _nudge_ingest(self) -> None:
        """The ingest holds the write lock and a decision waits: ask it to commit now."""
        proc = self._ingest_process
        try:
            proc.stdin.write(b"y")
            proc.stdin.flush()
        except (OSError, ValueError):  # it has ended
            pass

    def on_ingest_event(self, message: IngestEvent) -> None:
        from annotate.ingest import Progress

        progress = [e for e in message.events if isinstance(e, Progress)]
        for event in message.events:
            if not isinstance(event, Progress):
                self.ingested(event, message.claims, message.report or [])
        if progress and not self._ingested:
            self.label_screen.show_ingest(progress[-1].done, progress[-1].total)

    def ingested(self, event: Any, claims: int | None, report: list[str]) -> None:
        """One event of the ingest (progress aside)."""
        from annotate.ingest import ArticleResult, Summary

        screen, session = self.label_screen, self.session
        # Skipped files are named in the report that comes with the Summary.
        if isinstance(event, ArticleResult) and event.status in ("added", "updated"):
            session.reopen()
            if event.status == "added" and not session.assigned:  # new: assigned to nobody
                session.claims += event.units
            if session.unit is None and session.start() is not None:
                screen.show_unit()  # the first claims of an empty database have arrived
            elif session.unit is not None and session.unit.article_path == event.path:
                session.recheck()  # the article on screen changed: its claim may be gone
                screen.show_unit()
            else:
                screen.show_counts()
        elif isinstance(event, Summary):
            self._ingested = self.ingest_over = True
            self.store.conn.execute("PRAGMA wal_autocheckpoint = 1000")
            if claims is not None:
                session.claims = claims
            if session.unit is None:
                session.start()
            else:
                session.recheck()
            if event.changed:
                self.count()  # labels on replaced sentences no longer count
            screen.show_ingest(event.files, event.files, running=False)
            screen.show_unit(screen.empty_message(ingested=True))
            if not (event.changed or event.skipped or not event.articles):
                return  # an unchanged corpus: nothing worth interrupting the annotator for
            self.notify(
                "\n".join(visible(line) for line in report),  # file names: any bytes
                title="Ingest",
                timeout=5,
                severity="warning" if event.skipped else "information",
                markup=False,  # file names are data
            )

    def on_suggestions_ready(self, _message: SuggestionsReady) -> None:
        screen = self.label_screen
        screen.session.reopen()  # in the confidence order, new suggestions join the walk
        screen.session.go(screen.session.unit)  # re-read the suggestion of the current claim
        screen.show_unit()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.worker.group == "ingest" and event.state == WorkerState.ERROR:
            self.ingest_over = True
            self.store.conn.execute("PRAGMA wal_autocheckpoint = 1000")
            self.label_screen.show_ingest(0, 1, running=False)
            self.notify(
                f"Ingest failed: {visible(event.worker.error)}",
                severity="error",
                timeout=15,
                markup=False,  # the reason may name a file
            )

    # -- pop-up screens ------------------------------------------------------------------

    def edit_note(self) -> None:
        from annotate.tui.screens.note import NoteScreen

        self.push_screen(NoteScreen(self.session.state.note), self._note_done)

    def _note_done(self, note: str | None) -> None:
        if note is not None:
            screen = self.label_screen
            screen.attempt(lambda: screen.change(lambda: self.session.set_note(note)), "the note")

    def edit_source(self) -> None:
        from annotate.tui.screens.prompt import SourceScreen

        session = self.session
        value = session.state.source or session.detected_source() or ""
        question = (
            "Source of this claim (enter saves, empty removes, esc cancels)"
            if session.state.label
            else "Source of this claim: enter labels it attributed (esc cancels)"
        )
        self.push_screen(SourceScreen(question, value, "who said it"), self._source_done)

    def _source_done(self, source: str | None) -> None:
        if source is not None:
            screen = self.label_screen
            screen.attempt(lambda: screen.set_source(source), "the source")

    def open_split(self) -> None:
        from annotate.tui.screens.split import SplitScreen

        if self.session.unit is not None:
            self.push_screen(SplitScreen(self.session.unit.text), self._split_done)

    def _split_done(self, at: int | None) -> None:
        if at is not None:
            screen = self.label_screen
            screen.attempt(lambda: screen.resegment(lambda: self.session.split_at(at)), "the split")

    def choose_filter(self) -> None:
        from annotate.tui.screens.filter import FilterScreen

        self.push_screen(FilterScreen(self.session.only), self._filter_done)

    def _filter_done(self, only: str | None) -> None:
        if only is not None:
            self.label_screen.apply_filter(only or None)

    def open_articles(self) -> None:
        from annotate.tui.screens.articles import ArticlesScreen

        current = self.session.unit.article_id if self.session.unit else None
        screen = ArticlesScreen(
            self.db_path, self.session.annotator, current, assigned=self.session.assigned
        )
        self.push_screen(screen, self._article_done)

    def _article_done(self, article: ArticleProgress | None) -> None:
        if article is None or article.first_pos is None:
            return
        self.label_screen.moved(self.session.go(self.session.first_in_article(article.id)), "")

    def open_search(self) -> None:
        from annotate.tui.screens.search import SearchScreen

        session = self.session
        assigned_to = session.annotator if session.assigned else None
        self.push_screen(SearchScreen(self.db_path, assigned_to), self._search_done)

    def _search_done(self, unit_id: str | None) -> None:
        if unit_id is not None:
            self.label_screen.moved(self.session.go_to(unit_id), "")

    def open_guidelines(self) -> None:
        from annotate.tui.screens.guidelines import GuidelinesScreen

        self.push_screen(GuidelinesScreen(self.keys_markdown()))

    def keys_markdown(self) -> str:
        """The key table as it is now (after the user's keymap), for the help screen."""
        rows = ["## Keys", "", "| key | does | binding id |", "| --- | --- | --- |"]
        for b in LabelScreen.BINDINGS:
            assert isinstance(b, Binding) and b.id
            keys = [k for k in self.label_keys[b.id].split(",") if k]
            shown = ", ".join(f"`{self.get_key_display(Binding(k, ''))}`" for k in keys)
            rows.append(f"| {shown or 'none'} | {b.description} | `{b.id}` |")
        return "\n".join(rows)

    # -- benchmark hooks -----------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        if self._latencies is not None and isinstance(event, events.Key):
            self._key_at = perf_counter()
        await super().on_event(event)

    def shown(self) -> None:
        """Called by the label screen after it drew a claim (benchmark timing only)."""
        if self._first_paint and self.session.unit is not None:
            path, self._first_paint = self._first_paint, None
            self.call_after_refresh(_write_time, path)
        if self._latencies is not None and self._key_at is not None:
            start, self._key_at = self._key_at, None
            self.call_after_refresh(_elapsed, start, self._latencies.append)


def _write_time(path: str) -> None:
    Path(path).write_text(f"{time.time():.6f}\n")


def _elapsed(since: float, into: Callable[[float], None]) -> None:
    into(perf_counter() - since)
