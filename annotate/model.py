"""Plain data passed along the pipeline: files -> reading -> cleaning -> segmentation -> store.

Every stage hands the next one these frozen values, so each module can be tested alone
and none of them needs to know how the others work.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from enum import StrEnum
from typing import NamedTuple

# Unit kinds. Only SENTENCE units are claims that go into the labelling queue; titles and
# headings are kept as context for the annotator.
TITLE = "title"
HEADING = "heading"
SENTENCE = "sentence"
UNIT_KINDS = (TITLE, HEADING, SENTENCE)


class Label(StrEnum):
    """A label an annotator can give a claim unit. A StrEnum: it is stored, exported and
    compared as its plain name (``Label.ATTRIBUTED == "attributed"``)."""

    ATTRIBUTED = "attributed"
    UNATTRIBUTED = "unattributed"
    EDITORIAL = "editorial"
    NOT_CLAIM = "not_claim"

    def takes_source(self) -> bool:
        """Whether a unit with this label keeps a source: who it is attributed to."""
        return takes_source(self)


def takes_source(label: str | None) -> bool:
    """The one rule for sources: only an attributed label keeps one (stored, exported,
    imported, merged, edited in the app). ``None`` (no label) keeps none either."""
    return label == Label.ATTRIBUTED


ATTRIBUTED = Label.ATTRIBUTED
UNATTRIBUTED = Label.UNATTRIBUTED
EDITORIAL = Label.EDITORIAL
NOT_CLAIM = Label.NOT_CLAIM
LABELS: tuple[Label, ...] = tuple(Label)


@dataclass(frozen=True)
class Document:
    """One article as read from the corpus: decoded, repaired text plus metadata.

    ``path`` is relative to the corpus root, POSIX style. An article that comes from one
    line of a JSONL file (or one element of a JSON array) has ``path`` of the form
    ``file.jsonl#12`` (1-based line or element number).
    ``sha256`` is the hex digest of the raw bytes the article came from.
    ``fallback`` says why an HTML page was read with annotate's own reader instead of
    the article extractor (None when the extractor read it, and for other formats).
    ``content_lines`` are the 1-based lines of ``text`` that the extractor found in a
    quotation (an embedded post, a pull quote), a table row or a full paragraph of the
    story: content whatever they look like, so cleaning does not drop them for where
    they sit (their text can still be furniture: a prompt, a credit).
    """

    path: str
    sha256: str
    text: str
    title: str | None = None
    source: str | None = None
    url: str | None = None
    date: str | None = None
    author: str | None = None
    fallback: str | None = None
    content_lines: frozenset[int] = frozenset()


@dataclass(frozen=True)
class Skipped:
    """A file (or a line of a file) that could not be read, with one human reason."""

    path: str
    reason: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line is not None else self.path
        return f"{where}: {self.reason}"


# Block, Dropped and Unit are named tuples, not frozen dataclasses: an ingest makes (and
# sends) dozens of each per article, and a frozen dataclass costs about twice as many
# instructions to make (and a third more to unpickle in the writing process). They are as
# immutable; change one with ``_replace``.


class Block(NamedTuple):
    """A cleaned block of an article: its title, a subheading, or a body paragraph."""

    kind: str  # TITLE, HEADING or "paragraph"
    text: str


class Dropped(NamedTuple):
    """A piece of page furniture removed by cleaning, and why."""

    line: int  # 1-based line number in the text given to cleaning
    text: str
    reason: str
    # The index of the kept block (title included) it came after; -1 before them all.
    after: int = -1


@dataclass(frozen=True)
class CleanArticle:
    """What cleaning keeps of an article, in reading order, and what it dropped."""

    title: str | None
    blocks: tuple[Block, ...]
    dropped: tuple[Dropped, ...] = field(default=())


class Unit(NamedTuple):
    """A claim unit (or a title/heading unit) with offsets into the article's cleaned text.

    ``paragraph`` is the 0-based index of the block the unit comes from; ``seq`` is the
    0-based position of the unit within the whole article.
    Invariant: ``cleaned[start:end] == text``.
    """

    paragraph: int
    seq: int
    kind: str
    text: str
    start: int
    end: int


def article_id(path: str) -> str:
    """Deterministic article id: the same relative path gives the same id on any machine."""
    return hashlib.sha256(f"article\x00{path}".encode()).hexdigest()[:16]


def unit_id(path: str, text: str, occurrence: int = 0) -> str:
    """Deterministic unit id from the article path, the unit text and which repeat it is.

    The id does not depend on the unit's position, so a sentence that survives an edit of
    its article keeps its id (and its labels), and two machines ingesting the same corpus
    agree on every id.
    """
    return hashlib.sha256(f"unit\x00{path}\x00{occurrence}\x00{text}".encode()).hexdigest()[:16]


# -- segmentation fixes: the values the store keeps for annotate.text.resegment --------

# The action names in segment_edits and in history (``undo-`` + name for an undo); apart
# from ``merge``, the history action of `annotate merge` (databases).
MERGE = "merge-units"
SPLIT = "split-unit"
# A dropped block put back as body. Cleaning applies it (ingest hands it the restored
# texts), so replaying leaves it alone.
RESTORE = "restore-block"
# Names used before, still found in older databases' segment_edits rows.
_OLD_NAMES = {"merge": MERGE, "split": SPLIT}


def action_name(stored: str) -> str:
    """The current name of a stored segmentation action (older databases say merge/split)."""
    return _OLD_NAMES.get(stored, stored)


@dataclass(frozen=True)
class Span:
    """A piece of text and where it sits: ``whole[start:end] == text``.

    The whole is an article's cleaned text (a unit's span, as a segmentation fix records
    it) or a unit's text (a cue, source, quote or editorial word the rules found).
    """

    text: str
    start: int
    end: int

    @classmethod
    def of(cls, unit: Unit) -> Span:
        return cls(unit.text, unit.start, unit.end)

    @property
    def value(self) -> str:
        """The text: the name the suggestion API has always given it (scripts read it)."""
        return self.text


@dataclass(frozen=True)
class SegmentEdit:
    """A merge (two spans -> one) or a split (one span -> two) of an article's units."""

    action: str  # MERGE or SPLIT
    before: tuple[Span, ...]
    after: tuple[Span, ...]

    def describe(self) -> str:
        """One line for reports: which texts were merged or split."""
        if self.action == MERGE:
            return f"merge of {_quote(self.before[0].text)} with {_quote(self.before[1].text)}"
        if self.action == RESTORE:
            return f"restore of {_quote(self.before[0].text)}"
        return f"split of {_quote(self.before[0].text)} before {_quote(self.after[1].text)}"


def _quote(text: str, width: int = 40) -> str:
    return repr(text if len(text) <= width else text[: width - 1] + "…")
