"""The SQLite store: every SQL read and write of the project, and the schema migrations.

Only this module speaks SQL. Schema changes go through the ordered ``MIGRATIONS`` list
(sqlite-utils ``Migrations``); ``PRAGMA user_version`` mirrors how many have run so that
opening an up-to-date database needs one cheap read and no sqlite-utils import (the TUI
start-up path stays fast). The database is plain SQLite in WAL mode, meant to be
browsable with Datasette.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotate.model import SENTENCE, Unit, article_id, unit_id

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
    db["files"].create(
        {
            "path": str,
            "size": int,
            "mtime_ns": int,
            "segmenter": str,
            "ingested_at": str,
        },
        pk="path",
    )
    db["articles"].create(
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
    db["articles"].create_index(["path"], unique=True)
    db["articles"].create_index(["ord"], unique=True)
    db["articles"].create_index(["file"])
    db["units"].create(
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
    db["units"].create_index(["article_id", "seq"], unique=True)
    db["units"].create_index(["pos"], unique=True)


def migrations() -> Migrations:
    """The ordered migration set of the annotate schema."""
    from sqlite_utils.migrations import Migrations

    m = Migrations("annotate")
    for fn in MIGRATIONS:
        m(name=fn.__name__.lstrip("_"))(fn)
    return m


MIGRATIONS = [_m001_articles_and_units]
SCHEMA_VERSION = len(MIGRATIONS)


# ---------------------------------------------------------------------------------------


class StoreError(Exception):
    """A database that cannot be used (not SQLite, newer schema, unwritable)."""


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


class Store:
    """An open annotate database. Use ``Store.open(path)``; close with ``close()``."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self.conn = conn
        self.path = path
        self._db: Database | None = None

    # -- opening -------------------------------------------------------------------

    @classmethod
    def open(cls, path: str | Path, *, migrate: bool = True) -> Store:
        """Open (creating if needed) the database at path, in WAL mode, migrated."""
        path = str(path)
        try:
            conn = sqlite3.connect(path, timeout=30, isolation_level=None)
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout = 30000")
            if path != ":memory:":
                conn.execute("PRAGMA journal_mode = WAL")
            conn.execute("PRAGMA synchronous = NORMAL")
            conn.execute("PRAGMA foreign_keys = ON")
            version = conn.execute("PRAGMA user_version").fetchone()[0]
        except sqlite3.DatabaseError as e:
            raise StoreError(f"{path}: not an annotate database ({e})") from None
        store = cls(conn, path)
        if version > SCHEMA_VERSION:
            conn.close()
            raise StoreError(
                f"{path}: schema version {version} is newer than this annotate "
                f"({SCHEMA_VERSION}); upgrade annotate"
            )
        if migrate and version < SCHEMA_VERSION:
            store.migrate()
        return store

    def migrate(self) -> None:
        """Apply pending migrations and record the schema version."""
        try:
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
        """One write transaction, taken eagerly (BEGIN IMMEDIATE) so writers queue politely."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

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
    ) -> ReplaceResult:
        """Insert or update one article and replace its units, in one transaction.

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
                    (aid, path, file, ord_, sha256, title, source, url, date, cleaned,
                     segmenter, now),
                )
            else:
                ord_ = row[0]
                self.conn.execute(
                    "UPDATE articles SET file = ?, sha256 = ?, title = ?, source = ?, url = ?, "
                    "date = ?, cleaned = ?, segmenter = ?, ingested_at = ? WHERE id = ?",
                    (file, sha256, title, source, url, date, cleaned, segmenter, now, aid),
                )
            old = {
                r[0]
                for r in self.conn.execute("SELECT id FROM units WHERE article_id = ?", (aid,))
            }
            rows = list(_unit_rows(path, aid, ord_, units))
            new_ids = {r[0] for r in rows}
            # Positions are unique; clear them first so rows can swap places.
            self.conn.execute("DELETE FROM units WHERE article_id = ?", (aid,))
            self.conn.executemany(
                "INSERT INTO units (id, article_id, pos, paragraph, seq, kind, text, start, end) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
        return ReplaceResult(
            added=len(new_ids - old), kept=len(new_ids & old), removed=len(old - new_ids)
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


def _unit_rows(
    path: str, aid: str, ord_: int, units: Iterable[Unit]
) -> Iterator[tuple[Any, ...]]:
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
