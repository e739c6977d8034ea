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

and the values it returns are in ``values``. The database is plain SQLite in WAL mode,
meant to be browsable with Datasette.
"""

from __future__ import annotations

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
from annotate.store.models import LearnRow, ModelQueries, ModelSuggestion
from annotate.store.queue import FILTERS, QueueQueries
from annotate.store.reports import ReportQueries
from annotate.store.segments import SegmentQueries
from annotate.store.suggestions import SuggestionQueries
from annotate.store.team import TeamQueries
from annotate.store.values import (
    DEFAULT_DB,
    MAX_UNITS_PER_ARTICLE,
    POS_BITS,
    Adjudication,
    AnnotatorLabel,
    ArticleProgress,
    ArticleRecord,
    ClaimGroupMember,
    Disagreement,
    FileRecord,
    LabelDifference,
    LabelState,
    OrphanLabel,
    ReplaceResult,
    SegmentChange,
    SegmentEditRecord,
    SuggestionRecord,
    UnitView,
    utc_now,
)


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
