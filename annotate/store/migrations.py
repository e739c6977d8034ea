"""The schema migrations: the only place the schema changes.

Append only: never edit or reorder one that has shipped. They run in order through
sqlite-utils ``Migrations``; ``PRAGMA user_version`` mirrors how many have run
(``SCHEMA_VERSION``), so opening an up-to-date database needs one cheap read and no
sqlite-utils import.
"""

from __future__ import annotations

import sys
from itertools import groupby
from operator import itemgetter
from typing import TYPE_CHECKING

from annotate.imports import without
from annotate.store.rows import dropped_json

if TYPE_CHECKING:
    from sqlite_utils import Database
    from sqlite_utils.migrations import Migrations


# The units that are not claim units, as the partial index ``units_not_claims`` holds them
# and the queries that count on it say it: SQLite uses a partial index only for a query
# whose WHERE holds its WHERE word for word (a bound parameter does not match).
NOT_CLAIM_UNITS = "kind != 'sentence'"


# Migrations. Append only: never edit or reorder one that has shipped.


def _m001_articles_and_units(db: Database) -> None:
    db.table("files").create(
        {
            "path": str,
            "size": int,
            "mtime_ns": int,
            "segmenter": str,
            "ingested_at": str,
        },
        pk="path",
    )
    db.table("articles").create(
        {
            "id": str,
            "path": str,
            "file": str,
            "ord": int,
            "sha256": str,
            "title": str,
            "source": str,
            "url": str,
            "date": str,
            "cleaned": str,
            "segmenter": str,
            "ingested_at": str,
        },
        pk="id",
        not_null={"path", "file", "ord", "sha256", "cleaned"},
    )
    db.table("articles").create_index(["path"], unique=True)
    db.table("articles").create_index(["ord"], unique=True)
    db.table("articles").create_index(["file"])
    db.table("units").create(
        {
            "id": str,
            "article_id": str,
            "pos": int,
            "paragraph": int,
            "seq": int,
            "kind": str,
            "text": str,
            "start": int,
            "end": int,
        },
        pk="id",
        foreign_keys=[("article_id", "articles", "id")],
        not_null={"article_id", "pos", "paragraph", "seq", "kind", "text", "start", "end"},
    )
    db.table("units").create_index(["article_id", "seq"], unique=True)
    db.table("units").create_index(["pos"], unique=True)


def _m002_labels_and_history(db: Database) -> None:
    # No foreign key to units: a label must outlive its unit when an article is
    # re-segmented (it becomes an orphan that ingest reports), never vanish with it.
    db.table("labels").create(
        {
            "unit_id": str,
            "annotator": str,
            "label": str,
            "labeled_at": str,
            "note": str,
            "flagged": int,
            "source": str,
        },
        pk=("unit_id", "annotator"),
        not_null={"unit_id", "annotator", "flagged"},
        defaults={"flagged": 0},
    )
    db.table("labels").create_index(["annotator", "label"])
    db.table("history").create(
        {
            "id": int,
            "at": str,
            "annotator": str,
            "unit_id": str,
            "action": str,
            "label": str,
            "note": str,
            "flagged": int,
            "prev_label": str,
            "prev_note": str,
            "prev_flagged": int,
        },
        pk="id",
        not_null={"at", "annotator", "unit_id", "action"},
    )
    db.table("history").create_index(["annotator", "id"])
    db.table("history").create_index(["unit_id"])


def _m003_adjudications_and_assignments(db: Database) -> None:
    # Adjudicated labels live apart from the raw labels: agreement is computed on what the
    # annotators said, the dataset (export --aggregate) uses the adjudicated label first.
    db.table("adjudications").create(
        {
            "unit_id": str,
            "label": str,
            "reason": str,
            "adjudicator": str,
            "adjudicated_at": str,
        },
        pk="unit_id",
        not_null={"unit_id", "label", "adjudicator", "adjudicated_at"},
    )
    # No rows means no split: every annotator sees every unit.
    db.table("assignments").create(
        {"article_id": str, "annotator": str},
        pk=("article_id", "annotator"),
        not_null={"article_id", "annotator"},
    )
    db.table("assignments").create_index(["annotator", "article_id"])


def _m004_suggestions(db: Database) -> None:
    # One suggestion per unit, recomputed when the unit (so its id) or the rules change
    # (``rules`` is the fingerprint of annotate/cues.py). No foreign key: suggestions of
    # re-segmented units are pruned by the suggest step, like orphan labels are reported.
    db.table("suggestions").create(
        {
            "unit_id": str,
            "suggested_label": str,
            "confidence": float,
            "reason": str,
            "cue": str,
            "cue_start": int,
            "cue_end": int,
            "source": str,
            "source_start": int,
            "source_end": int,
            "quote_of": str,
            "claim_group": str,
            "rules": str,
            "suggested_at": str,
        },
        pk="unit_id",
        not_null={"unit_id", "suggested_label", "confidence", "reason"},
    )
    db.table("suggestions").create_index(["claim_group"])


def _m005_segment_edits(db: Database) -> None:
    # Annotators' merges and splits, in the order made per article, so that ingest can
    # apply them again after re-segmenting the article (they are decisions, like labels).
    # ``before``/``after`` are JSON lists of {text, start, end}. An undone edit keeps its
    # row (``undone_at`` set); one that stopped applying on re-ingest keeps it too
    # (``applies`` 0), to be reported rather than dropped.
    db.table("segment_edits").create(
        {
            "article_id": str,
            "seq": int,
            "action": str,
            "before": str,
            "after": str,
            "annotator": str,
            "at": str,
            "undone_at": str,
            "applies": int,
        },
        pk=("article_id", "seq"),
        not_null={"article_id", "seq", "action", "before", "after", "annotator", "at"},
        defaults={"applies": 1},
    )
    # The text of units that left the store while labels pointed at them, so that an
    # orphan label can be listed with the sentence it was given to.
    db.table("removed_units").create(
        {"unit_id": str, "article_id": str, "text": str, "removed_at": str},
        pk="unit_id",
        not_null={"unit_id", "article_id", "text", "removed_at"},
    )


def _m006_queue_indexes(db: Database) -> None:
    # The labelling queue walked least certain suggestion first (annotate --order
    # confidence): an indexed walk from the current (confidence, unit) on, like the
    # corpus order's walk on units.pos. (The assignments walk already has its index.)
    db.table("suggestions").create_index(["confidence", "unit_id"])


def _m007_history_source(db: Database) -> None:
    # A corrected source is a decision like a label: history keeps it and the one before,
    # so a source change (action 'source') says what it changed.
    db.table("history").add_column("source", str)
    db.table("history").add_column("prev_source", str)


def _m008_article_author(db: Database) -> None:
    # HTML pages name their author (meta tags, JSON-LD); kept with the article like its
    # outlet (source) and date. Older articles have none until re-ingested.
    db.table("articles").add_column("author", str)


def _m009_dropped_blocks(db: Database) -> None:
    # What cleaning dropped from each article and why, so that an annotator can see it
    # beside the claim and restore a block (a restore is a segment_edits row, action
    # 'restore-block'). ``after`` is the index of the kept block it followed (-1: before
    # the first), i.e. the ``paragraph`` of the units around it.
    db.table("dropped").create(
        {"article_id": str, "line": int, "after": int, "reason": str, "text": str},
        pk=("article_id", "line", "text"),
        not_null={"article_id", "line", "after", "reason", "text"},
    )
    db.table("dropped").create_index(["article_id", "after"])


def _m010_model_suggestions(db: Database) -> None:
    # What a model trained on the labels (annotate train) suggests for each unit, blended
    # with the rules' suggestion: kept beside the rules' own (suggestions), which stay as
    # the rules made them. ``certainty`` is the model's probability of its top label;
    # the queue walks it least sure first (annotate --order uncertain) on its index.
    # ``speaker`` says who decided the label: "model", "rules" or "both" (they agree).
    db.table("model_suggestions").create(
        {
            "unit_id": str,
            "model": str,
            "suggested_label": str,
            "confidence": float,
            "certainty": float,
            "speaker": str,
            "reason": str,
            "suggested_at": str,
        },
        pk="unit_id",
        not_null={"unit_id", "model", "suggested_label", "confidence", "certainty", "reason"},
    )
    db.table("model_suggestions").create_index(["certainty", "unit_id"])


# A unit deleted is recorded as gone and its article as needing suggestions again.
_UNITS_GONE_TRIGGER = (
    "CREATE TRIGGER units_gone_after_delete AFTER DELETE ON units BEGIN "
    "INSERT OR IGNORE INTO units_gone (unit_id, article_id) VALUES (OLD.id, OLD.article_id); "
    "UPDATE articles SET suggested = NULL WHERE id = OLD.article_id "
    "AND suggested IS NOT NULL; END"
)


def _m011_incremental_suggestions(db: Database) -> None:
    # What suggest needs to cost in proportion to what changed (issue 14):
    # - articles.suggested: the rules fingerprint of the article's suggestions, set when
    #   every unit of the article got one from those rules, cleared when a unit of the
    #   article goes (trigger below), so "which articles need suggestions" is one pass
    #   over articles, not a join of every unit with its suggestion;
    # - units_gone: units deleted since the last suggest (the trigger), so pruning their
    #   suggestions and claim-index rows looks at those and nothing else;
    # - the claim index: each claim unit's word-set class (claim_units), each class's
    #   words and blocking keys (claim_classes), how many units hold each word
    #   (claim_df), which classes are keyed on a word (claim_keys) and which hold a rare
    #   word (claim_words), so new or changed units are compared with their few
    #   candidates and only group ids that change are written (annotate.suggest.claims).
    #   claim_meta records whether the index covers the whole store ('built').
    conn = db.conn
    conn.execute("ALTER TABLE articles ADD COLUMN suggested TEXT")
    # An article all of whose units hold a suggestion from one set of rules is done.
    conn.execute(
        "UPDATE articles SET suggested = (SELECT CASE WHEN count(*) > 0 "
        "AND count(*) = count(s.unit_id) AND min(s.rules) = max(s.rules) THEN min(s.rules) "
        "END FROM units u LEFT JOIN suggestions s ON s.unit_id = u.id "
        "WHERE u.article_id = articles.id)"
    )
    conn.execute(
        "CREATE TABLE units_gone (unit_id TEXT PRIMARY KEY, article_id TEXT NOT NULL) WITHOUT ROWID"
    )
    conn.execute(_UNITS_GONE_TRIGGER)
    conn.execute(
        "CREATE TABLE claim_units (unit_id TEXT PRIMARY KEY, article_id TEXT NOT NULL, "
        "class INTEGER NOT NULL) WITHOUT ROWID"
    )
    conn.execute("CREATE INDEX claim_units_class ON claim_units (class)")
    conn.execute("CREATE INDEX claim_units_article ON claim_units (article_id)")
    conn.execute(
        "CREATE TABLE claim_classes (class INTEGER PRIMARY KEY, words TEXT NOT NULL, "
        "keys TEXT NOT NULL)"
    )
    conn.execute("CREATE TABLE claim_df (word TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID")
    conn.execute(
        "CREATE TABLE claim_keys (word TEXT NOT NULL, class INTEGER NOT NULL, "
        "PRIMARY KEY (word, class)) WITHOUT ROWID"
    )
    conn.execute(
        "CREATE TABLE claim_words (word TEXT NOT NULL, class INTEGER NOT NULL, "
        "PRIMARY KEY (word, class)) WITHOUT ROWID"
    )
    conn.execute("CREATE TABLE claim_meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID")
    conn.execute("CREATE INDEX articles_suggested ON articles (suggested, id)")
    # An unchanged file's articles, read from the index alone on a re-run.
    conn.execute("CREATE INDEX articles_file_ord_path ON articles (file, ord, path)")


def _m012_access(db: Database) -> None:
    # Who may open a served session (annotate serve): a name, its role (annotator or
    # organiser) and the SHA-256 of its secret token; never the token itself.
    # ``name_key`` is the case-folded name: "Alice" and "alice" are one person.
    db.table("access").create(
        {"name": str, "name_key": str, "role": str, "token_hash": str, "created_at": str},
        pk=("name_key", "role"),
        not_null={"name", "name_key", "role", "token_hash", "created_at"},
    )
    db.table("access").create_index(["role", "token_hash"], unique=True)


def _m013_editorial_spans(db: Database) -> None:
    # Where every editorial cue of a unit is ([[start, end], ...] into its text, JSON), so
    # the app marks them all; ``cue`` holds one. NULL for suggestions made before this
    # column: those show their one cue until suggested again.
    db.table("suggestions").add_column("editorial", str)


def _m014_flagged_and_noted_indexes(db: Database) -> None:
    # The flagged and noted label rows of each annotator, indexed apart (partial indexes:
    # a row is in one only while it is flagged, or noted), so that a filter few rows pass
    # is walked on those rows, not on every claim of the queue, and counted without
    # reading every label (issue 14).
    conn = db.conn
    conn.execute("CREATE INDEX labels_flagged ON labels (annotator, unit_id) WHERE flagged = 1")
    conn.execute("CREATE INDEX labels_noted ON labels (annotator, unit_id) WHERE note IS NOT NULL")


def _m015_dropped_by_article(db: Database) -> None:
    # The dropped blocks, kept in one B-tree ordered by article (WITHOUT ROWID, keyed on
    # the article and the block's place in its page order, ``ord``): an article's blocks
    # are written together on a page or two and read together. Before, the key (article,
    # line, text) was an index of its own holding every text again, beside the table and
    # an index by article: at 10k articles the largest index of the database, and each
    # block's insert touched a random page of each (issue 14).
    conn = db.conn
    conn.execute(
        "CREATE TABLE dropped_new (article_id TEXT NOT NULL, ord INTEGER NOT NULL, "
        "line INTEGER NOT NULL, after INTEGER NOT NULL, reason TEXT NOT NULL, "
        "text TEXT NOT NULL, PRIMARY KEY (article_id, ord)) WITHOUT ROWID"
    )
    conn.execute(
        "INSERT INTO dropped_new (article_id, ord, line, after, reason, text) "
        "SELECT article_id, row_number() OVER (PARTITION BY article_id ORDER BY line, rowid) "
        "- 1, line, after, reason, text FROM dropped"
    )
    conn.execute("DROP TABLE dropped")
    conn.execute("ALTER TABLE dropped_new RENAME TO dropped")


def _m016_unit_keys_deferrable(db: Database) -> None:
    # units and suggestions as plain (rowid) tables, their unit id kept unique by an index
    # of its own (units_id, suggestions_unit_id) instead of a TEXT PRIMARY KEY: a key
    # cannot be left out while a fresh ingest writes, an index can (DEFERRABLE_INDEXES).
    # The ids are hashes, so each row written touched a random page of that B-tree, a
    # cost that grew with the store (issue 14). Reads find a row through either the
    # same way (the id's index, then the rowid). Rowids and rows are kept as they were.
    conn = db.conn
    conn.execute("DROP TRIGGER units_gone_after_delete")
    conn.execute(
        'CREATE TABLE units_new ("id" TEXT NOT NULL, '
        '"article_id" TEXT NOT NULL REFERENCES "articles"("id"), "pos" INTEGER NOT NULL, '
        '"paragraph" INTEGER NOT NULL, "seq" INTEGER NOT NULL, "kind" TEXT NOT NULL, '
        '"text" TEXT NOT NULL, "start" INTEGER NOT NULL, "end" INTEGER NOT NULL)'
    )
    conn.execute(
        "INSERT INTO units_new (rowid, id, article_id, pos, paragraph, seq, kind, text, "
        "start, end) SELECT rowid, id, article_id, pos, paragraph, seq, kind, text, start, "
        "end FROM units ORDER BY rowid"
    )
    conn.execute("DROP TABLE units")
    conn.execute("ALTER TABLE units_new RENAME TO units")
    conn.execute('CREATE UNIQUE INDEX "units_id" ON "units" ("id")')
    conn.execute(
        'CREATE UNIQUE INDEX "idx_units_article_id_seq"\n    ON "units" ("article_id", "seq")'
    )
    conn.execute('CREATE UNIQUE INDEX "idx_units_pos"\n    ON "units" ("pos")')
    conn.execute(_UNITS_GONE_TRIGGER)
    conn.execute(
        'CREATE TABLE suggestions_new ("unit_id" TEXT NOT NULL, '
        '"suggested_label" TEXT NOT NULL, "confidence" REAL NOT NULL, "reason" TEXT NOT NULL, '
        '"cue" TEXT, "cue_start" INTEGER, "cue_end" INTEGER, "source" TEXT, '
        '"source_start" INTEGER, "source_end" INTEGER, "quote_of" TEXT, "claim_group" TEXT, '
        '"rules" TEXT, "suggested_at" TEXT, "editorial" TEXT)'
    )
    columns = (
        "unit_id, suggested_label, confidence, reason, cue, cue_start, cue_end, source, "
        "source_start, source_end, quote_of, claim_group, rules, suggested_at, editorial"
    )
    conn.execute(
        f"INSERT INTO suggestions_new (rowid, {columns}) SELECT rowid, {columns} "
        "FROM suggestions ORDER BY rowid"
    )
    conn.execute("DROP TABLE suggestions")
    conn.execute("ALTER TABLE suggestions_new RENAME TO suggestions")
    conn.execute('CREATE UNIQUE INDEX "suggestions_unit_id" ON "suggestions" ("unit_id")')
    conn.execute(
        'CREATE INDEX "idx_suggestions_confidence_unit_id"\n'
        '    ON "suggestions" ("confidence", "unit_id")'
    )
    conn.execute('CREATE INDEX "idx_suggestions_claim_group"\n    ON "suggestions" ("claim_group")')


def _m017_dropped_row_per_article(db: Database) -> None:
    # An article's dropped blocks in one row (``blocks``: a JSON array of [line, after,
    # reason, text] in page order), in a rowid table with a unique index on the article:
    # a fresh ingest appends a row an article instead of inserting a dozen or more into
    # the largest B-tree of the database at a random place (hashed article ids), which
    # at 50,000 articles cost the writing process seconds of system time and a fifth of
    # the bytes it wrote (issue 14). Blocks, their order and fields are kept as they were.
    conn = db.conn
    conn.execute("CREATE TABLE dropped_new (article_id TEXT NOT NULL, blocks TEXT NOT NULL)")
    rows = conn.execute(
        "SELECT article_id, line, after, reason, text FROM dropped ORDER BY article_id, ord"
    )
    for aid, group in groupby(rows, key=itemgetter(0)):
        blocks = dropped_json(row[1:] for row in group)
        conn.execute("INSERT INTO dropped_new (article_id, blocks) VALUES (?, ?)", (aid, blocks))
    conn.execute("DROP TABLE dropped")
    conn.execute("ALTER TABLE dropped_new RENAME TO dropped")
    conn.execute("CREATE UNIQUE INDEX dropped_article ON dropped (article_id)")


def _m018_units_not_claims(db: Database) -> None:
    # The units that are not claims (titles and headings, a tenth of them) on a partial
    # index of their own: the claim count (``Store.counts``, ``claim_count``) is all the
    # units (a count of the smallest index) less these, instead of a pass over every
    # unit's row, text and all, which was a tenth of a run over an unchanged corpus
    # (issue 14). Its WHERE is the one those counts use (``NOT_CLAIM_UNITS``).
    db.conn.execute(f"CREATE INDEX units_not_claims ON units (kind) WHERE {NOT_CLAIM_UNITS}")


def load_sqlite_utils() -> None:
    """Import sqlite-utils without pandas and NumPy (see ``annotate.imports``): these
    migrations never need its pandas column types, and importing them was most of the
    blank terminal before the app's first paint on a new database."""
    if "sqlite_utils.db" in sys.modules:
        return
    with without("pandas", "numpy"):
        import sqlite_utils.db  # noqa: F401


def migrations() -> Migrations:
    """The ordered migration set of the annotate schema."""
    load_sqlite_utils()
    from sqlite_utils.migrations import Migrations

    m = Migrations("annotate")
    for fn in MIGRATIONS:
        m(name=fn.__name__.lstrip("_"))(fn)
    return m


MIGRATIONS = [
    _m001_articles_and_units,
    _m002_labels_and_history,
    _m003_adjudications_and_assignments,
    _m004_suggestions,
    _m005_segment_edits,
    _m006_queue_indexes,
    _m007_history_source,
    _m008_article_author,
    _m009_dropped_blocks,
    _m010_model_suggestions,
    _m011_incremental_suggestions,
    _m012_access,
    _m013_editorial_spans,
    _m014_flagged_and_noted_indexes,
    _m015_dropped_by_article,
    _m016_unit_keys_deferrable,
    _m017_dropped_row_per_article,
    _m018_units_not_claims,
]


SCHEMA_VERSION = len(MIGRATIONS)


# Indexes a bulk ingest into an empty database leaves out while it writes and builds once
# at its end (``Store.defer_indexes``): their keys come in random order (a suggestion's
# confidence and unit id, its claim group, a claim's article), so every row written
# touched a random page of each, a cost that grew with the database once these indexes
# outgrew the page cache (issue 14); one sort at the end costs a fraction of it. Each as
# its migration created it. A database left without them (an ingest killed meanwhile)
# gets them back when it is next opened for writing; until then queries only run slower.
# The first two keep unit ids unique (KEY_INDEXES): an ingest that defers them writes
# rows whose ids are new by construction (an empty store, one row per unit), and builds
# them before anything looks a unit or its suggestion up by id (claim groups). The claim
# units' class index (CLAIM_INDEXES) is built once they are all indexed, before grouping.
DEFERRABLE_INDEXES = {
    "units_id": 'CREATE UNIQUE INDEX "units_id" ON "units" ("id")',
    "suggestions_unit_id": (
        'CREATE UNIQUE INDEX "suggestions_unit_id" ON "suggestions" ("unit_id")'
    ),
    "idx_suggestions_confidence_unit_id": (
        'CREATE INDEX "idx_suggestions_confidence_unit_id"\n'
        '    ON "suggestions" ("confidence", "unit_id")'
    ),
    "idx_suggestions_claim_group": (
        'CREATE INDEX "idx_suggestions_claim_group"\n    ON "suggestions" ("claim_group")'
    ),
    "claim_units_article": "CREATE INDEX claim_units_article ON claim_units (article_id)",
    "claim_units_class": "CREATE INDEX claim_units_class ON claim_units (class)",
}


KEY_INDEXES = ("units_id", "suggestions_unit_id")
CLAIM_INDEXES = ("claim_units_class",)
