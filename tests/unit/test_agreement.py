"""Agreement figures against published worked examples, degenerate cases, and an oracle."""

from __future__ import annotations

import json
import math

import pytest
from click.testing import CliRunner
from helpers.builders import add_article
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.cli import main
from annotate.store import Store
from annotate.team import agreement as ag


def approx(x: float, places: int = 3) -> object:
    return pytest.approx(x, abs=0.5 * 10**-places)


# -- Cohen's kappa: the Wikipedia example (50 grant proposals, two readers) ------------------


def wikipedia_cohen_pairs() -> list[tuple[str, str]]:
    # Both yes 20, A yes / B no 5, A no / B yes 10, both no 15: p_o 0.7, p_e 0.5.
    return [("yes", "yes")] * 20 + [("yes", "no")] * 5 + [("no", "yes")] * 10 + [("no", "no")] * 15


def test_cohen_kappa_wikipedia_example():
    k = ag.cohen_kappa(wikipedia_cohen_pairs())
    assert k.value == pytest.approx(0.4)
    assert k.units == 50
    assert ag.observed_agreement(wikipedia_cohen_pairs()).value == pytest.approx(0.7)


def test_confusion_matrix_and_pair_specific_agreement():
    pairs = wikipedia_cohen_pairs()
    assert ag.confusion(pairs, ["yes", "no"]) == [[20, 5], [10, 15]]
    # 2a / (2a + b + c)
    assert ag.pair_specific_agreement(pairs, "yes").value == pytest.approx(40 / 55)
    assert ag.pair_specific_agreement(pairs, "no").value == pytest.approx(30 / 45)


# -- Fleiss' kappa: the Wikipedia example (10 subjects, 14 raters, 5 categories) -------------

FLEISS_TABLE = [
    [0, 0, 0, 0, 14],
    [0, 2, 6, 4, 2],
    [0, 0, 3, 5, 6],
    [0, 3, 9, 2, 0],
    [2, 2, 8, 1, 1],
    [7, 7, 0, 0, 0],
    [3, 2, 6, 3, 0],
    [2, 5, 3, 2, 2],
    [6, 5, 2, 1, 0],
    [0, 2, 2, 3, 7],
]


def test_fleiss_kappa_wikipedia_example():
    k = ag.fleiss_kappa(FLEISS_TABLE)
    assert k.value == approx(0.210)
    assert k.units == 10


def test_fleiss_kappa_from_ratings_matches_the_table():
    ratings = {
        f"u{i}": {f"r{r}": c for r, c in enumerate(c for j, n in enumerate(row) for c in [j] * n)}
        for i, row in enumerate(FLEISS_TABLE)
    }
    ratings = {u: {a: f"c{c}" for a, c in r.items()} for u, r in ratings.items()}
    report = ag.report(ratings)
    assert report.fleiss.value == approx(0.210)


def test_fleiss_and_cohen_agree_in_spirit_with_two_raters():
    # With two raters on every unit, Fleiss' kappa is Scott's pi: close to, not equal to,
    # Cohen's kappa; with equal marginals the two are the same.
    pairs = [("a", "a")] * 10 + [("a", "b")] * 3 + [("b", "a")] * 3 + [("b", "b")] * 4
    table = [[(x == "a") + (y == "a"), (x == "b") + (y == "b")] for x, y in pairs]
    assert ag.fleiss_kappa(table).value == pytest.approx(ag.cohen_kappa(pairs).value)


def test_per_category_kappa_hand_checked():
    # Two units, two raters: (a, a) and (a, b). p_a = 3/4, p_b = 1/4.
    table = [[2, 0], [1, 1]]
    # kappa_a = 1 - sum n_ia (n_i - n_ia) / (sum n_i (n_i - 1) p_a q_a) = 1 - 1 / (4 * 3/16)
    assert ag.fleiss_category_kappa(table, 0).value == pytest.approx(1 - 1 / 0.75)
    # Specific agreement on a: sum n(n-1) / sum n(n_i - 1) = 2 / (2 + 1)
    assert ag.specific_agreement(table, 0).value == pytest.approx(2 / 3)
    assert ag.specific_agreement(table, 1).value == 0


# -- Krippendorff's alpha: the worked example of Krippendorff (2011), nominal, missing data --

# "Computing Krippendorff's alpha-reliability", section C: 4 observers, 12 units, values
# 1-5, None where an observer gave no value. Nominal alpha = 0.743.
KRIPPENDORFF_2011 = {
    "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
}


def krippendorff_2011_ratings() -> dict[str, dict[str, str]]:
    ratings: dict[str, dict[str, str]] = {}
    for observer, values in KRIPPENDORFF_2011.items():
        for unit, value in enumerate(values):
            if value is not None:
                ratings.setdefault(f"u{unit}", {})[observer] = str(value)
    return ratings


def test_krippendorff_alpha_worked_example_with_missing_data():
    ratings = krippendorff_2011_ratings()
    alpha = ag.krippendorff_alpha(r.values() for r in ratings.values())
    assert alpha.value == approx(0.743)
    # Unit 12 has a single value: unpairable, so 11 units count.
    assert alpha.units == 11


# -- degenerate cases: n/a with a reason, never a ZeroDivisionError ---------------------------


def test_degenerate_cases_are_na():
    assert ag.cohen_kappa([]).value is None
    one_label = ag.cohen_kappa([("a", "a"), ("a", "a")])
    assert one_label.value is None and one_label.units == 2 and one_label.reason
    assert str(one_label) == "n/a"
    assert ag.fleiss_kappa([]).value is None
    assert ag.fleiss_kappa([[1, 0], [0, 1]]).value is None  # nobody rated twice
    assert ag.fleiss_kappa([[2, 0], [3, 0]]).value is None  # one category only
    assert ag.krippendorff_alpha([["a"], ["b"]]).value is None
    assert ag.krippendorff_alpha([["a", "a"], ["a", "a", "a"]]).value is None
    assert ag.fleiss_category_kappa([[2, 0]], 1).value is None
    assert ag.pair_specific_agreement([], "a").value is None


def test_report_with_one_annotator_or_none():
    report = ag.report({"u1": {"ana": "editorial"}})
    assert report.pairs == []
    assert report.fleiss.value is None and report.alpha.value is None
    json.dumps(report.to_json())
    empty = ag.report({})
    assert empty.units == 0 and empty.fleiss.value is None
    json.dumps(empty.to_json())


def test_report_pairs_without_overlap():
    report = ag.report({"u1": {"ana": "editorial"}, "u2": {"ben": "attributed"}})
    (pair,) = report.pairs
    assert pair.kappa.value is None and pair.kappa.units == 0


def test_report_restricted_to_some_annotators():
    ratings = {
        "u1": {"ana": "attributed", "ben": "attributed", "cy": "editorial"},
        "u2": {"ana": "editorial", "ben": "attributed", "cy": "editorial"},
    }
    report = ag.report(ratings, ["ana", "cy"])
    assert report.annotators == ["ana", "cy"]
    assert [(p.a, p.b) for p in report.pairs] == [("ana", "cy")]
    assert report.pairs[0].observed.value == 0.5
    assert report.ratings == 4


# -- an independent oracle on random data ------------------------------------------------------

krippendorff = pytest.importorskip("krippendorff")
np = pytest.importorskip("numpy")

rating_matrices = st.integers(2, 5).flatmap(
    lambda raters: st.lists(
        st.lists(st.one_of(st.none(), st.integers(0, 3)), min_size=raters, max_size=raters),
        min_size=1,
        max_size=30,
    )
)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@settings(max_examples=200, deadline=None)
@given(rating_matrices)
def test_alpha_matches_the_krippendorff_package(units):
    ours = ag.krippendorff_alpha([[str(v) for v in u if v is not None] for u in units])
    data = np.array([[np.nan if v is None else v for v in u] for u in units], dtype=float).T
    try:
        theirs = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    except (ValueError, ZeroDivisionError):
        theirs = float("nan")
    if ours.value is None:
        assert theirs is None or math.isnan(theirs)
    else:
        assert ours.value == pytest.approx(theirs, abs=1e-9)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
@settings(max_examples=100, deadline=None)
@given(rating_matrices)
def test_the_report_counted_once_matches_the_oracles(units):
    """report() works on counted tables and pairs: its alpha agrees with the krippendorff
    package and each pair's kappa with scikit-learn's, on the same ratings."""
    from sklearn.metrics import cohen_kappa_score

    ratings = {
        f"u{i}": {f"r{j}": str(v) for j, v in enumerate(u) if v is not None}
        for i, u in enumerate(units)
    }
    ratings = {unit: r for unit, r in ratings.items() if r}
    report = ag.report(ratings)
    data = np.array([[np.nan if v is None else v for v in u] for u in units], dtype=float).T
    try:
        theirs = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    except (ValueError, ZeroDivisionError):
        theirs = float("nan")
    if report.alpha.value is None:
        assert theirs is None or math.isnan(theirs)
    else:
        assert report.alpha.value == pytest.approx(theirs, abs=1e-9)
    for pair in report.pairs:
        both = [r for r in ratings.values() if pair.a in r and pair.b in r]
        if pair.kappa.value is None:
            continue
        expected = cohen_kappa_score([r[pair.a] for r in both], [r[pair.b] for r in both])
        assert pair.kappa.value == pytest.approx(expected, abs=1e-9)
        assert pair.kappa.units == len(both)


def test_alpha_of_the_worked_example_matches_the_package():
    data = np.array(
        [[np.nan if v is None else v for v in vs] for vs in KRIPPENDORFF_2011.values()],
        dtype=float,
    )
    theirs = krippendorff.alpha(reliability_data=data, level_of_measurement="nominal")
    ours = ag.krippendorff_alpha(r.values() for r in krippendorff_2011_ratings().values())
    assert ours.value == pytest.approx(theirs)


# -- the command --------------------------------------------------------------------------------


@pytest.fixture
def team_db(tmp_path):
    """Three annotators on four claims; the Wikipedia Cohen table is too big to need here."""
    path = tmp_path / "team.db"
    with Store.open(path) as store:
        ids = add_article(store, "a.txt", ["One.", "Two.", "Three.", "Four."])
        votes = {
            "ana": ["attributed", "editorial", "not_claim", "attributed"],
            "ben": ["attributed", "unattributed", "not_claim", "attributed"],
            "cy": ["attributed", "editorial", None, "editorial"],
        }
        for who, labels in votes.items():
            for uid, label in zip(ids, labels, strict=True):
                if label:
                    store.set_label(uid, who, label)
        store.set_note(ids[1], "ben", "no source named")
    return path


def test_agreement_command_json(team_db):
    result = CliRunner().invoke(main, ["agreement", "--db", str(team_db), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["annotators"] == ["ana", "ben", "cy"]
    assert data["units"] == 4 and data["ratings"] == 11
    pairs = {(p["a"], p["b"]): p for p in data["pairs"]}
    ana_ben = pairs["ana", "ben"]
    assert ana_ben["units"] == 4
    assert ana_ben["observed_agreement"]["value"] == 0.75
    assert ana_ben["confusion"]["editorial"]["unattributed"] == 1
    assert pairs["ana", "cy"]["units"] == 3
    assert data["fleiss_kappa"]["units"] == 4
    assert data["krippendorff_alpha"]["units"] == 4
    assert set(data["per_label"]) == {"attributed", "unattributed", "editorial", "not_claim"}


def test_agreement_command_tables_and_annotator_filter(team_db):
    result = CliRunner().invoke(
        main, ["agreement", "--db", str(team_db), "--annotators", "ana,ben"]
    )
    assert result.exit_code == 0, result.output
    assert "Cohen" in result.output and "ana" in result.output
    assert "cy" not in result.output.replace("Krippendorff", "").replace("Fleiss", "")


def test_agreement_command_on_a_database_without_labels(tmp_path):
    path = tmp_path / "empty.db"
    Store.open(path).close()
    result = CliRunner().invoke(main, ["agreement", "--db", str(path)])
    assert result.exit_code == 0, result.output
    assert "n/a" in result.output


def test_agreement_command_without_a_database(tmp_path):
    result = CliRunner().invoke(main, ["agreement", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 1
    assert "no such database" in result.output


# -- adjudication: the store side of the adjudication mode --------------------------------


def test_disagreements_list_every_annotator_label_and_note(team_db):
    with Store.open(team_db) as store:
        found = store.disagreements()
        assert len(found) == 2  # units 2 and 4; unit 3 has two not_claim and no third
        second = found[0]
        assert [(r.annotator, r.label) for r in second.labels] == [
            ("ana", "editorial"),
            ("ben", "unattributed"),
            ("cy", "editorial"),
        ]
        assert second.labels[1].note == "no source named"
        assert second.adjudication is None
        assert found[0].pos < found[1].pos
        # Between ana and ben only the second unit is disputed.
        assert [d.unit_id for d in store.disagreements(["ana", "ben"])] == [second.unit_id]
        # Paging for a walk through the queue.
        assert store.disagreements(after=second.pos) == found[1:]
        assert store.disagreements(limit=1) == found[:1]


def test_set_adjudication_is_kept_apart_and_logged(team_db):
    with Store.open(team_db) as store:
        first, second = store.disagreements()
        before = store.set_adjudication(first.unit_id, "editorial", "opinion verb", "dana")
        assert before is None
        adj = store.adjudication(first.unit_id)
        assert (adj.label, adj.reason, adj.adjudicator) == ("editorial", "opinion verb", "dana")
        # Raw labels are untouched; the unit is still a disagreement, now resolved.
        assert store.label_state(first.unit_id, "ben").label == "unattributed"
        assert store.disagreements()[0].adjudication == adj
        assert [d.unit_id for d in store.disagreements(unresolved=True)] == [second.unit_id]
        (row,) = [h for h in store.history("dana") if h["unit_id"] == first.unit_id]
        assert (row["action"], row["label"], row["note"]) == (
            "adjudicate",
            "editorial",
            "opinion verb",
        )
        assert store.adjudicated_labels() == {first.unit_id: "editorial"}
        # Overruling keeps the earlier decision in history; None removes it.
        assert store.set_adjudication(first.unit_id, "attributed", "", "eve") == adj
        assert store.set_adjudication(first.unit_id, None, None, "eve").label == "attributed"
        assert store.adjudication(first.unit_id) is None
        with pytest.raises(ValueError):
            store.set_adjudication(first.unit_id, "maybe", None, "eve")


def test_export_aggregate_uses_the_adjudicated_label_first(team_db):
    with Store.open(team_db) as store:
        first, _ = store.disagreements()
        store.set_adjudication(first.unit_id, "unattributed", "no source", "dana")
    result = CliRunner().invoke(
        main, ["export", "--db", str(team_db), "--aggregate", "--format", "jsonl", "--out", "-"]
    )
    assert result.exit_code == 0, result.output
    rows = {r["unit_id"]: r for r in map(json.loads, result.stdout.splitlines())}
    assert rows[first.unit_id]["label"] == "unattributed"
    assert rows[first.unit_id]["agreement"] == "adjudicated"
    assert rows[first.unit_id]["votes_editorial"] == 2
