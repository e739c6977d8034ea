"""Which line of browser-copied text is the article's title (small pages written here)."""

from __future__ import annotations

from annotate.model import TITLE
from annotate.text.cleaning import clean

MENU = ["Home", "News", "Sport", "Weather"]
TEASERS = ["Stocks slide as oil prices jump again", "Football club names new head coach"]
TITLE_LINE = "Council votes to close three library branches"
STORY = [
    "The city council voted on Tuesday to close three library branches, saying budget "
    "cuts left it no choice.",
    "Opponents said the decision would hurt children most, and promised to appeal.",
]


def page(*lines: str) -> str:
    return "\n".join(lines)


def body(article) -> list[str]:
    return [b.text for b in article.blocks if b.kind != TITLE]


def test_the_title_is_the_headline_right_above_the_byline_not_the_teasers_above_it():
    article = clean(page(*MENU, *TEASERS, TITLE_LINE, "By Jane Roe", "March 3, 2025", *STORY))
    assert article.title == TITLE_LINE
    assert body(article) == STORY
    assert {d.text for d in article.dropped} >= set(TEASERS)
    assert TITLE_LINE not in {d.text for d in article.dropped}


def test_a_title_named_again_on_the_page_beats_a_nearer_headline():
    standfirst = "Library users say they were never asked"
    article = clean(
        page(
            *MENU,
            *TEASERS,
            TITLE_LINE,
            standfirst,
            "By Jane Roe",
            *STORY,
            f"Share this story: {TITLE_LINE}",
        )
    )
    assert article.title == TITLE_LINE


def test_a_byline_without_by_is_not_the_title():
    article = clean(page(*MENU, TITLE_LINE, "Jane Roe Education editor", *STORY))
    assert article.title == TITLE_LINE


def test_the_first_headline_stays_the_title_when_nothing_speaks_for_another():
    article = clean(page(*MENU, TITLE_LINE, *STORY, "Related", *TEASERS))
    assert article.title == TITLE_LINE
    assert body(article) == STORY


def test_a_title_swallowed_by_the_related_list_above_it_is_taken_back():
    article = clean(page(*MENU, "Related stories:", *TEASERS, TITLE_LINE, "By Jane Roe", *STORY))
    assert article.title == TITLE_LINE
    assert body(article) == STORY
    assert TITLE_LINE not in {d.text for d in article.dropped}
