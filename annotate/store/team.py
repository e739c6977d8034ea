"""Working as a team: assignments, adjudications and merging databases.

Adjudicated labels sit in their own table, apart from the raw labels; assignments split
the articles among annotators (no rows: everyone sees everything); merge reads another
database ATTACHed under a schema name and copies what this one lacks.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotate.model import (
    LABELS,
    SENTENCE,
)
from annotate.store.labels import LabelQueries
from annotate.store.rows import POS_BITS, utc_now

if TYPE_CHECKING:
    from annotate.store.values import (
        Adjudication,
        Disagreement,
        LabelDifference,
        LabelState,
    )


class TeamQueries(LabelQueries):
    """Assignments, adjudications and merge.

    Built on the labels: adjudications and merged labels are logged in history like labels.
    """

    def set_adjudication(
        self, unit_id: str, label: str | None, reason: str | None, adjudicator: str
    ) -> Adjudication | None:
        """Record the final label of a unit (None removes it); returns the one before.

        Logged in history as 'adjudicate' under the adjudicator's name, with the reason
        as the note, so a decision is never lost when it is overruled.
        """
        from annotate.store.values import Adjudication, LabelState, _as_state

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

    def restore_adjudication(
        self, unit_id: str, adjudication: Adjudication | None, by: str
    ) -> Adjudication | None:
        """Put a unit's adjudication back exactly as it was (undo), None removing it.

        Unlike ``set_adjudication`` this keeps the earlier adjudicator's name and time; the
        undo is logged in history as 'undo' under ``by``. Returns the one it replaced.
        """
        from annotate.store.values import _as_state

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

    def _put_adjudication(self, a: Adjudication) -> None:
        self.conn.execute(
            "INSERT INTO adjudications (unit_id, label, reason, adjudicator, adjudicated_at) "
            "VALUES (?, ?, ?, ?, ?) ON CONFLICT(unit_id) DO UPDATE SET label = excluded.label, "
            "reason = excluded.reason, adjudicator = excluded.adjudicator, "
            "adjudicated_at = excluded.adjudicated_at",
            (a.unit_id, a.label, a.reason, a.adjudicator, a.adjudicated_at),
        )

    def adjudication(self, unit_id: str) -> Adjudication | None:
        from annotate.store.values import Adjudication

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
        """Claim units where annotators gave different labels, in queue order.

        Each comes with every annotator's label, note and flag, and the adjudication if
        there is one. ``annotators`` limits who counts; ``unresolved`` skips units
        already adjudicated; ``after`` and ``limit`` walk the list a page at a time.
        """
        from annotate.store.values import Adjudication, AnnotatorLabel, Disagreement

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
            labels = tuple(AnnotatorLabel(r[2], r[3], r[4], bool(r[5])) for r in items)
            out.append(Disagreement(uid, pos, labels, adj))
        return out

    def disagreement_count(self, *, unresolved: bool = False) -> int:
        """How many claim units annotators labelled differently (those ``disagreements``
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

    def set_assignments(self, plan: Iterable[tuple[str, str]]) -> int:
        """Replace every assignment with ``plan`` ((article id, annotator) pairs).

        An empty plan clears them: every annotator sees every unit again. Labels are
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

        None means no assignment was made at all (the default: every annotator sees every
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
        # Set-based: the new articles' places in the queue first (a temp table), then one
        # INSERT ... SELECT each for articles and units, whatever their number.
        next_ord = self.conn.execute("SELECT coalesce(max(ord), -1) + 1 FROM articles")
        base = int(next_ord.fetchone()[0])
        self.conn.execute("DROP TABLE IF EXISTS temp.merge_new_articles")
        self.conn.execute(
            "CREATE TEMP TABLE merge_new_articles (id TEXT PRIMARY KEY, ord INTEGER NOT NULL)"
        )
        try:
            articles = self.conn.execute(
                "INSERT INTO temp.merge_new_articles (id, ord) SELECT id, "
                "? + row_number() OVER (ORDER BY ord) - 1 "
                f"FROM {src}.articles WHERE id NOT IN (SELECT id FROM main.articles)",
                (base,),
            ).rowcount
            self.conn.execute(
                "INSERT INTO main.articles (id, path, file, ord, sha256, title, source, url, "
                "date, author, cleaned, segmenter, ingested_at) SELECT a.id, a.path, a.file, "
                "n.ord, a.sha256, a.title, a.source, a.url, a.date, a.author, a.cleaned, "
                "a.segmenter, a.ingested_at "
                f"FROM temp.merge_new_articles n JOIN {src}.articles a ON a.id = n.id "
                "ORDER BY n.ord"
            )
            units = self.conn.execute(
                "INSERT INTO main.units (id, article_id, pos, paragraph, seq, kind, text, "
                f"start, end) SELECT u.id, u.article_id, (n.ord << {POS_BITS}) | u.seq, "
                "u.paragraph, u.seq, u.kind, u.text, u.start, u.end "
                f"FROM temp.merge_new_articles n JOIN {src}.units u ON u.article_id = n.id "
                "ORDER BY n.ord, u.seq"
            ).rowcount
        finally:
            self.conn.execute("DROP TABLE IF EXISTS temp.merge_new_articles")
        return files, articles, units

    def merge_new_labels(self, src: str) -> int:
        """Copy the label rows of ``src`` this store lacks altogether, in one INSERT ...
        SELECT; returns how many. (They need no deciding: the incoming row wins and
        nothing is replaced; rows both hold are for ``label_differences``.)
        Call inside a transaction."""
        return self.conn.execute(
            "INSERT INTO main.labels (unit_id, annotator, label, labeled_at, note, flagged, "
            "source) SELECT s.unit_id, s.annotator, s.label, s.labeled_at, s.note, "
            "CASE WHEN s.flagged THEN 1 ELSE 0 END, s.source "
            f"FROM {src}.labels s WHERE NOT EXISTS (SELECT 1 FROM main.labels m "
            "WHERE m.unit_id = s.unit_id AND m.annotator = s.annotator)"
        ).rowcount

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
        from annotate.store.values import LabelDifference, LabelState

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
        from annotate.store.values import Adjudication

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
