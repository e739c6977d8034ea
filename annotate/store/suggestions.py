"""Rule-based label suggestions and claim groups across articles.

Suggestions come from ``annotate.suggest`` and claim groups from its claim matcher.
Offsets of a suggestion's cue are into its unit's text; those of its source are into the
text of ``quote_of`` when that is set.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from annotate.model import (
    SENTENCE,
)
from annotate.store.connection import Connection
from annotate.store.values import _SUGGESTION_COLUMNS, ClaimGroupMember, SuggestionRecord, utc_now

if TYPE_CHECKING:
    pass


class SuggestionQueries(Connection):
    """Suggestions and claim groups."""

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
