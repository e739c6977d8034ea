"""The dataset card (README.md) of an hf export: a YAML header that the Hugging Face Hub
and ``datasets`` read (configs, features, splits, task, language, size), and a body that
says how the data was made.

``render`` takes plain figures (``CardFacts``), gathered by ``annotate.datasets.hf`` from
the store and the rows as they were written; nothing here reads the database.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from annotate.visible import visible

# The size buckets of the Hub's size_categories.
_SIZES = (
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
    (1_000_000_000, "100M<n<1B"),
)


def size_category(rows: int) -> str:
    for limit, name in _SIZES:
        if rows < limit:
            return name
    return "n>1B"


@dataclass(frozen=True)
class SplitFacts:
    name: str  # train, validation or test
    path: str  # the Parquet file, relative to the folder
    rows: int
    labels: dict[str, int]  # label -> rows ("(none)" for rows without a label)
    nbytes: int = 0  # the rows' size as Arrow columns


@dataclass(frozen=True)
class CardFacts:
    """Every figure the card shows."""

    features: dict[str, Any]  # Hugging Face Features.to_dict()
    splits: list[SplitFacts]
    label_names: Sequence[str]
    rows_are: str  # what one row is
    options: list[str]  # the export's options, as given
    articles: int
    claims: int
    sources: list[tuple[str | None, int]]
    annotators: dict[str, dict[str, int]]  # annotator -> label -> labels
    annotators_per_unit: dict[int, int]
    adjudicated: int
    disagreements: int
    open_disagreements: int
    suggested_labels: int  # labels on units with a suggestion
    accepted_suggestions: int  # of those, equal to the suggestion unchanged
    agreement: dict[str, Any] | None
    guidelines: str
    version: str
    language: str = "en"
    split_spec: str | None = None
    empty_splits: list[str] = field(default_factory=list)  # of --split, with no row
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.splits)


def header(facts: CardFacts) -> dict[str, Any]:
    """The YAML header as data."""
    features = []
    for name, feature in facts.features.items():
        if feature["_type"] == "ClassLabel":
            names = {str(i): n for i, n in enumerate(feature["names"])}
            features.append({"name": name, "dtype": {"class_label": {"names": names}}})
        else:
            features.append({"name": name, "dtype": feature["dtype"]})
    return {
        "language": [facts.language],
        "task_categories": ["text-classification"],
        "task_ids": ["multi-class-classification"],
        "size_categories": [size_category(facts.rows)],
        "pretty_name": "Claim attribution labels",
        "tags": ["claim-attribution", "news", "annotate"],
        "configs": [
            {
                "config_name": "default",
                "data_files": [{"split": s.name, "path": s.path} for s in facts.splits],
            }
        ],
        "dataset_info": {
            "features": features,
            "splits": [
                {"name": s.name, "num_bytes": s.nbytes, "num_examples": s.rows}
                for s in facts.splits
            ],
            "dataset_size": sum(s.nbytes for s in facts.splits),
        },
    }


def render(facts: CardFacts) -> str:
    """The whole README.md: front matter, then the body."""
    return f"---\n{yaml(header(facts))}---\n\n{body(facts)}"


def body(facts: CardFacts) -> str:
    lines: list[str] = ["# Claim attribution labels", ""]
    lines += [
        "News claims labelled by hand with [annotate](https://pypi.org/project/annotate/) "
        f"{facts.version}: each claim unit (a sentence of an article) is "
        f"{_names(facts.label_names)}.",
        "",
        f"One row is {facts.rows_are}. `label` is a ClassLabel: "
        + ", ".join(f"{i} = {n}" for i, n in enumerate(facts.label_names))
        + ".",
        "",
        "```python",
        "from datasets import load_dataset",
        'ds = load_dataset("path/to/this/folder")',
        'ds["train"].features["label"].int2str(ds["train"][0]["label"])',
        "```",
        "",
        "## Splits",
        "",
    ]
    if facts.split_spec:
        lines += [
            f"Assigned by article (`--split {facts.split_spec}`): every unit of an article "
            "is in the same split, so no article's sentences are on both sides.",
            "",
        ]
    else:
        lines += ["No `--split` was given: every row is in train.", ""]
    if facts.empty_splits:
        lines += [
            f"No row fell in {' or '.join(facts.empty_splits)} (too few articles for the "
            "proportions), so the dataset has no such split.",
            "",
        ]
    names = list(facts.label_names)
    label_columns = [*names, "(none)"] if any("(none)" in s.labels for s in facts.splits) else names
    lines += _table(
        ["split", "rows", *label_columns],
        [[s.name, s.rows, *(s.labels.get(n, 0) for n in label_columns)] for s in facts.splits],
    )
    lines += ["", "## How the data was made", "", "### Corpus", ""]
    lines.append(
        f"{facts.articles} article(s), {facts.claims} claim unit(s) in the database the "
        "export was made from (the rows are the labelled units among them)."
    )
    named = [(s, n) for s, n in facts.sources if s]
    if named:
        lines += ["", "Sources (articles): " + ", ".join(f"{_md(s)} ({n})" for s, n in named)]
    lines += [
        "",
        "Articles were cleaned of page furniture and split into sentences by annotate; "
        "`text` is the sentence, `start`/`end` its offsets in the cleaned article.",
        "",
        "### Annotators",
        "",
    ]
    if facts.annotators:
        lines += _table(
            ["annotator", "labels", *names],
            [
                [_md(a), sum(c.values()), *(c.get(n, 0) for n in names)]
                for a, c in facts.annotators.items()
            ],
        )
    else:
        lines.append("No labels.")
    if facts.annotators_per_unit:
        per = ", ".join(
            f"{units} unit(s) by {n} annotator(s)"
            for n, units in sorted(facts.annotators_per_unit.items())
        )
        lines += ["", f"Annotators per unit: {per}."]
    lines += ["", "### Agreement", ""]
    lines += _agreement(facts.agreement)
    lines += [
        "",
        "### Adjudication",
        "",
        f"{facts.disagreements} unit(s) were labelled differently by their annotators; "
        f"{facts.adjudicated} unit(s) have an adjudicated label "
        f"({facts.open_disagreements} disagreement(s) still open). With `--aggregate` the "
        "adjudicated label wins over the votes (`agreement` = adjudicated, with "
        "`adjudicator` and `adjudication_reason`).",
        "",
        "### Suggestions",
        "",
    ]
    if facts.suggested_labels:
        share = facts.accepted_suggestions / facts.suggested_labels
        lines.append(
            f"annotate's rules suggested a label for the units; {facts.accepted_suggestions} "
            f"of the {facts.suggested_labels} label(s) given on a unit with a suggestion "
            f"({share:.1%}) are the suggestion unchanged (same label and, when attributed, "
            "the same source). A high share can mean the suggestions steered the labels."
        )
    else:
        lines.append("No label was given on a unit with a suggestion.")
    lines += [
        "",
        "### Export",
        "",
        f"Made with annotate {facts.version}: `annotate export --format hf"
        + "".join(f" {o}" for o in facts.options)
        + "`.",
        "",
        "## Annotation guidelines",
        "",
        _demote(facts.guidelines.strip()),
        "",
    ]
    return "\n".join(lines)


def _agreement(report: Mapping[str, Any] | None) -> list[str]:
    if report is None:
        return ["Not computed."]
    lines = [
        f"On the raw labels of {report.get('units', 0)} unit(s) "
        f"({report.get('ratings', 0)} label(s)); adjudications do not change these figures.",
        "",
    ]
    rows = []
    for key, name in (
        ("fleiss_kappa", "Fleiss' kappa"),
        ("krippendorff_alpha", "Krippendorff's alpha"),
    ):
        rows.append([name, "all", *_figure(report.get(key))])
    for pair in report.get("pairs", []):
        rows.append(
            ["Cohen's kappa", f"{_md(pair['a'])} / {_md(pair['b'])}", *_figure(pair["cohen_kappa"])]
        )
    return lines + _table(["figure", "annotators", "value", "units", "note"], rows)


def _figure(figure: Mapping[str, Any] | None) -> list[Any]:
    if not figure:
        return ["n/a", 0, ""]
    value = figure.get("value")
    shown = "n/a" if value is None else f"{value:.3f}"
    return [shown, figure.get("units", 0), _md(figure.get("reason") or "")]


def _names(names: Sequence[str]) -> str:
    return ", ".join(names[:-1]) + f" or {names[-1]}" if len(names) > 1 else "".join(names)


def _table(columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    out = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    out += ["| " + " | ".join(str(v) for v in row) + " |" for row in rows]
    return out


def _md(text: object) -> str:
    """Data (names, sources) in a Markdown table cell: one line, no markup."""
    return re.sub(r"([\\|*_`<>\[\]])", r"\\\1", visible(str(text)).replace("\n", " "))


def _demote(markdown: str) -> str:
    """Headings one level down, so the guidelines sit under their own heading."""
    return re.sub(r"^(#+) ", r"##\1 ", markdown, flags=re.MULTILINE)


# ---------------------------------------------------------------------------------------
# YAML: the header is maps, lists and scalars; strings are written as JSON strings, which
# YAML reads as double-quoted scalars, so no value can be taken for another type.


def yaml(data: Any, indent: int = 0) -> str:
    pad = " " * indent
    out: list[str] = []
    if isinstance(data, Mapping):
        for key, value in data.items():
            if _is_scalar(value):
                out.append(f"{pad}{_key(key)}: {_scalar(value)}\n")
            else:
                out.append(f"{pad}{_key(key)}:\n{yaml(value, indent + 2)}")
        return "".join(out)
    for item in data:
        if _is_scalar(item):
            out.append(f"{pad}- {_scalar(item)}\n")
        else:
            inner = yaml(item, indent + 2)
            out.append(f"{pad}- {inner[indent + 2 :]}")
    return "".join(out)


def _is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def _key(key: Any) -> str:
    text = str(key)
    return text if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", text) else json.dumps(text)


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    return json.dumps(value, ensure_ascii=False)
