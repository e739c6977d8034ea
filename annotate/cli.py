"""The command line: thin click commands that open the store, call one domain function, print.

`annotate CORPUS` (no command name) runs the main job: ingest the corpus, then label.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click

from annotate.store import DEFAULT_DB, Store, StoreError

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


def open_store(db_path: str) -> Store:
    try:
        return Store.open(db_path)
    except StoreError as e:
        raise click.ClickException(str(e)) from None


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
@click.argument("corpus", type=click.Path(exists=True, path_type=Path))
@db_option
def open_cmd(corpus: Path, db_path: str) -> None:
    """Ingest CORPUS (only what changed) and start labelling.

    \b
    Example:
      annotate corpus/ --db team.db
    """
    with open_store(db_path) as store:
        summary = run_ingest(store, corpus, db_path)
    if summary.articles == 0:
        raise SystemExit(1)


@main.command("ingest", context_settings=CONTEXT)
@click.argument("corpus", type=click.Path(exists=True, path_type=Path))
@db_option
def ingest_cmd(corpus: Path, db_path: str) -> None:
    """Read every article under CORPUS into the database as claim units.

    Re-running is cheap and safe: unchanged files are skipped, changed articles are
    re-segmented, and labels on sentences whose text is unchanged are kept.

    \b
    Example:
      annotate ingest corpus/ --db annotations.db
    """
    with open_store(db_path) as store:
        summary = run_ingest(store, corpus, db_path)
    if summary.articles == 0:
        raise SystemExit(1)


def run_ingest(store: Store, corpus: Path, db_path: str) -> Any:
    """Drive ingest with a progress bar on stderr and print the summary."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from annotate.ingest import Progress as Step
    from annotate.ingest import Summary, default_exclude, ingest
    from annotate.model import Skipped

    err = Console(stderr=True, highlight=False)
    events = ingest(store, corpus, exclude=default_exclude(db_path))
    summary: Summary | None = None
    bar = Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )
    with bar:
        task = bar.add_task("Ingesting", total=None)
        for event in events:
            if isinstance(event, Step):
                bar.update(task, total=event.total, completed=event.done)
            elif isinstance(event, Skipped):
                err.print(f"skipped {event}", markup=False)
            elif isinstance(event, Summary):
                summary = event
    assert summary is not None
    _print_summary(summary, corpus, db_path, store.counts())
    if summary.articles == 0:
        click.echo(
            f"error: no article could be read from {corpus} "
            f"({len(summary.skipped)} skipped)",
            err=True,
        )
    return summary


def _print_summary(summary: Any, corpus: Path, db_path: str, counts: dict[str, int]) -> None:
    s = summary
    if s.articles and not s.changed:
        click.echo(
            f"Nothing new in {corpus}: {s.unchanged} article(s) unchanged, nothing added "
            f"({counts['claims']} claim units in {db_path})."
        )
    elif s.articles:
        click.echo(
            f"Ingested {corpus} into {db_path}: {s.added} article(s) added, {s.updated} updated, "
            f"{s.unchanged} unchanged; units +{s.units_added} -{s.units_removed}."
        )
        click.echo(
            f"The database holds {counts['articles']} article(s), {counts['claims']} claim "
            f"units ({counts['units'] - counts['claims']} titles and headings)."
        )
    if s.skipped:
        click.echo(f"Skipped {len(s.skipped)} file(s) or line(s); see the lines above.")
    if s.missing_files:
        click.echo(
            f"{len(s.missing_files)} file(s) ingested before are no longer in {corpus}; "
            "their articles and labels are kept."
        )


@main.command("split", context_settings=CONTEXT)
@click.argument("file", default="-", type=click.Path(allow_dash=True, path_type=Path))
@click.option("--raw", is_flag=True, help="Skip cleaning: segment the text as it is.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per unit.")
@click.option("--dropped", is_flag=True, help="Show what cleaning dropped, and why.")
def split_cmd(file: Path, raw: bool, as_json: bool, dropped: bool) -> None:
    """Print the claim units of FILE (or stdin with -), one per line.

    Titles print as '# title', subheadings as '## heading'. Nothing is stored.

    \b
    Examples:
      annotate split corpus/000_5a2869755751f143.txt
      annotate split article.html --dropped
      echo 'Mr. Smith left. He was late.' | annotate split - --raw --json
    """
    from annotate import reading
    from annotate.ingest import split_text
    from annotate.model import HEADING, TITLE, Document, Skipped

    if str(file) == "-":
        items: Any = reading.read_bytes(sys.stdin.buffer.read(), "<stdin>")
    elif file.is_dir():
        raise click.ClickException(f"{file}: is a folder; split takes one file")
    elif not file.exists():
        raise click.ClickException(f"{file}: no such file")
    else:
        items = reading.read_file(file, file.parent)
    failed = ok = 0
    for item in items:
        if isinstance(item, Skipped):
            click.echo(f"error: {item}", err=True)
            failed += 1
            continue
        assert isinstance(item, Document)
        ok += 1
        split = split_text(item.text, title=item.title, raw=raw)
        if dropped:
            for line in _dropped_lines(item.path, split.clean, as_json):
                click.echo(line)
            continue
        for u in split.units:
            if as_json:
                click.echo(
                    json.dumps(
                        {
                            "article": item.path,
                            "seq": u.seq,
                            "paragraph": u.paragraph,
                            "kind": u.kind,
                            "start": u.start,
                            "end": u.end,
                            "text": u.text,
                        },
                        ensure_ascii=False,
                    )
                )
            else:
                prefix = {TITLE: "# ", HEADING: "## "}.get(u.kind, "")
                click.echo(prefix + u.text)
    if failed and not ok:
        raise SystemExit(1)


def _dropped_lines(path: str, clean: Any, as_json: bool) -> Iterator[str]:
    if clean is None:
        return
    for d in clean.dropped:
        if as_json:
            yield json.dumps(
                {"article": path, "line": d.line, "reason": d.reason, "text": d.text},
                ensure_ascii=False,
            )
        else:
            yield f"{path}:{d.line}: {d.reason}: {d.text}"
