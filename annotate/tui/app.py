"""The labelling app: ``AnnotateApp``, and ``make_app``, one constructor for the CLI
and the tests.

The app opens its own ``Store`` and shows the claim after the one this annotator last
worked on. Given a corpus, it ingests it in a worker thread with its own connection while
the annotator labels what is already stored; progress arrives as messages.
"""

from __future__ import annotations

import gc
import getpass
import os
import sqlite3
import time
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from time import perf_counter, thread_time
from typing import Any

from rich.text import Text
from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import WorkerFailed

from annotate.labelling.config import read_config
from annotate.labelling.keymap import keys_in_effect, load_keymap
from annotate.labelling.session import Session
from annotate.labelling.settings import Settings, load_settings, save_setting
from annotate.store import Store, StoreError, is_damaged, is_full
from annotate.tui.commands import AnnotateCommands
from annotate.tui.messages import (
    ClaimDrawn,
    ClaimShown,
    Decided,
    Farewell,
    IngestOver,
    IngestStarted,
)
from annotate.tui.screens.label import LABEL_BINDINGS, LabelScreen, keys_markdown, stop
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
# first claim on screen to, and a file to write key-to-next-claim latencies to at exit
# (one line per key: the seconds elapsed, and the CPU seconds the screen's thread spent
# meanwhile, which other programs on the machine do not inflate).
FIRST_PAINT_ENV = "ANNOTATE_BENCH_FIRST_PAINT"
LATENCY_ENV = "ANNOTATE_BENCH_LATENCY"

# How long the screen's thread may wait for the database's write lock before a change is
# kept pending (another writer's batch is shorter than this: see Store.batched).
UI_LOCK_WAIT = 0.25


# Terminals whose terminfo entry has no colours: by name, and the monochrome variants
# of others by their ending (xterm-mono, linux-m). Read from the name, not from terminfo:
# curses reads terminfo once per process, for one TERM.
_MONO_TERMS = frozenset({"dumb", "vt52", "vt100", "vt102", "vt220", "vt320"})
_MONO_ENDINGS = ("-mono", "-m")


def without_colour(environ: Mapping[str, str]) -> bool:
    """Whether to show no colour at all: NO_COLOR is set (to anything, no-color.org), or
    TERM names a terminal without colours."""
    term = environ.get("TERM", "").lower()
    return "NO_COLOR" in environ or term in _MONO_TERMS or term.endswith(_MONO_ENDINGS)


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


def make_app(
    db_path: str | Path,
    annotator: str | None = None,
    corpus: Path | None = None,
    *,
    adjudicate: bool = False,
    config: Path | None = None,
    order: str = "corpus",
    show_others: bool = False,
) -> AnnotateApp:
    """The app for the CLI (``annotate open``) and the tests alike: reads the keymap,
    opens the store and starts the session. Raises ConfigError (bad config file) or
    StoreError (unusable database).

    ``order``: what "next unlabelled" follows, "corpus" or "confidence" (least certain
    suggestion first). ``show_others``: show other annotators' labels while labelling
    (blind by default; adjudication always shows them)."""
    read = read_config(config)  # one reading of the file for the keys and the settings
    keymap = load_keymap(
        read,
        known_ids=binding_ids(),
        screens=keymap_screens(),
        is_key=is_key_name,
        must_reach={b.id: b.key for b in Binding.make_bindings(LABEL_BINDINGS) if b.id},
    )
    settings = load_settings(read)
    store = Store.open(str(db_path))
    # Never wait on the screen's thread for a lock held elsewhere: a change that cannot
    # have it at once is kept and retried by a worker (LabelScreen.attempt).
    store.lock_wait = UI_LOCK_WAIT
    try:
        session = Session(store, annotator or default_annotator(), order=order)
        session.start()
        session.load_history()  # undo and the decision strip carry on from the last run
    except sqlite3.DatabaseError as e:
        store.close()
        raise StoreError(database_problem(str(db_path), e)) from None
    return AnnotateApp(
        store=store,
        session=session,
        keymap=keymap,
        corpus=corpus,
        adjudicate=adjudicate,
        show_others=show_others,
        settings=settings,
        config=config,
    )


class AnnotateApp(App[None]):
    """Label the claims of a corpus, one keystroke per claim."""

    CSS_PATH = "app.tcss"
    TITLE = "annotate"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {AnnotateCommands}

    def __init__(
        self,
        *,
        store: Store,
        session: Session,
        keymap: dict[str, str],
        corpus: Path | None = None,
        adjudicate: bool = False,
        show_others: bool = False,
        settings: Settings | None = None,
        config: Path | None = None,
    ) -> None:
        """An app on an open ``store`` and a started ``session``, with ``keymap`` (binding
        id -> keys) in effect; built by ``make_app``. Given ``corpus``, it ingests it in
        the background; with ``adjudicate`` it walks the disagreements. ``settings``: the
        config file's [ui] table, saved back to ``config`` (None: the default file) when
        the theme or the decision strip changes."""
        mono = without_colour(os.environ)
        # Textual turns NO_COLOR into shades of grey (still colour codes, which may not
        # read on the terminal's own background); in ANSI mode it strips every colour
        # and keeps bold, underline, italic and reverse, which is what tells the claim,
        # its context and its cues apart here (app.tcss, :nocolor).
        super().__init__(ansi_color=True if mono else None)
        if mono and not self.no_color:  # a terminal without colours, as if NO_COLOR
            from textual.filter import NoColor

            self.no_color = True
            self._filters.append(NoColor())
        self.settings = settings or Settings()
        self.config_path = config
        self.keymap_config = keymap
        # The main screen's keys after the keymap, for the help screen and "s accepts".
        self.label_keys = keys_in_effect(self.keymap_config, default_keys(LabelScreen))
        self.db_path = str(store.path)
        self.corpus = corpus
        self.adjudicate = adjudicate  # walk the disagreements instead of labelling
        self.show_others = show_others  # other annotators' labels while labelling
        self.store = store
        self.session = session
        # Retrains the model beside the database every N decisions, in another process.
        from annotate.learn.retrain import Retrainer

        self.retrainer = None if adjudicate else Retrainer.for_database(self.db_path)
        self._ingested = False
        self.ingest_over = corpus is None  # the corpus given is ingested (or failed to be)
        self._first_paint = os.environ.get(FIRST_PAINT_ENV)
        self._latencies: list[tuple[float, float, float]] | None = (
            [] if os.environ.get(LATENCY_ENV) else None
        )
        self._key_at: tuple[float, float] | None = None  # (perf_counter, thread_time)
        self.farewell: str | None = None  # the line printed when the app ends in error
        self._ingest_process: Any = None
        self._ingest_hold: Any = None  # ingest_process.Hold
        self._holds = 0  # how many times _held held them

    def get_default_screen(self) -> Screen[None]:
        if self.adjudicate:
            from annotate.tui.screens.adjudicate import AdjudicateScreen

            # The adjudicator's decisions go in the adjudications table, under their name.
            keys = keys_in_effect(self.keymap_config, default_keys(AdjudicateScreen))
            return AdjudicateScreen(
                self.store, self.session.annotator, label_keys={**self.label_keys, **keys}
            )
        return LabelScreen(
            self.session,
            label_keys=self.label_keys,
            corpus=self.corpus,
            report_shown=self._first_paint is not None or self._latencies is not None,
            show_others=self.show_others,
        )

    @property
    def label_screen(self) -> LabelScreen:
        """The main screen, at the bottom of the stack whatever pop-up is open (for the
        tests: the app itself never calls into a screen)."""
        screen = self.screen_stack[0]
        assert isinstance(screen, LabelScreen)
        return screen

    def on_mount(self) -> None:
        self.set_keymap(self.keymap_config)
        said = list(self.settings.problems)
        theme = self.settings.theme
        if theme is not None and theme in self.available_themes:
            self.theme = theme
        elif theme is not None:
            said.append(
                f"theme {visible(theme)!r} in the config is not a theme; using {self.theme}"
            )
        if not self.adjudicate:
            self.label_screen.set_class(not self.settings.decisions, "-strip-off")
        if said:  # once the main screen is there to say it
            line = said[0] if len(said) == 1 else f"{said[0]} (and {len(said) - 1} more)"
            self.call_after_refresh(self.tell, line, "warning")
        # Subscribed after the saved theme is applied: only the annotator's choices are saved.
        self.theme_changed_signal.subscribe(self, self._theme_chosen)
        self.call_after_refresh(freeze_start_up)

    def tell(self, line: str, severity: str = "information") -> None:
        """A line in the main screen's message line (a toast in adjudication)."""
        if self.adjudicate:
            self.notify(line, markup=False)
        else:
            self.label_screen.say(line, severity)

    # -- settings saved in the config file, commands of the palette ---------------------

    def _theme_chosen(self, theme: Any) -> None:
        self.save("theme", theme.name)

    def toggle_decisions(self) -> None:
        """Show or hide the decision strip beside the claim (wide screens), and save it."""
        shown = not self.settings.decisions
        self.settings = Settings(self.settings.theme, shown)
        self.label_screen.set_class(not shown, "-strip-off")
        self.label_screen.show_decisions()
        self.save("decisions", shown)

    def save(self, key: str, value: str | bool) -> None:
        """Keep a setting in the config file's [ui] table; a file that cannot be written
        is named in the message line (the setting holds until the app ends)."""
        try:
            save_setting(self.config_path, key, value)
        except OSError as e:
            self.tell(f"Not saved in the config: {visible(e.filename)}: {e.strerror}", "warning")

    @work(thread=True, group="export", exit_on_error=False)
    def export_labels(self, fmt: str) -> None:
        """Export every label into exports/ (as ``annotate export --format fmt`` does), on
        a connection of its own; the message line says where, or why not."""
        from annotate.datasets.export import (
            ExportError,
            ExportOptions,
            default_path,
            export_to_path,
        )

        path = default_path(fmt)
        try:
            path.parent.mkdir(exist_ok=True)
            with Store.open(self.db_path, readonly=True) as store:
                rows = export_to_path(store, path, ExportOptions(format=fmt), force=False)
        except (ExportError, OSError) as e:
            why = f"{visible(e.filename)}: {e.strerror}" if isinstance(e, OSError) else str(e)
            self.call_from_thread(self.tell, f"Export failed: {why}", "warning")
            return
        self.call_from_thread(self.tell, f"Wrote {rows:,} row(s) to {visible(path)}")

    def keys_markdown(self) -> str:
        """The key table as the help screen shows it (after the user's keymap)."""
        return keys_markdown(self.label_keys, self)

    # -- what the screens post up --------------------------------------------------------

    def on_farewell(self, message: Farewell) -> None:
        self.leave(message.line)

    def on_ingest_started(self, message: IngestStarted) -> None:
        self._ingest_process = message.process
        self._ingest_hold = message.hold

    def on_ingest_over(self, message: IngestOver) -> None:
        self.ingest_over = True
        self._ingested = message.ingested

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
        gc.unfreeze()  # an app run inside another program (the tests) leaves nothing held
        if self._ingest_process is not None:
            self._ingest_hold.release()
            stop(self._ingest_process)  # the screen stopped it already, unless it failed
        if self.retrainer is not None:
            self.retrainer.stop()
        self.store.close()
        if self._latencies is not None:
            Path(os.environ[LATENCY_ENV]).write_text(
                "\n".join(f"{t:.9f} {cpu:.9f} {at:.6f}" for t, cpu, at in self._latencies) + "\n"
            )

    # -- benchmark hooks -----------------------------------------------------------------

    async def on_event(self, event: events.Event) -> None:
        # A key comes here twice: from the terminal, then bubbling up from the screen it
        # was forwarded to (``is_forwarded``), when its binding runs: that second time.
        if not (isinstance(event, events.Key) and event.is_forwarded):
            await super().on_event(event)
            return
        if self._latencies is not None:
            self._key_at = (perf_counter(), thread_time())
        held = self.retrainer is not None and self.retrainer.pause()
        held = self._ingest_hold is not None and self._ingest_hold.hold() or held
        await super().on_event(event)  # the binding runs
        if held:
            self._held()

    def _held(self, rounds: int = 4) -> None:
        """A background training run, or the ingest child with its workers, is held while
        a key is handled and the screen redrawn (on two cores they would otherwise slow
        storing the decision and drawing the next claim): until the screen drew the claim
        (``on_claim_drawn``), or else (a key that draws none) after ``rounds`` callbacks
        after refresh. One such callback alone may come at an idle moment of the screen
        before the widgets the key changed asked it to redraw; once they did, the next
        comes after that redraw."""
        self._holds += 1
        self.call_after_refresh(self._let_go, self._holds, rounds)

    def _let_go(self, holds: int | None = None, rounds: int = 0) -> None:
        """Let go what ``_held`` holds (``holds``: only if no key held it since; after
        ``rounds`` more callbacks after refresh)."""
        if holds is not None and holds != self._holds:
            return
        if rounds > 1:
            self.call_after_refresh(self._let_go, holds, rounds - 1)
            return
        if self.retrainer is not None:
            self.retrainer.resume()
        if self._ingest_hold is not None:
            self._ingest_hold.release()

    def on_claim_drawn(self, message: ClaimDrawn) -> None:
        self._let_go()

    def on_decided(self, message: Decided) -> None:
        if self.retrainer is not None:
            self.retrainer.labelled()
            # A training run it started waits while the next claim is drawn.
            if self.retrainer.pause():
                self._held()

    def on_claim_shown(self, message: ClaimShown) -> None:
        """The label screen drew a claim (posted only when a benchmark hook is set)."""
        if self._first_paint and message.has_claim:
            path, self._first_paint = self._first_paint, None
            self.call_after_refresh(_write_time, path)
        if self._latencies is not None and self._key_at is not None:
            start, self._key_at = self._key_at, None
            self.call_after_refresh(_elapsed, start, self._latencies.append)


def freeze_start_up() -> None:
    """Keep what start-up built (Textual's styles, the screens, the imported modules) out
    of the garbage collector's full passes: each of those walked every object, 30-80 ms
    on the screen's thread every hundred keys or so; with them frozen a pass takes a few
    ms. What start-up left as garbage is collected first; ``on_unmount`` lets them go."""
    gc.collect()
    gc.freeze()


def _write_time(path: str) -> None:
    Path(path).write_text(f"{time.time():.6f}\n")


def _elapsed(
    since: tuple[float, float], into: Callable[[tuple[float, float, float]], None]
) -> None:
    """Elapsed and screen-thread CPU seconds since the key, and when the key came (the
    monotonic clock, shared by every process: a benchmark lines it up with what a
    background retraining was doing then)."""
    into((perf_counter() - since[0], thread_time() - since[1], since[0]))
