"""A model that learns from the team's labels and suggests with the rules.

``annotate train`` fits a linear classifier on TF-IDF word and character n-grams of each
labelled claim unit, the sentence before it and the rules' own signals (their label,
cue, source, quote continuation and the rule that decided), reports grouped-by-article
cross-validated figures against the rules alone on the same folds, and writes a model
folder. ``suggest_with_model`` stores blended suggestions (who spoke is in the reason
line); ``annotate --order uncertain`` walks the claims the model is least sure of first.

Layers: uses ``annotate.store``, ``annotate.suggest``, ``annotate.ingest`` (the rules'
pass) and ``annotate.team.evaluate`` (scoring); used by the CLI and the app.
"""

from annotate.learn.curve import CurvePoint, learning_curve, svg, table_lines
from annotate.learn.data import (
    Suggested,
    evaluate_model,
    examples,
    gold_labels,
    metadata,
    suggest_with_model,
    training_set,
)
from annotate.learn.features import Example, Featurizer, RuleView
from annotate.learn.jobs import TrainReport, default_folder, report_lines, train_store
from annotate.learn.model import (
    CrossValidation,
    LearnError,
    Model,
    Prediction,
    Trained,
    cv_json,
    load,
    save,
    train,
)

__all__ = [
    "CrossValidation",
    "CurvePoint",
    "Example",
    "Featurizer",
    "LearnError",
    "Model",
    "Prediction",
    "RuleView",
    "Suggested",
    "TrainReport",
    "Trained",
    "cv_json",
    "default_folder",
    "evaluate_model",
    "examples",
    "gold_labels",
    "learning_curve",
    "load",
    "metadata",
    "report_lines",
    "save",
    "suggest_with_model",
    "svg",
    "table_lines",
    "train",
    "train_store",
    "training_set",
]
