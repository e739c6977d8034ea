"""The learned model: training with grouped cross-validation, the blend with the rules,
and its folder on disk.

A linear classifier (logistic loss, averaged stochastic gradient descent: fast on two
cores and sparse text features) reads the features of ``annotate.learn.features``. Its
out-of-fold predictions, with no article in both the training and the scored part of a
fold, give the figures ``annotate train`` reports and the evidence the blend uses: for
each unit, the model speaks when its held-out accuracy at that probability beats the
rules' held-out accuracy for that kind of rules decision (label and confidence), else
the rules keep their say. A blend that did not beat the rules on the held-out folds is
stored untrusted: the rules then speak everywhere (a model never makes things worse
early); a model that beat both the rules and the blend on all held-out folds but one at
most speaks alone (the rules' reason stays in its line). The blend's own figures are
held out twice: the gate that scores fold k is estimated on the other folds' predictions
only.
"""

from __future__ import annotations

import hashlib
import json
import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from annotate.learn.features import Example, Featurizer
from annotate.team.evaluate import Scores, score

# 2: one tokenization for word and character grams (features of format 1 differ);
# 3: the first unit of an article no longer reads as following a quote.
FORMAT = 3
MODEL_FILE = "model.joblib"
META_FILE = "model.json"
FOLDS = 5
MIN_LABELS = 10
# Model accuracy is estimated per bin of its top probability.
_EDGES = (0.0, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 1.01)
_PRIOR = 5.0  # pseudo-counts pulling a thin estimate toward the claimed confidence
_BATCH = 20_000
# Threads fitting the classifier (one label against the rest each): both cores for
# `annotate train`; the app's background retraining takes one, leaving one to the app.
THREADS = 2


class LearnError(Exception):
    """Training or loading a model cannot go on (too few labels, not a model folder)."""


def _classifier(n: int, threads: int = THREADS) -> Any:
    """The classifier for ``n`` labels: regularised more when labels are few (chosen by
    grouped cross-validation on the training portions of the shared data: 0.25 / n
    beat a fixed 1e-5 on 830 CheckThat! sentences and matches it on 28,000 PolNeAR)."""
    from sklearn.linear_model import SGDClassifier

    # Ten passes of averaged SGD: as good on held-out news as thirty at a third of the
    # time (PolNeAR dev, model alone: 0.841 vs 0.840). One label against the rest per
    # thread, two at a time (the fitting loop runs outside Python's lock).
    return SGDClassifier(
        loss="log_loss",
        alpha=max(1e-5, 0.25 / max(n, 1)),
        max_iter=10,
        tol=None,
        average=True,
        random_state=0,
        n_jobs=threads,
    )


def _fit(x: Any, y: Any, threads: int = THREADS) -> Any:
    from sklearn.exceptions import ConvergenceWarning

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return _classifier(x.shape[0], threads).fit(x, y)


@dataclass
class Gate:
    """Who speaks for a unit: held-out accuracy of the model by probability bin and of
    the rules by (label, confidence)."""

    model_accuracy: list[float]
    rules_accuracy: dict[str, float]
    trusted: bool = True
    # The model beat both the rules and the blend on held-out folds: it speaks everywhere.
    alone: bool = False

    @staticmethod
    def rules_key(label: str, confidence: float) -> str:
        return f"{label}:{confidence:.2f}"

    @classmethod
    def fit(
        cls, proba: Any, classes: Sequence[str], gold: Sequence[str], rules: Sequence[Example]
    ) -> Gate:
        import numpy as np

        top = proba.max(axis=1)
        guess = np.asarray(classes)[proba.argmax(axis=1)]
        right = guess == np.asarray(gold)
        model_acc = []
        for lo, hi in zip(_EDGES, _EDGES[1:], strict=False):
            inside = (top >= lo) & (top < hi)
            prior = min(lo + hi, 2.0) / 2
            model_acc.append(
                float((right[inside].sum() + _PRIOR * prior) / (inside.sum() + _PRIOR))
            )
        counts: dict[str, list[float]] = {}
        for e, g in zip(rules, gold, strict=True):
            c = counts.setdefault(cls.rules_key(e.rules.label, e.rules.confidence), [0.0, 0.0])
            c[0] += e.rules.label == g
            c[1] += 1
        rules_acc = {
            k: (hit + _PRIOR * float(k.rsplit(":", 1)[1])) / (n + _PRIOR)
            for k, (hit, n) in counts.items()
        }
        return cls(model_acc, rules_acc)

    def model_trust(self, p: float) -> float:
        for i, (lo, hi) in enumerate(zip(_EDGES, _EDGES[1:], strict=False)):
            if lo <= p < hi:
                return self.model_accuracy[i]
        return self.model_accuracy[-1]

    def rules_trust(self, label: str, confidence: float) -> float:
        return self.rules_accuracy.get(self.rules_key(label, confidence), confidence)

    def speaker(self, model_label: str, p: float, e: Example) -> str:
        """ "both" when they agree, else "model" or "rules", whichever is more reliable."""
        if model_label == e.rules.label:
            return "both"
        if e.rules.label not in _KNOWN or self.alone:
            return "model"
        if not self.trusted:
            return "rules"
        return (
            "model"
            if self.model_trust(p) > self.rules_trust(e.rules.label, e.rules.confidence)
            else "rules"
        )


_KNOWN = frozenset({"attributed", "unattributed", "editorial", "not_claim"})


@dataclass(frozen=True)
class Prediction:
    """The model's and the blend's say about one unit."""

    model_label: str
    probability: float  # the model's probability of its label
    label: str  # the blended label
    confidence: float
    speaker: str  # "model", "rules" or "both"
    reason: str


def blend_one(e: Example, model_label: str, p: float, gate: Gate) -> Prediction:
    """The blended suggestion for one unit and the reason line saying who spoke."""
    who = gate.speaker(model_label, p, e)
    why = e.rules.why()
    if who == "both":
        conf = max(p, e.rules.confidence)
        return Prediction(
            model_label, p, model_label, round(conf, 2), who, f"model {p:.2f} · rules: {why}"
        )
    if who == "model":
        reason = f"model {p:.2f} · rules said {e.rules.label}: {why}"
        return Prediction(model_label, p, model_label, round(p, 2), who, reason)
    note = "" if gate.trusted else " (model not trusted yet)"
    reason = f"rules: {why} · model said {model_label} {p:.2f}{note}"
    return Prediction(model_label, p, e.rules.label, e.rules.confidence, who, reason)


@dataclass
class Model:
    """A trained model: features, classifier, the blend's gate and what it was trained on."""

    featurizer: Featurizer
    classifier: Any
    gate: Gate
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def classes(self) -> list[str]:
        return [str(c) for c in self.classifier.classes_]

    @property
    def id(self) -> str:
        return str(self.meta.get("id", "?"))

    def predict(self, examples: Sequence[Example]) -> list[Prediction]:
        """The model's label and the blended suggestion of each example, in batches."""
        out: list[Prediction] = []
        classes = self.classes
        for i in range(0, len(examples), _BATCH):
            chunk = examples[i : i + _BATCH]
            proba = self.classifier.predict_proba(self.featurizer.transform(chunk))
            best = proba.argmax(axis=1)
            for e, j, row in zip(chunk, best, proba, strict=True):
                out.append(blend_one(e, classes[j], float(row[j]), self.gate))
        return out


# -- training and cross-validation -------------------------------------------------------


@dataclass(frozen=True)
class CrossValidation:
    """Held-out figures of one cross-validation: the rules, the model and the blend
    scored on the same units, each fold's articles unseen by its training part."""

    folds: int
    rules: Scores
    model: Scores
    blend: Scores
    fold_macro: dict[str, list[float]]  # "rules"/"model"/"blend" -> macro-F1 per fold
    trained_on: int  # labels in the training part of a fold, on average


def _folds(groups: Sequence[str], k: int, seed: int) -> list[Any]:
    """Article-grouped folds of about equal size: every unit of an article in one fold."""
    import numpy as np

    order = sorted(set(groups), key=lambda g: hashlib.sha256(f"{seed}:{g}".encode()).digest())
    fold_of = {g: i % k for i, g in enumerate(order)}
    assigned = np.array([fold_of[g] for g in groups])
    return [np.flatnonzero(assigned == i) for i in range(k)]


def cross_validate(
    x: Any,
    examples: Sequence[Example],
    labels: Sequence[str],
    *,
    folds: int = FOLDS,
    seed: int = 0,
    fraction: float = 1.0,
    threads: int = THREADS,
) -> tuple[CrossValidation, Any, list[str]]:
    """Grouped cross-validation of the model on feature matrix ``x``; with ``fraction``,
    each fold trains on that share of its training articles (a learning curve). Returns
    the figures, the out-of-fold probabilities and their classes."""
    import numpy as np

    groups = [e.article_id for e in examples]
    k = min(folds, len(set(groups)))
    if k < 2:
        raise LearnError("cross-validation needs labelled units in at least two articles")
    y = np.asarray(labels)
    classes = sorted(set(labels))
    parts = _folds(groups, k, seed)
    proba = np.zeros((len(y), len(classes)))
    trained = []
    for i, test in enumerate(parts):
        train = np.concatenate([p for j, p in enumerate(parts) if j != i])
        if fraction < 1.0:
            arts = sorted(
                {groups[t] for t in train},
                key=lambda g: hashlib.sha256(f"{seed}{g}".encode()).digest(),
            )
            keep = set(arts[: max(1, round(len(arts) * fraction))])
            train = np.array([t for t in train if groups[t] in keep])
        trained.append(len(train))
        seen = sorted(set(y[train]))
        if len(seen) < 2:  # one label only: the model can only say that one
            proba[np.ix_(test, [classes.index(seen[0])])] = 1.0
            continue
        clf = _fit(x[train], y[train], threads)
        cols = [classes.index(c) for c in clf.classes_]
        proba[np.ix_(test, cols)] = clf.predict_proba(x[test])
    guess = [classes[j] for j in proba.argmax(axis=1)]
    blended: list[str] = [""] * len(y)
    for i, test in enumerate(parts):
        other = np.concatenate([p for j, p in enumerate(parts) if j != i])
        gate = Gate.fit(proba[other], classes, list(y[other]), [examples[t] for t in other])
        for t in test:
            blended[t] = blend_one(examples[t], guess[t], float(proba[t].max()), gate).label
    rules = [e.rules.label for e in examples]
    per: dict[str, list[float]] = {"rules": [], "model": [], "blend": []}
    for test in parts:
        for name, pred in (("rules", rules), ("model", guess), ("blend", blended)):
            per[name].append(score((y[t], pred[t]) for t in test).macro_f1)
    result = CrossValidation(
        folds=k,
        rules=score(zip(labels, rules, strict=True)),
        model=score(zip(labels, guess, strict=True)),
        blend=score(zip(labels, blended, strict=True)),
        fold_macro=per,
        trained_on=round(sum(trained) / len(trained)),
    )
    return result, proba, classes


def model_alone(cv: CrossValidation) -> bool:
    """Whether the model's held-out figures beat the rules' and the blend's: overall and
    on every fold but one at most (one lucky fold is not enough; two folds at least)."""
    per = cv.fold_macro
    wins = sum(
        m > max(r, b) for m, r, b in zip(per["model"], per["rules"], per["blend"], strict=True)
    )
    best_other = max(cv.rules.macro_f1, cv.blend.macro_f1)
    return cv.folds >= 3 and wins >= cv.folds - 1 and cv.model.macro_f1 > best_other


@dataclass(frozen=True)
class Trained:
    model: Model
    cv: CrossValidation


def train(
    examples: Sequence[Example],
    labels: Sequence[str],
    *,
    folds: int = FOLDS,
    seed: int = 0,
    meta: dict[str, Any] | None = None,
    threads: int = THREADS,
) -> Trained:
    """Train on labelled examples: cross-validate (grouped by article), fit the blend's
    gate on the out-of-fold predictions, then fit the model on every label, with
    ``threads`` fitting at once."""
    if len(examples) != len(labels):
        raise ValueError("one label per example")
    if len(examples) < MIN_LABELS:
        raise LearnError(f"too few labels to train on: {len(examples)} (at least {MIN_LABELS})")
    if len(set(labels)) < 2:
        raise LearnError(f"every label is {labels[0]!r}: a model needs at least two labels")
    featurizer = Featurizer()
    x = featurizer.fit_transform(examples)
    cv, proba, classes = cross_validate(
        x, examples, labels, folds=folds, seed=seed, threads=threads
    )
    gate = Gate.fit(proba, classes, labels, examples)
    # The blend is trusted when its held-out figures are at least the rules'; the model
    # speaks alone when it beats both on the whole and on all folds but one at most.
    gate.trusted = cv.blend.macro_f1 >= cv.rules.macro_f1
    gate.alone = model_alone(cv)
    model = Model(featurizer, _fit(x, list(labels), threads), gate, dict(meta or {}))
    return Trained(model, cv)


# -- the model folder --------------------------------------------------------------------


def scores_json(s: Scores) -> dict[str, Any]:
    return {
        "n": s.n,
        "accuracy": round(s.accuracy, 4),
        "macro_f1": round(s.macro_f1, 4),
        "per_label": {
            lab: {
                "precision": round(v.precision, 4),
                "recall": round(v.recall, 4),
                "f1": round(v.f1, 4),
                "support": v.support,
            }
            for lab, v in s.per_label.items()
            if v.support or v.predicted
        },
    }


def cv_json(cv: CrossValidation) -> dict[str, Any]:
    return {
        "folds": cv.folds,
        "grouped_by": "article",
        "rules": scores_json(cv.rules),
        "model": scores_json(cv.model),
        "rules + model": scores_json(cv.blend),
        "macro_f1_per_fold": {k: [round(v, 4) for v in vs] for k, vs in cv.fold_macro.items()},
    }


def save(model: Model, folder: Path) -> Path:
    """Write the model into ``folder`` (created if needed): ``model.joblib`` (the
    scikit-learn objects, a pickle) and ``model.json`` (what it was trained on, when,
    its figures). Each file is written beside and then moved into place."""
    import joblib

    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / (MODEL_FILE + ".tmp")
    joblib.dump(
        {"featurizer": model.featurizer, "classifier": model.classifier, "gate": model.gate},
        tmp,
        compress=3,
    )
    digest = hashlib.sha256(tmp.read_bytes()).hexdigest()[:12]
    model.meta["id"] = digest
    os.replace(tmp, folder / MODEL_FILE)
    meta_tmp = folder / (META_FILE + ".tmp")
    meta_tmp.write_text(json.dumps(model.meta, indent=2, ensure_ascii=False) + "\n", "utf-8")
    os.replace(meta_tmp, folder / META_FILE)
    return folder


def load(folder: Path) -> Model:
    """The model saved in ``folder`` by ``save``. Unpickles ``model.joblib``: load only
    model folders you (or your team) wrote."""
    import joblib

    meta_path, model_path = folder / META_FILE, folder / MODEL_FILE
    if not folder.is_dir():
        raise LearnError(f"{folder}: no such model folder (write one with `annotate train`)")
    if not meta_path.is_file() or not model_path.is_file():
        raise LearnError(f"{folder}: not a model folder ({META_FILE} and {MODEL_FILE} expected)")
    try:
        meta = json.loads(meta_path.read_text("utf-8"))
    except (OSError, ValueError) as e:
        raise LearnError(f"{meta_path}: unreadable ({e})") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise LearnError(f"{meta_path}: not a model of this annotate (format {FORMAT} expected)")
    try:
        parts = joblib.load(model_path)
        return Model(parts["featurizer"], parts["classifier"], parts["gate"], meta)
    except Exception as e:  # a damaged or foreign pickle: say so in one line
        raise LearnError(f"{model_path}: cannot be loaded ({type(e).__name__}: {e})") from None
