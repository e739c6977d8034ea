"""Measuring suggestions against human labels: accuracy, per-label scores, confusion matrix.

Two sources of gold labels: hand-labelled JSONL files of units (``annotate/data/
eval_*.jsonl`` ship with the package; fields ``text``, ``label``, optional ``context`` =
the sentence before, ``kind``, ``note``, ``split``), or the labels annotators gave in a
database. The scoring itself is a pure function of (gold, predicted) pairs: accuracy,
precision, recall and F1 per label, macro-F1 and the confusion matrix.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from annotate.store import Store

from annotate.model import LABELS, SENTENCE

DEFAULT_EVAL = "eval_units.jsonl"
# Further shipped sets, written later and kept apart (held out from the rules' tuning).
MORE_EVAL = ("eval_heldout3.jsonl",)


@dataclass(frozen=True)
class LabelScore:
    precision: float
    recall: float
    f1: float
    support: int  # gold units with this label
    predicted: int  # units suggested with this label


@dataclass(frozen=True)
class Scores:
    """How well suggestions match gold labels."""

    n: int
    accuracy: float
    per_label: dict[str, LabelScore]
    confusion: dict[str, dict[str, int]]  # confusion[gold][predicted]
    errors: list[dict[str, Any]] = field(default_factory=list)

    @property
    def macro_f1(self) -> float:
        """Mean F1 over the labels that occur, in the gold labels or the suggestions."""
        seen = [v.f1 for v in self.per_label.values() if v.support or v.predicted]
        return sum(seen) / len(seen) if seen else 0.0


def score(pairs: Iterable[tuple[str, str]]) -> Scores:
    """Scores for (gold, predicted) label pairs. Labels outside LABELS are kept as given."""
    counts: Counter[tuple[str, str]] = Counter(pairs)
    labels = list(LABELS) + sorted({x for p in counts for x in p} - set(LABELS))
    n = sum(counts.values())
    confusion = {g: {p: counts[(g, p)] for p in labels} for g in labels}
    per: dict[str, LabelScore] = {}
    for lab in labels:
        tp = counts[(lab, lab)]
        support = sum(confusion[lab].values())
        predicted = sum(confusion[g][lab] for g in labels)
        prec = tp / predicted if predicted else 0.0
        rec = tp / support if support else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        per[lab] = LabelScore(prec, rec, f1, support, predicted)
    correct = sum(counts[(lab, lab)] for lab in labels)
    return Scores(n, correct / n if n else 0.0, per, confusion)


@dataclass(frozen=True)
class EvalUnit:
    text: str
    label: str
    context: tuple[str, ...] = ()
    kind: str = SENTENCE
    note: str = ""
    split: str = "dev"


def load_eval_units(
    path: str | Path | None = None, *, shipped: str = DEFAULT_EVAL
) -> list[EvalUnit]:
    """Read an evaluation file (the shipped set named ``shipped`` when ``path`` is None)."""
    if path is None:
        text = resources.files("annotate.data").joinpath(shipped).read_text("utf-8")
    else:
        text = Path(path).read_text("utf-8")
    units = []
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            d = json.loads(line)
            ctx = d.get("context") or ()
            units.append(
                EvalUnit(
                    text=d["text"],
                    label=d["label"],
                    context=(ctx,) if isinstance(ctx, str) else tuple(ctx),
                    kind=d.get("kind", SENTENCE),
                    note=d.get("note", ""),
                    split=d.get("split", "dev"),
                )
            )
        except (ValueError, KeyError, TypeError) as e:
            raise ValueError(f"{path or shipped}:{n}: bad evaluation row ({e})") from None
    return units


def evaluate_units(units: Iterable[EvalUnit]) -> Scores:
    """Run the rules on each unit (with its context) and score them against the labels."""
    from annotate.suggest.cues import suggest

    pairs, errors = [], []
    for u in units:
        s = suggest(u.text, kind=u.kind, previous=u.context)
        pairs.append((u.label, s.label))
        if s.label != u.label:
            errors.append(
                {"text": u.text, "gold": u.label, "suggested": s.label, "reason": s.reason}
            )
    result = score(pairs)
    return Scores(result.n, result.accuracy, result.per_label, result.confusion, errors)


def evaluate_file(path: str | Path | None = None) -> dict[str, Scores]:
    """Scores per split of an evaluation file, plus "all".

    Without ``path``: the shipped set ("all" and its splits), then the splits of every
    further shipped set (``held-out 3`` …), each scored on its own.
    """
    units = load_eval_units(path)
    out = {"all": evaluate_units(units)}
    for split in sorted({u.split for u in units}):
        out[split] = evaluate_units(u for u in units if u.split == split)
    if path is None:
        for name in MORE_EVAL:
            more = load_eval_units(shipped=name)
            for split in sorted({u.split for u in more}):
                out.setdefault(split, evaluate_units(u for u in more if u.split == split))
    return out


def evaluate_store(store: Store, annotator: str | None = None) -> dict[str, Scores]:
    """Scores of the stored suggestions against the labels annotators gave in a database.

    Suggestions missing for some units are computed first (``suggest_all``).
    """
    from annotate.ingest import suggest_all

    suggest_all(store)
    rows = list(store.labelled_suggestions(annotator))
    key = annotator or "all annotators"
    return {key: score((gold, pred) for _, _, gold, pred in rows)}


# -- output -----------------------------------------------------------------------------


def to_json(results: dict[str, Scores], *, errors: bool = False) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, s in results.items():
        out[name] = {
            "n": s.n,
            "accuracy": round(s.accuracy, 4),
            "per_label": {
                lab: {
                    "precision": round(v.precision, 4),
                    "recall": round(v.recall, 4),
                    "f1": round(v.f1, 4),
                    "support": v.support,
                    "predicted": v.predicted,
                }
                for lab, v in s.per_label.items()
            },
            "macro_f1": round(s.macro_f1, 4),
            "confusion": s.confusion,
        }
        if errors:
            out[name]["errors"] = s.errors
    return out


def report_lines(name: str, s: Scores) -> Iterator[str]:
    """A plain-text report of one set of scores."""
    yield f"{name}: {s.n} units, accuracy {s.accuracy:.3f}, macro-F1 {s.macro_f1:.3f}"
    yield (
        f"  {'label':<13} {'precision':>9} {'recall':>7} {'f1':>6} {'support':>8} {'suggested':>9}"
    )
    for lab, v in s.per_label.items():
        yield (
            f"  {lab:<13} {v.precision:>9.3f} {v.recall:>7.3f} {v.f1:>6.3f} {v.support:>8} "
            f"{v.predicted:>9}"
        )
    labels = list(s.confusion)
    short = {lab: lab[:8] for lab in labels}
    yield "  confusion (rows: gold, columns: suggested)"
    yield "  " + " " * 13 + "".join(f"{short[p]:>10}" for p in labels)
    for g in labels:
        yield f"  {g:<13}" + "".join(f"{s.confusion[g][p]:>10}" for p in labels)
