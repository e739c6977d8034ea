"""Datasets out and back in: streaming CSV / JSONL exports, and importing them again.

Rows come from the store in batches and go straight to the writer, so memory stays flat
however many labels there are. A file is written to a temp name beside its final name and
renamed into place only once complete, so a crash, a full disk or Ctrl-C never leaves a
half file under the final name. Import reads an export (or a script's file with the same
columns) back into the store, matched by unit id, and is idempotent.

The same field names are used everywhere: database columns, export fields, docs.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
import os
import re
import secrets
import shutil
import sys
from collections import Counter
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import groupby
from pathlib import Path
from typing import IO, Any, cast

from annotate.model import LABELS, takes_source
from annotate.processes import pid_alive
from annotate.store import LabelState, Store

# Text files (csv, jsonl), typed files for training (parquet; hf: a folder of Parquet files
# and a dataset card that Hugging Face ``datasets`` loads in one line), and task files for
# other annotation tools (Prodigy JSONL, Label Studio JSON).
FORMATS = ("csv", "jsonl", "parquet", "hf", "prodigy", "label-studio")
TEXT_FORMATS = ("csv", "jsonl")
# The file name ending of each format's default output (hf writes a folder).
EXTENSIONS = {
    "csv": ".csv",
    "jsonl": ".jsonl",
    "parquet": ".parquet",
    "hf": "",
    "prodigy": ".prodigy.jsonl",
    "label-studio": ".label-studio.json",
}

UNIT_FIELDS = (
    "unit_id",
    "article_id",
    "article_path",
    "article_title",
    "paragraph",
    "seq",
    "start",
    "end",
    "kind",
    "text",
)
# What the rules in annotate/cues.py suggest for the unit; empty without a suggestion.
# ``suggested_source`` is the detected source. ``source`` (here for the column order of
# earlier releases) is the attribution source where one applies: on an attributed label
# the source the annotator stored with it, else the detected one; empty on any other label;
# the detected one on a row without a label.
SUGGESTION_FIELDS = (
    "suggested_label",
    "suggested_source",
    "suggestion_confidence",
    "cue",
    "source",
    "claim_group",
)
# One row per (unit, annotator); the order of Store.export_rows.
FIELDS = (*UNIT_FIELDS, "label", "annotator", "labeled_at", "note", "flagged", *SUGGESTION_FIELDS)
VOTE_FIELDS = tuple(f"votes_{label}" for label in LABELS)
# Who settled an adjudicated unit and why; empty on any other row of --aggregate.
ADJUDICATION_FIELDS = ("adjudicator", "adjudication_reason")
# One row per unit (--aggregate).
AGGREGATE_FIELDS = (
    *UNIT_FIELDS,
    "label",
    "agreement",
    *VOTE_FIELDS,
    *ADJUDICATION_FIELDS,
    *SUGGESTION_FIELDS,
)
# The type of every field, whatever its values, so no reader has to guess it from the
# first rows: text unless listed here. Labels are one of LABELS (a dictionary / ClassLabel
# in Parquet and hf).
INT_FIELDS = frozenset({"paragraph", "seq", "start", "end", *VOTE_FIELDS})
FLOAT_FIELDS = frozenset({"suggestion_confidence"})
BOOL_FIELDS = frozenset({"flagged"})
LABEL_FIELDS = frozenset({"label", "suggested_label"})
SPLITS = ("train", "dev", "test")

# What --aggregate writes in the agreement column.
ADJUDICATED = "adjudicated"  # an annotator settled it; wins over any vote
UNANIMOUS = "unanimous"  # two or more votes, all the same
MAJORITY = "majority"  # one label has more votes than any other
TIE = "tie"  # two or more labels share the top count: label left empty
SINGLE = "single"  # one vote only
NONE = "none"  # no vote (only with --include-unlabeled)

# A spreadsheet runs a cell starting with one of these as a formula (CSV injection). A
# leading quote is added too, so the transformation can be undone exactly on import
# (and Excel shows a cell starting with '' as starting with ').
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")
# json.dumps leaves these unescaped with ensure_ascii=False, and str.splitlines() breaks
# lines on them; escaping keeps "one object per line" true for every reader.
_LINE_BREAKS = {"\x85": "\\u0085", "\u2028": "\\u2028", "\u2029": "\\u2029"}


class ExportError(Exception):
    """An export or import that cannot go ahead, with a one-line reason."""


@dataclass(frozen=True)
class Split:
    """Train/dev/test proportions, and the seed that shuffles articles among them."""

    weights: tuple[float, ...]
    seed: int = 0

    @classmethod
    def parse(cls, spec: str, seed: int = 0) -> Split:
        """'80/10/10' (train/dev/test) or '90/10' (train/test); any positive numbers."""
        try:
            weights = tuple(float(p) for p in spec.split("/"))
        except ValueError:
            weights = ()
        # Percentages: finite, none negative, adding up to 100 (a typo such as 50/60 is
        # refused rather than silently rescaled). A little slack for 33.3/33.3/33.4.
        if (
            len(weights) not in (2, 3)
            or not all(math.isfinite(w) and w >= 0 for w in weights)
            or abs(sum(weights) - 100) > 1e-6
        ):
            raise ExportError(
                f"bad split {spec!r}: expected train/dev/test percentages that add up to "
                "100, such as 80/10/10 or 90/10"
            )
        return cls(weights, seed)

    @property
    def names(self) -> tuple[str, ...]:
        return SPLITS if len(self.weights) == 3 else ("train", "test")

    def assign(self, article_ids: Iterable[str]) -> dict[str, str]:
        """The split of each article.

        Articles are ranked by a hash of (seed, article id), so the result depends only on
        the seed and the set of articles, never on row order; the first ranks go to
        train, then dev, then test, in counts as close to the proportions as whole
        articles allow (largest remainder).
        """
        ranked = sorted(set(article_ids), key=lambda a: _rank_key(self.seed, a))
        n = len(ranked)
        total = sum(self.weights)
        exact = [n * w / total for w in self.weights]
        counts = [int(x) for x in exact]
        by_remainder = sorted(range(len(exact)), key=lambda i: (counts[i] - exact[i], i))
        for i in by_remainder[: n - sum(counts)]:
            counts[i] += 1
        out: dict[str, str] = {}
        start = 0
        for name, count in zip(self.names, counts, strict=True):
            out.update((a, name) for a in ranked[start : start + count])
            start += count
        return out


def _rank_key(seed: int, article_id: str) -> bytes:
    return hashlib.sha256(f"split\x00{seed}\x00{article_id}".encode()).digest()


@dataclass(frozen=True)
class ExportOptions:
    """What to export and how; the defaults give one row per labelled (unit, annotator)."""

    format: str = "csv"
    annotator: str | None = None
    labels: tuple[str, ...] = ()
    all_kinds: bool = False
    include_unlabeled: bool = False
    aggregate: bool = False
    split: Split | None = None
    excel_safe: bool = False
    bom: bool = False

    def __post_init__(self) -> None:
        if self.format not in FORMATS:
            raise ExportError(
                f"unknown format {self.format!r}; expected one of {', '.join(FORMATS)}"
            )
        if self.aggregate and self.format in ("prodigy", "label-studio"):
            raise ExportError(
                f"--aggregate is for csv, jsonl, parquet and hf; {self.format} tasks carry "
                "every annotator's label"
            )
        unknown = [label for label in self.labels if label not in LABELS]
        if unknown:
            raise ExportError(f"unknown label {unknown[0]!r}; expected one of {', '.join(LABELS)}")
        if self.format != "csv" and (self.excel_safe or self.bom):
            raise ExportError("--excel-safe and --bom are for CSV files only")

    @property
    def fields(self) -> tuple[str, ...]:
        """The column names of the export, in order."""
        base = AGGREGATE_FIELDS if self.aggregate else FIELDS
        return (*base, "split") if self.split else base


def parse_labels(spec: str | None) -> tuple[str, ...]:
    """'attributed,editorial' -> ('attributed', 'editorial'); ExportOptions checks them."""
    return tuple(p.strip() for p in (spec or "").split(",") if p.strip())


def default_path(format: str, folder: Path = Path("exports")) -> Path:
    """exports/annotations-<UTC timestamp><ending of the format> (a folder for hf), with
    -2, -3... if that name is taken."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    ending = EXTENSIONS[format]
    path = folder / f"annotations-{stamp}{ending}"
    n = 2
    while path.exists():
        path = folder / f"annotations-{stamp}-{n}{ending}"
        n += 1
    return path


# ---------------------------------------------------------------------------------------
# Rows


def aggregate(votes: Counter[str], adjudicated: str | None = None) -> tuple[str | None, str]:
    """The label of a unit and how it was reached, from its annotators' votes.

    An adjudicated label wins over any vote. Otherwise the majority label; a tie leaves
    the label empty (the vote counts beside it show the split), since picking one would
    put a guess into the dataset.
    """
    if adjudicated is not None:
        return adjudicated, ADJUDICATED
    ranked = votes.most_common()
    if not ranked:
        return None, NONE
    if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
        return None, TIE
    label, count = ranked[0]
    if count == 1 and len(ranked) == 1:
        return label, SINGLE
    return label, UNANIMOUS if len(ranked) == 1 else MAJORITY


def _aggregate_batches(
    batches: Iterable[list[tuple[Any, ...]]],
    labels: Sequence[str],
    adjudicated: dict[str, tuple[str, str, str | None]],
) -> Generator[list[tuple[Any, ...]], None, None]:
    """Fold per-annotator rows (ordered by unit) into one row per unit.

    ``adjudicated`` maps unit id -> (adjudicated label, adjudicator, reason); it holds only
    the units someone settled, so it stays small however big the export. The rows come from
    ``Store.export_rows(annotator_source=True)``: the ``source`` column holds each
    annotator's own source, ``suggested_source`` the detected one.
    """
    n = len(UNIT_FIELDS)
    label_at = FIELDS.index("label")
    suggested_at = FIELDS.index("suggested_label")
    detected_at = FIELDS.index("suggested_source")
    source_at = FIELDS.index("source")
    rows = (row for batch in batches for row in batch)
    out: list[tuple[Any, ...]] = []
    for _, group in groupby(rows, key=lambda r: r[0]):
        members = list(group)
        first = members[0]
        votes = Counter(r[label_at] for r in members if r[label_at] is not None)
        settled = adjudicated.get(first[0])
        label, agreement = aggregate(votes, settled[0] if settled else None)
        if labels and label not in labels:
            continue
        # As in the per-annotator rows: an attributed label's source is one corrected by a
        # annotator who gave it, else the detected one; no label (none, tie) shows the
        # detected one; any other label has none. An annotator's source equal to the
        # detected one adds nothing, and skipping it keeps the choice the same after an
        # import, which stores the exported (possibly detected) source with each label.
        detected = first[detected_at]
        source = detected if label is None else None
        if takes_source(label):
            corrected = (
                r[source_at]
                for r in members
                if r[label_at] == label and r[source_at] not in (None, detected)
            )
            source = next(corrected, detected)
        suggestion = (*first[suggested_at:source_at], source, *first[source_at + 1 :])
        who = settled[1:] if settled else (None, None)
        out.append((*first[:n], label, agreement, *(votes[v] for v in LABELS), *who, *suggestion))
        if len(out) >= 2000:
            yield out
            out = []
    if out:
        yield out


def export_batches(
    store: Store, options: ExportOptions, per_split: Counter[str] | None = None
) -> Generator[list[tuple[Any, ...]], None, None]:
    """The rows of an export, in ``options.fields`` order, in batches.

    All of it is read from one snapshot of the database, so labels given while a long
    export runs can neither half-appear nor leave a row without its article's split.
    With ``--split``, ``per_split`` (if given) counts the rows given to each split.
    """
    select: dict[str, Any] = {
        "annotator": options.annotator,
        "all_kinds": options.all_kinds,
        "every_unit": options.include_unlabeled,
        # An aggregate counts votes; a note or a flag without a label is no vote.
        "unlabelled_rows": options.include_unlabeled and not options.aggregate,
    }
    with store.snapshot():
        batches: Generator[list[tuple[Any, ...]], None, None]
        if options.aggregate:
            batches = _aggregate_batches(
                store.export_rows(annotator_source=True, **select),
                options.labels,
                store.adjudications_for_export(),
            )
        else:
            # A generator, typed as an Iterator by the store.
            batches = cast(Generator, store.export_rows(labels=options.labels, **select))
        # closing(): the rows' cursor ends before the snapshot does, even on an error.
        with closing(batches):
            if options.split is None:
                yield from batches
                return
            # The split universe ignores --labels, so filtering by label never moves an
            # article from one split to another.
            splits = options.split.assign(store.export_article_ids(**select))
            for batch in batches:
                rows = [(*row, splits[row[1]]) for row in batch]
                if per_split is not None:
                    per_split.update(row[-1] for row in rows)
                yield rows


def empty_splits(options: ExportOptions, per_split: Counter[str]) -> list[str]:
    """The splits of ``--split`` that no row fell in (as the export names them), given
    the rows each split got; none without ``--split``."""
    if options.split is None:
        return []
    names = {"dev": "validation"} if options.format == "hf" else {}
    return [names.get(n, n) for n in options.split.names if not per_split[n]]


# ---------------------------------------------------------------------------------------
# Writers


def write_csv(
    out: IO[str],
    fields: Sequence[str],
    batches: Iterable[list[tuple[Any, ...]]],
    *,
    excel_safe: bool = False,
    bom: bool = False,
) -> int:
    """Write RFC 4180 CSV (CRLF, quotes as needed); None becomes an empty cell.

    ``out`` must be opened with ``newline=""`` so the csv module controls line endings.
    Returns the number of rows written.
    """
    if bom:
        out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fields)
    n = 0
    for batch in batches:
        # writerows runs in C: the fast path when cells are written as they are.
        writer.writerows(map(_excel_safe_row, batch) if excel_safe else batch)
        n += len(batch)
    return n


def _excel_safe_row(row: tuple[Any, ...]) -> list[Any]:
    return ["'" + v if isinstance(v, str) and v.startswith(_FORMULA_START) else v for v in row]


def excel_unsafe(value: str) -> str:
    """Undo ``--excel-safe`` on one cell."""
    return value[1:] if value.startswith("'") else value


def write_jsonl(
    out: IO[str], fields: Sequence[str], batches: Iterable[list[tuple[Any, ...]]]
) -> int:
    """Write one JSON object per line (UTF-8, non-ASCII as is), every field on every line.

    A value's JSON type is its field's, whatever the row: a missing text is "", a missing
    confidence 0.0 (the row has no suggestion: suggested_label is ""), ``flagged``
    true/false. So a reader that guesses types from the first rows (Hugging Face
    ``datasets`` reads the first megabytes) guesses right even when a column is empty
    for the first hundred thousand rows. Returns the number of rows written.
    """
    encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    # What None becomes in each field that can be empty.
    blanks = [(i, _json_blank(name)) for i, name in enumerate(fields) if name not in INT_FIELDS]
    flag_at = fields.index("flagged") if "flagged" in fields else -1
    n = 0
    for batch in batches:
        rows = []
        for r in batch:
            row = list(r)
            for i, blank in blanks:
                if row[i] is None:
                    row[i] = blank
            if flag_at >= 0:
                row[flag_at] = row[flag_at] == 1
            rows.append(row)
        chunk = "".join([encode(dict(zip(fields, r, strict=True))) + "\n" for r in rows])
        for raw, escaped in _LINE_BREAKS.items():
            if raw in chunk:
                chunk = chunk.replace(raw, escaped)
        out.write(chunk)
        n += len(batch)
    return n


def _json_blank(name: str) -> Any:
    if name in FLOAT_FIELDS:
        return 0.0
    if name in BOOL_FIELDS:
        return False
    return ""


def write_export(
    store: Store, out: IO[str], options: ExportOptions, per_split: Counter[str] | None = None
) -> int:
    """Stream the export described by ``options`` to ``out``; returns the row count
    (``per_split``: see ``export_batches``).

    For the text formats (csv, jsonl, prodigy, label-studio); parquet and hf are written
    to a path (``export_to_path``)."""
    if options.format in ("prodigy", "label-studio"):
        from annotate.datasets import tools

        return tools.write_tasks(store, out, options, per_split)
    # closing(): a failed write ends the store's cursor now, while the store is still open.
    with closing(export_batches(store, options, per_split)) as batches:
        if options.format == "csv":
            return write_csv(
                out, options.fields, batches, excel_safe=options.excel_safe, bom=options.bom
            )
        return write_jsonl(out, options.fields, batches)


@contextmanager
def atomic_write(path: Path, *, force: bool = False) -> Iterator[IO[str]]:
    """A UTF-8 text file (newline="") that appears at ``path`` only once complete.

    See ``atomic_binary``; this is the same for text.
    """
    with atomic_binary(path, force=force) as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        try:
            yield text
            text.flush()
        finally:
            text.detach()


@contextmanager
def atomic_binary(path: Path, *, force: bool = False) -> Iterator[IO[bytes]]:
    """A binary file that appears at ``path`` only once complete.

    Written to a temp file in the same folder (so the rename stays on one file system),
    flushed and fsynced, then renamed over ``path``. On any error, Ctrl-C included, the
    temp file is removed and ``path`` is untouched. Without ``force`` an existing file
    is an error.
    """
    path = Path(path)
    if path.is_dir():
        raise ExportError(f"{path}: is a folder")
    if not path.parent.is_dir():
        raise ExportError(f"{path}: folder does not exist: {path.parent} (create it first)")
    if path.exists() and not force:
        raise ExportError(f"{path}: already exists (use --force to overwrite)")
    remove_stale_temp_files(path)
    # The pid in the name tells a later run whether the writer is still alive.
    tmp = path.with_name(f".{path.name}.{os.getpid()}-{secrets.token_hex(4)}.tmp")
    # os.open with a mode (not mkstemp's 0600) so the file gets the usual umask'd rights.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
    try:
        with open(fd, "wb") as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


# What atomic_write names its temp files: .<name>.<pid>-<8 hex digits>.tmp
_TEMP_NAME = re.compile(r"\..+\.(\d+)-[0-9a-f]{8}\.tmp\Z", re.DOTALL)


def remove_stale_temp_files(path: Path) -> None:
    """Remove the temp files that earlier exports into ``path``'s folder left when they
    were killed (``kill -9`` runs no clean-up): those whose writing process is gone.
    (Default exports get a new name each time, so the whole folder is looked at.)"""
    try:
        entries = list(os.scandir(path.parent))
    except OSError:
        return
    for entry in entries:
        match = _TEMP_NAME.match(entry.name)
        if match and not pid_alive(int(match.group(1))):
            try:
                if entry.is_dir(follow_symlinks=False):  # an hf export's folder
                    shutil.rmtree(entry.path)
                else:
                    os.unlink(entry.path)
            except OSError:
                pass


def _fsync_dir(folder: Path) -> None:
    """Make the rename durable; not every platform can open a folder, which is fine."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def export_to_path(
    store: Store,
    path: Path,
    options: ExportOptions,
    *,
    force: bool,
    card: CardInputs | None = None,
    per_split: Counter[str] | None = None,
) -> int:
    """Write the export atomically to ``path`` (a folder for hf); returns the row count.

    ``card`` is what the hf dataset card says beyond what the store holds (agreement
    figures, language); ``per_split``: see ``export_batches``."""
    if options.format == "hf":
        from annotate.datasets import hf

        inputs = card or CardInputs()
        return hf.write_folder(store, path, options, inputs, force=force, per_split=per_split)
    if options.format == "parquet":
        from annotate.datasets import arrow

        with atomic_binary(path, force=force) as raw:
            with closing(export_batches(store, options, per_split)) as batches:
                return arrow.write_parquet(raw, options.fields, batches)
    with atomic_write(path, force=force) as f:
        return write_export(store, f, options, per_split)


@dataclass(frozen=True)
class CardInputs:
    """What the dataset card of ``--format hf`` says that the store cannot tell:
    ``agreement`` is the agreement report as plain data (annotate.team.agreement's
    ``Report.to_json()``: the datasets layer does not compute it itself)."""

    agreement: dict[str, Any] | None = None
    language: str = "en"


def export_to_stream(store: Store, binary: IO[bytes], options: ExportOptions) -> int:
    """Write the export to a binary stream (stdout) as UTF-8; returns the row count."""
    if options.format == "parquet":
        raise ExportError("--format parquet writes a file, not a stream: give --out PATH")
    if options.format == "hf":
        raise ExportError("--format hf writes a folder: give --out DIR")
    text = io.TextIOWrapper(binary, encoding="utf-8", newline="", write_through=False)
    try:
        return write_export(store, text, options)
    finally:
        text.flush()
        # Leave the caller's stream open.
        text.detach()


# ---------------------------------------------------------------------------------------
# Import


@dataclass(frozen=True)
class Problem:
    """A row of an import file that was not imported, and why."""

    path: str
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


def json_problem(e: json.JSONDecodeError) -> str:
    """What is wrong with a line that is not JSON, and where in the line: json's own
    message ends in "at" where it means a column ("Invalid control character at")."""
    where = f"column {e.colno}" if e.msg.endswith(" at") else f"at column {e.colno}"
    return f"not valid JSON ({e.msg} {where})"


@dataclass
class ImportSummary:
    """What an import did. ``unmatched`` keeps the first few rows that matched no unit."""

    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    newer: int = 0  # matched, but the database's label is newer: kept
    malformed: int = 0
    no_annotator: int = 0
    unmatched: int = 0
    unmatched_examples: list[Problem] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return self.added + self.updated + self.unchanged + self.newer


def import_labels(
    store: Store,
    path: Path,
    *,
    format: str | None = None,
    excel_safe: bool = False,
    report: Callable[[Problem], None] = lambda p: None,
    examples: int = 5,
) -> ImportSummary:
    """Load per-annotator label rows from a CSV or JSONL export into the store.

    Needed columns: ``annotator``, ``label`` and either ``unit_id`` or ``article_path``
    and ``text``; ``note``, ``flagged``, ``labeled_at`` and ``source`` are kept when
    present (``source`` only with an attributed label: any other label stores none);
    the other suggestion columns are the rules' output, not labels, and are ignored
    (the target database computes its own). A row
    is matched by unit id, else by article path and unit text. Rows with no annotator
    (unlabelled units of an --include-unlabeled export) carry no label and are counted,
    not imported. Each malformed row is passed to ``report`` and skipped; the rest goes
    on. A row replaces what the store holds for its unit and annotator unless the stored
    label is newer (later decision wins). Everything is written in one transaction,
    logged in history as 'import'.
    """
    format = format or _format_of(path)
    if format not in FORMATS:
        raise ExportError(f"unknown format {format!r}; expected csv or jsonl")
    records = _read_csv(path) if format == "csv" else _read_jsonl(path)
    summary = ImportSummary()

    def matched() -> Iterator[tuple[str, str, LabelState]]:
        for line, record in records:
            summary.rows += 1
            if isinstance(record, str):
                summary.malformed += 1
                report(Problem(str(path), line, record))
                continue
            try:
                row = _label_row(record, excel_safe)
            except ValueError as e:
                summary.malformed += 1
                report(Problem(str(path), line, str(e)))
                continue
            if row is None:
                summary.no_annotator += 1
                continue
            unit_id, where = _match(store, record, excel_safe)
            if unit_id is None:
                summary.unmatched += 1
                if len(summary.unmatched_examples) < examples:
                    summary.unmatched_examples.append(Problem(str(path), line, where))
                continue
            yield unit_id, row[0], row[1]

    counts = store.import_labels(matched())
    summary.added, summary.updated = counts["added"], counts["updated"]
    summary.unchanged, summary.newer = counts["unchanged"], counts["newer"]
    return summary


def _format_of(path: Path) -> str:
    suffix = path.suffix.lower().lstrip(".")
    if suffix in ("csv", "jsonl"):
        return suffix
    if suffix in ("ndjson", "json"):
        return "jsonl"
    raise ExportError(f"{path}: cannot tell the format from the name; pass --format")


_REQUIRED = ("annotator", "label")


def _read_csv(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    """(line where the record starts, record or a reason it is malformed)."""
    # The csv module refuses fields over 128 KB by default; an export writes any unit,
    # however long, so its import must read it back (the limit is process-wide: restored).
    limit = csv.field_size_limit()
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    try:
        yield from _read_csv_records(path)
    finally:
        csv.field_size_limit(limit)


def _read_csv_records(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    with _open_text(path, newline="") as f:
        reader = csv.reader(f, strict=True)
        try:
            header = next(reader)
        except StopIteration:
            raise ExportError(f"{path}: empty file") from None
        except (csv.Error, UnicodeDecodeError) as e:
            raise ExportError(f"{path}:1: not a CSV header ({e})") from None
        _check_columns(path, header)
        start = reader.line_num + 1
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as e:
                yield start, f"not valid CSV ({e})"
                start = reader.line_num + 1
                continue
            except UnicodeDecodeError:
                yield start, "not UTF-8 text; stopped reading the file here"
                return
            line, start = start, reader.line_num + 1
            if not cells:
                continue
            if len(cells) != len(header):
                yield line, f"{len(cells)} fields where the header has {len(header)}"
                continue
            yield line, dict(zip(header, cells, strict=True))


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | str]]:
    with _open_text(path, newline=None) as f:
        checked = False
        line = 0
        try:
            for line, text in enumerate(f, 1):
                if not text.strip():
                    continue
                try:
                    record = json.loads(text)
                except json.JSONDecodeError as e:
                    yield line, json_problem(e)
                    continue
                if not isinstance(record, dict):
                    yield line, "not a JSON object"
                    continue
                if not checked:
                    _check_columns(path, list(record))
                    checked = True
                yield line, record
        except UnicodeDecodeError:
            yield line + 1, "not UTF-8 text; stopped reading the file here"


def _open_text(path: Path, newline: str | None) -> IO[str]:
    try:
        # utf-8-sig: a file saved by Excel (or exported with --bom) starts with a BOM.
        return open(path, encoding="utf-8-sig", newline=newline)
    except OSError as e:
        raise ExportError(f"{path}: {e.strerror}") from None


def _check_columns(path: Path, columns: Sequence[str]) -> None:
    missing = [c for c in _REQUIRED if c not in columns]
    if "unit_id" not in columns and not {"article_path", "text"} <= set(columns):
        missing.append("unit_id (or article_path and text)")
    if missing:
        raise ExportError(f"{path}: missing column(s) {', '.join(missing)}")


def _text(record: dict[str, Any], name: str, excel_safe: bool) -> str | None:
    """A text cell: empty and null both mean 'no value'."""
    value = record.get(name)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{name} is not text: {value!r}")
    if _SURROGATE.search(value):
        # A JSON "\ud800" escape: not a character, and it cannot be stored as UTF-8.
        raise ValueError(f"{name} is not valid Unicode text (a lone surrogate): {value!r}")
    return excel_unsafe(value) if excel_safe else value


_SURROGATE = re.compile("[\ud800-\udfff]")


def _label_row(record: dict[str, Any], excel_safe: bool) -> tuple[str, LabelState] | None:
    """(annotator, state) from a record, or None for a unit nobody labelled."""
    annotator = _text(record, "annotator", excel_safe)
    label = _text(record, "label", excel_safe)
    note = _text(record, "note", excel_safe)
    # Empty keeps the source stored with the label (the store's rule for None); only an
    # attributed label has one (an unlabelled row's source is the detected one).
    source = _text(record, "source", excel_safe) if takes_source(label) else None
    flagged = _flag(record.get("flagged"))
    if label is not None and label not in LABELS:
        raise ValueError(f"unknown label {label!r}; expected one of {', '.join(LABELS)}")
    if annotator is None:
        if label is not None or note is not None or flagged:
            raise ValueError("a label, note or flag without an annotator")
        return None
    labeled_at = _text(record, "labeled_at", excel_safe) if label is not None else None
    if labeled_at is not None:
        labeled_at = _utc(labeled_at)
    return annotator, LabelState(label, note, flagged, source, labeled_at)


def _utc(text: str) -> str:
    """An ISO 8601 time in the store's form (UTC, microseconds, Z), so times compare as
    strings; a time without an offset is taken as UTC."""
    try:
        when = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"labeled_at is not an ISO 8601 time: {text!r}") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _flag(value: Any) -> bool:
    if value in (None, "", 0, "0", False, "false", "False"):
        return False
    if value in (1, "1", True, "true", "True"):
        return True
    raise ValueError(f"flagged is not 0/1 or true/false: {value!r}")


def _match(store: Store, record: dict[str, Any], excel_safe: bool) -> tuple[str | None, str]:
    """The unit a record is about, or None and why not."""
    uid = _text(record, "unit_id", excel_safe)
    if uid is not None and store.unit_exists(uid):
        return uid, ""
    path = _text(record, "article_path", excel_safe)
    text = _text(record, "text", excel_safe)
    if path is None or text is None:
        return None, f"no unit {uid}"
    found = store.unit_ids_with_text(path, text)
    if len(found) == 1:
        return found[0], ""
    unit = f"unit {uid} " if uid else ""
    if not found:
        return None, f"no {unit}with this text in {path}: {text[:60]!r}"
    return None, f"{len(found)} units of {path} have this text: {text[:60]!r}"
