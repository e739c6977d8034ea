"""``annotate export --format hf``: a folder that Hugging Face ``datasets`` loads in one line.

    DIR/README.md                            the dataset card (card.py)
    DIR/data/train-00000-of-00001.parquet    one Parquet file per split
    DIR/data/validation-00000-of-00001.parquet
    DIR/data/test-00000-of-00001.parquet

``datasets.load_dataset("DIR")`` finds the splits in the card's ``configs`` and the
features (``label`` a ClassLabel with annotate's label names) in the card and in each
file's schema. Splits are by article (``--split``); annotate's ``dev`` is Hugging Face's
``validation``. The folder is built under a temp name beside DIR and renamed into place
once complete, like every export.
"""

from __future__ import annotations

import os
import secrets
import shutil
from collections import Counter
from collections.abc import Iterable, Sequence
from contextlib import ExitStack, closing
from dataclasses import dataclass
from importlib import metadata
from importlib.resources import files
from pathlib import Path
from typing import Any

from annotate.datasets import arrow, card
from annotate.datasets.export import (
    CardInputs,
    ExportError,
    ExportOptions,
    export_batches,
    remove_stale_temp_files,
)
from annotate.model import LABELS, SENTENCE, takes_source
from annotate.store import Store

HF_SPLIT = {"train": "train", "dev": "validation", "test": "test"}


def split_file(split: str) -> str:
    return f"data/{split}-00000-of-00001.parquet"


def write_folder(
    store: Store, path: Path, options: ExportOptions, inputs: CardInputs, *, force: bool
) -> int:
    """Write the folder; returns the number of rows over all splits."""
    path = Path(path)
    _check_target(path, force)
    remove_stale_temp_files(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    (tmp / "data").mkdir(parents=True)
    try:
        facts = _write_rows(store, tmp, options, inputs)
        (tmp / "README.md").write_text(card.render(facts), encoding="utf-8")
        _replace(tmp, path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return facts.rows


def _check_target(path: Path, force: bool) -> None:
    if not path.parent.is_dir():
        raise ExportError(f"{path}: folder does not exist: {path.parent} (create it first)")
    if not path.exists():
        return
    if not path.is_dir():
        raise ExportError(f"{path}: is a file; --format hf writes a folder")
    if not force:
        raise ExportError(f"{path}: already exists (use --force to overwrite)")
    # --force replaces an earlier hf export, never a folder of other things.
    allowed = {"README.md", "data"}
    if not {p.name for p in path.iterdir()} <= allowed:
        raise ExportError(
            f"{path}: holds more than an hf export (README.md and data/); not replacing it"
        )


def _replace(tmp: Path, path: Path) -> None:
    if path.exists():
        old = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
        os.replace(path, old)
        os.replace(tmp, path)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, path)


def _write_rows(
    store: Store, folder: Path, options: ExportOptions, inputs: CardInputs
) -> card.CardFacts:
    """Write each split's Parquet file and gather the card's figures, all from one
    snapshot of the database."""
    fields = [f for f in options.fields if f != "split"]
    schema = arrow.schema(fields, class_labels=True)
    order = [HF_SPLIT[s] for s in (options.split.names if options.split else ("train",))]
    sinks: dict[str, arrow.Sink] = {}
    with ExitStack() as stack, store.snapshot():

        def sink(name: str) -> arrow.Sink:
            if name not in sinks:
                out = stack.enter_context(open(folder / split_file(name), "wb"))
                sinks[name] = arrow.Sink(out, schema)
            return sinks[name]

        # The default export holds every label of every claim unit: the card's team
        # figures are counted from its rows as they pass, instead of read again.
        tally = Tally(options.fields) if Tally.covers(options) else None
        with closing(export_batches(store, options)) as batches:
            if options.split is None:
                train = sink("train")
                for batch in batches:
                    train.add(batch)
                    if tally:
                        tally.add(batch)
            else:
                for batch in batches:
                    if tally:
                        tally.add(batch)
                    parts: dict[str, list[tuple[Any, ...]]] = {}
                    for row in batch:
                        parts.setdefault(row[-1], []).append(row[:-1])
                    for name, rows in parts.items():
                        sink(HF_SPLIT[name]).add(rows)
        # A split with no row still gets its (empty) file: the card lists every split.
        for name in order:
            sink(name)
        counts = {name: s.close() for name, s in sinks.items()}
        splits = [
            card.SplitFacts(
                name,
                split_file(name),
                counts[name],
                {("(none)" if k is None else k): v for k, v in sinks[name].labels.items()},
            )
            for name in order
        ]
        team = tally.figures(store) if tally else team_figures(store)
        facts = _facts(store, options, inputs, fields, splits, team)
    return facts


@dataclass(frozen=True)
class TeamFigures:
    """The card's figures about the annotators' labels (claim units only)."""

    annotators: dict[str, dict[str, int]]  # annotator -> label -> labels
    per_unit: dict[int, int]  # annotators -> units labelled by that many
    disagreements: int  # units labelled differently
    open: int  # of those, not adjudicated
    suggested: int  # labels on units with a suggestion
    accepted: int  # of those, equal to the suggestion unchanged


def team_figures(store: Store) -> TeamFigures:
    """The figures, read from the store."""
    annotators: dict[str, dict[str, int]] = {}
    for name, label, rows, _flagged, _noted in store.stats_labels():
        if label is not None:
            annotators.setdefault(name, {})[label] = rows
    per_unit = store.units_by_annotators()
    suggested, accepted = store.suggestion_use()
    return TeamFigures(
        annotators=annotators,
        per_unit={n: units for n, (units, _, _) in per_unit.items()},
        disagreements=sum(d for _, d, _ in per_unit.values()),
        open=sum(o for _, _, o in per_unit.values()),
        suggested=suggested,
        accepted=accepted,
    )


class Tally:
    """The same figures, counted from the rows of an export that holds every label row
    (per annotator, no --annotator or --labels filter), in the rows' unit order."""

    @staticmethod
    def covers(options: ExportOptions) -> bool:
        return not (options.aggregate or options.annotator or options.labels)

    def __init__(self, fields: Sequence[str]) -> None:
        at = {name: i for i, name in enumerate(fields)}
        self._at = (
            at["unit_id"],
            at["kind"],
            at["annotator"],
            at["label"],
            at["suggested_label"],
            at["suggested_source"],
            at["source"],
        )
        self.labels: Counter[tuple[str, str]] = Counter()
        self.per_unit: Counter[int] = Counter()
        self.disputed: list[str] = []
        self.suggested = self.accepted = 0
        self._unit: str | None = None
        self._seen: set[str] = set()
        self._n = 0

    def add(self, rows: Iterable[tuple[Any, ...]]) -> None:
        uid_at, kind_at, who_at, label_at, sl_at, ss_at, source_at = self._at
        for row in rows:
            label = row[label_at]
            if label is None or row[kind_at] != SENTENCE:
                continue
            uid = row[uid_at]
            if uid != self._unit:
                self._close_unit()
                self._unit = uid
            self._seen.add(label)
            self._n += 1
            self.labels[(row[who_at], label)] += 1
            suggested = row[sl_at]
            if suggested is not None:
                self.suggested += 1
                if label == suggested and (not takes_source(label) or row[source_at] == row[ss_at]):
                    self.accepted += 1

    def _close_unit(self) -> None:
        if self._n:
            self.per_unit[self._n] += 1
            if len(self._seen) > 1:
                assert self._unit is not None
                self.disputed.append(self._unit)
        self._seen = set()
        self._n = 0

    def figures(self, store: Store) -> TeamFigures:
        self._close_unit()
        self._unit = None
        settled = store.adjudicated_labels()
        annotators: dict[str, dict[str, int]] = {}
        for (who, label), n in sorted(self.labels.items()):
            annotators.setdefault(who, {})[label] = n
        return TeamFigures(
            annotators=annotators,
            per_unit=dict(sorted(self.per_unit.items())),
            disagreements=len(self.disputed),
            open=sum(1 for uid in self.disputed if uid not in settled),
            suggested=self.suggested,
            accepted=self.accepted,
        )


def _facts(
    store: Store,
    options: ExportOptions,
    inputs: CardInputs,
    fields: list[str],
    splits: list[card.SplitFacts],
    team: TeamFigures,
) -> card.CardFacts:
    counts = store.counts()
    if options.aggregate:
        rows_are = "a claim unit, with the label of its annotators (adjudicated, else the majority)"
    else:
        rows_are = "one annotator's label of one claim unit (a unit labelled by two is two rows)"
    return card.CardFacts(
        features=arrow.hf_features(fields),
        splits=splits,
        label_names=[str(label) for label in LABELS],
        rows_are=rows_are,
        options=_options(options),
        articles=counts["articles"],
        claims=counts["claims"],
        sources=store.corpus_sources(),
        annotators=team.annotators,
        annotators_per_unit=team.per_unit,
        adjudicated=store.adjudication_count(),
        disagreements=team.disagreements,
        open_disagreements=team.open,
        suggested_labels=team.suggested,
        accepted_suggestions=team.accepted,
        agreement=inputs.agreement,
        guidelines=files("annotate").joinpath("guidelines.md").read_text(encoding="utf-8"),
        version=_version(),
        language=inputs.language,
        split_spec="/".join(f"{w:g}" for w in options.split.weights) if options.split else None,
    )


def _options(options: ExportOptions) -> list[str]:
    out = []
    if options.aggregate:
        out.append("--aggregate")
    if options.annotator:
        out.append(f"--annotator {options.annotator}")
    if options.labels:
        out.append(f"--labels {','.join(options.labels)}")
    if options.include_unlabeled:
        out.append("--include-unlabeled")
    if options.all_kinds:
        out.append("--all-kinds")
    if options.split:
        out.append("--split " + "/".join(f"{w:g}" for w in options.split.weights))
        out.append(f"--seed {options.split.seed}")
    return out


def _version() -> str:
    try:
        return metadata.version("annotate")
    except metadata.PackageNotFoundError:
        return "unknown"
