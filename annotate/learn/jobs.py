"""The training job shared by ``annotate train`` and the app's background retraining:
read the labels, cross-validate, save the model folder, report."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from annotate.learn.curve import CurvePoint, learning_curve
from annotate.learn.data import metadata, training_set
from annotate.learn.model import FOLDS, THREADS, CrossValidation, Model, cv_json, save, train

if TYPE_CHECKING:
    from annotate.store import Store
    from annotate.team.evaluate import Scores


def default_folder(db_path: str | Path) -> Path:
    """Where a database's model goes unless told: beside it, ``<name>.model/``."""
    p = Path(db_path)
    return p.with_name(p.stem + ".model")


@dataclass(frozen=True)
class TrainReport:
    model: Model
    folder: Path
    cv: CrossValidation
    curve: list[CurvePoint] | None = None


def train_store(
    store: Store,
    folder: Path,
    *,
    annotator: str | None = None,
    folds: int = FOLDS,
    curve: bool = False,
    seed: int = 0,
    threads: int = THREADS,
    rules_first: bool = True,
) -> TrainReport:
    """Train on the labels of ``store`` (one annotator's, or the team's aggregated,
    adjudicated first), save the model into ``folder``; with ``curve``, the learning
    curve too; ``threads`` fit at once; ``rules_first`` as ``training_set``. Raises
    ``LearnError`` when the labels cannot make a model."""
    xs, labels = training_set(store, annotator, rules_first=rules_first)
    meta = metadata(store, annotator, labels, xs)
    trained = train(xs, labels, folds=folds, seed=seed, meta=meta, threads=threads)
    points = learning_curve(xs, labels, folds=folds, seed=seed) if curve else None
    trained.model.meta["cross_validation"] = cv_json(trained.cv)
    trained.model.meta["trusted"] = trained.model.gate.trusted
    trained.model.meta["model_alone"] = trained.model.gate.alone
    if points is not None:
        trained.model.meta["learning_curve"] = [
            {"share": p.fraction, "labels": p.labels, "rules": round(p.rules, 4),
             "model": round(p.model, 4), "rules + model": round(p.blend, 4)}
            for p in points
        ]  # fmt: skip
    save(trained.model, folder)
    return TrainReport(trained.model, folder, trained.cv, points)


def _row(name: str, s: Scores) -> str:
    f1 = "  ".join(
        f"{lab} {v.f1:.3f}" for lab, v in s.per_label.items() if v.support or v.predicted
    )
    return f"  {name:<14} macro-F1 {s.macro_f1:.3f}  accuracy {s.accuracy:.3f}  F1: {f1}"


def report_lines(report: TrainReport) -> Iterator[str]:
    cv, meta = report.cv, report.model.meta
    counts = ", ".join(f"{k} {v}" for k, v in meta.get("label_counts", {}).items())
    yield (
        f"Trained on {meta.get('labels_used')} label(s) in {meta.get('articles')} article(s) "
        f"({counts})."
    )
    yield (
        f"Cross-validated, {cv.folds} folds grouped by article (no article in both the "
        "training and the scored part), on the same folds:"
    )
    yield _row("rules", cv.rules)
    yield _row("model", cv.model)
    yield _row("rules + model", cv.blend)
    for name, s in (("rules", cv.rules), ("model", cv.model), ("rules + model", cv.blend)):
        yield f"  {name} per label (precision / recall / F1, support):"
        for lab, v in s.per_label.items():
            if v.support or v.predicted:
                yield (
                    f"    {lab:<13} {v.precision:.3f} / {v.recall:.3f} / {v.f1:.3f}  {v.support}"
                )
    if report.model.gate.alone:
        yield (
            "The model beat the rules and the blend on held-out folds: its label is "
            "suggested (the rules' reason stays in the line)."
        )
    elif report.model.gate.trusted:
        yield "The blend beat or matched the rules on held-out folds: suggestions use it."
    else:
        yield (
            "The blend did not beat the rules on held-out folds: suggestions stay the rules' "
            "(the model still orders --order uncertain). Label more and train again."
        )
    yield f"Model saved in {report.folder} (id {report.model.id})."
    yield (
        f"Next: annotate suggest --model {report.folder} (this or another database), "
        "then annotate open --order uncertain."
    )
