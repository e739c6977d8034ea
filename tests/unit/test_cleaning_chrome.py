"""Cleaning of real-page chrome: the phrase rules (their examples are their tests), the
article's extent (teaser summaries and sidebars around it), comment threads.

Every page here is invented; none is copied from a real site.
"""

from __future__ import annotations

import itertools

import pytest

from annotate.model import HEADING
from annotate.text import cleaning
from annotate.text.cleaning import (
    BIO,
    BYLINE,
    COMMENT,
    LEGAL,
    OUTSIDE,
    PHRASE_RULES,
    REASONS,
    TEASER,
    clean,
)

BODY = [
    "The city council voted on Tuesday to close three library branches next spring.",
    "Opponents said the decision would hurt children and older readers the most.",
    "The mayor said the savings would pay for longer opening hours at the central library.",
    "A petition against the plan has gathered more than four thousand signatures so far.",
]


def page(*chunks: str) -> str:
    return "\n\n".join(chunks)


def kept(text: str) -> str:
    return "\n".join(b.text for b in clean(text).blocks)


def reason_of(text: str, line: str) -> str | None:
    return next((d.reason for d in clean(text).dropped if line in d.text), None)


RULE_EXAMPLES = [(r.family, e) for r in PHRASE_RULES for e in r.examples]
RULE_COUNTER_EXAMPLES = [(r.family, e) for r in PHRASE_RULES for e in r.counter_examples]


def test_every_phrase_rule_has_examples_and_a_known_reason():
    for rule in PHRASE_RULES:
        assert rule.examples and rule.counter_examples, rule.family
        assert rule.reason in REASONS


@pytest.mark.parametrize(("family", "example"), RULE_EXAMPLES)
def test_phrase_rule_drops_its_examples(family, example):
    text = page("Council closes libraries", *BODY[:2], example, *BODY[2:])
    assert example not in kept(text), family
    assert reason_of(text, example) is not None


@pytest.mark.parametrize(("family", "sentence"), RULE_COUNTER_EXAMPLES)
def test_phrase_rule_keeps_article_sentences(family, sentence):
    text = page("Council closes libraries", *BODY[:2], sentence, *BODY[2:])
    assert sentence in kept(text), family


def test_the_phrase_prefilter_passes_every_line_a_rule_finds():
    # The keywords go on through an optional group and past it; one rule's line that
    # the prefilter turned away would never reach the rule.
    assert cleaning._starts(r"for (?:the )?latest (?:stories|news)\b") == [
        *("for the latest stories", "for the latest news", "for latest stories"),
        "for latest news",
    ]
    for rule in PHRASE_RULES:
        for example in rule.examples:
            line = " ".join(example.split())
            words = line.count(" ") + 1
            if rule.finds(line) and words <= rule.max_words:
                assert cleaning._phrase_reason(line, words) is not None, (rule.family, line)


def test_author_bio_and_contact_lines_after_the_body():
    text = page(
        "Council closes libraries",
        *BODY,
        "Jane Roe is a reporter for the Daily Gazette.",
        "Follow her on Twitter @janeroe.",
    )
    assert reason_of(text, "Jane Roe is a reporter") == BIO
    assert "Twitter" not in kept(text)


LONG_BIO = (
    "Jane Roe is a senior writer for the Daily Gazette, covering city hall and the harbour."
    " She previously reported from the capital for ten years, where she followed three"
    " elections, and before that she studied history and economics at the university in Lund."
)
MORE_BODY = [
    "Library staff will be offered jobs at the remaining branches, the council said.",
    "The branches were built in the nineteen-sixties and need new roofs and heating.",
    "A final vote on the closures is planned for the council meeting in March.",
    "Parents at the Elm Street branch said they would keep protesting until then.",
]


def test_an_author_bio_of_several_sentences_set_off_from_the_story_is_dropped():
    text = page("Council closes libraries", *BODY, *MORE_BODY, "Share this story", LONG_BIO)
    assert reason_of(text, "Jane Roe is a senior writer") == BIO
    assert "Lund" not in kept(text)


def test_a_paragraph_that_opens_like_a_bio_inside_the_story_stays():
    # It follows the story's previous paragraph: the story is about a reporter.
    text = page("Reporter freed", *BODY, *MORE_BODY[:2], LONG_BIO, *MORE_BODY[2:])
    assert LONG_BIO in kept(text)


def test_a_copyright_notice_that_runs_on_into_the_terms_of_use_is_dropped():
    footer = (
        "© 2025 Example Media. All rights reserved. Use of this site constitutes acceptance of"
        " our User Agreement and Privacy Policy and Cookie Statement and Your Privacy Rights."
        " The material on this site may not be reproduced, distributed, transmitted, cached or"
        " otherwise used, except with the prior written permission of Example Media. Ad Choices"
        " and the sale of your personal information can be managed in your account settings."
    )
    assert len(footer) > 300  # past the length line rules look at
    text = page("Council closes libraries", *BODY, footer)
    assert reason_of(text, "© 2025 Example Media") == LEGAL
    assert kept(text).splitlines()[1:] == BODY


def test_comment_thread_is_dropped_whole():
    thread = [
        "3 thoughts on “Council closes libraries”",
        "Pat Doe says:",
        "May 2, 2025 at 9:35 am",
        "This is a disgrace and the council should be ashamed of itself for doing it.",
        "Reply",
        "Sam Lee says:",
        "May 2, 2025 at 1:49 pm",
        "I have used the branch for twenty years, and I will miss it a great deal.",
        "Reply",
    ]
    text = page("Council closes libraries", *BODY, *thread)
    out = kept(text)
    assert all(sentence in out for sentence in BODY)
    assert "disgrace" not in out and "twenty years" not in out
    assert reason_of(text, "disgrace") == COMMENT


def test_summaries_of_other_stories_after_the_article_are_dropped():
    teasers = []
    for n in range(4):
        teasers += [
            f"Flood warning issued for river valley number {n}",
            "2H ago",
            f"Residents of valley {n} were told to move their cars to higher ground tonight.",
        ]
    text = page("Council closes libraries", *BODY, "More from Local News", *teasers)
    out = kept(text)
    assert all(sentence in out for sentence in BODY)
    assert "higher ground" not in out
    assert reason_of(text, "higher ground") == OUTSIDE


def test_a_single_paragraph_under_a_subheading_stays():
    text = page("Council closes libraries", *BODY[:3], "What happens next", BODY[3])
    article = clean(text)
    assert [b.text for b in article.blocks if b.kind == HEADING] == ["What happens next"]
    assert BODY[3] in kept(text)


def test_a_standfirst_above_the_byline_belongs_to_the_article():
    standfirst = "Three branches will shut next spring to save money."
    text = page(
        "Council closes libraries",
        standfirst,
        "By Jane Roe",
        "May 2, 2025",
        "Share",
        "Facebook",
        *BODY,
    )
    assert standfirst in kept(text)


def test_body_text_after_a_comments_header_is_readers():
    long_body = [
        f"{sentence} It was the {n}th such vote this year." for n, sentence in enumerate(BODY * 2)
    ]
    comments = [
        "Top Rated Comments",
        "I think the council has this completely wrong and will regret it within a year.",
        "My children learned to read in that branch, and I will be at the next meeting.",
    ]
    text = page("Council closes libraries", *long_body, *comments)
    out = kept(text)
    assert all(sentence in out for sentence in long_body)
    assert "completely wrong" not in out and "next meeting" not in out
    assert reason_of(text, "completely wrong") == COMMENT


def test_a_comments_link_above_the_article_is_not_a_comments_header():
    text = page("Council closes libraries", "12 Comments", *BODY)
    assert all(sentence in kept(text) for sentence in BODY)


def test_an_embedded_post_stays_body_text():
    post = "The branch on Elm Street closes for good today. pic.twitter.com/AbC123xyz"
    text = page(
        "Council closes libraries", *BODY[:2], post, "— Pat Doe (@patdoe) May 2, 2025", *BODY[2:]
    )
    assert post in "\n".join(b.text for b in clean(text).blocks if b.kind == "paragraph")


def test_a_post_signature_on_its_own_line_ends_the_post_it_signs():
    post = "The branch on Elm Street closes for good today, and we will miss it"
    signature = "— Pat Doe (@patdoe) May 2, 2025"
    text = page("Council closes libraries", *BODY[:2], post, signature, *BODY[2:])
    blocks = clean(text).blocks
    # One paragraph, the story's: not a subheading of its own.
    assert [b.text for b in blocks if b.kind == "paragraph"] == [
        *BODY[:2],
        f"{post} {signature}",
        *BODY[2:],
    ]
    assert all(b.kind != HEADING for b in blocks)


@pytest.mark.parametrize(
    "line",
    [
        "Pat Doe - Nov 19, 2024, 10:31 pm CST",
        "Published by NEWSDESK at April 21, 2025",
        "Crime Published On May 10, 2025 01:52 PM",
        "22 July 2024 By Example Foundation",
        "Latest update May 6th, 2025 12:49 AM",
        "Harbourtown, Coast Bureau | Updated : 19 November 2024, 09:01 AM",
        "Written: 2024-11-07 15:03:30 / Updated: 2024-11-07 15:30:46",
        "/ Pat Doe / 10:08 am Fri Jul 19, 2024",
        "Example News February 24, 2025, 7:57 AM",
        "POLITICS MAY 16, 2025",
        "11/19/2024 by Pat Doe",
    ],
)
def test_a_byline_or_stamp_glued_to_its_date_is_dropped(line):
    text = page("Council closes libraries", line, *BODY)
    assert reason_of(text, line) == BYLINE
    assert kept(text).splitlines()[1:] == BODY


@pytest.mark.parametrize(
    "line",
    [
        "Polls close on Nov. 3, 2025",
        "Election Results For November 3, 2025",
        "The branch closed on March 3, 2024.",
        "— Pat Doe (@patdoe) May 2, 2025",
    ],
)
def test_a_dated_subheading_or_sentence_is_not_a_byline(line):
    text = page("Council closes libraries", *BODY[:2], line, *BODY[2:])
    assert reason_of(text, line) is None
    assert line in kept(text)


def test_the_quick_date_test_passes_every_line_that_holds_a_date_or_time():
    # It only spares lines the date pattern would find nothing in: never a byline's date.
    # Every line of up to four of these pieces: dates, times, and near misses.
    pieces = ["5", "19", "2024", "5/", "19.", "-19", "-", ":", " ", "th", "of", "pm", "Sept"]
    missed = [
        line
        for n in range(1, 5)
        for line in map("".join, itertools.product(pieces, repeat=n))
        if cleaning._DATE_OR_TIME.search(line) and not cleaning._MAY_HOLD_DATE_OR_TIME.search(line)
    ]
    assert missed == []
    for line in ("Fri, November 19th, 2024", "19 of MAY 2024", "10:31 A.M. GMT+1", "Jan. 5"):
        assert cleaning._MAY_HOLD_DATE_OR_TIME.search(line) is not None


def test_a_run_of_cut_short_headlines_is_a_teaser_list():
    teasers = [
        "Harbour ferry fares to rise again in the new year …",
        "School board weighs a four-day week for rural districts...",
        "Bakery owner turns old bus depot into a night market …",
    ]
    text = page("Council closes libraries", *BODY, "More stories", *teasers)
    assert all(t not in kept(text) for t in teasers)
    assert reason_of(text, "Harbour ferry") == TEASER
    assert all(b in kept(text) for b in BODY)


def test_body_lines_that_trail_off_are_kept():
    # Fewer than three in a row, or prose that ends a sentence before the ellipsis.
    lines = [
        "She paused before answering. “We will see...",
        "The mayor began to read the list of names …",
        "Nobody in the room spoke for a long while.",
        "Then the clerk said: “Well...",
    ]
    text = page("Council closes libraries", *BODY[:2], *lines, *BODY[2:])
    assert all(line in kept(text) for line in lines)
