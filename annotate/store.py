"""The SQLite store: every SQL read and write of the project, and the schema migrations.

Only this module speaks SQL. Schema changes go through the ordered ``MIGRATIONS`` list
(sqlite-utils ``Migrations``); ``PRAGMA user_version`` mirrors how many have run so that
opening an up-to-date database needs one cheap read and no sqlite-utils import (the TUI
start-up path stays fast). The database is plain SQLite in WAL mode, meant to be
browsable with Datasette.
"""

from __future__ import annotations

import errno
import itertools
import json
import os
import random
import sqlite3
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotate.model import (
    ATTRIBUTED,
    HEADING,
    LABELS,
    SENTENCE,
    Dropped,
    Unit,
    article_id,
    takes_source,
    unit_id,
)
from annotate.text.resegment import RESTORE, SegmentEdit, Span, action_name

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations

DEFAULT_DB = "annotations.db"
# Units of one article live in one block of ``units.pos`` values: article ord << POS_BITS | seq.
POS_BITS = 20
MAX_UNITS_PER_ARTICLE = 1 << POS_BITS


def utc_now() -> str:
    """The current time as ISO 8601 UTC with a Z suffix, as stored in every *_at column."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# ---------------------------------------------------------------------------------------
# Migrations. Append only: never edit or reorder one that has shipped.


def _m001_articles_and_units(db: Database) -> None:
    db.table("files").create(
        {
            "path": str,
            "size": int,
            "mtime_ns": int,
            "segmenter": str,
            "ingested_at": str,
        },
        pk="path",
    )
    db.table("articles").create(
        {
            "id": str,
            "path": str,
            "file": str,
            "ord": int,
            "sha256": str,
            "title": str,
            "source": str,
            "url": str,
            "date": str,
            "cleaned": str,
            "segmenter": str,
            "ingested_at": str,
        },
        pk="id",
        not_null={"path", "file", "ord", "sha256", "cleaned"},
    )
    db.table("articles").create_index(["path"], unique=True)
    db.table("articles").create_index(["ord"], unique=True)
    db.table("articles").create_index(["file"])
    db.table("units").create(
        {
            "id": str,
            "article_id": str,
            "pos": int,
            "paragraph": int,
            "seq": int,
            "kind": str,
            "text": str,
            "start": int,
            "end": int,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"article_id", "pos", "paragraph", "seq", "kind", "text", "start", "end"},
    )
    db.table("units").create_index(["article_id", "seq"], unique=True)
    db.table("units").create_index(["pos"], unique=True)


def _m002_labels_and_history(db: Database) -> None:
    # No foreign key to units: a label must outlive its unit when an article is
    # re-segmented (it becomes an orphan that ingest reports), never vanish with it.
    db.table("labels").create(
        {
            "unit_id": str,
            "annotator": str,
            "label": str,
            "labeled_at": str,
            "note": str,
            "flagged": int,
            "source": str,
        },
        pk=("unit_id", "annotator"),
        not_null={"unit_id", "annotator", "flagged"},
        defaults={"flagged": 0},
    )
    db.table("labels").create_index(["annotator", "label"])
    db.table("history").create(
        {
            "id": int,
            "at": str,
            "annotator": str,
            "unit_id": str,
            "action": str,
            "label": str,
            "note": str,
            "flagged": int,
            "prev_label": str,
            "prev_note": str,
            "prev_flagged": int,
        },
        pk="id",
        not_null={"at", "annotator", "unit_id", "action"},
    )
    db.table("history").create_index(["annotator", "id"])
    db.table("history").create_index(["unit_id"])


def _m003_adjudications_and_assignments(db: Database) -> None:
    # Adjudicated labels live apart from the raw labels: agreement is computed on what the
    # reviewers said, the dataset (export --aggregate) uses the adjudicated label first.
    db.table("adjudications").create(
        {
            "unit_id": str,
            "label": str,
            "reason": str,
            "adjudicator": str,
            "adjudicated_at": str,
        },
        pk="unit_id",
        not_null={"unit_id", "label", "adjudicator", "adjudicated_at"},
    )
    # No rows means no split: every reviewer sees every unit.
    db.table("assignments").create(
        {"article_id": str, "annotator": str},
        pk=("article_id", "annotator"),
        not_null={"article_id", "annotator"},
    )
    db.table("assignments").create_index(["annotator", "article_id"])


def _m004_suggestions(db: Database) -> None:
    # One suggestion per unit, recomputed when the unit (so its id) or the rules change
    # (``rules`` is the fingerprint of annotate/cues.py). No foreign key: suggestions of
    # re-segmented units are pruned by the suggest step, like orphan labels are reported.
    db.table("suggestions").create(
        {
            "unit_id": str,
            "suggested_label": str,
            "confidence": float,
            "reason": str,
            "cue": str,
            "cue_start": int,
            "cue_end": int,
            "source": str,
            "source_start": int,
            "source_end": int,
            "quote_of": str,
            "claim_group": str,
            "rules": str,
            "suggested_at": str,
        },
        pk="unit_id",
        not_null={"unit_id", "suggested_label", "confidence", "reason"},
    )
    db.table("suggestions").create_index(["claim_group"])


def _m005_segment_edits(db: Database) -> None:
    # Reviewers' merges and splits, in the order made per article, so that ingest can
    # apply them again after re-segmenting the article (they are decisions, like labels).
    # ``before``/``after`` are JSON lists of {text, start, end}. An undone edit keeps its
    # row (``undone_at`` set); one that stopped applying on re-ingest keeps it too
    # (``applies`` 0), to be reported rather than dropped.
    db.table("segment_edits").create(
        {
            "article_id": str,
            "seq": int,
            "action": str,
            "before": str,
            "after": str,
            "annotator": str,
            "at": str,
            "undone_at": str,
            "applies": int,
        },
        pk=("article_id", "seq"),
        not_null={"article_id", "seq", "action", "before", "after", "annotator", "at"},
        defaults={"applies": 1},
    )
    # The text of units that left the store while labels pointed at them, so that an
    # orphan label can be listed with the sentence it was given to.
    db.table("removed_units").create(
        {"unit_id": str, "article_id": str, "text": str, "removed_at": str},
        pk="unit_id",
        not_null={"unit_id", "article_id", "text", "removed_at"},
    )


def _m006_queue_indexes(db: Database) -> None:
    # The labelling queue walked least certain suggestion first (annotate --order
    # confidence): an indexed walk from the current (confidence, unit) on, like the
    # corpus order's walk on units.pos. (The assignments walk already has its index.)
    db.table("suggestions").create_index(["confidence", "unit_id"])


def _m007_history_source(db: Database) -> None:
    # A corrected source is a decision like a label: history keeps it and the one before,
    # so a source change (action 'source') says what it changed.
    db.table("history").add_column("source", str)
    db.table("history").add_column("prev_source", str)


def _m008_article_author(db: Database) -> None:
    # HTML pages name their author (meta tags, JSON-LD); kept with the article like its
    # outlet (source) and date. Older articles have none until re-ingested.
    db.table("articles").add_column("author", str)


def _m009_dropped_blocks(db: Database) -> None:
    # What cleaning dropped from each article and why, so that a reviewer can see it
    # beside the claim and restore a block (a restore is a segment_edits row, action
    # 'restore-block'). ``after`` is the index of the kept block it followed (-1: before
    # the first), i.e. the ``paragraph`` of the units around it.
    db.table("dropped").create(
        {"article_id": str, "line": int, "after": int, "reason": str, "text": str},
        pk=("article_id", "line", "text"),
        not_null={"article_id", "line", "after", "reason", "text"},
    )
    db.table("dropped").create_index(["article_id", "after"])


def migrations() -> Migrations:
    """The ordered migration set of the annotate schema."""
    from sqlite_utils.migrations import Migrations

    m = Migrations("annotate")
    for fn in MIGRATIONS:
        m(name=fn.__name__.lstrip("_"))(fn)
    return m


MIGRATIONS = [
    _m001_articles_and_units,
    _m002_labels_and_history,
    _m003_adjudications_and_assignments,
    _m004_suggestions,
    _m005_segment_edits,
    _m006_queue_indexes,
    _m007_history_source,
    _m008_article_author,
    _m009_dropped_blocks,
]
SCHEMA_VERSION = len(MIGRATIONS)


# ---------------------------------------------------------------------------------------


class StoreError(Exception):
    """A database that cannot be used (not SQLite, newer schema, unwritable)."""


class StoreBusyError(StoreError):
    """Another connection held the write lock for longer than this store waits for it
    (``Store.lock_wait``); nothing was written."""


class StoreFullError(StoreError):
    """The disk (or the database's size limit) is full; the change was rolled back."""


class UnitGoneError(StoreError):
    """A label for a unit that is no longer stored (its article changed on disk)."""


@dataclass(frozen=True)
class FileRecord:
    """What the store remembers of a corpus file, to skip unchanged files without reading."""

    path: str
    size: int
    mtime_ns: int
    segmenter: str


@dataclass(frozen=True)
class ArticleRecord:
    id: str
    path: str
    file: str
    ord: int
    sha256: str
    title: str | None
    source: str | None
    segmenter: str | None


@dataclass(frozen=True)
class ReplaceResult:
    """What replacing an article's units did."""

    added: int  # units new to the store
    kept: int  # units whose id (so text) was already there: their labels carry over
    removed: int  # units no longer produced by the segmenter
    orphaned: int = 0  # label rows left on removed units (kept, as orphans)


@dataclass(frozen=True)
class UnitView:
    """A unit as the TUI and exports see it: with its article's path, title and source."""

    id: str
    article_id: str
    article_path: str
    article_title: str | None
    article_source: str | None
    pos: int
    paragraph: int
    seq: int
    kind: str
    text: str
    start: int
    end: int


_UNIT_VIEW = (
    "SELECT u.id, u.article_id, a.path, a.title, a.source, u.pos, u.paragraph, u.seq, u.kind, "
    "u.text, u.start, u.end FROM units u JOIN articles a ON a.id = u.article_id"
)

# Conditions for Store.step(only=...); each is an indexed lookup in labels per unit walked.
_FILTERS: dict[str, str] = {
    "": "",
    "unlabelled": " AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.unit_id = u.id "
    "AND l.annotator = :annotator AND l.label IS NOT NULL)",
    "flagged": " AND EXISTS (SELECT 1 FROM labels l WHERE l.unit_id = u.id "
    "AND l.annotator = :annotator AND l.flagged = 1)",
    "noted": " AND EXISTS (SELECT 1 FROM labels l WHERE l.unit_id = u.id "
    "AND l.annotator = :annotator AND l.note IS NOT NULL)",
}
_LABEL_FILTER = (
    " AND EXISTS (SELECT 1 FROM labels l WHERE l.unit_id = u.id "
    "AND l.annotator = :annotator AND l.label = :label)"
)
FILTERS = ("unlabelled", "flagged", "noted", *LABELS)
# With an assignment plan, a reviewer's queue is the articles assigned to them: one lookup
# per unit walked on the assignments(annotator, article_id) index.
_ASSIGNED = (
    " AND EXISTS (SELECT 1 FROM assignments s WHERE s.annotator = :annotator "
    "AND s.article_id = u.article_id)"
)


@dataclass(frozen=True)
class LabelState:
    """One annotator's decision on one unit: label (None = unlabelled), note, flag."""

    label: str | None = None
    note: str | None = None
    flagged: bool = False
    source: str | None = None
    labeled_at: str | None = None


@dataclass(frozen=True)
class ArticleProgress:
    id: str
    path: str
    title: str | None
    source: str | None
    claims: int
    labelled: int
    first_pos: int | None


class Store:
    """An open annotate database. Use ``Store.open(path)``; close with ``close()``."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._db: Database | None = None

    # -- opening -------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, migrate: bool = True, readonly: bool = False) -> Store:
        """Open (creating if needed) the database at path, in WAL mode, migrated.

        With ``readonly`` the database must exist and is only read (SQLite ``mode=ro``):
        no journal mode change and no migration, so a read-only file or folder works; a
        database older than this annotate is refused with what to run first.
        """
        path = str(path)
        if path != ":memory:":
            _check_path(Path(path), readonly)
            damage = _damage(Path(path))
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
        if version > SCHEMA_VERSION:
            conn.close()
            raise StoreError(
                f"{path}: schema version {version} is newer than this annotate "
                f"({SCHEMA_VERSION}); upgrade annotate"
            )
        if readonly and version == 0:
            conn.close()
            raise StoreError(
                f"no annotate data in {path} (run `annotate ingest CORPUS --db {path}` first)"
            )
        if readonly and version < SCHEMA_VERSION:
            conn.close()
            raise StoreError(
                f"{path}: schema version {version} is older than this annotate "
                f"({SCHEMA_VERSION}); run a command that writes first to upgrade it, e.g. "
                f"`annotate suggest --db {path}`"
            )
        if migrate and version < SCHEMA_VERSION:
            store.migrate()
        return store

    def migrate(self) -> None:
        """Apply pending migrations and record the schema version."""
        try:
            # Under the write lock, and checked again once it is held: several reviewers
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
            from sqlite_utils import Database

            self._db = Database(self.conn)
        return self._db

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """One write transaction, taken eagerly (BEGIN IMMEDIATE) so writers queue politely.

        Taking the write lock first means the body never has to upgrade a read lock (the
        one case where SQLite gives up at once instead of waiting); see ``_begin``.
        """
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
    def batched(self, seconds: float | None = None) -> Iterator[Callable[[], None]]:
        """Group many small writes into transactions held for at most about ``seconds``.

        Yields ``tick``: call it between units of work; it commits and starts a new
        transaction once ``seconds`` have passed. One commit per article would cost more
        than segmenting it; holding the lock only briefly keeps reviewers who label while
        an ingest runs from waiting. An error rolls back only the current batch.
        """
        # Checkpointing the WAL into the database file (and syncing it) every 1000 pages
        # would dominate a big ingest; let the WAL grow and checkpoint once at the end.
        self.conn.execute("PRAGMA wal_autocheckpoint = 16384")
        seconds = self.batch_seconds if seconds is None else seconds
        self._begin()
        started = time.monotonic()

        def tick() -> None:
            nonlocal started
            if time.monotonic() - started >= seconds or (
                self.yield_now is not None and self.yield_now()
            ):
                self.conn.execute("COMMIT")
                # A writer waiting for the lock (a reviewer's decision) polls for it; a
                # moment between batches lets it in instead of this batch starving it.
                time.sleep(self.BATCH_GAP)
                self._begin()
                started = time.monotonic()

        try:
            yield tick
        except BaseException:
            self._rollback("ROLLBACK")
            raise
        finally:
            try:
                self.conn.execute("PRAGMA wal_autocheckpoint = 1000")
            except sqlite3.Error:
                pass  # the error in flight, if any, is the one to report
        self.conn.execute("COMMIT")
        self.conn.execute("PRAGMA wal_checkpoint(PASSIVE)")

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
    # its ingest to end its batch); ``yield_now``, asked by ``batched`` between units of
    # work, ends the batch at once when it says so.
    on_busy: Callable[[], None] | None = None
    yield_now: Callable[[], bool] | None = None

    def _begin(self) -> None:
        if self.lock_wait is not None:
            self._begin_polling(self.lock_wait)
            return
        """BEGIN IMMEDIATE, retried with backoff while another writer holds the database.

        The busy timeout already makes SQLite wait; the retry covers the SQLITE_BUSY that
        comes back without waiting (WAL recovery, a checkpoint, a lock held across the
        timeout by a slow disk) so a reviewer sees a pause, not an error.
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

    # -- files and articles ------------------------------------------------------------

    def file_record(self, path: str) -> FileRecord | None:
        row = self.conn.execute(
            "SELECT path, size, mtime_ns, segmenter FROM files WHERE path = ?", (path,)
        ).fetchone()
        return FileRecord(*row) if row else None

    def file_records(self) -> dict[str, FileRecord]:
        """Every known corpus file by relative path (small: one row per file)."""
        rows = self.conn.execute("SELECT path, size, mtime_ns, segmenter FROM files")
        return {r[0]: FileRecord(*r) for r in rows}

    def save_file_record(self, record: FileRecord) -> None:
        self.conn.execute(
            "INSERT INTO files (path, size, mtime_ns, segmenter, ingested_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET size = excluded.size, "
            "mtime_ns = excluded.mtime_ns, segmenter = excluded.segmenter, "
            "ingested_at = excluded.ingested_at",
            (record.path, record.size, record.mtime_ns, record.segmenter, utc_now()),
        )

    def article(self, path: str) -> ArticleRecord | None:
        row = self.conn.execute(
            "SELECT id, path, file, ord, sha256, title, source, segmenter FROM articles "
            "WHERE path = ?",
            (path,),
        ).fetchone()
        return ArticleRecord(*row) if row else None

    def article_shas_of_file(self, file: str) -> dict[str, str]:
        """``path -> "sha256:segmenter"`` for the articles read from one corpus file."""
        rows = self.conn.execute(
            "SELECT path, sha256 || ':' || coalesce(segmenter, '') FROM articles WHERE file = ?",
            (file,),
        )
        return {r[0]: r[1] for r in rows}

    def article_paths_of_file(self, file: str) -> list[str]:
        rows = self.conn.execute("SELECT path FROM articles WHERE file = ? ORDER BY ord", (file,))
        return [r[0] for r in rows]

    def save_article(
        self,
        *,
        path: str,
        file: str,
        sha256: str,
        title: str | None,
        source: str | None,
        url: str | None,
        date: str | None,
        cleaned: str,
        segmenter: str,
        units: Sequence[Unit],
        author: str | None = None,
        dropped: Sequence[Dropped] = (),
    ) -> ReplaceResult:
        """Insert or update one article and replace its units (and the record of what
        cleaning dropped from it), in one transaction.

        Unit ids come from content, so a unit whose text survives keeps its id and every
        label attached to it. Labels on units that disappear are never deleted here: they
        stay in their tables as orphans for the ingest summary to report.
        """
        if len(units) >= MAX_UNITS_PER_ARTICLE:
            raise StoreError(f"{path}: more than {MAX_UNITS_PER_ARTICLE - 1} units")
        aid = article_id(path)
        now = utc_now()
        with self.transaction():
            row = self.conn.execute("SELECT ord FROM articles WHERE id = ?", (aid,)).fetchone()
            if row is None:
                ord_ = self.conn.execute(
                    "SELECT coalesce(max(ord), -1) + 1 FROM articles"
                ).fetchone()[0]
                self.conn.execute(
                    "INSERT INTO articles (id, path, file, ord, sha256, title, source, url, "
                    "date, cleaned, segmenter, ingested_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        aid,
                        path,
                        file,
                        ord_,
                        sha256,
                        title,
                        source,
                        url,
                        date,
                        cleaned,
                        segmenter,
                        now,
                    ),
                )
                if author is not None:  # (migration 8) so no author writes as before it
                    self.conn.execute("UPDATE articles SET author = ? WHERE id = ?", (author, aid))
            else:
                ord_ = row[0]
                self.conn.execute(
                    "UPDATE articles SET file = ?, sha256 = ?, title = ?, source = ?, url = ?, "
                    "date = ?, author = ?, cleaned = ?, segmenter = ?, ingested_at = ? "
                    "WHERE id = ?",
                    (file, sha256, title, source, url, date, author, cleaned, segmenter, now, aid),
                )
            old_texts: dict[str, str] = {}
            if row is not None:
                old_texts = dict(
                    self.conn.execute("SELECT id, text FROM units WHERE article_id = ?", (aid,))
                )
                # Positions are unique; clear them first so rows can swap places.
                self.conn.execute("DELETE FROM units WHERE article_id = ?", (aid,))
            rows = list(_unit_rows(path, aid, ord_, units))
            new_ids = {r[0] for r in rows}
            self.conn.executemany(
                "INSERT INTO units (id, article_id, pos, paragraph, seq, kind, text, start, end) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            old = set(old_texts)
            orphaned = self._orphaned(aid, {i: old_texts[i] for i in old - new_ids})
            if dropped or (row is not None and self._has_dropped_table()):
                self._save_dropped(aid, dropped)
        return ReplaceResult(
            added=len(new_ids - old),
            kept=len(new_ids & old),
            removed=len(old - new_ids),
            orphaned=orphaned,
        )

    def _has_dropped_table(self) -> bool:
        # A database opened without migrating (read-only, or older) may not have it.
        return (
            self.conn.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'dropped'"
            ).fetchone()
            is not None
        )

    def _save_dropped(self, aid: str, dropped: Sequence[Dropped]) -> None:
        self.conn.execute("DELETE FROM dropped WHERE article_id = ?", (aid,))
        self.conn.executemany(
            "INSERT OR IGNORE INTO dropped (article_id, line, after, reason, text) "
            "VALUES (?, ?, ?, ?, ?)",
            [(aid, d.line, d.after, d.reason, d.text) for d in dropped],
        )

    def touch_article(self, path: str, *, file: str) -> None:
        """Record that an unchanged article was seen again under this file."""
        self.conn.execute("UPDATE articles SET file = ? WHERE path = ?", (file, path))

    # -- reading back --------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """Articles, all units, and claim units (the labelling queue) in the store."""
        articles = self.conn.execute("SELECT count(*) FROM articles").fetchone()[0]
        units = self.conn.execute("SELECT count(*) FROM units").fetchone()[0]
        claims = self.conn.execute(
            "SELECT count(*) FROM units WHERE kind = ?", (SENTENCE,)
        ).fetchone()[0]
        return {"articles": articles, "units": units, "claims": claims}

    def units_of_article(self, path: str) -> list[dict[str, Any]]:
        rows = self.conn.execute(
            "SELECT u.id, u.paragraph, u.seq, u.kind, u.text, u.start, u.end FROM units u "
            "JOIN articles a ON a.id = u.article_id WHERE a.path = ? ORDER BY u.seq",
            (path,),
        )
        return [dict(r) for r in rows]

    def cleaned_text(self, path: str) -> str | None:
        row = self.conn.execute("SELECT cleaned FROM articles WHERE path = ?", (path,)).fetchone()
        return row[0] if row else None

    # -- labelling (the TUI's queries; each is one indexed lookup) ---------------------

    def claim_count(self, *, assigned_to: str | None = None) -> int:
        """How many claim units (the labelling queue) the store holds; with
        ``assigned_to``, how many are in the articles assigned to that annotator."""
        if assigned_to is None:
            row = self.conn.execute("SELECT count(*) FROM units WHERE kind = ?", (SENTENCE,))
        else:
            row = self.conn.execute(
                "SELECT count(*) FROM assignments s JOIN units u ON u.article_id = s.article_id "
                "WHERE s.annotator = ? AND u.kind = ?",
                (assigned_to, SENTENCE),
            )
        return int(row.fetchone()[0])

    def labelled_count(self, annotator: str, *, assigned: bool = False) -> int:
        """How many claim units this annotator has labelled (with ``assigned``, in the
        articles assigned to them)."""
        row = self.conn.execute(
            "SELECT count(*) FROM labels l WHERE l.annotator = :annotator "
            "AND l.label IS NOT NULL AND EXISTS (SELECT 1 FROM units u "  # not orphans
            f"WHERE u.id = l.unit_id{_ASSIGNED if assigned else ''})",
            {"annotator": annotator},
        )
        return int(row.fetchone()[0])

    def unit(self, unit_id: str) -> UnitView | None:
        row = self.conn.execute(f"{_UNIT_VIEW} WHERE u.id = ?", (unit_id,)).fetchone()
        return UnitView(*row) if row else None

    def claim_at_or_after(self, pos: int, *, assigned_to: str | None = None) -> UnitView | None:
        """The first claim at ``pos`` or after it (in the articles assigned to
        ``assigned_to``, when given)."""
        cond = _ASSIGNED if assigned_to is not None else ""
        row = self.conn.execute(
            f"{_UNIT_VIEW} WHERE u.pos >= :pos AND u.kind = :kind{cond} ORDER BY u.pos LIMIT 1",
            {"pos": pos, "kind": SENTENCE, "annotator": assigned_to},
        ).fetchone()
        return UnitView(*row) if row else None

    def step(
        self,
        pos: int,
        annotator: str,
        *,
        forward: bool = True,
        only: str | None = None,
        assigned: bool = False,
    ) -> UnitView | None:
        """The next (or previous) claim unit after ``pos`` that passes the ``only`` filter.

        ``only``: None (every claim), "unlabelled", "flagged", "noted", or a label name.
        ``assigned``: only in the articles assigned to ``annotator``. The walk starts at
        ``pos`` on the units.pos index, so its cost depends on how far the answer is, not
        on the size of the corpus.
        """
        if only in LABELS:
            cond = _LABEL_FILTER
        elif (only or "") in _FILTERS:
            cond = _FILTERS[only or ""]
        else:
            raise ValueError(f"unknown filter {only!r}; expected one of {', '.join(FILTERS)}")
        if assigned:
            cond += _ASSIGNED
        op, order = (">", "ASC") if forward else ("<", "DESC")
        row = self.conn.execute(
            f"{_UNIT_VIEW} WHERE u.pos {op} :pos AND u.kind = :kind{cond} "
            f"ORDER BY u.pos {order} LIMIT 1",
            {"pos": pos, "kind": SENTENCE, "annotator": annotator, "label": only},
        ).fetchone()
        return UnitView(*row) if row else None

    def next_unlabelled(
        self, annotator: str, after: int = -1, *, assigned: bool = False
    ) -> UnitView | None:
        """The first claim this annotator has not labelled after ``after``, wrapping round."""
        found = self.step(after, annotator, only="unlabelled", assigned=assigned)
        if found is None and after >= 0:
            found = self.step(-1, annotator, only="unlabelled", assigned=assigned)
        return found

    def next_by_confidence(
        self,
        annotator: str,
        after: tuple[float, str] | None = None,
        *,
        assigned: bool = False,
    ) -> UnitView | None:
        """The next claim this annotator has not labelled, least certain suggestion first.

        The order is (suggestion confidence, unit id) ascending; ``after`` is such a pair
        to start after (None: from the start). Claims without a suggestion are not in this
        order. No wrapping. The walk is on the suggestions(confidence, unit_id) index,
        with one indexed lookup per suggestion passed, as ``step`` is on units.pos.
        """
        start = "" if after is None else " AND (g.confidence, g.unit_id) > (:confidence, :unit)"
        cond = _FILTERS["unlabelled"] + (_ASSIGNED if assigned else "")
        # CROSS JOIN keeps suggestions the outer loop: the walk follows the index. (Not
        # aliased s: the assignments condition uses that name.)
        row = self.conn.execute(
            "SELECT u.id, u.article_id, a.path, a.title, a.source, u.pos, u.paragraph, u.seq, "
            "u.kind, u.text, u.start, u.end FROM suggestions g CROSS JOIN units u "
            "ON u.id = g.unit_id JOIN articles a ON a.id = u.article_id "
            f"WHERE u.kind = :kind{start}{cond} ORDER BY g.confidence, g.unit_id LIMIT 1",
            {
                "kind": SENTENCE,
                "annotator": annotator,
                "confidence": after[0] if after else None,
                "unit": after[1] if after else None,
            },
        ).fetchone()
        return UnitView(*row) if row else None

    def resume_position(self, annotator: str) -> int:
        """The queue position of the unit this annotator last worked on (-1 if none)."""
        row = self.conn.execute(
            "SELECT u.pos FROM history h JOIN units u ON u.id = h.unit_id "
            "WHERE h.annotator = ? ORDER BY h.id DESC LIMIT 1",
            (annotator,),
        ).fetchone()
        return int(row[0]) if row else -1

    def article_units(self, article_id: str, paragraph: int | None = None) -> list[UnitView]:
        """The units of an article (or of one of its paragraphs), in reading order."""
        if paragraph is None:
            rows = self.conn.execute(
                f"{_UNIT_VIEW} WHERE u.article_id = ? ORDER BY u.seq", (article_id,)
            )
        else:
            rows = self.conn.execute(
                f"{_UNIT_VIEW} WHERE u.article_id = ? AND u.paragraph = ? ORDER BY u.seq",
                (article_id, paragraph),
            )
        return [UnitView(*r) for r in rows]

    def heading_before(self, article_id: str, seq: int) -> str | None:
        """The nearest subheading above a unit, if any."""
        row = self.conn.execute(
            "SELECT text FROM units WHERE article_id = ? AND seq < ? AND kind = ? "
            "ORDER BY seq DESC LIMIT 1",
            (article_id, seq, HEADING),
        ).fetchone()
        return row[0] if row else None

    def claim_index(self, unit: UnitView) -> tuple[int, int]:
        """(1-based index of this claim in its article, claims in the article)."""
        row = self.conn.execute(
            "SELECT sum(seq <= ?), count(*) FROM units WHERE article_id = ? AND kind = ?",
            (unit.seq, unit.article_id, SENTENCE),
        ).fetchone()
        return int(row[0] or 0), int(row[1] or 0)

    def label_state(self, unit_id: str, annotator: str) -> LabelState:
        row = self.conn.execute(
            "SELECT label, note, flagged, source, labeled_at FROM labels "
            "WHERE unit_id = ? AND annotator = ?",
            (unit_id, annotator),
        ).fetchone()
        if row is None:
            return LabelState()
        return LabelState(row[0], row[1], bool(row[2]), row[3], row[4])

    def set_label(
        self,
        unit_id: str,
        annotator: str,
        label: str | None,
        *,
        source: str | None = None,
        must_exist: bool = True,
    ) -> LabelState:
        """Record a decision (None clears it); returns the state before, for undo.

        A label for a unit that is not stored (ingest replaced it meanwhile) raises
        ``UnitGoneError`` instead of being written as an orphan, unless ``must_exist`` is
        False; the check and the write are one transaction. Undo (``restore``), imports
        and merges never check."""
        if label is not None and label not in LABELS:
            raise ValueError(f"unknown label {label!r}; expected one of {', '.join(LABELS)}")
        return self._change(
            unit_id,
            annotator,
            "label" if label else "unlabel",
            label=label,
            source=source,
            must_exist=must_exist and label is not None,
        )

    def set_note(self, unit_id: str, annotator: str, note: str | None) -> LabelState:
        """Attach (or with None/empty, remove) a note; returns the state before.

        Like ``set_label``, refuses (``UnitGoneError``) a unit that is no longer stored."""
        return self._change(unit_id, annotator, "note", note=note or None, must_exist=True)

    def set_flag(self, unit_id: str, annotator: str, flagged: bool) -> LabelState:
        """Flag a unit as unsure (or clear the flag); returns the state before.

        Like ``set_label``, refuses (``UnitGoneError``) a unit that is no longer stored."""
        action = "flag" if flagged else "unflag"
        return self._change(unit_id, annotator, action, flagged=flagged, must_exist=True)

    def restore(self, unit_id: str, annotator: str, state: LabelState) -> LabelState:
        """Put a unit's label, note and flag back to ``state`` (undo); logged as 'undo'."""
        return self._change(
            unit_id,
            annotator,
            "undo",
            label=state.label,
            note=state.note,
            flagged=state.flagged,
            source=state.source,
            labeled_at=state.labeled_at,
        )

    _KEEP: Any = object()

    def _change(
        self,
        unit_id: str,
        annotator: str,
        action: str,
        *,
        label: Any = _KEEP,
        note: Any = _KEEP,
        flagged: Any = _KEEP,
        source: Any = _KEEP,
        labeled_at: Any = _KEEP,
        must_exist: bool = False,
    ) -> LabelState:
        """Change one (unit, annotator) row and append the change to history, atomically."""
        now = utc_now()
        with self.transaction():
            if must_exist and self.unit(unit_id) is None:
                raise UnitGoneError(f"unit {unit_id} no longer exists; the article changed")
            before = self.label_state(unit_id, annotator)
            keep = self._KEEP
            new_label = before.label if label is keep else label
            new_note = before.note if note is keep else note
            new_flag = before.flagged if flagged is keep else bool(flagged)
            new_source = before.source if source is keep else source
            if labeled_at is not keep:
                new_at = labeled_at
            elif label is not keep:
                new_at = now if label else None
            else:
                new_at = before.labeled_at
            after = LabelState(new_label, new_note, new_flag, new_source, new_at)
            self._write_label(unit_id, annotator, after)
            self._log(now, annotator, action, [(unit_id, after, before)])
        return before

    def _write_label(self, unit_id: str, annotator: str, state: LabelState) -> None:
        """Insert or replace one (unit, annotator) label row. Call in a transaction."""
        self.conn.execute(
            "INSERT INTO labels (unit_id, annotator, label, labeled_at, note, flagged, source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(unit_id, annotator) DO UPDATE SET "
            "label = excluded.label, labeled_at = excluded.labeled_at, note = excluded.note, "
            "flagged = excluded.flagged, source = excluded.source",
            (
                unit_id,
                annotator,
                state.label,
                state.labeled_at,
                state.note,
                int(state.flagged),
                state.source,
            ),
        )

    def _log(
        self,
        at: str,
        annotator: str,
        action: str,
        changes: Iterable[tuple[str, LabelState, LabelState]],
    ) -> None:
        """Append history rows: (unit_id, state after, state before) per change, each with
        label, note, flag and source and the previous ones. Call in a transaction."""
        self.conn.executemany(
            "INSERT INTO history (at, annotator, unit_id, action, label, note, flagged, source, "
            "prev_label, prev_note, prev_flagged, prev_source) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (at, annotator, unit_id, action, a.label, a.note, int(a.flagged), a.source)
                + (b.label, b.note, int(b.flagged), b.source)
                for unit_id, a, b in changes
            ],
        )

    def history(self, annotator: str | None = None, limit: int = 100) -> list[dict[str, Any]]:
        """The most recent history entries, newest first."""
        if annotator is None:
            rows = self.conn.execute("SELECT * FROM history ORDER BY id DESC LIMIT ?", (limit,))
        else:
            rows = self.conn.execute(
                "SELECT * FROM history WHERE annotator = ? ORDER BY id DESC LIMIT ?",
                (annotator, limit),
            )
        return [dict(r) for r in rows]

    def article_progress(self, annotator: str, *, assigned: bool = False) -> list[ArticleProgress]:
        """Every article (with ``assigned``, every article assigned to this annotator) in
        queue order with its claim count and this annotator's progress."""
        only = (
            " WHERE EXISTS (SELECT 1 FROM assignments s WHERE s.annotator = :annotator "
            "AND s.article_id = a.id)"
            if assigned
            else ""
        )
        rows = self.conn.execute(
            "SELECT a.id, a.path, a.title, a.source, "
            "  (SELECT count(*) FROM units u WHERE u.article_id = a.id AND u.kind = :kind), "
            "  (SELECT count(*) FROM units u JOIN labels l ON l.unit_id = u.id "
            "     AND l.annotator = :annotator AND l.label IS NOT NULL "
            "   WHERE u.article_id = a.id AND u.kind = :kind), "
            "  (SELECT min(u.pos) FROM units u WHERE u.article_id = a.id AND u.kind = :kind) "
            f"FROM articles a{only} ORDER BY a.ord",
            {"kind": SENTENCE, "annotator": annotator},
        )
        return [ArticleProgress(*r) for r in rows]

    def search(
        self, text: str, *, limit: int = 200, assigned_to: str | None = None
    ) -> list[UnitView]:
        """Claim units whose text contains ``text`` (case-insensitive), in queue order;
        with ``assigned_to``, only in the articles assigned to that annotator."""
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        cond = _ASSIGNED if assigned_to is not None else ""
        rows = self.conn.execute(
            f"{_UNIT_VIEW} WHERE u.kind = :kind AND u.text LIKE :pattern ESCAPE '\\'{cond} "
            "ORDER BY u.pos LIMIT :limit",
            {"kind": SENTENCE, "pattern": pattern, "limit": limit, "annotator": assigned_to},
        )
        return [UnitView(*r) for r in rows]

    def annotators(self) -> list[str]:
        rows = self.conn.execute("SELECT DISTINCT annotator FROM labels ORDER BY annotator")
        return [r[0] for r in rows]

    # -- export and stats queries ----------------------------------------------------
    # Exports read through their own cursor in batches (fetchmany), so a million-row
    # export holds one batch in memory; the WAL snapshot keeps the export consistent
    # while reviewers go on labelling.

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Reads inside see one state of the database, whatever others write meanwhile.

        A deferred read transaction: an export's queries (rows, article ids for splits,
        adjudications) agree with each other. Close cursors opened inside before leaving.
        """
        self.conn.execute("BEGIN")
        try:
            yield
        finally:
            # Nothing was written: ending the read transaction either way is the same.
            self.conn.execute("ROLLBACK")

    def export_rows(
        self,
        *,
        annotator: str | None = None,
        labels: Sequence[str] = (),
        all_kinds: bool = False,
        every_unit: bool = False,
        unlabelled_rows: bool = False,
        reviewer_source: bool = False,
        batch: int = 2000,
    ) -> Iterator[list[tuple[Any, ...]]]:
        """Label rows joined to their unit, article and suggestion, in queue order, in batches.

        Each row is ``(unit_id, article_id, article_path, article_title, paragraph, seq,
        start, end, kind, text, label, annotator, labeled_at, note, flagged,
        suggested_label, suggested_source, suggestion_confidence, cue, source,
        claim_group)``, ordered by unit position then annotator. A label row counts if it
        has a label, or, with ``unlabelled_rows``, a note or a flag. ``every_unit`` adds
        each unit with no such row once, its label columns None. ``labels`` keeps only
        rows with one of those labels (and, with ``every_unit``, the units without rows).
        The suggestion columns are None for a unit without a suggestion.

        ``suggested_source`` is the detected source. ``source`` is the attribution source
        where one applies: on an attributed label, the source the reviewer confirmed or
        corrected, else the detected one; on any other label, None; on a row without a
        label, the detected one. With ``reviewer_source`` it is the label row's own
        source, whatever the label (for aggregating, where the sources of several
        reviewers are weighed).
        """
        where, params = self._export_where(annotator, labels, all_kinds, every_unit)
        # LEFT JOIN on the suggestions' primary key: one indexed lookup per row, so the
        # export keeps streaming at the speed of the bare query.
        source = (
            "l.source"
            if reviewer_source
            else "CASE WHEN l.label IS NULL THEN s.source "
            f"WHEN l.label = '{ATTRIBUTED}' THEN coalesce(l.source, s.source) END"
        )
        sql = (
            "SELECT u.id, u.article_id, a.path, a.title, u.paragraph, u.seq, u.start, u.end, "
            "u.kind, u.text, l.label, l.annotator, l.labeled_at, l.note, l.flagged, "
            f"s.suggested_label, s.source, s.confidence, s.cue, {source}, s.claim_group "
            f"{self._export_from(annotator, every_unit, unlabelled_rows)} "
            f"LEFT JOIN suggestions s ON s.unit_id = u.id{where} "
            "ORDER BY u.pos, l.annotator"
        )
        cur = self.conn.cursor()
        # Plain tuples: sqlite3.Row objects cost time per row and the writers want tuples.
        cur.row_factory = None
        try:
            cur.execute(sql, params)
            while rows := cur.fetchmany(batch):
                yield rows
        finally:
            cur.close()

    def export_article_ids(
        self,
        *,
        annotator: str | None = None,
        all_kinds: bool = False,
        every_unit: bool = False,
        unlabelled_rows: bool = False,
    ) -> list[str]:
        """The ids of the articles an export with these options draws rows from.

        One id per article (small), for assigning splits by article.
        """
        where, params = self._export_where(annotator, (), all_kinds, every_unit)
        sql = (
            "SELECT DISTINCT u.article_id "
            f"{self._export_from(annotator, every_unit, unlabelled_rows)}{where}"
        )
        return [r[0] for r in self.conn.execute(sql, params)]

    @staticmethod
    def _export_from(annotator: str | None, every_unit: bool, unlabelled_rows: bool) -> str:
        keep = (
            "(l.label IS NOT NULL OR l.note IS NOT NULL OR l.flagged = 1)"
            if unlabelled_rows
            else "l.label IS NOT NULL"
        )
        who = " AND l.annotator = :annotator" if annotator is not None else ""
        join = "LEFT JOIN" if every_unit else "JOIN"
        return (
            "FROM units u JOIN articles a ON a.id = u.article_id "
            f"{join} labels l ON l.unit_id = u.id AND {keep}{who}"
        )

    @staticmethod
    def _export_where(
        annotator: str | None, labels: Sequence[str], all_kinds: bool, every_unit: bool
    ) -> tuple[str, dict[str, Any]]:
        params: dict[str, Any] = {"annotator": annotator, "kind": SENTENCE}
        conds = [] if all_kinds else ["u.kind = :kind"]
        if labels:
            names = [f":label{i}" for i in range(len(labels))]
            params.update({n[1:]: v for n, v in zip(names, labels, strict=True)})
            cond = f"l.label IN ({', '.join(names)})"
            conds.append(f"({cond} OR l.unit_id IS NULL)" if every_unit else cond)
        return (" WHERE " + " AND ".join(conds) if conds else ""), params

    def unit_exists(self, unit_id: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM units WHERE id = ?", (unit_id,)).fetchone()
        return row is not None

    def unit_ids_with_text(self, article_path: str, text: str) -> list[str]:
        """The ids of the units of an article whose text is exactly ``text``, in order."""
        rows = self.conn.execute(
            "SELECT u.id FROM units u JOIN articles a ON a.id = u.article_id "
            "WHERE a.path = ? AND u.text = ? ORDER BY u.seq",
            (article_path, text),
        )
        return [r[0] for r in rows]

    def import_labels(self, rows: Iterable[tuple[str, str, LabelState]]) -> dict[str, int]:
        """Write (unit_id, annotator, state) rows in one transaction, logged as 'import'.

        ``state.labeled_at`` None means "now" for a changed label; ``state.source`` None
        keeps the stored source, and a label other than attributed stores none. A row
        equal to what is stored is not written, so importing the same rows twice changes
        nothing; nor is one whose stored label is newer (later decision wins, as in
        merge; times are ISO 8601 UTC strings, which sort as times). Returns counts of
        rows ``added``, ``updated``, ``unchanged`` and ``newer`` (kept because the stored
        label is newer).
        """
        counts = {"added": 0, "updated": 0, "unchanged": 0, "newer": 0}
        with self.transaction():
            for unit_id, annotator, new in rows:
                row = self.conn.execute(
                    "SELECT label, note, flagged, source, labeled_at FROM labels "
                    "WHERE unit_id = ? AND annotator = ?",
                    (unit_id, annotator),
                ).fetchone()
                old = LabelState(row[0], row[1], bool(row[2]), row[3], row[4]) if row else None
                before = old or LabelState()
                labeled_at = new.labeled_at
                if labeled_at is None:
                    same_label = new.label == before.label
                    labeled_at = before.labeled_at if same_label else None
                    if not same_label and new.label:
                        labeled_at = utc_now()
                source = before.source if new.source is None else new.source
                if not takes_source(new.label):
                    # A source is who an attributed claim is attributed to: no other label
                    # keeps one (as when labelling in the app).
                    source = None
                after = LabelState(new.label, new.note, new.flagged, source, labeled_at)
                if after == before:
                    counts["unchanged"] += 1
                    continue
                if new.labeled_at and before.labeled_at and before.labeled_at > new.labeled_at:
                    counts["newer"] += 1
                    continue
                counts["updated" if old else "added"] += 1
                self._write_label(unit_id, annotator, after)
                self._log(utc_now(), annotator, "import", [(unit_id, after, before)])
        return counts

    def stats_articles(self, annotator: str | None = None) -> list[tuple[Any, ...]]:
        """Per article in queue order: (path, title, claims, labelled, flagged, noted).

        Counts are of claim units: labelled by anyone (or by ``annotator`` when given),
        flagged by anyone, with a note from anyone (likewise).
        """
        who = " AND l.annotator = :annotator" if annotator is not None else ""
        has = "SELECT 1 FROM labels l WHERE l.unit_id = u.id" + who
        rows = self.conn.execute(
            "SELECT a.path, a.title, count(*), "
            f"sum(EXISTS ({has} AND l.label IS NOT NULL)), "
            f"sum(EXISTS ({has} AND l.flagged = 1)), "
            f"sum(EXISTS ({has} AND l.note IS NOT NULL)) "
            "FROM units u JOIN articles a ON a.id = u.article_id WHERE u.kind = :kind "
            "GROUP BY a.ord ORDER BY a.ord",
            {"kind": SENTENCE, "annotator": annotator},
        )
        return [tuple(r) for r in rows]

    def stats_labels(self, annotator: str | None = None) -> list[tuple[Any, ...]]:
        """Label rows on claim units by (annotator, label): (annotator, label, rows, flagged,
        noted). ``label`` None groups the rows that only carry a note or a flag."""
        who = " WHERE l.annotator = :annotator" if annotator is not None else ""
        rows = self.conn.execute(
            "SELECT l.annotator, l.label, count(*), sum(l.flagged), count(l.note) FROM labels l "
            f"JOIN units u ON u.id = l.unit_id AND u.kind = :kind{who} "
            "GROUP BY l.annotator, l.label ORDER BY l.annotator, l.label",
            {"kind": SENTENCE, "annotator": annotator},
        )
        return [tuple(r) for r in rows]

    def orphan_label_count(self) -> int:
        """Label rows whose unit is no longer in the store (its article was re-segmented)."""
        row = self.conn.execute(
            "SELECT count(*) FROM labels l WHERE NOT EXISTS "
            "(SELECT 1 FROM units u WHERE u.id = l.unit_id)"
        ).fetchone()
        return int(row[0])

    # -- teams: merge, agreement, adjudication ------------------------------------------
    # Adjudicated labels sit in their own table, apart from the raw labels; assignments
    # split the articles among reviewers (no rows: everyone sees everything); merge
    # reads another database ATTACHed under a schema name and copies what this one lacks.

    def set_adjudication(
        self, unit_id: str, label: str | None, reason: str | None, adjudicator: str
    ) -> Adjudication | None:
        """Record the final label of a unit (None removes it); returns the one before.

        Logged in history as 'adjudicate' under the adjudicator's name, with the reason
        as the note, so a decision is never lost when it is overruled.
        """
        if label is not None and label not in LABELS:
            raise ValueError(f"unknown label {label!r}; expected one of {', '.join(LABELS)}")
        now = utc_now()
        with self.transaction():
            before = self.adjudication(unit_id)
            if label is None:
                self.conn.execute("DELETE FROM adjudications WHERE unit_id = ?", (unit_id,))
            else:
                self._put_adjudication(
                    Adjudication(unit_id, label, reason or None, adjudicator, now)
                )
            action = "adjudicate" if label else "unadjudicate"
            after = LabelState(label, reason or None)
            self._log(now, adjudicator, action, [(unit_id, after, _as_state(before))])
        return before

    def _put_adjudication(self, a: Adjudication) -> None:
        self.conn.execute(
            "INSERT INTO adjudications (unit_id, label, reason, adjudicator, adjudicated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(unit_id) DO UPDATE SET label = excluded.label, "
            "reason = excluded.reason, adjudicator = excluded.adjudicator, "
            "adjudicated_at = excluded.adjudicated_at",
            (a.unit_id, a.label, a.reason, a.adjudicator, a.adjudicated_at),
        )

    def adjudication(self, unit_id: str) -> Adjudication | None:
        row = self.conn.execute(
            "SELECT unit_id, label, reason, adjudicator, adjudicated_at FROM adjudications "
            "WHERE unit_id = ?",
            (unit_id,),
        ).fetchone()
        return Adjudication(*row) if row else None

    def adjudicated_labels(self) -> dict[str, str]:
        """unit id -> adjudicated label (small: only units someone settled)."""
        return dict(self.conn.execute("SELECT unit_id, label FROM adjudications").fetchall())

    def disagreements(
        self,
        annotators: Sequence[str] | None = None,
        *,
        unresolved: bool = False,
        after: int = -1,
        limit: int | None = None,
    ) -> list[Disagreement]:
        """Claim units where reviewers gave different labels, in queue order.

        Each comes with every reviewer's label, note and flag, and the adjudication if
        there is one. ``annotators`` limits who counts; ``unresolved`` skips units
        already adjudicated; ``after`` and ``limit`` walk the list a page at a time.
        """
        params: dict[str, Any] = {"kind": SENTENCE, "after": after, "limit": limit or -1}
        who = ""
        if annotators:
            names = [f":a{i}" for i in range(len(annotators))]
            params.update({n[1:]: v for n, v in zip(names, annotators, strict=True)})
            who = f" AND l.annotator IN ({', '.join(names)})"
        skip = (
            " AND NOT EXISTS (SELECT 1 FROM adjudications d WHERE d.unit_id = u.id)"
            if unresolved
            else ""
        )
        rows = self.conn.execute(
            "WITH hit AS (SELECT u.id, u.pos FROM units u JOIN labels l ON l.unit_id = u.id "
            f"  WHERE u.kind = :kind AND u.pos > :after AND l.label IS NOT NULL{who}{skip} "
            "  GROUP BY u.id HAVING count(DISTINCT l.label) > 1 ORDER BY u.pos LIMIT :limit) "
            "SELECT hit.id, hit.pos, l.annotator, l.label, l.note, l.flagged, d.label, "
            "d.reason, d.adjudicator, d.adjudicated_at FROM hit "
            f"JOIN labels l ON l.unit_id = hit.id AND l.label IS NOT NULL{who} "
            "LEFT JOIN adjudications d ON d.unit_id = hit.id ORDER BY hit.pos, l.annotator",
            params,
        )
        out: list[Disagreement] = []
        for (uid, pos), group in groupby(rows, key=lambda r: (r[0], r[1])):
            items = list(group)
            first = items[0]
            adj = Adjudication(uid, *first[6:10]) if first[6] is not None else None
            reviewers = tuple(ReviewerLabel(r[2], r[3], r[4], bool(r[5])) for r in items)
            out.append(Disagreement(uid, pos, reviewers, adj))
        return out

    def label_rows(self, annotators: Sequence[str] | None = None) -> Iterator[tuple[str, str, str]]:
        """(unit_id, annotator, label) of every label on a claim unit, by unit, for agreement."""
        params: dict[str, Any] = {"kind": SENTENCE}
        who = ""
        if annotators:
            names = [f":a{i}" for i in range(len(annotators))]
            params.update({n[1:]: v for n, v in zip(names, annotators, strict=True)})
            who = f" AND l.annotator IN ({', '.join(names)})"
        cur = self.conn.cursor()
        cur.row_factory = None
        try:
            cur.execute(
                "SELECT l.unit_id, l.annotator, l.label FROM labels l JOIN units u "
                f"ON u.id = l.unit_id AND u.kind = :kind WHERE l.label IS NOT NULL{who} "
                "ORDER BY u.pos, l.annotator",
                params,
            )
            while rows := cur.fetchmany(2000):
                yield from rows
        finally:
            cur.close()

    def article_claims(self) -> list[tuple[str, int]]:
        """(article id, claim units) of every article, in queue order; for assignment."""
        rows = self.conn.execute(
            "SELECT a.id, (SELECT count(*) FROM units u WHERE u.article_id = a.id "
            "AND u.kind = ?) FROM articles a ORDER BY a.ord",
            (SENTENCE,),
        )
        return [(r[0], int(r[1])) for r in rows]

    def set_assignments(self, plan: Iterable[tuple[str, str]]) -> int:
        """Replace every assignment with ``plan`` ((article id, annotator) pairs).

        An empty plan clears them: every reviewer sees every unit again. Labels are
        never touched. Returns the number of rows stored.
        """
        with self.transaction():
            self.conn.execute("DELETE FROM assignments")
            cur = self.conn.executemany(
                "INSERT OR IGNORE INTO assignments (article_id, annotator) VALUES (?, ?)", plan
            )
            return max(cur.rowcount, 0)

    def assignments(self) -> dict[str, list[str]]:
        """annotator -> assigned article ids in queue order (empty: no split)."""
        rows = self.conn.execute(
            "SELECT s.annotator, s.article_id FROM assignments s "
            "LEFT JOIN articles a ON a.id = s.article_id ORDER BY s.annotator, a.ord"
        )
        out: dict[str, list[str]] = {}
        for annotator, aid in rows:
            out.setdefault(annotator, []).append(aid)
        return out

    def assigned_articles(self, annotator: str) -> list[str] | None:
        """The article ids (queue order) this annotator should label, or None for all.

        None means no assignment was made at all (the default: every reviewer sees every
        unit). Once ``annotate assign`` ran, an annotator left out of the plan gets an
        empty list. For the TUI: restrict the queue to units whose ``article_id`` is in
        the list.
        """
        if self.conn.execute("SELECT 1 FROM assignments LIMIT 1").fetchone() is None:
            return None
        rows = self.conn.execute(
            "SELECT s.article_id FROM assignments s JOIN articles a ON a.id = s.article_id "
            "WHERE s.annotator = ? ORDER BY a.ord",
            (annotator,),
        )
        return [r[0] for r in rows]

    @staticmethod
    def copy_database(path: Path, dest: Path) -> set[str]:
        """Copy the SQLite file at ``path`` (opened read-only, WAL content included) to
        ``dest`` with the backup API; returns the names of the copy's tables.

        sqlite3.DatabaseError if ``path`` is not SQLite.
        """
        src = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        try:
            out = sqlite3.connect(dest)
            try:
                src.backup(out)
                rows = out.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
                return {r[0] for r in rows}
            finally:
                out.close()
        finally:
            src.close()

    @contextmanager
    def attached(self, path: str, schema: str = "src") -> Iterator[str]:
        """Another database file ATTACHed to this connection as ``schema``, for merging."""
        self.conn.execute(f"ATTACH DATABASE ? AS {schema}", (path,))
        try:
            yield schema
        finally:
            self.conn.execute(f"DETACH DATABASE {schema}")

    def merge_articles(self, src: str) -> tuple[int, int, int]:
        """Copy the files, articles and units of ``src`` that this store lacks.

        Returns (files, articles, units) added. Copied articles go to the end of the
        queue (their own ord and positions); an article both hold keeps this store's
        units, whatever ``src`` has (see ``compare_units``). Call inside a transaction.
        """
        files = self.conn.execute(
            "INSERT INTO main.files (path, size, mtime_ns, segmenter, ingested_at) "
            f"SELECT path, size, mtime_ns, segmenter, ingested_at FROM {src}.files "
            "WHERE path NOT IN (SELECT path FROM main.files)"
        ).rowcount
        new = [
            r[0]
            for r in self.conn.execute(
                f"SELECT id FROM {src}.articles WHERE id NOT IN (SELECT id FROM main.articles) "
                "ORDER BY ord"
            )
        ]
        next_ord = self.conn.execute("SELECT coalesce(max(ord), -1) + 1 FROM articles")
        ord_ = int(next_ord.fetchone()[0])
        units = 0
        for aid in new:
            self.conn.execute(
                "INSERT INTO main.articles (id, path, file, ord, sha256, title, source, url, "
                "date, author, cleaned, segmenter, ingested_at) SELECT id, path, file, ?, "
                "sha256, title, source, url, date, author, cleaned, segmenter, ingested_at "
                f"FROM {src}.articles "
                "WHERE id = ?",
                (ord_, aid),
            )
            units += self.conn.execute(
                "INSERT INTO main.units (id, article_id, pos, paragraph, seq, kind, text, "
                f"start, end) SELECT id, article_id, (? << {POS_BITS}) | seq, paragraph, seq, "
                f"kind, text, start, end FROM {src}.units WHERE article_id = ?",
                (ord_, aid),
            ).rowcount
            ord_ += 1
        return files, len(new), units

    def compare_units(self, src: str, examples: int = 5) -> dict[str, Any]:
        """What exists in only one of this store and ``src``: articles, and units of the
        articles both hold (segmented differently), with a few article paths each."""

        def count_and_paths(sql: str) -> tuple[int, list[str]]:
            count = self.conn.execute(f"SELECT count(*) FROM ({sql})").fetchone()[0]
            paths = self.conn.execute(
                f"SELECT DISTINCT path FROM ({sql}) ORDER BY path LIMIT ?", (examples,)
            )
            return int(count), [r[0] for r in paths]

        out: dict[str, Any] = {}
        out["articles_only_here"], out["articles_only_here_paths"] = count_and_paths(
            f"SELECT path FROM main.articles WHERE id NOT IN (SELECT id FROM {src}.articles)"
        )
        out["units_only_there"], out["units_only_there_paths"] = count_and_paths(
            f"SELECT a.path FROM {src}.units s JOIN main.articles a ON a.id = s.article_id "
            "WHERE s.id NOT IN (SELECT id FROM main.units)"
        )
        out["units_only_here"], out["units_only_here_paths"] = count_and_paths(
            f"SELECT a.path FROM main.units m JOIN {src}.articles a ON a.id = m.article_id "
            f"WHERE m.id NOT IN (SELECT id FROM {src}.units)"
        )
        return out

    def label_differences(self, src: str) -> Iterator[LabelDifference]:
        """Label rows of ``src`` that this store lacks or holds differently, with the time
        of each side's latest history entry for that unit and annotator."""
        last = (
            "(SELECT max(h.at) FROM {db}.history h "
            "WHERE h.unit_id = s.unit_id AND h.annotator = s.annotator)"
        )
        rows = self.conn.execute(
            "SELECT s.unit_id, s.annotator, s.label, s.note, s.flagged, s.source, "
            "s.labeled_at, m.label, m.note, m.flagged, m.source, m.labeled_at, "
            f"m.unit_id IS NOT NULL, {last.format(db=src)}, {last.format(db='main')} "
            f"FROM {src}.labels s LEFT JOIN main.labels m "
            "ON m.unit_id = s.unit_id AND m.annotator = s.annotator "
            "WHERE m.unit_id IS NULL OR m.label IS NOT s.label OR m.note IS NOT s.note "
            "OR m.flagged IS NOT s.flagged OR m.source IS NOT s.source "
            "OR m.labeled_at IS NOT s.labeled_at"
        ).fetchall()
        for r in rows:
            theirs = LabelState(r[2], r[3], bool(r[4]), r[5], r[6])
            ours = LabelState(r[7], r[8], bool(r[9]), r[10], r[11]) if r[12] else None
            yield LabelDifference(r[0], r[1], theirs, ours, r[13], r[14])

    def put_label(
        self, unit_id: str, annotator: str, state: LabelState, *, replaced: LabelState | None
    ) -> None:
        """Write a merged label row as is; a replaced row is logged in history as 'merge'.

        Call inside a transaction.
        """
        self._write_label(unit_id, annotator, state)
        if replaced is not None:
            self._log(utc_now(), annotator, "merge", [(unit_id, state, replaced)])

    def merge_history(self, src: str) -> int:
        """Append the history rows of ``src`` this store lacks; returns how many.

        A row is the same when (at, annotator, unit_id, action, label, source) match, so
        merging the same file twice adds nothing. Rows are appended in time order.
        """
        return self.conn.execute(
            "INSERT INTO main.history (at, annotator, unit_id, action, label, note, flagged, "
            "source, prev_label, prev_note, prev_flagged, prev_source) SELECT s.at, "
            "s.annotator, s.unit_id, s.action, s.label, s.note, s.flagged, s.source, "
            "s.prev_label, s.prev_note, s.prev_flagged, s.prev_source "
            f"FROM {src}.history s WHERE NOT EXISTS (SELECT 1 FROM main.history h "
            "WHERE h.unit_id = s.unit_id AND h.at = s.at AND h.annotator = s.annotator "
            "AND h.action = s.action AND h.label IS s.label AND h.source IS s.source) "
            "ORDER BY s.at, s.id"
        ).rowcount

    def merge_segment_edits(self, src: str) -> int:
        """Append the merges and splits of ``src`` this store lacks; returns how many rows
        were added or marked undone.

        An edit is the same when (article, annotator, time, spans before and after) match,
        whatever its number or action name (older databases say merge/split). A new one
        is numbered after the article's own edits, in ``src``'s order, so ingest replays
        it after them; one undone in ``src`` only is marked undone here too.
        Call inside a transaction.
        """
        same = (
            "m.article_id = s.article_id AND m.annotator = s.annotator AND m.at = s.at "
            "AND m.before = s.before AND m.after = s.after"
        )
        # SQLite reads the whole SELECT before inserting (it reads the target table), so
        # the numbering sees only the rows that were there before.
        added = self.conn.execute(
            "INSERT INTO main.segment_edits (article_id, seq, action, before, after, "
            "annotator, at, undone_at, applies) SELECT s.article_id, "
            "(SELECT coalesce(max(m.seq), -1) FROM main.segment_edits m "
            "WHERE m.article_id = s.article_id) "
            "+ row_number() OVER (PARTITION BY s.article_id ORDER BY s.seq), "
            "s.action, s.before, s.after, s.annotator, s.at, s.undone_at, s.applies "
            f"FROM {src}.segment_edits s WHERE NOT EXISTS "
            f"(SELECT 1 FROM main.segment_edits m WHERE {same})"
        ).rowcount
        undone = self.conn.execute(
            "UPDATE main.segment_edits AS m SET undone_at = s.undone_at "
            f"FROM {src}.segment_edits s WHERE {same} "
            "AND m.undone_at IS NULL AND s.undone_at IS NOT NULL"
        ).rowcount
        return added + undone

    def merge_removed_units(self, src: str) -> int:
        """Copy the last texts of removed units (for orphan labels) this store lacks;
        returns how many. Call inside a transaction."""
        return self.conn.execute(
            "INSERT INTO main.removed_units (unit_id, article_id, text, removed_at) "
            f"SELECT s.unit_id, s.article_id, s.text, s.removed_at FROM {src}.removed_units s "
            "WHERE s.unit_id NOT IN (SELECT unit_id FROM main.removed_units)"
        ).rowcount

    def adjudication_differences(
        self, src: str
    ) -> Iterator[tuple[Adjudication, Adjudication | None]]:
        """Adjudications of ``src`` this store lacks or holds differently: (theirs, ours)."""
        rows = self.conn.execute(
            "SELECT s.unit_id, s.label, s.reason, s.adjudicator, s.adjudicated_at, "
            "m.unit_id, m.label, m.reason, m.adjudicator, m.adjudicated_at "
            f"FROM {src}.adjudications s LEFT JOIN main.adjudications m "
            "ON m.unit_id = s.unit_id WHERE m.unit_id IS NULL OR m.label IS NOT s.label "
            "OR m.reason IS NOT s.reason OR m.adjudicator IS NOT s.adjudicator "
            "OR m.adjudicated_at IS NOT s.adjudicated_at"
        ).fetchall()
        for r in rows:
            yield Adjudication(*r[:5]), (Adjudication(*r[5:]) if r[5] is not None else None)

    def put_adjudication(self, adjudication: Adjudication) -> None:
        """Write a merged adjudication as is (its history comes with the merged history).

        Call inside a transaction.
        """
        self._put_adjudication(adjudication)

    # -- suggestions ----------------------------------------------------------------------
    # Rule-based label suggestions (annotate/cues.py) and claim groups across articles
    # (annotate/claims.py). Offsets of a suggestion's cue are into its unit's text; those
    # of its source are into the text of ``quote_of`` when that is set.

    def articles_needing_suggestions(self, rules: str) -> list[str]:
        """Ids of articles with a unit that has no suggestion, or one from other rules."""
        rows = self.conn.execute(
            "SELECT DISTINCT u.article_id FROM units u LEFT JOIN suggestions s "
            "ON s.unit_id = u.id WHERE s.unit_id IS NULL OR s.rules IS NOT ?",
            (rules,),
        )
        return [r[0] for r in rows]

    def save_suggestions(self, records: Sequence[dict[str, Any]]) -> None:
        """Insert or replace suggestions (dicts keyed by column); keeps their claim group."""
        now = utc_now()
        with self.transaction():
            self.conn.executemany(
                "INSERT INTO suggestions (unit_id, suggested_label, confidence, reason, cue, "
                "cue_start, cue_end, source, source_start, source_end, quote_of, rules, "
                "suggested_at) VALUES (:unit_id, :suggested_label, :confidence, :reason, :cue, "
                ":cue_start, :cue_end, :source, :source_start, :source_end, :quote_of, :rules, "
                ":suggested_at) ON CONFLICT(unit_id) DO UPDATE SET "
                "suggested_label = excluded.suggested_label, confidence = excluded.confidence, "
                "reason = excluded.reason, cue = excluded.cue, cue_start = excluded.cue_start, "
                "cue_end = excluded.cue_end, source = excluded.source, "
                "source_start = excluded.source_start, source_end = excluded.source_end, "
                "quote_of = excluded.quote_of, rules = excluded.rules, "
                "suggested_at = excluded.suggested_at",
                [{**r, "suggested_at": now} for r in records],
            )

    def prune_suggestions(self) -> int:
        """Drop suggestions of units no longer in the store; returns how many."""
        with self.transaction():
            cur = self.conn.execute(
                "DELETE FROM suggestions WHERE NOT EXISTS "
                "(SELECT 1 FROM units u WHERE u.id = suggestions.unit_id)"
            )
        return cur.rowcount

    def suggestion(self, unit_id: str) -> SuggestionRecord | None:
        """The stored suggestion for a unit, or None if it has none yet."""
        row = self.conn.execute(
            f"SELECT {_SUGGESTION_COLUMNS} FROM suggestions WHERE unit_id = ?", (unit_id,)
        ).fetchone()
        return SuggestionRecord(*row) if row else None

    def suggestions_for(self, unit_ids: Sequence[str]) -> dict[str, SuggestionRecord]:
        """Stored suggestions of many units at once (for exports), by unit id."""
        out: dict[str, SuggestionRecord] = {}
        for i in range(0, len(unit_ids), 500):
            chunk = list(unit_ids[i : i + 500])
            marks = ", ".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT {_SUGGESTION_COLUMNS} FROM suggestions WHERE unit_id IN ({marks})",
                chunk,
            )
            out.update((r[0], SuggestionRecord(*r)) for r in rows)
        return out

    def claim_texts(self) -> Iterator[tuple[str, str, str]]:
        """(unit_id, article_id, text) of every claim unit, for grouping claims."""
        cur = self.conn.cursor()
        cur.row_factory = None
        try:
            cur.execute("SELECT id, article_id, text FROM units WHERE kind = ?", (SENTENCE,))
            while rows := cur.fetchmany(5000):
                yield from rows
        finally:
            cur.close()

    def set_claim_groups(self, groups: dict[str, str]) -> None:
        """Replace every claim group: ``groups`` maps unit id -> group id (others: none)."""
        with self.transaction():
            self.conn.execute(
                "UPDATE suggestions SET claim_group = NULL WHERE claim_group IS NOT NULL"
            )
            self.conn.executemany(
                "UPDATE suggestions SET claim_group = ? WHERE unit_id = ?",
                [(g, u) for u, g in groups.items()],
            )

    def claim_group_members(self, unit_id: str) -> list[ClaimGroupMember]:
        """The other units stating the same claim, in other articles, with their labels.

        For "also in: <article> — labelled X"; ``labels`` maps annotator -> label.
        """
        rows = self.conn.execute(
            "SELECT o.unit_id, u.article_id, a.path, a.title, u.text, o.suggested_label, "
            "o.source FROM suggestions s JOIN suggestions o ON o.claim_group = s.claim_group "
            "AND o.unit_id != s.unit_id JOIN units u ON u.id = o.unit_id "
            "JOIN articles a ON a.id = u.article_id WHERE s.unit_id = ? ORDER BY a.ord, u.seq",
            (unit_id,),
        ).fetchall()
        out = []
        for r in rows:
            labels = dict(
                self.conn.execute(
                    "SELECT annotator, label FROM labels WHERE unit_id = ? AND label IS NOT NULL "
                    "ORDER BY annotator",
                    (r[0],),
                ).fetchall()
            )
            out.append(ClaimGroupMember(r[0], r[1], r[2], r[3], r[4], r[5], r[6], labels))
        return out

    def labelled_suggestions(
        self, annotator: str | None = None
    ) -> Iterator[tuple[str, str, str, str]]:
        """(unit_id, annotator, label, suggested_label) for labelled claim units."""
        who = " AND l.annotator = :annotator" if annotator is not None else ""
        rows = self.conn.execute(
            "SELECT l.unit_id, l.annotator, l.label, s.suggested_label FROM labels l "
            "JOIN units u ON u.id = l.unit_id AND u.kind = :kind "
            f"JOIN suggestions s ON s.unit_id = l.unit_id WHERE l.label IS NOT NULL{who} "
            "ORDER BY u.pos, l.annotator",
            {"kind": SENTENCE, "annotator": annotator},
        )
        for r in rows:
            yield (r[0], r[1], r[2], r[3])

    # -- TUI queries ----------------------------------------------------------------------
    # The labelling app reads its progress counters once, in a worker thread, and then
    # keeps them up to date itself; these let it do so without missing a decision made
    # while the count ran.

    def progress_snapshot(self, annotator: str, *, assigned: bool = False) -> tuple[int, int, int]:
        """(claims, claims this annotator labelled, last history id) in one read snapshot;
        with ``assigned``, counting only the articles assigned to this annotator.

        The counts pass over an index of the whole corpus (~0.3 s at 1M units), so the
        app runs this off the main thread and adds ``labelled_delta_since`` afterwards.
        """
        self.conn.execute("BEGIN")
        try:
            last = self.conn.execute(
                "SELECT coalesce(max(id), 0) FROM history WHERE annotator = ?", (annotator,)
            ).fetchone()[0]
            claims = self.claim_count(assigned_to=annotator if assigned else None)
            labelled = self.labelled_count(annotator, assigned=assigned)
        finally:
            self.conn.execute("COMMIT")
        return claims, labelled, int(last)

    def labelled_delta_since(
        self, annotator: str, history_id: int, *, assigned: bool = False
    ) -> int:
        """How this annotator's labelled count changed after history entry ``history_id``
        (with ``assigned``, in the articles assigned to them)."""
        # A unit that left with its label (a merge) is found through removed_units.
        of_assigned = (
            " AND EXISTS (SELECT 1 FROM assignments s WHERE s.annotator = h.annotator "
            "AND s.article_id = coalesce("
            "(SELECT u.article_id FROM units u WHERE u.id = h.unit_id), "
            "(SELECT r.article_id FROM removed_units r WHERE r.unit_id = h.unit_id)))"
            if assigned
            else ""
        )
        row = self.conn.execute(
            "SELECT coalesce(sum((h.label IS NOT NULL) - (h.prev_label IS NOT NULL)), 0) "
            f"FROM history h WHERE h.annotator = ? AND h.id > ?{of_assigned}",
            (annotator, history_id),
        ).fetchone()
        return int(row[0])

    # -- TUI: adjudication and suggestions ------------------------------------------------
    # The adjudication screen walks ``disagreements`` a page at a time and undoes with
    # ``restore_adjudication``; the labelling screen corrects a label's source with
    # ``set_source``. Ordering the queue by suggestion confidence is ``next_by_confidence``.

    def disagreement_count(self, *, unresolved: bool = False) -> int:
        """How many claim units reviewers labelled differently (those ``disagreements``
        lists); ``unresolved`` counts only those without an adjudication."""
        skip = (
            " AND NOT EXISTS (SELECT 1 FROM adjudications d WHERE d.unit_id = u.id)"
            if unresolved
            else ""
        )
        row = self.conn.execute(
            "SELECT count(*) FROM (SELECT u.id FROM units u JOIN labels l ON l.unit_id = u.id "
            f"WHERE u.kind = ? AND l.label IS NOT NULL{skip} "
            "GROUP BY u.id HAVING count(DISTINCT l.label) > 1)",
            (SENTENCE,),
        ).fetchone()
        return int(row[0])

    def restore_adjudication(
        self, unit_id: str, adjudication: Adjudication | None, by: str
    ) -> Adjudication | None:
        """Put a unit's adjudication back exactly as it was (undo), None removing it.

        Unlike ``set_adjudication`` this keeps the earlier adjudicator's name and time; the
        undo is logged in history as 'undo' under ``by``. Returns the one it replaced.
        """
        now = utc_now()
        with self.transaction():
            before = self.adjudication(unit_id)
            if adjudication is None:
                self.conn.execute("DELETE FROM adjudications WHERE unit_id = ?", (unit_id,))
            else:
                self._put_adjudication(adjudication)
            change = (unit_id, _as_state(adjudication), _as_state(before))
            self._log(now, by, "undo", [change])
        return before

    def set_source(self, unit_id: str, annotator: str, source: str | None) -> LabelState:
        """Correct the source stored with a label (None clears it); returns the state before.

        The label itself and when it was given are kept; logged in history as 'source'.
        """
        return self._change(unit_id, annotator, "source", source=source or None)

    # -- segmentation fixes and orphans ---------------------------------------------------
    # A reviewer's merge or split replaces some units of one article. The edit is kept in
    # segment_edits, in order, for ingest to apply again after re-segmenting the article;
    # labels on units that went away stay in the labels table as orphans, with the text
    # of their unit in removed_units, and come back if a unit with that text does.

    def segment_units(self, article_id: str) -> tuple[str, list[Unit]]:
        """(cleaned text, units in reading order) of an article, for a merge or split."""
        row = self.conn.execute(
            "SELECT cleaned FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        if row is None:
            raise StoreError(f"no article with id {article_id}")
        rows = self.conn.execute(
            "SELECT paragraph, seq, kind, text, start, end FROM units WHERE article_id = ? "
            "ORDER BY seq",
            (article_id,),
        )
        return row[0], [Unit(*r) for r in rows]

    def record_segment_edit(
        self, article_id: str, annotator: str, edit: SegmentEdit, units: Sequence[Unit]
    ) -> SegmentChange:
        """Replace an article's units with ``units`` (the result of ``edit``) and record the
        edit, with history rows for the units that left and came, in one transaction."""
        now = utc_now()
        with self.transaction():
            seq = self._insert_segment_edit(article_id, annotator, edit, now)
            change = self._swap_units(article_id, annotator, edit.action, units, now)
        return replace(change, seq=seq)

    def _insert_segment_edit(
        self, article_id: str, annotator: str, edit: SegmentEdit, now: str
    ) -> int:
        """Append an edit to the article's segment_edits; returns its seq. In a transaction."""
        seq: int = self.conn.execute(
            "SELECT coalesce(max(seq), -1) + 1 FROM segment_edits WHERE article_id = ?",
            (article_id,),
        ).fetchone()[0]
        self.conn.execute(
            "INSERT INTO segment_edits (article_id, seq, action, before, after, annotator, "
            "at, applies) VALUES (?, ?, ?, ?, ?, ?, ?, 1)",
            (
                article_id,
                seq,
                edit.action,
                _spans_json(edit.before),
                _spans_json(edit.after),
                annotator,
                now,
            ),
        )
        return seq

    def undo_segment_edit(
        self, article_id: str, seq: int, annotator: str, units: Sequence[Unit]
    ) -> SegmentChange:
        """Put back the units an edit replaced (``units``, see ``resegment.undo``); the edit
        is marked undone, so ingest no longer applies it, and its row stays."""
        now = utc_now()
        with self.transaction():
            row = self.conn.execute(
                "SELECT action FROM segment_edits WHERE article_id = ? AND seq = ?",
                (article_id, seq),
            ).fetchone()
            if row is None:
                raise StoreError(f"no segment edit {seq} in article {article_id}")
            self.conn.execute(
                "UPDATE segment_edits SET undone_at = ? WHERE article_id = ? AND seq = ?",
                (now, article_id, seq),
            )
            action = f"undo-{action_name(row[0])}"
            change = self._swap_units(article_id, annotator, action, units, now)
        return replace(change, seq=seq)

    def segment_edits(
        self, article_id: str | None = None, *, undone: bool = False
    ) -> list[SegmentEditRecord]:
        """Recorded merges and splits (of one article, or all), in the order made; undone
        ones only with ``undone``."""
        conds = [] if undone else ["undone_at IS NULL"]
        params: list[Any] = []
        if article_id is not None:
            conds.append("e.article_id = ?")
            params.append(article_id)
        where = " WHERE " + " AND ".join(conds) if conds else ""
        rows = self.conn.execute(
            "SELECT e.article_id, a.path, e.seq, e.action, e.before, e.after, e.annotator, "
            "e.at, e.undone_at, e.applies FROM segment_edits e "
            f"LEFT JOIN articles a ON a.id = e.article_id{where} ORDER BY a.ord, e.seq",
            params,
        )
        return [
            SegmentEditRecord(
                article_id=r[0],
                article_path=r[1],
                seq=r[2],
                edit=SegmentEdit(action_name(r[3]), _spans(r[4]), _spans(r[5])),
                annotator=r[6],
                at=r[7],
                undone_at=r[8],
                applies=bool(r[9]),
            )
            for r in rows
        ]

    def dropped_near(self, article_id: str, paragraph: int, reach: int = 1) -> list[Dropped]:
        """What cleaning dropped around block ``paragraph`` of an article: the pieces that
        came after blocks ``paragraph - reach - 1`` to ``paragraph + reach - 1``, in page
        order (so ``reach`` 1 is what sat just before and just after the block)."""
        rows = self.conn.execute(
            "SELECT line, text, reason, after FROM dropped WHERE article_id = ? "
            "AND after BETWEEN ? AND ? ORDER BY line",
            (article_id, paragraph - reach - 1, paragraph + reach - 1),
        )
        return [Dropped(*r) for r in rows]

    def restored_blocks_of_file(self, file: str) -> dict[str, frozenset[str]]:
        """The texts of dropped blocks reviewers restored, by article path, for one file."""
        rows = self.conn.execute(
            "SELECT a.path, e.before FROM segment_edits e JOIN articles a ON a.id = e.article_id "
            "WHERE a.file = ? AND e.action = ? AND e.undone_at IS NULL",
            (file, RESTORE),
        )
        out: dict[str, set[str]] = {}
        for path, before in rows:
            out.setdefault(path, set()).update(s.text for s in _spans(before))
        return {path: frozenset(texts) for path, texts in out.items()}

    def record_restore(
        self,
        article_id: str,
        annotator: str,
        block: Dropped,
        edit: SegmentEdit,
        cleaned: str,
        units: Sequence[Unit],
    ) -> SegmentChange:
        """Put a dropped block back as body: the article's new cleaned text and units
        (``resegment.restore``), the edit recorded (ingest keeps the block from then on)
        and history rows, in one transaction."""
        now = utc_now()
        with self.transaction():
            seq = self._insert_segment_edit(article_id, annotator, edit, now)
            self.conn.execute("UPDATE articles SET cleaned = ? WHERE id = ?", (cleaned, article_id))
            self.conn.execute(
                "DELETE FROM dropped WHERE article_id = ? AND line = ? AND text = ?",
                (article_id, block.line, block.text),
            )
            # The restored block is block ``after + 1`` now: what follows it moves on one.
            self.conn.execute(
                "UPDATE dropped SET after = after + 1 WHERE article_id = ? "
                "AND (after > ? OR (after = ? AND line > ?))",
                (article_id, block.after, block.after, block.line),
            )
            change = self._swap_units(article_id, annotator, edit.action, units, now)
        return replace(change, seq=seq)

    def set_segment_edits_applying(self, article_id: str, failed: Collection[int]) -> None:
        """After ingest re-applied an article's edits: mark those that no longer apply
        (by seq) and the others as applying. Rows are never deleted."""
        self.conn.execute(
            "UPDATE segment_edits SET applies = NOT (seq IN (SELECT value FROM json_each(?))) "
            "WHERE article_id = ? AND undone_at IS NULL",
            (json.dumps(sorted(failed)), article_id),
        )

    def orphan_labels(self, annotator: str | None = None) -> list[OrphanLabel]:
        """Label rows whose unit is gone, with the unit's last text where it is known."""
        who = " AND l.annotator = ?" if annotator is not None else ""
        rows = self.conn.execute(
            "SELECT l.unit_id, l.annotator, l.label, l.note, l.flagged, l.labeled_at, "
            "a.path, r.text, r.removed_at FROM labels l "
            "LEFT JOIN removed_units r ON r.unit_id = l.unit_id "
            "LEFT JOIN articles a ON a.id = r.article_id "
            f"WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.id = l.unit_id){who} "
            "ORDER BY a.ord IS NULL, a.ord, r.removed_at, l.annotator",
            [annotator] if annotator is not None else [],
        )
        return [
            OrphanLabel(r[0], r[1], r[2], r[3], bool(r[4]), r[5], r[6], r[7], r[8]) for r in rows
        ]

    def _swap_units(
        self, article_id: str, annotator: str, action: str, units: Sequence[Unit], now: str
    ) -> SegmentChange:
        """Replace an article's units; log each unit that left and each that came in
        history under ``action`` (labelled_delta_since stays exact). Call in a transaction."""
        path, ord_ = self.conn.execute(
            "SELECT path, ord FROM articles WHERE id = ?", (article_id,)
        ).fetchone()
        old = {
            r[0]: (r[1], r[2])
            for r in self.conn.execute(
                "SELECT id, text, kind FROM units WHERE article_id = ?", (article_id,)
            )
        }
        rows = list(_unit_rows(path, article_id, ord_, units))
        new_ids = [r[0] for r in rows if r[0] not in old]
        gone = [i for i in old if i not in {r[0] for r in rows}]
        history = []
        for uid in gone:
            before = self.label_state(uid, annotator)
            history.append((uid, LabelState(), before))
        self.conn.execute("DELETE FROM units WHERE article_id = ?", (article_id,))
        self.conn.executemany(
            "INSERT INTO units (id, article_id, pos, paragraph, seq, kind, text, start, end) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            rows,
        )
        orphaned = self._orphaned(article_id, {i: old[i][0] for i in gone})
        # A unit that comes back (undo) finds the labels it had: they were never deleted.
        history += [(uid, self.label_state(uid, annotator), LabelState()) for uid in new_ids]
        self._log(now, annotator, action, history)
        claims = sum(r[5] == SENTENCE for r in rows) - sum(k == SENTENCE for _, k in old.values())
        return SegmentChange(
            seq=-1,
            unit_ids=tuple(new_ids),
            labelled=sum((a.label is not None) - (b.label is not None) for _, a, b in history),
            claims=claims,
            orphaned=orphaned,
        )

    def _orphaned(self, article_id: str, removed: dict[str, str]) -> int:
        """Remember the text of removed units that labels point at; returns how many label
        rows that leaves without a unit. Call in a transaction."""
        orphaned = 0
        now = utc_now()
        for uid, text in removed.items():
            n = self.conn.execute("SELECT count(*) FROM labels WHERE unit_id = ?", (uid,))
            count = int(n.fetchone()[0])
            if count:
                orphaned += count
                self.conn.execute(
                    "INSERT OR REPLACE INTO removed_units (unit_id, article_id, text, removed_at) "
                    "VALUES (?, ?, ?, ?)",
                    (uid, article_id, text, now),
                )
        return orphaned


_SUGGESTION_COLUMNS = (
    "unit_id, suggested_label, confidence, reason, cue, cue_start, cue_end, source, "
    "source_start, source_end, quote_of, claim_group"
)


@dataclass(frozen=True)
class SuggestionRecord:
    """A stored suggestion (see ``Store.suggestion``)."""

    unit_id: str
    suggested_label: str
    confidence: float
    reason: str
    cue: str | None
    cue_start: int | None
    cue_end: int | None
    source: str | None
    source_start: int | None
    source_end: int | None
    quote_of: str | None  # the unit naming the speaker of a continuing quote
    claim_group: str | None


@dataclass(frozen=True)
class ClaimGroupMember:
    """Another unit of a claim group, as "also in: <article> — labelled X" shows it."""

    unit_id: str
    article_id: str
    article_path: str
    article_title: str | None
    text: str
    suggested_label: str
    source: str | None
    labels: dict[str, str]


# ---------------------------------------------------------------------------------------
# Teams: the values the merge, agreement and adjudication queries return.


@dataclass(frozen=True)
class Adjudication:
    """The final label of a unit, settled by an adjudicator, and why."""

    unit_id: str
    label: str
    reason: str | None
    adjudicator: str
    adjudicated_at: str


def _as_state(adjudication: Adjudication | None) -> LabelState:
    """An adjudication as history logs it: its label, and its reason as the note."""
    if adjudication is None:
        return LabelState()
    return LabelState(adjudication.label, adjudication.reason)


@dataclass(frozen=True)
class ReviewerLabel:
    """One reviewer's decision on a disputed unit, as the adjudicator sees it."""

    annotator: str
    label: str
    note: str | None
    flagged: bool


@dataclass(frozen=True)
class Disagreement:
    """A claim unit reviewers labelled differently, with every decision on it."""

    unit_id: str
    pos: int
    reviewers: tuple[ReviewerLabel, ...]
    adjudication: Adjudication | None


@dataclass(frozen=True)
class LabelDifference:
    """A label row another database holds differently (``ours`` None: we lack it)."""

    unit_id: str
    annotator: str
    theirs: LabelState
    ours: LabelState | None
    theirs_last_at: str | None
    ours_last_at: str | None


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
    whole (or is not SQLite at all, which opening reports)."""
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            header = f.read(100)
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


def _unit_rows(path: str, aid: str, ord_: int, units: Iterable[Unit]) -> Iterator[tuple[Any, ...]]:
    seen: dict[str, int] = {}
    for u in units:
        occurrence = seen.get(u.text, 0)
        seen[u.text] = occurrence + 1
        yield (
            unit_id(path, u.text, occurrence),
            aid,
            (ord_ << POS_BITS) | u.seq,
            u.paragraph,
            u.seq,
            u.kind,
            u.text,
            u.start,
            u.end,
        )


@dataclass(frozen=True)
class SegmentChange:
    """What a merge, split or its undo did to an article's units, for the session."""

    seq: int  # the edit's number within its article
    unit_ids: tuple[str, ...]  # the units that came, in reading order
    labelled: int  # change of the editor's labelled count (orphaned or revived labels)
    claims: int  # change of the claim count
    orphaned: int  # label rows (anyone's) left on units that went


@dataclass(frozen=True)
class SegmentEditRecord:
    """A recorded merge or split, as ingest re-applies it and reports list it."""

    article_id: str
    article_path: str | None
    seq: int
    edit: SegmentEdit
    annotator: str
    at: str
    undone_at: str | None
    applies: bool  # False: at the last ingest its units' text was gone


@dataclass(frozen=True)
class OrphanLabel:
    """A label row whose unit is gone; ``text`` is that unit's last text, if known."""

    unit_id: str
    annotator: str
    label: str | None
    note: str | None
    flagged: bool
    labeled_at: str | None
    article_path: str | None
    text: str | None
    removed_at: str | None


def _spans_json(spans: Sequence[Span]) -> str:
    return json.dumps([asdict(s) for s in spans], ensure_ascii=False)


def _spans(raw: str) -> tuple[Span, ...]:
    return tuple(Span(**s) for s in json.loads(raw))
