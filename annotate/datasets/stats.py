"""Where the labelling stands: progress per article, label distribution, what is left.

``collect`` gathers the figures from the store; ``to_json`` and ``tables`` present them
for scripts and for people. Counts are of claim units (kind "sentence").
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from annotate.model import LABELS
from annotate.store import OrphanLabel, Store
from annotate.visible import visible

if TYPE_CHECKING:
    from rich.table import Table


@dataclass(frozen=True)
class ArticleStats:
    path: str
    title: str | None
    claims: int
    labelled: int  # claim units with at least one label (from the focused annotator)
    flagged: int  # claim units with at least one flag
    noted: int  # claim units with at least one note

    @property
    def left(self) -> int:
        return self.claims - self.labelled


@dataclass(frozen=True)
class AnnotatorStats:
    annotator: str
    labelled: int
    left: int  # claim units this annotator has not labelled
    flagged: int
    noted: int
    labels: dict[str, int]


@dataclass(frozen=True)
class Stats:
    annotator: str | None  # the focus (--annotator), or None for everyone
    claims: int
    labelled: int
    flagged: int
    noted: int
    orphans: int  # label rows whose unit is gone (article re-segmented)
    labels: dict[str, int]  # label rows per label, over the annotators counted
    annotators: list[AnnotatorStats] = field(default_factory=list)
    articles: list[ArticleStats] = field(default_factory=list)
    # Over all annotators, whatever the focus: claim units with an adjudicated label,
    # units annotators labelled differently, and those of them not adjudicated yet.
    adjudicated: int = 0
    disagreements: int = 0
    open_disagreements: int = 0

    @property
    def left(self) -> int:
        return self.claims - self.labelled


def collect(store: Store, annotator: str | None = None) -> Stats:
    """Every figure ``annotate stats`` shows, for everyone or for one annotator."""
    articles = [ArticleStats(*row) for row in store.stats_articles(annotator)]
    claims = sum(a.claims for a in articles)
    per: dict[str, dict[str, Any]] = {}
    for name, label, rows, flagged, noted in store.stats_labels(annotator):
        entry = per.setdefault(name, {"labels": dict.fromkeys(LABELS, 0), "flagged": 0, "noted": 0})
        if label is not None:
            entry["labels"][label] = entry["labels"].get(label, 0) + rows
        entry["flagged"] += flagged or 0
        entry["noted"] += noted
    annotators = [
        AnnotatorStats(
            annotator=name,
            labelled=sum(e["labels"].values()),
            left=claims - sum(e["labels"].values()),
            flagged=e["flagged"],
            noted=e["noted"],
            labels=e["labels"],
        )
        for name, e in per.items()
    ]
    labels: dict[str, int] = dict.fromkeys(LABELS, 0)
    for person in annotators:
        for label, n in person.labels.items():
            labels[label] = labels.get(label, 0) + n
    return Stats(
        annotator=annotator,
        claims=claims,
        labelled=sum(a.labelled for a in articles),
        flagged=sum(a.flagged for a in articles),
        noted=sum(a.noted for a in articles),
        orphans=store.orphan_label_count(),
        labels=labels,
        annotators=annotators,
        articles=articles,
        adjudicated=store.adjudication_count(),
        disagreements=store.disagreement_count(),
        open_disagreements=store.disagreement_count(unresolved=True),
    )


def to_json(stats: Stats) -> dict[str, Any]:
    """Plain data for ``--json``: the same figures, ``left`` included."""
    data = asdict(stats)
    data["left"] = stats.left
    for entry, article in zip(data["articles"], stats.articles, strict=True):
        entry["left"] = article.left
    return data


def tables(stats: Stats, limit: int = 50) -> list[Table]:
    """Rich tables: totals, labels per annotator, and per-article progress.

    Only the first ``limit`` articles are listed (0 for all); the totals count them all.
    """
    from rich.table import Table
    from rich.text import Text

    # Paths and names are data, never markup: a "[" in them must print as is.
    totals = Table(title="Progress", show_header=False)
    if stats.annotator:
        totals.caption = Text(visible(f"annotator {stats.annotator}"))
    totals.add_column(style="bold")
    totals.add_column(justify="right")
    done = f"{stats.labelled / stats.claims:.0%}" if stats.claims else "-"
    for name, value in (
        ("claim units", stats.claims),
        ("labelled", f"{stats.labelled} ({done})"),
        ("left", stats.left),
        ("flagged", stats.flagged),
        ("with a note", stats.noted),
        ("adjudicated", stats.adjudicated),
        ("open disagreements", f"{stats.open_disagreements} of {stats.disagreements}"),
    ):
        totals.add_row(name, str(value))
    if stats.orphans:
        totals.add_row("orphan labels (--orphans)", str(stats.orphans))

    # Labels down, annotators across: there are few annotators and the label names
    # stay readable in an 80-column terminal.
    labels = Table(title="Labels")
    labels.add_column("")
    for person in stats.annotators:
        labels.add_column(Text(visible(person.annotator)), justify="right")
    if len(stats.annotators) != 1:
        labels.add_column("all", justify="right")
    for label in LABELS:
        total = [str(stats.labels.get(label, 0))] if len(stats.annotators) != 1 else []
        labels.add_row(label, *(str(a.labels.get(label, 0)) for a in stats.annotators), *total)
    labels.add_section()
    for name in ("labelled", "left", "flagged", "noted"):
        labels.add_row(name, *(str(getattr(a, name)) for a in stats.annotators))

    articles = Table(title="Articles")
    articles.add_column("article")
    for column in ("claims", "labelled", "left", "flagged", "noted"):
        articles.add_column(column, justify="right")
    shown = stats.articles if limit <= 0 else stats.articles[:limit]
    for art in shown:
        articles.add_row(
            Text(visible(art.path)),
            *(str(v) for v in (art.claims, art.labelled, art.left, art.flagged, art.noted)),
        )
    if len(shown) < len(stats.articles):
        more = len(stats.articles) - len(shown)
        articles.caption = f"{more} more article(s); --limit 0 for all"
    return [totals, labels, articles]


# -- orphans: labels whose unit is gone ----------------------------------------------------


def orphans(store: Store, annotator: str | None = None) -> list[OrphanLabel]:
    """Labels whose sentence changed (re-ingest or a merge or split), oldest article first."""
    return store.orphan_labels(annotator)


def orphans_json(rows: list[OrphanLabel]) -> list[dict[str, Any]]:
    """Plain data for ``stats --orphans --json``."""
    return [asdict(r) for r in rows]


def orphans_table(rows: list[OrphanLabel]) -> Table:
    """Who gave which label to which sentence, for every orphan label."""
    from rich.table import Table
    from rich.text import Text

    table = Table(title=f"Orphan labels ({len(rows)})")
    for column in ("article", "annotator", "label", "old text"):
        table.add_column(column)
    for r in rows:
        # Texts and names are data, never markup.
        table.add_row(
            Text(visible(r.article_path or "?")),
            Text(visible(r.annotator)),
            Text(visible(r.label or ("(note)" if r.note else "(flag)"))),
            Text(visible(r.text if r.text is not None else "(text not recorded)")),
        )
    if not rows:
        table.caption = "No orphan labels: every label has its sentence."
    else:
        table.caption = "Kept, never deleted: a unit with the same text brings its label back."
    return table
