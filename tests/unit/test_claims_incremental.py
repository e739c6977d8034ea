"""Claim groups kept up to date as articles come, change and lose units: always the
groups a full regrouping (``group_claims`` over every claim) finds."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate import ingest
from annotate.ingest import suggest_all
from annotate.model import SENTENCE, Unit
from annotate.store import Store
from annotate.suggest import claims
from annotate.suggest.claims import group_claims

# Sentences sharing words in varying measure (some only common words), names and
# numbers varied like wire copy republished with small edits.
_SENTENCES = [
    "The space agency said the rocket launch was delayed by bad weather on {n}.",
    "The rocket launch was delayed by bad weather on {n}, the space agency said.",
    "Officials from {p} met the heads of the space agency at the centre in {n}.",
    "The heads of the space agency met officials from {p} at the center in {n}.",
    "Prices of wheat rose {n} percent in {p} after the harvest failed again.",
    "Wheat prices in {p} rose by {n} percent after another failed harvest.",
    "The committee will vote on the budget proposal for {p} next week.",
    "Short one.",
]
_sentence = st.builds(
    lambda s, p, n: s.format(p=p, n=n),
    st.sampled_from(_SENTENCES),
    st.sampled_from(["Florida", "Moscow", "Geneva"]),
    st.sampled_from(["2018", "2019", "Tuesday"]),
)
# A step: the new text of one of a few articles (an empty list: the article keeps no
# claim), as ingest would save it.
_step = st.tuples(st.sampled_from(["a", "b", "c", "d", "e"]), st.lists(_sentence, max_size=5))


def _save(store: Store, path: str, texts: list[str]) -> None:
    units, cleaned = [], ""
    for seq, text in enumerate(texts):
        start = len(cleaned)
        cleaned += text + " "
        units.append(Unit(0, seq, SENTENCE, text, start, start + len(text)))
    store.save_article(
        path=path,
        file=path,
        sha256=str(hash(tuple(texts))),
        title=None,
        source=None,
        url=None,
        date=None,
        cleaned=cleaned,
        segmenter="test",
        units=units,
    )


def _stored_groups(store: Store) -> dict[str, str]:
    rows = store.conn.execute(
        "SELECT unit_id, claim_group FROM suggestions WHERE claim_group IS NOT NULL"
    )
    return {r[0]: r[1] for r in rows}


def _index(store: Store) -> dict[str, list[tuple[object, ...]]]:
    tables = ("claim_units", "claim_classes", "claim_df", "claim_keys", "claim_words")
    return {t: sorted(map(tuple, store.conn.execute(f"SELECT * FROM {t}"))) for t in tables}


@given(
    st.lists(st.lists(_step, min_size=1, max_size=4), min_size=1, max_size=5),
    st.sampled_from([2, 3, 200]),
    st.sampled_from([1, 4]),
    # When a batch is grouped at once (claims.regroup) rather than incrementally: an
    # empty index always is; 0: every batch; a huge share: none after the first.
    st.sampled_from([0.0, 0.25, 1e9]),
)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_incremental_groups_equal_a_full_regrouping(rounds, max_posting, keys_per_unit, bulk_share):
    old = (claims.MAX_POSTING, claims.KEYS_PER_UNIT, ingest.BULK_SHARE)
    claims.MAX_POSTING, claims.KEYS_PER_UNIT = max_posting, keys_per_unit
    ingest.BULK_SHARE = bulk_share
    try:
        with Store.open(":memory:") as store:
            for steps in rounds:
                for path, texts in steps:
                    _save(store, path, texts)
                suggest_all(store)
                assert _stored_groups(store) == group_claims(store.claim_texts())
            # The index agrees with what it indexes.
            indexed = store.conn.execute("SELECT count(*) FROM claim_units").fetchone()[0]
            eligible = sum(
                1
                for _, _, t in store.claim_texts()
                if len(claims.content_words(t)) >= claims.MIN_WORDS
            )
            assert indexed == eligible
            # A forced full rebuild writes the same groups, and the same index.
            before, index = _stored_groups(store), _index(store)
            suggest_all(store, force=True)
            assert _stored_groups(store) == before
            assert _index(store) == index
    finally:
        claims.MAX_POSTING, claims.KEYS_PER_UNIT, ingest.BULK_SHARE = old


def test_only_the_groups_that_change_are_written(tmp_path):
    with Store.open(tmp_path / "a.db") as store:
        for i in range(6):
            _save(store, f"old{i}.txt", [_SENTENCES[i % 6].format(p="Moscow", n=str(2000 + i))])
        _save(store, "x.txt", [_SENTENCES[6].format(p="Geneva", n="")])
        _save(store, "y.txt", [_SENTENCES[6].format(p="Geneva", n="")])
        suggest_all(store)
        groups = _stored_groups(store)
        assert len(set(groups.values())) >= 1
        writes: list[dict[str, str | None]] = []
        real = store.write_claim_groups

        def spy(g):
            writes.append(dict(g))
            real(g)

        store.write_claim_groups = spy  # type: ignore[method-assign]
        _save(store, "z.txt", [_SENTENCES[6].format(p="Geneva", n="")])
        suggest_all(store)
        written = {u for w in writes for u in w}
        # The committee sentence's group gains a member: its three units get a new id;
        # the other groups are not touched.
        assert len(written) == 3
        assert _stored_groups(store) == group_claims(store.claim_texts())
