"""An annotator's decisions on a unit: label, note, flag and source, with their history.

Every change writes the labels row and a history row in one transaction, so undo
(``restore``) and the history log always agree. ``import_labels`` brings labels in from
an export.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from annotate.model import (
    LABELS,
    takes_source,
)
from annotate.store.connection import UnitGoneError
from annotate.store.queue import QueueQueries
from annotate.store.rows import utc_now

if TYPE_CHECKING:
    from annotate.store.values import LabelState


class LabelQueries(QueueQueries):
    """Annotators' labels, notes, flags and sources.

    Built on the queue: a change checks that its unit is still there with ``unit``.
    """

    def label_state(self, unit_id: str, annotator: str) -> LabelState:
        from annotate.store.values import LabelState

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

    def set_source(self, unit_id: str, annotator: str, source: str | None) -> LabelState:
        """Correct the source stored with a label (None clears it); returns the state before.

        The label itself and when it was given are kept; logged in history as 'source'.
        """
        return self._change(unit_id, annotator, "source", source=source or None)

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
        from annotate.store.values import LabelState

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

    def recent_history(self, annotator: str, limit: int = 200) -> list[dict[str, Any]]:
        """This annotator's newest history rows, newest first, each with the first 80
        characters of its unit's text as ``text`` ("" for a unit no longer stored): what
        the decision strip and undo after a relaunch start from (the (annotator, id)
        index and the units' primary key: no scan)."""
        rows = self.conn.execute(
            "SELECT h.*, substr(coalesce(u.text, ''), 1, 80) AS text FROM history h "
            "LEFT JOIN units u ON u.id = h.unit_id WHERE h.annotator = ? "
            "ORDER BY h.id DESC LIMIT ?",
            (annotator, limit),
        )
        return [dict(r) for r in rows]

    def labelled_at_before(self, unit_id: str, annotator: str, history_id: int) -> str | None:
        """When the label a unit had before history entry ``history_id`` was given: the
        time of the latest earlier entry that changed its label (None if none)."""
        row = self.conn.execute(
            "SELECT at FROM history WHERE unit_id = ? AND annotator = ? AND id < ? "
            "AND label IS NOT prev_label ORDER BY id DESC LIMIT 1",
            (unit_id, annotator, history_id),
        ).fetchone()
        return row[0] if row else None

    def annotators(self) -> list[str]:
        rows = self.conn.execute("SELECT DISTINCT annotator FROM labels ORDER BY annotator")
        return [r[0] for r in rows]

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
        from annotate.store.values import LabelState

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
