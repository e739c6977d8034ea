"""Assignment: balanced, deterministic shares of the articles, and the queue query."""

from __future__ import annotations

from collections import Counter

import pytest
from click.testing import CliRunner
from helpers.builders import add_article
from hypothesis import given
from hypothesis import strategies as st

from annotate.cli import main
from annotate.store import Store
from annotate.team.assign import AssignError, plan

articles_st = st.lists(
    st.tuples(st.text("abcdef0123", min_size=4, max_size=8), st.integers(1, 40)),
    min_size=1,
    max_size=40,
    unique_by=lambda x: x[0],
)


@given(articles_st, st.integers(2, 5), st.data())
def test_plan_gives_every_article_n_distinct_annotators_and_balances_claims(articles, people, data):
    names = [f"r{i}" for i in range(people)]
    n = data.draw(st.integers(1, people))
    result = plan(articles, names, n, seed=3)
    assert set(result) == {a for a, _ in articles}
    assert all(len(set(r)) == n for r in result.values())
    claims = dict(articles)
    load = Counter({a: 0 for a in names})
    for aid, who in result.items():
        for a in who:
            load[a] += claims[aid]
    # Greedy on the least loaded: no share exceeds another by more than one article.
    assert max(load.values()) - min(load.values()) <= max(claims.values())


@given(articles_st, st.integers(0, 5))
def test_plan_is_deterministic_and_ignores_article_order(articles, seed):
    names = ["alice", "bob", "carol"]
    assert plan(articles, names, 2, seed) == plan(list(reversed(articles)), names, 2, seed)


def test_plan_rejects_impossible_requests():
    with pytest.raises(AssignError):
        plan([("a", 1)], ["alice"], 2)
    with pytest.raises(AssignError):
        plan([("a", 1)], [], 1)
    with pytest.raises(AssignError):
        plan([("a", 1)], ["alice"], 0)


@pytest.fixture
def corpus_db(tmp_path):
    path = tmp_path / "team.db"
    with Store.open(path) as store:
        for i in range(6):
            add_article(store, f"art{i}.txt", [f"Claim {j} of {i}." for j in range(i + 1)])
    return path


def test_by_default_every_annotator_sees_everything(corpus_db):
    with Store.open(corpus_db) as store:
        assert store.assigned_articles("alice") is None


def test_assign_command_stores_a_balanced_plan(corpus_db):
    runner = CliRunner()
    args = ["assign", "--db", str(corpus_db), "--reviewers", "2", "--annotators", "alice,bob,carol"]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "alice" in result.output and "claim(s)" in result.output
    with Store.open(corpus_db) as store:
        plan_ = store.assignments()
        assert sorted(plan_) == ["alice", "bob", "carol"]
        assert sum(len(v) for v in plan_.values()) == 12  # 6 articles x 2 annotators
        mine = store.assigned_articles("alice")
        assert mine == plan_["alice"]
        # In queue order, so the TUI can walk them as they come.
        order = [a.id for a in store.article_progress("alice")]
        assert mine == [a for a in order if a in mine]
        assert store.assigned_articles("dave") == []
    # Same inputs, same plan.
    runner.invoke(main, args)
    with Store.open(corpus_db) as store:
        assert store.assignments() == plan_
    cleared = runner.invoke(main, ["assign", "--db", str(corpus_db), "--clear"])
    assert cleared.exit_code == 0
    with Store.open(corpus_db) as store:
        assert store.assigned_articles("alice") is None


def test_assign_command_errors(corpus_db, tmp_path):
    runner = CliRunner()
    too_many = runner.invoke(
        main, ["assign", "--db", str(corpus_db), "--reviewers", "3", "--annotators", "a,b"]
    )
    assert too_many.exit_code == 1 and "--reviewers" in too_many.output
    missing = runner.invoke(main, ["assign", "--db", str(corpus_db)])
    assert missing.exit_code == 2
    empty = tmp_path / "empty.db"
    Store.open(empty).close()
    nothing = runner.invoke(main, ["assign", "--db", str(empty), "--annotators", "a"])
    assert nothing.exit_code == 1 and "no article" in nothing.output


def test_every_team_command_has_help_with_an_example():
    for name in ("agreement", "merge", "assign"):
        result = CliRunner().invoke(main, [name, "-h"])
        assert result.exit_code == 0 and "Example" in result.output


def test_queue_queries_follow_the_plan(store):
    a = add_article(store, "a.txt", ["A one.", "A two."])
    b = add_article(store, "b.txt", ["B one."])
    c = add_article(store, "c.txt", ["C one.", "C two."])
    ids = {u: store.unit(u) for u in a + b + c}
    store.set_assignments([(ids[a[0]].article_id, "ann"), (ids[c[0]].article_id, "ann")])
    store.set_label(b[0], "ann", "editorial")  # outside her share: not counted
    store.set_label(c[1], "ann", "attributed")
    walk, pos = [], -1
    while (u := store.step(pos, "ann", assigned=True)) is not None:
        walk.append(u.id)
        pos = u.pos
    assert walk == a + c
    assert store.step(ids[c[0]].pos, "ann", forward=False, assigned=True).id == a[1]
    assert store.next_unlabelled("ann", after=ids[a[1]].pos, assigned=True).id == c[0]
    assert store.claim_at_or_after(ids[b[0]].pos, assigned_to="ann").id == c[0]
    assert store.claim_count(assigned_to="ann") == 4 and store.claim_count() == 5
    assert store.labelled_count("ann", assigned=True) == 1 and store.labelled_count("ann") == 2
    claims, labelled, last = store.progress_snapshot("ann", assigned=True)
    assert (claims, labelled) == (4, 1)
    store.set_label(b[0], "ann", None)
    store.set_label(a[0], "ann", "attributed")
    assert store.labelled_delta_since("ann", last, assigned=True) == 1
    assert store.labelled_delta_since("ann", last) == 0
    assert [p.path for p in store.article_progress("ann", assigned=True)] == ["a.txt", "c.txt"]
    assert [u.text for u in store.search("one", assigned_to="ann")] == ["A one.", "C one."]
    assert store.step(-1, "bob", assigned=True) is None  # left out of the plan
