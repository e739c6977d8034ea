"""The read-only queries behind export, stats and agreement.

Exports read through their own cursor in batches (fetchmany), so a million-row export
holds one batch in memory; the WAL snapshot (``Connection.snapshot``) keeps the export
consistent while annotators go on labelling.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from annotate.model import (
    ATTRIBUTED,
    SENTENCE,
)
from annotate.store.connection import Connection

if TYPE_CHECKING:
    pass


class ReportQueries(Connection):
    """Export, stats and agreement queries."""

    def export_rows(
        self,
        *,
        annotator: str | None = None,
        labels: Sequence[str] = (),
        all_kinds: bool = False,
        every_unit: bool = False,
        unlabelled_rows: bool = False,
        annotator_source: bool = False,
        batch: int = 2000,
    ) -> Iterator[list[tuple[Any, ...]]]:
        """Label rows joined to their unit, article and suggestion, in queue order, in batches.

        Each row is ``(unit_id, article_id, article_path, article_title, paragraph, seq,
        start, end, kind, text, label, annotator, labeled_at, note, flagged,
        suggested_label, suggested_source, suggestion_confidence, cue, source,
        claim_group)``, ordered by unit position then annotator. A label row counts if it
        has a label, or, with ``unlabelled_rows``, a note or a flag. ``every_unit`` adds
        each unit with no such row once, its label columns None (``flagged`` 0: not
        flagged, so the column is always 0 or 1). ``labels`` keeps only
        rows with one of those labels (and, with ``every_unit``, the units without rows).
        The suggestion columns are None for a unit without a suggestion.

        ``suggested_source`` is the detected source. ``source`` is the attribution source
        where one applies: on an attributed label, the source the annotator confirmed or
        corrected, else the detected one; on any other label, None; on a row without a
        label, the detected one. With ``annotator_source`` it is the label row's own
        source, whatever the label (for aggregating, where the sources of several
        annotators are weighed).
        """
        where, params = self._export_where(annotator, labels, all_kinds, every_unit)
        # LEFT JOIN on the suggestions' primary key: one indexed lookup per row, so the
        # export keeps streaming at the speed of the bare query.
        source = (
            "l.source"
            if annotator_source
            else "CASE WHEN l.label IS NULL THEN s.source "
            f"WHEN l.label = '{ATTRIBUTED}' THEN coalesce(l.source, s.source) END"
        )
        sql = (
            "SELECT u.id, u.article_id, a.path, a.title, u.paragraph, u.seq, u.start, u.end, "
            "u.kind, u.text, l.label, l.annotator, l.labeled_at, l.note, "
            "coalesce(l.flagged, 0), "
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

    # -- adjudications, annotators and suggestions: for --aggregate, stats and the card -----

    def adjudications_for_export(self) -> dict[str, tuple[str, str, str | None]]:
        """unit id -> (adjudicated label, adjudicator, reason): only the units someone
        settled, so it stays small however big the export."""
        rows = self.conn.execute(
            "SELECT unit_id, label, adjudicator, reason FROM adjudications"
        ).fetchall()
        return {r[0]: (r[1], r[2], r[3]) for r in rows}

    def adjudication_count(self, annotators: Sequence[str] | None = None) -> int:
        """Claim units with an adjudicated label (with ``annotators``: of the units one of
        them labelled)."""
        params: dict[str, Any] = {"kind": SENTENCE}
        who = ""
        if annotators:
            names = [f":a{i}" for i in range(len(annotators))]
            params.update({n[1:]: v for n, v in zip(names, annotators, strict=True)})
            who = (
                " AND EXISTS (SELECT 1 FROM labels l WHERE l.unit_id = u.id "
                f"AND l.label IS NOT NULL AND l.annotator IN ({', '.join(names)}))"
            )
        row = self.conn.execute(
            "SELECT count(*) FROM adjudications d JOIN units u ON u.id = d.unit_id "
            f"WHERE u.kind = :kind{who}",
            params,
        ).fetchone()
        return int(row[0])

    def units_by_annotators(self) -> dict[int, tuple[int, int, int]]:
        """{n: (claim units labelled by n annotators, those of them labelled differently,
        those of these without an adjudication)}: annotators per unit and the
        disagreements, from one pass over the labels."""
        rows = self.conn.execute(
            "SELECT n, count(*), sum(d > 1), sum(d > 1 AND NOT settled) FROM ("
            "SELECT count(*) AS n, count(DISTINCT l.label) AS d, EXISTS (SELECT 1 FROM "
            "adjudications a WHERE a.unit_id = l.unit_id) AS settled FROM labels l "
            "JOIN units u ON u.id = l.unit_id AND u.kind = ? WHERE l.label IS NOT NULL "
            "GROUP BY l.unit_id) GROUP BY n ORDER BY n",
            (SENTENCE,),
        )
        return {int(r[0]): (int(r[1]), int(r[2]), int(r[3])) for r in rows}

    def suggestion_use(self) -> tuple[int, int]:
        """(labels on claim units that have a suggestion, those equal to it unchanged):
        the same label and, on an attributed label, no source other than the suggested
        one."""
        row = self.conn.execute(
            "SELECT count(*), coalesce(sum(l.label = s.suggested_label AND (l.label != ? "
            "OR l.source IS NULL OR l.source IS s.source)), 0) FROM labels l "
            "JOIN units u ON u.id = l.unit_id AND u.kind = ? "
            "JOIN suggestions s ON s.unit_id = l.unit_id WHERE l.label IS NOT NULL",
            (ATTRIBUTED, SENTENCE),
        ).fetchone()
        return int(row[0]), int(row[1])

    def corpus_sources(self, limit: int = 10) -> list[tuple[str | None, int]]:
        """(article source, articles) of the most common sources, most first."""
        rows = self.conn.execute(
            "SELECT source, count(*) FROM articles GROUP BY source "
            "ORDER BY count(*) DESC, source LIMIT ?",
            (limit,),
        )
        return [(r[0], int(r[1])) for r in rows]

    def claim_texts_by_path(self) -> Iterator[tuple[str, str, str]]:
        """(unit id, article path, text) of every claim unit, in queue order, streamed:
        for matching imported rows by their text."""
        cur = self.conn.cursor()
        cur.row_factory = None
        try:
            cur.execute(
                "SELECT u.id, a.path, u.text FROM units u JOIN articles a "
                "ON a.id = u.article_id WHERE u.kind = ? ORDER BY u.pos",
                (SENTENCE,),
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
