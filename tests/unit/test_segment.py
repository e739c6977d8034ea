"""Sentence segmentation: golden rules, news sentences, offsets and invariants."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from nltk.tokenize.punkt import PunktSentenceTokenizer

from annotate.model import HEADING, SENTENCE, TITLE, Block
from annotate.text import segment as segment_module
from annotate.text.segment import SEGMENTER_VERSION, punkt_tokenizer, segment, split_sentences


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


# The English golden rules (pySBD's set, as in shared/benchmarks/golden_rules_en.json),
# copied here so the tests run from any checkout.
GOLDEN = [
    ("Hello World. My name is Jonas.", ["Hello World.", "My name is Jonas."]),
    ("What is your name? My name is Jonas.", ["What is your name?", "My name is Jonas."]),
    ("There it is! I found it.", ["There it is!", "I found it."]),
    ("My name is Jonas E. Smith.", ["My name is Jonas E. Smith."]),
    ("Please turn to p. 55.", ["Please turn to p. 55."]),
    ("Were Jane and co. at the party?", ["Were Jane and co. at the party?"]),
    (
        "They closed the deal with Pitt, Briggs & Co. at noon.",
        ["They closed the deal with Pitt, Briggs & Co. at noon."],
    ),
    ("Let's ask Jane and co. They should know.", ["Let's ask Jane and co.", "They should know."]),
    (
        "They closed the deal with Pitt, Briggs & Co. It closed yesterday.",
        ["They closed the deal with Pitt, Briggs & Co.", "It closed yesterday."],
    ),
    ("I can see Mt. Fuji from here.", ["I can see Mt. Fuji from here."]),
    (
        "St. Michael's Church is on 5th st. near the light.",
        ["St. Michael's Church is on 5th st. near the light."],
    ),
    ("That is JFK Jr.'s book.", ["That is JFK Jr.'s book."]),
    ("I visited the U.S.A. last year.", ["I visited the U.S.A. last year."]),
    ("I live in the E.U. How about you?", ["I live in the E.U.", "How about you?"]),
    ("I live in the U.S. How about you?", ["I live in the U.S.", "How about you?"]),
    (
        "I work for the U.S. Government in Virginia.",
        ["I work for the U.S. Government in Virginia."],
    ),
    ("I have lived in the U.S. for 20 years.", ["I have lived in the U.S. for 20 years."]),
    (
        "At 5 a.m. Mr. Smith went to the bank. He left the bank at 6 P.M. Mr. Smith then went "
        "to the store.",
        [
            "At 5 a.m. Mr. Smith went to the bank.",
            "He left the bank at 6 P.M.",
            "Mr. Smith then went to the store.",
        ],
    ),
    ("She has $100.00 in her bag.", ["She has $100.00 in her bag."]),
    ("She has $100.00. It is in her bag.", ["She has $100.00.", "It is in her bag."]),
    (
        "He teaches science (He previously worked for 5 years as an engineer.) at the local "
        "University.",
        [
            "He teaches science (He previously worked for 5 years as an engineer.) at the local "
            "University."
        ],
    ),
    (
        "Her email is Jane.Doe@example.com. I sent her an email.",
        ["Her email is Jane.Doe@example.com.", "I sent her an email."],
    ),
    (
        "The site is: https://www.example.50.com/new-site/awesome_content.html. Please check it "
        "out.",
        [
            "The site is: https://www.example.50.com/new-site/awesome_content.html.",
            "Please check it out.",
        ],
    ),
    (
        "She turned to him, 'This is great.' she said.",
        ["She turned to him, 'This is great.' she said."],
    ),
    (
        'She turned to him, "This is great." she said.',
        ['She turned to him, "This is great." she said.'],
    ),
    (
        'She turned to him, "This is great." She held the book out to show him.',
        ['She turned to him, "This is great."', "She held the book out to show him."],
    ),
    ("Hello!! Long time no see.", ["Hello!!", "Long time no see."]),
    ("Hello?? Who is there?", ["Hello??", "Who is there?"]),
    ("Hello!? Is that you?", ["Hello!?", "Is that you?"]),
    ("Hello?! Is that you?", ["Hello?!", "Is that you?"]),
    ("1.) The first item 2.) The second item", ["1.) The first item", "2.) The second item"]),
    (
        "1.) The first item. 2.) The second item.",
        ["1.) The first item.", "2.) The second item."],
    ),
    ("1) The first item 2) The second item", ["1) The first item", "2) The second item"]),
    ("1) The first item. 2) The second item.", ["1) The first item.", "2) The second item."]),
    ("1. The first item 2. The second item", ["1. The first item", "2. The second item"]),
    ("1. The first item. 2. The second item.", ["1. The first item.", "2. The second item."]),
    (
        "• 9. The first item • 10. The second item",
        ["• 9. The first item", "• 10. The second item"],
    ),
    ("⁃9. The first item ⁃10. The second item", ["⁃9. The first item", "⁃10. The second item"]),
    (
        "a. The first item b. The second item c. The third list item",
        ["a. The first item", "b. The second item", "c. The third list item"],
    ),
    (
        "You can find it at N°. 1026.253.553. That is where the treasure is.",
        ["You can find it at N°. 1026.253.553.", "That is where the treasure is."],
    ),
    (
        "She works at Yahoo! in the accounting department.",
        ["She works at Yahoo! in the accounting department."],
    ),
    (
        "We make a good team, you and I. Did you see Albert I. Jones yesterday?",
        ["We make a good team, you and I.", "Did you see Albert I. Jones yesterday?"],
    ),
    (
        "Thoreau argues that by simplifying one’s life, “the laws of the universe will appear "
        "less complex. . . .”",
        [
            "Thoreau argues that by simplifying one’s life, “the laws of the universe will appear "
            "less complex. . . .”"
        ],
    ),
    (
        '"Bohr [...] used the analogy of parallel stairways [...]" (Smith 55).',
        ['"Bohr [...] used the analogy of parallel stairways [...]" (Smith 55).'],
    ),
    (
        "If words are left off at the end of a sentence, and that is all that is omitted, "
        "indicate the omission with ellipsis marks (preceded and followed by a space) and then "
        "indicate the end of the sentence with a period . . . . Next sentence.",
        [
            "If words are left off at the end of a sentence, and that is all that is omitted, "
            "indicate the omission with ellipsis marks (preceded and followed by a space) and "
            "then indicate the end of the sentence with a period . . . .",
            "Next sentence.",
        ],
    ),
    (
        "I never meant that.... She left the store.",
        ["I never meant that....", "She left the store."],
    ),
    (
        "I wasn’t really ... well, what I mean...see . . . what I'm saying, the thing is . . . "
        "I didn’t mean it.",
        [
            "I wasn’t really ... well, what I mean...see . . . what I'm saying, the thing is "
            ". . . I didn’t mean it."
        ],
    ),
    (
        "One further habit which was somewhat weakened . . . was that of combining words into "
        "self-interpreting compounds. . . . The practice was not abandoned. . . .",
        [
            "One further habit which was somewhat weakened . . . was that of combining words "
            "into self-interpreting compounds.",
            ". . . The practice was not abandoned. . . .",
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), GOLDEN, ids=[f"golden{i}" for i in range(48)])
def test_golden_rules(text, expected):
    assert [s.strip() for s in sentences(text)] == expected


NEWS = [
    # Abbreviations inside a sentence, and at its end before a sentence starter.
    (
        "Officials met at the U.S. space agency's Kennedy Space Center. The talks were rare.",
        [
            "Officials met at the U.S. space agency's Kennedy Space Center.",
            "The talks were rare.",
        ],
    ),
    (
        "Bakanov was seen mingling with U.S. officials. He did not comment.",
        ["Bakanov was seen mingling with U.S. officials.", "He did not comment."],
    ),
    ("He moved to the U.S. In 2010 he left.", ["He moved to the U.S.", "In 2010 he left."]),
    (
        "Dr. Smith and Mr. Jones met Gov. Newsom. Prof. Lee joined later.",
        ["Dr. Smith and Mr. Jones met Gov. Newsom.", "Prof. Lee joined later."],
    ),
    (
        "Mr Duffy met Mr Bakanov in Florida. Mr Duffy is the acting administrator.",
        ["Mr Duffy met Mr Bakanov in Florida.", "Mr Duffy is the acting administrator."],
    ),
    (
        "Amity on the US$100 billion (S$130 billion) ISS is buoyed by interdependency. "
        "Other countries depend on it.",
        [
            "Amity on the US$100 billion (S$130 billion) ISS is buoyed by interdependency.",
            "Other countries depend on it.",
        ],
    ),
    (
        "The launch moved to Aug. 1, SpaceX said. Bad weather pushed it to Aug 1 morning.",
        ["The launch moved to Aug. 1, SpaceX said.", "Bad weather pushed it to Aug 1 morning."],
    ),
    (
        "The polls close at 8 p.m. Results are expected at 10 p.m. ET on Tuesday.",
        ["The polls close at 8 p.m.", "Results are expected at 10 p.m. ET on Tuesday."],
    ),
    ("They met at 9 a.m. Friday in Houston.", ["They met at 9 a.m. Friday in Houston."]),
    (
        "Shares of Apple Inc. rose 2% to $190.50. Acme Corp. in Boston fell.",
        ["Shares of Apple Inc. rose 2% to $190.50.", "Acme Corp. in Boston fell."],
    ),
    (
        "The company is based in Washington, D.C. It employs 500 people.",
        ["The company is based in Washington, D.C.", "It employs 500 people."],
    ),
    ("He arrived at 10:30. The meeting began.", ["He arrived at 10:30.", "The meeting began."]),
    ("It was ranked No. 1 in the U.K. last year.", ["It was ranked No. 1 in the U.K. last year."]),
    # Quotes: curly and straight, attribution after the quote, several quoted sentences.
    (
        "“We will not stop,” he said. “This is only the beginning.”",
        ["“We will not stop,” he said.", "“This is only the beginning.”"],
    ),
    (
        "“Is this the end?” she asked. “No,” he replied.",
        ["“Is this the end?” she asked.", "“No,” he replied."],
    ),
    (
        "“The talks went well.” Roscosmos said nothing more.",
        ["“The talks went well.”", "Roscosmos said nothing more."],
    ),
    (
        "He lives in the U.S. “We are ready,” he said.",
        ["He lives in the U.S.", "“We are ready,” he said."],
    ),
    (
        "The Russian space agency said: “The parties discussed further work on the ISS. They "
        "also discussed the moon.” Nasa did not comment.",
        [
            "The Russian space agency said: “The parties discussed further work on the ISS.",
            "They also discussed the moon.”",
            "Nasa did not comment.",
        ],
    ),
    (
        "The two space powers’ storied relationship is strained. Russia’s plans changed.",
        ["The two space powers’ storied relationship is strained.", "Russia’s plans changed."],
    ),
    # A colon never ends a sentence, even before a list.
    (
        "Key points: 1. Growth slowed. 2. Prices rose.",
        ["Key points: 1. Growth slowed.", "2. Prices rose."],
    ),
    ("He said: No. Then he left.", ["He said: No.", "Then he left."]),
    # Things that look like ends but are not.
    (
        "Visit https://www.example.com/a.b?c=1. Then sign up at press@example.org. Thanks.",
        ["Visit https://www.example.com/a.b?c=1.", "Then sign up at press@example.org.", "Thanks."],
    ),
    (
        "The iPhone maker said so. iPhone sales rose.",
        ["The iPhone maker said so.", "iPhone sales rose."],
    ),
    ("He waited… Then he left.", ["He waited…", "Then he left."]),
    # Rules around abbreviations and times.
    ("At 5 p.m. The rally began.", ["At 5 p.m. The rally began."]),
    ("It starts at 7 p.m. MT. Fans are ready.", ["It starts at 7 p.m. MT.", "Fans are ready."]),
    ("We meet at 3 p.m. Moscow time.", ["We meet at 3 p.m. Moscow time."]),
    ("Some cities, e.g. The Hague, agreed.", ["Some cities, e.g. The Hague, agreed."]),
    ("Officials at the I.M.F. said no.", ["Officials at the I.M.F. said no."]),
    # Scraping lost the space after a period.
    (
        "The rate was 2.5 per cent, the ECB said.The euro rose 5%.Analysts were surprised.",
        [
            "The rate was 2.5 per cent, the ECB said.",
            "The euro rose 5%.",
            "Analysts were surprised.",
        ],
    ),
    ("He lives in St.Louis, says Mr.Smith.", ["He lives in St.Louis, says Mr.Smith."]),
    (
        "Mail john.Smith@x.com or see U.S.Army rules.",
        ["Mail john.Smith@x.com or see U.S.Army rules."],
    ),
    # Parentheses, lists and bullets.
    (
        "The firm (it was founded in 1990. It grew fast.) is big. It is rich.",
        ["The firm (it was founded in 1990. It grew fast.) is big.", "It is rich."],
    ),
    (
        "The plan has steps:\n1. Build the rocket.\n2. Launch it.",
        ["The plan has steps:\n1. Build the rocket.", "2. Launch it."],
    ),
    (
        "Highlights • Talks resumed • Prices fell",
        ["Highlights", "• Talks resumed", "• Prices fell"],
    ),
    ("Key facts: • Talks resumed • Prices fell", ["Key facts: • Talks resumed", "• Prices fell"]),
]


@pytest.mark.parametrize(("text", "expected"), NEWS)
def test_news_sentences(text, expected):
    assert sentences(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "\n\n\t ",
        ".",
        "...",
        "!!!",
        "?!",
        "“”",
        "()",
        "—",
        "🚀",
        "🚀🎉. 😀!",
        "。",
        "•",
        "1.",
    ],
)
def test_odd_input_never_crashes(text):
    for s, e in split_sentences(text):
        assert text[s:e].strip() == text[s:e] != ""


@pytest.mark.parametrize(
    "text",
    [
        "(" + "a. " * 20000,
        "! " * 20000,
        "1. x\n" * 20000,
        "@" + "a" * 60000,
        '. "' * 20000,
        "• " * 20000,
        "U.S. (He said: 1. a.) b. “c” ... " * 2000,
    ],
    ids=["vetoes", "wordless", "lists", "email", "quotes", "bullets", "mixed"],
)
def test_long_repetitive_input_is_handled(text):
    """Inputs that once took quadratic time (minutes): they must come back in moments."""
    spans = split_sentences(text)
    assert all(s < e for s, e in spans)


def test_non_latin_text_keeps_offsets():
    text = "Это тест. Ещё один! 这是一个测试。 Ελληνικά. Done."
    spans = split_sentences(text)
    assert [text[s:e] for s, e in spans][-1] == "Done."
    assert "".join(text[s:e] for s, e in spans).replace(" ", "") == text.replace(" ", "")


def test_runs_without_nltk_data(monkeypatch):
    """Everything Punkt needs ships in the package: no nltk_data, no download."""
    import nltk

    monkeypatch.setattr(nltk.data, "path", [])
    monkeypatch.setattr(nltk, "download", lambda *a, **k: pytest.fail("nltk.download called"))
    segment_module._model.cache_clear()
    try:
        assert sentences("Mr. Smith left. He came back.") == ["Mr. Smith left.", "He came back."]
    finally:
        segment_module._model.cache_clear()


def test_version_is_a_string():
    assert isinstance(SEGMENTER_VERSION, str) and SEGMENTER_VERSION


# -- segment() ---------------------------------------------------------------------------


def test_segment_units_and_offsets():
    blocks = [
        Block(TITLE, "U.S., Russian space leaders discuss ISS"),
        Block("paragraph", "NASA met Roscosmos. The talks were rare."),
        Block(HEADING, "  Dialogue is rekindled  "),
        Block("paragraph", "The Russian space agency said: “The parties discussed the ISS.”"),
    ]
    cleaned, units = segment(blocks)
    assert cleaned == "\n\n".join(b.text for b in blocks)
    assert [(u.kind, u.paragraph, u.seq, u.text) for u in units] == [
        (TITLE, 0, 0, "U.S., Russian space leaders discuss ISS"),
        (SENTENCE, 1, 1, "NASA met Roscosmos."),
        (SENTENCE, 1, 2, "The talks were rare."),
        (HEADING, 2, 3, "Dialogue is rekindled"),
        (SENTENCE, 3, 4, "The Russian space agency said: “The parties discussed the ISS.”"),
    ]
    for u in units:
        assert cleaned[u.start : u.end] == u.text


def test_segment_empty_article_and_blank_blocks():
    assert segment([]) == ("", [])
    cleaned, units = segment([Block(TITLE, " "), Block("paragraph", ""), Block("paragraph", "Hi.")])
    assert cleaned == " \n\n\n\nHi."
    assert [(u.paragraph, u.seq, u.text) for u in units] == [(2, 0, "Hi.")]


def test_title_with_periods_is_one_unit():
    _, units = segment([Block(TITLE, "Mr. Duffy meets Roscosmos. Talks go well.")])
    assert [u.text for u in units] == ["Mr. Duffy meets Roscosmos. Talks go well."]


# -- properties --------------------------------------------------------------------------

PIECES = [
    "The", "he", "U.S.", "Mr.", "p.m.", "a.m.", "Inc.", "I.", "1.", "2.", "a.", "b)", "No.",
    "$100.00", "...", ". . .", "…", "[...]", "!!", "?!", ".", "?", "!", ":", ",", "(", ")",
    '"', "'", "“", "”", "‘", "’", "«", "»", "•", "⁃", "http://x.io/a.b", "me@x.org", "😀",
    "测试。", "Ещё", " ", " ", " ", "\n", "\n\n", "\t", "\u00a0", "\u2028", "\r\n",
]  # fmt: skip
news_like = st.lists(st.sampled_from(PIECES), max_size=40).map("".join)
any_text = st.one_of(news_like, st.text(max_size=60))


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_spans_are_ordered_stripped_and_in_bounds(text):
    prev = 0
    for s, e in split_sentences(text):
        assert prev <= s < e <= len(text)
        piece = text[s:e]
        assert piece == piece.strip() and piece
        prev = e


@settings(max_examples=200, deadline=None)
@given(any_text)
def test_fast_punkt_agrees_with_plain_punkt(text):
    """Punkt's patterns run on ``re`` for speed; the sentences must not change.

    Checked on text as reading delivers it: ``re`` and nltk's ``regex`` disagree on
    whether control characters such as U+001F are whitespace, and reading removes those.
    """
    from annotate.text.reading import repair

    text = repair(text)
    fast = punkt_tokenizer()
    plain = PunktSentenceTokenizer(fast._params)
    assert list(fast.span_tokenize(text)) == list(plain.span_tokenize(text))


def test_plain_punkt_is_the_fallback(monkeypatch):
    """With nltk internals laid out differently, the segmenter still works (slower)."""
    monkeypatch.setattr(segment_module, "_TOKEN_PATTERNS", ("_RE_NO_SUCH_PATTERN",))
    segment_module._model.cache_clear()
    try:
        assert type(punkt_tokenizer()._lang_vars).__name__ == "PunktLanguageVars"
        for text, expected in GOLDEN[:20]:
            assert [s.strip() for s in sentences(text)] == expected
    finally:
        segment_module._model.cache_clear()


blocks_strategy = st.lists(
    st.builds(Block, st.sampled_from([TITLE, HEADING, "paragraph"]), any_text), max_size=6
)


@settings(max_examples=150, deadline=None)
@given(blocks_strategy)
def test_segment_offsets_match_cleaned_text(blocks):
    cleaned, units = segment(blocks)
    assert cleaned == "\n\n".join(b.text for b in blocks)
    assert [u.seq for u in units] == list(range(len(units)))
    prev_end = 0
    for u in units:
        assert cleaned[u.start : u.end] == u.text
        assert 0 <= u.paragraph < len(blocks)
        assert u.start >= prev_end
        prev_end = u.end
        block = blocks[u.paragraph]
        assert u.kind == (block.kind if block.kind in (TITLE, HEADING) else SENTENCE)


WORDS = [
    "The", "he", "said", "Mr.", "Dr.", "U.S.", "J.", "R.", "p.m.", "a.m.", "e.g.", "No.",
    "Inc.", "St.", "3.5", "$100.00", "10:30", "1.", "a)", "(it", "grew)", "www.x.com",
    "http://x.io/a.b", "me@x.org", "...", "…", ". . .", "[...]", "Yahoo!", "why?", "Ещё",
    "测试。", "iPhone", "said.The", "•", "—", "-", "😀", "_", "'", '"', "“", "”", "‘", "’",
    "«", "»", ":", ";", ",", ".", "?", "!", "?!", "!!", ".”", '."', ".)", "?’",
]  # fmt: skip
SEPARATORS = [" ", " ", " ", "", "  ", "\n", "\u00a0", "\t"]
spaced_words = st.lists(
    st.tuples(st.sampled_from(WORDS), st.sampled_from(SEPARATORS)).map("".join), max_size=30
).map("".join)
# Endings that keep a one-sentence paragraph one sentence, after words without marks.
ENDINGS = ["", ".", "?", "!", "...", '."', ".”", "!’", "?)", ". ”", ".  ", '" .', "!!", ")."]
one_sentence = st.tuples(
    st.lists(st.sampled_from([w for w in WORDS if not set(w) & set(".?!")]), max_size=20).map(
        " ".join
    ),
    st.sampled_from(ENDINGS),
).map("".join)


@settings(max_examples=1500, deadline=None)
@given(st.one_of(spaced_words, one_sentence, news_like, st.text(max_size=60)))
def test_skipping_punkt_never_changes_sentences(text):
    """Punkt is not run where no sentence mark has a word character after it; the
    sentences are the ones running it everywhere gives."""
    from unittest import mock

    with mock.patch.object(segment_module, "_may_break", return_value=True):
        full = split_sentences(text)
    assert split_sentences(text) == full


def test_one_sentence_paragraphs_skip_punkt():
    from unittest import mock

    tokenizer = punkt_tokenizer()
    texts = ['He said, "We will win."', "Why now?", "No marks at all", "It rose 3.5%."]
    with mock.patch.object(tokenizer, "span_tokenize", wraps=tokenizer.span_tokenize) as punkt:
        assert [len(split_sentences(t)) for t in texts] == [1, 1, 1, 1]
        assert len(split_sentences("It rose. Then it fell.")) == 2
    assert [c.args[0] for c in punkt.call_args_list] == ["It rose 3.5%.", "It rose. Then it fell."]
