"""HTML pages through the article extractor (trafilatura), and the fallback to our reader.

The pages are small made-up news pages, written for these tests."""

from __future__ import annotations

import json

import pytest

from annotate.ingest import Summary, ingest, split_document
from annotate.model import HEADING, SENTENCE, TITLE, Document
from annotate.text.reading import NO_ARTICLE_FOUND, read_bytes

STORY = [
    "The city council approved a new budget for the harbour on Tuesday, the mayor said.",
    "The plan sets aside 40 million euros for new quays and a ferry terminal over five years.",
    "Critics on the council argued that the money would be better spent on housing, "
    "according to the minutes.",
    "The harbour authority expects the first works to begin next spring, a spokeswoman "
    "told reporters.",
]
MORE = [
    "Shipping companies welcomed the decision and promised to add two routes to the islands.",
    "Residents near the docks worry about noise from construction during the summer months.",
]
HEAD = """<head><title>Harbour budget approved | The Coast Herald</title>
<meta property="og:site_name" content="The Coast Herald">
<meta property="og:title" content="Harbour budget approved">
<meta name="author" content="Maria Jensen">
<meta property="article:published_time" content="2024-03-05T09:30:00Z">
<link rel="canonical" href="https://herald.example/harbour-budget">
</head>"""
NAV = (
    "<header><nav><ul><li><a href='/'>Home</a></li><li><a href='/news'>News</a></li>"
    "<li><a href='/sport'>Sport</a></li></ul></nav></header>"
)
FOOT = (
    "<footer><p>Copyright 2024 The Coast Herald. All rights reserved.</p>"
    "<ul><li><a href='/about'>About us</a></li><li><a href='/contact'>Contact</a></li></ul>"
    "</footer>"
)


def paragraphs(sentences: list[str]) -> str:
    return "".join(f"<p>{s}</p>" for s in sentences)


def page(body: str) -> str:
    return f"<!doctype html><html>{HEAD}<body>{NAV}{body}{FOOT}</body></html>"


def read(html: str) -> Document:
    (doc,) = read_bytes(html.encode("utf-8"), "page.html")
    assert isinstance(doc, Document)
    return doc


def units(doc: Document) -> list[tuple[str, str]]:
    return [(u.kind, u.text) for u in split_document(doc).units]


def sentences(doc: Document) -> list[str]:
    return [text for kind, text in units(doc) if kind == SENTENCE]


ARTICLE = page(
    f"<article><h1>Harbour budget approved</h1>{paragraphs(STORY)}"
    f"<h2>What happens next</h2>{paragraphs(MORE)}</article>"
)


def test_the_extractor_finds_the_story_and_keeps_its_subheadings():
    doc = read(ARTICLE)
    assert doc.fallback is None
    assert units(doc) == [
        (TITLE, "Harbour budget approved"),
        *((SENTENCE, s) for s in STORY),
        (HEADING, "What happens next"),
        *((SENTENCE, s) for s in MORE),
    ]


@pytest.mark.parametrize(
    "heading",
    [
        "Are the new quays big enough for the ferries?",
        "The harbour has waited twenty years for this.",
        "“Nobody will be moved out of the old town,” the mayor promised.",
    ],
)
def test_a_sentence_of_the_story_set_as_a_subheading_is_a_sentence_unit(heading):
    doc = read(
        page(
            f"<article><h1>Harbour budget approved</h1>{paragraphs(STORY)}"
            f"<h2>{heading}</h2>{paragraphs(MORE)}</article>"
        )
    )
    assert units(doc)[1:] == [(SENTENCE, s) for s in [*STORY, heading, *MORE]]


@pytest.mark.parametrize(
    "heading",
    ["What happens next", "Why now?", "Do Voters Choose Mayors?", "Is Harbour Noise a Crime?"],
)
def test_a_subheading_stays_a_heading_unit(heading):
    doc = read(
        page(
            f"<article><h1>Harbour budget approved</h1>{paragraphs(STORY)}"
            f"<h2>{heading}</h2>{paragraphs(MORE)}</article>"
        )
    )
    assert (HEADING, heading) in units(doc)


def test_metadata_comes_from_meta_tags():
    doc = read(ARTICLE)
    assert doc.title == "Harbour budget approved"
    assert doc.author == "Maria Jensen"
    assert doc.date == "2024-03-05"
    assert doc.source == "The Coast Herald"
    assert doc.url == "https://herald.example/harbour-budget"


def test_an_embedded_post_in_the_story_stays_a_sentence_unit():
    tweet = (
        "<blockquote class='twitter-tweet'><p>Proud of our council tonight: the harbour "
        "gets its future back</p>&mdash; Ana Lopez (@analopez) March 5, 2024</blockquote>"
    )
    doc = read(
        page(
            f"<article><h1>Harbour budget approved</h1>{paragraphs(STORY)}{tweet}"
            f"{paragraphs(MORE)}</article>"
        )
    )
    # Once, and signed (trafilatura gives the post's text and its signature as blocks of
    # their own beside the signed post annotate adds).
    post = "Proud of our council tonight: the harbour gets its future back"
    assert sentences(doc) == [*STORY, f"{post} — Ana Lopez (@analopez) March 5, 2024", *MORE]


def embedded(text: str) -> str:
    """A tweet as its embed code gives it, in the widget box a page puts it in."""
    return (
        "<div class='article-widget social-embed'><blockquote class='twitter-tweet'>"
        f"<p>{text}</p>&mdash; Ana Lopez (@analopez) <a href='https://x.example/1'>"
        "March 5, 2024</a></blockquote><script src='https://x.example/widgets.js'></script>"
        "</div>"
    )


def test_an_embedded_post_in_a_widget_box_between_paragraphs_is_kept():
    post = "The harbour gets its future back, and the ferries a home"
    doc = read(
        page(
            f"<article><h1>Harbour budget approved</h1>{paragraphs(STORY)}{embedded(post)}"
            f"{paragraphs(MORE)}</article>"
        )
    )
    # In its place, and signed: who posted it is part of what it says.
    assert sentences(doc) == [*STORY, f"{post} — Ana Lopez (@analopez) March 5, 2024", *MORE]


def test_an_embedded_post_outside_the_story_is_not_taken_in():
    post = "Storm warning for the coast road tonight, drive with care"
    sidebar = f"<aside><p>From our feed</p>{embedded(post)}</aside>"
    doc = read(
        page(
            f"<article><h1>Harbour budget approved</h1>{paragraphs(STORY + MORE)}</article>"
            f"{sidebar}"
        )
    )
    assert post not in " ".join(sentences(doc))


def test_a_pull_quote_in_the_story_stays_a_sentence_unit():
    quote = "<blockquote><p>We waited twenty years for this harbour</p></blockquote>"
    doc = read(
        page(
            f"<article><h1>Harbour budget approved</h1>{paragraphs(STORY)}{quote}"
            f"{paragraphs(MORE)}</article>"
        )
    )
    assert "We waited twenty years for this harbour" in sentences(doc)


def test_table_rows_of_the_story_are_not_dropped_as_a_menu():
    table = (
        "<table><tr><th>Project</th><th>Cost</th></tr>"
        "<tr><td>New quays for cargo ships</td><td>25 million euros</td></tr>"
        "<tr><td>A ferry terminal with a waiting hall</td><td>15 million euros</td></tr></table>"
    )
    doc = read(
        page(
            f"<article><h1>Harbour budget approved</h1>{paragraphs(STORY)}{table}"
            f"{paragraphs(MORE)}</article>"
        )
    )
    found = sentences(doc)
    assert "New quays for cargo ships 25 million euros" in found
    assert "A ferry terminal with a waiting hall 15 million euros" in found


def test_a_page_wrapped_in_a_form_has_its_article():
    doc = read(
        f"<html>{HEAD}<body><form action='/post' method='post'>{NAV}<div class='content'>"
        f"<h1>Harbour budget approved</h1>{paragraphs(STORY + MORE)}</div>{FOOT}</form>"
        "</body></html>"
    )
    assert doc.fallback is None
    assert sentences(doc) == STORY + MORE


def test_the_story_outside_a_teaser_article_is_found():
    teaser = (
        "<article class='teaser'><h3><a href='/storm'>Storm closes the coast road</a></h3>"
        "<p>Drivers face delays.</p></article>"
    )
    doc = read(
        page(
            f"{teaser}<div class='story'><h1>Harbour budget approved</h1>"
            f"{paragraphs(STORY + MORE)}</div>"
        )
    )
    assert sentences(doc)[-len(STORY + MORE) :] == STORY + MORE


STANDFIRST = "The harbour gets its biggest budget in decades, and the ferries a new home."


def described(description: str, body: str) -> str:
    head = HEAD.replace("</head>", f'<meta name="description" content="{description}"></head>')
    return f"<!doctype html><html>{head}<body>{NAV}{body}{FOOT}</body></html>"


def test_a_standfirst_printed_under_the_headline_opens_the_story():
    doc = read(
        described(
            STANDFIRST,
            f"<article><header><h1>Harbour budget approved</h1><p class='dek'>{STANDFIRST}"
            f"</p></header><div class='body'>{paragraphs(STORY + MORE)}</div></article>",
        )
    )
    assert sentences(doc) == [STANDFIRST, *STORY, *MORE]


def test_a_description_the_page_does_not_print_is_not_the_story():
    # Only in the <head> (for search engines): not something the reader sees.
    doc = read(described(STANDFIRST, ARTICLE.split("<body>", 1)[1].rsplit("</body>", 1)[0]))
    assert STANDFIRST not in sentences(doc)
    # Printed, but the story already opens with it: not twice.
    doc = read(described(STORY[0], ARTICLE.split("<body>", 1)[1].rsplit("</body>", 1)[0]))
    assert sentences(doc).count(STORY[0]) == 1


def json_ld(body: str) -> str:
    data = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": "Harbour budget approved",
            "articleBody": body,
        }
    )
    return f'<script type="application/ld+json">{data}</script>'


def test_a_story_given_only_in_structured_data_is_read_from_it():
    # The markup has a caption and a button; the body is drawn by script from JSON-LD.
    body = "".join(f"<p>{s}</p>" for s in STORY + MORE)
    doc = read(
        page(
            f"{json_ld(body)}<article><h1>Harbour budget approved</h1><figure><figcaption>"
            "The harbour at dawn.</figcaption></figure><a href='/full'>Read full article</a>"
            "</article>"
        )
    )
    assert sentences(doc) == STORY + MORE


def test_structured_data_does_not_replace_a_story_the_markup_holds():
    summary = " ".join(STORY[:2])  # a short summary in JSON-LD: the markup is the story
    doc = read(page(json_ld(summary) + ARTICLE.split("<body>", 1)[1].split(NAV, 1)[1]))
    assert sentences(doc)[: len(STORY)] == STORY


def test_a_page_the_extractor_rejects_is_read_by_our_own_reader():
    doc = read("<p>The harbour gets a new budget, the mayor said.</p>")
    assert doc.fallback == NO_ARTICLE_FOUND
    assert sentences(doc) == ["The harbour gets a new budget, the mayor said."]


def test_ingest_names_each_page_read_by_our_own_reader(store, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "story.html").write_text(ARTICLE, encoding="utf-8")
    (corpus / "fragment.html").write_text("<p>The mayor said so.</p>", encoding="utf-8")
    summary = list(ingest(store, corpus))[-1]
    assert isinstance(summary, Summary)
    assert summary.fallbacks == [f"fragment.html: {NO_ARTICLE_FOUND}"]
    row = store.conn.execute(
        "SELECT author, source, date FROM articles WHERE path = 'story.html'"
    ).fetchone()
    assert tuple(row) == ("Maria Jensen", "The Coast Herald", "2024-03-05")


def test_the_cli_summary_names_the_fallback_pages(tmp_path):
    from click.testing import CliRunner

    from annotate.cli import main

    runner = CliRunner()
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "fragment.html").write_text("<p>The mayor said so.</p>", encoding="utf-8")
    result = runner.invoke(main, ["ingest", str(corpus), "--db", str(tmp_path / "a.db")])
    assert result.exit_code == 0, result.output
    assert "1 HTML page(s) read with annotate's own reader" in result.output
    assert f"fragment.html: {NO_ARTICLE_FOUND}" in result.output


def test_reading_a_page_opens_no_network_connection(monkeypatch):
    import socket

    def refuse(*args, **kwargs):
        raise AssertionError("a network connection was opened")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    doc = read(ARTICLE)
    assert doc.fallback is None and doc.author == "Maria Jensen"


def test_a_short_line_the_description_quotes_is_the_story():
    # A line under a video: short and unpunctuated, it looks like a teaser headline,
    # but the page's description (here its social one) quotes it.
    link = "The harbour we almost lost"
    html = (
        f"<article><h1>Harbour budget approved</h1>{paragraphs(STORY)}<p><em>{{}}</em></p>"
        f"{paragraphs(MORE)}</article>"
    )
    quoted = described(f"{STORY[0]} {link} (via the", html.format(link))
    doc = read(quoted.replace('name="description"', 'property="og:description"'))
    assert link in sentences(doc)
    # Not quoted: the same line is left to cleaning, which takes it for a teaser.
    doc = read(described(STORY[0], html.format(link)))
    assert link not in sentences(doc)


CARD = (
    "<span class='people-rollover'><a href='/people/ana-ruiz'>Ana Ruiz</a>"
    "<span class='people-rollover-block'><img src='ruiz.jpg' alt=''>"
    "<a href='/people/ana-ruiz'>Ana Maria Ruiz</a><a href='/x'>Ruiz backs the ferry plan</a>"
    "</span></span>"
)


@pytest.mark.parametrize(
    "hidden",
    [
        "<span hidden>Ana Maria Ruiz, mayor since 2019</span>",
        "<span aria-hidden='true'>Ana Maria Ruiz, mayor since 2019</span>",
        "<span style='display: none'>Ana Maria Ruiz, mayor since 2019</span>",
        "<span style='color:red; visibility:hidden'>Ana Maria Ruiz, mayor since 2019</span>",
        "<span class='tooltip-card'>Ana Maria Ruiz, mayor since 2019</span>",
    ],
)
def test_text_a_browser_does_not_show_is_not_glued_into_the_sentence(hidden):
    sentence = "The mayor {} said on Tuesday that the quays would be finished by 2027."
    story = [sentence.format(f"Ana Ruiz{hidden}"), *STORY]
    doc = read(page(f"<article><h1>Harbour budget approved</h1>{paragraphs(story)}</article>"))
    assert sentences(doc)[0] == sentence.format("Ana Ruiz")


def test_a_person_card_nested_in_a_sentence_is_left_out():
    sentence = "The mayor {} said on Tuesday that the quays would be finished by 2027."
    story = [sentence.format(CARD), *STORY]
    doc = read(page(f"<article><h1>Harbour budget approved</h1>{paragraphs(story)}</article>"))
    assert sentences(doc)[0] == sentence.format("Ana Ruiz")


def test_screen_reader_text_standing_in_for_hidden_text_is_read_once():
    sentence = (
        "The vote took <span aria-hidden='true'>5 min</span>"
        "<span class='sr-only'>five minutes</span> and the budget passed, the clerk said."
    )
    doc = read(
        page(f"<article><h1>Harbour budget approved</h1>{paragraphs([sentence, *STORY])}</article>")
    )
    assert sentences(doc)[0] == "The vote took five minutes and the budget passed, the clerk said."


def test_our_own_reader_leaves_out_hidden_text_too():
    doc = read(
        "<p>The harbour gets a new budget<span style='display:none'> SECRET</span>, "
        "the mayor said.</p>"
    )
    assert doc.fallback == NO_ARTICLE_FOUND
    assert sentences(doc) == ["The harbour gets a new budget, the mayor said."]


def test_a_page_hidden_until_its_script_runs_is_still_read():
    doc = read(ARTICLE.replace("<body>", "<body style='display:none'>"))
    assert sentences(doc) == [*STORY, *MORE]


def test_a_script_or_style_inside_a_sentence_leaves_the_sentence_whole():
    sentence = "The mayor said on Tuesday{} that the quays would be finished by 2027."
    inline = "<script>var quays = 'finished';</script><style>p { color: red }</style>"
    story = [sentence.format(inline), *STORY]
    doc = read(page(f"<article><h1>Harbour budget approved</h1>{paragraphs(story)}</article>"))
    assert sentences(doc)[:2] == [sentence.format(""), STORY[0]]
    assert "quays = " not in doc.text and "color" not in doc.text
