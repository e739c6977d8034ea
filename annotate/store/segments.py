"""Segmentation fixes, dropped blocks and orphan labels.

An annotator's merge or split replaces some units of one article. The edit is kept in
segment_edits, in order, for ingest to apply again after re-segmenting the article;
labels on units that went away stay in the labels table as orphans, with the text of
their unit in removed_units, and come back if a unit with that text does. What cleaning
dropped from an article is kept beside it so that an annotator can restore a block.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from annotate.model import (
    RESTORE,
    SENTENCE,
    Dropped,
    SegmentEdit,
    Unit,
    action_name,
)
from annotate.store.connection import StoreError
from annotate.store.labels import LabelQueries
from annotate.store.rows import (
    _spans,
    _spans_json,
    _unit_rows,
    dropped_blocks,
    dropped_json,
    utc_now,
)

if TYPE_CHECKING:
    from annotate.store.values import OrphanLabel, SegmentChange, SegmentEditRecord


def _line(block: Dropped) -> int:
    return block.line


class SegmentQueries(LabelQueries):
    """Segment edits, dropped blocks and orphans (a re-segmentation logs the labels it moves)."""

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
        self._insert_dropped(aid, dropped)

    def _insert_dropped(self, aid: str, dropped: Sequence[Dropped]) -> None:
        # One row an article, its blocks in page order (by line, as given on a line); a
        # block cleaning gave twice (same line and text) is kept once, as first given.
        seen: set[tuple[int, str]] = set()
        blocks: list[Dropped] = []
        for d in sorted(dropped, key=_line):
            if (d.line, d.text) not in seen:
                seen.add((d.line, d.text))
                blocks.append(d)
        if blocks:
            self.conn.execute(
                "INSERT INTO dropped (article_id, blocks) VALUES (?, ?)",
                (aid, dropped_json((b.line, b.after, b.reason, b.text) for b in blocks)),
            )

    def dropped_blocks(self, article_id: str) -> list[Dropped]:
        """Everything cleaning dropped from an article (and no annotator restored), in
        page order."""
        row = self.conn.execute(
            "SELECT blocks FROM dropped WHERE article_id = ?", (article_id,)
        ).fetchone()
        return [] if row is None else dropped_blocks(row[0])

    def orphan_label_count(self) -> int:
        """Label rows whose unit is no longer in the store (its article was re-segmented)."""
        row = self.conn.execute(
            "SELECT count(*) FROM labels l WHERE NOT EXISTS "
            "(SELECT 1 FROM units u WHERE u.id = l.unit_id)"
        ).fetchone()
        return int(row[0])

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
        from annotate.store.values import SegmentEditRecord

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
        low, high = paragraph - reach - 1, paragraph + reach - 1
        return [b for b in self.dropped_blocks(article_id) if low <= b.after <= high]

    def restored_blocks_of_file(self, file: str) -> dict[str, frozenset[str]]:
        """The texts of dropped blocks annotators restored, by article path, for one file."""
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
            # The restored block is block ``after + 1`` now: what follows it moves on one.
            kept = [
                b._replace(after=b.after + 1)
                if b.after > block.after or (b.after == block.after and b.line > block.line)
                else b
                for b in self.dropped_blocks(article_id)
                if (b.line, b.text) != (block.line, block.text)
            ]
            self._save_dropped(article_id, kept)
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
        from annotate.store.values import OrphanLabel

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
        from annotate.store.values import LabelState, SegmentChange

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
