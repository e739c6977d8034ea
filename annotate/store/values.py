"""The plain values the store returns.

Rows come back from the store as these frozen dataclasses (``UnitView``, ``LabelState``,
``ArticleRecord``, ``Adjudication`` ...), never as cursors, so no caller needs to know the
schema. ``annotate.store`` re-exports every one of them. The store's modules import this
one where a query makes a value, not at their top (see ``annotate.store.rows``): on
Python 3.11 making these classes costs more than a run over an unchanged corpus's
queries.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from annotate.model import SegmentEdit


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


# A learned model: what it reads of the store, and what it suggests.


@dataclass(frozen=True)
class LearnRow:
    """A claim unit as a model reads it: its text, the unit before it, the rules' say."""

    unit_id: str
    article_id: str
    text: str
    previous: str  # the text of the unit before it in its article, "" for the first
    previous_label: str | None  # the rules' suggested label of that unit
    suggestion: SuggestionRecord | None  # the rules' suggestion of this unit


@dataclass(frozen=True)
class ModelSuggestion:
    """A stored blended suggestion (see ``Store.model_suggestion``)."""

    unit_id: str
    model: str
    suggested_label: str
    confidence: float
    certainty: float
    speaker: str
    reason: str
