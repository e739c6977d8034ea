"""annotate train, suggest --model and evaluate --model through the CLI, on databases
written for the test: a model from one database suggests on another."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest
from click.testing import CliRunner
from helpers.learn import labelled_db

from annotate.cli import main
from annotate.store import Store


@pytest.fixture(scope="module")
def dbs(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("train")
    team, other = folder / "team.db", folder / "other.db"
    labelled_db(str(team), annotators=("ana", "bo"))
    labelled_db(str(other), seed=9, annotators=("cy",), labelled_share=0.5)
    return folder, team, other


def test_train_reports_grouped_figures_and_writes_the_model_folder(dbs):
    folder, team, _ = dbs
    result = CliRunner().invoke(main, ["train", "--db", str(team), "--folds", "3"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "folds grouped by article" in out
    for name in ("rules ", "model ", "rules + model "):
        assert f"  {name}" in out
    model = folder / "team.model"
    meta = json.loads((model / "model.json").read_text())
    assert meta["labels_used"] == 192 and meta["annotator"] is None
    assert meta["cross_validation"]["grouped_by"] == "article"
    assert (model / "model.joblib").is_file()
    assert f"Model saved in {model}" in out


def test_a_model_from_one_database_suggests_and_is_scored_on_another(dbs):
    folder, team, other = dbs
    model = folder / "m1"
    assert (
        CliRunner().invoke(main, ["train", "--db", str(team), "--out", str(model)]).exit_code == 0
    )
    result = CliRunner().invoke(main, ["suggest", "--db", str(other), "--model", str(model)])
    assert result.exit_code == 0, result.output
    assert "suggested for 192 unit(s)" in result.output
    with Store.open(other) as store:
        assert store.model_suggestion_count() == store.claim_count() == 192
    shown = CliRunner().invoke(main, ["suggest", "--db", str(other), "--show", "a9_000.txt"])
    assert "model " in shown.output and "rules" in shown.output
    scored = CliRunner().invoke(
        main, ["evaluate", "--db", str(other), "--model", str(model), "--json"]
    )
    assert scored.exit_code == 0, scored.output
    figures = json.loads(scored.output)
    assert set(figures) == {"rules", "model", "rules + model", "trained_on_this_database"}
    assert figures["trained_on_this_database"] is False
    assert figures["model"]["n"] == figures["rules"]["n"] > 0
    own = CliRunner().invoke(main, ["evaluate", "--db", str(team), "--model", str(model)])
    assert "not held out" in own.output


def test_curve_prints_a_table_and_draws_an_svg(dbs, tmp_path):
    _, team, _ = dbs
    plot = tmp_path / "curve.svg"
    result = CliRunner().invoke(
        main,
        ["train", "--db", str(team), "--out", str(tmp_path / "m"), "--curve", "--plot", str(plot)],
    )
    assert result.exit_code == 0, result.output
    assert "Learning curve" in result.output
    for share in ("10%", "25%", "50%", "75%", "100%"):
        assert share in result.output
    assert ET.parse(plot).getroot().tag.endswith("svg")


def test_train_errors_are_one_line(dbs, tmp_path):
    _, team, _ = dbs
    empty = tmp_path / "empty.db"
    labelled_db(str(empty), articles=2, annotators=())
    result = CliRunner().invoke(main, ["train", "--db", str(empty), "--out", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "too few labels" in result.output and "Traceback" not in result.output
    bad = CliRunner().invoke(main, ["suggest", "--db", str(team), "--model", str(tmp_path / "no")])
    assert bad.exit_code == 1 and "no such model folder" in bad.output
    plot = CliRunner().invoke(main, ["train", "--db", str(team), "--plot", "x.svg"])
    assert plot.exit_code == 2 and "--curve" in plot.output
    missing = CliRunner().invoke(main, ["train", "--db", str(tmp_path / "none.db")])
    assert missing.exit_code == 1 and "no such database" in missing.output
