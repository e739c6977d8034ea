"""The labelling session: what it shows of the current claim stays what is stored."""

from __future__ import annotations

from helpers.builders import add_article

from annotate.labelling.session import ArticleReads, Session, context_of
from annotate.model import HEADING, SENTENCE, Unit
from annotate.store import Store


def save(store: Store, path: str, items: list[tuple[int, str, str]]) -> None:
    """Store an article of (paragraph, kind, text) units."""
    units, offset = [], 0
    for seq, (paragraph, kind, text) in enumerate(items):
        units.append(Unit(paragraph, seq, kind, text, offset, offset + len(text)))
        offset += len(text) + 1
    store.save_article(
        path=path,
        file=path,
        sha256=str(len(items)),
        title=None,
        source="test",
        url=None,
        date=None,
        cleaned=" ".join(t for _, _, t in items),
        segmenter="test",
        units=units,
    )


ITEMS = [
    (0, HEADING, "Talks"),
    (1, SENTENCE, "The talks began."),
    (1, SENTENCE, "Officials met."),
    (2, HEADING, "Later"),
    (3, SENTENCE, "The talks ended."),
    (3, SENTENCE, "Nobody spoke."),
]


def test_context_gives_the_paragraph_index_and_heading_as_the_store_does(store):
    save(store, "a.txt", ITEMS)
    add_article(store, "b.txt", ["Another claim.", "And one more."])
    session = Session(store, "alice")
    session.start()
    seen = []
    while True:
        context = session.context()
        assert context is not None
        u = context.unit
        assert context.paragraph == store.article_units(u.article_id, u.paragraph)
        assert (context.index, context.of) == store.claim_index(u)
        assert context.heading == store.heading_before(u.article_id, u.seq)
        seen.append((u.text, context.index, context.of, context.heading))
        session.label("unattributed")
        if session.advance() is None:
            break
    assert seen == [
        ("The talks began.", 1, 4, "Talks"),
        ("Officials met.", 2, 4, "Talks"),
        ("The talks ended.", 3, 4, "Later"),
        ("Nobody spoke.", 4, 4, "Later"),
        ("Another claim.", 1, 2, None),
        ("And one more.", 2, 2, None),
    ]


def test_context_shows_what_another_connection_stored_meanwhile(store, db_path):
    save(store, "a.txt", ITEMS)
    session = Session(store, "alice")
    session.start()
    assert [u.text for u in session.context().paragraph] == ["The talks began.", "Officials met."]
    with Store.open(db_path) as other:  # an ingest, another annotator
        changed = list(ITEMS)
        changed[2] = (1, SENTENCE, "Officials met again.")
        changed.insert(2, (1, SENTENCE, "Then it rained."))
        save(other, "a.txt", changed)
    context = session.context()
    assert [u.text for u in context.paragraph] == [
        "The talks began.",
        "Then it rained.",
        "Officials met again.",
    ]
    assert (context.index, context.of) == (1, 5)


def test_a_filter_walked_on_its_rows_wraps_round_and_stops_at_the_ends(store):
    a = add_article(store, "a.txt", ["A one.", "A two."])
    b = add_article(store, "b.txt", ["B one.", "B two."])
    store.set_flag(a[1], "alice", True)
    store.set_flag(b[0], "alice", True)
    session = Session(store, "alice")
    session.start()
    session.go_to(b[1])
    assert store.walks_matches("alice", "flagged")
    found = session.set_filter("flagged")  # none after B two: wrapped round
    assert found is not None and found.id == a[1]
    assert session.step().id == b[0]
    assert session.step() is None and session.unit.id == b[0]
    assert session.step(forward=False).id == a[1]
    assert session.step(forward=False) is None and session.unit.id == a[1]


def test_the_unlabelled_filter_walks_nothing_once_every_claim_is_labelled(store, monkeypatch):
    ids = add_article(store, "a.txt", ["A one.", "A two."])
    session = Session(store, "alice")
    session.start()
    session.label("attributed")
    session.advance()
    session.label("attributed")
    assert session.advance() is None and session.complete
    walks: list[tuple] = []
    real = store.step
    monkeypatch.setattr(store, "step", lambda *a, **k: walks.append(a) or real(*a, **k))
    assert session.set_filter("unlabelled") is None and session.unit.id == ids[1]
    assert session.step() is None and session.step(forward=False) is None
    assert walks == []  # each would have read every claim of the queue
    session.undo()  # A two is unlabelled again: the walks look once more
    session.go_to(ids[0])
    assert session.step().id == ids[1] and walks


def test_the_next_claim_of_the_article_reads_its_outline_no_more(store, db_path, monkeypatch):
    save(store, "a.txt", ITEMS)
    reads: list[str] = []
    outline = store.article_outline
    monkeypatch.setattr(store, "article_outline", lambda a: reads.append(a) or outline(a))
    session = Session(store, "alice")
    session.start()
    shown = []
    for _ in range(3):  # labelled and on to the next claim, twice
        context = session.context()
        shown.append((context.unit.text, context.index, context.heading))
        session.label("unattributed")
        session.advance()
    assert shown == [
        ("The talks began.", 1, "Talks"),
        ("Officials met.", 2, "Talks"),
        ("The talks ended.", 3, "Later"),
    ]
    assert len(reads) == 1
    with Store.open(db_path) as other:  # another connection's write: read again
        other.set_label(session.unit.id, "bob", "editorial")
    session.context()
    assert len(reads) == 2


def test_claims_of_articles_in_turn_read_no_outline(store, monkeypatch):
    a = add_article(store, "a.txt", ["A one.", "A two."])
    b = add_article(store, "b.txt", ["B one.", "B two."])
    reads: list[str] = []
    outline = store.article_outline
    monkeypatch.setattr(store, "article_outline", lambda x: reads.append(x) or outline(x))
    held = ArticleReads(store)
    shown = []
    for unit_id in (a[0], b[1], a[1], b[0]):  # a filter jumping from article to article
        context = context_of(store, store.unit(unit_id), None, None, held)
        shown.append((context.unit.text, context.index, context.of))
    assert shown == [("A one.", 1, 2), ("B two.", 2, 2), ("A two.", 2, 2), ("B one.", 1, 2)]
    assert reads == []  # each claim placed by indexed reads, no article read whole
    context = context_of(store, store.unit(b[1]), None, None, held)  # B again, in a row
    assert (context.index, context.of) == (2, 2) and len(reads) == 1
