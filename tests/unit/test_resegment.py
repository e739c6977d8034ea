"""Pure merge, split, undo and replay of unit lists; offsets stay exact (hypothesis)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from annotate.model import Block, Unit
from annotate.store import Store
from annotate.text import resegment
from annotate.text.resegment import MERGE, SPLIT, SegmentError, Span
from annotate.text.segment import segment

TEXT = "One fine day.  Two words here. Three!\n\nFour starts a paragraph. Five ends it."


def units_of(text: str = TEXT) -> tuple[str, list[Unit]]:
    return segment([Block("paragraph", p) for p in text.split("\n\n")])


def exact(cleaned: str, units: list[Unit]) -> None:
    assert all(cleaned[u.start : u.end] == u.text for u in units)
    assert [u.seq for u in units] == list(range(len(units)))


def test_merge_spans_the_space_between():
    cleaned, units = units_of()
    merged, edit = resegment.merge(cleaned, units, 0)
    exact(cleaned, merged)
    assert merged[0].text == "One fine day.  Two words here."  # both spaces kept
    assert edit.action == MERGE and [s.text for s in edit.before] == [
        "One fine day.",
        "Two words here.",
    ]


def test_merge_refuses_across_paragraphs_and_at_the_end():
    cleaned, units = units_of()
    with pytest.raises(SegmentError, match="another paragraph"):
        resegment.merge(cleaned, units, 2)
    with pytest.raises(SegmentError, match="no next unit"):
        resegment.merge(cleaned, units, len(units) - 1)


def test_split_strips_the_halves():
    cleaned, units = units_of()
    out, edit = resegment.split(cleaned, units, 1, len("Two "))
    exact(cleaned, out)
    assert [u.text for u in out[1:3]] == ["Two", "words here."]
    assert edit.action == SPLIT and edit.after[1] == Span("words here.", 19, 30)
    with pytest.raises(SegmentError):
        resegment.split(cleaned, units, 1, 0)


def test_undo_restores_the_list():
    cleaned, units = units_of()
    merged, edit = resegment.merge(cleaned, units, 3)
    assert resegment.undo(cleaned, merged, edit) == units
    split, edit = resegment.split(cleaned, units, 0, 4)
    assert resegment.undo(cleaned, split, edit) == units


def test_replay_after_an_edit_elsewhere_and_when_gone():
    cleaned, units = units_of()
    _, merge = resegment.merge(cleaned, units, 3)
    _, split = resegment.split(cleaned, units, 1, len("Two "))
    new_cleaned, new_units = units_of("A new first one. " + TEXT)
    out, failed = resegment.replay(new_cleaned, new_units, [merge, split])
    exact(new_cleaned, out)
    assert failed == []
    assert "Four starts a paragraph. Five ends it." in [u.text for u in out]
    assert "words here." in [u.text for u in out]
    gone_cleaned, gone_units = units_of(TEXT.replace("Five ends it.", "Five is new."))
    out, failed = resegment.replay(gone_cleaned, gone_units, [merge, split])
    assert failed == [0] and "Two" in [u.text for u in out]


def test_replay_when_the_splitter_already_does_it():
    cleaned, units = units_of()
    _, edit = resegment.merge(cleaned, units, 3)
    together = TEXT.replace("paragraph. Five", "paragraph; Five")
    c2, u2 = units_of(together)
    # A different text: no longer applies. The same merged text from the splitter: no-op.
    assert resegment.apply(c2, u2, edit) is None
    merged = resegment.merge(cleaned, units, 3)[0]
    assert resegment.apply(cleaned, merged, edit) == merged


sentences = st.lists(
    st.text(st.sampled_from("abc xyz"), min_size=1, max_size=12).map(lambda s: s.strip() or "w"),
    min_size=2,
    max_size=6,
)


@given(words=sentences, data=st.data())
def test_merge_and_split_keep_offsets_exact(words, data):
    text = " ".join(w.capitalize() + "." for w in words)
    cleaned, units = units_of(text)
    if len(units) > 1:
        i = data.draw(st.integers(0, len(units) - 2))
        units, _ = resegment.merge(cleaned, units, i)
        exact(cleaned, units)
    i = data.draw(st.integers(0, len(units) - 1))
    at = data.draw(st.integers(0, len(units[i].text)))
    try:
        out, edit = resegment.split(cleaned, units, i, at)
    except SegmentError:
        return
    exact(cleaned, out)
    assert resegment.undo(cleaned, out, edit) == units


def test_migration_5_on_an_old_database_with_labels(db_path):
    """A database at schema 4 holding labels opens at 5; its labels and units survive."""
    from sqlite_utils import Database

    from annotate.store import MIGRATIONS, migrations

    db = Database(db_path)
    migrations().apply(db, stop_before="m005_segment_edits")
    db.conn.execute("PRAGMA user_version = 4")
    db.close()
    assert MIGRATIONS[4].__name__ == "_m005_segment_edits"
    cleaned, units = units_of()

    def save(store: Store, units: list[Unit]) -> None:
        store.save_article(
            path="a.txt",
            file="a.txt",
            sha256=str(len(units)),
            title=None,
            source=None,
            url=None,
            date=None,
            cleaned=cleaned,
            segmenter="v",
            units=units,
        )

    with Store.open(db_path, migrate=False) as old:
        save(old, units)
        # A label as schema 4 wrote it (today's set_label also writes history.source).
        old.conn.execute(
            "INSERT INTO labels (unit_id, annotator, label, labeled_at, flagged) "
            "VALUES (?, 'ana', 'editorial', '2025-01-01T00:00:00.000000Z', 0)",
            (old.unit_ids_with_text("a.txt", "Three!")[0],),
        )
    with Store.open(db_path) as store:
        assert {"segment_edits", "removed_units"} <= set(store.db.table_names())
        assert store.labelled_count("ana") == 1 and store.segment_edits() == []
        save(store, resegment.merge(cleaned, units, 1)[0])  # "Three!" goes into a merge
        assert store.labelled_count("ana") == 0
        [orphan] = store.orphan_labels()
        assert (orphan.label, orphan.text) == ("editorial", "Three!")
