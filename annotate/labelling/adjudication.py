"""An adjudicator's walk over the claims annotators disagree on (no Textual).

Disagreements are read from the store a page at a time in queue order and kept, so going
back is free and "disagreement 3 of 17" is an index into what was read. Every decision
goes through ``Store.set_adjudication`` (committed before it returns) into the
adjudications table, apart from the annotators' own labels; undo puts the adjudication
that was there before back exactly, adjudicator and time included.
"""

from __future__ import annotations

from dataclasses import replace

from annotate.labelling.session import Context, context_of
from annotate.store import Adjudication, Disagreement, LabelState, Store

# Disagreements read per query: a screenful of decisions ahead, one short query.
PAGE = 100


class AdjudicationWalk:
    """Where the adjudicator is among the disagreements, and what they may undo."""

    def __init__(self, store: Store, adjudicator: str) -> None:
        self.store = store
        self.adjudicator = adjudicator
        self.items: list[Disagreement] = []
        self.index = 0
        self.exhausted = False  # every disagreement has been read
        self.undo_stack: list[tuple[str, Adjudication | None]] = []
        # Counted by a worker (a pass over every label); None until then.
        self.total: int | None = None
        self.left: int | None = None  # disagreements without an adjudication

    # -- reading ----------------------------------------------------------------------

    def _read_more(self) -> bool:
        """Read the next page; False when there was nothing more."""
        if self.exhausted:
            return False
        after = self.items[-1].pos if self.items else -1
        page = self.store.disagreements(after=after, limit=PAGE)
        self.items.extend(page)
        self.exhausted = len(page) < PAGE
        return bool(page)

    def _at(self, i: int) -> Disagreement | None:
        """Disagreement ``i`` (0-based), reading pages up to it as needed."""
        while i >= len(self.items) and self._read_more():
            pass
        return self.items[i] if 0 <= i < len(self.items) else None

    @property
    def current(self) -> Disagreement | None:
        return self._at(self.index)

    def start(self) -> Disagreement | None:
        """Go to the first disagreement without an adjudication (or the first of all)."""
        self.index = 0
        if not self._find_unresolved(0):
            self.index = 0
        return self.current

    def take_start(self, other: AdjudicationWalk) -> None:
        """Take the pages read and the position found by ``start`` on another walk (a
        worker's, on a connection of its own)."""
        self.items, self.index, self.exhausted = list(other.items), other.index, other.exhausted

    def counted(self, total: int, left: int) -> None:
        self.total, self.left = total, left

    def context(self) -> Context | None:
        """The current claim in its paragraph, as the labelling screen shows it."""
        d = self.current
        unit = self.store.unit(d.unit_id) if d else None
        if unit is None:
            return None
        return context_of(self.store, unit, LabelState(), self.store.suggestion(unit.id))

    def position(self) -> str:
        """'disagreement 3 of 17 · 12 left to adjudicate'."""
        if self.current is None:
            return ""
        of = f"{self.total:,}" if self.total is not None else "…"
        text = f"disagreement {self.index + 1:,} of {of}"
        if self.left is not None:
            text += f" · {self.left:,} left to adjudicate"
        return text

    # -- moving -----------------------------------------------------------------------

    def step(self, forward: bool = True) -> bool:
        """To the next or previous disagreement; False (staying put) at either end."""
        i = self.index + (1 if forward else -1)
        if i < 0 or self._at(i) is None:
            return False
        self.index = i
        return True

    def next_unresolved(self) -> bool:
        """To the next disagreement without an adjudication, wrapping round; False if none."""
        if self._find_unresolved(self.index + 1):
            return True
        here = self.index
        return self._find_unresolved(0, stop=here)

    def _find_unresolved(self, start: int, stop: int | None = None) -> bool:
        i = start
        while (d := self._at(i)) is not None and (stop is None or i < stop):
            if d.adjudication is None:
                self.index = i
                return True
            i += 1
        return False

    # -- deciding ---------------------------------------------------------------------

    def decide(self, label: str, reason: str | None) -> None:
        """Record the final label of the current claim, with the adjudicator's reason."""
        d = self.current
        assert d is not None
        before = self.store.set_adjudication(
            d.unit_id, label, (reason or "").strip() or None, self.adjudicator
        )
        self.undo_stack.append((d.unit_id, before))
        self._refresh(self.index, before)

    def undo(self) -> bool:
        """Put back the adjudication the last decision replaced, and go to its claim."""
        if not self.undo_stack:
            return False
        unit_id, before = self.undo_stack[-1]
        replaced = self.store.restore_adjudication(unit_id, before, self.adjudicator)
        self.undo_stack.pop()  # only once undone: a failed write leaves it to try again
        i = next((i for i, d in enumerate(self.items) if d.unit_id == unit_id), None)
        if i is not None:
            self.index = i
            self._refresh(i, replaced)
        return True

    def _refresh(self, i: int, before: Adjudication | None) -> None:
        """Re-read disagreement ``i``'s adjudication and keep the count of those left."""
        now = self.store.adjudication(self.items[i].unit_id)
        self.items[i] = replace(self.items[i], adjudication=now)
        if self.left is not None:
            self.left += (before is not None) - (now is not None)
