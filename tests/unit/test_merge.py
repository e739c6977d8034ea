"""Merging databases from different machines: copies, conflicts, idempotence, bad inputs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.builders import add_article

from annotate.cli import main
from annotate.store import Store
from annotate.team.merge import merge


def snapshot(path: Path) -> dict[str, list[tuple]]:
    """Everything merge may touch, ids and times of merge rows aside."""
    conn = sqlite3.connect(path)
    try:
        return {
            "articles": conn.execute("SELECT id, path FROM articles ORDER BY id").fetchall(),
            "units": conn.execute("SELECT id, article_id, seq FROM units ORDER BY id").fetchall(),
            "files": conn.execute("SELECT path FROM files ORDER BY path").fetchall(),
            "labels": conn.execute(
                "SELECT unit_id, annotator, label, note, flagged, labeled_at FROM labels "
                "ORDER BY unit_id, annotator"
            ).fetchall(),
            "history": conn.execute(
                "SELECT at, annotator, unit_id, action, label FROM history "
                "ORDER BY at, annotator, unit_id, action"
            ).fetchall(),
            "adjudications": conn.execute(
                "SELECT * FROM adjudications ORDER BY unit_id"
            ).fetchall(),
        }
    finally:
        conn.close()


@pytest.fixture
def machines(tmp_path):
    """Two machines: both hold a.txt; only A holds b.txt, only B holds c.txt."""
    a_path, b_path = tmp_path / "a.db", tmp_path / "b.db"
    with Store.open(a_path) as a, Store.open(b_path) as b:
        ids = add_article(a, "a.txt", ["One.", "Two.", "Three."])
        assert add_article(b, "a.txt", ["One.", "Two.", "Three."]) == ids
        only_a = add_article(a, "b.txt", ["Bee one.", "Bee two."])
        only_b = add_article(b, "c.txt", ["Sea one."])
        a.set_label(ids[0], "ana", "attributed")
        a.set_label(only_a[0], "ana", "editorial")
        a.set_note(only_a[0], "ana", "opinion piece")
        b.set_label(ids[0], "ben", "unattributed")
        b.set_label(only_b[0], "ben", "not_claim")
        # ana labelled ids[1] on both machines, differently: B's is later.
        a.set_label(ids[1], "ana", "attributed")
        b.set_label(ids[1], "ana", "editorial")
        b.set_adjudication(ids[0], "attributed", "quote in para 2", "dana")
    return a_path, b_path, {"shared": ids, "only_a": only_a, "only_b": only_b}


def test_merge_into_a_new_file_copies_everything(machines, tmp_path):
    a_path, b_path, ids = machines
    team = tmp_path / "team.db"
    report = merge([a_path, b_path], team)
    assert not report.failed
    with Store.open(team) as store:
        assert store.counts()["articles"] == 3
        assert store.counts()["claims"] == 6
        assert store.label_state(ids["only_a"][0], "ana").note == "opinion piece"
        assert store.label_state(ids["only_b"][0], "ben").label == "not_claim"
        assert store.label_state(ids["shared"][0], "ana").label == "attributed"
        assert store.label_state(ids["shared"][0], "ben").label == "unattributed"
        # The later decision wins; the other is in history.
        assert store.label_state(ids["shared"][1], "ana").label == "editorial"
        labels = {h["label"] for h in store.history("ana", 100) if h["unit_id"] == ids["shared"][1]}
        assert {"attributed", "editorial"} <= labels
        assert store.adjudication(ids["shared"][0]).label == "attributed"
        # Copied articles get their own queue positions: the queue walks all of them.
        seen, pos = [], -1
        while (u := store.step(pos, "x")) is not None:
            seen.append(u.id)
            pos = u.pos
        assert len(seen) == 6
    (first, second) = report.inputs
    assert first.articles == 2 and first.labels_added == 3
    assert second.articles == 1
    assert [(c.annotator, c.kept.label, c.other.label) for c in second.conflicts] == [
        ("ana", "editorial", "attributed")
    ]
    # b.txt is in A only: reported when B is merged after A.
    assert second.only["articles_only_here"] == 1
    assert second.only["articles_only_here_paths"] == ["b.txt"]


def test_merging_twice_changes_nothing(machines, tmp_path):
    a_path, b_path, _ = machines
    team = tmp_path / "team.db"
    merge([a_path, b_path], team)
    before = snapshot(team)
    again = merge([a_path, b_path], team)
    assert snapshot(team) == before
    assert not any(r.changed for r in again.inputs)


def test_merge_order_does_not_change_the_winner(machines, tmp_path):
    a_path, b_path, ids = machines
    one, two = tmp_path / "one.db", tmp_path / "two.db"
    merge([a_path, b_path], one)
    merge([b_path, a_path], two)
    assert snapshot(one)["labels"] == snapshot(two)["labels"]
    # The conflict is reported again on a repeat merge, and nothing changes.
    again = merge([b_path, a_path], two)
    assert sum(len(r.conflicts) for r in again.inputs) == 1
    assert not any(r.changed for r in again.inputs)


def test_into_may_be_one_of_the_inputs(machines):
    a_path, b_path, ids = machines
    report = merge([a_path, b_path], a_path)
    assert report.inputs[0].skipped
    with Store.open(a_path) as store:
        assert store.label_state(ids["only_b"][0], "ben").label == "not_claim"
        assert store.label_state(ids["shared"][1], "ana").label == "editorial"
    # B is only read, never written.
    with Store.open(b_path) as store:
        assert store.counts()["articles"] == 2


def test_a_target_newer_decision_is_kept_and_logged(machines, tmp_path):
    a_path, b_path, ids = machines
    with Store.open(a_path) as a:
        a.set_label(ids["shared"][1], "ana", "not_claim")  # now A is the later one
    report = merge([b_path], a_path)
    (conflict,) = report.inputs[0].conflicts
    assert conflict.kept.label == "not_claim" and conflict.other.label == "editorial"
    with Store.open(a_path) as a:
        assert a.label_state(ids["shared"][1], "ana").label == "not_claim"
        rows = [h for h in a.history("ana", 100) if h["unit_id"] == ids["shared"][1]]
        assert "editorial" in {h["label"] for h in rows}


def test_units_segmented_differently_are_reported(tmp_path):
    a_path, b_path = tmp_path / "a.db", tmp_path / "b.db"
    with Store.open(a_path) as a, Store.open(b_path) as b:
        add_article(a, "a.txt", ["One.", "Two."])
        add_article(b, "a.txt", ["One.", "Two and more."])
    report = merge([b_path], a_path)
    only = report.inputs[0].only
    assert only["units_only_there"] == 1 and only["units_only_here"] == 1
    assert only["units_only_there_paths"] == ["a.txt"]


def test_an_older_schema_is_migrated_in_a_copy(machines, tmp_path):
    a_path, _, ids = machines
    old = tmp_path / "old.db"
    with Store.open(old) as s:
        add_article(s, "a.txt", ["One.", "Two.", "Three."])
        s.set_label(ids["shared"][2], "cy", "editorial")
    # Make it look like a database from before migration 3.
    conn = sqlite3.connect(old)
    conn.executescript(
        "DROP TABLE adjudications; DROP TABLE assignments; "
        "DELETE FROM _sqlite_migrations WHERE name LIKE 'm003%'; PRAGMA user_version = 2;"
    )
    conn.close()
    report = merge([old], a_path)
    assert not report.failed
    with Store.open(a_path) as store:
        assert store.label_state(ids["shared"][2], "cy").label == "editorial"
    conn = sqlite3.connect(old)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == 2  # the input is untouched
    conn.close()


def test_bad_inputs_are_reported_and_the_others_go_on(machines, tmp_path):
    a_path, b_path, ids = machines
    text = tmp_path / "notes.db"
    text.write_text("not a database at all " * 100)
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE t (x)")
    conn.close()
    team = tmp_path / "team.db"
    result = CliRunner().invoke(
        main,
        [
            "merge",
            str(text),
            str(a_path),
            str(other),
            str(tmp_path / "gone.db"),
            str(b_path),
            "--into",
            str(team),
        ],
    )
    assert result.exit_code == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
    assert len(errors) == 3
    assert all("Traceback" not in e for e in errors)
    assert "not an annotate database" in errors[0] and "not an annotate database" in errors[1]
    assert "no such file" in errors[2]
    with Store.open(team) as store:
        assert store.counts()["articles"] == 3


def test_merge_command_reports_conflicts_and_is_idempotent(machines, tmp_path):
    a_path, b_path, _ = machines
    team = tmp_path / "team.db"
    runner = CliRunner()
    first = runner.invoke(main, ["merge", str(a_path), str(b_path), "--into", str(team)])
    assert first.exit_code == 0, first.output
    assert "1 conflict(s)" in first.output
    assert "kept editorial" in first.output
    second = runner.invoke(main, ["merge", str(a_path), str(b_path), "--into", str(team)])
    assert second.exit_code == 0
    assert second.output.count("nothing new") == 2


def test_merge_help_has_an_example():
    result = CliRunner().invoke(main, ["merge", "-h"])
    assert result.exit_code == 0 and "Example" in result.output


def test_segment_edits_and_removed_unit_texts_are_copied_once(machines, tmp_path):
    from annotate.text import resegment

    a_path, b_path, ids = machines

    def fix(store: Store, path: str, edit) -> None:
        article = store.article(path)
        cleaned, units = store.segment_units(article.id)
        new, recorded = edit(cleaned, units)
        store.record_segment_edit(article.id, "ana", recorded, new)

    with Store.open(a_path) as a:
        fix(a, "b.txt", lambda c, u: resegment.merge(c, u, 0))  # only A holds b.txt
    with Store.open(b_path) as b:
        fix(b, "a.txt", lambda c, u: resegment.split(c, u, 2, 2))  # "Th" | "ree."
        fix(b, "a.txt", lambda c, u: resegment.merge(c, u, 0))  # ben's label: an orphan
        b.conn.execute("UPDATE segment_edits SET action = 'split' WHERE seq = 0")  # old name
    team = tmp_path / "team.db"
    report = merge([a_path, b_path], team)
    assert [(r.segment_edits, r.removed_units) for r in report.inputs] == [(1, 1), (2, 2)]
    with Store.open(team) as store:
        edits = [(e.article_path, e.seq, e.edit.action) for e in store.segment_edits()]
        assert edits == [
            ("a.txt", 0, resegment.SPLIT),
            ("a.txt", 1, resegment.MERGE),
            ("b.txt", 0, resegment.MERGE),
        ]
        # b.txt came from A with its merged unit; its orphaned label keeps its text.
        assert [u["text"] for u in store.units_of_article("b.txt")] == ["Bee one. Bee two."]
        assert {(o.annotator, o.text) for o in store.orphan_labels()} == {("ana", "Bee one.")}
        # a.txt keeps A's units (B's edits apply when it is next re-segmented), so ben's
        # label on "One." is not an orphan here, and "Th" of B's split is not a unit.
        assert store.label_state(ids["shared"][0], "ben").label == "unattributed"
        assert "Th" not in [u["text"] for u in store.units_of_article("a.txt")]
    before = {
        t: sqlite3.connect(team).execute(f"SELECT * FROM {t} ORDER BY 1, 2").fetchall()
        for t in ("segment_edits", "removed_units")
    }
    again = merge([a_path, b_path], team)
    assert not any(r.changed for r in again.inputs)
    for table, rows in before.items():
        assert (
            sqlite3.connect(team).execute(f"SELECT * FROM {table} ORDER BY 1, 2").fetchall() == rows
        )
    # An edit undone on one machine after the first merge is undone in the target too.
    with Store.open(b_path) as b:
        aid = b.article("a.txt").id
        cleaned, units = b.segment_units(aid)
        [merge_edit] = [e.edit for e in b.segment_edits(aid) if e.seq == 1]
        b.undo_segment_edit(aid, 1, "ana", resegment.undo(cleaned, units, merge_edit))
    assert merge([b_path], team).inputs[0].segment_edits == 1
    with Store.open(team) as store:
        assert [e.seq for e in store.segment_edits(store.article("a.txt").id)] == [0]
