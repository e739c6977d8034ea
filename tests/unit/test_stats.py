"""annotate stats: the figures, the Rich tables and the JSON for scripts."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from annotate.cli import main
from annotate.datasets import stats
from annotate.model import SENTENCE, TITLE, Unit
from annotate.store import Store


def save(store: Store, path: str, sentences: list[str]) -> list[str]:
    units = [Unit(0, 0, TITLE, f"Title of {path}", 0, 9)]
    units += [Unit(1, i, SENTENCE, text, 0, len(text)) for i, text in enumerate(sentences, 1)]
    store.save_article(
        path=path,
        file=path,
        sha256="0" * 64,
        title=f"Title of {path}",
        source=None,
        url=None,
        date=None,
        cleaned="",
        segmenter="test",
        units=units,
    )
    return [u["id"] for u in store.units_of_article(path) if u["kind"] == SENTENCE]


@pytest.fixture
def db(store, db_path) -> str:
    a = save(store, "a.txt", ["One.", "Two.", "Three."])
    b = save(store, "[b].txt", ["Four.", "Five."])
    store.set_label(a[0], "ana", "attributed")
    store.set_label(a[0], "ben", "editorial")
    store.set_label(a[1], "ana", "attributed")
    store.set_flag(a[1], "ana", True)
    store.set_note(a[2], "ben", "hmm")  # a note, no label
    store.set_label(b[0], "ben", "not_claim")
    store.set_flag(b[0], "ben", True)
    return str(db_path)


def test_collect_counts_everyone(db):
    with Store.open(db) as s:
        figures = stats.collect(s)
    assert (figures.claims, figures.labelled, figures.left) == (5, 3, 2)
    assert (figures.flagged, figures.noted, figures.orphans) == (2, 1, 0)
    assert figures.labels == {"attributed": 2, "unattributed": 0, "editorial": 1, "not_claim": 1}
    by_name = {a.annotator: a for a in figures.annotators}
    assert by_name["ana"].labels["attributed"] == 2 and by_name["ana"].left == 3
    assert (by_name["ben"].labelled, by_name["ben"].flagged, by_name["ben"].noted) == (2, 1, 1)
    assert [(a.path, a.claims, a.labelled, a.left) for a in figures.articles] == [
        ("a.txt", 3, 2, 1),
        ("[b].txt", 2, 1, 1),
    ]


def test_collect_for_one_annotator(db):
    with Store.open(db) as s:
        figures = stats.collect(s, "ana")
    assert (figures.labelled, figures.left, figures.flagged, figures.noted) == (2, 3, 1, 0)
    assert [a.annotator for a in figures.annotators] == ["ana"]


def test_labels_on_removed_units_are_counted_as_orphans(db):
    with Store.open(db) as s:
        save(s, "[b].txt", ["Four, rewritten."])
        assert stats.collect(s).orphans == 1


def test_stats_command_prints_tables(db):
    result = CliRunner().invoke(main, ["stats", "--db", db])
    assert result.exit_code == 0, result.output
    for word in ("Progress", "Labels", "Articles", "attributed", "ana", "ben", "[b].txt"):
        assert word in result.output


def test_stats_json_for_scripts(db):
    result = CliRunner().invoke(main, ["stats", "--db", db, "--json", "--annotator", "ben"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["annotator"] == "ben" and data["left"] == 3
    assert data["articles"][0] == {
        "path": "a.txt",
        "title": "Title of a.txt",
        "claims": 3,
        "labelled": 1,
        "flagged": 0,
        "noted": 1,
        "left": 2,
    }


def test_stats_limits_the_article_list(db):
    result = CliRunner().invoke(main, ["stats", "--db", db, "--limit", "1"])
    assert "1 more article(s)" in result.output and "[b].txt" not in result.output


def test_stats_without_a_database_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(main, ["stats", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1 and "no such database" in result.output
