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
from array import array
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import repeat
from typing import Protocol

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
_MAY_BE_ABBREV = re.compile(r"\.[a-z]\.")  # in every match of _ABBREV; found much faster
_APOSTROPHE_S = re.compile(r"'s\b")  # (after ’ is made ')
_NON_WORD = re.compile(r"[^a-z0-9$%]+")
# The same split by bytes.translate: every byte but those the tokens keep is a space, and
# every character beyond ASCII (a separator for _NON_WORD) is first one "?" byte (about
# twice as fast as the regex split on news text, curly quotes and dashes included).
_KEPT = b"abcdefghijklmnopqrstuvwxyz0123456789$%"
_SEPARATE = bytes(c if c in _KEPT else 32 for c in range(256))


def _tokens(lowered: str) -> set[str]:
    """The distinct non-empty pieces of ``_NON_WORD.split(lowered)``."""
    return set(lowered.encode("ascii", "replace").translate(_SEPARATE).decode("ascii").split())


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


def _content_word(token: str) -> str:
    """The content word a token of a text stands for; "" for none (a stop word, a
    single letter)."""
    if not token or token in _STOP:
        return ""
    w = _stem(token)
    return w if w and w not in _STOP and (len(w) > 1 or w.isdigit()) else ""


# The vocabulary is small next to the number of words read: each token is worked out
# once (``_content_word``), up to a bound on memory over a long run.
_CONTENT: dict[str, str] = {}
_CONTENT_MAX = 1 << 16


# News repeats itself (republished wire copy, boilerplate lines): the words of the most
# recent texts are kept, as cues keeps their analyses.
@lru_cache(maxsize=4096)
def content_words(text: str) -> frozenset[str]:
    """The normalised content words of a text."""
    return words_of(text)


def words_of(text: str) -> frozenset[str]:
    """``content_words`` worked out afresh, for a caller that keeps what it makes of
    them (a second cache of the same texts would hold each set twice)."""
    t = text.lower()
    if "’" in t:
        t = t.replace("’", "'")
    if _MAY_BE_ABBREV.search(t):
        t = _ABBREV.sub(r"\1\2\3", t)  # (a group that took no part is "")
    if "'s" in t:
        t = _APOSTROPHE_S.sub("", t)
    tokens = _tokens(t)
    known = _CONTENT
    new = tokens.difference(known)  # (a dict: looks each token up, reads not the dict)
    if new:
        if len(known) + len(new) > _CONTENT_MAX:
            known.clear()
            new = tokens
        for token in new:
            known[token] = _content_word(token)
    words = set(map(known.__getitem__, tokens))
    words.discard("")
    return frozenset(words)


def similarity(a: frozenset[str], b: frozenset[str]) -> tuple[float, float]:
    """(Jaccard, containment of the smaller set in the larger) of two word sets."""
    if not a or not b:
        return 0.0, 0.0
    inter = len(a & b)
    return inter / (len(a) + len(b) - inter), inter / min(len(a), len(b))  # |a ∪ b| counted


def same_claim(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two word sets state the same claim."""
    la, lb = len(a), len(b)
    if la < MIN_WORDS or lb < MIN_WORDS:
        return False
    # The Jaccard similarity is at most the ratio of the sizes, and both tests below need
    # it to reach THRESHOLD * 0.6: sets of very different sizes are not compared.
    if min(la, lb) < THRESHOLD * 0.6 * max(la, lb):
        return False
    inter = len(a & b)
    jaccard = inter / (la + lb - inter)
    return jaccard >= THRESHOLD or (
        inter / min(la, lb) >= CONTAINMENT and jaccard >= THRESHOLD * 0.6
    )


def group_id(members: Iterable[str]) -> str:
    """A stable id for a group: a hash of its sorted member unit ids."""
    return "g" + hashlib.sha256("\x00".join(sorted(members)).encode()).hexdigest()[:15]


def class_id(words: frozenset[str]) -> int:
    """The id of the class of units with exactly these words: a signed 64-bit hash of the
    sorted set (an SQLite INTEGER), the same on any machine."""
    return sorted_class_id(sorted(words))


def sorted_class_id(ordered: Sequence[str]) -> int:
    """``class_id`` of the words ``ordered``, already sorted."""
    digest = hashlib.blake2b("\x00".join(ordered).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def class_keys(words: Iterable[str], df: Mapping[str, int]) -> tuple[str, ...]:
    """The blocking keys of a class: its ``KEYS_PER_UNIT`` rarest words, leaving out words
    in one unit only (they can never match anyone) and words in more than ``MAX_POSTING``
    units (too common to block on); ``df`` counts units holding each word."""
    rare = sorted((w for w in words if 1 < df[w] <= MAX_POSTING), key=lambda w: (df[w], w))
    return tuple(rare[:KEYS_PER_UNIT])


# A class of identical word sets as grouping sees it: its words, its member units as
# (unit id, article id), and its blocking keys.
ClaimClass = tuple[frozenset[str], Sequence[tuple[str, str]], Sequence[str]]


def group_claims(units: Iterable[tuple[str, str, str]]) -> dict[str, str]:
    """Group (unit_id, article_id, text) units; returns unit id -> group id.

    Only units in a group of two or more (from at least two articles) appear.
    """
    # Units with the same word set (republished wire copy, repeated paragraphs) form one
    # class, found by hashing the set: they are the same claim without comparing them,
    # and each pair of classes is compared once instead of each pair of copies.
    classes: dict[frozenset[str], list[tuple[str, str]]] = {}
    for uid, aid, text in units:
        ws = content_words(text)
        if len(ws) < MIN_WORDS:
            continue
        classes.setdefault(ws, []).append((uid, aid))
    # df counts units, not classes: a word repeated in many copies is a common word.
    df: dict[str, int] = defaultdict(int)
    for ws, members in classes.items():
        for w in ws:
            df[w] += len(members)
    return link_classes([(ws, members, class_keys(ws, df)) for ws, members in classes.items()])


def link_classes(classes: Sequence[ClaimClass]) -> dict[str, str]:
    """The claim groups of these classes (unit id -> group id, groups of two or more).

    Two classes are compared only when they share a blocking key; the result is the
    connected parts of the links found, so it depends on the classes, not their order.
    """
    ids: list[str] = []
    articles: list[str] = []
    sets = [ws for ws, _, _ in classes]
    keys = [list(k) for _, _, k in classes]
    # The members of each class by article, in order.
    by_article: list[dict[str, list[int]]] = []
    first_of: list[int] = []
    for _, class_members, _ in classes:
        groups: dict[str, list[int]] = {}
        first_of.append(len(ids))
        for uid, aid in class_members:
            groups.setdefault(aid, []).append(len(ids))
            ids.append(uid)
            articles.append(aid)
        by_article.append(groups)

    # Block on each class's rarest words. A key in more than MAX_POSTING units is never
    # used, which also caps every bucket.
    index: dict[str, list[int]] = defaultdict(list)
    for c in range(len(classes)):
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

    # Copies in different articles are the same claim. As before, a class is linked only
    # through its blocking keys, so a sentence made only of very common words (page
    # boilerplate in hundreds of articles) stays out of the groups.
    # whole[c]: every member of class c is known to be in one group already.
    whole = [len(ms) == 1 for _, ms, _ in classes]
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


# -- keeping groups up to date as units come and go --------------------------------------


class ClaimIndex(Protocol):
    """What ``update_groups`` reads and writes: the store's claim index (see
    ``annotate.store.suggestions``). Classes are ``class_id`` integers."""

    def claim_units_of(self, unit_ids: Collection[str]) -> dict[str, tuple[str, int]]:
        """unit id -> (article id, class) of the given units that are indexed."""
        ...

    def claim_classes(self, classes: Collection[int]) -> dict[int, tuple[str, str]]:
        """class -> (words, keys), each space-separated, of the given classes."""
        ...

    def claim_class_members(self, classes: Collection[int]) -> dict[int, list[tuple[str, str]]]:
        """class -> its (unit id, article id) members, in unit id order."""
        ...

    def claim_df(self, words: Collection[str]) -> dict[str, int]:
        """How many indexed units hold each of these words (absent: none)."""
        ...

    def classes_keyed_by(self, words: Collection[str]) -> dict[str, set[int]]: ...

    def classes_holding(self, words: Collection[str]) -> dict[str, set[int]]:
        """Classes holding each word, for words held by at most MAX_POSTING units."""
        ...

    def scan_classes_holding(self, words: Collection[str]) -> dict[str, set[int]]:
        """Classes holding each word, found by reading every class (the rare case of a
        word that fell back to MAX_POSTING units or fewer)."""
        ...

    def claim_groups_of(self, unit_ids: Collection[str]) -> dict[str, str]: ...

    def claim_group_units(self, groups: Collection[str]) -> set[str]: ...

    def write_claim_index(self, change: ClaimIndexChange) -> None: ...

    def write_claim_groups(self, groups: Mapping[str, str | None]) -> None:
        """Set (or clear, None) the claim group of these units."""
        ...


@dataclass
class ClaimIndexChange:
    """What ``update_groups`` writes to the claim index, in one go."""

    units_added: list[tuple[str, str, int]] = field(default_factory=list)  # (unit, article, class)
    units_removed: list[str] = field(default_factory=list)
    classes_added: dict[int, tuple[str, str]] = field(default_factory=dict)  # class -> words, keys
    # class -> (words, keys) of a class whose last unit went
    classes_removed: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=dict
    )
    keys_changed: dict[int, tuple[tuple[str, ...], tuple[str, ...]]] = field(
        default_factory=dict
    )  # class -> (old keys, new keys)
    df: dict[str, int] = field(default_factory=dict)  # word -> units holding it (0: none)
    words_added: list[tuple[str, int]] = field(default_factory=list)  # (word, class)
    words_dropped: list[str] = field(default_factory=list)  # no longer rare: all their rows


def _split(text: str) -> tuple[str, ...]:
    return tuple(text.split(" ")) if text else ()


def update_groups(
    index: ClaimIndex,
    added: Iterable[tuple[str, str, frozenset[str]]],
    removed: Iterable[str] = (),
) -> int:
    """Bring the stored claim groups up to date after units came and went.

    ``added``: (unit id, article id, content words) of new claim units (an id already
    indexed is skipped: its text, so its words, are the same); ``removed``: ids of units
    that left the store. The result is the groups ``group_claims`` finds over every
    indexed unit (a property test checks it), at a cost that follows the change:

    - df (units per word) changes only for the words of the units that came or went;
      a class's blocking keys can change only if it holds such a word: one of its keys
      (looked up in claim_keys) or, for a word that got rarer or just stopped being
      unique, any word (claim_words, kept for words of at most MAX_POSTING units);
    - links between two classes whose members and keys did not change are the same
      as before, so only groups that hold a changed class, or a class a changed class
      now links to, are worked out again (with everything in them, closed over classes
      and groups), and only the group ids that differ are written.

    Returns how many units' group id was written.
    """
    new_units: dict[str, tuple[str, frozenset[str]]] = {}
    for uid, aid, ws in added:
        if len(ws) >= MIN_WORDS:
            new_units[uid] = (aid, ws)
    known = index.claim_units_of(list(new_units))
    for uid in known:
        del new_units[uid]
    gone = index.claim_units_of(list(set(removed)))
    if not new_units and not gone:
        return 0
    # Groups of the units that leave, read before they leave.
    old_groups = set(index.claim_groups_of(list(gone)).values())

    change = ClaimIndexChange()
    new_class_of = {uid: class_id(ws) for uid, (_, ws) in new_units.items()}
    touched = set(new_class_of.values()) | {c for _, c in gone.values()}
    stored = index.claim_classes(touched)
    words_of: dict[int, frozenset[str]] = {c: frozenset(_split(w)) for c, (w, _) in stored.items()}
    keys_of: dict[int, tuple[str, ...]] = {c: _split(k) for c, (_, k) in stored.items()}
    for uid, (_, ws) in new_units.items():
        words_of.setdefault(new_class_of[uid], ws)
    size = {c: len(ms) for c, ms in index.claim_class_members(touched).items()}

    delta: Counter[str] = Counter()
    for uid, (aid, ws) in new_units.items():
        delta.update(ws)
        c = new_class_of[uid]
        size[c] = size.get(c, 0) + 1
        change.units_added.append((uid, aid, c))
    for uid, (_, c) in gone.items():
        delta.subtract(words_of[c])
        size[c] -= 1
        change.units_removed.append(uid)
    changed_words = {w: d for w, d in delta.items() if d}
    old_df = index.claim_df(list(changed_words))
    df: dict[str, int] = {}
    for w, d in changed_words.items():
        df[w] = old_df.get(w, 0) + d
    change.df = dict(df)

    # Classes whose keys may change, looked up before the index changes.
    # claim_words holds every class of each word of at most MAX_POSTING units: a word
    # that falls to that many is found again by reading the classes (rare: only
    # removals make a word rarer).
    via_words: set[str] = set()
    scan: set[str] = set()
    for w, after in df.items():
        before = old_df.get(w, 0)
        if before > MAX_POSTING >= after > 0:
            scan.add(w)
        elif (after > before and before == 1) or (after < before and 1 < after <= MAX_POSTING):
            via_words.add(w)
    check = {c for c in touched if size.get(c, 0) > 0}
    for keyed in index.classes_keyed_by(list(df)).values():
        check |= keyed
    for holding in index.classes_holding(list(via_words)).values():
        check |= holding
    rescanned = index.scan_classes_holding(list(scan))
    for w, holding in rescanned.items():
        if df[w] > 1:
            check |= holding
    # A new class's words whose count did not change count as before (a unit came and
    # another went): claim_words holds the class only under words still rare.
    fresh = {c for c in touched if c not in stored and size.get(c, 0) > 0}
    new_df = {**index.claim_df(list({w for c in fresh for w in words_of[c]} - df.keys())), **df}
    for c in touched:
        if c in fresh:
            ws = words_of[c]
            change.classes_added[c] = (" ".join(sorted(ws)), "")
            keys_of[c] = ()
            change.words_added.extend((w, c) for w in ws if new_df.get(w, 0) <= MAX_POSTING)
        elif c in stored and size.get(c, 0) <= 0:
            change.classes_removed[c] = (tuple(sorted(words_of[c])), keys_of[c])
    check -= change.classes_removed.keys()
    # Words back to MAX_POSTING units or fewer: claim_words holds their classes again.
    change.words_added.extend(
        (w, c) for w, cs in rescanned.items() for c in cs if c not in change.classes_removed
    )
    change.words_dropped = [w for w, n in df.items() if old_df.get(w, 0) <= MAX_POSTING < n]

    # New keys of those classes, from the new df. The classes to group again are those
    # whose members or keys changed: links between the others are as they were.
    for c, (w, k) in index.claim_classes(check - words_of.keys()).items():
        words_of[c], keys_of[c] = frozenset(_split(w)), _split(k)
    need = {w for c in check for w in words_of[c]} - df.keys()
    all_df = {**index.claim_df(list(need)), **df}
    dirty = {c for c in touched if size.get(c, 0) > 0}
    for c in check:
        keys = class_keys(words_of[c], all_df)
        if keys != keys_of.get(c, ()):
            change.keys_changed[c] = (keys_of.get(c, ()), keys)
            keys_of[c] = keys
            dirty.add(c)
    index.write_claim_index(change)

    # The part of the groups to work out again: the dirty classes, the classes they now
    # link to, and everything in the same group as any of those, closed over classes.
    region = set(dirty)
    candidates = index.classes_keyed_by({w for c in dirty for w in keys_of[c]})
    partners = {d for found in candidates.values() for d in found} - region
    for c, (w, k) in index.claim_classes(partners - words_of.keys()).items():
        words_of[c], keys_of[c] = frozenset(_split(w)), _split(k)
    for c in dirty:
        for w in keys_of[c]:
            for d in candidates.get(w, ()):
                if d not in region and same_claim(words_of[c], words_of[d]):
                    region.add(d)
    members: dict[int, list[tuple[str, str]]] = {}
    seen_groups: set[str] = set()
    pending_classes = set(region)
    pending_groups = set(old_groups)
    while pending_classes or pending_groups:
        found = index.claim_class_members(pending_classes)
        members.update(found)
        units = {u for ms in found.values() for u, _ in ms}
        groups = set(index.claim_groups_of(list(units)).values()) | pending_groups
        groups -= seen_groups
        seen_groups |= groups
        in_groups = index.claim_group_units(groups)
        classes = {c for _, c in index.claim_units_of(list(in_groups)).values()}
        pending_classes = classes - members.keys()
        pending_groups = set()
        region |= pending_classes
    for c, (w, k) in index.claim_classes(region - words_of.keys()).items():
        words_of[c], keys_of[c] = frozenset(_split(w)), _split(k)
    grouped = link_classes([(words_of[c], members[c], keys_of[c]) for c in sorted(region)])
    region_units = [u for c in region for u, _ in members[c]]
    stored_groups = index.claim_groups_of(region_units)
    writes: dict[str, str | None] = {}
    for u in region_units:
        g = grouped.get(u)
        if stored_groups.get(u) != g:
            writes[u] = g
    index.write_claim_groups(writes)
    return len(writes)


# -- building every group at once ---------------------------------------------------------


class BulkClaimIndex(ClaimIndex, Protocol):
    """What ``regroup`` reads and writes besides ``ClaimIndex`` (the store's claim index)."""

    def claim_class_stats(self) -> Iterator[tuple[int, str, int, str | None]]:
        """(class, words, units, the one article of its units or None), in class order."""
        ...

    def all_claim_df(self) -> dict[str, int]: ...

    def claim_class_pages(self, size: int) -> Iterator[list[tuple[int, str, str, bool]]]:
        """(class, words, keys, new since the index was built), pages in class order."""
        ...

    def claim_key_buckets(self) -> Iterator[tuple[str, list[tuple[int, str, str]]]]:
        """Each key word with the (class, words, keys) of the classes keyed on it."""
        ...

    def stage_claim_roots(self, roots: Iterable[tuple[int, int]]) -> None: ...

    def staged_claim_members(self, size: int) -> Iterator[list[tuple[int, str]]]: ...

    def stage_claim_groups(self, groups: Iterable[tuple[str, str]]) -> None: ...

    def write_staged_claim_groups(self) -> int: ...

    def drop_staged_claims(self) -> None: ...

    def batched(
        self, seconds: float | None = None
    ) -> AbstractContextManager[Callable[[], None]]: ...


PAGE = 500  # classes or units written in one step of ``regroup``: a short transaction


def regroup(index: BulkClaimIndex) -> int:
    """Work out the keys and groups of every indexed claim from the index itself, at a
    cost linear in the claims: for an index just filled with claims (``add_claim_units``:
    a fresh ingest, or a batch large next to the corpus), where ``update_groups`` would
    re-key nearly every class for each chunk. The groups are those ``group_claims`` finds
    (the property test checks it); the index ends as ``update_groups`` keeps it.

    Memory: the words' document frequencies and a few bytes a class; classes and units
    are read in streams and pages, grouped units are staged in temporary tables, and
    writes are short transactions. Returns how many units' group id was written.

    Groups at the level of classes: ``link_classes`` joins every copy of a keyed class
    found in two or more articles, and a link between two classes joins all copies of
    both unless every copy of the two is in one article (then it joins none). So a
    group is a connected set of classes, each "active" (in several articles, or linked),
    and holds every unit of them.
    """
    # Units holding each word, and which classes are in one article only.
    df: Counter[str] = Counter()
    ids = array("q")
    single = array("Q")  # the article of all a class's units (its 16 hex digits)
    multi = bytearray()  # 1: the class's units are in several articles
    for c, words, n, article in index.claim_class_stats():
        if n == 1:
            df.update(words.split(" "))  # (most classes: counted in C)
        else:
            for w in words.split(" "):
                df[w] += n
        ids.append(c)
        single.append(int(article, 16) if article is not None else 0)
        multi.append(article is None)

    active = bytearray(len(ids))  # 1: in a group (linked, or keyed in several articles)

    # Keys, claim_words and claim_df from the new counts; only what differs is written.
    old_df = index.all_claim_df()
    with index.batched() as tick:
        first = ClaimIndexChange(
            df={w: n for w, n in df.items() if old_df.get(w) != n},
            words_dropped=[w for w, n in df.items() if old_df.get(w, 0) <= MAX_POSTING < n],
        )
        first.df.update((w, 0) for w in old_df.keys() - df.keys())
        index.write_claim_index(first)
        for page in index.claim_class_pages(PAGE):
            change = ClaimIndexChange()
            for c, words, stored, new in page:
                ws = words.split(" ")
                keys = class_keys(ws, df)
                # A keyed class in several articles is a group of its own.
                i = bisect_left(ids, c)
                if keys and i < len(ids) and ids[i] == c and multi[i]:
                    active[i] = 1
                old = _split(stored)
                if keys != old:
                    change.keys_changed[c] = (old, keys)
                # claim_words: every class of each word of at most MAX_POSTING units.
                change.words_added.extend(
                    (w, c)
                    for w in ws
                    if df[w] <= MAX_POSTING and (new or old_df.get(w, 0) > MAX_POSTING)
                )
            index.write_claim_index(change)
            tick()

    # Link the classes sharing a key; each pair once (in the bucket of the first key
    # they share), not at all when already in one group.
    parent = array("q", range(len(ids)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for word, bucket in index.claim_key_buckets():
        if len(bucket) < 2:
            continue  # no pair to compare
        # (class, words, keys, its keys before ``word``: a pair sharing one of those was
        # compared in that key's bucket)
        members = []
        for c, words, key_text in bucket:
            ks = _split(key_text)
            members.append(
                (
                    bisect_left(ids, c),
                    frozenset(words.split(" ")),
                    frozenset(ks),
                    frozenset(k for k in ks if k < word),
                )
            )
        # The group of each member, kept current as links join groups: one find each.
        roots = [find(i) for i, _, _, _ in members]
        for x, (i, wi, _, before) in enumerate(members):
            multi_i, single_i = multi[i], single[i]
            for y in range(x + 1, len(members)):
                ri, rj = roots[x], roots[y]
                if ri == rj:
                    continue  # already in one group
                j, wj, kj, _ = members[y]
                if before and not before.isdisjoint(kj):
                    continue
                if not (multi_i or multi[j] or single_i != single[j]):
                    continue  # every copy of both in one article: links none
                if same_claim(wi, wj):
                    parent[rj] = ri
                    active[i] = active[j] = 1
                    roots = [ri if r == rj else r for r in roots]
    del df, old_df

    # Group ids: every unit of a group's classes, sorted, staged outside the store, then
    # written in one pass over the suggestions in their stored order.
    index.stage_claim_roots((ids[i], ids[find(i)]) for i in range(len(ids)) if active[i])
    try:
        root: int | None = None
        units: list[str] = []
        for staged in index.staged_claim_members(PAGE):
            named: list[tuple[str, str]] = []
            for r, u in staged:
                if r != root:
                    if units:
                        named.extend(zip(units, repeat(group_id(units))))
                    root, units = r, []
                units.append(u)
            index.stage_claim_groups(named)
        if units:
            index.stage_claim_groups(zip(units, repeat(group_id(units))))
        return index.write_staged_claim_groups()
    finally:
        index.drop_staged_claims()
