"""The labelling queue: walking the claims, filters, resume position and progress.

Each walk step is one indexed lookup: by corpus order (``units.pos``), by suggestion
confidence, or within an annotator's assigned articles. The app reads its progress counters
once and keeps them up to date with ``labelled_delta_since``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from annotate.model import (
    HEADING,
    LABELS,
    SENTENCE,
)
from annotate.store.connection import Connection
from annotate.store.migrations import NOT_CLAIM_UNITS
from annotate.store.rows import _UNIT_VIEW

if TYPE_CHECKING:
    from annotate.store.values import ArticleProgress, LabelState, UnitView

# Conditions for Store.step(only=...); each is an indexed lookup in labels per unit walked.
# (A filter that few label rows pass is walked on those rows instead: _MATCHES below.)
_FILTERS: dict[str, str] = {
    "": "",
    "unlabelled": " AND NOT EXISTS (SELECT 1 FROM labels l WHERE l.unit_id = u.id "
    "AND l.annotator = :annotator AND l.label IS NOT NULL)",
    "flagged": " AND EXISTS (SELECT 1 FROM labels l WHERE l.unit_id = u.id "
    "AND l.annotator = :annotator AND l.flagged = 1)",
    "noted": " AND EXISTS (SELECT 1 FROM labels l WHERE l.unit_id = u.id "
    "AND l.annotator = :annotator AND l.note IS NOT NULL)",
}


# How many units the store holds (a count of its smallest index, not a pass over the rows),
# and how many of them are not claims (on their partial index, ``units_not_claims``):
# the claim units are the difference.
_UNIT_COUNT = "SELECT count(*) FROM units"
_NOT_CLAIM_COUNT = f"SELECT count(*) FROM units WHERE {NOT_CLAIM_UNITS}"

_LABEL_FILTER = (
    " AND EXISTS (SELECT 1 FROM labels l WHERE l.unit_id = u.id "
    "AND l.annotator = :annotator AND l.label = :label)"
)


FILTERS = ("unlabelled", "flagged", "noted", *LABELS)


# The label rows of an annotator each filter but "unlabelled" (no row to find) keeps, each
# range served by an index: labels(annotator, label), and the partial indexes of flagged
# and noted rows (schema 14).
_MATCHES: dict[str, str] = {
    "flagged": "l.annotator = :annotator AND l.flagged = 1",
    "noted": "l.annotator = :annotator AND l.note IS NOT NULL",
    **{label: "l.annotator = :annotator AND l.label = :label" for label in LABELS},
}

# A filter that at most this many label rows pass is walked on those rows: one query
# reading each of them and its unit (about a millisecond per 300 at 1,000,000 units),
# wherever in the queue the next match is. Past it, the walk follows the queue
# (units.pos) to the next match, a lookup per claim passed: with more matches they are
# nearer on average.
SELECTIVE = 1000


# With an assignment plan, an annotator's queue is the articles assigned to them: one lookup
# per unit walked on the assignments(annotator, article_id) index.
_ASSIGNED = (
    " AND EXISTS (SELECT 1 FROM assignments s WHERE s.annotator = :annotator "
    "AND s.article_id = u.article_id)"
)


def _like_pattern(text: str) -> str:
    """A LIKE pattern (escaped with a backslash) matching ``text`` anywhere."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


@contextmanager
def _interruptible(
    conn: sqlite3.Connection, cancelled: Callable[[], bool] | None
) -> Iterator[Callable[[], bool]]:
    """Run a long read that stops early once ``cancelled`` turns true (SQLite checks it
    every few thousand steps); yields a function telling whether it was stopped."""
    stopped = False

    def was_stopped() -> bool:
        return stopped

    if cancelled is None:
        yield was_stopped
        return
    conn.set_progress_handler(lambda: int(cancelled()), 10_000)
    try:
        yield was_stopped
    except sqlite3.OperationalError:
        if not cancelled():
            raise
        stopped = True
    finally:
        conn.set_progress_handler(None, 0)


# The same for a label row: its unit's article assigned to the annotator (a unit gone
# has no article: an orphan, which the lookup of its unit leaves out anyway).
_ASSIGNED_LABEL = (
    " AND EXISTS (SELECT 1 FROM units au JOIN assignments s ON s.article_id = au.article_id "
    "AND s.annotator = :annotator WHERE au.id = l.unit_id)"
)


def _ranked_walk(
    conn: sqlite3.Connection,
    table: str,
    column: str,
    annotator: str,
    after: tuple[float, str] | None,
    assigned: bool,
) -> UnitView | None:
    """The first claim ``annotator`` has not labelled in the order (``table.column``,
    unit id) ascending, after the pair ``after`` (None: from the start): a walk on that
    table's (column, unit_id) index, one indexed lookup per row passed. ``table`` and
    ``column`` are the store's own names (suggestions.confidence,
    model_suggestions.certainty), never input."""
    from annotate.store.values import UnitView

    start = "" if after is None else f" AND (g.{column}, g.unit_id) > (:value, :unit)"
    cond = _FILTERS["unlabelled"] + (_ASSIGNED if assigned else "")
    # CROSS JOIN keeps the ranked table the outer loop: the walk follows its index. (Not
    # aliased s: the assignments condition uses that name.)
    row = conn.execute(
        "SELECT u.id, u.article_id, a.path, a.title, a.source, u.pos, u.paragraph, u.seq, "
        f"u.kind, u.text, u.start, u.end FROM {table} g CROSS JOIN units u "
        "ON u.id = g.unit_id JOIN articles a ON a.id = u.article_id "
        f"WHERE u.kind = :kind{start}{cond} ORDER BY g.{column}, g.unit_id LIMIT 1",
        {
            "kind": SENTENCE,
            "annotator": annotator,
            "value": after[0] if after else None,
            "unit": after[1] if after else None,
        },
    ).fetchone()
    return UnitView(*row) if row else None


class QueueQueries(Connection):
    """The labelling queue of the store."""

    def claim_count(self, *, assigned_to: str | None = None) -> int:
        """How many claim units (the labelling queue) the store holds; with
        ``assigned_to``, how many are in the articles assigned to that annotator."""
        if assigned_to is None:
            row = self.conn.execute(f"SELECT ({_UNIT_COUNT}) - ({_NOT_CLAIM_COUNT})")
        else:
            row = self.conn.execute(
                "SELECT count(*) FROM assignments s JOIN units u ON u.article_id = s.article_id "
                "WHERE s.annotator = ? AND u.kind = ?",
                (assigned_to, SENTENCE),
            )
        return int(row.fetchone()[0])

    def labelled_count(self, annotator: str, *, assigned: bool = False) -> int:
        """How many claim units this annotator has labelled (with ``assigned``, in the
        articles assigned to them)."""
        row = self.conn.execute(
            "SELECT count(*) FROM labels l WHERE l.annotator = :annotator "
            "AND l.label IS NOT NULL AND EXISTS (SELECT 1 FROM units u "  # not orphans
            f"WHERE u.id = l.unit_id{_ASSIGNED if assigned else ''})",
            {"annotator": annotator},
        )
        return int(row.fetchone()[0])

    def unit(self, unit_id: str) -> UnitView | None:
        from annotate.store.values import UnitView

        row = self.conn.execute(f"{_UNIT_VIEW} WHERE u.id = ?", (unit_id,)).fetchone()
        return UnitView(*row) if row else None

    def claim_at_or_after(self, pos: int, *, assigned_to: str | None = None) -> UnitView | None:
        """The first claim at ``pos`` or after it (in the articles assigned to
        ``assigned_to``, when given)."""
        from annotate.store.values import UnitView

        cond = _ASSIGNED if assigned_to is not None else ""
        row = self.conn.execute(
            f"{_UNIT_VIEW} WHERE u.pos >= :pos AND u.kind = :kind{cond} ORDER BY u.pos LIMIT 1",
            {"pos": pos, "kind": SENTENCE, "annotator": assigned_to},
        ).fetchone()
        return UnitView(*row) if row else None

    def step(
        self,
        pos: int,
        annotator: str,
        *,
        forward: bool = True,
        only: str | None = None,
        assigned: bool = False,
    ) -> UnitView | None:
        """The next (or previous) claim unit after ``pos`` that passes the ``only`` filter.

        ``only``: None (every claim), "unlabelled", "flagged", "noted", or a label name.
        ``assigned``: only in the articles assigned to ``annotator``. The walk starts at
        ``pos`` on the units.pos index, so its cost depends on how far the answer is, not
        on the size of the corpus.
        """
        from annotate.store.values import UnitView

        if only in LABELS:
            cond = _LABEL_FILTER
        elif (only or "") in _FILTERS:
            cond = _FILTERS[only or ""]
        else:
            raise ValueError(f"unknown filter {only!r}; expected one of {', '.join(FILTERS)}")
        if assigned:
            cond += _ASSIGNED
        op, order = (">", "ASC") if forward else ("<", "DESC")
        params = {"pos": pos, "kind": SENTENCE, "annotator": annotator, "label": only}
        if only is not None and self.walks_matches(annotator, only):
            # The matching rows themselves, each unit looked up by id; the one nearest
            # ``pos`` kept (a sort of one row). CROSS JOIN keeps labels the outer loop.
            query = (
                "SELECT u.id, u.article_id, a.path, a.title, a.source, u.pos, u.paragraph, "
                "u.seq, u.kind, u.text, u.start, u.end FROM labels l CROSS JOIN units u "
                "ON u.id = l.unit_id JOIN articles a ON a.id = u.article_id "
                f"WHERE {_MATCHES[only]} AND u.pos {op} :pos AND u.kind = :kind"
                f"{_ASSIGNED if assigned else ''} ORDER BY u.pos {order} LIMIT 1"
            )
        else:
            query = (
                f"{_UNIT_VIEW} WHERE u.pos {op} :pos AND u.kind = :kind{cond} "
                f"ORDER BY u.pos {order} LIMIT 1"
            )
        row = self.conn.execute(query, params).fetchone()
        return UnitView(*row) if row else None

    def walks_matches(self, annotator: str, only: str) -> bool:
        """Whether ``step`` under the filter ``only`` reads its matching label rows (at
        most SELECTIVE of this annotator's: a query of a few milliseconds at most, however
        far the next match is) rather than walking the queue. The count stops at
        SELECTIVE + 1 index entries."""
        if only not in _MATCHES:
            return False
        row = self.conn.execute(
            f"SELECT count(*) FROM (SELECT 1 FROM labels l WHERE {_MATCHES[only]} LIMIT :most)",
            {"annotator": annotator, "label": only, "most": SELECTIVE + 1},
        ).fetchone()
        return int(row[0]) <= SELECTIVE

    def next_unlabelled(
        self, annotator: str, after: int = -1, *, assigned: bool = False
    ) -> UnitView | None:
        """The first claim this annotator has not labelled after ``after``, wrapping round."""
        found = self.step(after, annotator, only="unlabelled", assigned=assigned)
        if found is None and after >= 0:
            found = self.step(-1, annotator, only="unlabelled", assigned=assigned)
        return found

    def next_by_confidence(
        self,
        annotator: str,
        after: tuple[float, str] | None = None,
        *,
        assigned: bool = False,
    ) -> UnitView | None:
        """The next claim this annotator has not labelled, least certain suggestion first.

        The order is (suggestion confidence, unit id) ascending; ``after`` is such a pair
        to start after (None: from the start). Claims without a suggestion are not in this
        order. No wrapping. The walk is on the suggestions(confidence, unit_id) index,
        with one indexed lookup per suggestion passed, as ``step`` is on units.pos.
        """
        return _ranked_walk(self.conn, "suggestions", "confidence", annotator, after, assigned)

    def resume_position(self, annotator: str) -> int:
        """The queue position of the unit this annotator last worked on (-1 if none)."""
        row = self.conn.execute(
            "SELECT u.pos FROM history h JOIN units u ON u.id = h.unit_id "
            "WHERE h.annotator = ? ORDER BY h.id DESC LIMIT 1",
            (annotator,),
        ).fetchone()
        return int(row[0]) if row else -1

    def article_outline(self, article_id: str) -> tuple[list[int], list[tuple[int, str]]]:
        """The seqs of an article's claims and its (seq, text) subheadings, in order: one
        read of the article's rows, from which the index of each of its claims and the
        heading above it are found without reading it again (see ``claim_index``)."""
        claims: list[int] = []
        headings: list[tuple[int, str]] = []
        rows = self.conn.execute(
            "SELECT seq, kind = :heading, CASE WHEN kind = :heading THEN text END FROM units "
            "WHERE article_id = :article AND kind IN (:claim, :heading) ORDER BY seq",
            {"article": article_id, "claim": SENTENCE, "heading": HEADING},
        )
        for seq, is_heading, text in rows:
            if is_heading:
                headings.append((seq, text))
            else:
                claims.append(seq)
        return claims, headings

    def claim_index(self, unit: UnitView) -> tuple[int, int]:
        """(1-based index of this claim in its article, claims in the article)."""
        row = self.conn.execute(
            "SELECT sum(seq <= ?), count(*) FROM units WHERE article_id = ? AND kind = ?",
            (unit.seq, unit.article_id, SENTENCE),
        ).fetchone()
        return int(row[0] or 0), int(row[1] or 0)

    def article_progress(self, annotator: str, *, assigned: bool = False) -> list[ArticleProgress]:
        """Every article (with ``assigned``, every article assigned to this annotator) in
        queue order with its claim count and this annotator's progress."""
        from annotate.store.values import ArticleProgress

        only = (
            " WHERE EXISTS (SELECT 1 FROM assignments s WHERE s.annotator = :annotator "
            "AND s.article_id = a.id)"
            if assigned
            else ""
        )
        # One pass over the claims, grouped by article: a count per article through the
        # labels' (annotator, label) index would read every label of the annotator once
        # per article (SQLite picks that plan; minutes at 1M labels).
        rows = self.conn.execute(
            "SELECT a.id, a.path, a.title, a.source, coalesce(c.n, 0), coalesce(c.done, 0), "
            "  c.first FROM articles a LEFT JOIN ("
            "    SELECT u.article_id, count(*) AS n, count(l.label) AS done, min(u.pos) AS first"
            "    FROM units u LEFT JOIN labels l ON l.unit_id = u.id AND l.annotator = :annotator"
            "    WHERE u.kind = :kind GROUP BY u.article_id"
            f"  ) c ON c.article_id = a.id{only} ORDER BY a.ord",
            {"kind": SENTENCE, "annotator": annotator},
        )
        return [ArticleProgress(*r) for r in rows]

    def search(
        self, text: str, *, limit: int = 200, assigned_to: str | None = None
    ) -> list[UnitView]:
        """Claim units whose text contains ``text`` (case-insensitive), in queue order;
        with ``assigned_to``, only in the articles assigned to that annotator."""
        page = self.search_page(
            text, assigned_to or "", limit=limit, assigned=assigned_to is not None
        )
        return [unit for unit, _ in page or []]

    def search_page(
        self,
        text: str,
        annotator: str,
        *,
        after: int = -1,
        limit: int = 200,
        assigned: bool = False,
        cancelled: Callable[[], bool] | None = None,
    ) -> list[tuple[UnitView, LabelState]] | None:
        """One page of the claim units whose text contains ``text`` (case-insensitive):
        the first ``limit`` after queue position ``after``, in queue order, each with
        ``annotator``'s label state (with ``assigned``, only in their articles). The walk
        is on units.pos from ``after``, so a page costs what it reads (the whole corpus
        for a rare word: a worker's job); None if ``cancelled`` turned true meanwhile."""
        from annotate.store.values import LabelState, UnitView

        cond = _ASSIGNED if assigned else ""
        with _interruptible(self.conn, cancelled) as stopped:
            rows = self.conn.execute(
                "SELECT u.id, u.article_id, a.path, a.title, a.source, u.pos, u.paragraph, "
                "u.seq, u.kind, u.text, u.start, u.end, l.label, l.note, coalesce(l.flagged, 0), "
                "l.source, l.labeled_at FROM units u JOIN articles a ON a.id = u.article_id "
                "LEFT JOIN labels l ON l.unit_id = u.id AND l.annotator = :annotator "
                "WHERE u.pos > :after AND u.kind = :kind "
                f"AND u.text LIKE :pattern ESCAPE '\\'{cond} ORDER BY u.pos LIMIT :limit",
                {
                    "kind": SENTENCE,
                    "pattern": _like_pattern(text),
                    "after": after,
                    "limit": limit,
                    "annotator": annotator,
                },
            ).fetchall()
        if stopped():
            return None
        return [
            (UnitView(*r[:12]), LabelState(r[12], r[13], bool(r[14]), r[15], r[16])) for r in rows
        ]

    def search_count(
        self,
        text: str,
        *,
        assigned_to: str | None = None,
        cancelled: Callable[[], bool] | None = None,
    ) -> int | None:
        """How many claim units contain ``text`` (with ``assigned_to``, in that annotator's
        articles). A pass over every unit (no index holds substrings), so it is for a
        worker (benchmarks/find_speed.py); None if ``cancelled`` turned true meanwhile (a newer
        search), the query being interrupted rather than run to its end."""
        cond = _ASSIGNED if assigned_to is not None else ""
        with _interruptible(self.conn, cancelled) as stopped:
            row = self.conn.execute(
                "SELECT count(*) FROM units u WHERE u.kind = :kind "
                f"AND u.text LIKE :pattern ESCAPE '\\'{cond}",
                {"kind": SENTENCE, "pattern": _like_pattern(text), "annotator": assigned_to},
            ).fetchone()
        return None if stopped() else int(row[0])

    def filter_counts(
        self,
        annotator: str,
        *,
        assigned: bool = False,
        known: tuple[int, int] | None = None,
    ) -> dict[str, int]:
        """How many claims each filter of the labelling screen holds for ``annotator``
        (with ``assigned``, in their articles): "" (all), "unlabelled", "flagged",
        "noted" and each label; orphan labels (their unit gone) do not count.

        ``known``: (claims, labelled) as the progress count found them. Then the labels
        are counted on the labels(annotator, label) index alone, the flagged and noted
        rows on their own indexes, and that is the answer when the labels agree with
        ``labelled`` and no label of the annotator is a known orphan (removed_units);
        otherwise, as without ``known``, each label's unit is looked up too: the
        progress count's lookups, a worker's job on a big database
        (benchmarks/find_speed.py)."""
        where = f"l.annotator = :annotator{_ASSIGNED_LABEL if assigned else ''}"
        params = {"annotator": annotator, "kind": SENTENCE}
        units = " AND EXISTS (SELECT 1 FROM units u WHERE u.id = l.unit_id AND u.kind = :kind)"

        def by_label(check: str) -> list[tuple[str, int]]:
            # One count per label: a range of the index each (a GROUP BY over every
            # label row of the annotator steps through them about twice as slowly).
            return [
                (label, self._count(f"{where} AND l.label = :label{check}", params, label))
                for label in LABELS
            ]

        rows = None
        if known is not None:
            rows = by_label("")
            orphans = self.conn.execute(
                # From the few removed units to their labels (CROSS JOIN: not from
                # every label of the annotator to removed_units).
                "SELECT EXISTS (SELECT 1 FROM removed_units r CROSS JOIN labels l "
                "ON l.unit_id = r.unit_id AND l.annotator = :annotator "
                "WHERE NOT EXISTS (SELECT 1 FROM units u WHERE u.id = r.unit_id))",
                params,
            ).fetchone()[0]
            if sum(n for _, n in rows) != known[1] or orphans:
                rows = None
        check = ""
        if rows is None:
            check = units
            rows = by_label(check)
        counts = dict.fromkeys(("", "unlabelled", "flagged", "noted", *LABELS), 0)
        if known is not None:
            counts[""] = known[0]
        else:
            counts[""] = self.claim_count(assigned_to=annotator if assigned else None)
        for label, n in rows:
            counts[label] = n
        for only in ("flagged", "noted"):  # on their partial indexes
            cond = f"{_MATCHES[only]}{_ASSIGNED_LABEL if assigned else ''}{check}"
            counts[only] = self._count(cond, params)
        counts["unlabelled"] = counts[""] - sum(counts[label] for label in LABELS)
        return counts

    def _count(self, where: str, params: dict[str, str], label: str | None = None) -> int:
        """How many label rows ``l`` pass ``where``."""
        query = f"SELECT count(*) FROM labels l WHERE {where}"
        return int(self.conn.execute(query, {**params, "label": label}).fetchone()[0])

    # The labelling app reads its progress counters once, in a worker thread, and then
    # keeps them up to date itself; these let it do so without missing a decision made
    # while the count ran.

    def progress_snapshot(self, annotator: str, *, assigned: bool = False) -> tuple[int, int, int]:
        """(claims, claims this annotator labelled, last history id) in one read snapshot;
        with ``assigned``, counting only the articles assigned to this annotator.

        The counts pass over an index of the whole corpus (~0.3 s at 1M units), so the
        app runs this off the main thread and adds ``labelled_delta_since`` afterwards.
        """
        self.conn.execute("BEGIN")
        try:
            last = self.conn.execute(
                "SELECT coalesce(max(id), 0) FROM history WHERE annotator = ?", (annotator,)
            ).fetchone()[0]
            claims = self.claim_count(assigned_to=annotator if assigned else None)
            labelled = self.labelled_count(annotator, assigned=assigned)
        finally:
            self.conn.execute("COMMIT")
        return claims, labelled, int(last)

    def labelled_delta_since(
        self, annotator: str, history_id: int, *, assigned: bool = False
    ) -> int:
        """How this annotator's labelled count changed after history entry ``history_id``
        (with ``assigned``, in the articles assigned to them)."""
        # A unit that left with its label (a merge) is found through removed_units.
        of_assigned = (
            " AND EXISTS (SELECT 1 FROM assignments s WHERE s.annotator = h.annotator "
            "AND s.article_id = coalesce("
            "(SELECT u.article_id FROM units u WHERE u.id = h.unit_id), "
            "(SELECT r.article_id FROM removed_units r WHERE r.unit_id = h.unit_id)))"
            if assigned
            else ""
        )
        row = self.conn.execute(
            "SELECT coalesce(sum((h.label IS NOT NULL) - (h.prev_label IS NOT NULL)), 0) "
            f"FROM history h WHERE h.annotator = ? AND h.id > ?{of_assigned}",
            (annotator, history_id),
        ).fetchone()
        return int(row[0])
