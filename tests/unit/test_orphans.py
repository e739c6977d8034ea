"""Labels through corpus changes: a labelled article is edited on disk and re-ingested.

Each case of the issue: an unchanged sentence keeps its label, an edited sentence's label
becomes an orphan (kept, counted, listed), a new sentence is unlabelled, a manual merge or
split is applied again, and one that no longer applies is reported and kept.
"""

from __future__ import annotations

from click.testing import CliRunner

from annotate.cli import main
from annotate.datasets import stats
from annotate.ingest import Summary, ingest
from annotate.labelling.session import Session
from annotate.store import Store

WHO = "ana"

ARTICLE = """Ministers agree on new budget

The finance ministers met on Monday in Brussels, officials said. They agreed on a budget \
for the coming year. The deal was signed at noon.

Critics were not convinced. The opposition called it a gift to banks.
"""


def run(store: Store, root) -> Summary:
    *_, summary = ingest(store, root)
    assert isinstance(summary, Summary)
    return summary


def claims(store: Store) -> list[str]:
    return [u["text"] for u in store.units_of_article("a.txt") if u["kind"] == "sentence"]


def label_of(store: Store, text: str) -> str | None:
    [uid] = store.unit_ids_with_text("a.txt", text)
    return store.label_state(uid, WHO).label


def setup(store: Store, tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(ARTICLE, encoding="utf-8")
    run(store, corpus)
    session = Session(store, WHO)
    session.start()
    for label in ("attributed", "unattributed", "editorial", "unattributed", "editorial"):
        session.label(label)
        session.advance()
    return corpus, session


def edit(corpus, old: str, new: str) -> None:
    path = corpus / "a.txt"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_edited_article_keeps_unchanged_labels_and_orphans_the_others(store, tmp_path):
    corpus, _ = setup(store, tmp_path)
    assert store.labelled_count(WHO) == 5
    edit(corpus, "Critics were not convinced.", "Critics were furious. Unions joined them.")
    summary = run(store, corpus)
    assert summary.updated == 1 and summary.orphaned == 1
    # Unchanged sentences keep their labels; the new ones are unlabelled.
    assert label_of(store, "The deal was signed at noon.") == "editorial"
    assert label_of(store, "The opposition called it a gift to banks.") == "editorial"
    assert label_of(store, "Critics were furious.") is None
    assert label_of(store, "Unions joined them.") is None
    # The edited sentence's label is an orphan: kept, counted, listed with its old text.
    assert store.labelled_count(WHO) == 4
    [orphan] = store.orphan_labels()
    assert (orphan.annotator, orphan.label, orphan.text, orphan.article_path) == (
        WHO,
        "unattributed",
        "Critics were not convinced.",
        "a.txt",
    )
    assert stats.collect(store).orphans == 1
    # Putting the sentence back brings its label back.
    edit(corpus, "Critics were furious. Unions joined them.", "Critics were not convinced.")
    run(store, corpus)
    assert label_of(store, "Critics were not convinced.") == "unattributed"
    assert store.orphan_labels() == []


def test_manual_merge_and_split_are_applied_again_after_reingest(store, tmp_path):
    corpus, session = setup(store, tmp_path)
    session.go_to(store.unit_ids_with_text("a.txt", "Critics were not convinced.")[0])
    session.merge_next()
    merged = "Critics were not convinced. The opposition called it a gift to banks."
    session.label("editorial")
    first = "The finance ministers met on Monday in Brussels, officials said."
    session.go_to(store.unit_ids_with_text("a.txt", first)[0])
    session.split_at(first.index("officials"))
    assert claims(store)[:2] == [
        "The finance ministers met on Monday in Brussels,",
        "officials said.",
    ]
    # The file changes elsewhere: the article is re-segmented and both fixes come back.
    edit(corpus, "The deal was signed at noon.", "The deal was signed at one.")
    summary = run(store, corpus)
    assert summary.edits_applied == 2 and summary.edits_failed == []
    assert claims(store) == [
        "The finance ministers met on Monday in Brussels,",
        "officials said.",
        "They agreed on a budget for the coming year.",
        "The deal was signed at one.",
        merged,
    ]
    assert label_of(store, merged) == "editorial"  # same text, same id: the label carries
    article = store.article("a.txt")
    assert article is not None
    cleaned, units = store.segment_units(article.id)
    assert all(cleaned[u.start : u.end] == u.text for u in units)


def test_an_edit_that_no_longer_applies_is_reported_and_kept(store, tmp_path):
    corpus, session = setup(store, tmp_path)
    session.go_to(store.unit_ids_with_text("a.txt", "Critics were not convinced.")[0])
    session.merge_next()
    edit(corpus, "Critics were not convinced.", "Critics objected.")
    summary = run(store, corpus)
    assert summary.edits_applied == 0
    [failed] = summary.edits_failed
    assert failed.startswith("a.txt: merge of 'Critics were not convinced.'")
    [record] = store.segment_edits()
    assert not record.applies and record.undone_at is None  # kept, not dropped
    assert "Critics objected." in claims(store)
    # Reported again by the next re-segmentation, still kept.
    edit(corpus, "Critics objected.", "Critics objected loudly.")
    assert len(run(store, corpus).edits_failed) == 1


def test_undone_edits_are_not_applied_again(store, tmp_path):
    corpus, session = setup(store, tmp_path)
    session.go_to(store.unit_ids_with_text("a.txt", "Critics were not convinced.")[0])
    session.merge_next()
    session.undo()
    edit(corpus, "The deal was signed at noon.", "The deal was signed at one.")
    summary = run(store, corpus)
    assert summary.edits_applied == 0 and summary.edits_failed == []
    assert "Critics were not convinced." in claims(store)


def test_cli_reports_orphans_in_ingest_and_lists_them_in_stats(tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(ARTICLE, encoding="utf-8")
    db = str(tmp_path / "t.db")
    runner = CliRunner()
    assert runner.invoke(main, ["ingest", str(corpus), "--db", db]).exit_code == 0
    with Store.open(db) as store:
        session = Session(store, WHO)
        session.start()
        session.label("attributed")
        session.go_to(store.unit_ids_with_text("a.txt", "Critics were not convinced.")[0])
        session.merge_next()
    edit(corpus, "officials said.", "an official said.")
    edit(corpus, "Critics were not convinced.", "Critics objected.")
    result = runner.invoke(main, ["ingest", str(corpus), "--db", db])
    assert result.exit_code == 0, result.output
    assert "1 label(s) are orphaned: their sentence changed" in result.output
    assert "1 manual merge(s) or split(s) no longer apply" in result.output
    assert "a.txt: merge of 'Critics were not convinced.'" in result.output
    result = runner.invoke(main, ["stats", "--db", db])
    assert "orphan labels" in result.output
    result = runner.invoke(main, ["stats", "--orphans", "--db", db])
    assert result.exit_code == 0, result.output
    assert WHO in result.output and "attributed" in result.output
    assert "Brussels, officials said." in result.output
    result = runner.invoke(main, ["stats", "--orphans", "--json", "--db", db])
    assert '"text": "The finance ministers met on Monday in Brussels, officials said."' in (
        result.output
    )


def test_edits_recorded_under_the_old_action_names_still_apply(store, tmp_path):
    from annotate.text.resegment import MERGE, SPLIT

    corpus, session = setup(store, tmp_path)
    session.go_to(store.unit_ids_with_text("a.txt", "Critics were not convinced.")[0])
    session.merge_next()
    first = "The finance ministers met on Monday in Brussels, officials said."
    session.go_to(store.unit_ids_with_text("a.txt", first)[0])
    session.split_at(first.index("officials"))
    # A database from before the rename says merge/split (as `annotate merge` logs 'merge').
    store.conn.execute(
        "UPDATE segment_edits SET action = CASE action WHEN ? THEN 'merge' ELSE 'split' END",
        (MERGE,),
    )
    assert [e.edit.action for e in store.segment_edits()] == [MERGE, SPLIT]
    edit(corpus, "The deal was signed at noon.", "The deal was signed at one.")
    assert run(store, corpus).edits_applied == 2
    assert claims(store)[:2] == [
        "The finance ministers met on Monday in Brussels,",
        "officials said.",
    ]
    session.undo()  # the split
    [action] = {h["action"] for h in store.history(WHO, 3)}
    assert action == "undo-split-unit"
