"""Annotate's own commands in Textual's command palette (ctrl+p): jump to an article,
follow a filter, search, export the labels, show or hide the decision strip. (Textual's
own "Theme" command stays; the app saves the theme chosen.)

The commands act on the labelling screen the palette was opened from; the article list
is read in a thread, on a connection of its own, when the palette opens.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from textual.command import DiscoveryHit, Hit, Hits, Provider

from annotate.labelling.session import FILTER_ORDER, filter_name
from annotate.store import ArticleProgress, Store
from annotate.tui.widgets.claim import literal

if TYPE_CHECKING:
    from annotate.tui.app import AnnotateApp
    from annotate.tui.screens.label import LabelScreen

# (command, what it does, run it)
Command = tuple[str, str, Callable[[], object]]

EXPORT_FORMATS = ("jsonl", "csv")


def read_articles(db_path: str, annotator: str, assigned: bool) -> list[ArticleProgress]:
    with Store.open(db_path, migrate=False) as store:
        return store.article_progress(annotator, assigned=assigned)


class AnnotateCommands(Provider):
    """The labelling screen's commands, and one "Jump to article" per article."""

    async def startup(self) -> None:
        self.articles: list[ArticleProgress] = []
        screen = self.label_screen
        if screen is not None:
            session = screen.session
            self.articles = await asyncio.to_thread(
                read_articles, screen.db_path, session.annotator, session.assigned
            )

    @property
    def label_screen(self) -> LabelScreen | None:
        """The labelling screen the palette was opened from (None: another screen)."""
        from annotate.tui.screens.label import LabelScreen

        return self.screen if isinstance(self.screen, LabelScreen) else None

    def commands(self) -> list[Command]:
        """Every command, the article jumps last."""
        screen = self.label_screen
        if screen is None:
            return []
        app: AnnotateApp = self.app  # type: ignore[assignment]
        strip = "Hide" if app.settings.decisions else "Show"
        found: list[Command] = [
            ("Search claims", "Find claims by their text as you type", screen.action_search),
            ("Choose filter…", "Which claims next and back follow", screen.action_choose_filter),
            ("Articles", "Every article with how much of it is labelled", screen.action_articles),
            (
                f"{strip} the decision strip",
                "The last decisions beside the claim on a wide screen (saved in the config)",
                app.toggle_decisions,
            ),
        ]
        for only in FILTER_ORDER:
            name = filter_name(only)
            found.append(
                (f"Filter: {name}", f"Follow {name} claims", partial(screen.apply_filter, only))
            )
        for fmt in EXPORT_FORMATS:
            found.append(
                (
                    f"Export labels as {fmt.upper()}",
                    "Into exports/, as `annotate export` does",
                    partial(app.export_labels, fmt),
                )
            )
        for article in self.articles:
            title = literal(article.title or article.path)
            found.append(
                (
                    f"Jump to article: {title}",
                    f"{literal(article.path)} · {article.labelled:,}/{article.claims:,} labelled",
                    partial(screen.jump_to_article, article),
                )
            )
        return found

    async def discover(self) -> Hits:
        for name, help, run in self.commands():
            if not name.startswith("Jump to article"):  # many of them: found by searching
                yield DiscoveryHit(name, run, help=help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help, run in self.commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), run, help=help)
