"""What cleaning drops, seen and undone: repetition across a folder at ingest, the record
of dropped blocks, `split --dropped`, and restoring a block (app and store) so that it
survives re-ingest. All articles are invented.
"""

from __future__ import annotations

import asyncio
import json

from click.testing import CliRunner

from annotate.cli import main
from annotate.ingest import Summary, ingest
from annotate.model import article_id
from annotate.store import Store
from annotate.text.cleaning import ACROSS_CORPUS, clean
from annotate.tui.app import make_app
from annotate.tui.screens.dropped import DroppedScreen

WHO = "tester"
# A line every article of the outlet carries, and that no line rule knows: only its
# repetition across the folder says it is the site's, not the story's.
FOOTER = "The Harbour Gazette is owned by the people of the bay and answers to them alone."
CAPTION_SENTENCE = "Boats wait in the harbour on Monday as the strike goes on."
CAPTION = f"{CAPTION_SENTENCE} (AP Photo/Jane Roe)"


def story(n: int, *extra: str) -> str:
    return "\n\n".join(
        [
            f"Harbour strike enters day {n}",
            f"Dock workers stayed out for the {n}th day running on Tuesday, the union said.",
            f"Talks with the port authority are due to resume in {n} days, officials said.",
            *extra,
            f"Ferry services to {n} islands were cancelled until further notice.",
            FOOTER,
        ]
    )


def run(store: Store, root) -> Summary:
    events = list(ingest(store, root, workers=0))
    assert isinstance(events[-1], Summary)
    return events[-1]


def claims(store: Store, path: str) -> list[str]:
    return [u["text"] for u in store.units_of_article(path) if u["kind"] == "sentence"]


def test_a_line_in_several_articles_of_a_folder_is_dropped(store, tmp_path):
    corpus = tmp_path / "c"
    (corpus / "gazette").mkdir(parents=True)
    for n in (1, 2):
        (corpus / "gazette" / f"{n}.txt").write_text(story(n), encoding="utf-8")
    run(store, corpus)
    assert FOOTER in claims(store, "gazette/1.txt")  # two articles are not "several"

    (corpus / "gazette" / "3.txt").write_text(story(3), encoding="utf-8")
    summary = run(store, corpus)
    # The two unchanged files are split again: their shared lines changed.
    assert (summary.added, summary.updated) == (1, 2)
    for n in (1, 2, 3):
        assert FOOTER not in claims(store, f"gazette/{n}.txt")
        assert f"Ferry services to {n} islands were cancelled until further notice." in claims(
            store, f"gazette/{n}.txt"
        )
    reasons = [
        b.reason
        for n in (1, 2, 3)
        for b in store.dropped_blocks(article_id(f"gazette/{n}.txt"))
        if b.text == FOOTER
    ]
    assert reasons == [ACROSS_CORPUS] * 3

    again = run(store, corpus)
    assert again.files_unchanged == 3 and not again.changed


def test_gzip_compressed_articles_count_for_the_repetition_too(store, tmp_path):
    import gzip

    corpus = tmp_path / "c"
    (corpus / "gazette").mkdir(parents=True)
    (corpus / "gazette" / "1.txt").write_text(story(1), encoding="utf-8")
    for n in (2, 3):
        (corpus / "gazette" / f"{n}.txt.gz").write_bytes(gzip.compress(story(n).encode()))
    summary = run(store, corpus)
    assert summary.added == 3 and not summary.skipped
    for path in ("gazette/1.txt", "gazette/2.txt.gz", "gazette/3.txt.gz"):
        assert FOOTER not in claims(store, path)
        assert any(c.startswith("Ferry services") for c in claims(store, path))


def test_repetition_is_per_folder(store, tmp_path):
    corpus = tmp_path / "c"
    for n in (1, 2, 3):
        folder = corpus / f"outlet{n}"
        folder.mkdir(parents=True)
        (folder / "a.txt").write_text(story(n), encoding="utf-8")
    run(store, corpus)
    assert FOOTER in claims(store, "outlet1/a.txt")


def test_the_same_story_filed_three_times_is_kept():
    text = story(1)
    article = clean(text, repeated={line.casefold().strip(".") for line in text.split("\n\n")})
    assert any("Dock workers" in b.text for b in article.blocks)


def test_split_dropped_names_every_drop_and_where_it_was(tmp_path):
    folder = tmp_path / "gazette"
    folder.mkdir()
    for n in (1, 2, 3):
        (folder / f"{n}.txt").write_text(story(n, CAPTION), encoding="utf-8")
    result = CliRunner().invoke(main, ["split", str(folder / "1.txt"), "--dropped", "--json"])
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in result.output.splitlines()]
    by_text = {r["text"]: r for r in rows}
    assert by_text[FOOTER]["reason"] == ACROSS_CORPUS
    assert by_text[CAPTION]["reason"] == "photo caption"
    assert by_text[CAPTION]["after"] == 2  # after the title and two paragraphs
    text = CliRunner().invoke(main, ["split", str(folder / "1.txt"), "--dropped"]).output
    assert f"1.txt:7: photo caption: {CAPTION}" in text


def test_a_restored_block_survives_re_ingest(db_path, tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text(story(1, CAPTION), encoding="utf-8")
    asyncio.run(_restore_in_the_app(db_path, corpus))
    with Store.open(db_path) as store:
        assert CAPTION_SENTENCE in claims(store, "a.txt")
        [(action,)] = store.conn.execute("SELECT action FROM segment_edits").fetchall()
        assert action == "restore-block"
        # The article changes elsewhere: ingest splits it again and keeps the block.
        (corpus / "a.txt").write_text(story(1, CAPTION) + "\n\nThe port reopens.", "utf-8")
        summary = run(store, corpus)
        assert summary.updated == 1
        units = claims(store, "a.txt")
        assert CAPTION_SENTENCE in units and "The port reopens." in units
        talks = "Talks with the port authority are due to resume in 1 days, officials said."
        assert units.index(CAPTION_SENTENCE) == units.index(talks) + 1
        cleaned = store.conn.execute("SELECT cleaned FROM articles").fetchone()[0]
        for u in store.units_of_article("a.txt"):
            assert cleaned[u["start"] : u["end"]] == u["text"]


async def _restore_in_the_app(db_path, corpus) -> None:
    with Store.open(db_path) as store:
        run(store, corpus)
    app = make_app(db_path=db_path, annotator=WHO)
    async with app.run_test() as pilot:
        await app.workers.wait_for_complete()
        await pilot.pause()
        # The claim just before the caption.
        while "Talks with the port" not in app.session.unit.text:
            await pilot.press("right")
            await pilot.pause()
        await pilot.press("D")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, DroppedScreen)
        assert [b.text for b in screen.blocks] == [CAPTION]
        assert screen.blocks[0].reason == "photo caption"
        await pilot.press("r")
        await pilot.pause()
        assert not isinstance(app.screen, DroppedScreen)
        assert app.session.unit.text == CAPTION_SENTENCE
    with Store.open(db_path) as store:
        left = [b.text for b in store.dropped_blocks(article_id("a.txt"))]
    assert CAPTION not in left


def test_the_dropped_list_shrinks_on_a_short_terminal_and_its_key_hint_stays():
    """At 60x15 a long list of dropped blocks leaves the hint on screen; the list still
    scrolls to its last block, and enter restores that one."""
    from textual.app import App

    from annotate.model import Dropped

    blocks = [Dropped(i, f"Menu item {i}", "navigation menu", 0) for i in range(30)]
    chosen: list[Dropped | None] = []

    class Host(App):
        CSS_PATH = "../../annotate/tui/app.tcss"

        def on_mount(self) -> None:
            self.push_screen(DroppedScreen(blocks), chosen.append)

    async def run(size: tuple[int, int]) -> None:
        app = Host()
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            hint = app.screen.query_one(".hint")
            assert 0 <= hint.region.y < size[1]
            assert "esc closes" in str(hint.render())
            await pilot.press("end", "enter")
            await pilot.pause()

    for size in ((60, 15), (80, 24), (120, 36)):
        asyncio.run(run(size))
    assert chosen == [blocks[-1]] * 3
