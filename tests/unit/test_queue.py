"""The labelling queue's walks under a filter: the matching label rows themselves when few
pass, the queue in units.pos order otherwise, with the same answers either way."""

from __future__ import annotations

import itertools

import pytest
from helpers.builders import add_article

import annotate.store.queue as queue
from annotate.model import LABELS, article_id
from annotate.store import FILTERS, Store

WALKED_ON_ROWS = [only for only in FILTERS if only != "unlabelled"]


@pytest.fixture
def queue_store(store: Store) -> Store:
    """Three articles of four claims; ann's labels, flags and notes spread through them,
    bob's beside them, and a flagged, noted, labelled row of ann's whose unit is gone."""
    a = add_article(store, "a.txt", ["A one.", "A two.", "A three.", "A four."])
    b = add_article(store, "b.txt", ["B one.", "B two.", "B three.", "B four."])
    c = add_article(store, "c.txt", ["C one.", "C two.", "C three.", "C four."])
    for uid, label in ((a[3], "editorial"), (b[0], "editorial"), (c[2], "attributed")):
        store.set_label(uid, "ann", label)
    store.set_label(b[2], "ann", "not_claim")
    for uid in (a[1], b[3], c[0]):
        store.set_flag(uid, "ann", True)
    for uid in (a[3], c[3]):
        store.set_note(uid, "ann", "check")
    store.set_flag(a[2], "bob", True)
    store.set_note(b[1], "bob", "bob's")
    store.set_label(a[0], "bob", "editorial")
    store.set_label(c[1], "ann", "unattributed")
    store.set_flag(c[1], "ann", True)
    store.set_note(c[1], "ann", "gone soon")
    add_article(store, "c.txt", ["C one.", "C two changed.", "C three.", "C four."])
    return store


def texts(store: Store) -> list[tuple[int, str]]:
    """(pos, text) of every claim, in queue order."""
    rows = store.conn.execute("SELECT pos, text FROM units WHERE kind = 'sentence' ORDER BY pos")
    return [(int(p), t) for p, t in rows]


def walk(store: Store, only: str, *, forward: bool = True, assigned: bool = False) -> list[str]:
    """Every claim ``step`` reaches from one end of the queue under ``only``."""
    found, pos = [], -1 if forward else 10**9
    while (u := store.step(pos, "ann", forward=forward, only=only, assigned=assigned)) is not None:
        found.append(u.text)
        pos = u.pos
    return found


def test_a_filter_few_rows_pass_walks_them_in_queue_order_across_articles(queue_store):
    s = queue_store
    for only in WALKED_ON_ROWS:
        assert s.walks_matches("ann", only), only
    assert walk(s, "flagged") == ["A two.", "B four.", "C one."]
    assert walk(s, "flagged", forward=False) == ["C one.", "B four.", "A two."]
    assert walk(s, "noted") == ["A four.", "C four."]
    assert walk(s, "editorial") == ["A four.", "B one."]
    assert walk(s, "editorial", forward=False) == ["B one.", "A four."]
    assert walk(s, "unattributed") == []  # its one row's unit is gone (an orphan)
    assert not s.walks_matches("ann", "unlabelled")  # no row to walk: the queue it is


def test_the_rows_walk_answers_as_the_queue_walk_from_every_position(queue_store, monkeypatch):
    s = queue_store
    s.set_assignments([(article_id("a.txt"), "ann"), (article_id("c.txt"), "ann")])
    positions = [-1, *(p for p, _ in texts(s)), 10**9]

    def answers() -> dict[tuple, str | None]:
        out = {}
        for only, pos, forward, mine in itertools.product(
            WALKED_ON_ROWS, positions, (True, False), (False, True)
        ):
            u = s.step(pos, "ann", forward=forward, only=only, assigned=mine)
            out[only, pos, forward, mine] = u.text if u else None
        return out

    on_rows = answers()
    monkeypatch.setattr(queue, "SELECTIVE", -1)  # no filter walked on its rows
    assert not any(s.walks_matches("ann", only) for only in WALKED_ON_ROWS)
    assert answers() == on_rows
    assert on_rows["flagged", -1, True, True] == "A two."
    assert on_rows["flagged", positions[2], True, True] == "C one."  # b.txt is not hers


def test_past_selective_rows_the_filter_walks_the_queue(queue_store, monkeypatch):
    s = queue_store
    monkeypatch.setattr(queue, "SELECTIVE", 4)
    assert s.walks_matches("ann", "flagged")  # A two, B four, C one and the orphan
    s.set_flag(s.units_of_article("a.txt")[0]["id"], "ann", True)
    assert not s.walks_matches("ann", "flagged")
    assert walk(s, "flagged") == ["A one.", "A two.", "B four.", "C one."]
    assert s.walks_matches("bob", "flagged")  # each annotator's rows
    with pytest.raises(ValueError, match="unknown filter"):
        s.step(0, "ann", only="bogus")


def test_a_flag_or_note_taken_back_leaves_the_walk(queue_store):
    s = queue_store
    a_two = s.units_of_article("a.txt")[1]["id"]
    s.set_flag(a_two, "ann", False)
    c_four = s.units_of_article("c.txt")[3]["id"]
    s.set_note(c_four, "ann", None)
    assert walk(s, "flagged") == ["B four.", "C one."]
    assert walk(s, "noted") == ["A four."]


def test_the_walks_read_the_matching_rows_on_their_indexes(queue_store):
    """The plan SQLite makes for each walk: the annotator's flagged, noted or labelled
    rows on an index of them (schema 14 for flagged and noted), each unit by its id."""
    s = queue_store
    statements: list[str] = []
    s.conn.set_trace_callback(statements.append)
    try:
        for only in ("flagged", "noted", "editorial"):
            s.step(-1, "ann", only=only)
    finally:
        s.conn.set_trace_callback(None)
    walks = [q for q in statements if q.startswith("SELECT u.id")]
    assert len(walks) == 3
    plans = [[row[3] for row in s.conn.execute(f"EXPLAIN QUERY PLAN {q}")] for q in walks]
    indexes = ("labels_flagged", "labels_noted", "idx_labels_annotator_label")
    for plan, index in zip(plans, indexes, strict=True):
        assert plan[0].startswith("SEARCH l USING") and index in plan[0], plan
        assert any(p.startswith("SEARCH u USING INDEX units_id") for p in plan)
        assert not any("SCAN" in p for p in plan), plan  # no pass over units or labels


def test_filter_counts_agree_with_the_walks(queue_store):
    s = queue_store
    known = (s.claim_count(), s.labelled_count("ann"))
    for counts in (s.filter_counts("ann"), s.filter_counts("ann", known=known)):
        for only in WALKED_ON_ROWS:
            assert counts[only] == len(walk(s, only)), only
        assert counts["unlabelled"] == counts[""] - sum(counts[label] for label in LABELS)
