"""The model's side of a database: its labelled units for training, every claim unit
for suggesting, and writing the blended suggestions back. Only store methods here."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from annotate.datasets.export import aggregate
from annotate.learn.features import Example, RuleView
from annotate.model import LABELS

if TYPE_CHECKING:
    from annotate.learn.model import Model
    from annotate.store import LearnRow, Store
    from annotate.team.evaluate import Scores

# A unit the rules have not scored yet (there is none after ``suggest_all``).
_NO_RULES = RuleView("none", 0.0, "")


def example(row: LearnRow) -> Example:
    rules = RuleView.of_record(row.suggestion) if row.suggestion is not None else _NO_RULES
    return Example(row.unit_id, row.article_id, row.text, row.previous, rules, row.previous_label)


def examples(store: Store, unit_ids: Sequence[str] | None = None) -> list[Example]:
    """Every claim unit of the store (or those of ``unit_ids``) as the model reads it."""
    return [example(r) for r in store.learn_rows(unit_ids)]


def gold_labels(store: Store, annotator: str | None = None) -> dict[str, str]:
    """unit id -> the label to learn: one annotator's, or with no annotator given the
    team's (an adjudicated label first, else the majority; ties are left out)."""
    votes: dict[str, Counter[str]] = {}
    who = [annotator] if annotator else None
    for unit_id, _, label in store.label_rows(who):
        if label in LABELS:
            votes.setdefault(unit_id, Counter())[label] += 1
    if annotator:
        return {u: v.most_common(1)[0][0] for u, v in votes.items()}
    adjudicated = store.adjudicated_labels()
    out: dict[str, str] = {}
    for unit_id in set(votes) | set(adjudicated):
        decided = aggregate(votes.get(unit_id, Counter()), adjudicated.get(unit_id))[0]
        if decided in LABELS:
            out[unit_id] = str(decided)
    return out


def training_set(
    store: Store, annotator: str | None = None, *, rules_first: bool = True
) -> tuple[list[Example], list[str]]:
    """The labelled claim units and their labels, in queue order (with ``rules_first``,
    the rules run first for units without a suggestion: a write; without, only reads)."""
    from annotate.ingest import suggest_all

    if rules_first:
        suggest_all(store)
    gold = gold_labels(store, annotator)
    xs = [e for e in examples(store, sorted(gold)) if e.unit_id in gold]
    return xs, [gold[e.unit_id] for e in xs]


@dataclass(frozen=True)
class Suggested:
    """What ``suggest_with_model`` did."""

    units: int
    by: dict[str, int]  # speaker ("model", "rules", "both") -> units
    changed: int  # units whose blended label differs from the rules'


def suggest_with_model(store: Store, model: Model) -> Suggested:
    """Blended suggestions of ``model`` for every claim unit of ``store``, stored beside
    the rules' (which are computed first where missing)."""
    records, done = blended_records(store, model)
    store.save_model_suggestions(model.id, records)
    return done


def blended_records(
    store: Store, model: Model, *, rules_first: bool = True
) -> tuple[list[dict[str, Any]], Suggested]:
    """The rows ``suggest_with_model`` stores, not yet stored, and what they say (with
    ``rules_first``, as ``training_set``)."""
    from annotate.ingest import suggest_all

    if rules_first:
        suggest_all(store)
    xs = examples(store)
    preds = model.predict(xs)
    records = [
        {
            "unit_id": e.unit_id,
            "suggested_label": p.label,
            "confidence": p.confidence,
            "certainty": round(p.probability, 6),
            "speaker": p.speaker,
            "reason": p.reason,
        }
        for e, p in zip(xs, preds, strict=True)
    ]
    by = Counter(p.speaker for p in preds)
    changed = sum(p.label != e.rules.label for e, p in zip(xs, preds, strict=True))
    return records, Suggested(len(records), dict(by), changed)


def evaluate_model(
    store: Store, model: Model, annotator: str | None = None
) -> tuple[dict[str, Scores], bool]:
    """Rules, model and rules + model against the labels of ``store``; and whether the
    model was trained on this very database (then these are not held-out figures)."""
    from annotate.team.evaluate import score

    xs, gold = training_set(store, annotator)
    preds = model.predict(xs)
    results = {
        "rules": score(zip(gold, (e.rules.label for e in xs), strict=True)),
        "model": score(zip(gold, (p.model_label for p in preds), strict=True)),
        "rules + model": score(zip(gold, (p.label for p in preds), strict=True)),
    }
    return results, same_database(model, store)


def same_database(model: Model, store: Store) -> bool:
    trained = model.meta.get("database")
    here = getattr(store, "path", None)
    return bool(trained and here and Path(trained).resolve() == Path(str(here)).resolve())


def describe_counts(labels: Iterable[str]) -> dict[str, int]:
    counts = Counter(labels)
    return {lab: counts[lab] for lab in LABELS if counts[lab]}


def metadata(
    store: Store, annotator: str | None, labels: Sequence[str], xs: Sequence[Example]
) -> dict[str, Any]:
    """What a model folder records of its training data (without the figures)."""
    import sklearn

    from annotate.learn.model import FORMAT
    from annotate.store import utc_now
    from annotate.suggest import rules_version

    try:
        from importlib.metadata import version

        annotate_version = version("annotate")
    except Exception:
        annotate_version = "?"
    path = getattr(store, "path", None)
    return {
        "format": FORMAT,
        "annotate": annotate_version,
        "scikit_learn": sklearn.__version__,
        "trained_at": utc_now(),
        "database": str(Path(str(path)).resolve()) if path else None,
        "annotator": annotator,
        "labels_used": len(labels),
        "label_counts": describe_counts(labels),
        "articles": len({e.article_id for e in xs}),
        "rules": rules_version(),
    }
