"""What the store's queries share that costs nothing to import: constants, the files
table's record, SQL column lists, and units and spans as rows.

Every module of the store imports this at its top. The value classes the queries return
(``annotate.store.values``: frozen dataclasses, each a millisecond to make on Python
3.11) are imported where a query makes one, so that a command that makes none (a run
over an unchanged corpus) does not make them all before it starts (issue 14).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any, NamedTuple

from annotate.model import Dropped, Span, Unit, unit_id

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


_UNIT_VIEW = (
    "SELECT u.id, u.article_id, a.path, a.title, a.source, u.pos, u.paragraph, u.seq, u.kind, "
    "u.text, u.start, u.end FROM units u JOIN articles a ON a.id = u.article_id"
)


_SUGGESTION_COLUMNS = (
    "unit_id, suggested_label, confidence, reason, cue, cue_start, cue_end, source, "
    "source_start, source_end, quote_of, claim_group, editorial"
)


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


def _spans_json(spans: Sequence[Span]) -> str:
    return json.dumps([asdict(s) for s in spans], ensure_ascii=False)


def _spans(raw: str) -> tuple[Span, ...]:
    return tuple(Span(**s) for s in json.loads(raw))


def dropped_json(blocks: Iterable[tuple[int, int, str, str]]) -> str:
    """An article's dropped blocks as the dropped table holds them: a JSON array of
    [line, after, reason, text], in page order (``dropped_blocks`` reads it back)."""
    return json.dumps(list(blocks), ensure_ascii=False, separators=(",", ":"))


def dropped_blocks(raw: str) -> list[Dropped]:
    """The blocks of a ``dropped_json`` array, in its order."""
    return [Dropped(line, text, reason, after) for line, after, reason, text in json.loads(raw)]
