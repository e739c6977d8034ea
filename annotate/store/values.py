"""The plain values the store returns and the SQL fragments its queries share.

Rows come back from the store as these frozen dataclasses (``UnitView``, ``LabelState``,
``ArticleRecord``, ``Adjudication`` ...), never as cursors, so no caller needs to know the
schema. ``annotate.store`` re-exports every one of them.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, NamedTuple

from annotate.model import (
    SegmentEdit,
    Span,
    Unit,
    unit_id,
)

if TYPE_CHECKING:
    pass


DEFAULT_DB = "annotations.db"


# Units of one article live in one block of ``units.pos`` values: article ord << POS_BITS | seq.
POS_BITS = 20


MAX_UNITS_PER_ARTICLE = 1 << POS_BITS


def utc_now() -> str:
    """The current time as ISO 8601 UTC with a Z suffix, as stored in every *_at column."""
    # isoformat, not strftime: half the cost, for one stamp or more an article ingested.
    return datetime.now(UTC).isoformat(timespec="microseconds")[:-6] + "Z"


class FileRecord(NamedTuple):
    """What the store remembers of a corpus file, to skip unchanged files without reading.

    A named tuple: a run over an unchanged corpus reads one per file, and a frozen
    dataclass costs several times as much to make."""

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
    orphaned: int = 0  # label rows left on removed units (kept, as orphans)
    unit_ids: tuple[str, ...] = ()  # the article's units now, in reading order


@dataclass(frozen=True)
class UnitView:
    """A unit as the TUI and exports see it: with its article's path, title and source."""

    id: str
    article_id: str
    article_path: str
    article_title: str | None
    article_source: str | None
    pos: int
    paragraph: int
    seq: int
    kind: str
    text: str
    start: int
    end: int


_UNIT_VIEW = (
    "SELECT u.id, u.article_id, a.path, a.title, a.source, u.pos, u.paragraph, u.seq, u.kind, "
    "u.text, u.start, u.end FROM units u JOIN articles a ON a.id = u.article_id"
)


@dataclass(frozen=True)
class LabelState:
    """One annotator's decision on one unit: label (None = unlabelled), note, flag."""

    label: str | None = None
    note: str | None = None
    flagged: bool = False
    source: str | None = None
    labeled_at: str | None = None


@dataclass(frozen=True)
class ArticleProgress:
    id: str
    path: str
    title: str | None
    source: str | None
    claims: int
    labelled: int
    first_pos: int | None


_SUGGESTION_COLUMNS = (
    "unit_id, suggested_label, confidence, reason, cue, cue_start, cue_end, source, "
    "source_start, source_end, quote_of, claim_group, editorial"
)


@dataclass(frozen=True)
class SuggestionRecord:
    """A stored suggestion (see ``Store.suggestion``)."""

    unit_id: str
    suggested_label: str
    confidence: float
    reason: str
    cue: str | None
    cue_start: int | None
    cue_end: int | None
    source: str | None
    source_start: int | None
    source_end: int | None
    quote_of: str | None  # the unit naming the speaker of a continuing quote
    claim_group: str | None
    # (start, end) of each editorial cue in the unit's text; () when none was found, or
    # for a suggestion stored before they were (then ``cue`` is the one known).
    editorial: tuple[tuple[int, int], ...] = ()

    @classmethod
    def from_row(cls, row: Sequence[Any]) -> SuggestionRecord:
        """A record from the columns of ``_SUGGESTION_COLUMNS``, in their order."""
        *columns, spans = row
        record = cls(*columns)
        if not spans:
            return record
        return replace(record, editorial=tuple((int(s), int(e)) for s, e in json.loads(spans)))


@dataclass(frozen=True)
class ClaimGroupMember:
    """Another unit of a claim group, as "also in: <article> — labelled X" shows it."""

    unit_id: str
    article_id: str
    article_path: str
    article_title: str | None
    text: str
    suggested_label: str
    source: str | None
    labels: dict[str, str]


# Teams: the values the merge, agreement and adjudication queries return.


@dataclass(frozen=True)
class Adjudication:
    """The final label of a unit, settled by an adjudicator, and why."""

    unit_id: str
    label: str
    reason: str | None
    adjudicator: str
    adjudicated_at: str


def _as_state(adjudication: Adjudication | None) -> LabelState:
    """An adjudication as history logs it: its label, and its reason as the note."""
    if adjudication is None:
        return LabelState()
    return LabelState(adjudication.label, adjudication.reason)


@dataclass(frozen=True)
class AnnotatorLabel:
    """One annotator's decision on a disputed unit, as the adjudicator sees it."""

    annotator: str
    label: str
    note: str | None
    flagged: bool


@dataclass(frozen=True)
class Disagreement:
    """A claim unit annotators labelled differently, with every decision on it."""

    unit_id: str
    pos: int
    labels: tuple[AnnotatorLabel, ...]  # one per annotator
    adjudication: Adjudication | None


@dataclass(frozen=True)
class LabelDifference:
    """A label row another database holds differently (``ours`` None: we lack it)."""

    unit_id: str
    annotator: str
    theirs: LabelState
    ours: LabelState | None
    theirs_last_at: str | None
    ours_last_at: str | None


def _unit_rows(path: str, aid: str, ord_: int, units: Iterable[Unit]) -> Iterator[tuple[Any, ...]]:
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


@dataclass(frozen=True)
class SegmentChange:
    """What a merge, split or its undo did to an article's units, for the session."""

    seq: int  # the edit's number within its article
    unit_ids: tuple[str, ...]  # the units that came, in reading order
    labelled: int  # change of the editor's labelled count (orphaned or revived labels)
    claims: int  # change of the claim count
    orphaned: int  # label rows (anyone's) left on units that went


@dataclass(frozen=True)
class SegmentEditRecord:
    """A recorded merge or split, as ingest re-applies it and reports list it."""

    article_id: str
    article_path: str | None
    seq: int
    edit: SegmentEdit
    annotator: str
    at: str
    undone_at: str | None
    applies: bool  # False: at the last ingest its units' text was gone


@dataclass(frozen=True)
class OrphanLabel:
    """A label row whose unit is gone; ``text`` is that unit's last text, if known."""

    unit_id: str
    annotator: str
    label: str | None
    note: str | None
    flagged: bool
    labeled_at: str | None
    article_path: str | None
    text: str | None
    removed_at: str | None


def _spans_json(spans: Sequence[Span]) -> str:
    return json.dumps([asdict(s) for s in spans], ensure_ascii=False)


def _spans(raw: str) -> tuple[Span, ...]:
    return tuple(Span(**s) for s in json.loads(raw))


def dropped_json(blocks: Iterable[tuple[int, int, str, str]]) -> str:
    """An article's dropped blocks as the dropped table holds them: a JSON array of
    [line, after, reason, text], in page order."""
    return json.dumps(list(blocks), ensure_ascii=False, separators=(",", ":"))
