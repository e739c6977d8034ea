"""The SQLite store: every SQL read and write of the project, and the schema migrations.

Only this package speaks SQL. ``Store`` is the one object callers open
(``Store.open(path)``); it is composed of one class per concern, each in its own module:

- ``connection``: opening, pragmas, ``transaction``, ``batched``, busy/full/damaged handling
- ``migrations``: the ordered, append-only schema migrations
- ``corpus``: files, articles, units
- ``queue``: the claim walk, filters, resume position, progress
- ``labels``: labels, notes, flags, sources, history, import
- ``segments``: segment edits, dropped blocks, orphan labels
- ``suggestions``: suggestions, claim groups
- ``team``: assignments, adjudications, merge
- ``reports``: the export, stats and agreement queries
- ``models``: rows for a learned model, its blended suggestions, the uncertain order
- ``access``: who may open a served session (``annotate serve``), tokens hashed

and the values it returns are in ``values``, what its queries share in ``rows``. The
value classes are made when first asked for (``from annotate.store import UnitView``
makes them): a command that needs none, like a run over an unchanged corpus, does not
pay for them (frozen dataclasses, a millisecond each on Python 3.11). The database is
plain SQLite in WAL mode, meant to be browsable with Datasette.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from annotate.store.access import ANNOTATOR, ORGANISER, AccessQueries
from annotate.store.connection import (
    LockProbe,
    StoreBusyError,
    StoreError,
    StoreFullError,
    UnitGoneError,
    database_problem,
    is_damaged,
    is_full,
    is_sqlite_file,
)
from annotate.store.corpus import CorpusQueries
from annotate.store.labels import LabelQueries
from annotate.store.migrations import MIGRATIONS, SCHEMA_VERSION, migrations
from annotate.store.models import ModelQueries
from annotate.store.queue import FILTERS, QueueQueries
from annotate.store.reports import ReportQueries
from annotate.store.rows import DEFAULT_DB, MAX_UNITS_PER_ARTICLE, POS_BITS, FileRecord, utc_now
from annotate.store.segments import SegmentQueries
from annotate.store.suggestions import SuggestionQueries
from annotate.store.team import TeamQueries

if TYPE_CHECKING:
    from annotate.store.values import (
        Adjudication,
        AnnotatorLabel,
        ArticleProgress,
        ArticleRecord,
        ClaimGroupMember,
        Disagreement,
        LabelDifference,
        LabelState,
        LearnRow,
        ModelSuggestion,
        OrphanLabel,
        ReplaceResult,
        SegmentChange,
        SegmentEditRecord,
        SuggestionRecord,
        UnitView,
    )


def __getattr__(name: str) -> Any:
    """The value classes (``values``), imported when one is first asked for."""
    if name in __all__:  # every other name of __all__ is imported above
        from annotate.store import values

        return getattr(values, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


class Store(
    CorpusQueries,
    SegmentQueries,
    TeamQueries,
    LabelQueries,
    QueueQueries,
    SuggestionQueries,
    ReportQueries,
    ModelQueries,
    AccessQueries,
):
    """An open annotate database. Use ``Store.open(path)``; close with ``close()``.

    Every method of the concern classes is a method of ``Store``: callers keep one object
    and one set of names, while each concern's SQL lives in its own module.
    """


__all__ = [
    "LockProbe",
    "ANNOTATOR",
    "ORGANISER",
    "Adjudication",
    "ArticleProgress",
    "ArticleRecord",
    "ClaimGroupMember",
    "DEFAULT_DB",
    "Disagreement",
    "FILTERS",
    "FileRecord",
    "LabelDifference",
    "LabelState",
    "LearnRow",
    "ModelSuggestion",
    "MAX_UNITS_PER_ARTICLE",
    "MIGRATIONS",
    "OrphanLabel",
    "POS_BITS",
    "ReplaceResult",
    "AnnotatorLabel",
    "SCHEMA_VERSION",
    "SegmentChange",
    "SegmentEditRecord",
    "Store",
    "StoreBusyError",
    "StoreError",
    "StoreFullError",
    "SuggestionRecord",
    "UnitGoneError",
    "UnitView",
    "database_problem",
    "is_damaged",
    "is_full",
    "is_sqlite_file",
    "migrations",
    "utc_now",
]
