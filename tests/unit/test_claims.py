"""Claim groups: the same claim in different articles, on the sample corpus and alone."""

from __future__ import annotations

from collections import defaultdict

from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.ingest import ingest, suggest_all
from annotate.suggest import claims
from annotate.suggest.claims import content_words, group_claims, group_id, same_claim, similarity

NASA_A = (
    "The talks between Sean Duffy and Dmitry Bakanov at the U.S. space agency’s Kennedy "
    "Space Center represented the first in-person meeting between the heads of NASA and "
    "Russia’s space agency, Roscosmos, since 2018."
)
NASA_B = (
    "The talks at the US space agency's Kennedy Space Centre were the first in-person "
    "meeting between the heads of Nasa and Russia's space agency, Roscosmos, since 2018."
)


def test_normalisation_equates_spelling_and_abbreviations():
    assert content_words("the U.S. programme centre") == content_words("The US program center")
    assert "meeting" in content_words("meetings") | {"meeting"}
    assert content_words("NASA’s talks") == content_words("Nasa's talk")


def test_the_two_reports_of_the_meeting_are_the_same_claim():
    a, b = content_words(NASA_A), content_words(NASA_B)
    assert same_claim(a, b)
    jaccard, contained = similarity(a, b)
    assert jaccard >= 0.5 and contained > 0.9


def test_different_claims_stay_apart():
    a = content_words("Russia had plans to join the Artemis moon program until 2022.")
    b = content_words("The Russian delegation visited the Johnson Space Center in Houston.")
    assert not same_claim(a, b)


def test_groups_only_link_different_articles():
    units = [
        ("u1", "a1", NASA_A),
        ("u2", "a1", NASA_B),
        ("u3", "a2", "Something else entirely here."),
    ]
    assert group_claims(units) == {}
    units.append(("u4", "a2", NASA_B))
    groups = group_claims(units)
    assert groups["u1"] == groups["u4"]


def test_group_ids_are_deterministic_from_members():
    units = [("x", "a1", NASA_A), ("y", "a2", NASA_B)]
    g1 = group_claims(units)
    g2 = group_claims(list(reversed(units)))
    assert g1 == g2 == {"x": group_id(["y", "x"]), "y": group_id(["x", "y"])}


def test_blocking_keeps_large_corpora_linear_enough():
    # Many units sharing common words only: no key is used, nothing is grouped.
    units = [
        (f"u{i}", f"a{i}", f"The council met on day {i} to discuss the budget plans.")
        for i in range(300)
    ]
    groups = group_claims(units)
    assert len(set(groups.values())) <= 300


def test_sample_corpus_groups_the_shared_meeting_report(store, sample_corpus):
    list(ingest(store, sample_corpus))
    suggest_all(store)
    hits = store.search("Kennedy Space")
    assert len(hits) == 2
    first, second = sorted(hits, key=lambda u: u.article_path)
    s1, s2 = store.suggestion(first.id), store.suggestion(second.id)
    assert s1.claim_group is not None and s1.claim_group == s2.claim_group
    members = store.claim_group_members(first.id)
    assert [m.unit_id for m in members] == [second.id]
    assert members[0].article_path != first.article_path
    store.set_label(second.id, "ana", "unattributed")
    assert store.claim_group_members(first.id)[0].labels == {"ana": "unattributed"}


def test_sample_corpus_links_the_same_sentences_across_outlets(store, sample_corpus):
    list(ingest(store, sample_corpus))
    summary = suggest_all(store)
    assert summary.claim_groups >= 8
    # The editorial sentence unique to one outlet has no group.
    only = store.search("could signal thawing")[0]
    assert store.suggestion(only.id).claim_group is None
    assert store.claim_group_members(only.id) == []


# -- classes of identical word sets change nothing but the speed ---------------------------


def _reference(units):
    """group_claims before classes of identical word sets: every copy compared."""
    ids = []
    articles = []
    words = []
    df = defaultdict(int)
    for uid, aid, text in units:
        ws = content_words(text)
        if len(ws) < claims.MIN_WORDS:
            continue
        ids.append(uid)
        articles.append(aid)
        words.append(ws)
        for w in ws:
            df[w] += 1

    # Block on each unit's rarest words (words in one unit only can never match anyone).
    index = defaultdict(list)
    keys = []
    for i, ws in enumerate(words):
        rare = sorted((w for w in ws if 1 < df[w] <= claims.MAX_POSTING), key=lambda w: (df[w], w))
        keys.append(rare[: claims.KEYS_PER_UNIT])
        for w in keys[i]:
            index[w].append(i)

    parent = list(range(len(ids)))

    def find(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i, ws in enumerate(words):
        seen = set()
        for w in keys[i]:
            for j in index[w]:
                if j <= i or j in seen or articles[j] == articles[i]:
                    continue
                seen.add(j)
                if same_claim(ws, words[j]):
                    parent[find(j)] = find(i)

    members = defaultdict(list)
    for i in range(len(ids)):
        members[find(i)].append(ids[i])
    out = {}
    for group in members.values():
        if len(group) > 1:
            gid = group_id(group)
            out.update((u, gid) for u in group)
    return out


# Sentences that share words in varying measure; numbers and names vary like wire copy
# republished with small edits.
_SENTENCES = [
    "The space agency said the rocket launch was delayed by bad weather on {n}.",
    "The rocket launch was delayed by bad weather on {n}, the space agency said.",
    "Officials from {p} met the heads of the space agency at the centre in {n}.",
    "The heads of the space agency met officials from {p} at the center in {n}.",
    "Prices of wheat rose {n} percent in {p} after the harvest failed again.",
    "Wheat prices in {p} rose by {n} percent after another failed harvest.",
    "The committee will vote on the budget proposal for {p} next week.",
]
_unit = st.tuples(
    st.sampled_from(_SENTENCES),
    st.sampled_from(["Florida", "Moscow", "Geneva"]),
    st.sampled_from(["2018", "2019", "Tuesday"]),
    st.sampled_from(["a", "b", "c", "d"]),
)


@given(st.lists(_unit, max_size=40), st.sampled_from([2, 3, 200]), st.sampled_from([1, 4]))
@settings(max_examples=300, deadline=None)
def test_groups_are_those_of_comparing_every_copy(units, max_posting, keys_per_unit):
    rows = [(f"u{i}", art, s.format(p=p, n=n)) for i, (s, p, n, art) in enumerate(units)]
    old = (claims.MAX_POSTING, claims.KEYS_PER_UNIT)
    claims.MAX_POSTING, claims.KEYS_PER_UNIT = max_posting, keys_per_unit
    try:
        assert group_claims(rows) == _reference(rows)
    finally:
        claims.MAX_POSTING, claims.KEYS_PER_UNIT = old


@given(st.text(alphabet=st.characters(max_codepoint=0x2100), max_size=80))
@settings(max_examples=400, deadline=None)
def test_tokens_are_those_of_the_regex_split(text):
    # The bytes.translate split must read the same tokens as _NON_WORD.split, on any
    # text: curly quotes, accents, digits, $ and % (lower case, as words_of hands it).
    lowered = text.lower()
    assert claims._tokens(lowered) == set(claims._NON_WORD.split(lowered)) - {""}


@given(st.frozensets(st.text(alphabet="abc$%19", min_size=1, max_size=4), max_size=8))
def test_the_class_id_of_sorted_words_is_the_class_id(words):
    assert claims.sorted_class_id(sorted(words)) == claims.class_id(words)
