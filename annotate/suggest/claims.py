"""Claim groups: link units that state the same claim in different articles.

Two outlets rewrite the same wire copy in their own spelling and words ("U.S. space
agency's Kennedy Space Center" vs "US space agency's Kennedy Space Centre"). Units are
compared on normalised content words: lower case, no punctuation, "U.S." = "US",
British = American spelling for the common pairs, light stemming, stop words out. Two
units of different articles are the same claim when the Jaccard similarity of their word
sets reaches ``THRESHOLD``, or when one unit's words are nearly all in the other's
(``CONTAINMENT``, for a rewrite that drops a clause).

Comparing every pair is quadratic; instead units with the same word set (republished
wire copy) are put in one class by hashing the set, each class is indexed under its few
rarest words, and only classes sharing one of those are compared, each pair once, and
not at all when both are already in one group (very common words are never used as
keys, which also caps the size of what is compared). A group id is a hash of its sorted
member ids: the same members give the same id on any machine.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable
from functools import lru_cache

THRESHOLD = 0.5
CONTAINMENT = 0.8
MIN_WORDS = 5  # shorter units ("Police said.") share too little to be told apart
KEYS_PER_UNIT = 4  # rarest words a unit is indexed under
MAX_POSTING = 200  # a key shared by more units than this is too common to block on

_STOP = frozenset(
    """
    a an the and or but if of to in on at by for with from as into about over after before
    than then that this these those there their its it is are was were be been being has
    have had do does did will would can could may might must shall should not no nor so
    such also just only very more most some any each all both either neither which who
    whom whose what when where while why how he she they we you i his her him them our us
    your my me said says say told according while since until even still yet
    """.split()
)
_SPELLING = {
    "centre": "center",
    "programme": "program",
    "programmes": "program",
    "defence": "defense",
    "offence": "offense",
    "licence": "license",
    "metre": "meter",
    "metres": "meter",
    "theatre": "theater",
    "kilometre": "kilometer",
    "kilometres": "kilometer",
    "grey": "gray",
    "tyre": "tire",
    "tyres": "tire",
    "aluminium": "aluminum",
}
_ABBREV = re.compile(r"\b([a-z])\.([a-z])\.(?:([a-z])\.)?")
_APOSTROPHE_S = re.compile(r"['’]s\b")
_NON_WORD = re.compile(r"[^a-z0-9$%]+")


# The vocabulary is small next to the number of words read: each word is stemmed once.
@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    """A light stem: enough to equate "meeting"/"meetings", "discussed"/"discuss"."""
    w = _SPELLING.get(word, word)
    if len(w) > 5 and w.endswith("our") and w not in {"endeavour"}:
        w = w[:-3] + "or"  # labour, colour, neighbour, behaviour
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 5 and w.endswith("ing"):
        return w[:-3]
    if len(w) > 4 and w.endswith("ed"):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def content_words(text: str) -> frozenset[str]:
    """The normalised content words of a text."""
    t = text.lower().replace("’", "'")
    t = _ABBREV.sub(lambda m: "".join(g for g in m.groups() if g), t)
    t = _APOSTROPHE_S.sub("", t)
    words = (_stem(w) for w in _NON_WORD.split(t) if w and w not in _STOP)
    return frozenset(w for w in words if w and w not in _STOP and (len(w) > 1 or w.isdigit()))


def similarity(a: frozenset[str], b: frozenset[str]) -> tuple[float, float]:
    """(Jaccard, containment of the smaller set in the larger) of two word sets."""
    if not a or not b:
        return 0.0, 0.0
    inter = len(a & b)
    return inter / len(a | b), inter / min(len(a), len(b))


def same_claim(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two word sets state the same claim."""
    if min(len(a), len(b)) < MIN_WORDS:
        return False
    jaccard, contained = similarity(a, b)
    return jaccard >= THRESHOLD or (contained >= CONTAINMENT and jaccard >= THRESHOLD * 0.6)


def group_id(members: Iterable[str]) -> str:
    """A stable id for a group: a hash of its sorted member unit ids."""
    return "g" + hashlib.sha256("\x00".join(sorted(members)).encode()).hexdigest()[:15]


def group_claims(units: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """Group (unit_id, article_id, text) units; returns unit id -> group id.

    Only units in a group of two or more (from at least two articles) appear.
    """
    ids: list[str] = []
    articles: list[str] = []
    # Units with the same word set (republished wire copy, repeated paragraphs) form one
    # class, found by hashing the set: they are the same claim without comparing them,
    # and each pair of classes is compared once instead of each pair of copies.
    classes: dict[frozenset[str], list[int]] = {}
    for uid, aid, text in units:
        ws = content_words(text)
        if len(ws) < MIN_WORDS:
            continue
        classes.setdefault(ws, []).append(len(ids))
        ids.append(uid)
        articles.append(aid)
    sets = list(classes)
    # df counts units, not classes: a word repeated in many copies is a common word.
    df: dict[str, int] = defaultdict(int)
    for ws, members in classes.items():
        for w in ws:
            df[w] += len(members)

    # Block on each class's rarest words (words in one unit only can never match anyone).
    # A key in more than MAX_POSTING units is never used, which also caps every bucket.
    index: dict[str, list[int]] = defaultdict(list)
    keys: list[list[str]] = []
    for c, ws in enumerate(sets):
        rare = sorted((w for w in ws if 1 < df[w] <= MAX_POSTING), key=lambda w: (df[w], w))
        keys.append(rare[:KEYS_PER_UNIT])
        for w in keys[c]:
            index[w].append(c)

    parent = list(range(len(ids)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(i: int, j: int) -> None:
        parent[find(j)] = find(i)

    # The members of each class by article, in order.
    by_article: list[dict[str, list[int]]] = []
    for members in classes.values():
        groups: dict[str, list[int]] = {}
        for i in members:
            groups.setdefault(articles[i], []).append(i)
        by_article.append(groups)

    # Copies in different articles are the same claim. As before, a class is linked only
    # through its blocking keys, so a sentence made only of very common words (page
    # boilerplate in hundreds of articles) stays out of the groups.
    first_of = [classes[ws][0] for ws in sets]
    # whole[c]: every member of class c is known to be in one group already.
    whole = [len(classes[ws]) == 1 for ws in sets]
    for c, groups in enumerate(by_article):
        if keys[c] and len(groups) > 1:
            first = next(iter(groups.values()))[0]
            for members in groups.values():
                for i in members:
                    union(first, i)
            whole[c] = True

    def link(c: int, d: int) -> None:
        """Join two classes stating the same claim: each copy to a copy in another article."""
        for x, y in ((c, d), (d, c)):
            linked = True
            for a, members in by_article[x].items():
                other = next((ms for b, ms in by_article[y].items() if b != a), None)
                if other is None:
                    linked = False
                    continue
                for i in members:
                    union(other[0], i)
            # All members went to the first copy outside their article: one unit of y
            # when x is in one article, and x's articles are joined already otherwise.
            whole[x] = whole[x] or linked

    for c, ws in enumerate(sets):
        seen: set[int] = set()
        for w in keys[c]:
            for d in index[w]:
                if d <= c or d in seen:
                    continue
                seen.add(d)
                # Two classes already wholly in one group: comparing them adds nothing
                # (near-copies of one paragraph would otherwise compare every pair).
                if whole[c] and whole[d] and find(first_of[c]) == find(first_of[d]):
                    continue
                if same_claim(ws, sets[d]):
                    link(c, d)

    members_of: dict[int, list[str]] = defaultdict(list)
    for i in range(len(ids)):
        members_of[find(i)].append(ids[i])
    out: dict[str, str] = {}
    for group in members_of.values():
        if len(group) > 1:
            gid = group_id(group)
            out.update((u, gid) for u in group)
    return out
