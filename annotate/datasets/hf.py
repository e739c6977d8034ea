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
from collections.abc import Iterable
from contextlib import ExitStack, closing
from dataclasses import dataclass, replace
from importlib import metadata
from importlib.resources import files
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from annotate.datasets import arrow, card
from annotate.datasets.export import (
    CardInputs,
    ExportError,
    ExportOptions,
    export_batches,
    remove_stale_temp_files,
)
from annotate.model import LABELS, SENTENCE, Label
from annotate.store import Store

HF_SPLIT = {"train": "train", "dev": "validation", "test": "test"}


def split_file(split: str) -> str:
    return f"data/{split}-00000-of-00001.parquet"


def write_folder(
    store: Store,
    path: Path,
    options: ExportOptions,
    inputs: CardInputs,
    *,
    force: bool,
    per_split: Counter[str] | None = None,
) -> int:
    """Write the folder; returns the number of rows over all splits (``per_split``: see
    ``export_batches``)."""
    path = Path(path)
    _check_target(path, force)
    remove_stale_temp_files(path)
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    (tmp / "data").mkdir(parents=True)
    try:
        facts = _write_rows(store, tmp, options, inputs, per_split)
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
    store: Store,
    folder: Path,
    options: ExportOptions,
    inputs: CardInputs,
    per_split: Counter[str] | None,
) -> card.CardFacts:
    """Write each split's Parquet file and gather the card's figures, all from one
    snapshot of the database."""
    fields = [f for f in options.fields if f != "split"]
    schema = arrow.schema(fields, class_labels=True)
    order = [HF_SPLIT[s] for s in (options.split.names if options.split else ("train",))]
    sinks: dict[str, arrow.Sink] = {}
    # The default export holds every label of every claim unit: the card's team figures
    # are counted from the tables as they are written, instead of read again.
    tallies: dict[str, Tally] | None = {} if Tally.covers(options) else None
    with ExitStack() as stack, store.snapshot():

        def sink(name: str) -> arrow.Sink:
            if name not in sinks:
                out = stack.enter_context(open(folder / split_file(name), "wb"))
                observe = None
                if tallies is not None:
                    observe = tallies.setdefault(name, Tally()).add
                sinks[name] = arrow.Sink(out, schema, observe=observe)
            return sinks[name]

        with closing(export_batches(store, options, per_split)) as batches:
            if options.split is None:
                train = sink("train")
                for batch in batches:
                    train.add(batch)
            else:
                for batch in batches:
                    parts: dict[str, list[tuple[Any, ...]]] = {}
                    for row in batch:
                        parts.setdefault(row[-1], []).append(row[:-1])
                    for name, rows in parts.items():
                        sink(HF_SPLIT[name]).add(rows)
        counts = {name: s.close() for name, s in sinks.items()}
        # datasets refuses to load a split with no row, and a dataset with none at all:
        # an empty split is left out (the card says so) and an empty export is refused.
        if not any(counts.values()):
            raise ExportError(
                "nothing to export: no unit matches (label some first, or add "
                "--include-unlabeled); datasets cannot load a dataset with no row"
            )
        empty = [name for name in order if not counts.get(name)]
        for name in empty:
            if name in sinks:
                (folder / split_file(name)).unlink()
                del counts[name]
        splits = [
            card.SplitFacts(
                name,
                split_file(name),
                counts[name],
                {("(none)" if k is None else k): v for k, v in sinks[name].labels.items()},
                sinks[name].nbytes,
            )
            for name in order
            if name in counts
        ]
        if tallies is not None:
            team = Tally.figures(tallies.values(), store)
        else:
            team = team_figures(store)
        facts = _facts(store, options, inputs, fields, splits, team)
    return replace(facts, empty_splits=[n for n in empty if n not in counts])


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
    """The same figures, counted from the Parquet tables of an export that holds every
    label row (per annotator, no --annotator or --labels filter), in Arrow's C kernels.

    Fed each table a split's sink writes (``add``), in order: a unit's rows are
    contiguous and in one split, but may straddle two tables of that split, so the rows
    of each table's last unit wait for the next one (one Tally per split).
    """

    @staticmethod
    def covers(options: ExportOptions) -> bool:
        return not (options.aggregate or options.annotator or options.labels)

    def __init__(self) -> None:
        self.labels: Counter[tuple[str, str]] = Counter()
        self.per_unit: Counter[int] = Counter()
        self.disputed: list[str] = []
        self.suggested = self.accepted = 0
        self._pending: pa.Table | None = None

    def add(self, table: pa.Table) -> None:
        """Count a table's label rows on claim units, but its last unit's."""
        keep = pc.and_(pc.equal(table["kind"], SENTENCE), pc.is_valid(table["label"]))
        t = table.filter(keep).select(_TALLY_COLUMNS)
        if self._pending is not None:
            t = pa.concat_tables([self._pending, t])
            self._pending = None
        if not t.num_rows:
            return
        last = t["unit_id"][-1]
        is_last = pc.equal(t["unit_id"], last)
        self._pending = t.filter(is_last)
        self._count(t.filter(pc.invert(is_last)))

    def _count(self, t: pa.Table) -> None:
        if not t.num_rows:
            return
        for r in t.group_by(["annotator", "label"]).aggregate([([], "count_all")]).to_pylist():
            self.labels[(r["annotator"], LABELS[r["label"]])] += r["count_all"]
        units = t.group_by("unit_id").aggregate([("label", "count"), ("label", "count_distinct")])
        for entry in pc.value_counts(units["label_count"]).to_pylist():
            self.per_unit[entry["values"]] += entry["counts"]
        disputed = units.filter(pc.greater(units["label_count_distinct"], 1))["unit_id"]
        self.disputed += disputed.to_pylist()
        label, suggested = t["label"], t["suggested_label"]
        self.suggested += t.num_rows - suggested.null_count
        same = pc.fill_null(pc.equal(label, suggested), False)
        source, detected = t["source"], t["suggested_source"]
        same_source = pc.or_(
            pc.fill_null(pc.equal(source, detected), False),
            pc.and_(pc.is_null(source), pc.is_null(detected)),
        )
        keeps_source = pc.or_(pc.not_equal(label, _ATTRIBUTED_CODE), same_source)
        self.accepted += pc.sum(pc.and_(same, keeps_source)).as_py() or 0

    def finish(self) -> None:
        """Count the last unit."""
        if self._pending is not None:
            self._count(self._pending)
            self._pending = None

    @staticmethod
    def figures(tallies: Iterable[Tally], store: Store) -> TeamFigures:
        """The figures of every split's tally together."""
        labels: Counter[tuple[str, str]] = Counter()
        per_unit: Counter[int] = Counter()
        disputed: list[str] = []
        suggested = accepted = 0
        for t in tallies:
            t.finish()
            labels.update(t.labels)
            per_unit.update(t.per_unit)
            disputed += t.disputed
            suggested += t.suggested
            accepted += t.accepted
        settled = store.adjudicated_labels()
        annotators: dict[str, dict[str, int]] = {}
        for (who, label), n in sorted(labels.items()):
            annotators.setdefault(who, {})[label] = n
        return TeamFigures(
            annotators=annotators,
            per_unit=dict(sorted(per_unit.items())),
            disagreements=len(disputed),
            open=sum(1 for uid in disputed if uid not in settled),
            suggested=suggested,
            accepted=accepted,
        )


_TALLY_COLUMNS = ["unit_id", "annotator", "label", "suggested_label", "suggested_source", "source"]
_ATTRIBUTED_CODE = LABELS.index(Label.ATTRIBUTED)


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
