"""Evaluation: scoring, the shipped evaluation set, a tiny database and the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from annotate.cli import main
from annotate.ingest import ingest, suggest_all
from annotate.model import LABELS
from annotate.store import SCHEMA_VERSION, Store
from annotate.suggest.cues import rules_version
from annotate.team.evaluate import (
    evaluate_file,
    evaluate_store,
    load_eval_units,
    report_lines,
    score,
    to_json,
)


def test_score_counts_precision_recall_and_confusion():
    s = score(
        [
            ("attributed", "attributed"),
            ("attributed", "unattributed"),
            ("unattributed", "unattributed"),
            ("editorial", "attributed"),
        ]
    )
    assert s.n == 4 and s.accuracy == pytest.approx(0.5)
    a = s.per_label["attributed"]
    assert (a.precision, a.recall, a.support, a.predicted) == (0.5, 0.5, 2, 2)
    assert s.confusion["editorial"]["attributed"] == 1
    assert s.per_label["not_claim"].f1 == 0.0


def test_macro_f1_is_the_mean_over_the_labels_that_occur():
    s = score(
        [("attributed", "attributed"), ("attributed", "unattributed"), ("editorial", "editorial")]
    )
    f1 = {lab: v.f1 for lab, v in s.per_label.items()}
    # not_claim occurs nowhere and does not count; unattributed was suggested once, wrongly.
    assert s.macro_f1 == pytest.approx((f1["attributed"] + 0.0 + f1["editorial"]) / 3)
    assert score([]).macro_f1 == 0.0


def test_every_shipped_set_is_scored_and_reported():
    results = evaluate_file()
    assert {"all", "dev", "heldout", "heldout3"} <= set(results)
    assert results["heldout3"].n >= 100
    lines = list(report_lines("heldout3", results["heldout3"]))
    assert "macro-F1" in lines[0] and "suggested" in lines[1]
    assert "confusion" in "\n".join(lines)
    data = to_json(results)
    assert 0.0 < data["heldout3"]["macro_f1"] <= 1.0


def test_empty_score_is_zero_not_an_error():
    assert score([]).accuracy == 0.0


def test_shipped_evaluation_set_is_big_valid_and_meets_targets():
    units = load_eval_units()
    assert len(units) >= 150
    assert {u.label for u in units} <= set(LABELS)
    assert {"dev", "heldout"} <= {u.split for u in units}
    overall = evaluate_file()["all"]
    assert overall.accuracy >= 0.8
    assert overall.per_label["attributed"].precision >= 0.9
    assert overall.per_label["attributed"].recall >= 0.85


def test_bad_evaluation_file_names_the_line(tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "x", "label": "attributed"}\n{"text": "no label"}\n')
    with pytest.raises(ValueError, match=":2:"):
        load_eval_units(bad)


@pytest.fixture
def labelled_store(store, sample_corpus):
    list(ingest(store, sample_corpus))
    said = store.search("SpaceX said")
    fact = store.search("Russia had plans")
    for u in said:
        store.set_label(u.id, "ana", "attributed")
    for u in fact:
        store.set_label(u.id, "ana", "unattributed")
        store.set_label(u.id, "bo", "editorial")
    return store


def test_evaluate_against_a_database(labelled_store):
    result = evaluate_store(labelled_store, "ana")["ana"]
    assert result.n == 4 and result.accuracy == 1.0
    everyone = evaluate_store(labelled_store)["all annotators"]
    assert everyone.n == 6
    assert everyone.confusion["editorial"]["unattributed"] == 2


def test_suggest_all_is_incremental_and_prunes(labelled_store):
    assert suggest_all(labelled_store).units > 0
    assert suggest_all(labelled_store).units == 0  # nothing changed
    assert suggest_all(labelled_store, force=True).units > 0
    unit = labelled_store.search("SpaceX said")[0]
    s = labelled_store.suggestion(unit.id)
    assert s.suggested_label == "attributed" and s.source == "SpaceX"
    assert unit.text[s.cue_start : s.cue_end] == s.cue
    assert unit.text[s.source_start : s.source_end] == s.source
    assert labelled_store.suggestion("no-such-unit") is None
    assert labelled_store.suggestions_for([unit.id])[unit.id] == s


def test_migration_on_an_old_database(tmp_path):
    import sqlite3

    path = tmp_path / "old.db"
    with Store.open(path) as s:
        s.conn.execute("DROP TABLE suggestions")
        s.conn.execute("DELETE FROM _sqlite_migrations WHERE name = 'm004_suggestions'")
        s.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    with Store.open(path) as s:
        assert s.schema_version() == SCHEMA_VERSION
        s.conn.execute("SELECT unit_id, claim_group, quote_of FROM suggestions")
    assert sqlite3.connect(path).execute("SELECT count(*) FROM suggestions").fetchone()[0] == 0
    assert rules_version()


def test_cli_suggest_and_evaluate(tmp_path, sample_corpus):
    runner = CliRunner()
    db = str(tmp_path / "c.db")
    assert runner.invoke(main, ["ingest", str(sample_corpus), "--db", db]).exit_code == 0
    out = runner.invoke(main, ["suggest", "--db", db])
    assert out.exit_code == 0, out.output
    assert "claim group" in out.output
    out = runner.invoke(main, ["suggest", "--db", db, "--show", "003_3b0ee42016bb75ed.txt"])
    assert out.exit_code == 0, out.output
    # Nothing was due: only the article, without a summary of no work.
    assert "Roscosmos" in out.output and "Suggested labels" not in out.output
    # A path to the file on disk (as a shell completes it) names the same article.
    on_disk = runner.invoke(
        main, ["suggest", "--db", db, "--show", str(sample_corpus / "003_3b0ee42016bb75ed.txt")]
    )
    assert on_disk.exit_code == 0 and on_disk.output == out.output
    missing_article = runner.invoke(main, ["suggest", "--db", db, "--show", "nope/none.txt"])
    assert missing_article.exit_code == 1
    assert "nope/none.txt: no such article" in missing_article.output
    ev = runner.invoke(main, ["evaluate", "--json"])
    assert ev.exit_code == 0
    data = json.loads(ev.output)
    assert data["all"]["n"] >= 150 and "heldout" in data
    empty = runner.invoke(main, ["evaluate", "--db", db])
    assert empty.exit_code == 0 and "0 units" in empty.output
    missing = runner.invoke(main, ["evaluate", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code != 0
