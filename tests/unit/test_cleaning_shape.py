"""Cleaning: where the title is and how lines join, on pages copied from a browser with
many menu lines (small pages written for these tests)."""

from __future__ import annotations

from annotate.text.cleaning import clean

MENU = [
    "Home",
    "News",
    "Write to the newsroom about a story",
    "Sport",
    "Write to the newsroom about a story",
    "Weather",
]
BODY = [
    "The harbour board approved a budget of 40 million euros for new quays on Tuesday, "
    "its chair said after a vote of seven to two.",
    "Work on the first quay is due to start next spring and to last two years, according "
    "to the board's papers.",
]


def test_the_headline_a_breadcrumb_ends_with_is_the_title():
    text = "\n".join(
        [
            *MENU,
            "Latest weekly letters from the islands",  # a headline-like line in the menu
            "Home News Harbour board backs quay plan",  # breadcrumb trail, then the title
            "Harbour board backs quay plan",
            "By Ana Lopez",
            "",
            *BODY,
        ]
    )
    article = clean(text)
    assert article.title == "Harbour board backs quay plan"
    assert [b.text for b in article.blocks if b.kind == "paragraph"] == BODY


def test_menu_lines_of_prose_length_are_not_joined_as_wrapped_prose():
    # Lines of one paragraph each, some long, amid short menu lines: nothing is
    # hard-wrapped, so two teaser headlines in a row stay two lines.
    long_teasers = [
        "Ferry operators plan new routes to the northern islands from the harbour next spring",
        "Islanders say the new timetable leaves the smallest harbours without any winter ferry",
    ]
    text = "\n".join(
        [
            "Harbour board backs quay plan",
            "",
            *(b + " " + b for b in BODY),  # one paragraph per line, longer than any wrap
            "",
            "More from the islands",
            *long_teasers,
            *MENU * 3,
        ]
    )
    article = clean(text)
    kept = [b.text for b in article.blocks]
    assert not any(long_teasers[0] in k and long_teasers[1] in k for k in kept)
