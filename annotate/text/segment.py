"""Segmentation: split an article's cleaned blocks into claim units with exact offsets.

Sentence boundaries come from nltk's Punkt, run with curated parameters shipped in
``annotate/data/punkt_en.json`` (abbreviations, sentence starters, collocations) rather
than a trained model: Punkt trained on news learns "abbreviations" such as ``missions.``
and then misses real boundaries. Around Punkt sit a few general rules for what it gets
wrong on its own:

* before Punkt, periods that are not sentence ends (inside URLs and e-mail addresses,
  in ellipses, after list enumerators) are masked with a same-length placeholder, so
  every offset Punkt reports is an offset into the original text; so are opening quotes
  after a period, so that Punkt sees the word after them ('the U.S. "We ...');
* after Punkt, a boundary is dropped when the next word starts in lower case
  ("Yahoo! in", '"Great." she said'), after a title (``Dr.``), inside an open
  parenthesis, or after a bare time phrase ("At 5 a.m. Mr. Smith ...");
* boundaries Punkt cannot see are added: before list items and bullets, after an
  ellipsis followed by a capitalised word, after a clock time followed by one
  ("at 8 p.m. Results ...", but not "at 8 p.m. Friday"), and where scraping lost the
  space after a period ("the ECB said.The euro rose").

A colon never ends a sentence. This is the only module that imports nltk.
"""

from __future__ import annotations

import json
import re
import sys
from bisect import bisect_left
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from annotate.imports import submodule_alone, without
from annotate.model import HEADING, SENTENCE, TITLE, Block, Unit

# Punkt is pure Python: its module is imported alone, without the rest of nltk that
# nltk's __init__ loads (most of the import's cost), nor the optional packages those load.
with without("sklearn", "scipy", "numpy", "pandas"):
    _punkt = submodule_alone("nltk.tokenize.punkt")  # the import below finds it in place
    from nltk.tokenize.punkt import (
        PunktLanguageVars,
        PunktParameters,
        PunktSentenceTokenizer,
        PunktToken,
    )


def _nltk_version() -> str:
    """``nltk.__version__``, read where nltk's __init__ reads it (without running it)."""
    try:
        with open(Path(str(_punkt.__file__)).parents[1] / "VERSION", encoding="utf-8") as file:
            return file.read().strip()
    except OSError:
        return str(sys.modules["nltk"].__version__)


nltk_version = _nltk_version()

# Bump whenever the rules or the shipped parameters change: the store re-segments every
# article whose segmenter version differs. Punkt's own behaviour can change from one
# nltk release to the next, hence the nltk version.
SEGMENTER_VERSION = f"1+nltk{nltk_version}"

_DATA_FILE = "punkt_en.json"

# Orthographic context flags, as nltk.tokenize.punkt defines them (private there): a word
# seen capitalised only at sentence starts and in lower case elsewhere is, when it shows up
# capitalised after an abbreviation or an initial, evidence of a new sentence.
_ORTHO_BEG_UC = 1 << 1
_ORTHO_MID_LC = 1 << 5

# Stands in for a masked ".", "?" or "!": not whitespace, not sentence-final, and not
# punctuation Punkt splits words on, so the masked text tokenises like the original.
_PLACEHOLDER = "_"
_MASK = str.maketrans(".?!", _PLACEHOLDER * 3)
_UNQUOTE = str.maketrans("\"'“‘«", "     ")

# Dotted acronyms (U.S., I.B.M., N.A.T.O.) are abbreviations whether listed or not.
_DOTTED_ACRONYM = re.compile(r"(?:[^\W\d_]\.)+[^\W\d_]")


class _Abbreviations(set[str]):
    """Punkt's abbreviation set, which also contains every dotted acronym."""

    def __contains__(self, word: object) -> bool:
        return set.__contains__(self, word) or (
            isinstance(word, str) and "." in word and _DOTTED_ACRONYM.fullmatch(word) is not None
        )


# nltk runs every pattern on the third-party ``regex`` engine under a timeout, a guard
# meant for caller-supplied patterns. Punkt's own patterns are fixed and linear; compiled
# by ``re`` (same pattern, same flags) they make Punkt two to three times faster. Should
# another nltk lay out its internals differently, plain Punkt is used: same result.
_RE_FLAGS = re.IGNORECASE | re.MULTILINE | re.DOTALL | re.VERBOSE
_TOKEN_PATTERNS = ("_RE_ELLIPSIS", "_RE_NUMERIC", "_RE_INITIAL", "_RE_ALPHA")


def _stdlib(pattern: Any) -> re.Pattern[str]:
    return re.compile(pattern.pattern, pattern.flags & _RE_FLAGS)


class _LanguageVars(PunktLanguageVars):
    """Punkt's English language variables, with its patterns compiled by ``re``."""

    def __init__(self) -> None:
        base = PunktLanguageVars()
        self._words = _stdlib(base._word_tokenizer_re())
        self._contexts = _stdlib(base.period_context_re())
        self.re_boundary_realignment = _stdlib(base.re_boundary_realignment)

    def word_tokenize(self, s: str) -> list[str]:
        return self._words.findall(s)

    def period_context_re(self) -> re.Pattern[str]:
        return self._contexts


def _tokenizer(params: PunktParameters) -> PunktSentenceTokenizer:
    try:
        lang_vars = _LanguageVars()
        patterns = {name: _stdlib(getattr(PunktToken, name)) for name in _TOKEN_PATTERNS}
    except (AttributeError, re.error):
        return PunktSentenceTokenizer(params)
    token_cls = type("_Token", (PunktToken,), {"__slots__": (), **patterns})
    return PunktSentenceTokenizer(params, lang_vars=lang_vars, token_cls=token_cls)


@dataclass(frozen=True)
class _Model:
    tokenizer: PunktSentenceTokenizer
    abbreviations: frozenset[str]
    titles: frozenset[str]
    never_final: frozenset[str]
    clock_followers: frozenset[str]


@cache
def _model() -> _Model:
    raw = resources.files("annotate").joinpath("data", _DATA_FILE).read_text(encoding="utf-8")
    data = json.loads(raw)
    params = PunktParameters()
    params.abbrev_types = _Abbreviations(data["abbreviations"])
    params.sent_starters = set(data["sentence_starters"])
    params.collocations = {tuple(pair) for pair in data["collocations"]}
    for word in data["sentence_starters"]:
        params.add_ortho_context(word, _ORTHO_BEG_UC | _ORTHO_MID_LC)
    return _Model(
        tokenizer=_tokenizer(params),
        abbreviations=frozenset(data["abbreviations"]),
        titles=frozenset(data["titles"]),
        never_final=frozenset(data["never_final"]),
        clock_followers=frozenset(data["clock_followers"]),
    )


def punkt_abbreviations() -> frozenset[str]:
    """Every abbreviation in the shipped data, titles included (for benchmarks)."""
    model = _model()
    return model.abbreviations | model.titles | model.never_final


def punkt_tokenizer() -> PunktSentenceTokenizer:
    """Punkt as the segmenter runs it, with the shipped parameters but no rules (for benchmarks)."""
    return _model().tokenizer


# -- masking and forced boundaries -------------------------------------------------------

# "[...]" never ends anything; otherwise a spaced ". . ." (3+ dots), a run of 3+ periods or
# an ellipsis character (perhaps followed by the sentence's own period).
_ELLIPSIS = re.compile(r"\[(?:\.\.\.|…|\. \. \.)\]|(?P<spaced>\.(?: \.){2,})|\.{3,}|…+\.?")
# What may follow an ellipsis before the next word: closing quotes/brackets, space,
# opening quotes/brackets.
_AFTER_ELLIPSIS = re.compile(r"([\"'”’)\]»]*)\s+[\"'“‘(\[«]*(\w)")

_URL = re.compile(r"(?:https?://|www\.)[^\s<>\"“”]+", re.IGNORECASE)
_URL_TRAILER = ".,;:!?)]}'\"’”"
# Bounded repeats: on a long run of word characters an unbounded local part backtracks
# from every position (quadratic time).
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")

# "3 p.m. Officials said": a capitalised word after a clock time starts a sentence unless
# it is a day, a month or a time zone (group 2), or a place before "time" (group 3).
_CLOCK = re.compile(r"(?i:\b([ap]\.m\.))\s+[\"“‘]*([A-Z]\w*)(\s+time\b)?")
_QUOTE_AFTER_PERIOD = re.compile(r"\.\s+([\"'“‘«]+)\w")
# "the ECB said.The euro rose": scraped text loses the space between sentences. Not after
# a capital ("U.S.Army", "J.R.Smith") and not inside a masked URL or e-mail address.
_GLUED = re.compile(r"\.(?<=[a-z\d%)\]\"”’]\.)[\"”’)]*(?=[A-Z][a-z])")

_BULLETS = "•⁃▪◦‣●"
_BULLET = re.compile(rf"[{_BULLETS}]")
# A list enumerator ("1.", "2)", "3.)", "a.", "• 9.", "⁃10.") before whitespace.
_ENUM = re.compile(rf"(?<!\S)(?:[{_BULLETS}]\s*)?(\d{{1,2}}|[a-z])(\.\)|\)|\.)(?=\s)")
# A list may also begin on a new line, or after a colon and a space ("10:30." is no list).
# Two patterns with a literal first character scan much faster than one alternation.
_LIST_AFTER_NEWLINE = re.compile(rf"\n[ \t]*(?=(?:[{_BULLETS}] ?)?(?:\d{{1,2}}|[a-z])[.)])")
_LIST_AFTER_COLON = re.compile(rf": [ \t]*(?=(?:[{_BULLETS}] ?)?(?:\d{{1,2}}|[a-z])[.)])")
_ITEM_REACH = 2000  # how far after one list item the next may start


# Every rule needs one of a few characters; these prefilters let most paragraphs skip
# them all. A pattern that starts with a literal "." scans fast; a character class, on
# text with non-ASCII characters, does not, so single characters are found with ``in``.
_DOT_TRIGGER = re.compile(r"\.(?:\.\.|[mM]\.| \. \.|\s+[\"'“‘«]|(?<=www\.)|[\"”’)]*[A-Z][a-z])")
_RARE_CHARS = ("@", "\n", "…", *_BULLETS)


class _Plan:
    """What the rules found before Punkt runs: masks, and boundaries to add."""

    __slots__ = ("masks", "forced", "suggested")

    def __init__(self) -> None:
        self.masks: list[tuple[int, int, dict[int, int]]] = []
        self.forced: list[int] = []  # sentence ends no veto undoes (-1: none after all)
        self.suggested: list[int] = []  # sentence ends the vetoes still judge


_NO_PLAN = _Plan()


def _protect(text: str, model: _Model) -> tuple[str, _Plan]:
    """Mask what Punkt must not see; return the masked text and the boundaries to add."""
    dots = _DOT_TRIGGER.search(text) is not None
    colon = ":" in text
    opening = text.lstrip()[:1]
    listy = opening.isdigit() or opening.islower() or opening in _BULLETS
    if not (dots or colon or listy or any(c in text for c in _RARE_CHARS)):
        return text, _NO_PLAN
    plan = _Plan()
    if (dots and ("..." in text or ". . ." in text)) or "…" in text:
        _ellipses(text, plan)
    if "@" in text:
        plan.masks.extend((*m.span(), _MASK) for m in _EMAIL.finditer(text))
    if (colon and "://" in text) or (dots and "www." in text):
        for m in _URL.finditer(text):
            end = m.start() + len(m.group().rstrip(_URL_TRAILER))
            plan.masks.append((m.start(), end, _MASK))
    _lists(text, listy, colon, plan)
    if dots and (".m." in text or ".M." in text):
        for m in _CLOCK.finditer(text):
            if m.group(3) is None and m.group(2).lower() not in model.clock_followers:
                plan.suggested.append(m.end(1))
    if dots:
        # Punkt judges the word after an abbreviation, and for '"We' that word is the
        # quote, never a sentence starter: let it see past opening quotes ("the U.S. “We").
        for m in _QUOTE_AFTER_PERIOD.finditer(text):
            plan.masks.append((*m.span(1), _UNQUOTE))
    masked = _apply(text, plan.masks) if plan.masks else text
    if dots:
        for m in _GLUED.finditer(masked):
            before = text[max(0, m.start() - 12) : m.start()].split()
            if before and before[-1].lower() not in model.abbreviations:  # "St.Louis"
                plan.suggested.append(m.end())
    return masked, plan


def _apply(text: str, masks: list[tuple[int, int, dict[int, int]]]) -> str:
    """The text with each masked span translated; same length, same offsets."""
    masks.sort()
    pieces = []
    pos = 0
    for start, end, table in masks:
        start = max(start, pos)
        if start < end:
            pieces.append(text[pos:start])
            pieces.append(text[start:end].translate(table))
            pos = end
    pieces.append(text[pos:])
    return "".join(pieces)


def _ellipses(text: str, plan: _Plan) -> None:
    for m in _ELLIPSIS.finditer(text):
        start, end = m.span()
        plan.masks.append((start, end, _MASK))
        if text[start] == "[":
            continue
        after = _AFTER_ELLIPSIS.match(text, end)
        if after is None or not after.group(2).isupper():
            continue  # lower case, a digit or the end: the sentence goes on (or ends anyway)
        spaced = m.group("spaced")
        if spaced is None:
            # "that.... She", "went on… Then": the ellipsis ends the sentence.
            plan.forced.append(after.end(1))
        elif spaced.count(".") >= 4:
            if start > 0 and not text[start - 1].isspace():
                # "compounds. . . . The": the period ends the sentence; the ellipsis
                # opens the next one.
                plan.forced.append(start + 1)
            else:
                # "with a period . . . . Next": an ellipsis plus the sentence's period.
                plan.forced.append(after.end(1))
        # A spaced three-dot ellipsis marks an omission inside the sentence.


def _lists(text: str, listy: bool, colon: bool, plan: _Plan) -> None:
    """Enumerated lists ("1. ... 2. ...", "a. ... b. ...") and bulleted items.

    ``listy``: the text starts like a list item; ``colon``: it holds a colon.
    """
    if any(bullet in text for bullet in _BULLETS):
        for m in _BULLET.finditer(text):
            if m.start() == 0 or text[m.start() - 1].isspace():
                plan.forced.append(_end_before(text, m.start()))
    # Where a list may start, and whether one numbered item alone is a list there.
    starts: list[tuple[int, bool]] = []
    if listy:
        starts.append((len(text) - len(text.lstrip()), True))
    if "\n" in text:
        starts.extend((m.end(), True) for m in _LIST_AFTER_NEWLINE.finditer(text))
    if colon and ": " in text:
        starts.extend((m.end(), False) for m in _LIST_AFTER_COLON.finditer(text))
    firsts = [(hit, alone) for pos, alone in sorted(starts) if (hit := _ENUM.match(text, pos))]
    if not firsts:
        return
    # Every enumerator after the first list start, by (label, punctuation), in order.
    items: dict[tuple[str, str], tuple[list[int], list[re.Match[str]]]] = {}
    for m in _ENUM.finditer(text, firsts[0][0].start()):
        offsets, matches = items.setdefault((m.group(1), m.group(2)), ([], []))
        offsets.append(m.start())
        matches.append(m)
    done = 0
    for first, alone in firsts:
        if first.start() < done:
            continue  # an item of the list before
        chain = [first]
        while (nxt := _next_item(items, chain[-1])) is not None:
            chain.append(nxt)
        # A lone letter enumerator is more likely an initial than a list.
        if len(chain) > 1 or (alone and first.group(1).isdigit()):
            for m in chain:
                plan.masks.append((*m.span(2), _MASK))
                plan.forced.append(_end_before(text, m.start()))
        done = chain[-1].end()


def _next_item(
    items: dict[tuple[str, str], tuple[list[int], list[re.Match[str]]]], prev: re.Match[str]
) -> re.Match[str] | None:
    """The next item of the list that ``prev`` belongs to: the next label, same style."""
    label = prev.group(1)
    following = str(int(label) + 1) if label.isdigit() else chr(ord(label) + 1)
    found = items.get((following, prev.group(2)))
    if found is None:
        return None
    offsets, matches = found
    i = bisect_left(offsets, prev.end())
    if i == len(offsets) or offsets[i] - prev.end() > _ITEM_REACH:
        return None
    return matches[i]


def _end_before(text: str, pos: int) -> int:
    """Offset just after the last non-space character before ``pos``, or -1 after a colon."""
    while pos > 0 and text[pos - 1].isspace():
        pos -= 1
    if pos > 0 and text[pos - 1] == ":":
        return -1  # a colon never ends a sentence
    return pos


# -- boundary vetoes ---------------------------------------------------------------------

_NON_SPACE = re.compile(r"\S")
_WORD_CHAR = re.compile(r"\w")
# The first word after a boundary, past any opening quotes or brackets.
_NEXT_WORD = re.compile(r"\s*[\"'“‘«(\[]*([^\W\d_]\w*)")
# A sentence made only of a time: "At 5 a.m." cannot stand alone.
_TIME_PHRASE = re.compile(
    r"(?:(?:at|by|until|till|before|after|around|about|from|since|shortly|just|"
    r"shortly after|shortly before|just after|just before)\s+)?"
    r"(?:\d{1,2}(?:[:.]\d{2})?|noon|midnight)\s*[ap]\.\s?m\.",
    re.IGNORECASE,
)
_OPENERS = "(\"'“‘«["


def _keep_together(text: str, start: int, end: int, model: _Model, in_parens: bool) -> bool:
    """Whether Punkt's boundary at ``end`` (sentence begun at ``start``) is wrong.

    ``in_parens``: the sentence so far has an unclosed "(".
    """
    # The usual case, " The", needs no regex to tell that the next word is capitalised.
    if text[end] != " " or not text[end + 1 : end + 2].isupper():
        nxt = _NEXT_WORD.match(text, end)
        if nxt is not None and nxt.group(1).islower():
            return True  # "Yahoo! in", "'Great.' she said"; "iPhone" is not lower case
    if text[end - 1] == ".":
        tail = text[max(start, end - 12) : end - 1].split()
        if tail:
            word = tail[-1].lstrip(_OPENERS)
            # "e.g." is written in lower case; a title in title case: "Mt." is Mount, but
            # "7 p.m. MT." is a time zone that may well end the sentence.
            if word in model.never_final or (word.istitle() and word.lower() in model.titles):
                return True
        if end - start <= 32 and _TIME_PHRASE.fullmatch(text, start, end):
            return True
    if in_parens:
        close = text.find(")", end, end + 300)
        if close != -1 and text.find("(", end, close) == -1:
            return True  # a sentence inside parentheses stays in its host sentence
    return False


# -- public API --------------------------------------------------------------------------


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans in ``text``, stripped of surrounding whitespace.

    ``text[s:e]`` is one sentence for each ``(s, e)``; spans are in order and do not overlap.
    Punctuation with no letter or digit joins the sentence before it, and a text without
    any letter or digit (only dashes, emoji...) has no sentence.
    """
    if not text or text.isspace():
        return []
    model = _model()
    masked, plan = _protect(text, model)
    ends: list[int] = []
    if _may_break(text, masked):
        ends = [end for _, end in model.tokenizer.span_tokenize(masked)]
    forced: Collection[int] = ()
    if plan.forced or plan.suggested:
        forced = set(plan.forced)
        ends.extend(end for end in forced if end > 0)
        ends.extend(plan.suggested)
        ends.sort()
    size = len(text)
    ends.append(size)
    parens = "(" in text
    spans: list[tuple[int, int]] = []
    start = _skip_space(text, 0)
    # Work done on the sentence being built is kept, so that a long run of vetoed or
    # wordless pieces costs linear time: parentheses are counted up to ``counted`` (with
    # ``depth`` unclosed), and text[start:searched] is known to hold no word character.
    counted = searched = start
    depth = 0
    for end in ends:
        if end <= start:
            continue
        if parens:
            depth += text.count("(", counted, end) - text.count(")", counted, end)
            counted = end
        # A forced boundary wins over Punkt's at the same offset; the text's end is final.
        if end < size and end not in forced and _keep_together(text, start, end, model, depth > 0):
            continue
        stop = end
        while text[stop - 1].isspace():
            stop -= 1
        if not text[start].isalnum() and _WORD_CHAR.search(text, searched, stop) is None:
            # Punctuation alone is not a sentence: it belongs to the one before, if any.
            searched = stop
            if not spans:
                continue
            start = spans.pop()[0]
        spans.append((start, stop))
        start = counted = searched = _skip_space(text, end)
        depth = 0
    return spans


def _may_break(text: str, masked: str) -> bool:
    """Whether Punkt could end a sentence in ``text`` before its last word character.

    Punkt only ends sentences just after an unmasked ".", "?" or "!". An end with no
    word character after it changes nothing below: a piece without one joins the
    sentence before it. So a paragraph whose first such mark has no word character
    after it (most: one sentence, "... he said." or '... "Yes!"') needs no Punkt.
    """
    first = len(masked)
    for mark in ".?!":
        found = masked.find(mark, 0, first)
        if found != -1:
            first = found
    return _WORD_CHAR.search(text, first) is not None


def _skip_space(text: str, pos: int) -> int:
    if pos + 1 < len(text) and text[pos] == " " and not text[pos + 1].isspace():
        return pos + 1  # the usual single space between sentences
    m = _NON_SPACE.search(text, pos)
    return m.start() if m is not None else len(text)


def segment(blocks: Sequence[Block]) -> tuple[str, list[Unit]]:
    """Join block texts with "\\n\\n" into the article's cleaned text; return it and the units.

    A title or heading block is one unit; a paragraph gives one SENTENCE unit per sentence.
    ``Unit.paragraph`` is the block index, ``Unit.seq`` runs over the whole article, and
    ``cleaned[unit.start:unit.end] == unit.text``.
    """
    cleaned = "\n\n".join(block.text for block in blocks)
    units: list[Unit] = []
    add = units.append
    offset = 0
    # One loop, no generator per block: making the units was a fifth of segmentation.
    for index, block in enumerate(blocks):
        kind, text = block.kind, block.text
        if kind == TITLE or kind == HEADING:
            stripped = text.strip()
            if stripped:
                start = offset + text.index(stripped)
                add(Unit(index, len(units), kind, stripped, start, start + len(stripped)))
        else:
            for s, e in split_sentences(text):
                add(Unit(index, len(units), SENTENCE, text[s:e], offset + s, offset + e))
        offset += len(text) + 2
    return cleaned, units
