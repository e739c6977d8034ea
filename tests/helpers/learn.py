"""A small labelled database for the model's tests: articles of made-up news sentences
of the four kinds, labelled by one or two annotators."""

from __future__ import annotations

import random

from annotate.model import ATTRIBUTED, EDITORIAL, NOT_CLAIM, UNATTRIBUTED
from annotate.store import Store
from helpers.builders import add_article

_NAMES = ["Mr Duffy", "The minister", "Officials", "A spokeswoman", "Dr Okafor", "The mayor"]
_NOUNS = ["budget", "bridge", "vaccine", "election", "harbour", "school", "tariff", "museum"]
_VERBS = ["said", "told reporters", "announced", "warned", "claimed"]
_TIMES = ["next week", "in March", "by the summer", "this year", "soon"]


def sentence(rng: random.Random, label: str) -> str:
    noun, time = rng.choice(_NOUNS), rng.choice(_TIMES)
    if label == ATTRIBUTED:
        return f"{rng.choice(_NAMES)} {rng.choice(_VERBS)} the {noun} would open {time}."
    if label == UNATTRIBUTED:
        return f"The {noun} opened {time} after {rng.randint(2, 40)} months of work."
    if label == EDITORIAL:
        return f"This is perhaps the most ill-judged {noun} plan we have seen {time}."
    return f"Read more about the {noun} {rng.randint(1, 999)}"


def labelled_db(
    path: str,
    *,
    articles: int = 24,
    per_article: int = 8,
    seed: int = 0,
    annotators: tuple[str, ...] = ("ana",),
    labelled_share: float = 1.0,
) -> dict[str, str]:
    """Write a database of ``articles`` articles; returns unit id -> true label. Each
    annotator labels ``labelled_share`` of the units with the true label."""
    rng = random.Random(seed)
    kinds = [ATTRIBUTED, ATTRIBUTED, UNATTRIBUTED, UNATTRIBUTED, EDITORIAL, NOT_CLAIM]
    truth: dict[str, str] = {}
    with Store.open(path) as store:
        for a in range(articles):
            labels = [rng.choice(kinds) for _ in range(per_article)]
            texts = [sentence(rng, lab) for lab in labels]
            ids = add_article(store, f"a{seed}_{a:03d}.txt", texts)
            for uid, lab in zip(ids, labels, strict=True):
                truth[uid] = lab
                for who in annotators:
                    if rng.random() < labelled_share:
                        store.set_label(uid, who, lab)
    return truth
