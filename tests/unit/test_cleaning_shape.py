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


def test_excerpts_of_other_posts_are_related_links_however_long():
    story = [
        "The harbour board approved a budget of 40 million euros for new quays on Tuesday.",
        "Work on the first quay is due to start next spring, the board's chair said.",
    ]
    excerpts = [
        "The ferry museum reopened this week with a new hall of ship models, and the "
        "curators have promised a summer of talks, tours and a festival of sea shanties "
        "that runs on the quay every Saturday until […]",
        "If you have ever wondered how a lighthouse keeper spent the winter, a new book "
        "from the island press answers it with diaries, letters and photographs from [...]",
    ]
    text = "\n\n".join(["Harbour board backs quay plan", *story, *excerpts])
    article = clean(text)
    assert [b.text for b in article.blocks if b.kind == "paragraph"] == story
    assert {d.reason for d in article.dropped if "[" in d.text} == {"related links"}
    # One elided quotation at a paragraph's end is not a list of other posts.
    quoted = story[0][:-1] + " to replace the quays that were “built for a smaller […]"
    article = clean("\n\n".join(["Harbour board backs quay plan", quoted, story[1]]))
    assert quoted in [b.text for b in article.blocks]
