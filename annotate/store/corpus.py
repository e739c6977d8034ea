"""The corpus as stored: source files, articles, their cleaned text and units.

Ingest saves a file's articles here (``save_article`` replaces an article's units,
keeping what annotators decided through ``annotate.store.segments``); the rest reads back
an article, its units and the context around a claim.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from annotate.model import (
    HEADING,
    Dropped,
    Unit,
    article_id,
)
from annotate.store.connection import StoreError
from annotate.store.queue import _NOT_CLAIM_COUNT, _UNIT_COUNT
from annotate.store.rows import (
    _UNIT_VIEW,
    MAX_UNITS_PER_ARTICLE,
    FileRecord,
    _unit_rows,
    utc_now,
)
from annotate.store.segments import SegmentQueries

if TYPE_CHECKING:
    from annotate.store.values import ArticleRecord, ReplaceResult, UnitView


class CorpusQueries(SegmentQueries):
    """Files, articles and units (saving an article keeps its segment edits and orphans)."""

    def file_records(self) -> dict[str, FileRecord]:
        """Every known corpus file by relative path (small: one row per file)."""
        cursor = self.conn.cursor()
        cursor.row_factory = None  # plain tuples: a run over an unchanged corpus reads all
        rows = cursor.execute("SELECT path, size, mtime_ns, segmenter FROM files")
        return {r[0]: r for r in map(FileRecord._make, rows)}

    def save_file_record(self, record: FileRecord) -> None:
        self.conn.execute(
            "INSERT INTO files (path, size, mtime_ns, segmenter, ingested_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(path) DO UPDATE SET size = excluded.size, "
            "mtime_ns = excluded.mtime_ns, segmenter = excluded.segmenter, "
            "ingested_at = excluded.ingested_at",
            (record.path, record.size, record.mtime_ns, record.segmenter, utc_now()),
        )

    def article(self, path: str) -> ArticleRecord | None:
        from annotate.store.values import ArticleRecord

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

    def has_articles(self) -> bool:
        return self.conn.execute("SELECT 1 FROM articles LIMIT 1").fetchone() is not None

    def article_ids(self) -> list[str]:
        """Every article's id, in queue order."""
        return [r[0] for r in self.conn.execute("SELECT id FROM articles ORDER BY ord")]

    def article_paths_by_file(self) -> dict[str, list[str]]:
        """Every file's article paths, in order: one read instead of one a file (for a
        run over an unchanged corpus; small, one row per article, like ``file_records``).
        The index holds the three columns, so the articles' rows are not read."""
        out: dict[str, list[str]] = {}
        rows = self.conn.execute(
            "SELECT file, path FROM articles INDEXED BY articles_file_ord_path ORDER BY file, ord"
        )
        for file, path in rows:
            out.setdefault(file, []).append(path)
        return out

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
        new: bool = False,
        suggested: str | None = None,
    ) -> ReplaceResult:
        """Insert or update one article and replace its units (and the record of what
        cleaning dropped from it), in one transaction.

        Unit ids come from content, so a unit whose text survives keeps its id and every
        label attached to it. Labels on units that disappear are never deleted here: they
        stay in their tables as orphans for the ingest summary to report.

        ``new``: the caller found no article at ``path`` in the write transaction this
        is part of (ingest does), so it is not looked up again. ``suggested``: the rules
        whose suggestions for every one of ``units`` the caller saves next, in the write
        transaction this is part of (``save_suggestion_rows(marked=True)``): the article
        is marked as suggested by them here. The result lists the units' ids, in reading
        order.
        """
        if len(units) >= MAX_UNITS_PER_ARTICLE:
            raise StoreError(f"{path}: more than {MAX_UNITS_PER_ARTICLE - 1} units")
        aid = article_id(path)
        now = utc_now()
        c = self.conn
        with self.transaction():
            row = (
                None
                if new
                else c.execute("SELECT ord FROM articles WHERE id = ?", (aid,)).fetchone()
            )
            if row is None:
                # The next ord, counted once per write transaction: articles come in
                # one at a time while the lock is held, so each takes the next number.
                ord_ = self.locked_facts.get("next_ord")
                if ord_ is None:
                    ord_ = c.execute("SELECT coalesce(max(ord), -1) + 1 FROM articles").fetchone()[
                        0
                    ]
                values: tuple[Any, ...] = (aid, path, file, ord_, sha256, title, source, url)
                values += (date, cleaned, segmenter, now)
                # No author, no author column: a database before migration 8 lacks it.
                extra, more = (", author", (author,)) if author is not None else ("", ())
                if suggested is not None:
                    extra, more = f"{extra}, suggested", (*more, suggested)
                c.execute(
                    "INSERT INTO articles (id, path, file, ord, sha256, title, source, url, "
                    f"date, cleaned, segmenter, ingested_at{extra}) "
                    f"VALUES ({', '.join('?' * (len(values) + len(more)))})",
                    values + more,
                )
            else:
                ord_ = row[0]
                c.execute(
                    "UPDATE articles SET file = ?, sha256 = ?, title = ?, source = ?, url = ?, "
                    "date = ?, author = ?, cleaned = ?, segmenter = ?, ingested_at = ?, "
                    "suggested = NULL WHERE id = ?",
                    (file, sha256, title, source, url, date, author, cleaned, segmenter, now, aid),
                )
            old_texts: dict[str, str] = {}
            if row is not None:
                old_texts = dict(
                    c.execute("SELECT id, text FROM units WHERE article_id = ?", (aid,))
                )
                # Positions are unique; clear them first so rows can swap places.
                c.execute("DELETE FROM units WHERE article_id = ?", (aid,))
            rows = list(_unit_rows(path, aid, ord_, units))
            ids = tuple(r[0] for r in rows)
            c.executemany(
                "INSERT INTO units (id, article_id, pos, paragraph, seq, kind, text, start, end) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            if row is not None and suggested is not None:
                # Only now: deleting the old units cleared it (trigger units_gone_after_delete).
                c.execute("UPDATE articles SET suggested = ? WHERE id = ?", (suggested, aid))
            orphaned = 0
            if old_texts:
                new_ids = set(ids)
                orphaned = self._orphaned(
                    aid, {i: t for i, t in old_texts.items() if i not in new_ids}
                )
            if row is None:
                if dropped:
                    self._insert_dropped(aid, dropped)
            elif dropped or self._has_dropped_table():
                self._save_dropped(aid, dropped)
        if row is None:  # only once the article is in: a failed save takes no number
            self.locked_facts["next_ord"] = ord_ + 1
        from annotate.store.values import ReplaceResult

        new_set, old = set(ids), set(old_texts)
        return ReplaceResult(
            added=len(new_set - old),
            kept=len(new_set & old),
            removed=len(old - new_set),
            orphaned=orphaned,
            unit_ids=ids,
        )

    def touch_article(self, path: str, *, file: str) -> None:
        """Record that an unchanged article was seen again under this file."""
        self.conn.execute("UPDATE articles SET file = ? WHERE path = ?", (file, path))

    def counts(self) -> dict[str, int]:
        """Articles, all units, and claim units (the labelling queue) in the store."""
        articles, units, others = self.conn.execute(
            f"SELECT (SELECT count(*) FROM articles), ({_UNIT_COUNT}), ({_NOT_CLAIM_COUNT})"
        ).fetchone()
        return {"articles": articles, "units": units, "claims": units - others}

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

    def article_units(self, article_id: str, paragraph: int | None = None) -> list[UnitView]:
        """The units of an article (or of one of its paragraphs), in reading order."""
        from annotate.store.values import UnitView

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

    def article_units_around(self, article_id: str, paragraph: int, n: int) -> list[UnitView]:
        """The units of paragraphs ``paragraph - n`` to ``paragraph + n`` of an article, in
        reading order: what a claim is read with, however long its article."""
        from annotate.store.values import UnitView

        rows = self.conn.execute(
            f"{_UNIT_VIEW} WHERE u.article_id = ? AND u.paragraph BETWEEN ? AND ? ORDER BY u.seq",
            (article_id, paragraph - n, paragraph + n),
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

    def unit_exists(self, unit_id: str) -> bool:
        row = self.conn.execute("SELECT 1 FROM units WHERE id = ?", (unit_id,)).fetchone()
        return row is not None
