"""Rule-based label suggestions and claim groups across articles.

Suggestions come from ``annotate.suggest`` and claim groups from its claim matcher.
Offsets of a suggestion's cue are into its unit's text; those of its source are into the
text of ``quote_of`` when that is set.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from annotate.model import (
    SENTENCE,
)
from annotate.store.connection import Connection
from annotate.store.migrations import CLAIM_INDEXES, KEY_INDEXES
from annotate.store.rows import _SUGGESTION_COLUMNS, utc_now

if TYPE_CHECKING:
    from annotate.store.values import ClaimGroupMember, SuggestionRecord


# The claim group staged for a suggestion's unit (``stage_claim_groups``), NULL if none.
_NAMED = "SELECT n.claim_group FROM temp.claim_named n WHERE n.unit_id = suggestions.unit_id"


def _json(values: Collection[Any]) -> str:
    """Many values as one parameter, read back with ``json_each``: no limit on how many."""
    return json.dumps(list(values))


_EACH = "(SELECT value FROM json_each(?))"

_INSERT = (
    "INSERT INTO suggestions (unit_id, suggested_label, confidence, reason, cue, "
    "cue_start, cue_end, source, source_start, source_end, quote_of, editorial, "
    "rules, suggested_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_UPSERT = (
    f"{_INSERT} ON CONFLICT(unit_id) DO UPDATE SET "
    "suggested_label = excluded.suggested_label, confidence = excluded.confidence, "
    "reason = excluded.reason, cue = excluded.cue, cue_start = excluded.cue_start, "
    "cue_end = excluded.cue_end, source = excluded.source, "
    "source_start = excluded.source_start, source_end = excluded.source_end, "
    "quote_of = excluded.quote_of, rules = excluded.rules, "
    "suggested_at = excluded.suggested_at, editorial = excluded.editorial"
)


def _spans(spans: Sequence[tuple[int, int]] | None) -> str | None:
    """Editorial cue offsets as stored: JSON ``[[start, end], ...]``, NULL for none."""
    return json.dumps([[s, e] for s, e in spans]) if spans else None


class SuggestionQueries(Connection):
    """Suggestions and claim groups."""

    def articles_needing_suggestions(self, rules: str) -> list[str]:
        """Ids of articles with a unit that has no suggestion, or one from other rules.

        ``articles.suggested`` says which rules every unit of an article got its
        suggestion from (cleared when a unit of the article goes, see migration 10), so
        this reads the articles_suggested index, not every unit."""
        rows = self.conn.execute(
            "SELECT id FROM articles INDEXED BY articles_suggested WHERE suggested IS NULL "
            "UNION ALL SELECT id FROM articles INDEXED BY articles_suggested "
            "WHERE suggested < :r OR suggested > :r",
            {"r": rules},
        )
        return [r[0] for r in rows]

    def save_suggestions(
        self,
        records: Sequence[dict[str, Any]],
        *,
        article_id: str | None = None,
        rules: str | None = None,
    ) -> None:
        """Insert or replace suggestions (dicts keyed by column; ``editorial``, optional,
        a list of (start, end) offsets); keeps their claim group.

        With ``article_id`` and ``rules``, ``records`` are every unit of that article and
        the article is marked as suggested by those rules; otherwise each article touched
        is marked when all its units now hold a suggestion from one set of rules."""
        now = utc_now()
        rows = [  # positional: binding by name costs a look-up per value
            (
                r["unit_id"],
                r["suggested_label"],
                r["confidence"],
                r["reason"],
                r["cue"],
                r["cue_start"],
                r["cue_end"],
                r["source"],
                r["source_start"],
                r["source_end"],
                r["quote_of"],
                _spans(r.get("editorial")),
                r["rules"],
                now,
            )
            for r in records
        ]
        self._save_suggestion_rows(rows, article_id, rules, marked=False)

    def save_suggestion_rows(
        self,
        rows: Sequence[tuple[Any, ...]],
        *,
        article_id: str,
        rules: str,
        marked: bool = False,
    ) -> None:
        """``save_suggestions`` for every unit of one article, suggested by ``rules``, as
        tuples: (unit_id, suggested_label, confidence, reason, cue, cue_start, cue_end,
        source, source_start, source_end, quote_of, editorial offsets or None), the
        cheapest form for an ingest to give. ``marked``: the article was saved marked as
        suggested by these rules (``save_article(suggested=rules)``) in this transaction."""
        now = utc_now()
        rows = [(*r[:11], _spans(r[11]) if r[11] else None, rules, now) for r in rows]
        self._save_suggestion_rows(rows, article_id, rules, marked=marked)

    def _save_suggestion_rows(
        self,
        rows: Sequence[tuple[Any, ...]],
        article_id: str | None,
        rules: str | None,
        *,
        marked: bool,
    ) -> None:
        with self.transaction():
            if "suggestions_unit_id" in self.deferred:
                # A fresh ingest into an empty store: every unit's first suggestion.
                self.conn.executemany(_INSERT, rows)
            else:
                try:
                    self.conn.executemany(_UPSERT, rows)
                except sqlite3.OperationalError as e:
                    if "ON CONFLICT clause does not match" not in str(e):
                        raise
                    # Left out by an ingest stopped (or still running) elsewhere: built
                    # now, under the write lock this transaction holds.
                    self.build_missing_indexes(KEY_INDEXES)
                    self.conn.executemany(_UPSERT, rows)
            if marked:
                return
            if article_id is not None and rules is not None:
                self.conn.execute(
                    "UPDATE articles SET suggested = ? WHERE id = ?", (rules, article_id)
                )
                return
            self.conn.execute(
                "UPDATE articles SET suggested = (SELECT CASE WHEN count(*) > 0 "
                "AND count(*) = count(s.unit_id) AND min(s.rules) = max(s.rules) "
                "THEN min(s.rules) END FROM units u LEFT JOIN suggestions s "
                "ON s.unit_id = u.id WHERE u.article_id = articles.id) "
                f"WHERE id IN (SELECT article_id FROM units WHERE id IN {_EACH})",
                (_json([r[0] for r in rows]),),
            )

    def gone_units(self) -> list[str]:
        """Units deleted since ``forget_gone_units`` last ran (re-segmented articles,
        merges, splits) that are not back: a unit deleted and inserted again (same text,
        so the same id) is not gone."""
        rows = self.conn.execute(
            "SELECT g.unit_id FROM units_gone g WHERE NOT EXISTS "
            "(SELECT 1 FROM units u WHERE u.id = g.unit_id)"
        )
        return [r[0] for r in rows]

    def forget_gone_units(self, gone: Collection[str]) -> None:
        """Drop the suggestions of units ``gone_units`` found, and start a new list."""
        with self.transaction():
            if gone:  # none: no pass over suggestions (a fresh ingest may lack their index)
                self.conn.execute(
                    f"DELETE FROM suggestions WHERE unit_id IN {_EACH}", (_json(gone),)
                )
            self.conn.execute("DELETE FROM units_gone")

    def prune_suggestions(self) -> int:
        """Drop suggestions of units no longer in the store; returns how many."""
        with self.transaction():
            cur = self.conn.execute(
                "DELETE FROM suggestions WHERE NOT EXISTS "
                "(SELECT 1 FROM units u WHERE u.id = suggestions.unit_id)"
            )
        return cur.rowcount

    def suggestion(self, unit_id: str) -> SuggestionRecord | None:
        """The stored suggestion for a unit, or None if it has none yet."""
        from annotate.store.values import SuggestionRecord

        row = self.conn.execute(
            f"SELECT {_SUGGESTION_COLUMNS} FROM suggestions WHERE unit_id = ?", (unit_id,)
        ).fetchone()
        return SuggestionRecord.from_row(row) if row else None

    def suggestions_for(self, unit_ids: Sequence[str]) -> dict[str, SuggestionRecord]:
        """Stored suggestions of many units at once (for exports), by unit id."""
        from annotate.store.values import SuggestionRecord

        out: dict[str, SuggestionRecord] = {}
        for i in range(0, len(unit_ids), 500):
            chunk = list(unit_ids[i : i + 500])
            marks = ", ".join("?" * len(chunk))
            rows = self.conn.execute(
                f"SELECT {_SUGGESTION_COLUMNS} FROM suggestions WHERE unit_id IN ({marks})",
                chunk,
            )
            out.update((r[0], SuggestionRecord.from_row(r)) for r in rows)
        return out

    def claim_texts(self) -> Iterator[tuple[str, str, str]]:
        """(unit_id, article_id, text) of every claim unit, for grouping claims."""
        cur = self.conn.cursor()
        cur.row_factory = None
        try:
            cur.execute("SELECT id, article_id, text FROM units WHERE kind = ?", (SENTENCE,))
            while rows := cur.fetchmany(5000):
                yield from rows
        finally:
            cur.close()

    def set_claim_groups(self, groups: dict[str, str]) -> None:
        """Replace every claim group: ``groups`` maps unit id -> group id (others: none)."""
        with self.transaction():
            self.conn.execute(
                "UPDATE suggestions SET claim_group = NULL WHERE claim_group IS NOT NULL"
            )
            self.conn.executemany(
                "UPDATE suggestions SET claim_group = ? WHERE unit_id = ?",
                [(g, u) for u, g in groups.items()],
            )

    def claim_group_count(self) -> int:
        row = self.conn.execute(
            "SELECT count(DISTINCT claim_group) FROM suggestions WHERE claim_group IS NOT NULL"
        )
        return int(row.fetchone()[0])

    # -- the claim index (annotate.suggest.claims.ClaimIndex): what incremental claim
    # grouping reads and writes. Classes are integer ids of identical word sets.

    def claim_index_version(self) -> str | None:
        """The claim rules the index was built with (None: not built)."""
        row = self.conn.execute("SELECT value FROM claim_meta WHERE key = 'version'").fetchone()
        return row[0] if row else None

    def has_claim_units(self) -> bool:
        row = self.conn.execute("SELECT 1 FROM units WHERE kind = ? LIMIT 1", (SENTENCE,))
        return row.fetchone() is not None

    def reset_claim_index(self, version: str) -> None:
        """Empty the claim index and every claim group, to be built again for
        ``version``; suggestions of units no longer stored are dropped too."""
        with self.transaction():
            for table in ("claim_units", "claim_classes", "claim_df", "claim_keys", "claim_words"):
                self.conn.execute(f"DELETE FROM {table}")
            self.conn.execute(
                "UPDATE suggestions SET claim_group = NULL WHERE claim_group IS NOT NULL"
            )
            self.conn.execute(
                "DELETE FROM suggestions WHERE NOT EXISTS "
                "(SELECT 1 FROM units u WHERE u.id = suggestions.unit_id)"
            )
            self.conn.execute("DELETE FROM units_gone")
            self.set_claim_index_version(version)

    def set_claim_index_version(self, version: str) -> None:
        self.conn.execute(
            "INSERT INTO claim_meta (key, value) VALUES ('version', ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (version,),
        )

    def claim_units_of(self, unit_ids: Collection[str]) -> dict[str, tuple[str, int]]:
        if not unit_ids:
            return {}
        rows = self.conn.execute(
            f"SELECT unit_id, article_id, class FROM claim_units WHERE unit_id IN {_EACH}",
            (_json(unit_ids),),
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    def claim_classes(self, classes: Collection[int]) -> dict[int, tuple[str, str]]:
        if not classes:
            return {}
        rows = self.conn.execute(
            f"SELECT class, words, keys FROM claim_classes WHERE class IN {_EACH}",
            (_json(classes),),
        )
        return {r[0]: (r[1], r[2]) for r in rows}

    def claim_class_members(self, classes: Collection[int]) -> dict[int, list[tuple[str, str]]]:
        out: dict[int, list[tuple[str, str]]] = {}
        if not classes:
            return out
        rows = self.conn.execute(
            "SELECT class, unit_id, article_id FROM claim_units INDEXED BY claim_units_class "
            f"WHERE class IN {_EACH} ORDER BY class, unit_id",
            (_json(classes),),
        )
        for c, u, a in rows:
            out.setdefault(c, []).append((u, a))
        return out

    def claim_df(self, words: Collection[str]) -> dict[str, int]:
        if not words:
            return {}
        rows = self.conn.execute(
            f"SELECT word, n FROM claim_df WHERE word IN {_EACH}", (_json(words),)
        )
        return {r[0]: r[1] for r in rows}

    def _classes_by_word(self, table: str, words: Collection[str]) -> dict[str, set[int]]:
        out: dict[str, set[int]] = {}
        if not words:
            return out
        rows = self.conn.execute(
            f"SELECT word, class FROM {table} WHERE word IN {_EACH}", (_json(words),)
        )
        for w, c in rows:
            out.setdefault(w, set()).add(c)
        return out

    def classes_keyed_by(self, words: Collection[str]) -> dict[str, set[int]]:
        return self._classes_by_word("claim_keys", words)

    def classes_holding(self, words: Collection[str]) -> dict[str, set[int]]:
        return self._classes_by_word("claim_words", words)

    def scan_classes_holding(self, words: Collection[str]) -> dict[str, set[int]]:
        out: dict[str, set[int]] = {}
        wanted = set(words)
        if not wanted:
            return out
        for c, text in self.conn.execute("SELECT class, words FROM claim_classes"):
            for w in wanted.intersection(text.split(" ")):
                out.setdefault(w, set()).add(c)
        return out

    def claim_groups_of(self, unit_ids: Collection[str]) -> dict[str, str]:
        if not unit_ids:
            return {}
        rows = self.conn.execute(
            f"SELECT unit_id, claim_group FROM suggestions WHERE unit_id IN {_EACH} "
            "AND claim_group IS NOT NULL",
            (_json(unit_ids),),
        )
        return {r[0]: r[1] for r in rows}

    def claim_group_units(self, groups: Collection[str]) -> set[str]:
        if not groups:
            return set()
        rows = self.conn.execute(
            f"SELECT unit_id FROM suggestions WHERE claim_group IN {_EACH}", (_json(groups),)
        )
        return {r[0] for r in rows}

    def write_claim_index(self, change: Any) -> None:
        """Apply one ``update_groups`` step (an ``annotate.suggest.claims.ClaimIndexChange``;
        the store imports no domain module) to the claim index tables."""
        c = self.conn
        with self.transaction():
            c.executemany(
                "INSERT INTO claim_units (unit_id, article_id, class) VALUES (?, ?, ?)",
                change.units_added,
            )
            c.executemany(
                "DELETE FROM claim_units WHERE unit_id = ?", [(u,) for u in change.units_removed]
            )
            c.executemany(
                "INSERT INTO claim_classes (class, words, keys) VALUES (?, ?, ?)",
                [(k, w, keys) for k, (w, keys) in change.classes_added.items()],
            )
            # One statement a kind for every class, not three a class (a fresh ingest's
            # regroup changes the keys of nearly every class).
            removed = change.classes_removed.items()
            c.executemany("DELETE FROM claim_classes WHERE class = ?", [(k,) for k, _ in removed])
            c.executemany(
                "DELETE FROM claim_words WHERE word = ? AND class = ?",
                [(w, k) for k, (words, _) in removed for w in words],
            )
            c.executemany(
                "INSERT INTO claim_df (word, n) VALUES (?, ?) "
                "ON CONFLICT(word) DO UPDATE SET n = excluded.n",
                [(w, n) for w, n in change.df.items() if n > 0],
            )
            c.executemany(
                "DELETE FROM claim_df WHERE word = ?",
                [(w,) for w, n in change.df.items() if n <= 0],
            )
            c.executemany(
                "DELETE FROM claim_words WHERE word = ?", [(w,) for w in change.words_dropped]
            )
            c.executemany(
                "INSERT OR IGNORE INTO claim_words (word, class) VALUES (?, ?)",
                change.words_added,
            )
            changed = change.keys_changed.items()
            c.executemany(
                "UPDATE claim_classes SET keys = ? WHERE class = ?",
                [(" ".join(new), k) for k, (_, new) in changed],
            )
            # The keys of the classes removed and the old keys of those changed.
            c.executemany(
                "DELETE FROM claim_keys WHERE word = ? AND class = ?",
                [(w, k) for k, (_, keys) in removed for w in keys]
                + [(w, k) for k, (old, _) in changed for w in old],
            )
            c.executemany(
                "INSERT INTO claim_keys (word, class) VALUES (?, ?)",
                [(w, k) for k, (_, new) in changed for w in new],
            )

    def write_claim_groups(self, groups: Mapping[str, str | None]) -> None:
        with self.transaction():
            self.conn.executemany(
                "UPDATE suggestions SET claim_group = ? WHERE unit_id = ?",
                [(g, u) for u, g in groups.items()],
            )

    # -- building the claim index and every group at once (``claims.regroup``), for a
    # fresh ingest or a batch large next to the corpus: linear in the claims, reading
    # the store in streams and pages, writing in short transactions (``batched``).

    def claim_unit_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM claim_units").fetchone()[0])

    def unset_claim_index_version(self) -> None:
        """Mark the index as not built (claims are being added without their keys and
        groups): an ingest stopped before ``regroup`` leaves it to be built again."""
        self.conn.execute("DELETE FROM claim_meta WHERE key = 'version'")

    # A bulk build (a fresh ingest) holds its claim units in a temporary table while the
    # articles come, appended in arrival order, and indexes them at the end in key order:
    # written one by one, each claim touched a random page of claim_units and of
    # claim_classes, a cost that grew with the corpus once those outgrew the page cache
    # (issue 14). Nothing is lost by keeping them out of the store meanwhile: a build
    # stopped before its end is started again from every claim.

    def start_claim_staging(self) -> None:
        """An empty ``temp.claim_staged`` (this connection only) for ``stage_claim_units``."""
        self.conn.execute("DROP TABLE IF EXISTS temp.claim_staged")
        self.conn.execute(
            "CREATE TEMP TABLE claim_staged (unit_id TEXT NOT NULL, article_id TEXT NOT NULL, "
            "class INTEGER NOT NULL, words TEXT NOT NULL)"
        )

    def stage_claim_units(self, units: Sequence[tuple[str, str, int, str]]) -> None:
        """Hold (unit id, article id, class, words) claim units for ``add_claim_units``
        (in the transaction in progress: a batch rolled back takes its claims with it)."""
        with self.transaction():
            self.conn.executemany(
                "INSERT INTO temp.claim_staged (unit_id, article_id, class, words) "
                "VALUES (?, ?, ?, ?)",
                units,
            )

    def add_claim_units(self, page: int = 5000) -> None:
        """Index the staged claim units without keys or groups, written in key order
        (units by id, classes by class) in short transactions (``batched``), and build
        the units' class index if it was left out; a unit already indexed is left as it
        is. Classes new to the index are listed in ``temp.claim_new`` (this connection
        only) for ``claim_class_pages``. The staging table goes."""
        c = self.conn
        c.execute(
            "CREATE TEMP TABLE IF NOT EXISTS claim_new (class INTEGER PRIMARY KEY) WITHOUT ROWID"
        )
        # Sorted once in the temporary database: no lock on the store meanwhile.
        c.execute(
            "CREATE INDEX temp.claim_staged_unit ON claim_staged (unit_id, article_id, class)"
        )
        c.execute("CREATE INDEX temp.claim_staged_class ON claim_staged (class, words)")
        with self.batched() as tick:
            for rows in self._staged_pages(
                "SELECT unit_id, article_id, class FROM temp.claim_staged "
                "INDEXED BY claim_staged_unit WHERE unit_id {op} ? ORDER BY unit_id LIMIT ?",
                "",
                page,
            ):
                c.executemany(
                    "INSERT OR IGNORE INTO claim_units (unit_id, article_id, class) "
                    "VALUES (?, ?, ?)",
                    rows,
                )
                tick()
            for rows in self._staged_pages(
                "SELECT class, words FROM temp.claim_staged INDEXED BY claim_staged_class "
                "WHERE class {op} ? GROUP BY class ORDER BY class LIMIT ?",
                -(1 << 63),
                page,
            ):
                c.executemany(
                    "INSERT OR IGNORE INTO temp.claim_new (class) SELECT ?1 WHERE NOT EXISTS "
                    "(SELECT 1 FROM claim_classes WHERE class = ?1)",
                    [(k,) for k, _ in rows],
                )
                c.executemany(
                    "INSERT OR IGNORE INTO claim_classes (class, words, keys) VALUES (?, ?, '')",
                    rows,
                )
                tick()
        c.execute("DROP TABLE temp.claim_staged")
        # Left out by a fresh ingest (``defer_indexes``): one sort now, where kept up unit
        # by unit each insert touched a random page of it. Grouping reads by class.
        self.build_indexes(CLAIM_INDEXES)

    def _staged_pages(self, query: str, first: Any, page: int) -> Iterator[list[Any]]:
        """The rows of ``query`` (keyed on its first column, from ``first`` on: ``{op} ?``,
        ``LIMIT ?``) in pages of ``page``, in key order."""
        after, op = first, ">="
        while rows := self.conn.execute(query.format(op=op), (after, page)).fetchall():
            yield [tuple(r) for r in rows]
            after, op = rows[-1][0], ">"

    def drop_claim_units(self, unit_ids: Collection[str]) -> None:
        """Take units out of the index; a class left without units goes with its rows."""
        c = self.conn
        with self.transaction():
            if c.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'claim_staged'").fetchone():
                c.execute(
                    f"DELETE FROM temp.claim_staged WHERE unit_id IN {_EACH}", (_json(unit_ids),)
                )
            classes = {k for _, k in self.claim_units_of(unit_ids).values()}
            c.execute(f"DELETE FROM claim_units WHERE unit_id IN {_EACH}", (_json(unit_ids),))
            for k in classes:
                if c.execute("SELECT 1 FROM claim_units WHERE class = ? LIMIT 1", (k,)).fetchone():
                    continue
                c.execute("DELETE FROM claim_classes WHERE class = ?", (k,))
                c.execute("DELETE FROM claim_keys WHERE class = ?", (k,))
                c.execute("DELETE FROM claim_words WHERE class = ?", (k,))

    def claim_class_stats(self) -> Iterator[tuple[int, str, int, str | None]]:
        """(class, words, units, the article of all its units or None when they are in
        several) of every class, in class order."""
        cur = self.conn.cursor()
        cur.row_factory = None
        try:
            cur.execute(
                "SELECT c.class, c.words, count(*), CASE WHEN min(u.article_id) = "
                "max(u.article_id) THEN min(u.article_id) END FROM claim_classes c "
                "JOIN claim_units u INDEXED BY claim_units_class ON u.class = c.class "
                "GROUP BY c.class ORDER BY c.class"
            )
            while rows := cur.fetchmany(2000):
                yield from rows
        finally:
            cur.close()

    def all_claim_df(self) -> dict[str, int]:
        return {r[0]: r[1] for r in self.conn.execute("SELECT word, n FROM claim_df")}

    def claim_class_pages(self, size: int) -> Iterator[list[tuple[int, str, str, bool]]]:
        """Every class as (class, words, keys, new since the index was built), in pages
        of ``size`` in class order; the tables may be written between pages."""
        c = self.conn
        c.execute(
            "CREATE TEMP TABLE IF NOT EXISTS claim_new (class INTEGER PRIMARY KEY) WITHOUT ROWID"
        )
        after, op = -(1 << 63), ">="
        while True:
            rows = c.execute(
                "SELECT c.class, c.words, c.keys, n.class IS NOT NULL FROM claim_classes c "
                f"LEFT JOIN temp.claim_new n ON n.class = c.class WHERE c.class {op} ? "
                "ORDER BY c.class LIMIT ?",
                (after, size),
            ).fetchall()
            if not rows:
                return
            yield [(r[0], r[1], r[2], bool(r[3])) for r in rows]
            after, op = rows[-1][0], ">"

    def claim_key_buckets(self) -> Iterator[tuple[str, list[tuple[int, str, str]]]]:
        """For each key word, the (class, words, keys) of the classes keyed on it."""
        cur = self.conn.cursor()
        cur.row_factory = None
        try:
            cur.execute(
                "SELECT k.word, k.class, c.words, c.keys FROM claim_keys k "
                "JOIN claim_classes c ON c.class = k.class ORDER BY k.word, k.class"
            )
            word = ""
            bucket: list[tuple[int, str, str]] = []
            while rows := cur.fetchmany(5000):
                for w, k, words, keys in rows:
                    if w != word:
                        if bucket:
                            yield word, bucket
                        word, bucket = w, []
                    bucket.append((k, words, keys))
            if bucket:
                yield word, bucket
        finally:
            cur.close()

    def stage_claim_roots(self, roots: Iterable[tuple[int, int]]) -> None:
        """Hold (class, root class) of every grouped class, and each grouped unit with its
        root, in this connection's temporary tables: they take no lock on the store. An
        empty ``temp.claim_named`` for ``stage_claim_groups``."""
        c = self.conn
        for table in ("claim_roots", "claim_members", "claim_named"):
            c.execute(f"DROP TABLE IF EXISTS temp.{table}")
        c.execute("CREATE TEMP TABLE claim_roots (class INTEGER PRIMARY KEY, root INTEGER)")
        # Rows come in class order and are read by root: sorted once by an index built
        # after them, not kept in order row by row (a random page of the temporary
        # database each, once it outgrows its cache).
        c.execute("CREATE TEMP TABLE claim_members (root INTEGER, unit_id TEXT)")
        c.execute("CREATE TEMP TABLE claim_named (unit_id TEXT, claim_group TEXT NOT NULL)")
        c.execute("BEGIN")  # deferred: writes to temp tables only, the store stays free
        try:
            c.executemany("INSERT INTO temp.claim_roots (class, root) VALUES (?, ?)", roots)
            c.execute(
                "INSERT INTO temp.claim_members (root, unit_id) SELECT r.root, u.unit_id "
                "FROM temp.claim_roots r JOIN claim_units u INDEXED BY claim_units_class "
                "ON u.class = r.class"
            )
            c.execute("CREATE INDEX temp.claim_members_root ON claim_members (root, unit_id)")
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def staged_claim_members(self, size: int) -> Iterator[list[tuple[int, str]]]:
        """The staged (root, unit id) rows in pages of ``size``, by root then unit id."""
        after: tuple[int, str] = (-(1 << 63), "")  # before any (root, unit id)
        while True:
            rows = self.conn.execute(
                "SELECT root, unit_id FROM temp.claim_members WHERE (root, unit_id) > (?, ?) "
                "ORDER BY root, unit_id LIMIT ?",
                (*after, size),
            ).fetchall()
            if not rows:
                return
            yield [(r[0], r[1]) for r in rows]
            after = (rows[-1][0], rows[-1][1])

    def stage_claim_groups(self, groups: Iterable[tuple[str, str]]) -> None:
        """Hold (unit id, claim group) of grouped units for ``write_staged_claim_groups``
        (after ``stage_claim_roots``)."""
        c = self.conn
        c.execute("BEGIN")  # deferred: writes to temp tables only, the store stays free
        try:
            c.executemany(
                "INSERT INTO temp.claim_named (unit_id, claim_group) VALUES (?, ?)", groups
            )
            c.execute("COMMIT")
        except BaseException:
            c.execute("ROLLBACK")
            raise

    def write_staged_claim_groups(self, page: int = 20_000) -> int:
        """Give every unit its staged claim group (none when not staged), writing only the
        ones that differ; returns how many. The suggestions are walked in their stored
        order, ``page`` rows a statement, in short transactions (``batched``): written by
        unit id, each group id touched a random page of the table, a cost that grew with
        the corpus once it outgrew the page cache (issue 14)."""
        c = self.conn
        c.execute("CREATE INDEX temp.claim_named_unit ON claim_named (unit_id, claim_group)")
        first, last = c.execute("SELECT min(rowid), max(rowid) FROM suggestions").fetchone()
        written = 0
        if first is None:
            return written
        with self.batched() as tick:
            for low in range(first, last + 1, page):
                rows = (low, low + page)
                # A correlated lookup, not UPDATE ... FROM (SQLite 3.33 and later only).
                written += c.execute(
                    f"UPDATE suggestions SET claim_group = ({_NAMED}) WHERE rowid >= ?1 "
                    f"AND rowid < ?2 AND claim_group IS NOT ({_NAMED})",
                    rows,
                ).rowcount
                tick()
        return written

    def drop_staged_claims(self) -> None:
        """Drop ``regroup``'s temporary tables (with their indexes)."""
        for table in ("claim_roots", "claim_members", "claim_named", "claim_new"):
            self.conn.execute(f"DROP TABLE IF EXISTS temp.{table}")

    def claim_group_members(self, unit_id: str) -> list[ClaimGroupMember]:
        """The other units stating the same claim, in other articles, with their labels.

        For "also in: <article> — labelled X"; ``labels`` maps annotator -> label.
        """
        from annotate.store.values import ClaimGroupMember

        rows = self.conn.execute(
            "SELECT o.unit_id, u.article_id, a.path, a.title, u.text, o.suggested_label, "
            "o.source FROM suggestions s JOIN suggestions o ON o.claim_group = s.claim_group "
            "AND o.unit_id != s.unit_id JOIN units u ON u.id = o.unit_id "
            "JOIN articles a ON a.id = u.article_id WHERE s.unit_id = ? ORDER BY a.ord, u.seq",
            (unit_id,),
        ).fetchall()
        out = []
        for r in rows:
            labels = dict(
                self.conn.execute(
                    "SELECT annotator, label FROM labels WHERE unit_id = ? AND label IS NOT NULL "
                    "ORDER BY annotator",
                    (r[0],),
                ).fetchall()
            )
            out.append(ClaimGroupMember(r[0], r[1], r[2], r[3], r[4], r[5], r[6], labels))
        return out

    def labelled_suggestions(
        self, annotator: str | None = None
    ) -> Iterator[tuple[str, str, str, str]]:
        """(unit_id, annotator, label, suggested_label) for labelled claim units."""
        who = " AND l.annotator = :annotator" if annotator is not None else ""
        rows = self.conn.execute(
            "SELECT l.unit_id, l.annotator, l.label, s.suggested_label FROM labels l "
            "JOIN units u ON u.id = l.unit_id AND u.kind = :kind "
            f"JOIN suggestions s ON s.unit_id = l.unit_id WHERE l.label IS NOT NULL{who} "
            "ORDER BY u.pos, l.annotator",
            {"kind": SENTENCE, "annotator": annotator},
        )
        for r in rows:
            yield (r[0], r[1], r[2], r[3])
