"""Which line of browser-copied text is the article's title (small pages written here)."""

from __future__ import annotations

import pytest

from annotate.model import TITLE
from annotate.text.cleaning import HEADLINE_CHROME, clean

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


def test_the_headline_that_tells_the_lede_beats_a_nearer_line_that_does_not():
    # Teaser, title, an unrelated headline-shaped line right above the story: nearness
    # and the first line's head start say nothing here; the words the lede repeats do.
    promo = "Weekend weather brings sunshine and showers"
    article = clean(page(*MENU, TEASERS[0], TITLE_LINE, promo, *STORY))
    assert article.title == TITLE_LINE


def test_menu_items_with_a_full_stop_do_not_start_the_story():
    # "U.S." and "U.N." end like sentences; taken for the story's start, they would leave
    # the title below them out of reach, and the first headline-like line taken instead.
    menu = ["U.S.", "Politics", "U.N.", "Markets", "Local", "Sport"]
    article = clean(page(*menu, TEASERS[0], TITLE_LINE, "By Jane Roe", *STORY))
    assert article.title == TITLE_LINE
    assert body(article) == STORY


def test_a_notice_above_the_title_is_not_taken_for_the_story_start():
    # A long notice before any headline reads as the story's first paragraph; it shares
    # no word with the headlines, so the story is looked for further down.
    notice = (
        "Readers on older devices may find that some parts of this website look different "
        "from usual while the upgrade continues."
    )
    article = clean(page("Home", notice, "Sport", TEASERS[1], TITLE_LINE, "By Jane Roe", *STORY))
    assert article.title == TITLE_LINE
    assert body(article) == STORY


def test_a_text_that_opens_with_its_story_takes_no_subheading_for_its_title():
    opening = "The council met on Tuesday night to decide the future of the libraries in town."
    subheading = "Library branches to close"
    article = clean(page(opening, subheading, *STORY))
    assert article.title is None


def test_a_headline_may_ask_when_it_tells_the_lede():
    question = "Will the council close three library branches?"
    article = clean(page(*MENU, question, "By Jane Roe", *STORY))
    assert article.title == question
    assert body(article) == STORY


def test_a_question_that_shares_nothing_with_the_lede_is_no_title():
    question = "Have you ever wondered where summer goes?"
    article = clean(page(*MENU, question, *STORY))
    assert article.title is None


def test_a_photo_caption_with_its_credit_is_no_title():
    caption = "Council members at the library, 2024. (Jane Roe/City Archive)"
    article = clean(page(*MENU, caption, *STORY))
    assert article.title != caption


CHROME = [(rule.family, line) for rule in HEADLINE_CHROME for line in rule.examples]
NOT_CHROME = [(rule.family, line) for rule in HEADLINE_CHROME for line in rule.counter_examples]


def test_every_headline_chrome_family_has_examples_and_counter_examples():
    assert HEADLINE_CHROME
    for rule in HEADLINE_CHROME:
        assert rule.examples and rule.counter_examples, rule.family
        assert all(rule.pattern.search(line) for line in rule.examples), rule.family
        assert not any(rule.pattern.search(line) for line in rule.counter_examples), rule.family


@pytest.mark.parametrize(("family", "line"), CHROME)
def test_a_page_control_is_never_the_title(family, line):
    article = clean(page(*MENU, line, *STORY))
    assert article.title != line, family


@pytest.mark.parametrize(("family", "line"), NOT_CHROME)
def test_a_headline_like_a_page_control_stays_the_title(family, line):
    article = clean(page(*MENU, line, *STORY))
    assert article.title == line, family
