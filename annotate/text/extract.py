"""Article extraction from HTML pages with trafilatura: the story's text and its metadata.

trafilatura finds the main text of a page (its paragraphs, subheadings, lists, quotes
and tables) and leaves out menus, teasers, comments and footers. This module runs it on
a page already decoded to text, with no network access (nothing is fetched: the page is
the only input), and turns its XML tree into the plain text annotate's cleaning reads:
a ``# title`` line, ``## subheading`` lines and one paragraph per block, separated by
blank lines. Metadata (title, author, date, site name, URL) comes from the page's meta
tags and JSON-LD, through trafilatura's own readers of them.

:func:`extract_article` returns None when trafilatura finds no article; reading then
falls back to annotate's own HTML reader and says so.
"""

from __future__ import annotations

import functools
import html
import json
import logging
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Extracted", "drop_hidden", "extract_article", "is_hidden"]

# trafilatura's output tags (and HTML ones, from its fallback extractors) that hold text.
_HEADING_TAGS = frozenset("head h1 h2 h3 h4 h5 h6".split())
_ROW_TAGS = frozenset(("row", "tr"))
_CELL_TAGS = frozenset(("cell", "td", "th"))
_BLOCK_TAGS = (
    frozenset(
        "p item li quote blockquote list ul ol table div section article main body "
        "code pre dd dt dl figure".split()
    )
    | _HEADING_TAGS
    | _ROW_TAGS
    | _CELL_TAGS
)
_BREAK_TAGS = frozenset(("lb", "br"))
_QUOTE_TAGS = frozenset(("quote", "blockquote"))
# From the benchmark on real pages: 12 words keeps standfirsts and long paragraphs that
# cleaning took for teasers without keeping more boilerplate; 8 keeps more boilerplate.
_FULL_PARAGRAPH_WORDS = 12
_SKIP_TAGS = frozenset(("graphic", "img", "figcaption", "script", "style", "del"))


# No comments (readers' comments are not the story); tables kept (their rows can be
# content); the XML tree, whose structure cleaning is told about. trafilatura's ``fast``
# mode (no comparison with its readability and jusText fallbacks) was measured on the 143
# real pages of ../shared/benchmarks/real_pages: extraction about a quarter faster, but
# snippet recall 0.946 -> 0.925 (stories it cut short or took from the wrong block), so
# it is not used.
_OPTIONS: dict[str, Any] = {
    "output_format": "xml",
    "include_comments": False,
    "include_tables": True,
    "include_formatting": False,
    "include_links": False,
    "include_images": False,
    "with_metadata": False,
}


@dataclass
class Extracted:
    """What trafilatura found in one page: its text as annotate reads it, metadata, and
    the 1-based lines of the text that are story content whatever they look like."""

    text: str
    meta: dict[str, str] = field(default_factory=dict)
    content_lines: frozenset[int] = frozenset()


def extract_article(html: str) -> Extracted | None:
    """The article of one HTML page, or None when trafilatura finds none in it."""
    trafilatura, bare_extraction, load_html = _trafilatura()
    tree = load_html(html)
    if tree is None:
        return None
    drop_hidden(tree)
    # What is read from the page itself is read before its scripts and styles go.
    meta, description = _metadata(tree)
    body = _json_ld_body(tree)
    descriptions = _descriptions(tree)
    posts = _embedded_posts(tree)
    printed = _printed_description(tree, description)
    _drop_scripts(tree)
    document = bare_extraction(tree, **_OPTIONS)
    blocks = _blocks(document.body) if document is not None and document.body is not None else []
    if _words(body) > 2 * sum(_words(b) for b, _ in blocks if not b.startswith("## ")):
        # The page's own structured data holds far more of the story than its markup
        # gave (a body drawn by script, a teaser picked instead): the story is that.
        blocks = [(paragraph, True) for paragraph in body]
    if not blocks:
        return None
    blocks = _with_embedded_posts(posts, blocks)
    blocks = _described(blocks, descriptions)
    standfirst = _standfirst(printed, blocks)
    if standfirst:
        blocks.insert(0, (standfirst, True))
    lines = []
    content: set[int] = set()
    if meta.get("title"):
        # trafilatura keeps the page's <h1> as a heading of the body: it is the title.
        heading = f"## {meta['title']}"
        lines.append(f"# {meta['title']}")
        blocks = [b for b in blocks if b[0] != heading]
    lineno = 2 * len(lines) + 1  # blocks are separated by one blank line
    for text, is_content in blocks:
        height = text.count("\n") + 1
        if is_content or _is_full_paragraph(text):
            content.update(range(lineno, lineno + height))
        lines.append(text)
        lineno += height + 1
    return Extracted("\n\n".join(lines), meta, frozenset(content))


# What a browser does not render: the ``hidden`` attribute, ``aria-hidden="true"`` (a
# visible duplicate of text that screen readers get another way, which stays), an inline
# style that hides the element, and the person or tooltip cards pages nest inside a
# sentence for a script to show on hover (their name, photo and links would be glued into
# the sentence: "Kristi NoemKristi Lynn Noem ..."). Screen-reader-only text is kept: it
# stands in for what aria-hidden drops.
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)
_CARD_CLASS = re.compile(
    r"(?:tooltip|popover|hover-?card|rollover|popup)(?:[-_][a-z]+)?[-_]?"
    r"(?:block|card|content|body|box|panel|inner|wrap(?:per)?|container|text)\b"
    r"|\bhover-?card\b",
    re.IGNORECASE,
)
# A cheap first sieve in XPath; the rules above decide. It asks each attribute of its name
# once (``//@class[...]/..``): on the 143 real pages of ../shared/benchmarks/real_pages that
# is a third of the time of testing every element's attributes (``//*[...]``), same result.
_HIDDEN_XPATH = (
    "//@hidden/.. | //@aria-hidden[.='true']/.."
    " | //@style[contains(.,'none') or contains(.,'hidden')]/.."
    " | //@class[contains(.,'tooltip') or contains(.,'popover') or contains(.,'over')"
    " or contains(.,'card') or contains(.,'popup')]/.."
)
# Some pages hide the whole page until a script has run: that is no reason to drop it.
_NEVER_HIDDEN = frozenset(("html", "head", "body"))


def is_hidden(attributes: Mapping[str, str | None]) -> bool:
    """Whether an element with these attributes is not rendered, or is a hover card."""
    if "hidden" in attributes or (attributes.get("aria-hidden") or "").lower() == "true":
        return True
    style = attributes.get("style")
    if style and _HIDDEN_STYLE.search(style) is not None:
        return True
    classes = attributes.get("class")
    return classes is not None and _CARD_CLASS.search(classes) is not None


def drop_hidden(tree: Any) -> None:
    """Remove from an lxml tree the elements :func:`is_hidden` finds; text around stays."""
    for element in _hidden_candidates()(tree):
        if element.tag not in _NEVER_HIDDEN and is_hidden(element.attrib):
            element.drop_tree()


@functools.cache
def _hidden_candidates() -> Any:
    """The compiled sieve (lxml is imported with trafilatura, when a page is read)."""
    from lxml import etree

    return etree.XPath(_HIDDEN_XPATH)


# Scripts and styles are no text of the page: trafilatura and the readers it compares
# with (readability, jusText, its baseline) each drop them first, all but the JSON-LD
# that its baseline reads a story from. Dropped once here, they are not copied with the
# tree at every stage of its cascade: 2 ms a page less, same output, on the 143 real
# pages of ../shared/benchmarks/real_pages.
_SCRIPT_TAGS = ("script", "style")
_JSON_LD = "application/ld+json"


def _drop_scripts(tree: Any) -> None:
    """Remove scripts and styles but JSON-LD from an lxml tree; the text after them stays."""
    for element in list(tree.iter(_SCRIPT_TAGS)):
        if element.get("type") != _JSON_LD and element.getparent() is not None:
            element.drop_tree()


def _trafilatura() -> tuple[Any, Any, Any]:
    """trafilatura, imported once it is needed (it is slow to import and chatty)."""
    import trafilatura
    from trafilatura.core import bare_extraction
    from trafilatura.utils import load_html

    # It logs every page it discards; ingest reports that itself, once per file.
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    return trafilatura, bare_extraction, load_html


def _text(element: Any) -> str:
    """An element's text on one line, line breaks (``lb``) kept as newlines."""
    parts: list[str] = []
    _collect(element, parts, top=True)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _collect(element: Any, parts: list[str], *, top: bool = False) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _BREAK_TAGS:
        parts.append("\n")
    elif tag not in _SKIP_TAGS:
        if element.text:
            parts.append(element.text)
        for child in element:
            _collect(child, parts)
            if tag in _ROW_TAGS or tag in _BLOCK_TAGS and not top:
                parts.append(" ")
    if not top and element.tail:
        parts.append(element.tail)


# A block of the story's text, and whether it is content whatever it looks like (it sits
# in a quotation or is a table row of data; full paragraphs are added later), which
# cleaning is told.
_Block = tuple[str, bool]


def _blocks(body: Any) -> list[_Block]:
    """trafilatura's tree -> annotate text blocks: ``## heading`` lines and paragraphs."""
    blocks: list[_Block] = []
    _walk(body, blocks, quoted=False)
    return blocks


def _walk(element: Any, blocks: list[_Block], *, quoted: bool) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in _SKIP_TAGS:
        return
    quoted = quoted or tag in _QUOTE_TAGS
    if tag in _HEADING_TAGS:
        text = " ".join(_text(element).split())
        if text:
            blocks.append((f"## {text}", False))
        return
    if tag in _ROW_TAGS:
        cells = [" ".join(_text(cell).split()) for cell in element]
        text = "  ".join(cell for cell in cells if cell)
        if text:
            blocks.append((text, quoted or _is_data_row(element, cells)))
        return
    if not any(isinstance(c.tag, str) and c.tag in _BLOCK_TAGS for c in element):
        text = _text(element)
        if text:
            blocks.append((text, quoted))
        return
    # A container: its own loose text and each child's tail are paragraphs of their own.
    if element.text and element.text.strip():
        blocks.append((" ".join(element.text.split()), quoted))
    for child in element:
        _walk(child, blocks, quoted=quoted)
        if child.tail and child.tail.strip():
            blocks.append((" ".join(child.tail.split()), quoted))


def _is_full_paragraph(text: str) -> bool:
    """A paragraph of the story long enough not to be a teaser headline or a menu line.

    Cleaning drops such lines for where they sit (around headline-like lines, after the
    last body paragraph); in trafilatura's output the story is all there is, so its place
    says nothing about it. Shorter paragraphs are left to cleaning's judgement."""
    return not text.startswith("## ") and len(text.split()) >= _FULL_PARAGRAPH_WORDS


def _is_data_row(row: Any, cells: list[str]) -> bool:
    """A table row of two or more filled cells that is not a header row."""
    filled = [cell for cell in cells if cell]
    heads = sum(1 for cell in row if cell.get("role") == "head" or cell.tag == "th")
    return len(filled) >= 2 and heads < len(filled)


# JSON-LD (schema.org) "articleBody": the story's full text as the publisher gives it to
# search engines. Used only when it holds far more words than the markup gave; at least
# this many words, so that a summary is never taken for a body.
_JSON_LD_MIN_WORDS = 80
_TAG = re.compile(r"<[^>]*>")
_PARAGRAPH_END = re.compile(r"</p\s*>|<br\s*/?>|\n", re.I)


def _words(text: str | list[str]) -> int:
    if isinstance(text, list):
        return sum(_words(t) for t in text)
    return len(text.split())


def _json_ld_body(tree: Any) -> list[str]:
    """The paragraphs of the longest JSON-LD ``articleBody`` of the page, or []."""
    best = ""
    for script in tree.iterfind(".//script[@type='application/ld+json']"):
        try:
            data = json.loads(script.text or "", strict=False)
        except (ValueError, RecursionError):
            continue
        for found in _article_bodies(data):
            if len(found) > len(best):
                best = found
    paragraphs = []
    for part in _PARAGRAPH_END.split(best):
        text = " ".join(html.unescape(_TAG.sub(" ", part)).split())
        if text:
            paragraphs.append(text)
    return paragraphs if _words(paragraphs) >= _JSON_LD_MIN_WORDS else []


def _article_bodies(data: Any, depth: int = 0) -> Iterator[str]:
    if depth > 8:
        return
    if isinstance(data, dict):
        body = data.get("articleBody")
        if isinstance(body, str):
            yield body
        for value in data.values():
            if isinstance(value, dict | list):
                yield from _article_bodies(value, depth + 1)
    elif isinstance(data, list):
        for value in data:
            yield from _article_bodies(value, depth + 1)


# A standfirst (the sentence or two under the headline) is often left out by trafilatura,
# which takes it for a teaser. The page's description usually repeats it: when the
# description is also printed in the page's body, as a full sentence the story does not
# already hold, it is the standfirst and opens the story.
_STANDFIRST_MIN_WORDS = 8
_SENTENCE_END = re.compile(r"[.!?][”’\"')]*$")


def _printed_description(tree: Any, description: str) -> str | None:
    """The page's description when it is a full sentence also printed in its body."""
    text = " ".join(description.split())
    if len(text.split()) < _STANDFIRST_MIN_WORDS or not _SENTENCE_END.search(text):
        return None
    body = tree.find(".//body")
    if body is None:
        return None
    key = _key(text)
    # Its longest word, looked for first, spares comparing most of the page's texts.
    probe = max(key.split(), key=len)
    for node in body.iter():
        if not isinstance(node.tag, str) or node.tag in ("script", "style", "noscript"):
            continue
        found = node.text
        if found and len(found) >= len(text) // 2 and probe in found.lower() and key in _key(found):
            return text
    return None


def _standfirst(printed: str | None, blocks: list[_Block]) -> str | None:
    """The printed description, unless the story already holds it."""
    if printed is None:
        return None
    key = _key(printed)
    return None if any(key in _key(block) for block, _ in blocks) else printed


# Embedded posts (tweets, Instagram, TikTok, Bluesky, Mastodon, Threads, Facebook): the
# social networks' embed code is a <blockquote> of this class, which their script turns
# into a card. trafilatura drops the post when the page wraps it in a "widget" or "embed"
# box; between two paragraphs of the story, it is part of the story.
_EMBEDDED_POSTS = (
    "//body//blockquote[contains(@class, 'tweet') or contains(@class, 'twitter')"
    " or contains(@class, 'instagram') or contains(@class, 'tiktok')"
    " or contains(@class, 'bluesky') or contains(@class, 'mastodon')"
    " or contains(@class, 'threads') or contains(@class, 'fb-xfbml')"
    " or contains(@class, 'facebook')][not(ancestor::blockquote)]"
)
# The story's paragraphs looked for on either side of a post, nearest first.
_NEIGHBOURS = (
    "(preceding|following)::*[self::p or self::li][not(ancestor::blockquote)][position() <= 3]"
)
_PRECEDING = _NEIGHBOURS.replace("(preceding|following)", "preceding")
_FOLLOWING = _NEIGHBOURS.replace("(preceding|following)", "following")
# A paragraph is recognised in the story from this many words of it.
_ANCHOR_MIN_WORDS = 5


# An embedded post: its blocks, and the keys of the paragraphs before it on the page (in
# page order) and after it, which place it in the story.
_Post = tuple[list[_Block], list[str], list[str]]


def _embedded_posts(tree: Any) -> list[_Post]:
    """The page's embedded posts that hold text, each with its neighbours' keys."""
    posts = []
    for post in tree.xpath(_EMBEDDED_POSTS):
        found = _post(post)
        if found:
            before = [_key(p.text_content()) for p in post.xpath(_PRECEDING)]
            after = [_key(p.text_content()) for p in post.xpath(_FOLLOWING)]
            posts.append((found, before, after))
    return posts


def _with_embedded_posts(posts: list[_Post], blocks: list[_Block]) -> list[_Block]:
    """The blocks with the embedded posts trafilatura left out of the story put back,
    each after the story paragraph that precedes it on the page."""
    if not posts:
        return blocks
    out = list(blocks)
    for found, preceding, following in posts:
        keys = [_key(text) for text, _ in out]
        if any(_key(found[0][0]) in key for key in keys):
            continue  # already in the story
        before = _anchor(preceding, keys, last=True)
        after = _anchor(following, keys, last=False)
        if before is not None and after is not None and before < after:
            out[before + 1 : before + 1] = found
    return out


def _post(post: Any) -> list[_Block]:
    """An embedded post's paragraphs, its signature ("— Name (@handle) date") ending the
    last one: who posted it is part of what it says."""
    parts: list[_Block] = []
    _walk(post, parts, quoted=True)
    paragraphs = [text for p in post.iter("p") if (text := " ".join(_text(p).split()))]
    if not paragraphs:
        return [(" ".join(text for text, _ in parts), True)] if parts else []
    signature = " ".join(text for text, _ in parts if text not in paragraphs)
    if signature:
        paragraphs[-1] = f"{paragraphs[-1]} {signature}"
    return [(text, True) for text in paragraphs]


def _anchor(paragraphs: list[str], keys: list[str], *, last: bool) -> int | None:
    """The index of the block holding the nearest of ``paragraphs`` (their keys) that is
    in the story."""
    for key in paragraphs[::-1] if last else paragraphs:
        if len(key.split()) < _ANCHOR_MIN_WORDS:
            continue
        hits = [i for i, block in enumerate(keys) if key in block]
        if hits:
            return hits[-1] if last else hits[0]
    return None


# A short paragraph of the story (a link line under a video, a one-line post) looks like
# a teaser headline to cleaning; when the page's own description quotes it, it is the
# story's. At least this many words, so that a site's slogan or a menu word never counts.
_DESCRIBED_MIN_WORDS = 4


# Every description a page gives: for search engines, for social networks (each cut at
# its own length, so one may quote what another left out).
_DESCRIPTIONS = (
    "//head/meta[@name='description' or @property='og:description' "
    "or @name='twitter:description' or @property='twitter:description']/@content"
)


def _descriptions(tree: Any) -> str:
    return " | ".join(str(found) for found in tree.xpath(_DESCRIPTIONS))


def _described(blocks: list[_Block], descriptions: str) -> list[_Block]:
    """The blocks, those the page's descriptions quote marked as story content."""
    summary = _key(descriptions)
    if not summary:
        return blocks
    out = []
    for text, is_content in blocks:
        # Full paragraphs are the story's already; only short ones are looked for.
        if not is_content and not text.startswith("## ") and not _is_full_paragraph(text):
            key = _key(text)
            is_content = len(key.split()) >= _DESCRIBED_MIN_WORDS and key in summary
        out.append((text, is_content))
    return out


def _key(text: str) -> str:
    """Text compared as words only: case, quotes and spacing do not count."""
    return " ".join(re.sub(r"[^\w]+", " ", text.lower()).split())


def _metadata(tree: Any) -> tuple[dict[str, str], str]:
    """Title, author, date, site name and URL from meta tags, JSON-LD and the title,
    and the page's description."""
    from htmldate import find_date
    from trafilatura.metadata import examine_meta, extract_meta_json, extract_title, extract_url

    # trafilatura's full extract_metadata also searches the page for categories, tags,
    # licences and bylines, which costs more than the extraction itself; the meta tags
    # and JSON-LD hold what the store keeps.
    found = examine_meta(tree)
    try:
        found = extract_meta_json(tree, found)
    except Exception:  # trafilatura's JSON-LD reader on malformed JSON-LD
        pass
    title = found.title or extract_title(tree)
    url = found.url or extract_url(tree)
    date = find_date(tree, extensive_search=False, url=url, original_date=True)
    meta = {
        "title": title,
        "author": found.author,
        "date": date,
        "source": found.sitename,
        "url": url,
    }
    found_meta = {
        key: " ".join(value.split()) for key, value in meta.items() if value and value.strip()
    }
    return found_meta, found.description or ""
