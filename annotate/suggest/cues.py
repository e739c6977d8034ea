"""Attribution cues: who vouches for a claim unit, found by rules, with character offsets.

For one unit's text (and the units before it in its article, for quotes that run over
several sentences) this module finds

* the **cue**: a reporting verb in its forms ("said", "told", "according to", "warned" …),
  a reporting frame ("in a statement") or a direct quote;
* the **source**: the noun phrase the cue attaches the claim to ("Roscosmos", "Russian
  news agency TASS", "Mr Duffy", "officials", "a source familiar with the matter");
* **editorial** cues: hedges and forecasts ("could signal", "perhaps", "may well"),
  evaluative words ("ill-judged", "a significant moment"), normative and first-person
  framing ("should", "I think", "in our view");

and turns them into a suggested label with a confidence and a one-line reason.

Everything here is pure: plain strings in, frozen dataclasses out, no SQL and no nltk.
The rules are general patterns of news English, not a list of known sentences. Text
inside quotation marks is masked (same length, so offsets stay valid) before looking for
the outlet's own cues: "said" inside a quote is the speaker's word, not the outlet's
attribution, and an opinion inside a quote is the speaker's opinion.

``suggest_all(store)`` at the end is the pipeline step that runs the rules over a
database; it talks to the store only through its methods.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

from annotate.model import (
    ATTRIBUTED,
    EDITORIAL,
    HEADING,
    NOT_CLAIM,
    SENTENCE,
    TITLE,
    UNATTRIBUTED,
    Span,
)
from annotate.regexes import alternatives


@dataclass(frozen=True)
class Attribution:
    """A reporting cue and the source it names, in one unit."""

    cue: Span
    source: Span
    kind: str  # "verb", "according_to", "frame", "shown", "passive_by", "speaker_label"
    vague: bool = False  # "officials", "analysts", "a source familiar with …"


@dataclass(frozen=True)
class Analysis:
    """Everything the rules find in one unit on its own (before looking at its neighbours)."""

    text: str
    quotes: tuple[Span, ...]  # quoted stretches, marks included
    opens_quote: bool  # a quotation is still open at the end of the unit
    attribution: Attribution | None
    hearsay: Span | None  # "said to be", "reportedly", "reports suggest"
    negated: Span | None  # "did not respond", "has not shared", "declined to comment"
    editorial: tuple[tuple[Span, float], ...]  # editorial cues with their weights
    furniture: str | None  # why the unit looks like page furniture, if it does

    @property
    def editorial_score(self) -> float:
        return sum(w for _, w in self.editorial)

    @cached_property
    def alone(self) -> Suggestion:
        """The suggestion for the unit when no earlier unit names its speaker (analyses
        recur with their text, see ``_analyse``: so does this)."""
        return _label(self, None, [])

    @property
    def quoted_share(self) -> float:
        """How much of the unit (by characters) is inside quotation marks."""
        n = len(self.text.strip()) or 1
        return sum(q.end - q.start for q in self.quotes) / n


@dataclass(frozen=True)
class Suggestion:
    """A suggested label for a unit, with the cue that fired and the source it names.

    Offsets of ``cue`` are into this unit's text. Offsets of ``source`` are into this
    unit's text, or, when ``quote_of`` is set (a continuing quote), into the text of that
    earlier unit, whose index among the article's units ``quote_of`` is.
    """

    label: str
    confidence: float
    reason: str
    cue: Span | None = None
    source: Span | None = None
    quote_of: int | None = None
    editorial: tuple[Span, ...] = field(default=())


# ---------------------------------------------------------------------------------------
# Quotation marks. Curly quotes say which way they face and may nest; a straight quote
# toggles. Typewriter marks count as double quotes: two apostrophes ('' … '', as some
# papers print them) act like a straight quote and two backticks (`` … '') open one. A
# quote mark at the very start of a unit while a quote is open re-opens it (news style
# opens every paragraph of a long quote and closes only the last). Single quotes
# (‘…’ and '…') are quotes when they open before a word and close after one, so an
# apostrophe inside a word ("it’s", "don't") is never taken for one; they are not
# carried over to the next unit. A unit in CSV quoting (text copied from a spreadsheet
# cell or a CSV file read without unquoting: wrapped in straight double quotes, every
# quote inside doubled, ``"He said ""no""."``) is read as its cell says: the wrapping
# marks are not quotes and each doubled mark is one straight quote.

_OPENERS = "“„«"
_CLOSERS = "”»"
_STRAIGHT = '"'
_MASK = "#"  # same-length stand-in for quoted text; never a word character
_DOUBLE_MARK = re.compile(r"''|``|[\"“„«”»]")
_SINGLE_QUOTE = re.compile(
    r"(?<![\w’'])[‘'](?=[A-Za-z])(?:[^‘’'\n]|[’'](?=[A-Za-z]))*?[\w.,!?;:…)\]-][’'](?![\w’'])"
)


def _may_hold_double_mark(text: str) -> bool:
    """Whether ``text`` holds what every ``_DOUBLE_MARK`` match is."""
    return any(mark in text for mark in _DOUBLE_MARKS)


_DOUBLE_MARKS = ("''", "``", '"', "“", "„", "«", "”", "»")


# A closing mark with no opener before it ends a quote carried over from an earlier
# sentence when a sentence (or a clause) ends right before it: "… so many ways.” …".
_CONTINUED_QUOTE = re.compile(r"\s*[^\s“„«”»\"].{10,}[.!?,…]$", re.S)


def _csv_quoted(text: str) -> bool:
    """Whether ``text`` is in CSV quoting: wrapped in straight double quotes with at least
    one quote inside, every one of them doubled (a real quotation does not double them)."""
    if len(text) < 4 or text[0] != _STRAIGHT or text[-1] != _STRAIGHT:
        return False
    inner = text[1:-1]
    return '""' in inner and _STRAIGHT not in inner.replace('""', "")


def unquoted_cell(text: str) -> str:
    """``text`` as its CSV cell says when it is in CSV quoting, else ``text``."""
    return text[1:-1].replace('""', _STRAIGHT) if _csv_quoted(text) else text


def _double_marks(text: str, cell: bool) -> Iterator[tuple[str, int, int]]:
    """Each double quotation mark of ``text`` as (mark, start, end); in CSV quoting
    (``cell``) without the wrapping marks, a doubled straight quote one mark."""
    if not _may_hold_double_mark(text):
        return
    if not cell:
        for m in _DOUBLE_MARK.finditer(text):
            yield m.group(), m.start(), m.end()
        return
    at = text.find(_STRAIGHT, 1)
    while 0 < at < len(text) - 1:  # every quote inside is doubled: one mark a pair
        yield _STRAIGHT, at, at + 2
        at = text.find(_STRAIGHT, at + 2)


def quote_spans(text: str, open_at_start: bool = False) -> tuple[list[Span], bool]:
    """The quoted stretches of ``text`` and whether a quote is still open at its end."""
    spans: list[Span] = []
    inside = open_at_start
    depth = 1 if open_at_start else 0
    cell = _csv_quoted(text)  # the cell's text is inside its wrapping marks
    start = 1 if cell else 0
    lead = 1 if cell else len(text) - len(text.lstrip())
    for mark, i, end in _double_marks(text, cell):
        if mark in _OPENERS and inside and not text[end : end + 1].isalnum():
            mark = "”"  # an opening mark typed where the quote ends ("… again“")
        if mark in _OPENERS or mark == "``":
            if not inside:
                inside, start, depth = True, i, 1
            elif mark != "``" and i != lead:
                depth += 1  # a curly quote inside a curly quote
        elif mark in _CLOSERS:
            if inside:
                depth -= 1
                if depth <= 0:
                    spans.append(Span(text[start:end], start, end))
                    inside = False
            elif not spans and _CONTINUED_QUOTE.match(text, 0, i):
                # The first mark closes a quote opened in an earlier sentence ("… in so
                # many ways.” The book …"): the unit up to it is still the speaker's.
                spans.append(Span(text[lead:end], lead, end))
        elif not inside:  # a straight quote or '' that opens
            inside, start, depth = True, i, 1
        elif i != lead:  # one that closes (at the start it re-opens a continuing quote)
            spans.append(Span(text[start:end], start, end))
            inside = False
    if inside:
        stop = len(text) - 1 if cell else len(text)
        spans.append(Span(text[start:stop], start, stop))
    outside = _masked(text, spans) if "'" in text or "‘" in text else ""
    singles = _SINGLE_QUOTE.finditer(outside) if _may_open_single(outside) else ()
    for q in singles:
        spans.append(Span(q.group(), q.start(), q.end()))
    spans.sort(key=lambda q: q.start)
    return spans, inside


def _may_open(
    text: str, marks: str, before: Callable[[str], bool], after: Callable[[str], bool]
) -> bool:
    """Whether one of ``marks`` stands in ``text`` with a character that ``before``
    accepts before it ("" at the start) and one that ``after`` accepts after it ("" at
    the end): the prefilter of a costly single-quote pattern, which can open only there
    (most apostrophes stand inside a word, "it's")."""
    for mark in marks:
        at = text.find(mark)
        while at >= 0:
            if before(text[at - 1] if at else "") and after(text[at + 1 : at + 2]):
                return True
            at = text.find(mark, at + 1)
    return False


def _may_open_single(text: str) -> bool:
    """Where a ``_SINGLE_QUOTE`` match could start: ‘ or ' after no word character, ’
    or ', before an ASCII letter."""
    return _may_open(text, "'‘", _not_after_word, _ascii_letter)


def _not_after_word(ch: str) -> bool:
    return not (ch and (ch.isalnum() or ch in "_’'"))


def _ascii_letter(ch: str) -> bool:
    return ch.isascii() and ch.isalpha()


def _masked(text: str, spans: Iterable[Span]) -> str:
    if not spans:
        return text  # (most units quote nobody)
    chars = list(text)
    for s in spans:
        chars[s.start : s.end] = _MASK * (s.end - s.start)
    return "".join(chars)


# Wire datelines ("WASHINGTON (Reuters) - ") name the outlet, not a source of the claim.
_DATELINE = re.compile(
    r"^(?:[A-Z][A-Z .,'’/-]{2,40}(?:\s*\([^)]{2,30}\))?|"
    r"[A-Z][\w.'’-]*(?:[ ,]+[A-Z][\w.'’-]*){0,4}\s*\([A-Z][\w.&/ -]{1,28}\))\s*[-–—]+\s+"
)


def _may_be_dateline(masked: str) -> bool:
    """What every ``_DATELINE`` match needs: a capital A-Z first and a dash, and two more
    capitals or marks of a place name next (the first form) or a bracket (the second)."""
    return (
        "A" <= masked[:1] <= "Z"
        and ("-" in masked or "–" in masked or "—" in masked)
        and (all(c in _DATELINE_PLACE for c in masked[1:3]) or "(" in masked)
    )


_DATELINE_PLACE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ .,'’/-")


# ---------------------------------------------------------------------------------------
# Reporting verbs. STRONG verbs report speech whenever a source stands before them;
# the others double as ordinary verbs or nouns ("shares added 2%", "an estimated 300",
# "member states") and count only with a reporting complement or at the sentence's tail.


def _inflect(*bases: str) -> str:
    """A regex alternation of the forms of regular verbs: base, -s, -ed (not -ing).

    "hint" gives hint|hints|hinted; "praise" praise|praises|praised; "deny" deny|denies|
    denied; a base written "admit+" doubles its last letter (admitted). Irregular forms
    are listed as they are.
    """
    out: list[str] = []
    for b in bases:
        double = b.endswith("+")
        b = b.rstrip("+")
        if b.endswith("e"):
            forms = [b, b + "s", b + "d"]
        elif re.search(r"[^aeiou]y$", b):
            forms = [b, b[:-1] + "ies", b[:-1] + "ied"]
        elif re.search(r"(?:s|sh|ch|x|z)$", b):
            forms = [b, b + "es", b + "ed"]
        else:
            forms = [b, b + "s", (b + b[-1] if double else b) + "ed"]
        out.extend(forms)
    return "|".join(sorted(set(out), key=lambda w: (-len(w), w)))


# Speech acts: whenever a source stands before them they report what it said. Verbs
# whose base or -s form is also a common noun ("member states", "his comments", "a
# pledge") count in their past form only.
_STRONG = "|".join(
    [
        "said|says|say|told|tells|saying|adding|noting|arguing|warning|insisting|"
        # the participles of speech acts whose finite forms are below (", urging …")
        "urging|accusing|criticizing|criticising|denouncing|praising|blaming|"
        "claiming|stressing|explaining|citing|forecast|forecasts|tweets|stresses|"
        "spoke\\s+of|pointed\\s+out|points\\s+out|point\\s+out|telling|tweeting|"
        "called\\s+(?:again\\s+)?(?:for|on)|calls\\s+(?:for|on)|calling\\s+(?:for|on)|"
        # phrasal verbs of speech: "fired back", "lashed out at", "pointed to the cost"
        "fired\\s+back|fires\\s+back|shot\\s+back|lashed\\s+out|lashes\\s+out|"
        "pointed\\s+to|points\\s+to",
        _inflect(
            "accuse",
            "announce",
            "insist",
            "argue",
            "warn",
            "explain",
            "acknowledge",
            "admit+",
            "testify",
            "deny",
            "assert",
            "concede",
            "emphasise",
            "emphasize",
            "complain",
            "contend",
            "allege",
            "declare",
            "predict",
            "urge",
            "reiterate",
            "reaffirm",
            "retort",
            "assure",
            "reassure",
            "recount",
            "clarify",
            "speculate",
            "confess",
            "insinuate",
            "opine",
            # evaluative speech acts: the claim is the speaker's judgement
            "criticise",
            "criticize",
            "condemn",
            "denounce",
            "laud",
            "lambast",
            "berate",
            "chide",
            "scold",
            "castigate",
            "decry",
            "deplore",
            "applaud",
            "commend",
            "disparage",
            "belittle",
            "deride",
        ),
        "|".join(
            f
            for f in _inflect(
                "state",
                "tweet",
                "stress",
                "caution",
                "comment",
                "remark",
                "recall",
                "reply",
                "respond",
                "vow",
                "pledge",
                "promise",
                "counter",
                "quip+",
                "joke",
                "boast",
                "lament",
                "shout",
                "yell",
                "scream",
                "chant",
                "grumble",
                "muse",
                "maintain",
                "elaborate",
                "blog+",
                "text",
                "hint",
                "praise",
                "hail",
                "blame",
                "fault",
                "slam+",
                "blast",
                "rubbish",
                "mock",
                "ridicule",
                "rebuke",
            ).split("|")
            if f.endswith("ed")
        ),
    ]
)
# A strong verb used for motion or a physical act: "slammed into", "hailed from".
_NOT_SPEECH_AFTER = re.compile(r"\s+(?:into|onto|through|shut|from|down\s+on)\b")
# The -s forms of speech verbs that are also plural nouns ("member states", "his
# comments"): reporting only before "that" ("the book states that …").
_THAT_ONLY = frozenset(
    "states vows pledges promises recalls hints cautions maintains comments remarks "
    "replies responds counters".split()
)
# "that" opening a clause with its own subject, not a relative ("states that signed").
_THAT_CLAUSE = re.compile(
    r"\s+that\s+(?!(?:is|are|was|were|has|have|had|will|would|can|could|may|might|must|"
    r"should|did|does|do|\w+ed)\b)"
)
# Verbs that double as ordinary verbs or nouns ("shares added 2%", "an estimated 300",
# "ruled the country"): reporting only with a complement or at the sentence's tail.
_COMPLEMENT = "|".join(
    [
        "wrote|writes|write|found|finds|find|showed|shown|shows|show|showing|thought|think|thinks|"
        "feared|fear|fears|reckon|reckons|believe|believes|believed|asked|asks|continued|"
        "continues|wondered|wonders|" + "|".join(sorted(_THAT_ONLY)),
        _inflect(
            "add",
            "note",
            "report",
            "confirm",
            "claim",
            "estimate",
            "disclose",
            "reveal",
            "post",
            "suggest",
            "indicate",
            "expect",
            "agree",
            "rule",
            "conclude",
            "determine",
            "calculate",
            "project",
            "mention",
            "observe",
            "signal+",
            "certify",
        ),
    ]
)
# Naming verbs report a judgement only with "as" or a quote after their object:
# "called the decision “short-sighted”", "described the car as undriveable"; not
# "called the police", "dismissed the case".
_LABELLING = frozenset(
    _inflect(
        "describe",
        "dismiss",
        "brand",
        "label+",
        "dub+",
        "characterise",
        "characterize",
        "portray",
        "call",
        "quote",
    ).split("|")
    + ["labelled", "labeled", "labels", "label"]
)
_LABELLING_COMPLEMENT = re.compile(r"[^,.;#]{0,60}?(?:\bas\b|#)")
# Verbs of inference: "the data suggest" names a source, "the move suggests" is the
# writer's reading of an event; these need a named, speaker or document source.
_INFERENCE = frozenset(_inflect("suggest", "indicate", "signal+", "imply").split("|"))
# Weak verbs whose complement must be a clause or a particle: "ruled that", "ruled out".
_STRICT_COMPLEMENT = frozenset(_inflect("rule", "conclude", "determine", "observe").split("|"))
_STRICT_RIGHT = re.compile(r"\s*(?:that\b|:|out\b|in\s+favou?r\b|against\b)")
# Verbs of speaking proper: whatever stands before them as a short noun phrase is the
# speaker, and what follows is what was said, with or without "that" ("She said the
# plan was dead", "“We won,” he told donors."): no complement is needed.
_SUBJECT_GERUNDS = frozenset(
    {"saying", "adding", "noting", "arguing", "warning", "insisting", "telling", "tweeting"}
    | {"urging", "accusing", "criticizing", "criticising", "denouncing", "praising", "blaming"}
)
_SAY_VERBS = frozenset({"said", "says", "say", "told", "tells", "tell"})
_SAID_NOTHING = re.compile(
    r"\s+(?:(?:so|very)\s+)?(?:little|nothing|anything)\b(?!\s+(?:more|less))"
)
# Question verbs report a question only with one: a quote, a colon, "whether/if/why …"
# ("asked the court to dismiss the case" is a request, not a report).
_QUESTION_VERBS = frozenset({"asked", "asks", "wondered", "wonders"})
_QUESTION_RIGHT = re.compile(
    r"(?:\s+[\w’'.-]+){0,5}?\s*(?:,\s*#|:|#)|(?:\s+[\w’'.-]+){0,5}?,?\s+"
    r"(?:whether|if|why|how|what|who|when|where)\b|,\s+\w+ing\b|(?:\s+[\w’'.-]+){0,4}\s*[.!]\s*$"
)
# A reporting clause set off mid-sentence: "By then, they said, the bank was …".
_PARENTHETICAL_LEFT = re.compile(r"[,—–(]\s*[^,—–()#;:]{1,60}$")
_PARENTHETICAL_RIGHT = re.compile(r"(?:\s+(?:on|late on|early on|last|this|in)\s+\w+)?\s*[,—–)]")

# After "found": a clause with its own verb ("found Democrats favored Clinton").
_FOUND_CLAUSE = re.compile(
    r"\s+(?:[\w’'-]+\s+){1,3}(?:\w+ed|is|are|was|were|has|have|had|will|would|could|"
    r"should|can|may|might)\b"
)

_VERB = re.compile(
    rf"\b(?:(?P<strong>{_STRONG})|(?P<weak>{_COMPLEMENT}|{'|'.join(sorted(_LABELLING))}))\b"
)
# The first word of every reporting verb: _VERB is tried only where one stands, instead
# of trying its long alternation at every word boundary (same matches, much faster).
_VERB_FIRST = frozenset(
    w.split("\\s+")[0]
    for w in alternatives(_STRONG + "|" + _COMPLEMENT + "|" + "|".join(_LABELLING))
)


def _verb_matches(masked: str, words: set[str] | None = None) -> list[re.Match[str]]:
    """The matches of ``_VERB.finditer(masked)``, found through their first word.

    ``words``: the distinct words of ``masked`` (``_TOKEN``), if already read, or any
    set holding them (``_unit_tokens``: a word found only folded is not where it is
    looked for, case as given). Only the words that can start a verb are looked for,
    each where it stands as a whole word.
    """
    firsts = (set(_TOKEN.findall(masked)) if words is None else words) & _VERB_FIRST
    if not firsts:
        return []
    return _matches_at(_VERB, masked, (at for w in firsts for at in _whole_word_starts(masked, w)))


def _matches_at(pattern: re.Pattern[str], text: str, starts: Iterable[int]) -> list[re.Match[str]]:
    """What ``pattern.finditer(text)`` finds when its matches can begin only at
    ``starts`` (any order, a superset) and none is empty: the pattern is tried there,
    left to right, each from the end of the last match on."""
    out: list[re.Match[str]] = []
    end = 0
    for at in sorted(starts):
        if at < end:
            continue
        m = pattern.match(text, at)
        if m:
            end = m.end()
            out.append(m)
    return out


_TOKEN = re.compile(r"\w+")


def _whole_word_starts(text: str, word: str) -> Iterator[int]:
    r"""Where ``word`` (word characters only) stands in ``text`` as a whole ``_TOKEN``, case
    as given: what ``(?<!\w)word(?!\w)`` finds, by ``str.find`` (re's ``\w`` is
    ``str.isalnum`` or "_", character by character)."""
    n, size = len(word), len(text)
    at = text.find(word)
    while at >= 0:
        end = at + n
        if not (at and (text[at - 1].isalnum() or text[at - 1] == "_")) and not (
            end < size and (text[end].isalnum() or text[end] == "_")
        ):
            yield at
        at = text.find(word, end)


_ISSUED = re.compile(
    r"\b(?:issued|issues|released|releases|put\s+out|sent\s+out)\s+(?:a|an|the|this|its|his|"
    r"her|their)\s+(?:following\s+|brief\s+|short\s+|written\s+|joint\s+|new\s+)?"
    r"(?:statement|message|response)\b"
)
_ACCORDING = re.compile(r"\b[Aa]ccording to\b")
# A frame begins with one of these words, as written or capitalised (it is looked for
# only where one stands: _frames).
_FRAME_WORDS = ("in", "during", "via", "through")
_FRAME = re.compile(
    r"\b(?:"
    + "|".join(f"[{w[0].upper()}{w[0]}]{w[1:]}" for w in _FRAME_WORDS)
    + r")\s+(?:(?:a|an|its|his|her|their|the)\s+"
    r"(?:[\w-]+\s+){0,2}?(?:statement|interview|press release|post|posting|filing|letter|"
    r"briefing|speech|memo|e-mail|email|tweet|video message|news conference|press conference|"
    r"op-ed|blog post|message|address|testimony|report|note to clients|lawsuit|complaint|"
    r"ruling|judge?ment|indictment|affidavit|submission|podcast|column|essay|"
    r"announcement|notice|newsletter|remarks|comments|court papers|court documents|"
    r"court filings?|written evidence|evidence)s?|(?:court\s+(?:papers|documents|filings)|"
    r"remarks|comments|written\s+(?:evidence|testimony|remarks)|testimony|"
    r"(?:a\s+)?response\s+to\s+(?:a\s+)?questions?)(?:\s+(?:to|before|at|on|with)\s+"
    r"[\w-]+(?:\s+[\w-]+)?)?)\b"
)


def _frames(masked: str, tokens: set[str] | None = None) -> list[re.Match[str]]:
    """``_FRAME.finditer(masked)``, tried only where a frame's first word stands.
    ``tokens``: ``_unit_tokens(masked)``, if already read (a word standing whole in
    ``masked`` is among them, lower-cased)."""
    return _matches_at(
        _FRAME,
        masked,
        (
            at
            for w in _FRAME_WORDS
            if tokens is None or w in tokens
            for form in (w, w.capitalize())
            for at in _whole_word_starts(masked, form)
        ),
    )


_PLATFORM = re.compile(
    r"\s*\b(?:on|in)\s+(?:Telegram|X|Twitter|Facebook|Instagram|YouTube|TikTok|LinkedIn|"
    r"Weibo|WeChat|Truth Social|Bluesky|Threads|(?:its|his|her|their|the)\s+(?:\w+\s+)?"
    r"(?:website|blog|channel|account|feed)|social media|state (?:television|TV|media)|"
    r"television|radio)\b"
)
# A platform later in the same clause: "posted a video on Truth Social".
_PLATFORM_LATER = re.compile(r"[^,.;#]{1,60}?" + _PLATFORM.pattern)
# Words after a weak verb that make it reporting: a clause or a quote follows.
_REPORT_COMPLEMENT = re.compile(
    r"\s*(?:that\b|:|#|,\s*#|,\s+\w+ing\b)|\s+(?:what|how|why|whether)\b|"
    r"\s+(?:the|a|an|its|his|her|their|this|it|he|she|they|"
    r"[A-Z][\w’'-]*)\b[^,.;#]{0,60}?\b(?:will|would|could|can|may|might|is|was|are|were|"
    r"had|has|have|to|(?:do|does|did|is|was|are|were|wo|ca)n[’']t)\b"
)
# Words after an unambiguous tail cue: ", X added." / ", it reported on Tuesday."
_TAIL = re.compile(
    r"(?:\s+(?:on|late on|early on|last|this|in|at|earlier|later|yesterday|today)"
    r"(?:\s+[\w’'-]+){0,3}|\s+during(?:\s+[\w’'-]+){1,6})?\s*[.!]?\s*#*\s*$"
)
# After the source of an inverted cue ("…,” said Jane Doe.") the sentence ends or a new
# phrase starts; "…, said the school was closing" is a reported clause instead.
_INVERTED_END = re.compile(
    r"\s*(?:[,.;:!?#—–()]|$|\s-\s|(?:on|in|at|late|early|earlier|later|last|this|"
    r"when|after|before|as|who|in\s+a)\b)"
)
_MODAL_BEFORE = re.compile(
    r"\b(?:could|can|may|might|would|will|should|must|shall|does|do|did|to)\s+(?:\w+ly\s+)?$"
)
# ("as well" is an adverb, no comparison: "… the term as well and called for …")
_COMPARISON = re.compile(r"\b(?:than|as)\s+(?!well\b)(?:[\w’'-]+\s+){0,4}$", re.I)
_PASSIVE_BEFORE = re.compile(r"\b(?:is|are|was|were|be|been|being|get|got)\s+(?:\w+ly\s+)?$")
_PASSIVE_BY = re.compile(r"\s+by\s+")
# Adjectival and idiomatic uses of the weak verbs: "an estimated 300", "confirmed cases",
# "shares added 2%", "all told".
_NOT_REPORTING_BEFORE = re.compile(
    r"(?:\b(?:an|the|a|of|\d[\d,.]*|value|all|his|her|its|their|our|my|your)\s+|\w[’']s\s+|-)$",
    re.I,
)
# How every match of _NOT_REPORTING_BEFORE ends, lower-cased, spaces left out, when not
# with a number.
_NOT_REPORTING_ENDS = tuple("an the a of value all his her its their our my your ’s 's -".split())
_FIGURE_VERBS = {"added", "adds", "posted", "posts", "claimed", "claims", "reported", "reports"}
_NOT_REPORTING_AFTER = re.compile(
    r"\s+(?:[\d$€£¥]|up\b|down\b|to\b(?!\s+(?:reporters|journalists|the\s+press))|"
    r"the\s+(?:lives|title|crown|victory|trophy|seat)\b|lives\b|victory\b|"
    r"responsibility\b|a\s+(?:profit|loss)\b|(?:a\s+)?(?:net\s+)?(?:profit|loss|"
    r"revenue|sales|earnings|gains?|losses)\b)"
)
_NEGATED = re.compile(
    r"\b(?:not|n[’']t|never|no\s+longer|declined\s+to|refused\s+to|failed\s+to)\s+"
    r"(?:\w+\s+)?$",
    re.I,
)
# Reported absence of a statement: the outlet asserting its own inquiry came to nothing.
_NEGATED_REPORTING = re.compile(
    r"\b(?:(?:did|does|do|has|have|had|would|could|will)\s*(?:not|n[’']t)\s+"
    r"(?:yet\s+|immediately\s+|publicly\s+)?(?:respond|reply|comment|return|share|shared|"
    r"confirm|say|disclose|reveal|provide|release|answer)\w*|declined\s+to\s+\w+|"
    r"refused\s+to\s+(?:comment|say|confirm|answer)|could\s+not\s+(?:immediately\s+)?be\s+"
    r"reached|(?:was|were)\s+not\s+(?:immediately\s+)?available\s+for\s+comment|"
    r"no\s+comment)\b",
    re.I,
)
# Hearsay without a source: the guidelines call these unattributed.
_HEARSAY = re.compile(
    r"\b(?:(?:is|are|was|were|be|been)\s+)?said\s+to\s+(?:be|have|are|been)\b|"
    r"\b(?:reportedly|allegedly|purportedly|rumou?red|supposedly)\b|"
    r"\b(?:reports|rumou?rs)\s+(?:suggest|say|said|indicate|claim)\w*|"
    r"\b(?:is|are|was|were)\s+(?:understood|believed|thought|reported|rumou?red)\s+to\b|"
    r"\bit\s+(?:is|was)\s+(?:understood|believed|reported|said|claimed)\b",
    re.I,
)

# ---------------------------------------------------------------------------------------
# Sources. A source is a short noun phrase right before the cue (or after an inverted or
# "according to" cue). It must look like a who or a what that can speak: a capitalised
# name, a pronoun, or one of the nouns news uses for speakers and documents.

_PRONOUNS = {"he", "she", "they", "it", "we", "i"}
_SPEAKER_NOUNS = frozenset(
    """
    official officials analyst analysts expert experts source sources spokesman
    spokeswoman spokesperson spokespeople company firm agency ministry department
    government police authorities prosecutors prosecutor lawyer lawyers attorney
    attorneys researchers researcher scientists scientist economists economist residents
    resident witnesses witness report reports study survey statement data figures poll
    polls court judge president minister chief executive director officer leader leaders
    commission council union group bank regulator regulators campaigners activists
    people person investors traders doctors board committee administration military army
    manager coach organisers organizers statistics documents filing critics supporters
    opponents observers diplomats diplomat insiders insider employees workers staff
    spokesmen party parliament congress senator lawmakers lawmaker mayor governor ceo
    founder chairman chairwoman chair secretary authority agencies ministries officers
    medics paramedics team club study's research findings results records census index
    operator utility airline carrier hospital university school service services office
    watchdog inspectors investigators family relatives neighbours neighbors owner owners
    landlord tenants forecasters meteorologists economists' trader strategist
    strategists commentators pollster pollsters nasa spokesmen's cosmonaut astronaut
    astronauts correspondent reporter newspaper agency's outlet broadcaster daily
    magazine journal paper website media press outlets newspapers tv television radio
    surveys studies modelling modeling forecasts projections estimates
    authors author council
    annotators annotator councillor councillors councilman councilwoman alderman coroner
    inquest inquiry tribunal jury panel review audit memo letter lawsuit complaint
    indictment affidavit testimony transcript papers spokespeople professor physician
    surgeon nurse teacher engineer farmer farmers parent parents fans player players
    captain referee voters consumers customers shoppers passengers travellers travelers
    motorists commuters locals villagers homeowners charity charities campaign
    association federation institute foundation ngo defence defense plaintiffs
    plaintiff defendant defendants shopkeeper shopkeepers specialist specialists
    ambassador envoy negotiators negotiator premier chancellor senators governors mayors
    brigade coastguard ombudsman auditor auditors sheriff detectives detective constable
    commissioner inspector inspectorate prosecution counsel barrister solicitor
    scholars academics historian historians planners regulator's percent majority
    respondents aide aides adviser advisers advisor advisors allies ally spokesmen
    friends lobbyists organization organisation organizations organisations
    """.split()
)
_VAGUE_NOUNS = frozenset(
    """
    official officials analyst analysts expert experts source sources people person
    insiders insider observers critics diplomats diplomat someone residents witnesses
    reports commentators aide aides adviser advisers advisor advisors allies friends
    """.split()
)
_DOCUMENT_NOUNS = frozenset(
    """
    data figures survey poll polls study report research analysis records documents
    statistics census filing filings results footage video images findings index
    estimates minutes audit polling outcome tally count numbers average returns emails
    transcripts transcript photos photographs pictures videos recordings recording tape
    tapes logs ratings projections forecasts models
    """.split()
)
_LEAD_WORDS = frozenset(
    """
    but and however yet so also meanwhile separately earlier later then now still
    instead while as though although and, or if
    """.split()
)
_TRAIL = re.compile(
    r"(?:\s+(?:has|have|had|also|previously|later|earlier|again|repeatedly|publicly|"
    r"separately|then|would|will|did|does|do|had|officially|recently|once|first|"
    r"immediately|(?:last|this)\s+(?:past\s+)?\w+|(?:late\s+|early\s+)?on\s+\w+|in\s+\w+|"
    r"at\s+the\s+time|on\s+\w+\s+\w+|"
    # any manner adverb ("loudly asked"), but not the nouns that end in -ly
    r"(?!(?:family|ally|rally|assembly|supply|monopoly|anomaly|bully|daily|weekly|"
    r"monthly|quarterly|elderly|july|italy|tally|lily|holly|fly|butterfly|jelly|belly|"
    r"gully|homily)\b)[a-z]+ly))+$"
)
_BOUNDARY = re.compile(
    r"[,;:()\[\]#—–]|\s-\s|\b(?:that|which|who|whom|whose|because|when|where|whether|"
    r"after|before|since|until|than|if|unless|although|though|while|but)\b"
)
_WORD = re.compile(r"[\w’'&.@-]+")
_MAX_SOURCE_WORDS = 9
_COPULAS = frozenset({"is", "was", "are", "were"})
# A long name ending in a speaker or document noun ("the USC Dornsife/Los Angeles Times
# Daybreak national tracking poll") may run longer.
_MAX_HEADED_SOURCE_WORDS = 13
_RELATIVE_END = re.compile(r"(?<=[\w.’'])\s*,?\s*\b(?:who|which)\s*$")


def _is_cap(word: str) -> bool:
    return word[:1].isupper() or word[:1].isdigit() is False and word.isupper()


def _looks_like_source(words: list[str], at_sentence_start: bool) -> tuple[bool, bool]:
    """(is a plausible source, is a vague one) for the words of a candidate phrase."""
    if not words:
        return False, False
    lowered = [w.lower().rstrip(".,") for w in words]
    if len(words) == 1 and lowered[0] in {"i", "we"}:
        return False, False  # the writer's own voice outside quotes: opinion, not a source
    if len(words) == 1 and lowered[0] in _PRONOUNS:
        return True, False
    if len(words) == 1 and lowered[0] in {"some", "many", "others", "most", "several"}:
        return True, True  # "Some accused him of …": speakers left unnamed
    if lowered[0] in {"this", "that", "these", "those", "there", "what", "which"} and not (
        len(words) > 1 and lowered[0] != "what" and set(lowered[1:]) & _SPEAKER_NOUNS
    ):  # "this source told the Post" names its speaker
        return False, False
    heads = {w.removesuffix("’s").removesuffix("'s") for w in lowered}
    # A capital that opens the sentence on a determiner or speaker noun names no one.
    named = any(map(_is_cap, words[1:])) or (
        _is_cap(words[0])
        and not (at_sentence_start and (lowered[0] in _DETERMINERS or lowered[0] in _SPEAKER_NOUNS))
    )
    speaker = bool(heads & _SPEAKER_NOUNS or heads & _DOCUMENT_NOUNS)
    familiar = "familiar" in lowered or "knowledge" in lowered or "briefed" in lowered
    vague = not named and bool(heads & _VAGUE_NOUNS or familiar)
    return named or speaker or familiar, vague


_DETERMINERS = {"the", "a", "an", "its", "his", "her", "their", "our", "one", "two", "some"}
_QUANTIFIERS = {"another", "many", "several", "each", "both", "most", "all", "other", "few"}


def _source_before(masked: str, end: int, *, structural: bool = False) -> tuple[Span | None, bool]:
    """The source phrase that ends just before ``end`` (the cue), if there is one.

    ``structural``: the cue has a reporting complement or closes the sentence, so any
    short noun phrase with a determiner or a name is accepted ("the airport said.").
    """
    left = masked[:end]
    cut = 0
    for m in _BOUNDARY.finditer(left):
        cut = m.end()
    chunk = left[cut:]
    if not chunk.strip() and (rel := _RELATIVE_END.search(left)):
        # "President Obama, who claimed …": the antecedent of "who" is the speaker.
        return _source_before(masked, rel.start(), structural=structural)
    bare = chunk.rstrip()
    if trail := _TRAIL.search(bare):
        bare = bare[: trail.start()]
    if not bare.strip() and cut > 0 and left[cut - 1] in ",)—–":
        # "Jane Doe, the chief executive, said", "Jane Doe, however, has said", "Jane
        # Doe (who …) said": skip back over the appositive.
        before = left[: cut - 1]
        stop = cut if left[cut - 1] in ")—–" else cut - 1
        # Up to three appositives and relative clauses: "Jane Doe, 45, a teacher, said";
        # "The ministry, which has resisted …, said".
        for _ in range(3):
            prev = max(before.rfind(c) for c in ",#;(—–")
            if prev < 0:
                break
            inner = _source_before(masked, prev, structural=structural)
            if inner[0] is not None:
                return Span(masked[inner[0].start : stop], inner[0].start, stop), inner[1]
            before = before[:prev]
        return None, False
    chunk = chunk.rstrip()
    trail = _TRAIL.search(chunk)
    if trail:
        chunk = chunk[: trail.start()]
    words = list(_WORD.finditer(chunk))
    while words and words[0].group().lower() in _LEAD_WORDS:
        words.pop(0)
    copulas = [k for k, w in enumerate(words) if w.group() in _COPULAS]
    if copulas and copulas[-1] + 1 < len(words):
        words = words[copulas[-1] + 1 :]  # "One such politician was Barack Obama, who …"
    if (
        not words
        or len(words) > _MAX_SOURCE_WORDS
        and (
            len(words) > _MAX_HEADED_SOURCE_WORDS
            or words[-1].group().lower() not in _SPEAKER_NOUNS | _DOCUMENT_NOUNS
        )
    ):
        return None, False
    start, stop = cut + words[0].start(), cut + words[-1].end()
    at_start = not masked[:start].strip(" #")
    ok, vague = _looks_like_source([w.group() for w in words], at_start)
    first = words[0].group()
    if not ok and structural and len(words) <= 6:
        ok = first.lower() in _DETERMINERS | _QUANTIFIERS or (_is_cap(first) and not at_start)
    if first.lower() in {"neither", "no", "none", "nobody", "nor"}:
        ok = False  # "Neither company disclosed …": a reported absence
    if not ok:
        return None, False
    return Span(masked[start:stop], start, stop), vague


_VERBISH = re.compile(
    r"^(?:is|are|was|were|has|have|had|will|would|can|could|may|might|must|should|did|"
    r"does|do|said|says|told|\w+ed|blamed|urged|expects|warns|plans|wants|hopes|agreed|"
    r"wrote|spoke|went|came|gave|took|made|met|sent|left|ran|won|lost|held|began|got|"
    r"put|saw|knew|thought|felt|kept|brought|stood|tweeted|posted)$"
)


_SPACES = re.compile(r"\s*")
_SOURCE_END = re.compile(r"[,;:()#—–.!?]|\s-\s|\b(?:that|who|which|and said|said|says)\b")
_LETTER_NEXT = re.compile(r"\s?[A-Za-z]")
_INITIAL_BEFORE = re.compile(r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|St|Gen|Sen|Rep|Gov))$")


def _source_after(masked: str, start: int, *, loose: bool = False) -> tuple[Span | None, bool]:
    """The source phrase that starts at ``start`` ("according to X", ", said Jane Doe").

    ``loose``: the cue names a source whatever it is ("according to the schedule
    published Thursday"), so a determiner phrase is accepted and a participle does not
    end it.
    """
    m = _SPACES.match(masked, start)
    pos = m.end() if m else start
    stop = len(masked)
    # A period inside an abbreviation or initial ("U.S.", "J. Smith") is not the end.
    for bm in _SOURCE_END.finditer(masked, pos):
        if bm.group() == "." and _LETTER_NEXT.match(masked[bm.end() : bm.end() + 2]):
            # (a match is at most 3 characters and \b sees the one before the window)
            if _INITIAL_BEFORE.search(masked, max(0, bm.start() - 4), bm.start()):
                continue
        stop = bm.start()
        break
    words = list(_WORD.finditer(masked[pos:stop]))
    # Stop before the first word that looks like a verb: "the ministry blamed …".
    for i, w in enumerate(words):
        if i > 0 and _VERBISH.match(w.group()) and not _is_cap(w.group()):
            if loose and w.group().endswith("ed") and w.group() not in {"said", "told"}:
                continue  # "recently hacked documents", "the schedule published Thursday"
            words = words[:i]
            break
    words = words[:_MAX_SOURCE_WORDS]
    if not words:
        return None, False
    s, e = pos + words[0].start(), pos + words[-1].end()
    ok, vague = _looks_like_source([w.group() for w in words], False)
    if not ok and loose:
        first = words[0].group()
        ok = first.lower() in _DETERMINERS | _QUANTIFIERS or _is_cap(first) or len(words) > 1
    return (Span(masked[s:e], s, e), vague) if ok else (None, False)


# A speaker label (transcripts, round-ups of reactions): "JOEL SMITH: …", "Jane Doe, Fox
# News: “…”". The label is a name: capitalised words, optionally with an affiliation
# after a comma; words that head notes and page furniture ("Editor's note:", "Update:",
# "Watch:") and dates are not speakers.
_SPEAKER_LABEL = re.compile(
    r"^\s*(?P<src>[A-Z][\w.’'-]*(?:\s[A-Z][\w.’'-]*){0,4}"
    r"(?:,\s(?:[A-Z][\w.’'&-]*|of|the|and|for)(?:\s(?:[A-Z][\w.’'&-]*|of|the|and|for)){0,5})?)"
    r"\s*:\s+(?=[#\w])"
)
_NOT_SPEAKER_WORDS = frozenset(
    """
    editor editor's editor’s editors note update updated correction clarification photo
    photos photograph photographs picture pictures pic illustration graphic map composite
    file images footage video watch read related breaking exclusive warning source sources
    credit credits caption image listen question answer q a pictured topics tags
    published posted advertisement sponsored opinion analysis review summary background
    context timeline key why what how here this that the it he she they we i day step
    part chapter live latest more also see note: plus bottom update: fact reality
    earlier later previously meanwhile next now elsewhere first second third finally
    monday tuesday wednesday thursday friday saturday sunday january february march april
    may june july august september october november december today yesterday tonight
    """.split()
)


def _speaker_label(masked: str) -> Span | None:
    m = _SPEAKER_LABEL.match(masked)
    if m is None:
        return None
    words = [w.lower() for w in _WORD.findall(m.group("src"))]
    if not words or words[0] in _NOT_SPEAKER_WORDS or set(words) & _NOT_SPEAKER_WORDS - {"a"}:
        return None
    if len(words) == 1 and not (words[0].isalpha() and len(words[0]) > 2):
        return None
    return Span(m.group("src"), m.start("src"), m.end("src"))


_LEAD_ADVERBS = re.compile(
    r"\s*(?:(?:but|and|so|then|yet|still|later|earlier|meanwhile|however|also|now|"
    r"instead|separately|previously|again)\b,?\s*)*$",
    re.I,
)


# "is/was (still) calling for", "are saying": a progressive; its subject is before "is".
_PROGRESSIVE_BEFORE = re.compile(
    r"\b(?:is|are|was|were|am|been|began|begun|begins|started|starts|kept|keeps)\s+"
    r"(?:(?:also|now|still|again|\w+ly)\s+)?$"
)
# A message that says something: "sent a tweet saying", "a petition calling on".
_MESSAGE_BEFORE = re.compile(
    r"\b(?:tweet|statement|letter|message|petition|post|video|ad|note|memo|e-?mail|release|"
    r"op-ed|column|resolution|motion|report|speech)s?\s+$"
)
_WENT_ON = re.compile(r"\b(?:went|goes|go|going|then\s+went)\s+on\s+to\s+$")
_SUBORDINATE = re.compile(r"\b(?:after|before|when|since|because|until|while|once)\s+$", re.I)


_MANNER_ADVERB = re.compile(r"(?!(?:family|ally|rally|assembly|supply|daily)$)[a-z]+ly")
_AND_BEFORE = re.compile(r"(?:,?\s+and|,)\s+(?:(?:then|also|later)\s+)?$")


def _coordinated_subject(masked: str, end: int) -> tuple[Span | None, bool]:
    """The subject of the clause that ends at ``end`` before "and" ("he laughed", "Trump
    went after Clinton … and"): the words up to the clause's first verb, if they name a
    source. The nearest clause boundary with a subject and a verb after it starts it."""
    left = masked[:end]
    cuts = [0] + [b.end() for b in _BOUNDARY.finditer(left)]
    for cut in reversed(cuts):
        words = list(_WORD.finditer(left, cut))
        while words and words[0].group().lower() in _LEAD_WORDS:
            words.pop(0)
        verbs = (i for i, w in enumerate(words) if _VERBISH.match(w.group()))
        verb = next((i for i in verbs if not _is_cap(words[i].group())), None)
        if verb is None:
            continue
        if verb == 0 or verb > _MAX_SOURCE_WORDS:
            return None, False
        subject = words[:verb]
        while len(subject) > 1 and _MANNER_ADVERB.fullmatch(subject[-1].group()):
            subject.pop()  # "The department repeatedly obfuscated …"
        at_start = not masked[: subject[0].start()].strip(" #")
        ok, vague = _looks_like_source([w.group() for w in subject], at_start)
        if not ok:
            return None, False
        s, e = subject[0].start(), subject[-1].end()
        return Span(masked[s:e], s, e), vague
    return None, False


def _main_subject(masked: str, src: Span) -> bool:
    """The source opens the sentence (after a quote or a linking adverb at most): it is
    the subject of the main clause ("He explained …"), not of a clause inside it
    ("… after it warned on profits")."""
    before = masked[: src.start].replace(_MASK, " ").rstrip(" ,")
    return bool(_LEAD_ADVERBS.fullmatch(before))


# Short patterns of _find_attribution, compiled once.
_AS_BEFORE = re.compile(r"\b[Aa]s\s+$")
_TO_BEFORE = re.compile(r"\b(?:to|let's|let us)\s+$")
_TO_BE_AFTER = re.compile(r"\s+to\s+(?:be|have)\b")
_COMMA_OR_BY_BEFORE = re.compile(r"(?:,|\bby)\s*$")
_QUOTE_COMMA_BEFORE = re.compile(r",\s*[”\"]\s*$")
_TANK_AFTER = re.compile(r"\s+tanks?\b")
_INVERTED_BEFORE = re.compile(r"[#,][”\"]?\s*$")
_QUOTE_END_BEFORE = re.compile(r"#\s*,?\s*$")
_THAT_AFTER = re.compile(r"\s*that\b")
_OBJECT_AFTER = re.compile(r"\s+(?:the|a|an|its|his|her|their|no|on|in|\w+ly)\b")
_COMMA = re.compile(r"\s*,\s*")

# How every match of these patterns on the words before a cue ends, spaces at the end
# left out (the last word, ", " of _AND_BEFORE): a window ending otherwise is not
# searched (``str.endswith`` is far cheaper than a search, which tries each position).
_LAST_WORDS: dict[re.Pattern[str], tuple[str, ...]] = {
    _AS_BEFORE: ("as", "As"),
    _TO_BEFORE: ("to", "let's", "us"),
    _WENT_ON: ("to",),
    _PASSIVE_BEFORE: tuple("is are was were be been being get got ly".split()),
    _PROGRESSIVE_BEFORE: tuple(
        "is are was were am been began begun begins started starts kept keeps also now "
        "still again ly".split()
    ),
    _MODAL_BEFORE: tuple(
        "could can may might would will should must shall does do did to ly".split()
    ),
    _AND_BEFORE: ("and", ",", "then", "also", "later"),
    _COMMA_OR_BY_BEFORE: (",", "by"),
    _MESSAGE_BEFORE: tuple(
        "tweet statement letter message petition post video ad note memo mail release ed "
        "column resolution motion report speech s".split()
    ),
}


def _not_reporting_before(near: str, low: str | None) -> bool:
    """``_NOT_REPORTING_BEFORE`` matches ``near`` (``low``: ``near`` lower-cased, if without
    ``_TO_FOLD``: without, re.IGNORECASE equates no other letter with those of the words)."""
    if low is not None:
        t = low.rstrip()
        if not (t.endswith(_NOT_REPORTING_ENDS) or t.rstrip(",.")[-1:].isdecimal()):
            return False
    return _search(_NOT_REPORTING_BEFORE_C, near, low) is not None


def _before(pattern: re.Pattern[str], near: str, tail: str) -> re.Match[str] | None:
    r"""``pattern.search(near)`` for a pattern of ``_LAST_WORDS``; ``tail``: ``near.rstrip()``
    (re's \s and ``str.isspace`` are the same characters)."""
    return pattern.search(near) if tail.endswith(_LAST_WORDS[pattern]) else None


def _find_attribution(
    masked: str,
    text: str,
    verbs: list[re.Match[str]] | None = None,
    lowered: str | None = None,
    tokens: set[str] | None = None,
    gates: set[int] | None = None,
) -> tuple[Attribution | None, Span | None]:
    """The best attribution cue with its source, and a negated cue seen on the way.

    ``verbs``: ``_verb_matches(masked)``, if already found; ``lowered``: ``masked``
    lower-cased, if without ``_TO_FOLD`` (see ``_Compiled``); ``tokens``:
    ``_unit_tokens(masked)``, if already read; ``gates``: ``_editorial_candidates`` of
    it, if already found (a frame is looked for only with a word it needs)."""
    found: list[tuple[float, Attribution]] = []
    negated: Span | None = None

    def add(rank: float, cue: Span, src: Span, kind: str, vague: bool) -> None:
        src = Span(text[src.start : src.end], src.start, src.end)
        found.append(
            (
                rank,
                Attribution(Span(text[cue.start : cue.end], cue.start, cue.end), src, kind, vague),
            )
        )

    label = _speaker_label(masked) if ":" in masked else None
    if label is not None:
        colon = masked.index(":", label.end)
        add(2.2, Span(":", colon, colon + 1), label, "speaker_label", False)

    issued = "statement" in masked or "message" in masked or "response" in masked
    for m in _ISSUED.finditer(masked) if issued else ():
        # "X issued the following statement:", "X released a statement, “…”"
        if not _NEGATED.search(masked[: m.start()]):
            src, vague = _source_before(masked, m.start(), structural=True)
            if src:
                add(2.0, Span(m.group(), m.start(), m.end()), src, "verb", vague)

    for m in _ACCORDING.finditer(masked) if "ccording to" in masked else ():
        src, vague = _source_after(masked, m.end(), loose=True)
        if src:
            add(3.0, Span(m.group(), m.start(), m.end()), src, "according_to", vague)

    for m in _verb_matches(masked) if verbs is None else verbs:
        cue = Span(m.group(), m.start(), m.end())
        left, right = masked[: m.start()], masked[m.end() :]
        # Patterns anchored at the cue look only at the words just before it.
        near = left[-120:]
        tail = near.rstrip()
        low = None if lowered is None else lowered[len(left) - len(near) : len(left)]
        if _search(_NEGATED_C, near, low):
            negated = negated or cue
            continue
        if _before(_AS_BEFORE, near, tail) and (by := _PASSIVE_BY.match(right)):
            # "As reported by Western Journalism, …"
            src, vague = _source_after(masked, m.end() + by.end())
            if src:
                add(1.5, cue, src, "passive_by", vague)
            continue
        ing = m.group().split()[0].endswith("ing")  # "saying", "calling on"
        if not ing and _before(_PASSIVE_BEFORE, near, tail):
            by = _PASSIVE_BY.match(right)
            if by and m.group() != "said":
                src, vague = _source_after(masked, m.end() + by.end())
                if src:
                    add(1.5, cue, src, "passive_by", vague)
            continue
        progressive = ing and _before(_PROGRESSIVE_BEFORE, near, tail)
        if went := _before(_WENT_ON, near, tail) or progressive:
            # "He went on to say, “…”": the verb's subject stands before "went on to"; "the
            # group is calling on …", "others are saying": before the auxiliary.
            at = len(left) - len(near) + went.start()
            cue = Span(masked[at : m.end()], at, m.end())
            left = left[:at]
            near = left[-120:]
            tail = near.rstrip()
            low = None if lowered is None else lowered[len(left) - len(near) : len(left)]
        elif _before(_TO_BEFORE, near, tail):
            continue  # "to say"; "declined to comment" is handled as negation
        if m.group() == "said" and _TO_BE_AFTER.match(right):
            continue  # "X said to be …": passive hearsay, no source
        as_clause = False
        if cm := _search(_COMPARISON_C, near, low):
            # "than expected", "as expected": a comparison. "as the bank predicted", "as a
            # reporter noted," name who said it.
            if not cm.group()[:2].lower() == "as" or _source_before(masked, m.start())[0] is None:
                continue
            as_clause = True
        gerund = m.group() in _SUBJECT_GERUNDS or m.group().startswith("calling")
        if gerund and not progressive:
            # ", saying …", "by saying …", "… “Golden Week,” saying": the speaker is the
            # subject of the sentence; so after a noun of a message ("sent a tweet saying").
            if (
                _before(_COMMA_OR_BY_BEFORE, near, tail)
                or _QUOTE_COMMA_BEFORE.search(text[max(0, m.start() - 6) : m.start()])
                or _before(_MESSAGE_BEFORE, near, tail)
            ):
                src, vague = _source_after(masked, 0)
                if src:
                    add(1.8, cue, src, "verb", vague)
            continue
        weak = m.group("weak") is not None
        verb = m.group()
        if verb in _THAT_ONLY and not _THAT_CLAUSE.match(right):
            continue  # "member states", "his comments"; "the report states that …" reports
        if weak and _not_reporting_before(near, low):
            continue
        if not weak and verb not in _SAY_VERBS and _NOT_SPEECH_AFTER.match(right):
            continue
        if verb in _LABELLING and not _LABELLING_COMPLEMENT.match(right):
            continue  # "called the police", "dismissed the case"
        if verb in _STRICT_COMPLEMENT and not _STRICT_RIGHT.match(right):
            continue  # "ruled the country", "observed a minute's silence"
        if verb not in {"said", "say", "says"} and _before(_MODAL_BEFORE, near, tail):
            continue  # "could signal", "will announce": not a report of what was said
        if m.group() in _FIGURE_VERBS and _NOT_REPORTING_AFTER.match(right):
            continue
        if m.group() in {"think", "thinks"} and _TANK_AFTER.match(right):
            continue  # "think tank"
        if verb in _SAY_VERBS and _SAID_NOTHING.match(right):
            continue  # "has said little about it": the outlet's own statement
        complement = bool(
            _REPORT_COMPLEMENT.match(right)
            or _TAIL.fullmatch(right)
            or verb in _SAY_VERBS
            or verb in _LABELLING  # its "as" or quote was checked above
            or as_clause
            or (_PARENTHETICAL_LEFT.search(near) and _PARENTHETICAL_RIGHT.match(right))
        )
        if verb in _QUESTION_VERBS:
            # "asked the crowd, “Can she stay?”", "asked whether …"; "…?” he asked."
            complement = bool(_QUESTION_RIGHT.match(right) or _TAIL.fullmatch(right))
            if not complement:
                continue
        # Inverted order: "…,” said Jane Doe." / "…, says the report."
        if _INVERTED_BEFORE.search(near) and m.group() in {
            "said",
            "says",
            "added",
            "wrote",
            "explained",
            "noted",
            "continued",
            "asked",
            "insisted",
            "argued",
            "warned",
            "told",
            "writes",
            "adds",
            "notes",
            "explains",
            "argues",
            "warns",
            "insists",
            "asks",
            "continues",
            "tweeted",
            "recalled",
            "replied",
            "responded",
        }:
            src, vague = _source_after(masked, m.end())
            if (
                src
                and (
                    _is_cap(src.text)
                    or src.text.split()[0].lower() in _DETERMINERS
                    or _QUOTE_END_BEFORE.search(left)
                )
                and _INVERTED_END.match(masked, src.end)
            ):
                add(2.5, cue, src, "verb", vague)
                continue
        src, vague = _source_before(masked, cue.start, structural=complement)
        rank = 2.0
        if src is None and (both := _before(_AND_BEFORE, near, tail)):
            # "he laughed and said, “…”": the subject of the first verb says it (below a
            # cue of the first verb's own: "X said … and said …").
            src, vague = _coordinated_subject(masked, len(left) - len(near) + both.start())
            rank = 1.9
        if src is None:
            continue
        if src.text.lower() in _PRONOUNS and (
            not (complement or _main_subject(masked, src))
            or _SUBORDINATE.search(masked[max(0, src.start - 20) : src.start])
            # "… when she said the deal was dead": what she said is in the sentence
            and not (verb in _SAY_VERBS and right.strip(" ,.#"))
        ):
            continue  # "after it warned on profits": an event, not a report
        if verb in _INFERENCE:
            # "The move suggests …" is the writer's reading of an event; "the data
            # suggest …" and "officials suggested …" name a source.
            ok, _ = _looks_like_source(src.text.split(), not masked[: src.start].strip(" #"))
            if not ok or src.text.lower() in _PRONOUNS:
                continue
        shown = m.group() in {
            "showed",
            "shown",
            "shows",
            "show",
            "showing",
            "found",
            "finds",
            "find",
            "indicated",
            "indicates",
            "indicate",
        }
        if shown:
            # "Data showed …" names a document; "X showed on Telegram a video" names the
            # origin of what is reported (guidelines: attributed). Otherwise ordinary use.
            heads = {w.lower().strip(".,;:’'") for w in src.text.split()}
            finding = (
                verb in {"found", "finds"}
                and src.text.lower() not in _PRONOUNS
                and _looks_like_source(src.text.split(), not masked[: src.start].strip(" #"))[0]
                and _FOUND_CLAUSE.match(right)
            )  # "The Gazette found voters backed …", not "Smith found the keys"
            if heads & _DOCUMENT_NOUNS or _THAT_AFTER.match(right) or finding:
                add(rank, cue, src, "verb", vague)
            elif _PLATFORM.match(right) or _PLATFORM_LATER.match(right):
                add(1.0, cue, src, "shown", vague)
            elif verb.startswith("indicat") and complement:
                add(rank, cue, src, "verb", vague)  # "Clinton has indicated she would …"
            continue
        if verb in _LABELLING:
            add(rank, cue, src, "verb", vague)  # its "as" or quote was checked above
            continue
        if weak:
            if m.group() in {"posted", "posts", "wrote", "writes"} and (
                _PLATFORM.match(right) or _PLATFORM_LATER.match(right)
            ):
                add(rank, cue, src, "verb", vague)
            elif complement:
                add(rank, cue, src, "verb", vague)
            elif m.group() in {
                "confirmed",
                "confirms",
                "disclosed",
                "revealed",
                "reported",
                "estimated",
                "estimates",
                "predicted",
                "claimed",
                "claims",
                "reports",
                "noted",
                "notes",
            } and _OBJECT_AFTER.match(right):
                add(1.5, cue, src, "verb", vague)
            continue
        add(rank, cue, src, "verb", vague)

    # A frame counts only when no other cue was found, and only the first that names a
    # source.
    framed = not found and (gates is None or _FRAME_GATE in gates)
    for m in _frames(masked, tokens) if framed else ():
        cue = Span(m.group(), m.start(), m.end())
        if not found:
            after = _COMMA.match(masked[m.end() :])
            if after:
                src, vague = _source_after(masked, m.end() + after.end())
            else:
                src, vague = _source_after(masked, 0)
            if src and src.end <= m.start() or src and after:
                add(1.2, cue, src, "frame", vague)
    if not found:
        return None, negated
    # Prefer the strongest cue; among equals, the last one (the tail attribution of a
    # long sentence governs it, "… , Roscosmos said.").
    found.sort(key=lambda f: (f[0], f[1].cue.start))
    return found[-1][1], negated


# ---------------------------------------------------------------------------------------
# Editorial cues, with weights: 1.0 is enough on its own, 0.5 needs company. The rules are
# data (annotate/data/editorial.toml): patterns for constructions, and families of single
# words (intensifiers, evaluative adjectives, the writer's "we") looked up by token.

_EDITORIAL_RULES = Path(__file__).resolve().parents[1] / "data" / "editorial.toml"


def _load_editorial() -> tuple[
    list[tuple[re.Pattern[str], float]], dict[str, tuple[float, str]], dict[str, Any]
]:
    """(patterns with weights, word -> (weight, family), the raw rules) from the data file."""
    rules = tomllib.loads(_EDITORIAL_RULES.read_text(encoding="utf-8"))
    patterns = [
        (re.compile("".join(p["regex"]), re.I), float(p["weight"])) for p in rules["pattern"]
    ]
    words: dict[str, tuple[float, str]] = {}
    for family in rules.get("words", ()):
        for w in family["words"].split():
            words[w.lower()] = (float(family["weight"]), family["name"])
    return patterns, words, rules


_EDITORIAL, _EDITORIAL_WORDS, _EDITORIAL_DATA = _load_editorial()
_EDITORIAL_MARKS: dict[str, float] = {k: float(v) for k, v in _EDITORIAL_DATA["marks"].items()}
_PREDICATIVE = {
    f["name"]: float(f["predicative_weight"])
    for f in _EDITORIAL_DATA.get("words", ())
    if "predicative_weight" in f
}
# A copula (and up to two degree words) right before a word: the word is the predicate,
# the point of the sentence ("the response was utterly absurd"), not a passing adjective.
_COPULA_BEFORE = re.compile(
    r"\b(?:is|are|was|were|be|been|being|seems?|seemed|remains?|remained|looks?|looked|"
    r"becomes?|became|proved|proves|sounds?|[’']s|[’']re)\s+(?:(?:not|so|too|very|more|most|"
    r"less|rather|quite|all|both|just|\w+ly)\s+){0,2}$",
    re.I,
)
# A question of this form asserts its answer ("Isn't it time …?"): editorial, not a question.
_RHETORICAL = next(
    pattern
    for (pattern, _), rule in zip(_EDITORIAL, _EDITORIAL_DATA["pattern"], strict=True)
    if rule["name"] == "rhetorical-questions"
)


# Running every editorial pattern over every unit was the largest cost of suggest_all:
# each pattern starts with \b and a long list of words, which Python's re tries word by
# word at every word boundary. Instead the unit's words are read once, and a pattern
# runs only if the unit has a word that every match of it needs ("mistake" for "a
# mistake"). The patterns then run exactly as before, in the same order, so the hits
# are the same. The needed words are read from the patterns themselves, so the lexicon
# has one home; a pattern they cannot be read from runs on every unit.

try:  # the regex parser is a private module, renamed in Python 3.11
    from re import _parser as _sre_parse  # type: ignore[attr-defined]
except ImportError:  # pragma: no cover
    import sre_parse as _sre_parse  # type: ignore[no-redef]

# The only non-ASCII characters that re.IGNORECASE matches to ASCII letters.
_ASCII_FOLD = str.maketrans({"\u0130": "i", "\u0131": "i", "\u017f": "s", "\u212a": "k"})
_TO_FOLD = re.compile("[\u0130\u0131\u017f\u212a]")


def _lowered(masked: str) -> str | None:
    """``masked`` lower-cased if it holds none of the four ``_TO_FOLD`` marks, else None:
    lower-casing keeps every other character where it was (İ alone becomes two)."""
    if not masked.isascii() and _TO_FOLD.search(masked):
        return None
    return masked.lower()


def _is_space_run(op: Any, av: Any) -> bool:
    r"""\s+ (at least one): the next word character starts a word."""
    if op not in (_sre_parse.MAX_REPEAT, _sre_parse.MIN_REPEAT) or av[0] < 1:
        return False
    body = list(av[2])
    return (
        len(body) == 1
        and body[0][0] is _sre_parse.IN
        and list(body[0][1]) == [(_sre_parse.CATEGORY, _sre_parse.CATEGORY_SPACE)]
    )


# A needed word is (its lower-case letters, whether it is a whole word of the text or
# only the beginning of one).
_Needed = frozenset[tuple[str, bool]]
# Lower-case letters of Latin-1 (à … ÿ, not ÷): re.IGNORECASE matches each to itself and
# its capital only, as str.lower() of the text does, so they may stand in a needed word.
_LATIN_LETTERS = frozenset(chr(c) for c in range(0xE0, 0x100)) - {"\u00f7"}


def _word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _ends_word(ops: list[Any], j: int, after: bool) -> bool:
    r"""Whether every match of ``ops[j:]`` starts with a non-word character or at the
    end of the text, so that a word of a match ends right before it. ``after``: the same
    for what follows ``ops`` in the pattern. Unsure cases say no."""
    if j >= len(ops):
        return after
    op, av = ops[j]
    if op is _sre_parse.LITERAL:
        return not _word_char(chr(av))
    if op is _sre_parse.AT:
        return av in (_sre_parse.AT_BOUNDARY, _sre_parse.AT_END, _sre_parse.AT_END_STRING)
    if _is_space_run(op, av):
        return True
    if op is _sre_parse.IN:
        return all(
            (o is _sre_parse.LITERAL and not _word_char(chr(a)))
            or (o is _sre_parse.CATEGORY and a is _sre_parse.CATEGORY_SPACE)
            for o, a in av
        )
    rest = _ends_word(ops, j + 1, after)
    if op in (_sre_parse.BRANCH, _sre_parse.SUBPATTERN):
        alts = av[1] if op is _sre_parse.BRANCH else [av[-1]]
        return all(_ends_word(list(alt), 0, rest) for alt in alts)
    if op in (_sre_parse.MAX_REPEAT, _sre_parse.MIN_REPEAT):
        body = _ends_word(list(av[2]), 0, rest)
        return body and (av[0] >= 1 or rest)
    return False


def _needed_words(ops: list[Any], at_start: bool = False, after: bool = False) -> _Needed | None:
    r"""Lower-case words, one of which stands in every match of the parsed pattern
    ``ops`` at the start of a word of the text, each either that whole word or only its
    beginning; None when no such set can be told. ``after``: what follows ``ops`` in the
    pattern starts with a non-word character (``_ends_word``).

    A word counts where a literal run begins right after \b, \s+ or a literal ASCII
    non-word character (so at the start of a word of the text), cut at its first
    non-word or non-ASCII character (but for the simply cased ``_LATIN_LETTERS``); it is
    the whole word when a non-word character, \s or \b must follow the run. Of the sets
    found along a sequence, the one whose shortest word is longest is the most selective
    (a whole word counts one letter more).
    """
    found: list[_Needed] = []
    i = 0
    while i < len(ops):
        op, av = ops[i]
        i += 1
        if op is _sre_parse.AT:
            at_start = av is _sre_parse.AT_BOUNDARY
        elif _is_space_run(op, av):
            at_start = True
        elif op is _sre_parse.LITERAL:
            word = ""
            for op2, av2 in ops[i - 1 :] if at_start else ():
                ch = chr(av2) if op2 is _sre_parse.LITERAL else ""
                if not (ch.isascii() and _word_char(ch) or ch.lower() in _LATIN_LETTERS):
                    break
                word += ch.lower()
            if word:
                found.append(frozenset([(word, _ends_word(ops, i - 1 + len(word), after))]))
            # After an ASCII mark or space of the pattern a word of the text begins: the
            # "turn" of "U-turn" (far rarer than the "u" of "U.S.").
            at_start = chr(av).isascii() and not _word_char(chr(av))
        elif op in (_sre_parse.BRANCH, _sre_parse.SUBPATTERN):
            alts = av[1] if op is _sre_parse.BRANCH else [av[-1]]
            rest = _ends_word(ops, i, after)
            words = [_needed_words(list(alt), at_start, rest) for alt in alts]
            if all(w is not None for w in words):
                found.append(frozenset().union(*(w for w in words if w is not None)))
            at_start = False
        elif op in (_sre_parse.MAX_REPEAT, _sre_parse.MIN_REPEAT) and av[0] == 0:
            # An optional part ending in \s+ ("(?:real\s+)?question") leaves the next
            # literal at the start of a word whether it is there or not.
            body = list(av[2])
            at_start = at_start and bool(body) and _is_space_run(*body[-1])
        else:
            at_start = False
    if not found:
        return None
    return max(found, key=lambda ws: (min(len(w) + whole for w, whole in ws), -len(ws)))


# Each editorial pattern is indexed by its top-level alternatives ("pieces"): a unit tries
# only the alternatives its words allow. An alternative that cannot match anywhere in the
# unit never wins at any position, so leaving it out finds the same matches, and most
# units try one or two alternatives instead of a dozen (see _piece_matches).
def _pieces_of(pattern: re.Pattern[str]) -> list[str]:
    """The top-level alternatives of an editorial pattern, or the pattern whole if one
    of them can match the empty string (_piece_matches relies on none doing so)."""
    alts = alternatives(pattern.pattern)
    if any(_sre_parse.parse(a, pattern.flags).getwidth()[0] == 0 for a in alts):
        return [pattern.pattern]
    return alts


_ALTERNATIVES = [_pieces_of(p) for p, _ in _EDITORIAL]
_PIECES = [(k, a) for k, alts in enumerate(_ALTERNATIVES) for a in range(len(alts))]
# Present-tense verbs of photo captions (page furniture, below).
_CAPTION_VERB = re.compile(
    r"\b(?:sits|stands|is\s+seen|are\s+seen|poses|pose|looks\s+on|look\s+on|walks|walk|"
    r"gestures|gesture|speaks|attends|arrives|arrive|waves|wave|is\s+pictured|are\s+pictured)\b"
)
# Four costly patterns outside the lexicon are gated by the same index: numbered after
# the pieces, they run only on units with a word they need.
_GATED = (_HEARSAY, _NEGATED_REPORTING, _CAPTION_VERB, _FRAME)
_HEARSAY_GATE, _NEGATED_GATE, _CAPTION_GATE, _FRAME_GATE = range(
    len(_PIECES), len(_PIECES) + len(_GATED)
)


_CASED: dict[str, bool] = {}  # whether a source is _cased_ok, for those parsed anyway


def _cased_ok(ops: Any) -> bool:
    """Whether the parsed pattern ``ops`` asks for no upper-case letter, no cased letter
    beyond ASCII, no case-sensitive group and no back-reference: then, compiled without
    IGNORECASE, it matches a text lower-cased at the places where it matches the text
    itself with IGNORECASE, for any text without the four ``_TO_FOLD`` marks (the only
    characters that lower-casing moves or that IGNORECASE equates with an ASCII letter
    they do not lower-case to)."""
    for op, av in ops:
        if op in (_sre_parse.LITERAL, _sre_parse.NOT_LITERAL):
            if chr(av).lower() != chr(av) or not chr(av).isascii() and chr(av).upper() != chr(av):
                return False
        elif op is _sre_parse.IN:
            for o, a in av:
                if o is _sre_parse.RANGE:
                    chars = [chr(c) for c in range(a[0], a[1] + 1)]
                elif o in (_sre_parse.LITERAL, _sre_parse.NOT_LITERAL):
                    chars = [chr(a)]
                elif o in (_sre_parse.NEGATE, _sre_parse.CATEGORY):
                    chars = []
                else:
                    return False
                if any(c.lower() != c or not c.isascii() and c.upper() != c for c in chars):
                    return False
        elif op is _sre_parse.SUBPATTERN:
            if av[1] or av[2] or not _cased_ok(av[3]):
                return False  # (?-i:…) is case-sensitive
        elif op is _sre_parse.BRANCH:
            if not all(_cased_ok(b) for b in av[1]):
                return False
        elif op in (_sre_parse.MAX_REPEAT, _sre_parse.MIN_REPEAT):
            if not _cased_ok(av[2]):
                return False
        elif op in (_sre_parse.ASSERT, _sre_parse.ASSERT_NOT):
            if not _cased_ok(av[1]):
                return False
        elif op not in (_sre_parse.AT, _sre_parse.ANY, _sre_parse.CATEGORY):
            return False  # (a back-reference, an atomic group: not looked into)
    return True


def _editorial_index() -> tuple[
    dict[str, list[tuple[str, int]]], dict[str, frozenset[int]], frozenset[int]
]:
    """(first two letters -> [(needed beginning of a word, piece number)], needed whole
    word -> piece numbers, pieces that always run)."""
    index: dict[str, list[tuple[str, int]]] = {}
    whole: dict[str, set[int]] = {}
    always: set[int] = set()
    pieces = [(_ALTERNATIVES[k][a], _EDITORIAL[k][0].flags) for k, a in _PIECES]
    for n, (source, flags) in enumerate(pieces + [(p.pattern, p.flags) for p in _GATED]):
        try:
            parsed = _sre_parse.parse(source, flags)
            words = _needed_words(list(parsed))
            _CASED[source] = _cased_ok(parsed)  # (parsed once: for _Compiled)
        except Exception:  # pragma: no cover: another parser; run the pattern always
            words = None
        if words is None:
            always.add(n)
            continue
        for w, is_whole in words:
            if is_whole:
                whole.setdefault(w, set()).add(n)
            else:
                index.setdefault(w[:2], []).append((w, n))
    return index, {w: frozenset(ns) for w, ns in whole.items()}, frozenset(always)


_EDITORIAL_INDEX, _EDITORIAL_WHOLE, _EDITORIAL_ALWAYS = _editorial_index()


class _Compiled:
    """A pattern, compiled on first use, and its case-sensitive twin for the lower-cased
    text when the pattern is case-insensitive and ``_cased_ok`` (compiled on first use
    too): re's case-insensitive matching of a long alternation is several times slower
    than its case-sensitive matching of the same on the lower-cased text."""

    def __init__(
        self,
        source: str,
        flags: int,
        pattern: re.Pattern[str] | None = None,
        cased: bool | None = None,
    ) -> None:
        self.source, self.flags, self._pattern = source, flags, pattern
        self._twin: re.Pattern[str] | None = None
        if cased is None:
            cased = _CASED.get(source)
        if cased is None and flags & re.I:
            cased = _cased_ok(_sre_parse.parse(source, flags))
        self.cased = bool(cased and flags & re.I)

    def pick(self, text: str, lowered: str | None) -> tuple[re.Pattern[str], str]:
        """The pattern to use on ``text`` and the text to use it on (``lowered``:
        ``text`` lower-cased, when without ``_TO_FOLD``)."""
        if self.cased and lowered is not None:
            if self._twin is None:
                self._twin = re.compile(self.source, self.flags & ~re.I)
            return self._twin, lowered
        if self._pattern is None:
            self._pattern = re.compile(self.source, self.flags)
        return self._pattern, text


def _search(pattern: _Compiled, text: str, lowered: str | None) -> re.Match[str] | None:
    """``pattern.search(text)``, on ``lowered`` (``text`` lower-cased, when without
    ``_TO_FOLD``) when the case-sensitive twin can be used there: the same places."""
    compiled, used = pattern.pick(text, lowered)
    return compiled.search(used)


# The case-insensitive patterns of the rules tried on most units, with their twins.
_HEARSAY_C, _NEGATED_REPORTING_C, _NEGATED_C, _COMPARISON_C, _NOT_REPORTING_BEFORE_C = (
    _Compiled(p.pattern, p.flags, p)
    for p in (_HEARSAY, _NEGATED_REPORTING, _NEGATED, _COMPARISON, _NOT_REPORTING_BEFORE)
)
_PIECE_PATTERNS: dict[int, _Compiled] = {}
_WHOLE_PATTERNS = [
    _Compiled(p.pattern, p.flags, p, all(_CASED.get(piece, False) for piece in pieces))
    for (p, _), pieces in zip(_EDITORIAL, _ALTERNATIVES, strict=True)
]


def _piece_pattern(n: int) -> _Compiled:
    pattern = _PIECE_PATTERNS.get(n)
    if pattern is None:
        k, a = _PIECES[n]
        pattern = _PIECE_PATTERNS[n] = _Compiled(_ALTERNATIVES[k][a], _EDITORIAL[k][0].flags)
    return pattern


def _piece_matches(
    k: int, pieces: list[int], masked: str, lowered: str | None = None
) -> Iterator[re.Match[str]]:
    """The places (start, end) of the matches of editorial pattern k over ``masked``
    when only ``pieces`` of its alternatives can match there: what ``finditer`` of the
    whole pattern gives. ``lowered``: ``masked`` lower-cased, if without ``_TO_FOLD``."""
    if len(pieces) == len(_ALTERNATIVES[k]):
        patterns = [_WHOLE_PATTERNS[k]]
    else:
        patterns = [_piece_pattern(n) for n in pieces]
    chosen = [p.pick(masked, lowered) for p in patterns]
    return _alternation_matches([p for p, _ in chosen], [t for _, t in chosen])


def _alternation_matches(
    patterns: list[re.Pattern[str]], texts: list[str]
) -> Iterator[re.Match[str]]:
    """``finditer`` of the alternation "p1|p2|…" of ``patterns``, none of which matches
    the empty string (_pieces_of), each over its text of ``texts`` (one text, or its
    lower-cased form: the places are the same).

    The alternation matches at a position with the first alternative, in order, that
    matches there; finditer then goes on from the end of the match. So: the leftmost
    next match of each pattern, the earliest (the first pattern among equals) wins, and
    the patterns whose next match it overlaps search again from its end. ``search`` from
    a position sees the characters before it, as finditer does (\\b, lookbehinds, ^).
    """
    if len(patterns) == 1:
        yield from patterns[0].finditer(texts[0])
        return
    upcoming = [p.search(t) for p, t in zip(patterns, texts, strict=True)]
    while True:
        best = None
        for m in upcoming:
            if m is not None and (best is None or m.start() < best.start()):
                best = m
        if best is None:
            return
        yield best
        end = best.end()
        for i, m in enumerate(upcoming):
            if m is not None and m.start() < end:
                upcoming[i] = patterns[i].search(texts[i], end)


def _editorial_candidates(masked: str, tokens: set[str] | None = None) -> set[int]:
    """Numbers of the editorial patterns that can match somewhere in ``masked``.

    ``tokens``: the unit's words as ``_unit_tokens`` gives them, if already read.
    """
    found = set(_EDITORIAL_ALWAYS)
    # Most words start no pattern: those already known are dropped in one set operation.
    for t in (_unit_tokens(masked) if tokens is None else tokens) - _STARTS_NOTHING:
        found |= _token_candidates(t)
    return found


def _unit_tokens(masked: str) -> set[str]:
    """The distinct words of a unit, folded to lower-case ASCII as the index keys are.

    Folding the whole unit first reads the same words: every word character folds to
    one word character (İ is mapped to i before lower-casing, which would make it two).
    """
    if not masked.isascii():
        # The marks of news text beyond ASCII are no word characters: made spaces, most
        # units are ASCII and read as such.
        plain = masked
        for mark in _NON_ASCII_MARKS:
            if mark in plain:
                plain = plain.replace(mark, " ")
        if plain.isascii():
            masked = plain
    if masked.isascii():
        # ASCII word characters are [A-Za-z0-9_]: everything else is a space, and the
        # words are what split() leaves (much faster than findall).
        return set(masked.translate(_ASCII_WORDS).split())
    if _TO_FOLD.search(masked):  # (translate is slow on any text with a non-ASCII mark)
        masked = masked.translate(_ASCII_FOLD)
    return set(_TOKEN.findall(masked.lower()))


_NON_ASCII_MARKS = "’‘“”—–…«»„•·\u00a0"
# ASCII text lower-cased, with each character that is not a word character a space.
_ASCII_WORDS = str.maketrans(
    {c: (chr(c).lower() if chr(c).isalnum() or chr(c) == "_" else " ") for c in range(128)}
)


# Words repeat from unit to unit, so the patterns a word can start are looked up once.
_TOKEN_CANDIDATES: dict[str, frozenset[int]] = {}
_STARTS_NOTHING: set[str] = set()  # words seen that start no pattern


def _token_candidates(t: str) -> frozenset[int]:
    found = _TOKEN_CANDIDATES.get(t)
    if found is None:
        index = _EDITORIAL_INDEX
        found = _EDITORIAL_WHOLE.get(t, frozenset()).union(
            k
            for key in ((t[:2], t[:1]) if len(t) > 1 else (t,))
            for word, k in index.get(key, ())
            if t.startswith(word)
        )
        if len(_TOKEN_CANDIDATES) + len(_STARTS_NOTHING) > 100_000:
            _TOKEN_CANDIDATES.clear()  # a bound on memory over a long run
            _STARTS_NOTHING.clear()
        if found:
            _TOKEN_CANDIDATES[t] = found
        else:
            _STARTS_NOTHING.add(t)
    return found


def _editorial(
    masked: str,
    text: str,
    tokens: set[str] | None = None,
    candidates: set[int] | None = None,
    lowered: str | None | Literal[False] = False,
) -> tuple[tuple[Span, float], ...]:
    """The editorial cues of a unit with their weights: patterns first, then single words
    of the word families that no pattern hit covers.

    ``tokens``, ``candidates``, ``lowered``: ``_unit_tokens(masked)``,
    ``_editorial_candidates`` of it and ``_lowered(masked)``, if already found."""
    hits: list[tuple[Span, float]] = []
    seen: set[tuple[int, int]] = set()
    if tokens is None:
        tokens = _unit_tokens(masked)
    by_pattern: dict[int, list[int]] = {}
    if candidates is None:
        candidates = _editorial_candidates(masked, tokens)
    for n in sorted(candidates):
        if n < _HEARSAY_GATE:
            by_pattern.setdefault(_PIECES[n][0], []).append(n)
    firsts = tokens & _WORD_FIRST
    if lowered is False:
        lowered = _lowered(masked) if by_pattern or firsts else None
    for k, pieces in sorted(by_pattern.items()):  # in the rules' order
        weight = _EDITORIAL[k][1]
        for m in _piece_matches(k, pieces, masked, lowered):
            if any(s <= m.start() < e for s, e in seen):
                continue
            seen.add((m.start(), m.end()))
            hi = m.end()
            lo = hi - len(m.group().lstrip())  # a pattern's "^\s*" is not a cue
            hits.append((Span(text[lo:hi], lo, hi), weight))
    words = _EDITORIAL_WORDS
    # Every word of the families starts with a token of _WORD_FIRST: only those are read.
    for start, end in _family_words(masked, firsts, lowered):
        word = masked[start:end]
        found = words.get(word.lower())
        if found is None and ("’" in word or "'" in word):
            word = re.split("[’']", word, maxsplit=1)[0]  # "we’ll" is "we"
            found = words.get(word.lower())
        if found is None or (word.isupper() and len(word) > 1):
            continue  # "US" is a country, not the writer's "us"
        if any(s <= start < e for s, e in seen):
            continue
        weight, family = found
        if family == "writer-voice" and word[0].isupper() and _CAP_BEFORE.search(masked, 0, start):
            continue  # "Feeding Our Future": a name, not the writer
        if family in _PREDICATIVE and _COPULA_BEFORE.search(masked, max(0, start - 40), start):
            weight = _PREDICATIVE[family]
        hits.append((Span(text[start:end], start, end), weight))
    for mark, weight in _EDITORIAL_MARKS.items():
        at = masked.find(mark)
        if at >= 0:
            hits.append((Span(mark, at, at + len(mark)), weight))
    hits.sort(key=lambda h: h[0].start)
    return tuple(hits)


_CAP_BEFORE = re.compile(r"(?<!^)(?<![.!?]\s)\b[A-Z][\w’'-]*\s+$")

# A word of the word families: letters with inner hyphens or apostrophes ("ill-judged").
_WORDISH = re.compile(r"(?<!\w)[^\W\d_]+(?:[-’'][^\W\d_]+)*(?!\w)")
_WORD_FIRST = frozenset(re.split(r"[-’']", w, maxsplit=1)[0] for w in _EDITORIAL_WORDS)
_WORD_AT: dict[str, _Compiled] = {}


_Place = tuple[int, int]


def _family_words(masked: str, firsts: set[str], lowered: str | None = None) -> list[_Place]:
    """The places of the ``_WORDISH`` matches of ``masked`` whose first part is one of
    ``firsts`` (``lowered``: ``masked`` lower-cased, if without ``_TO_FOLD``).

    An ASCII first word is found in ``lowered`` by ``str.find``, its rest read by one
    pattern (``_FAMILY_REST``): a pattern of its own for each word, as for the others,
    took ~10% of the rules' time on the real pages in compiling alone."""
    out: list[_Place] = []
    for t in firsts:
        if lowered is not None and t.isascii():
            out.extend(_family_word_places(lowered, t))
            continue
        found = _WORD_AT.get(t)
        if found is None:
            found = _WORD_AT[t] = _Compiled(
                rf"(?<!\w)(?<!\w[-’']){re.escape(t)}(?:[-’'][^\W\d_]+)*(?!\w)", re.I
            )
        pattern, text = found.pick(masked, lowered)
        out.extend(m.span() for m in pattern.finditer(text))
    return out


# What may follow the first part of a family word ("ill" of "ill-judged"), to its end.
_FAMILY_REST = re.compile(r"(?:[-’'][^\W\d_]+)*(?!\w)")


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # (re's \w, character by character)


def _family_word_places(lowered: str, t: str) -> Iterator[_Place]:
    r"""What ``(?<!\w)(?<!\w[-’'])t(?:[-’'][^\W\d_]+)*(?!\w)`` finds in ``lowered``
    (matches of it cannot overlap: none starts inside a word or after an inner mark)."""
    at = lowered.find(t)
    while at >= 0:
        before = lowered[at - 1] if at else ""
        if not (before and _is_word_char(before)) and not (
            before and before in "-’'" and at >= 2 and _is_word_char(lowered[at - 2])
        ):
            rest = _FAMILY_REST.match(lowered, at + len(t))
            if rest:
                yield at, rest.end()
        at = lowered.find(t, at + 1)


# Speech in single quotation marks ("It read: ‘Sturgess can now play …’") is the speaker's,
# as inside double quotes; quote_spans leaves single quotes alone because ’ is also an
# apostrophe. A stretch of four words or more between an opening ‘ (or ' after a space or
# colon) and a closing one not followed by a letter is masked for the editorial scan only.
_SINGLE_QUOTED = re.compile(
    r"(?:(?<=[\s:(\[—–-])|^)(?:‘(?:[^’‘]|’(?=\w))+’|'(?:[^']|'(?=\w))+')(?!\w)"
)


def _single_quoted(masked: str) -> str:
    if "‘" not in masked and not _may_open_single_quoted(masked):
        return masked
    return _SINGLE_QUOTED.sub(
        lambda m: _MASK * len(m.group()) if len(m.group().split()) >= 4 else m.group(), masked
    )


def _may_open_single_quoted(masked: str) -> bool:
    """Where ``_SINGLE_QUOTED`` could open with a ': at the start or after a space or
    one of :([—–- (‘ is looked for apart)."""
    return _may_open(masked, "'", _opens_after, _any)


def _opens_after(ch: str) -> bool:
    return not ch or ch.isspace() or ch in ":([—–-"


def _any(ch: str) -> bool:
    return True


# The reported clause of a reporting verb whose source the rules did not accept ("the
# ruling that critics warned would backfire"): an opinion there is the speaker's, not the
# writer's (guidelines: reported opinion is not editorial). "I think", "we believe" are
# the writer's own voice and keep what follows.
_FIRST_PERSON_BEFORE = re.compile(r"\b(?:I|[Ww]e)\s+(?:\w+\s+)?$")


_OWN_FRAME_BEFORE = re.compile(r"\b(?:to|let's|let’s|let\s+us)\s+$", re.I)
_THAT_NEXT = re.compile(r"\s+that\b")


def _outside_reported_clause(
    masked: str, hits: tuple[tuple[Span, float], ...], verbs: list[re.Match[str]] | None = None
) -> tuple[tuple[Span, float], ...]:
    if sum(w for _, w in hits) < _UNANCHORED_SCORE:
        return hits  # too weak to make the unit editorial wherever it stands
    for m in _verb_matches(masked) if verbs is None else verbs:
        left = masked[: m.start()]
        if _FIRST_PERSON_BEFORE.search(left) or _NEGATED.search(left):
            continue
        if _OWN_FRAME_BEFORE.search(left):
            continue  # "fair to say that": the writer's own frame
        if m.group("strong") is None and not _THAT_NEXT.match(masked, m.end()):
            continue
        return tuple(h for h in hits if h[0].start < m.end())
    return hits


# ---------------------------------------------------------------------------------------
# Page furniture that slipped through cleaning: credits, prompts, captions, teasers.

_FURNITURE = re.compile(
    r"^\s*(?:PHOTOS?|PICTURES?|Photo|Picture|Image|Credits?|Source|Follow(?:\s+(?:topic|us))?|"
    r"Sign\s+up|Subscribe|Read\s+(?:more|also|next)|READ\s+(?:MORE|ALSO)|Click|Share|"
    r"Advertisement|ADVERTISEMENT|Related|RELATED|Watch|WATCH|Listen|Download|Copyright|"
    r"©|All\s+rights\s+reserved|Updated|Published|Posted|Editor[’']?s[’']?\s+[Nn]ote|By\s+[A-Z][\w.]+(?:\s+[A-Z][\w.]+)?"
    r"\s*$)\b[:\s]?"
)
_CREDIT = re.compile(
    r"\b(?:REUTERS|AFP|AP|EPA|Getty\s+Images|Bloomberg)/|\bAP\s+Photo\b|"
    r"\bFile\s+(?:photo|picture)\b|\(Photo:|\bPhoto\s*:"
)
# Every match of _CREDIT holds one of these: the costly pattern runs only then.
_CREDIT_MARKS = ("/", "AP", "File", "Photo")


def _may_be_credit(stripped: str) -> bool:
    return any(mark in stripped for mark in _CREDIT_MARKS)


_END_MARKS = (".", "!", "?", "…")
_CLOSING_MARKS = "”\"’')]"


def _terminal(stripped: str) -> bool:
    r"""Whether a unit (stripped) ends like a sentence: an end mark, then maybe spaces and
    closing quotes or brackets; or a closing double quote. (What the regex
    ``[.!?…]\s*[”"’')\]]*\s*$|[”"]\s*$`` finds, without trying it at every character.)"""
    if stripped.endswith(("”", '"')):
        return True
    return stripped.rstrip(_CLOSING_MARKS).rstrip().endswith(_END_MARKS)


def _furniture(
    masked: str,
    text: str,
    gates: set[int] | None = None,
    hearsay: re.Match[str] | None | Literal[False] = False,
) -> str | None:
    """Why the unit looks like page furniture, if it does. ``gates``: the unit's
    ``_editorial_candidates(masked)``, if already found; ``hearsay``: the unit's
    ``_HEARSAY.search(masked)`` if already tried (None for no match)."""
    stripped = text.strip()
    if _FURNITURE.match(stripped) or (_may_be_credit(stripped) and _CREDIT.search(stripped)):
        return _CREDIT_WHY
    if len(stripped.split(None, 2)) < 3:  # (fewer than three words)
        return "too short to state a claim"
    if masked.rstrip(" #").endswith("?") or stripped.endswith("?"):
        return QUESTION
    if not _terminal(stripped):
        if gates is None:
            gates = _editorial_candidates(masked)
        if _CAPTION_GATE in gates and _CAPTION_VERB.search(masked):
            return "a photo caption (present tense, no full stop)"
        if hearsay is False:
            hearsay = _HEARSAY_GATE in gates and _HEARSAY.search(masked)
        if hearsay:
            return "a teaser headline of another story (hearsay, no full stop)"
        return NO_FULL_STOP
    return None


NO_FULL_STOP = "no full stop: a headline, caption or teaser"
_CREDIT_WHY = "page furniture (credit, prompt or byline)"
QUESTION = "a question"


# ---------------------------------------------------------------------------------------


def analyse(text: str, *, open_at_start: bool = False) -> Analysis:
    """Find the cues of one unit. ``open_at_start``: a quote from earlier units is open."""
    return _analyse(text, open_at_start)


# News repeats itself: wire copy republished across outlets, boilerplate closing lines.
# The analysis of a unit depends on its text and the open-quote state only, and is
# immutable, so the most recent ones are kept (a bounded memory: about 2 kB each).
@lru_cache(maxsize=4096)
def _analyse(text: str, open_at_start: bool) -> Analysis:
    quotes, opens = quote_spans(text, open_at_start)
    masked = _masked(text, quotes)
    if _csv_quoted(text):  # the rules read the cell: its wrapping marks are blanks
        masked = f" {masked[1:-1]} "
    dateline = _DATELINE.match(masked) if _may_be_dateline(masked) else None
    if dateline:
        masked = _MASK * dateline.end() + masked[dateline.end() :]
    # The unit's words are read once for every rule that looks for words (the verbs'
    # first words are lower-case ASCII: each is among the folded tokens if it is there).
    tokens = _unit_tokens(masked)
    verbs = _verb_matches(masked, tokens)
    gates = _editorial_candidates(masked, tokens)
    lowered = _lowered(masked)
    attribution, negated = _find_attribution(masked, text, verbs, lowered, tokens, gates)
    hearsay = _search(_HEARSAY_C, masked, lowered) if _HEARSAY_GATE in gates else None
    if hearsay and attribution and hearsay.start() <= attribution.cue.start < hearsay.end():
        attribution = None  # "reports suggest …": the cue belongs to sourceless hearsay
    if negated is None and _NEGATED_GATE in gates:
        nm = _search(_NEGATED_REPORTING_C, masked, lowered)
        negated = Span(text[nm.start() : nm.end()], nm.start(), nm.end()) if nm else None
    quoted = _single_quoted(masked)
    same = quoted == masked  # no speech in single quotation marks was masked
    editorial = _editorial(quoted, text, *((tokens, gates, lowered) if same else ()))
    return Analysis(
        text=text,
        quotes=tuple(quotes),
        opens_quote=opens,
        attribution=attribution,
        hearsay=Span(text[hearsay.start() : hearsay.end()], hearsay.start(), hearsay.end())
        if hearsay
        else None,
        negated=negated,
        editorial=_outside_reported_clause(masked, editorial, verbs)
        if attribution is None
        else editorial,
        furniture=_furniture(masked, text, gates, hearsay),
    )


def _direct_quote(a: Analysis) -> bool:
    """At least one quote long enough to be speech rather than scare quotes."""
    return any(len(q.text.split()) >= 4 for q in a.quotes)


def _starts_with_quote(text: str) -> bool:
    s = unquoted_cell(text).lstrip()
    return bool(s) and (s[0] in _OPENERS or s[0] == _STRAIGHT or s[:2] in ("''", "``"))


def suggest_article(
    units: Sequence[tuple[str, str]], paragraphs: Sequence[int] | None = None
) -> list[Suggestion]:
    """Suggestions for an article's units, given as (kind, text) in reading order, with
    the index of each unit's paragraph when known.

    Linear in the number of units: the open-quote state and the speaker of the open
    quote are carried from one unit to the next. Sentences of a quote whose speaker is
    named only where it closes ("“We won. / We will win again,” she said.") are waiting
    until then, and are attributed to that speaker when the quote closes. A speaker label
    ("BENENSON: …") opens a turn: the sentences after it in its paragraph are the
    speaker's. Without paragraph numbers a turn runs on only after a label in capitals
    (a transcript's convention), up to the next label, for a few sentences at most.
    """
    out: list[Suggestion] = []
    analyses: list[Analysis] = []
    open_quote = False
    opener: int | None = None  # index of the unit where the open quote began
    waiting: list[int] = []  # units inside the open quote with no speaker yet
    tagged: list[int] = []  # a quote just closed with no speaker: "“…?” / Trump asked."
    unmarked = 0  # units in a row inside a carried quote without any quote mark
    turn: int | None = None  # the unit whose speaker label opened the current turn
    for i, (kind, text) in enumerate(units):
        if kind in (TITLE, HEADING):
            a = analyse(text)
            analyses.append(a)
            out.append(_label_heading(a, kind))
            open_quote, opener, waiting, turn = False, None, [], None
            continue
        was_open = open_quote
        a = analyse(text, open_at_start=open_quote)
        unmarked = unmarked + 1 if was_open and not _DOUBLE_MARK.search(text) else 0
        analyses.append(a)
        turn = _turn_goes_on(turn, i, a, analyses, paragraphs)
        speaker = _speaker_of_continuation(i, a, was_open, opener, analyses, out, units)
        if speaker is None and turn is not None and turn != i and a.attribution is None:
            speaker = (turn, 0.75)
        label = a.alone if speaker is None else _label(a, speaker, analyses)
        if (
            label.label == UNATTRIBUTED
            and speaker is None
            and was_open
            and opener is not None
            and out[opener].label == ATTRIBUTED
            and a.attribution is None
        ):
            # Inside a quote whose speaker is not named where it opens: still the
            # speaker's words (guidelines: every sentence inside the quote is attributed).
            label = Suggestion(
                ATTRIBUTED,
                0.5,
                "inside a quote whose speaker is not named",
                editorial=label.editorial,
            )
        out.append(label)
        att = a.attribution
        # The quote open at the start of this unit closes in it (and may open again:
        # "“…,” Smith said, “She told me …").
        closed_here = was_open and (not a.opens_quote or len(a.quotes) > 1)
        if tagged and att is not None and not a.quotes and _main_subject(a.text, att.source):
            for j in tagged:
                out[j] = _closing_speaker(analyses[j], att, i)
            tagged = []
        elif not (tagged and out[i].source is None and _starts_with_quote(text)):
            tagged = []  # quoted sentences in a row keep waiting for a tag together
        if (
            not a.opens_quote
            and out[i].source is None
            and _ends_closing_quote(text)
            and (was_open or a.quoted_share > 0.5)
        ):
            tagged = [*tagged, *waiting, i][-_MAX_WAITING:]
        if closed_here:
            # A quote of more than a few sentences without a mark is more likely a
            # stray or unmatched mark than one speaker's words.
            if att is not None and out[i].source is not None and len(waiting) <= _MAX_WAITING:
                for j in waiting:
                    out[j] = _closing_speaker(analyses[j], att, i)
            waiting = []
        if a.opens_quote and out[i].source is None:
            waiting.append(i)
        elif not a.opens_quote:
            waiting = []
        if a.opens_quote and (not was_open or closed_here or opener is None):
            opener = i
        # Long quotes re-open every paragraph with a mark: a quote carried over more
        # sentences than that without one comes from a stray or unmatched mark.
        open_quote = a.opens_quote and unmarked < _MAX_UNMARKED
        if not open_quote:
            opener = None
    return out


def _turn_goes_on(
    turn: int | None,
    i: int,
    a: Analysis,
    analyses: list[Analysis],
    paragraphs: Sequence[int] | None,
) -> int | None:
    """The unit whose speaker label opened the turn unit i belongs to, if any."""
    if a.attribution is not None and a.attribution.kind == "speaker_label":
        return i
    if turn is None or a.attribution is not None:
        return None
    if paragraphs is not None:
        return turn if paragraphs[i] == paragraphs[turn] else None
    label = analyses[turn].attribution
    in_capitals = label is not None and label.source.text.isupper()
    return turn if in_capitals and i - turn <= _MAX_UNMARKED else None


def _speaker_of_continuation(
    i: int,
    a: Analysis,
    was_open: bool,
    opener: int | None,
    analyses: list[Analysis],
    out: list[Suggestion],
    units: Sequence[tuple[str, str]],
) -> tuple[int, float] | None:
    """(index of the unit naming the speaker, confidence) when unit i continues a quote."""
    if i == 0:
        return None

    def named(j: int) -> int | None:
        s = out[j]
        if analyses[j].attribution is not None:
            return j
        return s.quote_of if s.quote_of is not None else None

    if was_open and opener is not None:
        j = named(opener)
        if j is None and opener > 0 and units[opener - 1][1].rstrip().endswith(":"):
            j = named(opener - 1)
        if j is not None:
            return j, 0.8
    if _starts_with_quote(a.text):
        prev = i - 1
        prev_text = units[prev][1].rstrip()
        lead = analyses[prev].attribution
        if prev_text.endswith(":") and lead is not None:
            return prev, 0.85
        if (
            lead is not None
            and lead.kind == "verb"
            and not analyses[prev].quotes
            and _LEAD_IN_END.fullmatch(prev_text, lead.cue.end)
        ):
            # "Sam Lau said in a statement. / “There are no ballots …": a sentence that is
            # only a reporting clause, then a quote: the quote is what was said.
            return prev, 0.75
        tag = prev > 0 and out[prev - 1].quote_of == prev  # "“…” / Trump said." before
        if (_direct_quote(analyses[prev]) or tag) and (j := named(prev)) is not None:
            # A quoted sentence right after an attributed quote: same speaker, weakly.
            return j, 0.65
    return None


# What may follow the cue of a sentence that is only a reporting clause: its time, place
# or occasion ("said in a statement.", "told reporters on Monday.").
_LEAD_IN_END = re.compile(
    r"(?:\s+(?:in|on|at|during|after|before|via|late|early|last|this|earlier|later|"
    r"yesterday|today|to\s+(?:reporters|journalists))\b(?:\s+[\w’'-]+){0,5})?\s*[.:]"
)
_MAX_UNMARKED = 6  # sentences a quote is carried over without any mark
_MAX_WAITING = 4  # sentences of one quote that wait for a speaker named after them


def _ends_closing_quote(text: str) -> bool:
    """Whether ``text`` ends with an end mark or comma and a closing double quote, spaces
    allowed around the quote (what ``[.!?,…]\\s*(?:[”»"]|'')\\s*$`` finds, without
    trying it at every character)."""
    s = unquoted_cell(text).rstrip()
    if s.endswith("''"):
        s = s[:-2]
    elif s.endswith(("”", "»", '"')):
        s = s[:-1]
    else:
        return False
    return s.rstrip().endswith((".", "!", "?", ",", "…"))


def _closing_speaker(a: Analysis, att: Attribution, closer: int) -> Suggestion:
    """A sentence inside a quote whose speaker is named in the later sentence closing it."""
    return Suggestion(
        ATTRIBUTED,
        0.75,
        f"inside a quote whose speaker “{att.source.text}” is named where it closes",
        source=att.source,
        quote_of=closer,
        editorial=tuple(s for s, _ in a.editorial),
    )


def _label_heading(a: Analysis, kind: str) -> Suggestion:
    return Suggestion(
        NOT_CLAIM,
        0.99,
        f"a {kind}, not a claim unit",
        cue=a.attribution.cue if a.attribution else None,
        source=a.attribution.source if a.attribution else None,
    )


# Guidelines, mixed sentences: an evaluation is editorial "when the evaluation is the
# point, unattributed when it is a passing adjective". A weaker cue carries the sentence
# when nothing checkable stands beside it: no figure, and no name after the first word.
_UNANCHORED_SCORE = 0.4
_ANCHOR = re.compile(r"\d|(?<=[\w,;:)]\s)[A-Z]")


def _unanchored(a: Analysis) -> bool:
    if a.hearsay is not None:
        return False
    masked = _masked(a.text, a.quotes)
    if _DIGIT.search(masked):
        return False
    return len(_NAME_RUN.findall(masked)) <= 2


_DIGIT = re.compile(r"\d")
_NAME_RUN = re.compile(r"(?<=[\w,;:)]\s)[A-Z][\w’'-]*(?:\s+[A-Z][\w’'-]*)*")


# A loaded word about the source ("propaganda outlets said") is a judgement on its own:
# less than the 1.0 a sentence needs, as much as a loaded label before a noun.
_FRAMING_SCORE = 0.6


def _framing(
    att: Attribution, hits: tuple[tuple[Span, float], ...]
) -> tuple[tuple[Span, float], ...]:
    """The editorial cues between the start of the source and the end of the cue: the
    writer's words about who speaks and how, not what they said."""
    lo = min(att.source.start, att.cue.start)
    hi = max(att.source.end, att.cue.end)
    return tuple(h for h in hits if lo <= h[0].start and h[0].end <= hi)


def _label(a: Analysis, speaker: tuple[int, float] | None, analyses: list[Analysis]) -> Suggestion:
    ed_spans = tuple(s for s, _ in a.editorial)
    score = a.editorial_score
    ed_words = ", ".join(f"“{s.text}”" for s, _ in a.editorial[:3])
    # A headline-style verdict ("Diplomacy wins over rivalry") is editorial; so is a
    # rhetorical question, which asserts its answer ("Isn't it time the council listened?").
    verdict = a.furniture == NO_FULL_STOP and score >= 1.0
    rhetorical = a.furniture == QUESTION and any(_RHETORICAL.fullmatch(s.text) for s in ed_spans)
    if (verdict or rhetorical) and a.attribution is None:
        kind = "a headline-style verdict" if verdict else "a rhetorical question"
        return Suggestion(
            EDITORIAL, 0.55, f"{kind} ({ed_words})", cue=a.editorial[0][0], editorial=ed_spans
        )
    if a.furniture and a.attribution is None and (speaker is None or a.furniture == _CREDIT_WHY):
        conf = 0.55 if a.furniture == NO_FULL_STOP else 0.75
        return Suggestion(NOT_CLAIM, conf, a.furniture, editorial=ed_spans)
    att = a.attribution
    if att is not None and att.source.text.lower() in {"i", "we"}:
        # "I would say that", "we find": the writer reporting the writer is opinion.
        return Suggestion(
            EDITORIAL,
            0.6,
            f"the writer's own voice “{att.source.text} {att.cue.text}”",
            cue=att.cue,
            editorial=ed_spans,
        )
    framing = _framing(att, a.editorial) if att is not None else ()
    if att is not None and sum(w for _, w in framing) >= _FRAMING_SCORE:
        # "Zakharova, who has made a career out of vitriol, described it as …", "the guidance
        # merely says …": the writer's evaluation of the source or of the act of saying is
        # the writer's own, whatever the source said (guidelines: editorial framing).
        words = ", ".join(f"“{s.text}”" for s, _ in framing[:3])
        return Suggestion(
            EDITORIAL,
            0.55,
            f"the writer frames the report “{att.cue.text}” ({words})",
            cue=framing[0][0],
            source=att.source,
            editorial=ed_spans,
        )
    if att is not None:
        conf = {
            "according_to": 0.92,
            "verb": 0.9,
            "passive_by": 0.85,
            "frame": 0.75,
            "shown": 0.65,
            "speaker_label": 0.8,
        }[att.kind]
        if att.vague:
            conf -= 0.1
        if att.source.text.lower() in _PRONOUNS:
            conf -= 0.05
        reason = f"reporting cue “{att.cue.text}” names the source “{att.source.text}”"
        if att.vague:
            reason += " (a vague source)"
        if att.kind == "shown":
            reason = (
                f"“{att.source.text} {att.cue.text}” on a platform names the origin "
                "of what is reported (weak cue)"
            )
        if score >= 1.0:
            conf = min(conf, 0.7)
            reason += f"; editorial wording too ({ed_words})"
        return Suggestion(
            ATTRIBUTED, round(conf, 2), reason, cue=att.cue, source=att.source, editorial=ed_spans
        )
    if speaker is not None:
        j, conf = speaker
        src = analyses[j].attribution
        assert src is not None
        name = src.source.text
        why = (
            f"in the turn of “{name}”, named by the speaker label before it"
            if src.kind == "speaker_label" and not a.quotes
            else f"continues a quote whose speaker “{name}” is named in an earlier sentence"
        )
        return Suggestion(
            ATTRIBUTED,
            conf,
            why,
            source=src.source,
            quote_of=j,
            editorial=ed_spans,
        )
    if a.quoted_share > 0.6 and _direct_quote(a) and _starts_with_quote(a.text):
        return Suggestion(
            ATTRIBUTED,
            0.55,
            "a direct quote whose speaker is not named here",
            cue=a.quotes[0],
            editorial=ed_spans,
        )
    if a.hearsay is not None:
        if score >= 1.0:
            return Suggestion(
                EDITORIAL,
                0.55,
                f"hearsay “{a.hearsay.text}” with editorial wording ({ed_words})",
                cue=a.hearsay,
                editorial=ed_spans,
            )
        return Suggestion(
            UNATTRIBUTED,
            0.55,
            f"hearsay “{a.hearsay.text}” names no source",
            cue=a.hearsay,
            editorial=ed_spans,
        )
    if score >= 1.0 or (score >= _UNANCHORED_SCORE and _unanchored(a)):
        conf = max(0.5, min(0.9, 0.6 + 0.1 * (score - 1.0)))
        return Suggestion(
            EDITORIAL,
            round(conf, 2),
            f"editorial wording: {ed_words}"
            + ("" if score >= 1.0 else " that carries a sentence of no names or figures"),
            cue=a.editorial[0][0],
            editorial=ed_spans,
        )
    if a.negated is not None:
        return Suggestion(
            UNATTRIBUTED,
            0.75,
            f"negated reporting “{a.negated.text}”: the outlet's own statement",
            cue=a.negated,
            editorial=ed_spans,
        )
    if score > 0:
        return Suggestion(
            UNATTRIBUTED,
            0.5,
            f"no source named; mildly evaluative wording ({ed_words})",
            editorial=ed_spans,
        )
    return Suggestion(UNATTRIBUTED, 0.65, "no source named and no editorial wording")


def suggest(text: str, *, kind: str = SENTENCE, previous: Sequence[str] = ()) -> Suggestion:
    """A suggestion for one unit; ``previous`` are the sentences before it in its article."""
    units = [(SENTENCE, p) for p in previous] + [(kind, text)]
    return suggest_article(units)[-1]


@cache
def rules_version() -> str:
    """A fingerprint of these rules: stored suggestions from other rules are recomputed.

    Built from what the code of ``annotate.suggest`` and its lexicon data say
    (``annotate.fingerprint``), so a comment or docstring edit changes nothing.
    """
    from annotate.fingerprint import fingerprint

    package = Path(__file__).resolve().parent
    return fingerprint(package, data_files=[_EDITORIAL_RULES])
