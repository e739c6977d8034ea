"""The learned model: training on a small labelled database, grouped folds, the blend
and its fallback to the rules, the model folder, the uncertain order."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from helpers.learn import labelled_db

from annotate.labelling.session import Session
from annotate.learn import (
    Example,
    LearnError,
    RuleView,
    examples,
    gold_labels,
    learning_curve,
    load,
    save,
    suggest_with_model,
    svg,
    train,
    train_store,
    training_set,
)
from annotate.learn.model import FORMAT, CrossValidation, Gate, _folds, blend_one, model_alone
from annotate.model import ATTRIBUTED, EDITORIAL, UNATTRIBUTED
from annotate.store import Store
from annotate.team.evaluate import LabelScore, Scores


@pytest.fixture(scope="module")
def trained_db(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str]]:
    folder = tmp_path_factory.mktemp("learn")
    db = folder / "team.db"
    truth = labelled_db(str(db))
    with Store.open(db) as store:
        train_store(store, folder / "team.model")
    return db, folder / "team.model", truth


def test_training_set_reads_every_labelled_claim_with_its_rules(trained_db):
    db, _, truth = trained_db
    with Store.open(db) as store:
        xs, labels = training_set(store)
    assert len(xs) == len(truth)
    assert {x.unit_id: y for x, y in zip(xs, labels, strict=True)} == truth
    # The rules' stored suggestion and the sentence before come with each unit.
    assert all(x.rules.label != "none" for x in xs)
    firsts = [x for x in xs if x.previous == ""]
    assert len(firsts) == len({x.article_id for x in xs})  # one first sentence per article


def test_gold_labels_adjudicated_first_then_majority_ties_left_out(tmp_path):
    db = tmp_path / "t.db"
    labelled_db(str(db), articles=1, per_article=3, annotators=())
    with Store.open(db) as store:
        a, b, c = (u.id for u in store.article_units(store.article("a0_000.txt").id))
        for who, label in (("ana", ATTRIBUTED), ("bo", ATTRIBUTED), ("cy", EDITORIAL)):
            store.set_label(a, who, label)
        store.set_label(b, "ana", ATTRIBUTED)
        store.set_label(b, "bo", EDITORIAL)  # a tie
        store.set_label(c, "ana", ATTRIBUTED)
        store.set_label(c, "bo", ATTRIBUTED)
        store.set_adjudication(c, UNATTRIBUTED, "carol", "no source")
        assert gold_labels(store) == {a: ATTRIBUTED, c: UNATTRIBUTED}
        assert gold_labels(store, "bo") == {a: ATTRIBUTED, b: EDITORIAL, c: ATTRIBUTED}


def test_folds_keep_every_article_in_one_fold():
    rng = random.Random(1)
    groups = [f"art{rng.randint(0, 30)}" for _ in range(400)]
    parts = _folds(groups, 5, seed=0)
    assert sorted(i for p in parts for i in p) == list(range(400))
    for i, p in enumerate(parts):
        inside = {groups[j] for j in p}
        others = {groups[j] for k, q in enumerate(parts) if k != i for j in q}
        assert inside and not inside & others


def test_cross_validation_scores_rules_model_and_blend_on_the_same_units(trained_db):
    db, _, truth = trained_db
    with Store.open(db) as store:
        xs, labels = training_set(store)
    result = train(xs, labels, folds=4)
    cv = result.cv
    assert cv.folds == 4
    assert cv.rules.n == cv.model.n == cv.blend.n == len(truth)
    assert all(len(v) == 4 for v in cv.fold_macro.values())
    # These sentences are easy: the model learns them from held-out articles.
    assert cv.model.macro_f1 > 0.9
    assert result.model.gate.trusted == (cv.blend.macro_f1 >= cv.rules.macro_f1)


def test_too_few_labels_or_one_label_is_a_clear_error():
    ex = [
        Example(str(i), f"a{i % 3}", "Text.", "", RuleView(UNATTRIBUTED, 0.6, "x"))
        for i in range(12)
    ]
    with pytest.raises(LearnError, match="too few labels"):
        train(ex[:5], [UNATTRIBUTED] * 5)
    with pytest.raises(LearnError, match="at least two labels"):
        train(ex, [UNATTRIBUTED] * 12)


def _example(label: str, confidence: float) -> Example:
    return Example("u", "a", "Officials said so.", "", RuleView(label, confidence, "r", cue="said"))


def test_the_blend_lets_the_more_reliable_side_speak_and_says_which():
    gate = Gate(
        model_accuracy=[0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.97],
        rules_accuracy={"attributed:0.90": 0.85},
    )
    agree = blend_one(_example(ATTRIBUTED, 0.9), ATTRIBUTED, 0.84, gate)
    assert (agree.label, agree.speaker) == (ATTRIBUTED, "both")
    assert agree.reason == "model 0.84 · rules: cue “said”"
    # The model at 0.97 (held-out accuracy 0.97) beats the rules' 0.85 for this decision ...
    model = blend_one(_example(ATTRIBUTED, 0.9), UNATTRIBUTED, 0.97, gate)
    assert (model.label, model.speaker) == (UNATTRIBUTED, "model")
    assert model.reason.startswith("model 0.97 · rules said attributed")
    # ... at 0.75 (0.8) it does not: the rules keep their say.
    rules = blend_one(_example(ATTRIBUTED, 0.9), UNATTRIBUTED, 0.75, gate)
    assert (rules.label, rules.speaker) == (ATTRIBUTED, "rules")
    assert rules.reason.startswith("rules: cue “said” · model said unattributed 0.75")
    # An untrusted gate (the blend lost to the rules on held-out folds): rules everywhere.
    gate.trusted = False
    assert blend_one(_example(ATTRIBUTED, 0.9), UNATTRIBUTED, 0.99, gate).label == ATTRIBUTED
    # A model that beat the rules and the blend on held-out folds speaks, even at 0.75.
    gate.alone = True
    alone = blend_one(_example(ATTRIBUTED, 0.9), UNATTRIBUTED, 0.75, gate)
    assert (alone.label, alone.speaker) == (UNATTRIBUTED, "model")
    assert alone.reason.startswith("model 0.75 · rules said attributed: cue “said”")


def _cv(model: list[float], rules: list[float], blend: list[float]) -> CrossValidation:
    def scores(folds: list[float]) -> Scores:
        f1 = sum(folds) / len(folds)  # one label scored: its F1 is the macro-F1
        return Scores(100, f1, {ATTRIBUTED: LabelScore(f1, f1, f1, 100, 100)}, {})

    per = {"model": model, "rules": rules, "blend": blend}
    return CrossValidation(
        len(model), scores(rules), scores(model), scores(blend), per, trained_on=80
    )


def test_the_model_speaks_alone_only_when_it_wins_on_nearly_every_fold():
    assert model_alone(_cv([0.8, 0.8, 0.8, 0.8, 0.6], [0.7] * 5, [0.75] * 5))
    # Better on the whole but on three folds of five only: the blend keeps its say.
    assert not model_alone(_cv([0.9, 0.9, 0.9, 0.6, 0.6], [0.7] * 5, [0.75] * 5))
    # Every fold but one, yet not better on the whole.
    assert not model_alone(_cv([0.76, 0.76, 0.76, 0.76, 0.3], [0.7] * 5, [0.75] * 5))


def test_model_folder_round_trip_predicts_the_same(trained_db, tmp_path):
    db, folder, _ = trained_db
    model = load(folder)
    assert model.meta["labels_used"] > 0 and model.meta["format"] == FORMAT
    assert set(model.meta["cross_validation"]) >= {"rules", "model", "rules + model"}
    with Store.open(db) as store:
        xs = examples(store)
    again = load(save(model, tmp_path / "copy"))
    assert [p.label for p in again.predict(xs)] == [p.label for p in model.predict(xs)]


def test_loading_what_is_not_a_model_folder_says_why(tmp_path):
    with pytest.raises(LearnError, match="no such model folder"):
        load(tmp_path / "missing")
    (tmp_path / "m").mkdir()
    with pytest.raises(LearnError, match="not a model folder"):
        load(tmp_path / "m")
    (tmp_path / "m" / "model.json").write_text('{"format": 1}')
    (tmp_path / "m" / "model.joblib").write_bytes(b"not a pickle")
    with pytest.raises(LearnError, match=f"format {FORMAT} expected"):
        load(tmp_path / "m")
    (tmp_path / "m" / "model.json").write_text(f'{{"format": {FORMAT}}}')
    with pytest.raises(LearnError, match="cannot be loaded"):
        load(tmp_path / "m")


def test_blended_suggestions_fall_back_to_the_rules_without_a_model(trained_db, tmp_path):
    _, folder, _ = trained_db
    db = tmp_path / "other.db"
    labelled_db(str(db), seed=3, annotators=())
    with Store.open(db) as store:
        from annotate.ingest import suggest_all

        suggest_all(store)
        ids = [
            u.id
            for a in ("a3_000.txt", "a3_001.txt")
            for u in store.article_units(store.article(a).id)
        ]
        assert all(store.blended_suggestion(u) == store.suggestion(u) for u in ids)
        done = suggest_with_model(store, load(folder))
        assert done.units == store.claim_count() == store.model_suggestion_count()
        blended = store.blended_suggestion(ids[0])
        rules = store.suggestion(ids[0])
        assert blended.reason.startswith(("model ", "rules: "))
        assert (blended.cue, blended.claim_group) == (rules.cue, rules.claim_group)
        assert store.suggestion(ids[0]).reason == rules.reason  # the rules' own stay
        store.clear_model_suggestions()
        assert store.blended_suggestion(ids[0]) == rules


def test_uncertain_order_walks_the_certainty_index(trained_db, tmp_path):
    _, folder, _ = trained_db
    db = tmp_path / "other.db"
    labelled_db(str(db), seed=4, annotators=())
    with Store.open(db) as store:
        suggest_with_model(store, load(folder))
        plan = " ".join(
            str(r[-1])
            for r in store.conn.execute(
                "EXPLAIN QUERY PLAN SELECT g.unit_id FROM model_suggestions g CROSS JOIN units u "
                "ON u.id = g.unit_id WHERE u.kind = 'sentence' AND (g.certainty, g.unit_id) > "
                "(0.5, '') ORDER BY g.certainty, g.unit_id LIMIT 1"
            )
        )
        assert "idx_model_suggestions_certainty_unit_id" in plan and "TEMP B-TREE" not in plan
        keys = sorted(
            tuple(r) for r in store.conn.execute("SELECT certainty, unit_id FROM model_suggestions")
        )
        walked, key = [], None
        while (u := store.next_by_certainty("ana", key)) is not None:
            walked.append(u.id)
            key = store.certainty_key(u.id)
            if len(walked) == 5:
                break
        assert walked == [k[1] for k in keys[:5]]
        # A labelled claim is passed over; the session follows the same walk.
        store.set_label(walked[0], "ana", ATTRIBUTED)
        session = Session(store, "ana", order="uncertain")
        session.count()
        assert session.start().id == walked[1]
        assert session.next_unlabelled().id == walked[2]
        assert "model least sure first" in session.scope()
        # With no model's scores the walk is the corpus order, and the status line says so.
        store.clear_model_suggestions()
        session.reopen()
        assert "unscored: corpus order" in session.scope()
        assert session.next_unlabelled() is not None


def test_learning_curve_and_its_svg(trained_db):
    db, _, _ = trained_db
    with Store.open(db) as store:
        xs, labels = training_set(store)
    points = learning_curve(xs, labels, folds=3, fractions=(0.25, 0.5, 1.0))
    assert [p.fraction for p in points] == [0.25, 0.5, 1.0]
    assert points[0].labels < points[1].labels < points[2].labels
    drawing = ET.fromstring(svg(points, "curve <test>"))
    assert len(drawing.findall("{http://www.w3.org/2000/svg}polyline")) == 3


def test_a_new_model_replaces_every_suggestion_of_the_last_in_short_batches(tmp_path, monkeypatch):
    import annotate.store.models as models

    monkeypatch.setattr(models, "_WRITE_BATCH", 2)  # several transactions for 5 records
    db = tmp_path / "replace.db"
    labelled_db(str(db), seed=5, annotators=())
    with Store.open(db) as store:
        ids = [u.id for u in store.article_units(store.article("a5_000.txt").id)][:5]

        def records(label: str, units: list[str]) -> list[dict[str, object]]:
            return [
                {"unit_id": u, "suggested_label": label, "confidence": 0.7,
                 "certainty": 0.7, "speaker": "model", "reason": "model 0.70"}
                for u in units
            ]  # fmt: skip

        store.save_model_suggestions("old", records(ATTRIBUTED, ids))
        store.save_model_suggestions("new", records(EDITORIAL, ids[:3]))
        assert store.model_suggestion_count() == 3
        assert {store.model_suggestion(u).model for u in ids[:3]} == {"new"}
        assert store.model_suggestion(ids[3]) is None  # the old model's is gone
        # The same model written again with fewer units keeps only those.
        store.save_model_suggestions("new", records(EDITORIAL, ids[:1]))
        assert store.model_suggestion_count() == 1


def test_learning_curve_axis_has_round_ticks_around_the_scores():
    from annotate.learn.curve import _steps, y_ticks

    lo, hi, step = y_ticks([0.327, 0.699, 0.656])
    assert (lo, hi, step) == (0.2, 0.8, 0.1)
    lo, hi, step = y_ticks([0.81, 0.83, 0.854])
    assert (lo, hi, step) == (0.78, 0.9, 0.02)
    assert _steps(lo, hi, step) == [0.78, 0.8, 0.82, 0.84, 0.86, 0.88, 0.9]
    lo, hi, step = y_ticks([0.99, 1.0])
    assert hi == 1.0 and lo < 0.99 and step == 0.01


def test_learning_curve_svg_keeps_label_counts_apart():
    import itertools
    import re

    from annotate.learn.curve import CurvePoint, svg

    points = [
        CurvePoint(f, n, 0.7, 0.6, 0.65)
        for f, n in ((0.1, 14), (0.25, 32), (0.5, 103), (0.75, 182), (1.0, 256))
    ]
    drawn = re.findall(r'<text x="([\d.]+)" y="\d+" text-anchor="middle">(\d+)</text>', svg(points))
    xs = sorted(float(x) for x, _ in drawn)
    assert {n for _, n in drawn} >= {"14", "256"} and "32" not in {n for _, n in drawn}
    assert all(b - a >= 34 for a, b in itertools.pairwise(xs))
    ticks = re.findall(r'text-anchor="end">([\d.]+)</text>', svg(points))
    assert ticks == ["0.55", "0.60", "0.65", "0.70", "0.75"]
