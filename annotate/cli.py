"""The command line: thin click commands that open the store, call one domain function, print.

`annotate CORPUS` (no command name) runs the main job: ingest the corpus, then label.
"""

from __future__ import annotations

import errno
import io
import json
import re
import sqlite3
import sys
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click
from click.core import ParameterSource

from annotate.store import DEFAULT_DB, Store, StoreError, database_problem
from annotate.visible import TerminalSafeStream, visible

if TYPE_CHECKING:
    from annotate.store import ArticleRecord

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


class DefaultGroup(click.Group):
    """A group where an unknown first argument means the default command ("open")."""

    default_command = "open"

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = [self.default_command, *args]
        return super().resolve_command(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; a fault of the database or the disk ends in one line.

        Corruption, a full disk or a locked database can surface from any query; each
        command commits as it goes, so what was stored before stays stored.
        """
        try:
            with _terminate_as_exit():
                return super().invoke(ctx)
        except sqlite3.DatabaseError as e:
            raise CliError(database_problem(ctx.meta.get(_DB_KEY), e)) from None
        except StoreError as e:
            # The store's own faults (a full disk met at COMMIT, a lock held elsewhere).
            cause = e.__cause__
            if isinstance(cause, sqlite3.DatabaseError):
                raise CliError(database_problem(ctx.meta.get(_DB_KEY), cause)) from None
            raise CliError(str(e)) from None
        except OSError as e:
            if e.errno not in (errno.ENOSPC, errno.EDQUOT, errno.EIO, errno.EROFS):
                raise
            raise CliError(database_problem(e.filename or ctx.meta.get(_DB_KEY), e)) from None


@contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """SIGTERM (``kill``) ends the command like Ctrl-C does, through every ``finally``:
    the batch in progress is rolled back and temp files (an export's, merge's copies)
    are removed. (``kill -9`` cannot be caught: the next run removes what it left.)"""
    import signal
    import threading

    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: object) -> None:
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


# Where open_store notes the database a command uses, for the one-line fault messages.
_DB_KEY = "annotate.db"


def echo(message: object = "", *, err: bool = False) -> None:
    """One line for the terminal; what came from outside (paths, names, texts) cannot
    drive it: control characters are shown as escapes (see annotate.visible)."""
    click.echo(visible(message), err=err)


# Characters JSON may carry raw that a terminal obeys (C1 controls such as CSI), that
# reorder a line, or that cannot be written as UTF-8 (lone surrogates). Only strings
# can hold them, so the \u escape keeps the JSON valid and equal.
_JSON_UNSAFE = re.compile("[\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def echo_json(value: Any, *, indent: int | None = 2) -> None:
    """``value`` as JSON on stdout (UTF-8 kept readable, nothing a terminal obeys)."""
    text = json.dumps(value, ensure_ascii=False, indent=indent)
    click.echo(_JSON_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text))


class CliError(click.ClickException):
    """A one-line error whose message is shown with control characters escaped."""

    def __init__(self, message: object) -> None:
        super().__init__(visible(message))


def db_option(f: Any) -> Any:
    return click.option(
        "--db",
        "db_path",
        envvar="ANNOTATE_DB",
        default=DEFAULT_DB,
        show_default=True,
        type=click.Path(dir_okay=False),
        help="SQLite database file (env ANNOTATE_DB).",
    )(f)


def open_store(db_path: str, *, readonly: bool = False) -> Store:
    """The store at ``db_path``; with ``readonly`` (commands that only read) it must
    exist and is opened read-only, so a read-only file or folder works."""
    context = click.get_current_context(silent=True)
    if context is not None:
        context.meta[_DB_KEY] = db_path
    try:
        return Store.open(db_path, readonly=readonly)
    except StoreError as e:
        raise CliError(str(e)) from None


@click.group(cls=DefaultGroup, context_settings=CONTEXT, invoke_without_command=False)
@click.version_option(package_name="annotate", message="annotate %(version)s")
def main() -> None:
    """Build claim-attribution datasets from news, one keystroke per claim.

    \b
    Examples:
      annotate corpus/                 ingest corpus/ and start labelling
      annotate ingest corpus/          ingest only, print a summary
      annotate split article.txt       show the claim units of one file
    """


@main.command("open", context_settings=CONTEXT)
@click.argument("corpus", required=False, type=click.Path(exists=True, path_type=Path))
@db_option
@click.option(
    "--annotator",
    metavar="NAME",
    help="Whose labels these are (default: your login name). Annotators keep separate labels.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file with [keymap] and [ui] tables "
    "(default: $XDG_CONFIG_HOME/annotate/config.toml).",
)
@click.option(
    "--adjudicate",
    is_flag=True,
    help="Settle the claims annotators labelled differently (as --annotator); no ingest.",
)
@click.option(
    "--order",
    type=click.Choice(["corpus", "confidence", "uncertain"]),
    default="corpus",
    show_default=True,
    help="What 'next unlabelled' follows: the corpus, the suggestion confidence (least "
    "certain first; claims without a suggestion last), or the model's certainty (the claim "
    "the model of annotate suggest --model is least sure of first). Back/forward follow "
    "the corpus.",
)
@click.option(
    "--show-others",
    is_flag=True,
    help="Show other annotators' labels while labelling (hidden by default, so each "
    "judgement is independent; --adjudicate always shows them).",
)
def open_cmd(
    corpus: Path | None,
    db_path: str,
    annotator: str | None,
    config_path: Path | None,
    adjudicate: bool,
    order: str,
    show_others: bool,
) -> None:
    """Ingest CORPUS (only what changed) in the background and start labelling.

    Without CORPUS, label what the database already holds. Each decision is saved
    before the next claim shows; run the same command again to resume. With
    --adjudicate, walk the claims annotators disagree on and record a final label
    and a reason for each (export --aggregate uses it first). After `annotate assign`,
    each annotator's queue is the articles assigned to them.

    \b
    Examples:
      annotate corpus/ --db team.db
      annotate open --db team.db --annotator alice
      annotate open --db team.db --order confidence      least certain first
      annotate open --db team.db --order uncertain       the model least sure first
      annotate open --db team.db --annotator carol --adjudicate
    """
    from annotate.labelling.config import ConfigError
    from annotate.tui.app import make_app

    try:
        app = make_app(
            db_path=db_path,
            annotator=annotator,
            # Adjudication works on what is stored: ingest would only change the units.
            corpus=None if adjudicate else corpus,
            adjudicate=adjudicate,
            config=config_path,
            order=order,
            show_others=show_others,
        )
    except (ConfigError, StoreError) as e:
        raise CliError(str(e)) from None
    app.run()
    if app.return_code:  # the app said why (a damaged database, a change not saved)
        sys.exit(app.return_code)


@main.command("ingest", context_settings=CONTEXT)
@click.argument("corpus", type=click.Path(exists=True, path_type=Path))
@db_option
def ingest_cmd(corpus: Path, db_path: str) -> None:
    """Read every article under CORPUS into the database as claim units.

    Re-running is cheap and safe: unchanged files are skipped, changed articles are
    re-segmented, and labels on sentences whose text is unchanged are kept. Label
    suggestions and claim groups are then computed for what is new or changed
    (see annotate suggest).

    \b
    Example:
      annotate ingest corpus/ --db annotations.db
    """
    with open_store(db_path) as store:
        summary = run_ingest(store, corpus, db_path)
    if summary.articles == 0:
        raise SystemExit(1)


def run_ingest(store: Store, corpus: Path, db_path: str) -> Any:
    """Drive ingest_and_suggest with a progress bar on stderr; print its report."""
    from annotate.ingest import (
        ArticleResult,
        Suggesting,
        SuggestSummary,
        Summary,
        default_exclude,
        describe,
        ingest_and_suggest,
    )
    from annotate.ingest import Progress as Step
    from annotate.model import Skipped

    events = ingest_and_suggest(store, corpus, exclude=default_exclude(db_path))
    summary: Summary | None = None
    suggested: SuggestSummary | None = None
    with _progress_bar() as bar:
        task = bar.add_task("Ingesting", total=None)
        # A progress event and an article result a file: off a terminal nothing is drawn.
        drawn = not isinstance(bar, _NoBar)
        for event in events:
            if isinstance(event, Step):
                if drawn:
                    bar.update(task, total=event.total, completed=event.done)
            elif isinstance(event, ArticleResult):
                continue  # the report counts them
            elif isinstance(event, Skipped):
                bar.print(visible(f"skipped {event}"), markup=False, soft_wrap=True)
            elif isinstance(event, Summary):
                summary = event
            elif isinstance(event, Suggesting):
                bar.update(task, visible=False)
                bar.add_task("Suggesting labels", total=None)
            elif isinstance(event, SuggestSummary):
                suggested = event
        assert summary is not None
    report = describe(
        summary, corpus=corpus, db_path=db_path, counts=store.counts(), suggested=suggested
    )
    for line in report:
        echo(line)
    if summary.articles == 0:
        echo(
            f"Error: no article could be read from {corpus} ({len(summary.skipped)} skipped)",
            err=True,
        )
    return summary


@contextmanager
def _progress_bar() -> Iterator[Any]:
    """A rich progress bar on stderr when it is a terminal; a script, a pipe or a log
    file gets only the lines printed through it, and the run does not import rich
    (which would cost a run over an unchanged corpus more than the run itself)."""
    if not _stderr_is_terminal():
        yield _NoBar()
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True, highlight=False),
        transient=True,
    )
    with bar:
        yield bar


class _NoBar:
    """The progress bar's methods where none is drawn: its lines go to stderr as they are."""

    def add_task(self, description: str, **fields: Any) -> int:
        return 0

    def update(self, task: int, **fields: Any) -> None:
        pass

    def print(self, line: str, **options: Any) -> None:
        echo(line, err=True)


def _stderr_is_terminal() -> bool:
    """Whether stderr takes a progress bar, as rich decides it (TTY_COMPATIBLE,
    FORCE_COLOR, else whether it is a terminal), without importing rich."""
    import os

    compatible = os.environ.get("TTY_COMPATIBLE", "")
    if compatible in ("0", "1"):
        return compatible == "1"
    force = os.environ.get("FORCE_COLOR")
    if force is not None:
        return force != ""
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@main.command("split", context_settings=CONTEXT)
@click.argument("file", default="-", type=click.Path(allow_dash=True, path_type=Path))
@click.option("--raw", is_flag=True, help="Skip cleaning: segment the text as it is.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per unit.")
@click.option("--dropped", is_flag=True, help="Show what cleaning dropped, and why.")
def split_cmd(file: Path, raw: bool, as_json: bool, dropped: bool) -> None:
    """Print the claim units of FILE (or stdin, with - or no FILE), one per line.

    Titles print as '# title', subheadings as '## heading'. Nothing is stored.

    \b
    Examples:
      annotate split corpus/000_5a2869755751f143.txt
      annotate split article.html --dropped
      echo 'Mr. Smith left. He was late.' | annotate split - --raw --json
    """
    from annotate.ingest import folder_repeats, siblings, split_document
    from annotate.model import HEADING, TITLE, Document, Skipped
    from annotate.text import reading

    if str(file) == "-":
        if sys.stdin.isatty():
            # Without FILE, a terminal would otherwise seem to hang.
            echo("reading an article from stdin; end with Ctrl-D", err=True)
        items: Any = reading.read_bytes(sys.stdin.buffer.read(), "<stdin>")
    elif file.is_dir():
        raise CliError(f"{file}: is a folder; split takes one file")
    elif not file.exists():
        raise CliError(f"{file}: no such file")
    else:
        items = reading.read_file(file, file.parent, confined=False)
    # Lines the file shares with other articles of its folder are dropped as ingest does.
    repeated: frozenset[str] = frozenset()
    if str(file) != "-" and not raw:
        repeated = folder_repeats(siblings(file), file.parent).get(file, frozenset())
    failed = ok = 0
    for item in items:
        if isinstance(item, Skipped):
            echo(f"Error: {item}", err=True)
            failed += 1
            continue
        assert isinstance(item, Document)
        ok += 1
        split = split_document(item, raw=raw, repeated=repeated)
        if dropped:
            for record in _dropped(item.path, split.clean):
                if as_json:
                    echo_json(record, indent=None)
                else:
                    echo(f"{item.path}:{record['line']}: {record['reason']}: {record['text']}")
            continue
        for u in split.units:
            if as_json:
                echo_json(
                    {
                        "article": item.path,
                        "seq": u.seq,
                        "paragraph": u.paragraph,
                        "kind": u.kind,
                        "start": u.start,
                        "end": u.end,
                        "text": u.text,
                    },
                    indent=None,
                )
            else:
                prefix = {TITLE: "# ", HEADING: "## "}.get(u.kind, "")
                echo(prefix + u.text)
    if failed and not ok:
        raise SystemExit(1)


def _dropped(path: str, clean: Any) -> Iterator[dict[str, Any]]:
    if clean is None:
        return
    for d in clean.dropped:
        yield {
            "article": path,
            "line": d.line,
            "after": d.after,
            "reason": d.reason,
            "text": d.text,
        }


# -- datasets out and back in: export, import, stats --------------------------------------


@main.command("export", context_settings=CONTEXT)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl", "parquet", "hf", "prodigy", "label-studio"]),
    default="csv",
    show_default=True,
    help="csv, jsonl; parquet (typed columns); hf (a folder with a dataset card that "
    "Hugging Face datasets loads); prodigy or label-studio (tasks, suggestions as "
    "pre-annotations).",
)
@click.option(
    "--out",
    "out",
    type=click.Path(allow_dash=True, path_type=Path),
    help="Output file (a folder for hf), or - for stdout. Default: "
    "exports/annotations-<UTC time>.<format>.",
)
@click.option("--annotator", help="Only this annotator's labels.")
@click.option(
    "--labels", "labels", metavar="LIST", help="Only these labels, e.g. attributed,editorial."
)
@click.option(
    "--include-unlabeled",
    is_flag=True,
    help="Every claim unit: units nobody labelled appear once with an empty label.",
)
@click.option("--all-kinds", is_flag=True, help="Titles and headings too, not only claim units.")
@click.option(
    "--aggregate",
    is_flag=True,
    help="One row per unit: the adjudicated or else the majority label, the agreement "
    "and the vote counts.",
)
@click.option(
    "--split",
    "split_spec",
    metavar="TRAIN/DEV/TEST",
    help="Add a split column (train/dev/test), assigned by article, e.g. 80/10/10.",
)
@click.option("--seed", default=0, show_default=True, help="Seed for --split.")
@click.option(
    "--excel-safe",
    is_flag=True,
    help="CSV: prefix cells starting with = + - @ tab CR or ' with a ' so spreadsheets "
    "never run them as formulas.",
)
@click.option("--bom", is_flag=True, help="CSV: start with a UTF-8 BOM (for Excel).")
@click.option(
    "--language",
    default="en",
    show_default=True,
    metavar="CODE",
    help="hf: the corpus language in the dataset card.",
)
@click.option("--force", is_flag=True, help="Overwrite an existing output file.")
@db_option
def export_cmd(
    fmt: str,
    out: Path | None,
    annotator: str | None,
    labels: str | None,
    include_unlabeled: bool,
    all_kinds: bool,
    aggregate: bool,
    split_spec: str | None,
    seed: int,
    excel_safe: bool,
    bom: bool,
    language: str,
    force: bool,
    db_path: str,
) -> None:
    """Write the labels as a dataset, one row per (unit, annotator) or, with --aggregate,
    per unit.

    Fields are documented in docs/guide.md (unit_id, article_path, text, label, annotator,
    labeled_at, note, flagged, ...). Every format loads in Hugging Face datasets with each
    column's type fixed, whatever the first rows hold (CSV: with features, see the
    guide). The file appears only once complete.

    \b
    Examples:
      annotate export --format jsonl --out labels.jsonl
      annotate export --aggregate --split 80/10/10 --seed 1 --out dataset.csv
      annotate export --format hf --aggregate --split 80/10/10 --out dataset/
      annotate export --format label-studio --include-unlabeled --out tasks.json
      annotate export --annotator ana --labels attributed,editorial --out - | head
    """
    from annotate.datasets.export import (
        CardInputs,
        ExportError,
        ExportOptions,
        Split,
        default_path,
        empty_splits,
        export_to_path,
        parse_labels,
    )

    try:
        options = ExportOptions(
            format=fmt,
            annotator=annotator,
            labels=parse_labels(labels),
            all_kinds=all_kinds,
            include_unlabeled=include_unlabeled,
            aggregate=aggregate,
            split=Split.parse(split_spec, seed) if split_spec else None,
            excel_safe=excel_safe,
            bom=bom,
        )
        with open_store(db_path, readonly=True) as store:
            if str(out) == "-":
                _export_to_stdout(store, options)
                return
            path = out or default_path(fmt)
            if out is None:
                path.parent.mkdir(exist_ok=True)  # the default folder, exports/
            card = CardInputs(_card_agreement(store) if fmt == "hf" else None, language)
            per_split: Counter[str] = Counter()
            rows = export_to_path(store, path, options, force=force, card=card, per_split=per_split)
    except ExportError as e:
        raise CliError(str(e)) from None
    except OSError as e:
        raise CliError(f"{e.filename or out}: {e.strerror}") from None
    hint = ""
    if rows == 0 and not include_unlabeled:
        hint = " (no label matched: --include-unlabeled writes every claim unit)"
    elif rows and (empty := empty_splits(options, per_split)):
        # Asked for several splits, given fewer: said here, not only in a dataset card.
        hint = (
            f"; none in {' or '.join(empty)}: too few articles for --split {split_spec}"
            " (splits keep each article whole)"
        )
    echo(f"Wrote {rows} row(s) to {path}{hint}", err=True)


def _card_agreement(store: Store) -> dict[str, Any]:
    """The agreement figures an hf dataset card shows (annotate.team, which the datasets
    layer does not import)."""
    from annotate.team import agreement

    return agreement.collect(store).to_json()


def _export_to_stdout(store: Store, options: Any) -> None:
    from annotate.datasets.export import export_to_stream

    # On a terminal the data's control characters are shown, never obeyed; into a pipe
    # or a file the dataset goes byte for byte.
    stream = sys.stdout.buffer
    out = io.BufferedWriter(TerminalSafeStream(stream)) if sys.stdout.isatty() else stream
    try:
        export_to_stream(store, out, options)
        out.flush()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader stopped early (`| head`): not an error worth a message. Point stdout
        # at devnull so the interpreter's final flush does not complain either.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())


@main.command("import", context_settings=CONTEXT)
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["csv", "jsonl", "prodigy", "label-studio", "doccano"]),
    help="File format (default: from the file name and its first record).",
)
@click.option("--excel-safe", is_flag=True, help="FILE was exported with --excel-safe: undo it.")
@click.option(
    "--annotator",
    metavar="NAME",
    help="prodigy, label-studio, doccano: whose labels rows without an annotator are.",
)
@click.option(
    "--map",
    "maps",
    metavar="NAME=LABEL",
    multiple=True,
    help="prodigy, label-studio, doccano: the file's label NAME is annotate's LABEL, e.g. "
    "--map SUBJ=editorial (repeat for more).",
)
@click.option(
    "--new-articles",
    is_flag=True,
    help="prodigy, label-studio, doccano: store a text found in no article as a new "
    "article (else it is an error).",
)
@db_option
def import_cmd(
    file: Path,
    fmt: str | None,
    excel_safe: bool,
    annotator: str | None,
    maps: tuple[str, ...],
    new_articles: bool,
    db_path: str,
) -> None:
    """Load labels from an export (CSV or JSONL, one row per unit and annotator), or from
    Prodigy JSONL, Label Studio JSON or doccano JSONL.

    Export rows are matched by unit_id, else by article_path and text. A row replaces the
    database's label for that unit and annotator unless the database's is newer
    (labeled_at). Importing the same file twice changes nothing. Every change is logged
    in the history as 'import'. Exits 1 only if no row could be matched.

    Another tool's rows are matched by unit_id (annotate's task exports carry it), else
    by their text within their article, else anywhere in the corpus. If any row is
    malformed, unmatched or ambiguous, each is reported with its line and nothing is
    imported (exit 1).

    \b
    Examples:
      annotate import exports/annotations-20250101T120000Z.csv --db team.db
      annotate import prodigy.jsonl --map SUBJ=editorial --map OBJ=unattributed
      annotate import label-studio-export.json --format label-studio
      annotate import doccano.jsonl --annotator dana --new-articles
    """
    from annotate.datasets.export import ExportError, import_labels
    from annotate.datasets.imports import FOREIGN_FORMATS, sniff

    fmt = fmt or sniff(file)
    if fmt in FOREIGN_FORMATS:
        _import_foreign(file, fmt, annotator, maps, new_articles, db_path)
        return
    if annotator or maps or new_articles:
        raise click.UsageError(
            "--annotator, --map and --new-articles are for prodigy, label-studio and doccano files"
        )

    def report(problem: object) -> None:
        echo(f"Error: {problem}", err=True)

    try:
        with _existing_store(db_path) as store:
            s = import_labels(store, file, format=fmt, excel_safe=excel_safe, report=report)
    except ExportError as e:
        raise CliError(str(e)) from None
    if s.added or s.updated:
        echo(
            f"Imported {file}: {s.added} label(s) added, {s.updated} updated, "
            f"{s.unchanged} already there."
        )
    elif s.matched:
        echo(f"Nothing to change: all {s.matched} label(s) in {file} are already there.")
    if s.newer:
        echo(f"{s.newer} row(s) kept as they are: the database's label is newer.")
    if s.no_annotator:
        echo(f"{s.no_annotator} row(s) without an annotator (unlabelled units) skipped.")
    if s.unmatched:
        echo(f"{s.unmatched} row(s) match no unit in {db_path}, for example:")
        for problem in s.unmatched_examples:
            echo(f"  {problem}")
    if s.malformed:
        echo(f"{s.malformed} malformed row(s) skipped; see the lines above.")
    if not s.matched:
        echo(f"Error: no row of {file} could be imported", err=True)
        raise SystemExit(1)


def _import_foreign(
    file: Path,
    fmt: str,
    annotator: str | None,
    maps: tuple[str, ...],
    new_articles: bool,
    db_path: str,
) -> None:
    from annotate.datasets.export import ExportError
    from annotate.datasets.imports import describe, import_foreign, parse_map

    try:
        mapping = parse_map(maps)
        with _existing_store(db_path) as store:
            s = import_foreign(
                store, file, fmt, annotator=annotator, mapping=mapping, new_articles=new_articles
            )
    except ExportError as e:
        raise CliError(str(e)) from None
    for problem in s.problems:
        echo(f"Error: {problem}", err=True)
    for line in describe(s, file, fmt):
        echo(line, err=not s.imported)
    if not s.imported:
        raise SystemExit(1)


@main.command("stats", context_settings=CONTEXT)
@click.option("--annotator", help="Progress of this annotator only.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option(
    "--limit", default=50, show_default=True, help="Articles listed in the table (0: all)."
)
@click.option(
    "--orphans", is_flag=True, help="List labels whose sentence changed (kept as orphans)."
)
@db_option
def stats_cmd(
    annotator: str | None, as_json: bool, limit: int, orphans: bool, db_path: str
) -> None:
    """Show labelling progress: per article, per label and per annotator.

    \b
    Examples:
      annotate stats
      annotate stats --annotator ana
      annotate stats --json | jq .left
      annotate stats --orphans
    """
    from annotate.datasets import stats

    with open_store(db_path, readonly=True) as store:
        figures = stats.collect(store, annotator)
        orphan_rows = stats.orphans(store, annotator) if orphans else None
    if orphan_rows is not None:
        if as_json:
            echo_json(stats.orphans_json(orphan_rows))
            return
        from rich.console import Console

        Console(highlight=False).print(stats.orphans_table(orphan_rows))
        return
    if as_json:
        echo_json(stats.to_json(figures))
        return
    from rich.console import Console

    console = Console(highlight=False)
    for table in stats.tables(figures, limit=limit):
        console.print(table)


# -- teams: agreement, assignment, merging ----------------------------------------------


def _names(spec: str | None) -> list[str] | None:
    """'alice,bob' -> ['alice', 'bob'] (None when not given)."""
    if spec is None:
        return None
    return [n.strip() for n in spec.split(",") if n.strip()]


def _existing_store(db_path: str) -> Store:
    """The store at ``db_path`` for a command that writes to an existing database."""
    path = Path(db_path)
    # A missing folder is the store's message ("folder does not exist").
    if path.parent.is_dir() and not path.exists():
        raise CliError(
            f"no such database: {db_path} (run `annotate ingest CORPUS --db {db_path}` first)"
        )
    return open_store(db_path)


@main.command("agreement", context_settings=CONTEXT)
@click.option("--annotators", metavar="LIST", help="Only these annotators, e.g. alice,bob.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@db_option
def agreement_cmd(annotators: str | None, as_json: bool, db_path: str) -> None:
    """How far the annotators agree: Cohen's kappa per pair, Fleiss' kappa and
    Krippendorff's alpha over all, per-label agreement and confusion matrices.

    Each figure says how many units it rests on; "n/a" means it cannot be computed
    (no overlap, one label only, fewer than two raters). See "Agreement" in the
    "Teams" section of docs/guide.md.

    \b
    Examples:
      annotate agreement --db team.db
      annotate agreement --annotators alice,bob --json | jq .pairs
    """
    from annotate.team import agreement

    with open_store(db_path, readonly=True) as store:
        report = agreement.collect(store, _names(annotators))
        adjudicated = store.adjudication_count(_names(annotators))
    if as_json:
        echo_json({**report.to_json(), "adjudicated": adjudicated})
        return
    from rich.console import Console

    console = Console(highlight=False)
    for table in agreement.tables(report):
        console.print(table)
    echo(
        f"{adjudicated} unit(s) adjudicated; the figures above are on the annotators' "
        "raw labels, before adjudication."
    )


@main.command("merge", context_settings=CONTEXT)
@click.argument("inputs", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--into",
    required=True,
    type=click.Path(dir_okay=False),
    help="The database to merge into: a new file, or one of the inputs.",
)
def merge_cmd(inputs: tuple[str, ...], into: str) -> None:
    """Combine databases labelled on different machines from the same corpus.

    Copies the articles, units, labels, history and adjudications INTO lacks. The same
    annotator with different labels for a unit in two files is a conflict: the later
    decision wins and the other stays in history. Merging twice changes nothing. An
    input that is not an annotate database is reported and the others go on (exit 1).

    \b
    Examples:
      annotate merge laptop.db server.db --into team.db
      annotate merge team.db ana.db --into team.db
    """
    from annotate.team.merge import describe, merge

    click.get_current_context().meta[_DB_KEY] = into
    try:
        report = merge(inputs, into)
    except StoreError as e:
        raise CliError(str(e)) from None
    for item in report.failed:
        echo(f"Error: {item.error}", err=True)
    for line in describe(report):
        echo(line)
    if report.failed:
        raise SystemExit(1)


@main.command("assign", context_settings=CONTEXT)
@click.option("--annotators", metavar="LIST", help="Who shares the work, e.g. alice,bob,carol.")
@click.option(
    "--reviewers",
    "per_article",
    type=int,
    default=1,
    show_default=True,
    help="How many annotators review each article.",
)
@click.option("--seed", default=0, show_default=True, help="Who pairs with whom among equals.")
@click.option("--clear", "clear_", is_flag=True, help="Remove the split: everyone sees all.")
@db_option
def assign_cmd(
    annotators: str | None, per_article: int, seed: int, clear_: bool, db_path: str
) -> None:
    """Give each annotator a share of the articles, REVIEWERS annotators per article.

    Without assignments (the default) every annotator sees every unit. The plan balances
    claim units, is the same for the same inputs and seed, and replaces any earlier
    plan; labels already given are kept.

    \b
    Examples:
      annotate assign --reviewers 2 --annotators alice,bob,carol --db team.db
      annotate assign --clear --db team.db
    """
    from annotate.team.assign import AssignError, assign, clear

    with _existing_store(db_path) as store:
        if clear_:
            clear(store)
            echo("Assignments removed: every annotator sees every unit.")
            return
        if not annotators:
            raise click.UsageError("--annotators is required (or --clear)")
        try:
            result = assign(store, _names(annotators) or [], per_article, seed)
        except AssignError as e:
            raise CliError(str(e)) from None
    echo(f"Assigned every article to {per_article} annotator(s):")
    for share in result:
        echo(f"  {share.annotator}: {share.articles} article(s), {share.claims} claim(s)")


# -- suggestions: attribution cues and how well they match the annotators ------------------


@main.command("suggest", context_settings=CONTEXT)
@click.option("--force", is_flag=True, help="Recompute every suggestion and claim group.")
@click.option(
    "--show",
    "show",
    metavar="PATH",
    help="Print the suggestions of one article (its path as ingested, or its file's path).",
)
@click.option(
    "--model",
    "model_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="A model folder (annotate train): store its suggestions blended with the rules'.",
)
@db_option
def suggest_cmd(force: bool, show: str | None, model_dir: Path | None, db_path: str) -> None:
    """Suggest a label for each claim unit from attribution cues; group shared claims.

    Finds reporting cues ("said", "according to", quotes) and their sources, editorial
    wording ("could signal", "perhaps") and page furniture, and stores a suggested label,
    a confidence and the reason per unit. Units that already have a suggestion from the
    same rules are skipped. Units stating the same claim in different articles get the
    same claim group.

    \b
    With --model, a model trained on any database's labels (annotate train) suggests
    too: its suggestion, blended with the rules', is what the app shows (the reason says
    which spoke, e.g. "model 0.84 · rules: cue “said”"); the rules' own stay stored.

    \b
    Examples:
      annotate suggest --db annotations.db
      annotate suggest --show 000_5a2869755751f143.txt
      annotate suggest --db other.db --model team.model
    """
    from annotate.ingest import suggest_all

    model = _load_model(model_dir) if model_dir is not None else None
    with _existing_store(db_path) as store:
        summary = suggest_all(store, force=force)
        if not show or summary.units:  # --show alone: only the article, when nothing was due
            echo(
                f"Suggested labels for {summary.units} unit(s) in {summary.articles} "
                f"article(s); {summary.claim_groups} claim group(s) across articles."
            )
        if model is not None:
            from annotate.learn import suggest_with_model

            done = suggest_with_model(store, model)
            by = done.by
            echo(
                f"Model {model.id} suggested for {done.units} unit(s): both agree on "
                f"{by.get('both', 0)}, the model spoke for {by.get('model', 0)}, the rules for "
                f"{by.get('rules', 0)}; {done.changed} label(s) differ from the rules'."
            )
        if show:
            article = _stored_article(store, show)
            if article is None:
                raise CliError(f"{show}: no such article in {db_path}")
            for u in store.article_units(article.id):
                s = store.blended_suggestion(u.id)
                if s is not None:
                    echo(f"{s.suggested_label:<13} {s.confidence:.2f}  {u.text}")
                    echo(f"{'':<19}{s.reason}")


def _stored_article(store: Store, given: str) -> ArticleRecord | None:
    """The article ``given`` names: its path as stored (relative to the folder ingested),
    or a path to its file on disk (``corpus/a.txt``, tab-completed), matched by the longest
    tail of that path that is a stored article path."""
    article = store.article(given)
    if article is not None:
        return article
    parts = Path(given).parts
    for i in range(1, len(parts)):
        article = store.article(str(Path(*parts[i:])))
        if article is not None:
            return article
    return None


@main.command("evaluate", context_settings=CONTEXT)
@click.option(
    "--data",
    "data",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A JSONL file of hand-labelled units (text, label, context). Default: the "
    "shipped evaluation set, unless --db (or an existing ANNOTATE_DB) is given.",
)
@db_option
@click.option("--annotator", help="With --db: only this annotator's labels.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")
@click.option("--errors", is_flag=True, help="List the units the suggestion got wrong.")
@click.option(
    "--model",
    "model_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="With --db: score this model folder (annotate train) beside the rules.",
)
def evaluate_cmd(
    data: Path | None,
    db_path: str,
    annotator: str | None,
    as_json: bool,
    errors: bool,
    model_dir: Path | None,
) -> None:
    """Report how well suggestions match human labels.

    Accuracy, precision, recall and F1 per label, macro-F1 (the mean F1 of the labels
    that occur) and a confusion matrix (rows: the human label, columns: the
    suggestion). Without --data, the database given with --db (or ANNOTATE_DB, if that
    file exists) is scored against the labels annotators gave in it; suggestions missing
    there are computed first. Otherwise the shipped evaluation sets are used, each
    split on its own.

    \b
    Examples:
      annotate evaluate
      annotate evaluate --db team.db --annotator alice --json
      annotate evaluate --data my_units.jsonl --errors
      annotate evaluate --db other.db --model team.model
    """
    from annotate.team import evaluate

    given = click.get_current_context().get_parameter_source("db_path")
    if data is not None and given is ParameterSource.COMMANDLINE:
        raise click.UsageError("give --data or --db, not both")
    if model_dir is not None:
        if data is not None:
            raise click.UsageError("--model scores a database's labels: give --db, not --data")
        _evaluate_model(model_dir, db_path, annotator, as_json)
        return
    # --db names the database like for every command; ANNOTATE_DB does too when it
    # exists, else the shipped set stays the default (as without either).
    use_db = given is ParameterSource.COMMANDLINE or (
        given is ParameterSource.ENVIRONMENT and Path(db_path).exists()
    )
    if data is None and use_db:
        # Not read-only: the suggestions the database lacks are computed and stored.
        with _existing_store(db_path) as store:
            results = evaluate.evaluate_store(store, annotator)
    else:
        try:
            results = evaluate.evaluate_file(data)
        except (OSError, ValueError) as e:
            raise CliError(str(e)) from None
    if as_json:
        echo_json(evaluate.to_json(results, errors=errors))
        return
    for name, scores in results.items():
        for line in evaluate.report_lines(name, scores):
            echo(line)
        if errors:
            for miss in scores.errors:
                echo(f"  gold {miss['gold']}, suggested {miss['suggested']}: {miss['text']}")
                echo(f"    {miss['reason']}")
        echo()


# -- a model that learns from the labels ---------------------------------------------------


def _load_model(folder: Path) -> Any:
    from annotate.learn import LearnError, load

    try:
        return load(folder)
    except LearnError as e:
        raise CliError(str(e)) from None


def _evaluate_model(model_dir: Path, db_path: str, annotator: str | None, as_json: bool) -> None:
    from annotate.learn import evaluate_model
    from annotate.team import evaluate

    model = _load_model(model_dir)
    with _existing_store(db_path) as store:
        results, own = evaluate_model(store, model, annotator)
    if as_json:
        echo_json({**evaluate.to_json(results), "trained_on_this_database": own})
        return
    if own:
        echo(
            f"note: model {model.id} was trained on this database's labels: these figures are "
            "not held out (annotate train prints cross-validated ones)."
        )
    for name, scores in results.items():
        for line in evaluate.report_lines(name, scores):
            echo(line)
        echo()


@main.command("train", context_settings=CONTEXT)
@db_option
@click.option("--annotator", help="Learn this annotator's labels only (default: the team's).")
@click.option(
    "--out",
    "out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Model folder to write (default: beside the database, <name>.model/).",
)
@click.option(
    "--folds",
    default=5,
    show_default=True,
    type=click.IntRange(2, 20),
    help="Cross-validation folds.",
)
@click.option("--curve", is_flag=True, help="Also the learning curve (10/25/50/75/100% of labels).")
@click.option(
    "--plot",
    "plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="With --curve: write the curve as an SVG chart to this file.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the model's metadata as JSON.")
def train_cmd(
    db_path: str,
    annotator: str | None,
    out: Path | None,
    folds: int,
    curve: bool,
    plot: Path | None,
    as_json: bool,
) -> None:
    """Train a model on the labels of the database, to suggest with the rules.

    Learns the four labels from the team's labels (an adjudicated label first, else the
    majority; ties left out), or one annotator's, from each claim's words and characters,
    the sentence before it and what the rules found in it. Prints cross-validated
    precision, recall and F1 per label and macro-F1, grouped by article (no article in
    both the training and the scored part), for the rules alone, the model alone and
    both blended, on the same folds. Saves the model folder (model.joblib: scikit-learn
    objects in a pickle, load only your own; model.json: labels used, versions, date,
    figures). Use it with annotate suggest --model, annotate evaluate --model and
    annotate open --order uncertain.

    \b
    Examples:
      annotate train --db team.db
      annotate train --db team.db --annotator alice --out alice.model
      annotate train --db team.db --curve --plot curve.svg
    """
    from annotate.learn import (
        LearnError,
        default_folder,
        report_lines,
        svg,
        table_lines,
        train_store,
    )

    if plot is not None and not curve:
        raise click.UsageError("--plot draws the learning curve: add --curve")
    folder = out or default_folder(db_path)
    if folder.exists() and not folder.is_dir():
        raise CliError(f"{folder}: exists and is not a folder")
    with _existing_store(db_path) as store:
        try:
            report = train_store(store, folder, annotator=annotator, folds=folds, curve=curve)
        except LearnError as e:
            raise CliError(f"{db_path}: {e}") from None
    if as_json:
        echo_json({**report.model.meta, "folder": str(report.folder)})
    else:
        for line in report_lines(report):
            echo(line)
        if report.curve is not None:
            echo("Learning curve (held-out macro-F1, same folds, share of the labelled articles):")
            for line in table_lines(report.curve):
                echo(line)
    if plot is not None and report.curve is not None:
        try:
            plot.write_text(
                svg(report.curve, f"annotate train --curve: {Path(db_path).name}"), "utf-8"
            )
        except OSError as e:
            raise CliError(f"{plot}: {e.strerror}") from None
        echo(f"Learning curve drawn in {plot}", err=True)


# -- a class or a team in a browser: serve ------------------------------------------------


@main.command("serve", context_settings=CONTEXT)
@click.argument("corpus", required=False, type=click.Path(exists=True, path_type=Path))
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option(
    "--public-url",
    metavar="URL",
    help="The address browsers use, behind a reverse proxy (e.g. https://label.example.org); "
    "personal URLs are printed with it.",
)
@click.option(
    "--open",
    "open_mode",
    is_flag=True,
    help="Classroom mode on a trusted network: a name is enough, no token.",
)
@click.option(
    "--max-sessions",
    default=30,
    show_default=True,
    type=click.IntRange(1),
    help="At most this many browser sessions (app processes, ~40 MB each) at once.",
)
@click.option(
    "--idle-timeout",
    default=30.0,
    show_default=True,
    type=click.FloatRange(0),
    metavar="MINUTES",
    help="Close a session after this long without a key press (0: never).",
)
@click.option(
    "--add-annotator",
    "--add-reviewer",
    "add_annotators",
    multiple=True,
    metavar="NAME",
    help="Give NAME a secret token and print their personal URL (a new token replaces an "
    "old one); then exit. Repeatable.",
)
@click.option(
    "--add-organiser",
    "add_organisers",
    multiple=True,
    metavar="NAME",
    help="Give NAME an organiser token for the /status page and print its URL; then exit.",
)
@click.option(
    "--remove",
    "remove_names",
    multiple=True,
    metavar="NAME",
    help="Take NAME's tokens away (labels stay); then exit. Repeatable.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Config file with a [keymap] table, for every session's app.",
)
def serve_cmd(
    corpus: Path | None,
    db_path: str,
    host: str,
    port: int,
    public_url: str | None,
    open_mode: bool,
    max_sessions: int,
    idle_timeout: float,
    add_annotators: tuple[str, ...],
    add_organisers: tuple[str, ...],
    remove_names: tuple[str, ...],
    config_path: Path | None,
) -> None:
    """Serve the labelling app to browsers: one app process per session, each under
    its annotator's name. Ingests CORPUS first (only what changed).

    Annotators log in with the personal URL --add-annotator prints (or name and token
    on the login page); with --open, a name is enough. /adjudicate opens the
    adjudication app; /status (organiser token) shows who is connected, each
    annotator's progress and the agreement so far. Listens on 127.0.0.1 only unless
    --host says otherwise; see docs/guide.md for a reverse proxy with TLS.

    \b
    Examples:
      annotate serve --add-annotator alice --add-annotator bob --db team.db
      annotate serve --add-organiser carol --db team.db
      annotate serve corpus/ --db team.db
      annotate serve corpus/ --db class.db --open --host 0.0.0.0 --max-sessions 40
    """
    from annotate.store import ANNOTATOR, ORGANISER
    from annotate.tui.serve.access import BadName, grant, personal_url
    from annotate.tui.serve.server import Options, ServeError, Server, base_url

    if public_url and not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", public_url):
        raise click.BadParameter("an http:// or https:// URL", param_hint="--public-url")
    options = Options(
        db_path=Path(db_path).resolve(),
        host=host,
        port=port,
        open_mode=open_mode,
        max_sessions=max_sessions,
        idle_timeout=idle_timeout * 60,
        public_url=public_url,
        config=config_path.resolve() if config_path else None,
    )
    if add_annotators or add_organisers or remove_names:
        with open_store(db_path) as store:
            for name in remove_names:
                gone = [r for r in (ANNOTATOR, ORGANISER) if store.remove_access(name, r)]
                echo(f"{name}: token(s) removed" if gone else f"{name}: had no token")
            for role, names in ((ANNOTATOR, add_annotators), (ORGANISER, add_organisers)):
                for name in names:
                    try:
                        stored, token, is_new = grant(store, name, role)
                    except BadName as e:
                        raise CliError(f"{name}: {e}") from None
                    url = personal_url(base_url(options), stored, token, role)
                    what = "new token" if not is_new else f"{role} added"
                    echo(f"{stored} ({what}): {url}")
        return
    with open_store(db_path) as store:
        if corpus is not None:
            summary = run_ingest(store, corpus, db_path)
            if summary.articles == 0:
                raise SystemExit(1)
        if not open_mode and not store.access_names(ANNOTATOR):
            echo(
                "note: no annotator can log in yet: add them with "
                f"`annotate serve --add-annotator NAME --db {db_path}`, or use --open",
                err=True,
            )
        if not store.access_names(ORGANISER):
            echo(
                f"note: for /status, `annotate serve --add-organiser NAME --db {db_path}`", err=True
            )
    try:
        Server(options, say=echo).run()
    except ServeError as e:
        raise CliError(str(e)) from None
