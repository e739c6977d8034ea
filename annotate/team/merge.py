"""Merging databases labelled on different machines into one.

Unit and article ids are hashes of the corpus content, so two machines that ingested the
same corpus agree on every id and rows line up without any matching by text. Each input
is first copied (SQLite's backup API, so a database in WAL mode is copied whole) to a temp
file and migrated there, so an input is never written to and an older schema is read like
a current one. The copy is ATTACHed to the target and everything is decided in one
transaction per input; the SQL lives in the store, the rules live here:

- articles, units and files the target lacks are copied (to the end of its queue);
- a label row the target lacks is copied; the same (unit, annotator) with a different
  decision keeps the later ``labeled_at`` (then the later history entry; on a tie the
  target's), the replaced row is logged in history as 'merge', and the other decision
  stays in the history copied from its file;
- history rows are copied unless the target has one with the same (at, annotator,
  unit_id, action, label), so merging the same file twice adds nothing;
- annotators' merges and splits of units (``segment_edits``) the target lacks are appended
  after the article's own (an article copied from the input comes with its edited units;
  one both hold keeps the target's units until ingest next re-segments it, which applies
  them); the last texts of removed units (``removed_units``, shown with orphan labels)
  are copied where the target lacks them;
- adjudications: the later ``adjudicated_at`` wins.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from annotate.store import (
    LabelDifference,
    LabelState,
    Store,
    StoreError,
    database_problem,
    is_sqlite_file,
)


class MergeError(Exception):
    """An input that cannot be merged, with a one-line reason."""


@dataclass(frozen=True)
class Conflict:
    """The same annotator decided differently on a unit in two files; ``kept`` won."""

    unit_id: str
    annotator: str
    kept: LabelState
    other: LabelState
    kept_from: str
    other_from: str


@dataclass
class InputReport:
    """What merging one input into the target did, or why it could not."""

    path: str
    error: str | None = None
    skipped: str | None = None  # why nothing was done (the target itself)
    files: int = 0
    articles: int = 0
    units: int = 0
    labels_added: int = 0
    labels_updated: int = 0
    history: int = 0
    adjudications: int = 0
    segment_edits: int = 0  # merges/splits of units added (or marked undone)
    removed_units: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    adjudication_conflicts: int = 0
    # What exists on one side only (see Store.compare_units), after the merge.
    only: dict[str, Any] = field(default_factory=dict)

    @property
    def changed(self) -> bool:
        return any(
            (
                self.files,
                self.articles,
                self.units,
                self.labels_added,
                self.labels_updated,
                self.history,
                self.adjudications,
                self.segment_edits,
                self.removed_units,
            )
        )


@dataclass
class MergeReport:
    into: str
    inputs: list[InputReport] = field(default_factory=list)

    @property
    def failed(self) -> list[InputReport]:
        return [r for r in self.inputs if r.error]


def merge(inputs: Sequence[str | Path], into: str | Path) -> MergeReport:
    """Merge every input database into ``into`` (created if needed; may be an input).

    An input that cannot be read is reported in its ``InputReport.error`` and the
    others go on. A target that cannot be opened raises ``StoreError``.
    """
    report = MergeReport(str(into))
    target = Path(into).resolve()
    remove_stale_copies()
    # The pid in the folder's name lets a later run remove it if this one is killed.
    prefix = f"{_TEMP_PREFIX}{os.getpid()}-"
    with Store.open(into) as store, tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        for i, path in enumerate(inputs):
            item = InputReport(str(path))
            report.inputs.append(item)
            if Path(path).resolve() == target:
                item.skipped = "the target itself"
                continue
            copy = Path(tmp) / f"input-{i}.db"
            try:
                merge_one(store, readable_copy(Path(path), copy), item)
            except MergeError as e:
                item.error = str(e)
            except sqlite3.DatabaseError as e:
                if "disk is full" in str(e).lower():
                    raise  # no other input could be merged either: the caller says so
                # A damaged input (its transaction is rolled back): the others go on.
                item.error = database_problem(path, e)
                _reset(item)
            finally:
                # An input's copy can be as big as the input: never keep two at once.
                for leftover in Path(tmp).glob(f"input-{i}.db*"):
                    leftover.unlink(missing_ok=True)
    return report


_TEMP_PREFIX = "annotate-merge-"


def remove_stale_copies() -> None:
    """Remove the temp copies of merges that were killed (``kill -9`` runs no clean-up):
    folders ``annotate-merge-<pid>-*`` whose process is gone."""
    from annotate.processes import pid_alive

    root = Path(tempfile.gettempdir())
    try:
        folders = list(root.glob(f"{_TEMP_PREFIX}*"))
    except OSError:
        return
    for folder in folders:
        pid = folder.name[len(_TEMP_PREFIX) :].split("-", 1)[0]
        if pid.isdigit() and folder.is_dir() and not pid_alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)


def _reset(item: InputReport) -> None:
    """Nothing of a rolled-back input counts as merged."""
    error = item.error
    fresh = InputReport(item.path, error=error)
    item.__dict__.update(fresh.__dict__)


def readable_copy(path: Path, dest: Path) -> str:
    """A migrated private copy of the annotate database at ``path``; MergeError if it
    is not one. The input itself is opened read-only."""
    if not path.exists():
        raise MergeError(f"{path}: no such file")
    if not path.is_file():
        raise MergeError(f"{path}: not a file")
    try:
        tables = Store.copy_database(path, dest)
    except sqlite3.DatabaseError as e:
        if "disk is full" in str(e).lower():
            raise
        if is_sqlite_file(path):
            raise MergeError(database_problem(path, e)) from None
        raise MergeError(f"{path}: not an annotate database ({e})") from None
    if not {"articles", "units"} <= tables:
        raise MergeError(f"{path}: not an annotate database (no articles or units table)")
    try:
        Store.open(dest).close()
    except StoreError as e:
        raise MergeError(str(e).replace(str(dest), str(path))) from None
    return str(dest)


def merge_one(store: Store, copy: str, item: InputReport) -> None:
    """Merge the (migrated) database file ``copy`` into ``store``, filling ``item``."""
    name = item.path
    with store.attached(copy) as src, store.transaction():
        item.files, item.articles, item.units = store.merge_articles(src)
        # Rows the target lacks are copied in one statement; only rows both hold are
        # decided one by one (the later decision wins, conflicts are reported).
        item.labels_added = store.merge_new_labels(src)
        for d in list(store.label_differences(src)):
            _merge_label(store, d, name, store.path, item)
        item.history = store.merge_history(src)
        item.segment_edits = store.merge_segment_edits(src)
        item.removed_units = store.merge_removed_units(src)
        for theirs, ours in list(store.adjudication_differences(src)):
            if ours is None or _when(theirs.adjudicated_at) > _when(ours.adjudicated_at):
                store.put_adjudication(theirs)
                item.adjudications += 1
            if ours is not None and ours.label != theirs.label:
                item.adjudication_conflicts += 1
        item.only = store.compare_units(src)


def _merge_label(
    store: Store, d: LabelDifference, name: str, target: str, item: InputReport
) -> None:
    wins = theirs_wins(d)
    if wins:
        store.put_label(d.unit_id, d.annotator, d.theirs, replaced=d.ours)
        if d.ours is None:
            item.labels_added += 1
        else:
            item.labels_updated += 1
    ours = d.ours
    if ours is not None and ours.label and d.theirs.label and ours.label != d.theirs.label:
        kept, other = (d.theirs, ours) if wins else (ours, d.theirs)
        kept_from, other_from = (name, target) if wins else (target, name)
        item.conflicts.append(Conflict(d.unit_id, d.annotator, kept, other, kept_from, other_from))


def theirs_wins(d: LabelDifference) -> bool:
    """Whether the incoming row replaces the target's: the later ``labeled_at``, then the
    later history entry; on a tie (or no times at all) the target keeps its own."""
    if d.ours is None:
        return True
    theirs = (_when(d.theirs.labeled_at), _when(d.theirs_last_at))
    ours = (_when(d.ours.labeled_at), _when(d.ours_last_at))
    return theirs > ours


_NEVER = datetime.min.replace(tzinfo=UTC)


def _when(stamp: str | None) -> datetime:
    """A stored time as an aware datetime (imports may use any ISO 8601 form)."""
    if not stamp:
        return _NEVER
    try:
        t = datetime.fromisoformat(stamp)
    except ValueError:
        return _NEVER
    return t if t.tzinfo else t.replace(tzinfo=UTC)


def describe(report: MergeReport, *, examples: int = 10) -> list[str]:
    """Human lines for the terminal, one block per input."""
    lines: list[str] = []
    for r in report.inputs:
        if r.error:
            continue  # reported on stderr by the caller
        if r.skipped:
            lines.append(f"{r.path}: skipped ({r.skipped})")
            continue
        if not r.changed:
            lines.append(f"{r.path}: nothing new")
        else:
            lines.append(
                f"{r.path}: +{r.articles} article(s), +{r.units} unit(s), "
                f"labels +{r.labels_added} added / {r.labels_updated} updated, "
                f"history +{r.history}, adjudications +{r.adjudications}"
            )
            if r.segment_edits or r.removed_units:
                lines.append(
                    f"  merges/splits of units +{r.segment_edits}, removed-unit texts "
                    f"+{r.removed_units}"
                )
        if r.conflicts:
            lines.append(
                f"  {len(r.conflicts)} conflict(s): same annotator, different labels; "
                "the later decision is kept, the other stays in history"
            )
            for c in r.conflicts[:examples]:
                lines.append(
                    f"    {c.annotator} on unit {c.unit_id}: kept {c.kept.label} "
                    f"({c.kept.labeled_at}, {c.kept_from}) over {c.other.label} "
                    f"({c.other.labeled_at}, {c.other_from})"
                )
            if len(r.conflicts) > examples:
                lines.append(f"    ... and {len(r.conflicts) - examples} more")
        if r.adjudication_conflicts:
            lines.append(
                f"  {r.adjudication_conflicts} unit(s) adjudicated differently; "
                "the later adjudication is kept"
            )
        only = r.only
        for key, what in (
            ("articles_only_here", f"article(s) of {report.into} are not in {r.path}"),
            ("units_only_there", f"unit(s) only in {r.path}, in articles both hold"),
            ("units_only_here", f"unit(s) only in {report.into}, in articles both hold"),
        ):
            if only.get(key):
                paths = ", ".join(only[f"{key}_paths"][:3])
                lines.append(f"  {only[key]} {what} (e.g. {paths})")
    return lines
