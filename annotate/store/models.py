"""What a learned model needs of the store, and what it suggests.

The model (``annotate.learn``) reads every claim unit with the unit before it in its
article and the rules' stored suggestions of both, in one pass; it writes one blended
suggestion per unit into ``model_suggestions``, beside the rules' own, which stay as
the rules made them. The labelling queue can walk those least sure first, an indexed
walk on ``model_suggestions(certainty, unit_id)`` like the confidence order's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from annotate.model import SENTENCE
from annotate.store.connection import Connection
from annotate.store.queue import _ranked_walk
from annotate.store.rows import utc_now

if TYPE_CHECKING:
    from annotate.store.values import LearnRow, ModelSuggestion, SuggestionRecord, UnitView

# Rows of model suggestions written per transaction (see save_model_suggestions), from a
# staged table by SQL alone: a few ms of lock each, and twenty commits for 20,000 claims
# (each makes the app read its pages again) where 100 rows from Python made two hundred.
_WRITE_BATCH = 1000


_LEARN_ROWS = (
    "SELECT u.id, u.article_id, u.text, coalesce(p.text, ''), ps.suggested_label, "
    "s.unit_id, s.suggested_label, s.confidence, s.reason, s.cue, s.cue_start, s.cue_end, "
    "s.source, s.source_start, s.source_end, s.quote_of, s.claim_group "
    "FROM units u LEFT JOIN units p ON p.article_id = u.article_id AND p.seq = u.seq - 1 "
    "LEFT JOIN suggestions s ON s.unit_id = u.id "
    "LEFT JOIN suggestions ps ON ps.unit_id = p.id WHERE u.kind = :kind"
)


def _learn_rows(rows: Iterable[Sequence[Any]]) -> Iterator[LearnRow]:
    """The rows of ``_LEARN_ROWS`` as values (the classes imported once, not a row)."""
    from annotate.store.values import LearnRow, SuggestionRecord

    for r in rows:
        suggestion = SuggestionRecord(*r[5:]) if r[5] is not None else None
        yield LearnRow(r[0], r[1], r[2], r[3], r[4], suggestion)


class ModelQueries(Connection):
    """Rows for a learned model and the suggestions it makes."""

    def learn_rows(self, unit_ids: Sequence[str] | None = None) -> Iterator[LearnRow]:
        """Every claim unit (or those of ``unit_ids``) with the unit before it and the
        rules' suggestions, in queue order; read in batches, one indexed lookup per join."""
        if unit_ids is not None:
            for i in range(0, len(unit_ids), 500):
                chunk = list(unit_ids[i : i + 500])
                marks = ", ".join("?" * len(chunk))
                sql = _LEARN_ROWS.replace(":kind", "?") + f" AND u.id IN ({marks}) ORDER BY u.pos"
                yield from _learn_rows(self.conn.execute(sql, [SENTENCE, *chunk]))
            return
        cur = self.conn.cursor()
        cur.row_factory = None
        try:
            cur.execute(_LEARN_ROWS + " ORDER BY u.pos", {"kind": SENTENCE})
            while rows := cur.fetchmany(5000):
                yield from _learn_rows(rows)
        finally:
            cur.close()

    def save_model_suggestions(
        self,
        model: str,
        records: Sequence[dict[str, Any]],
        between: Callable[[], None] | None = None,
    ) -> None:
        """Replace every model suggestion by ``records`` (dicts keyed by column) of model
        ``model``: a unit the model did not score keeps none. The records go into a
        temporary table first (this connection's own: no lock on the database), then into
        ``model_suggestions`` by SQL alone in a few short transactions (a retraining in
        the background writes every claim's, and one long transaction would hold the
        write lock for a key the annotator presses meanwhile; every commit also makes the
        app read its pages again). ``between`` is called before each, when no lock is
        held (the retraining waits there while the app handles a key). Until the last
        one, some units still show the previous model's suggestion."""
        now = utc_now()
        columns = "unit_id, suggested_label, confidence, certainty, speaker, reason"
        self.conn.execute(
            "CREATE TEMP TABLE IF NOT EXISTS staged_model_suggestions "
            f"(n INTEGER PRIMARY KEY, {columns})"
        )
        self.conn.execute("BEGIN")  # deferred: only the temporary table is written
        try:
            self.conn.execute("DELETE FROM temp.staged_model_suggestions")
            self.conn.executemany(
                f"INSERT INTO temp.staged_model_suggestions ({columns}) VALUES "
                "(:unit_id, :suggested_label, :confidence, :certainty, :speaker, :reason)",
                records,
            )
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")
        for first in range(1, len(records) + 1, _WRITE_BATCH):
            if between is not None:
                between()
            with self.transaction():
                self.conn.execute(
                    f"INSERT OR REPLACE INTO model_suggestions ({columns}, model, "
                    f"suggested_at) SELECT {columns}, ?, ? FROM temp.staged_model_suggestions "
                    "WHERE n >= ? AND n < ? ORDER BY n",
                    (model, now, first, first + _WRITE_BATCH),
                )
        if between is not None:
            between()
        with self.transaction():
            # What the previous model said of units not scored now.
            self.conn.execute(
                "DELETE FROM model_suggestions WHERE model != ? OR suggested_at != ?",
                (model, now),
            )
        self.conn.execute("DELETE FROM temp.staged_model_suggestions")

    def clear_model_suggestions(self) -> int:
        """Forget every model suggestion (the rules' stay); returns how many."""
        with self.transaction():
            return self.conn.execute("DELETE FROM model_suggestions").rowcount

    def model_suggestion(self, unit_id: str) -> ModelSuggestion | None:
        from annotate.store.values import ModelSuggestion

        row = self.conn.execute(
            "SELECT unit_id, model, suggested_label, confidence, certainty, speaker, reason "
            "FROM model_suggestions WHERE unit_id = ?",
            (unit_id,),
        ).fetchone()
        return ModelSuggestion(*row) if row else None

    def model_suggestion_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM model_suggestions").fetchone()[0])

    def has_model_suggestions(self) -> bool:
        """Whether a model has scored any unit (one row read, however many there are)."""
        return self.conn.execute("SELECT 1 FROM model_suggestions LIMIT 1").fetchone() is not None

    def blended_suggestion(self, unit_id: str) -> SuggestionRecord | None:
        """The rules' stored suggestion with the label, confidence and reason of the
        model's blended one when there is one: what the annotator is shown. Without a
        model suggestion, the rules' suggestion as it is."""
        from annotate.store.values import SuggestionRecord

        rules = self.suggestion(unit_id)  # type: ignore[attr-defined]
        blended = self.model_suggestion(unit_id)
        if blended is None:
            return rules  # type: ignore[no-any-return]
        if rules is None:
            return SuggestionRecord(
                unit_id, blended.suggested_label, blended.confidence, blended.reason,
                None, None, None, None, None, None, None, None,
            )  # fmt: skip
        keep_source = blended.suggested_label == rules.suggested_label
        return replace(
            rules,
            suggested_label=blended.suggested_label,
            confidence=blended.confidence,
            reason=blended.reason,
            **({} if keep_source else {"source": None, "source_start": None, "source_end": None}),
        )

    def next_by_certainty(
        self,
        annotator: str,
        after: tuple[float, str] | None = None,
        *,
        assigned: bool = False,
    ) -> UnitView | None:
        """The next claim this annotator has not labelled, the one the model is least
        sure of first (active learning).

        The order is (model certainty, unit id) ascending; ``after`` is such a pair to
        start after (None: from the start). Claims the model has not scored are not in
        this order. The walk is on the model_suggestions(certainty, unit_id) index, one
        indexed lookup per suggestion passed, as ``next_by_confidence`` is.
        """
        return _ranked_walk(self.conn, "model_suggestions", "certainty", annotator, after, assigned)

    def certainty_key(self, unit_id: str) -> tuple[float, str] | None:
        """(certainty, unit id) of a unit in the uncertain order, None if not scored."""
        row = self.conn.execute(
            "SELECT certainty, unit_id FROM model_suggestions WHERE unit_id = ?", (unit_id,)
        ).fetchone()
        return (float(row[0]), str(row[1])) if row else None

    def label_count(self) -> int:
        """How many labels (any annotator) claim units have: what retraining counts."""
        row = self.conn.execute(
            "SELECT count(*) FROM labels l WHERE l.label IS NOT NULL AND EXISTS "
            "(SELECT 1 FROM units u WHERE u.id = l.unit_id AND u.kind = ?)",
            (SENTENCE,),
        )
        return int(row.fetchone()[0])
