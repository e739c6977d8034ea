"""The connection: opening a database, pragmas, transactions, batches, locks and damage.

``Connection`` is the base of every concern class of the store: it owns ``conn``, opens
the file in WAL mode (migrating it through ``annotate.store.migrations``), and gives
``transaction``, ``batched`` and ``snapshot``. A writer that finds the database locked
retries, or polls and raises ``StoreBusyError``; a full disk raises ``StoreFullError``;
``database_problem`` says in one line what is wrong with a file that is not a usable
annotate database.
"""

from __future__ import annotations

import errno
import itertools
import os
import random
import sqlite3
import threading
import time
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from annotate.store.migrations import (
    DEFERRABLE_INDEXES,
    KEY_INDEXES,
    SCHEMA_VERSION,
    load_sqlite_utils,
    migrations,
)

if TYPE_CHECKING:
    from sqlite_utils import Database


class StoreError(Exception):
    """A database that cannot be used (not SQLite, newer schema, unwritable)."""


class StoreBusyError(StoreError):
    """Another connection held the write lock for longer than this store waits for it
    (``Store.lock_wait``); nothing was written."""


class StoreFullError(StoreError):
    """The disk (or the database's size limit) is full; the change was rolled back."""


class UnitGoneError(StoreError):
    """A label for a unit that is no longer stored (its article changed on disk)."""


def database_problem(path: str | os.PathLike[str] | None, error: BaseException) -> str:
    """One line for a fault met while using the database at ``path``: what happened,
    which file, and what to do. What was committed before it stays stored."""
    where = str(path) if path is not None else "the database"
    text = str(error)
    lowered = text.lower()
    if "disk is full" in lowered or getattr(error, "errno", None) == errno.ENOSPC:
        return (
            f"{where}: the disk is full; everything saved before this point is kept. "
            "Free some space and run the command again."
        )
    if isinstance(error, sqlite3.OperationalError) and _is_busy(error):
        return f"{where}: the database is locked by another program; try again when it is done."
    if (
        "malformed" in lowered
        or "not a database" in lowered
        or "could not decode" in lowered
        or isinstance(error, UnicodeDecodeError)
        or "corrupt" in lowered
    ):
        return (
            f"{where}: the database is corrupt ({_short(text)}). Restore it from a backup, "
            f"or save what is readable with `sqlite3 {where} .recover`."
        )
    if "readonly" in lowered or "read-only" in lowered:
        return f"{where}: the database is read-only (needed to write labels)."
    if isinstance(error, OSError):
        return f"{error.filename or where}: {error.strerror or text}"
    return f"{where}: database error ({_short(text)})"


def _short(text: str, limit: int = 120) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _damage(path: Path) -> str | None:
    """Why an SQLite file is damaged, judged from its 100-byte header; None if it looks
    whole (or is not SQLite at all, which opening reports).

    Another process may be checkpointing its write-ahead log at this moment: SQLite writes
    page 1 (the page count) before the pages that extend the file, so a short file beside a
    -wal file is judged again after a moment before it is called truncated.
    """
    for attempt in range(_DAMAGE_CHECKS):
        damage = _header_damage(path)
        if damage is None or not Path(f"{path}-wal").exists():
            return damage
        if attempt < _DAMAGE_CHECKS - 1:
            time.sleep(0.1)
    return damage


_DAMAGE_CHECKS = 5

# How many connections this process holds open on each database file (by real path).
# Reading the header with open()/close() while one is open would drop that connection's
# POSIX locks (closing any descriptor of a file releases all of the process's locks on
# it): another process could then take the database for unused, checkpoint and truncate
# its -wal under this one, whose next read fails with a short read ("disk I/O error").
# A file this process has open was whole when opened, so it is not judged again.
_OPEN_HERE: dict[str, int] = {}
_OPEN_HERE_LOCK = threading.Lock()  # workers open and close stores on threads of their own


def _header_damage(path: Path) -> str | None:
    """The damage the header shows against the file's size, read after the header."""
    try:
        with open(path, "rb") as f:
            header = f.read(100)
            size = os.fstat(f.fileno()).st_size
    except OSError:
        return None
    if not header.startswith(b"SQLite format 3\x00"):
        return None
    if len(header) < 100:
        return f"truncated: {size} bytes, shorter than its header"
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    # The page count is valid only when written by the same change as the counter.
    if header[24:28] == header[92:96] and pages and size < pages * page_size:
        return f"truncated: {size} of {pages * page_size} bytes"
    return None


def _check_path(path: Path, readonly: bool) -> None:
    """A one-line StoreError when the database at ``path`` cannot be opened as asked,
    before SQLite gives a vaguer reason (or, for a missing read-only file, creates it)."""
    folder = path.parent
    if not folder.is_dir():
        raise StoreError(f"folder does not exist: {folder}")
    if not path.exists():
        if readonly:
            raise StoreError(
                f"no such database: {path} (run `annotate ingest CORPUS --db {path}` first)"
            )
        if not os.access(folder, os.W_OK | os.X_OK):
            raise StoreError(f"folder is read-only: {folder} (needed to create {path.name})")
    elif not readonly:
        if not os.access(path, os.W_OK):
            raise StoreError(f"database is read-only: {path} (needed to write labels)")
        if not os.access(folder, os.W_OK | os.X_OK):
            # WAL mode keeps its -wal and -shm files beside the database.
            raise StoreError(
                f"folder is read-only: {folder} (needed to write labels: SQLite keeps "
                f"{path.name}-wal beside the database)"
            )


def is_sqlite_file(path: Path) -> bool:
    """Whether the file at ``path`` starts as an SQLite database does."""
    try:
        with open(path, "rb") as f:
            return f.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def _connect_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection (``mode=ro``) to an existing database file.

    A WAL database needs its -shm file; in a read-only folder where none can be created,
    the file is opened as immutable: nobody can write it there either.
    """
    uri = path.resolve().as_uri() + "?mode=ro"
    conn = sqlite3.connect(uri, uri=True, timeout=30, isolation_level=None)
    try:
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlite3.OperationalError:
        conn.close()
        if os.access(path.parent, os.W_OK):
            raise
        conn = sqlite3.connect(uri + "&immutable=1", uri=True, isolation_level=None)
    return conn


def is_full(e: sqlite3.Error) -> bool:
    """Whether SQLite failed because the disk (or max_page_count) is full."""
    return getattr(e, "sqlite_errorname", "") == "SQLITE_FULL" or "disk is full" in str(e)


def is_damaged(e: sqlite3.Error) -> bool:
    """Whether SQLite found the database file damaged or not a database at all."""
    name = getattr(e, "sqlite_errorname", "")
    return name in ("SQLITE_CORRUPT", "SQLITE_NOTADB") or "malformed" in str(e)


def _is_busy(e: BaseException) -> bool:
    """Whether SQLite refused because another connection holds a lock (worth a retry)."""
    text = str(e).lower()
    return "database is locked" in text or "database is busy" in text


class LockProbe:
    """Whether another process still holds a database's write lock, asked without
    waiting (its own connection, so the caller's stays free): for a screen that keeps a
    change pending until the lock frees."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self._conn = sqlite3.connect(str(path), timeout=0, isolation_level=None)

    def free(self) -> bool:
        """True when the write lock could be taken (and was let go at once)."""
        try:
            self._conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            return False
        self._conn.execute("ROLLBACK")
        return True

    def close(self) -> None:
        self._conn.close()


class Connection:
    """An open annotate database: the connection and its transactions."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._db: Database | None = None
        self._held: str | None = None  # the real path counted in _OPEN_HERE
        # Facts true while this connection holds the write lock (no other connection can
        # change them meanwhile), e.g. the next article ``ord``: emptied at each BEGIN.
        self.locked_facts: dict[str, Any] = {}
        # The deferrable indexes this connection left out (``defer_indexes``) and has not
        # built again: while a unit id's is among them, rows go in without a look-up.
        self.deferred: set[str] = set()
        # Inside a ``batched(whole=True)``: an error ends the whole batch, so the units of
        # work in it take no savepoint of their own.
        self._whole = False

    @classmethod
    def open(cls, path: str | Path, *, migrate: bool = True, readonly: bool = False) -> Self:
        """Open (creating if needed) the database at path, in WAL mode, migrated.

        With ``readonly`` the database must exist and is only read (SQLite ``mode=ro``):
        no journal mode change and no migration, so a read-only file or folder works; a
        database older than this annotate is refused with what to run first.
        """
        path = str(path)
        if path != ":memory:":
            _check_path(Path(path), readonly)
            damage = None if _OPEN_HERE.get(os.path.realpath(path)) else _damage(Path(path))
            if damage is not None:
                raise StoreError(
                    f"{path}: the database is corrupt ({damage}). Restore it from a backup, "
                    f"or save what is readable with `sqlite3 {path} .recover`."
                )
        try:
            if readonly:
                conn = _connect_readonly(Path(path))
            else:
                conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout = 30000")
            if path != ":memory:" and not readonly:
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            # A bigger page cache keeps the unit indexes in memory during a large ingest.
            conn.execute("PRAGMA cache_size = -8192")
            conn.execute("PRAGMA foreign_keys = ON")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as e:
            if "readonly" in str(e):
                raise StoreError(
                    f"database is read-only: {path} (needed to write labels)"
                ) from None
            if is_sqlite_file(Path(path)) or "disk is full" in str(e):
                raise StoreError(database_problem(path, e)) from None
            raise StoreError(f"{path}: not an annotate database ({e})") from None
        store = cls(conn, path)
        store._held = os.path.realpath(path) if path != ":memory:" else None
        if store._held is not None:
            with _OPEN_HERE_LOCK:
                _OPEN_HERE[store._held] = _OPEN_HERE.get(store._held, 0) + 1
        if version > SCHEMA_VERSION:
            store.close()
            raise StoreError(
                f"{path}: schema version {version} is newer than this annotate "
                f"({SCHEMA_VERSION}); upgrade annotate"
            )
        if readonly and version == 0:
            store.close()
            raise StoreError(
                f"no annotate data in {path} (run `annotate ingest CORPUS --db {path}` first)"
            )
        if readonly and version < SCHEMA_VERSION:
            store.close()
            raise StoreError(
                f"{path}: schema version {version} is older than this annotate "
                f"({SCHEMA_VERSION}); run a command that writes first to upgrade it, e.g. "
                f"`annotate suggest --db {path}`"
            )
        if migrate and version < SCHEMA_VERSION:
            store.migrate()
        if not readonly and version == SCHEMA_VERSION:
            store._restore_indexes()
        return store

    def defer_indexes(self) -> None:
        """Drop the indexes a bulk write builds at its end (``DEFERRABLE_INDEXES``), in
        the write transaction in progress; ``build_indexes`` puts them back."""
        for name in DEFERRABLE_INDEXES:
            self.conn.execute(f'DROP INDEX IF EXISTS "{name}"')
        self.deferred = set(DEFERRABLE_INDEXES)

    def missing_indexes(self) -> list[str]:
        """The deferrable indexes this database lacks (a bulk write is under way, or was
        stopped before its end)."""
        rows = self.conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'index' AND name IN "
            f"({', '.join('?' * len(DEFERRABLE_INDEXES))})",
            tuple(DEFERRABLE_INDEXES),
        )
        have = {r[0] for r in rows}
        return [name for name in DEFERRABLE_INDEXES if name not in have]

    def build_indexes(self, names: Collection[str] = DEFERRABLE_INDEXES) -> None:
        """Build the deferrable indexes that are missing (of ``names``), each in one sort."""
        if not set(self.missing_indexes()) & set(names):
            return
        with self.transaction():
            self.build_missing_indexes(names)

    def build_key_indexes(self) -> None:
        """Build the unit id indexes if left out (``KEY_INDEXES``): before anything looks a
        unit or its suggestion up by id."""
        self.build_indexes(KEY_INDEXES)

    def build_missing_indexes(self, names: Collection[str] = DEFERRABLE_INDEXES) -> None:
        """``build_indexes`` in the write transaction in progress."""
        for name in self.missing_indexes():  # again, under the write lock
            if name in names:
                self.conn.execute(DEFERRABLE_INDEXES[name])
                self.deferred.discard(name)

    def _restore_indexes(self) -> None:
        """On opening for writing: the indexes an ingest killed in mid-write left out,
        built again. Left for later when another writer holds the lock (that ingest may
        be running still, and builds them at its end)."""
        if not self.missing_indexes():
            return
        wait, self.lock_wait = self.lock_wait, 0.0  # one look at the lock, no waiting
        try:
            self.build_indexes()
        except StoreBusyError:
            return
        finally:
            self.lock_wait = wait

    def migrate(self) -> None:
        """Apply pending migrations and record the schema version."""
        try:
            # Under the write lock, and checked again once it is held: several annotators
            # may open a new (or old) database at the same moment, and only one migrates.
            with self.transaction():
                if self.schema_version() >= SCHEMA_VERSION:
                    return
                migrations().apply(self.db)
                self.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{self.path}: cannot migrate the database ({e})") from None

    @property
    def db(self) -> Database:
        """The sqlite-utils view of the same connection (imported only when needed)."""
        if self._db is None:
            load_sqlite_utils()
            from sqlite_utils import Database

            self._db = Database(self.conn)
        return self._db

    def close(self) -> None:
        self.conn.close()
        if self._held is not None:
            with _OPEN_HERE_LOCK:
                _OPEN_HERE[self._held] -= 1
                if not _OPEN_HERE[self._held]:
                    del _OPEN_HERE[self._held]
            self._held = None

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction, taken eagerly (BEGIN IMMEDIATE) so writers queue politely.

        Taking the write lock first means the body never has to upgrade a read lock (the
        one case where SQLite gives up at once instead of waiting); see ``_begin``.
        """
        if self.conn.in_transaction and self._whole:
            # Any error rolls the whole batch back (see ``batched``): nothing to keep
            # apart, and two statements a unit of work saved (issue 14).
            yield
            return
        if self.conn.in_transaction:
            # Inside a batch (see ``batched``): a savepoint keeps this unit of work atomic.
            self.conn.execute("SAVEPOINT unit_of_work")
            try:
                yield
            except BaseException:
                if self.conn.in_transaction:
                    self._rollback("ROLLBACK TO unit_of_work", "RELEASE unit_of_work")
                raise
            self.conn.execute("RELEASE unit_of_work")
            return
        self._begin()
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException as e:
            # A COMMIT that failed (a full disk) leaves the transaction open: end it,
            # keeping the error the one raised (see _rollback).
            self._rollback("ROLLBACK")
            if isinstance(e, sqlite3.OperationalError) and is_full(e):
                raise StoreFullError(f"{self.path}: the disk is full; nothing was written") from e
            raise

    def _rollback(self, *statements: str) -> None:
        """Undo the work in progress after an error, keeping that error the one raised.

        After some errors (a full disk, I/O) SQLite has already rolled the transaction
        back itself, and a second ROLLBACK would fail and hide the real cause.
        """
        for statement in statements:
            if not self.conn.in_transaction:
                return
            try:
                self.conn.execute(statement)
            except sqlite3.Error:
                return

    @contextmanager
    def batched(
        self, seconds: float | None = None, *, whole: bool = False
    ) -> Iterator[Callable[[], None]]:
        """Group many small writes into transactions held for at most about ``seconds``.

        Yields ``tick``: call it between units of work; it commits and starts a new
        transaction once ``seconds`` have passed. One commit per article would cost more
        than segmenting it; holding the lock only briefly keeps annotators who label while
        an ingest runs from waiting. An error rolls back only the current batch.

        ``whole``: the caller catches no error inside the batch (any ends it, rolled
        back), so a ``transaction`` in it takes no savepoint: what it would undo on
        its own the batch's rollback undoes too.
        """
        # Checkpointing the WAL into the database file (and syncing it) every 1000 pages
        # would dominate a big ingest; let the WAL grow and checkpoint once at the end.
        self.conn.execute("PRAGMA wal_autocheckpoint = 16384")
        seconds = self.batch_seconds if seconds is None else seconds
        self._begin()
        self._whole = whole
        started = time.monotonic()

        def tick() -> None:
            nonlocal started
            asked = self.yield_now is not None and self.yield_now()
            if asked or time.monotonic() - started >= seconds:
                self.conn.execute("COMMIT")
                if asked and self.yielded is not None:
                    self.yielded()
                else:
                    # A writer waiting for the lock (an annotator's decision) polls for
                    # it; a moment between batches lets it in instead of this batch
                    # starving it.
                    time.sleep(self.BATCH_GAP)
                self._begin()
                started = time.monotonic()

        try:
            yield tick
        except BaseException:
            self._rollback("ROLLBACK")
            raise
        finally:
            self._whole = False
            try:
                self.conn.execute("PRAGMA wal_autocheckpoint = 1000")
            except sqlite3.Error:
                pass  # the error in flight, if any, is the one to report
        self.conn.execute("COMMIT")
        self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

    @contextmanager
    def lock_released(self) -> Iterator[None]:
        """Inside ``batched``, around a wait for something other than the database (a
        worker process's result): the batch so far is committed and no lock is held until
        the block ends, when the next batch begins. Another writer (an annotator's
        decision) never waits for this one's wait."""
        if not self.conn.in_transaction:
            yield
            return
        self.conn.execute("COMMIT")
        yield  # an error leaves no transaction open: batched's rollback has none to undo
        self._begin()

    # Beyond the busy timeout: how often, and how patiently, to ask for the write lock
    # again before a "database is locked" may reach the user.
    LOCK_RETRIES = 8

    LOCK_BACKOFF = 0.05  # seconds, doubled after each attempt, with jitter

    # How long ``batched`` holds the write lock by default, and the pause after each of
    # its commits; the app's ingest uses shorter batches (``batch_seconds``).
    batch_seconds = 0.25

    BATCH_GAP = 0.002

    # None: wait for the write lock as above (the busy timeout, then the retries). A
    # number: poll for it for at most that many seconds, then raise StoreBusyError; the
    # app's own connection does this so a lock held elsewhere never freezes the screen.
    lock_wait: float | None = None

    LOCK_POLL = 0.0005  # seconds between attempts while polling

    # Hooks for two writers that know of each other (the app and its ingest process):
    # ``on_busy`` is called once when a polling writer finds the lock taken (the app asks
    # its ingest to end its batch), and ``on_got_lock`` once that writer then has it (the
    # other holds no lock now); ``yield_now``, asked by ``batched`` between units of
    # work, ends the batch at once when it says so, and ``yielded`` is then called
    # between the commit and the next batch (it waits until the other writer had its
    # turn), instead of the ``BATCH_GAP`` pause.
    on_busy: Callable[[], None] | None = None

    on_got_lock: Callable[[], None] | None = None

    yield_now: Callable[[], bool] | None = None

    yielded: Callable[[], None] | None = None

    def _begin(self) -> None:
        self.locked_facts.clear()
        if self.lock_wait is not None:
            self._begin_polling(self.lock_wait)
            return
        """BEGIN IMMEDIATE, retried with backoff while another writer holds the database.

        The busy timeout already makes SQLite wait; the retry covers the SQLITE_BUSY that
        comes back without waiting (WAL recovery, a checkpoint, a lock held across the
        timeout by a slow disk) so an annotator sees a pause, not an error.
        """
        for attempt in range(self.LOCK_RETRIES + 1):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as e:
                if not _is_busy(e) or attempt == self.LOCK_RETRIES:
                    raise
            # Jitter keeps writers that collided from retrying in lockstep.
            time.sleep(self.LOCK_BACKOFF * (2**attempt) * (0.5 + random.random()))

    def _begin_polling(self, wait: float) -> None:
        """BEGIN IMMEDIATE, asked for every ``LOCK_POLL`` seconds (SQLite's own busy
        handler sleeps up to 100 ms between looks and would miss the short gaps between
        another writer's batches) for at most ``wait`` seconds."""
        deadline = time.monotonic() + wait
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            for attempt in itertools.count():
                try:
                    self.conn.execute("BEGIN IMMEDIATE")
                    if attempt > 0 and self.on_got_lock is not None:
                        self.on_got_lock()
                    return
                except sqlite3.OperationalError as e:
                    if not _is_busy(e):
                        raise
                    if attempt == 0 and self.on_busy is not None:
                        self.on_busy()
                    if time.monotonic() >= deadline:
                        raise StoreBusyError(
                            f"{self.path}: the database is held by another process"
                        ) from None
                time.sleep(self.LOCK_POLL)
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {self.BUSY_TIMEOUT_MS}")

    BUSY_TIMEOUT_MS = 30000

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def data_version(self) -> int:
        """A number that changes whenever another connection commits to the database
        (never for this connection's own commits): what was read here is still as
        stored while it stays the same."""
        return int(self.conn.execute("PRAGMA data_version").fetchone()[0])

    # Exports read through their own cursor in batches (fetchmany), so a million-row
    # export holds one batch in memory; the WAL snapshot keeps the export consistent
    # while annotators go on labelling.

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one state of the database, whatever others write meanwhile.

        A deferred read transaction: an export's queries (rows, article ids for splits,
        adjudications) agree with each other. Close cursors opened inside before leaving.
        Inside a transaction already (a snapshot in a snapshot: an hf export reads its
        rows and its dataset card's figures from one), that transaction is the snapshot.
        """
        if self.conn.in_transaction:
            yield
            return
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            # Nothing was written: ending the read transaction either way is the same.
            self.conn.execute("ROLLBACK")
