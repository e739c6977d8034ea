"""Adjudications in the dataset and the reports: --aggregate names the adjudicator and
the reason; stats counts adjudicated units and open disagreements; agreement says how
many units were adjudicated while its figures stay on the raw labels."""

from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner
from helpers.builders import add_article

from annotate.cli import main
from annotate.datasets import export as ex
from annotate.store import Store

TEXTS = ["One said so.", "Two is odd.", "Three, perhaps.", "Four."]


@pytest.fixture
def db(tmp_path) -> str:
    path = str(tmp_path / "t.db")
    with Store.open(path) as s:
        units = add_article(s, "a.txt", TEXTS)
        for uid, (x, y) in zip(
            units,
            [("attributed", "attributed"), ("editorial", "unattributed"),
             ("editorial", "not_claim"), ("not_claim", "not_claim")],
            strict=True,
        ):  # fmt: skip
            s.set_label(uid, "ana", x)
            s.set_label(uid, "ben", y)
        s.set_adjudication(units[1], "editorial", "hedged wording", "carol")
    return path


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_aggregate_has_the_adjudicator_and_the_reason(db):
    rows = list(csv.DictReader(io.StringIO(run("export", "--aggregate", "--out", "-", "--db", db))))
    assert list(rows[0]) == list(ex.AGGREGATE_FIELDS)
    by_text = {r["text"]: r for r in rows}
    settled = by_text["Two is odd."]
    assert (settled["label"], settled["agreement"]) == ("editorial", ex.ADJUDICATED)
    assert (settled["adjudicator"], settled["adjudication_reason"]) == ("carol", "hedged wording")
    tie = by_text["Three, perhaps."]
    assert (tie["agreement"], tie["adjudicator"], tie["adjudication_reason"]) == (ex.TIE, "", "")
    lines = run("export", "--aggregate", "--format", "jsonl", "--out", "-", "--db", db)
    records = [json.loads(line) for line in lines.splitlines()]
    assert [r["adjudicator"] for r in records] == ["", "carol", "", ""]


def test_stats_counts_adjudicated_units_and_open_disagreements(db):
    figures = json.loads(run("stats", "--json", "--db", db))
    assert (figures["adjudicated"], figures["disagreements"], figures["open_disagreements"]) == (
        1,
        2,
        1,
    )
    table = run("stats", "--db", db)
    assert "adjudicated" in table and "1 of 2" in table


def test_agreement_says_how_many_were_adjudicated_and_keeps_raw_figures(db):
    before = json.loads(run("agreement", "--json", "--db", db))
    assert before["adjudicated"] == 1
    with Store.open(db) as s:
        (uid,) = [u["id"] for u in s.units_of_article("a.txt") if u["text"] == "Three, perhaps."]
        s.set_adjudication(uid, "editorial", None, "carol")
    after = json.loads(run("agreement", "--json", "--db", db))
    assert after["adjudicated"] == 2
    assert after["fleiss_kappa"] == before["fleiss_kappa"]  # raw labels only
    assert "2 unit(s) adjudicated" in run("agreement", "--db", db)
    assert (
        json.loads(run("agreement", "--json", "--annotators", "nobody", "--db", db))["adjudicated"]
        == 0
    )


def test_the_card_counts_from_the_rows_what_the_store_counts(db):
    """An hf export counts the card's team figures from its rows when they hold every
    label; they must be the figures the store's queries give."""
    from contextlib import closing

    from annotate.datasets import arrow, hf
    from annotate.ingest import suggest_all

    with Store.open(db) as s:
        suggest_all(s)
        units = [u["id"] for u in s.units_of_article("a.txt")]
        s.set_label(units[0], "cy", "attributed", source="someone else")
        s.set_label(units[0], "dee", "attributed")
        s.set_note(units[3], "eve", "a note without a label")
        add_article(s, "b.txt", ["Alone here."])
        options = ex.ExportOptions(format="hf", include_unlabeled=True, all_kinds=True)
        assert hf.Tally.covers(options)
        schema = arrow.schema(options.fields, class_labels=True)
        tally = hf.Tally()
        with closing(ex.export_batches(s, options)) as batches:
            rows = [row for batch in batches for row in batch]
        # Tables of three rows: units straddle them, as they straddle row groups.
        for start in range(0, len(rows), 3):
            tally.add(arrow.table(rows[start : start + 3], schema))
        counted, queried = hf.Tally.figures([tally], s), hf.team_figures(s)
    assert counted == queried
    assert counted.suggested > 0 and 0 < counted.accepted < counted.suggested
    assert counted.per_unit == {2: 3, 4: 1} and (counted.disagreements, counted.open) == (2, 1)
    assert not hf.Tally.covers(ex.ExportOptions(format="hf", aggregate=True))
