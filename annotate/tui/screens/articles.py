"""Every article with this annotator's progress; enter jumps to its first unlabelled claim."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from annotate.store import ArticleProgress, Store
from annotate.tui.widgets.claim import literal


def done_text(article: ArticleProgress) -> Text:
    """'3/10' labelled of the article's claims, '✓ 10/10' once every one is."""
    count = f"{article.labelled:,}/{article.claims:,}"
    if article.claims and article.labelled >= article.claims:
        return Text(f"✓ {count}", justify="right")
    return Text(count, justify="right")


class ArticlesScreen(Screen[ArticleProgress | None]):
    """Dismisses with the chosen article, or None if cancelled."""

    BINDINGS = [
        Binding("escape,q,a", "close", "Back", id="articles.close"),
        Binding("j", "cursor(1)", "Down", show=False),
        Binding("k", "cursor(-1)", "Up", show=False),
    ]

    def __init__(
        self, db_path: str, annotator: str, current_article: str | None, *, assigned: bool = False
    ) -> None:
        super().__init__()
        self.db_path = db_path
        self.annotator = annotator
        self.assigned = assigned  # with an assignment plan: only the annotator's articles
        self.current_article = current_article
        self.articles: list[ArticleProgress] = []

    def compose(self) -> ComposeResult:
        yield Static("Articles", id="articles-title")
        table: DataTable[Text] = DataTable(id="articles", cursor_type="row", zebra_stripes=True)
        table.loading = True
        yield table
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_column("done", key="done")
        table.add_column("article", key="article")
        self.load()

    @work(thread=True, exclusive=True)
    def load(self) -> None:
        """Count per article in a thread (a full pass over the corpus on a big database)."""
        with Store.open(self.db_path, migrate=False) as store:
            articles = store.article_progress(self.annotator, assigned=self.assigned)
        self.app.call_from_thread(self.fill, articles)

    def fill(self, articles: list[ArticleProgress]) -> None:
        self.articles = articles
        table = self.query_one(DataTable)
        current = 0
        for i, a in enumerate(articles):
            done = a.claims > 0 and a.labelled >= a.claims
            name = Text(literal(a.title or a.path), "bold" if not done else "")
            name.append(f"  {literal(a.path)}", "dim")
            table.add_row(done_text(a), name, key=a.id)
            if a.id == self.current_article:
                current = i
        table.loading = False
        table.move_cursor(row=current)
        finished = sum(1 for a in articles if a.claims and a.labelled >= a.claims)
        which = "Articles assigned to you" if self.assigned else "Articles"
        self.query_one("#articles-title", Static).update(
            f"{which}: {finished} of {len(articles)} done · "
            "enter jumps to the first unlabelled claim"
        )
        table.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.dismiss(self.articles[event.cursor_row])

    def action_cursor(self, rows: int) -> None:
        table = self.query_one(DataTable)
        table.move_cursor(row=table.cursor_row + rows)

    def action_close(self) -> None:
        self.dismiss(None)
