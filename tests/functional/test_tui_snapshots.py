"""Layout snapshots of the labelling app (pytest-textual-snapshot); behaviour is in test_tui.

Regenerate after an intended layout change with ``pytest tests/test_tui_snapshots.py
--snapshot-update`` and look at the SVGs in tests/__snapshots__/.
"""

from __future__ import annotations

import pytest
from helpers.tui import ARTICLES, WHO, save

from annotate.store import Store
from annotate.tui.app import make_app


@pytest.fixture
def app(db_path):
    with Store.open(db_path) as store:
        for path, (title, blocks) in ARTICLES.items():
            save(store, path, title, blocks)
    return make_app(db_path=db_path, annotator=WHO)


async def _settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 36), (40, 12), (60, 15)])
def test_main_screen(app, snap_compare, size):
    """A labelled claim behind the current one: progress, label, flag and note all show."""

    async def run_before(pilot) -> None:
        await pilot.press("1", "f", "e", *"quote?", "enter")
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)


def test_article_list(app, snap_compare):
    async def run_before(pilot) -> None:
        await pilot.press("1", "2", "a")
        await _settle(pilot)

    assert snap_compare(app, terminal_size=(80, 24), run_before=run_before)


def test_guidelines_screen(app, snap_compare):
    assert snap_compare(app, terminal_size=(80, 24), press=["question_mark"])
