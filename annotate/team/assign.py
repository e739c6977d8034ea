"""Splitting the work: which annotators review which articles.

By default (no assignments stored) every annotator sees every unit. ``annotate assign``
gives each article to a chosen number of annotators, spreading the claim units as evenly
as whole articles allow. The plan is deterministic: the same articles, annotators,
annotator count and seed always give the same plan, whatever order the articles were
ingested in. The TUI restricts an annotator's queue with ``Store.assigned_articles``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from annotate.store import Store


class AssignError(Exception):
    """A plan that cannot be made, with a one-line reason."""


@dataclass(frozen=True)
class Share:
    """What one annotator was given."""

    annotator: str
    articles: int
    claims: int


def _rank(seed: int, *parts: str) -> bytes:
    return hashlib.sha256("\x00".join(("assign", str(seed), *parts)).encode()).digest()


def plan(
    articles: Sequence[tuple[str, int]],
    annotators: Sequence[str],
    per_article: int,
    seed: int = 0,
) -> dict[str, tuple[str, ...]]:
    """article id -> the ``per_article`` annotators who review it.

    ``articles`` are (article id, claim units). Longest articles first, each to the
    annotators with the fewest claims so far (then fewest articles, then a seeded
    hash), which keeps every share within one article of the mean. The seed decides
    who pairs with whom among equals.
    """
    names = list(dict.fromkeys(a.strip() for a in annotators if a.strip()))
    if not names:
        raise AssignError("no annotators given")
    if not 1 <= per_article <= len(names):
        raise AssignError(
            f"--reviewers must be between 1 and the number of annotators ({len(names)})"
        )
    load = {a: [0, 0] for a in names}  # claims, articles
    out: dict[str, tuple[str, ...]] = {}
    for aid, claims in sorted(articles, key=lambda x: (-x[1], _rank(seed, x[0]))):
        chosen = sorted(names, key=lambda a: (load[a][0], load[a][1], _rank(seed, aid, a)))
        chosen = chosen[:per_article]
        for a in chosen:
            load[a][0] += claims
            load[a][1] += 1
        out[aid] = tuple(sorted(chosen))
    return out


def shares(assignment: dict[str, tuple[str, ...]], claims: dict[str, int]) -> list[Share]:
    """Per annotator: how many articles and claim units the plan gives them."""
    totals: dict[str, list[int]] = {}
    for aid, names in assignment.items():
        for a in names:
            t = totals.setdefault(a, [0, 0])
            t[0] += 1
            t[1] += claims.get(aid, 0)
    return [Share(a, n, c) for a, (n, c) in sorted(totals.items())]


def assign(store: Store, annotators: Sequence[str], per_article: int, seed: int = 0) -> list[Share]:
    """Make and store the plan for every article in ``store`` (replacing any earlier
    one); labels already given are untouched. Returns each annotator's share."""
    articles = store.article_claims()
    if not articles:
        raise AssignError("the database holds no article; run annotate ingest first")
    assignment = plan(articles, annotators, per_article, seed)
    store.set_assignments((aid, a) for aid, names in assignment.items() for a in names)
    result = shares(assignment, dict(articles))
    given = {s.annotator for s in result}
    # An annotator who got nothing (more annotators than article slots) still shows.
    names = dict.fromkeys(a.strip() for a in annotators if a.strip())
    return sorted(
        [*result, *(Share(a, 0, 0) for a in names if a not in given)], key=lambda s: s.annotator
    )


def clear(store: Store) -> None:
    """Remove every assignment: every annotator sees every unit again."""
    store.set_assignments(())
