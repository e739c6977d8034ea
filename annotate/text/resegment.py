"""Manual segmentation fixes: merge two units, split one, and replay recorded fixes.

Pure functions over an article's cleaned text and its unit list (no SQL, no Textual): the
session calls them for an annotator's merge or split, and ingest calls ``replay`` to apply
the recorded fixes again after it re-segments an article. Every unit produced keeps the
invariant ``cleaned[start:end] == text``.

A fix is recorded as the spans it replaced (``before``) and the spans it produced
(``after``); replaying finds the ``before`` texts again in the new unit list, so a fix
survives edits elsewhere in the article and a change of the splitter's rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from operator import attrgetter

from annotate.model import (
    MERGE,
    RESTORE,
    SENTENCE,
    SPLIT,
    Block,
    SegmentEdit,
    Span,
    Unit,
    action_name,
)

__all__ = ["MERGE", "RESTORE", "SPLIT", "SegmentEdit", "Span", "action_name"]

PARAGRAPH = "paragraph"  # the block kind of body text (cleaning.PARAGRAPH)


class SegmentError(ValueError):
    """A merge or split that cannot be done (no next unit, split point at an edge...)."""


def _renumber(units: Sequence[Unit]) -> list[Unit]:
    return [u if u.seq == i else u._replace(seq=i) for i, u in enumerate(units)]


def merge(cleaned: str, units: Sequence[Unit], index: int) -> tuple[list[Unit], SegmentEdit]:
    """Merge ``units[index]`` with the next unit of the same paragraph.

    The merged unit spans from the first's start to the second's end, so its text is
    ``cleaned[start:end]`` including whatever space lay between them.
    """
    if not 0 <= index < len(units) - 1:
        raise SegmentError("there is no next unit to merge with")
    first, second = units[index], units[index + 1]
    if first.kind != SENTENCE or second.kind != SENTENCE:
        raise SegmentError("only claim units can be merged")
    # Paragraphs come from cleaning, not the splitter; a unit across two would show as one
    # line with a paragraph break inside it.
    if first.paragraph != second.paragraph:
        raise SegmentError("the next claim is in another paragraph")
    merged = first._replace(text=cleaned[first.start : second.end], end=second.end)
    out = [*units[:index], merged, *units[index + 2 :]]
    edit = SegmentEdit(MERGE, (Span.of(first), Span.of(second)), (Span.of(merged),))
    return _renumber(out), edit


def split(
    cleaned: str, units: Sequence[Unit], index: int, at: int
) -> tuple[list[Unit], SegmentEdit]:
    """Split ``units[index]`` before character ``at`` of its text.

    Each half is stripped of the space at the cut, and keeps exact offsets.
    """
    if not 0 <= index < len(units):
        raise SegmentError("no such unit")
    unit = units[index]
    if unit.kind != SENTENCE:
        raise SegmentError("only claim units can be split")
    left, right = unit.text[:at], unit.text[at:]
    left_end = unit.start + len(left.rstrip())
    right_start = unit.start + at + (len(right) - len(right.lstrip()))
    if not left.strip() or not right.strip():
        raise SegmentError("the split point must have text on both sides")
    one = unit._replace(text=cleaned[unit.start : left_end], end=left_end)
    two = unit._replace(text=cleaned[right_start : unit.end], start=right_start)
    out = [*units[:index], one, two, *units[index + 1 :]]
    return _renumber(out), SegmentEdit(SPLIT, (Span.of(unit),), (Span.of(one), Span.of(two)))


def undo(cleaned: str, units: Sequence[Unit], edit: SegmentEdit) -> list[Unit]:
    """Put the ``before`` spans of an edit back in place of its ``after`` spans.

    Undo is last-in first-out, so the ``after`` spans are in the unit list at exactly
    their recorded offsets.
    """
    index = _find_run(units, edit.after, exact=True)
    if index is None:
        what = "merge" if edit.action == MERGE else "split"
        raise SegmentError(f"the {what} to undo is no longer in the article")
    template = units[index]
    restored = [
        template._replace(text=cleaned[s.start : s.end], start=s.start, end=s.end)
        for s in edit.before
    ]
    return _renumber([*units[:index], *restored, *units[index + len(edit.after) :]])


def _find_run(units: Sequence[Unit], spans: Sequence[Span], *, exact: bool) -> int | None:
    """Where consecutive units have the texts of ``spans``: the run nearest their recorded
    offsets (a repeated sentence), or with ``exact`` the one at those offsets; None if none."""
    texts = [s.text for s in spans]
    n = len(texts)
    best: int | None = None
    for i in range(len(units) - n + 1):
        if [u.text for u in units[i : i + n]] != texts:
            continue
        if any(units[i + k].paragraph != units[i].paragraph for k in range(n)):
            continue
        if exact:
            if units[i].start == spans[0].start:
                return i
            continue
        if best is None or abs(units[i].start - spans[0].start) < abs(
            units[best].start - spans[0].start
        ):
            best = i
    return best


def apply(cleaned: str, units: Sequence[Unit], edit: SegmentEdit) -> list[Unit] | None:
    """Apply a recorded edit to a (new) unit list; None if it no longer applies.

    Units whose texts match the edit's ``before`` texts are merged or split again. If the
    splitter already produces the ``after`` texts (its rules changed the same way), the
    unit list is returned as it is.
    """
    if edit.action == RESTORE or _find_run(units, edit.after, exact=False) is not None:
        return list(units)
    index = _find_run(units, edit.before, exact=False)
    if index is None:
        return None
    if edit.action == MERGE:
        return merge(cleaned, units, index)[0]
    at = edit.after[1].start - edit.before[0].start
    try:
        return split(cleaned, units, index, at)[0]
    except SegmentError:
        return None


def restore(
    cleaned: str, units: Sequence[Unit], after: int, text: str, edits: Sequence[SegmentEdit] = ()
) -> tuple[str, list[Unit], SegmentEdit]:
    """Put a dropped block back as a body paragraph after block ``after`` (-1: first).

    The article's blocks are read back from its units, the block goes in, and the whole
    is segmented again, with the article's recorded ``edits`` replayed: the same result
    as cleaning with the block restored (which is what ingest does from then on).
    Returns the new cleaned text, the units, and the edit to record.
    """
    from annotate.text.segment import segment

    blocks: list[Block] = []
    for paragraph, group in groupby(units, key=attrgetter("paragraph")):
        members = list(group)
        kind = members[0].kind if members[0].kind != SENTENCE else PARAGRAPH
        blocks.append(Block(kind, cleaned[members[0].start : members[-1].end]))
        del paragraph
    text = " ".join(text.split())
    if not text:
        raise SegmentError("there is no text to restore")
    blocks.insert(max(0, min(after + 1, len(blocks))), Block(PARAGRAPH, text))
    new_cleaned, new_units = segment(blocks)
    new_units, _ = replay(new_cleaned, new_units, edits)
    index = max(0, min(after + 1, len(blocks) - 1))
    came = tuple(Span.of(u) for u in new_units if u.paragraph == index)
    return new_cleaned, new_units, SegmentEdit(RESTORE, (Span(text, -1, -1),), came)


def replay(
    cleaned: str, units: Sequence[Unit], edits: Sequence[SegmentEdit]
) -> tuple[list[Unit], list[int]]:
    """Apply recorded edits in order; returns the units and the indexes of edits that no
    longer apply (their texts are gone), which are left out."""
    out = list(units)
    failed: list[int] = []
    for i, edit in enumerate(edits):
        done = apply(cleaned, out, edit)
        if done is None:
            failed.append(i)
        else:
            out = done
    return out, failed
