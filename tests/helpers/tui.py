"""What the app's Pilot tests share: a small corpus of two articles, the app constructor,
and readers of the database and of the screen."""

from __future__ import annotations

import asyncio
import functools
import sqlite3

from rich.console import Console
from rich.text import Text

from annotate.model import HEADING, SENTENCE, TITLE, Unit
from annotate.store import Store
from annotate.tui.app import AnnotateApp, make_app
from annotate.tui.widgets.claim import ClaimView

WHO = "tester"


def pilot(test):
    """Run an async Pilot test on a fresh event loop (no pytest async plugin needed)."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        asyncio.run(test(*args, **kwargs))

    return run


ARTICLES = {
    "space.txt": (
        "U.S., Russian space leaders discuss ISS",
        [
            "Dialogue is rekindled",
            [
                "NASA's new administrator held a rare meeting with Russia's space chief, "
                "Roscosmos said.",
                "The talks were the first in-person meeting since 2018.",
                "Such talks could signal thawing relations.",
            ],
            "Divergent paths of the Moon",
            [
                "Russia had plans to participate in Artemis.",
                "PHOTO: REUTERS",
            ],
        ],
    ),
    "station.txt": (
        "ISS remains an essential link",
        [["But bad weather pushed the launch to Friday morning, SpaceX said."]],
    ),
}


def save(store: Store, path: str, title: str, blocks: list) -> None:
    """Store one article: strings in ``blocks`` are subheadings, lists are paragraphs."""
    units, seq = [Unit(0, 0, TITLE, title, 0, len(title))], 1
    for paragraph, block in enumerate(blocks, 1):
        for text in [block] if isinstance(block, str) else block:
            kind = HEADING if isinstance(block, str) else SENTENCE
            units.append(Unit(paragraph, seq, kind, text, 0, len(text)))
            seq += 1
    store.save_article(
        path=path,
        file=path,
        sha256=path,
        title=title,
        source="GCN",
        url=None,
        date=None,
        cleaned="",
        segmenter="test",
        units=units,
    )


def save_split(store: Store, path: str, text: str) -> None:
    """Store ``text`` as one article, segmented as ingest does (exact offsets, so that
    merges and splits work on it)."""
    from annotate.ingest import split_text

    split = split_text(text, raw=True)
    store.save_article(
        path=path,
        file=path,
        sha256=path,
        title=None,
        source=None,
        url=None,
        date=None,
        cleaned=split.cleaned,
        segmenter="test",
        units=split.units,
    )


def with_articles(db_path):
    """The database at ``db_path`` with ARTICLES stored."""
    with Store.open(db_path) as store:
        for path, (title, blocks) in ARTICLES.items():
            save(store, path, title, blocks)
    return db_path


def app_for(db, **kw) -> AnnotateApp:
    return make_app(db_path=db, annotator=kw.pop("annotator", WHO), **kw)


def labels(db, annotator: str = WHO) -> dict[str, tuple]:
    """unit text -> (label, note, flagged), read through a connection of its own."""
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT u.text, l.label, l.note, l.flagged FROM labels l JOIN units u ON u.id = l.unit_id "
        "WHERE l.annotator = ? ORDER BY u.pos",
        (annotator,),
    ).fetchall()
    conn.close()
    return {r[0][:20]: tuple(r[1:]) for r in rows}


async def settle(app: AnnotateApp, pilot) -> None:
    """Wait for the app's workers (counting, searching, ingest) and what they posted."""
    await app.workers.wait_for_complete()
    await pilot.pause()
    for _ in range(600):  # ingest runs in a child process: wait for its summary
        if app.ingest_over:
            break
        await pilot.pause(0.05)
    await app.workers.wait_for_complete()
    await pilot.pause()


def current(app: AnnotateApp) -> str:
    assert app.session.unit is not None
    return app.session.unit.text[:20]


def claim_plain(app: AnnotateApp) -> str:
    """What the claim area shows, its wrapped lines joined again: paragraphs (the
    claim's and those around it) apart by a blank line."""
    return "\n\n".join(claim_paragraphs(app))


def claim_paragraphs(app: AnnotateApp) -> list[str]:
    """The paragraphs the claim area shows, in order, each as one line of text."""
    text = app.screen.query_one(ClaimView).render()
    assert isinstance(text, Text)
    return [_unwrapped(p.split("\n")) for p in text.plain.split("\n\n")]


def _unwrapped(lines: list[str]) -> str:
    """Wrapped lines as one again: the space a line break took is put back."""
    joined = lines[0]
    for line in lines[1:]:
        joined += line if joined.endswith(" ") or not line else " " + line
    return joined


def styled(app: AnnotateApp, component: str, partial: bool = True) -> list[str]:
    """The stretches of the rendered claim area carrying a component class's style (the
    marks' partial styles, or with ``partial`` False the claim's and the context's)."""
    view = app.screen_stack[0].query_one(ClaimView)
    text = view.render()
    assert isinstance(text, Text)
    style = view.get_component_rich_style(component, partial=partial)
    return [text.plain[s.start : s.end] for s in text.spans if s.style == style]


def rendered(app: AnnotateApp, widget: type) -> str:
    """The plain text a widget of the main screen renders, as a console would print it."""
    console = Console(width=200, color_system=None, legacy_windows=False)
    with console.capture() as capture:
        console.print(app.screen_stack[0].query_one(widget).render())
    return "\n".join(line.rstrip() for line in capture.get().splitlines())


def spy(monkeypatch, store: Store, method: str) -> list[tuple]:
    """Record the calls of one method of the app's own (UI thread) connection."""
    calls: list[tuple] = []
    real = getattr(store, method)

    def record(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(store, method, record)
    return calls
