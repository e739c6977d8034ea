"""Editorial detection on sentences of opinion writing that carry no verdict word: the
writer's address to the reader, an argument's connectives, a quote carried over from the
sentence before. Sentences written for these tests."""

from __future__ import annotations

import pytest

from annotate.suggest.cues import EDITORIAL, quote_spans, suggest


def test_a_closing_mark_with_no_opener_ends_a_quote_from_the_sentence_before():
    text = "And no other council has cut so deeply in so many ways.” The report ends there."
    spans, still_open = quote_spans(text)
    assert [s.text for s in spans] == [text[: text.index("”") + 1]]
    assert not still_open
    # the speaker's words are theirs: their emphasis does not make the unit editorial
    assert suggest(text).label != EDITORIAL
    # a closing mark after a word or two is not a carried-over quote
    assert quote_spans("The “green” levy rose.")[0][0].text == "“green”"
    assert len(quote_spans("Fine.” Then the vote.")[0]) == 0


@pytest.mark.parametrize(
    "text",
    [
        "You cannot run a railway on goodwill alone.",  # the reader addressed
        "You would never guess it from the brochure.",
        "Yet the council pressed on with the sale regardless.",  # rebuttal opening
        "Instead, the board chose to hide the losses.",
        "Either way, the scheme has run its course.",
        "As I have written before, the levy is a tax on the young.",  # the columnist's I
        "The timetable looks to me like a draft nobody read.",
        "They whine about every new cycle lane.",  # contempt for how others act
    ],
)
def test_the_writers_address_and_argument_are_editorial(text):
    assert suggest(text).label == EDITORIAL


@pytest.mark.parametrize(
    "text",
    [
        "I grew up two streets from the old mill.",  # the writer's own story is a fact
        "I met the mayor at the opening of the library.",
        "Yet Acme Ltd reported a profit of £4m in 2023.",  # names and figures anchor it
        "Still more flights were cancelled on Tuesday in Leeds and York.",
        "“You can see the damage from here,” the farmer told Reuters.",
    ],
)
def test_narrative_and_anchored_sentences_stay_objective(text):
    assert suggest(text).label != EDITORIAL
