"""Cleaning: raw article text -> title, subheadings and body paragraphs, plus what was dropped.

Scraped news pages carry a lot of page furniture around the article: site menus, search
widgets, dates and bylines, photo credits and captions, newsletter prompts, share buttons,
teaser headlines of other stories, copyright footers, wire-service credits. This module
removes it with general, precompiled rules (never lists of one site's strings) and reports
every removed line or fragment with its line number and a short reason from ``REASONS``.

It works in passes over *pieces* (a line, or several wrapped lines of one paragraph):

1. line rules: furniture recognisable from one line alone (a date, a byline, a credit);
2. piece rules: captions ending in a photographer credit, bullet menus, runs of short
   menu lines, lines repeated in the page, paragraphs duplicated in another one;
3. layout: the title, then the zone before the first body paragraph, the body (where a
   lone headline-like line is a subheading and a run of them is teaser headlines), and
   the zone after the last body paragraph, which is page chrome;
4. text fixes on the kept paragraphs: a dateline at the start, a trailing agency credit
   at the end, and a paragraph ending in ":" joined with the quotation that follows.

Everything here is a pure function of its input: no I/O, no printing, linear time.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_right
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path

from annotate.model import HEADING, TITLE, Block, CleanArticle, Dropped
from annotate.regexes import alternatives

__all__ = ["PARAGRAPH", "PHRASE_RULES", "REASONS", "REPEAT_MIN_ARTICLES", "clean", "line_keys"]

PARAGRAPH = "paragraph"

# The reason vocabulary: one short phrase per kind of furniture. Users see these (the
# CLI's --dropped option), so they stay stable and greppable.
NAVIGATION = "navigation menu"
REPEATED = "repeated line"
SEARCH = "search widget"
DATE = "date"
READING_TIME = "reading time"
BYLINE = "byline"
CATEGORY = "category tag"
PHOTO_CREDIT = "photo credit"
PHOTO_CAPTION = "photo caption"
PROMPT = "newsletter/follow prompt"
SOCIAL = "share/social"
RELATED = "related links"
ADVERT = "advertisement"
LEGAL = "copyright/legal"
AGENCY_CREDIT = "agency credit"
TEASER = "teaser headline"
WIRE = "wire furniture"
DATELINE = "dateline"
DUPLICATE = "duplicate paragraph"
DUPLICATE_TITLE = "duplicate title"
SITE_NAME = "site name"
CHROME = "page chrome"
OUTSIDE = "outside the article"
COMMENT = "reader comment"
BIO = "author bio"
ACROSS_CORPUS = "repeated in other articles"

REASONS = (
    NAVIGATION,
    REPEATED,
    SEARCH,
    DATE,
    READING_TIME,
    BYLINE,
    CATEGORY,
    PHOTO_CREDIT,
    PHOTO_CAPTION,
    PROMPT,
    SOCIAL,
    RELATED,
    ADVERT,
    LEGAL,
    AGENCY_CREDIT,
    TEASER,
    WIRE,
    DATELINE,
    DUPLICATE,
    DUPLICATE_TITLE,
    SITE_NAME,
    CHROME,
    OUTSIDE,
    COMMENT,
    BIO,
    ACROSS_CORPUS,
)

# Size limits. A headline-like line has at most this many words; longer unpunctuated
# text is prose that lost its final full stop.
_HEADLINE_MAX_WORDS = 20
# Menu items and tags are this short; anything longer in a run is a teaser headline.
_MENU_MAX_WORDS = 3
# Line rules only look at lines up to this long: furniture is short, and skipping the
# long body lines keeps cleaning cheap.
_RULE_MAX_CHARS = 300
# A paragraph shorter than this is never dropped as a duplicate: "He declined to
# comment." may legitimately occur twice.
_DUPLICATE_MIN_WORDS = 10
# The title is looked for before the first body paragraph at least this long.
_LONG_BODY_WORDS = 12

# --------------------------------------------------------------------------------------
# Building blocks for the patterns

_UP = "A-ZÀ-ÖØ-ÞĀ-Ž"  # upper-case Latin letters (the Ā-Ž range also holds lower case)
_CAP_WORD = rf"[{_UP}][\w'’.-]*"
_PARTICLE = r"(?:de|da|del|der|di|dos|du|van|von|la|le|al|bin|ibn|ten|ter)"
_NAME = rf"{_CAP_WORD}(?:\s(?:{_PARTICLE}\s)?{_CAP_WORD}){{0,3}}"
_NAME_SEP = r"(?:\s*,\s*(?:and\s+)?|\s+and\s+|\s*&\s*)"
_NAMES = rf"{_NAME}(?:{_NAME_SEP}{_NAME}){{0,5}}"

_MONTH = (
    r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?i:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(?i:day|sday|nesday|rsday|urday)?\.?"
_DAY = r"\d{1,2}(?:st|nd|rd|th)?"
_YEAR = r"\d{4}"
_TIME = (
    r"(?:\d{1,2}(?:[:.]\d{2}){1,2}\s*(?i:[ap]\.?m\.?)?|\d{1,2}\s*(?i:[ap]\.?m\.?))"
    r"(?:\s*\(?(?:[A-Z]{2,5}|GMT[+-]\d{1,2})\)?)?"
)
_DATE = (
    rf"(?:{_WEEKDAY},?\s+)?(?:{_MONTH}\s+{_DAY}(?:,?\s+{_YEAR})?|{_DAY}\s+(?:of\s+)?{_MONTH}"
    rf"(?:,?\s+{_YEAR})?|{_MONTH}\s+{_YEAR})"
    r"|\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?"
    r"|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}"
)

# News agencies, as they appear in credits. Case matters: "AP" the agency, not "ap".
_AGENCY = (
    r"(?:Reuters|REUTERS|AFP|AP|The Associated Press|Associated Press|Agence France-Presse"
    r"|Bloomberg|BLOOMBERG|dpa|DPA|Xinhua|XINHUA|TASS|Tass|Interfax|ANI|PTI|IANS|EFE|ANSA"
    r"|Kyodo|KYODO|Yonhap|YONHAP|Bernama|BERNAMA|AAP|UPI|CNA|Anadolu|Sputnik|RIA Novosti"
    r"|Agencies|agencies|AGENCIES|Wires|wires)"
)
# Agencies as a trailing credit after the last sentence: capitals (plus the usual
# spellings of Bloomberg, dpa and Xinhua), so "... Reuters said." is never touched.
_TRAILING_AGENCY_NAMES = (
    "REUTERS AFP AP BLOOMBERG Bloomberg DPA dpa XINHUA Xinhua TASS EFE ANSA PTI IANS ANI UPI"
    " AAP KYODO YONHAP BERNAMA CNA"
).split()
_TRAILING_AGENCY = f"(?:{'|'.join(_TRAILING_AGENCY_NAMES)})"
# Photo agencies and picture desks that sign photographs.
_PHOTO_SOURCE = (
    r"(?:REUTERS|Reuters|AFP|EPA(?:-EFE)?|AP Photo|AP|AAP Image|AAP|ANADOLU|Anadolu|"
    r"SOPA Images|NurPhoto|XINHUA|Xinhua|Bloomberg|Getty Images|Getty|Shutterstock|Alamy|"
    r"PA Wire|PA Media|PA|Sputnik|dpa|DPA|TASS|Kyodo|KYODO|Yonhap|YONHAP|ZUMA Press|ZUMA|"
    r"Pool|POOL|Handout|HANDOUT|Supplied|File)"
)

# A line or paragraph ends like a sentence (closing quotes and brackets allowed after).
_ENDS_SENTENCE = re.compile(r"[.!?…:;,](?:\s?[\"'”’»)\]]){0,3}$")
# The stronger end used when deciding whether a wrapped line continues: a comma doesn't
# end anything.
_ENDS_CLAUSE = re.compile(r"[.!?…:;](?:\s?[\"'”’»)\]]){0,3}$")
_BULLET_CHARS = frozenset("•●○◦▪▫■□‣⁃∙·►▶➤✓✔-–—*+")
_BULLET = re.compile(r"(?:[•●○◦▪▫■□‣⁃∙·►▶➤✓✔]|[-–—*+](?=\s))\s*")
_DASH_BULLET = re.compile(r"[-–—]\s")
_MARKDOWN_HEADING = re.compile(r"(#{1,6})\s+")
_SEPARATOR = re.compile(r"\s+[|•·]\s+|\s*\|\s*")


# --------------------------------------------------------------------------------------
# Line rules: furniture recognisable from one line alone. Each is fully anchored (fullmatch)
# and bounded, so a long body line can never match by accident.
#
# Trying every pattern on every line would cost more than the rest of cleaning together,
# so each rule names the first words it can start with (``starts``; "0" stands for any
# number) or, when it can start with anything, substrings the line must contain
# (``needles``). A line is only tried against the rules its first word or content calls.

_MONTH_WORDS = (
    "jan january feb february mar march apr april may jun june jul july aug august sep sept"
    " september oct october nov november dec december"
)
_WEEKDAY_WORDS = (
    "mon monday tue tues tuesday wed wednesday thu thur thurs thursday fri friday sat"
    " saturday sun sunday"
)
_AGENCY_WORDS = (
    "reuters afp ap the associated agence bloomberg dpa xinhua tass interfax ani pti ians efe"
    " ansa kyodo yonhap bernama aap upi cna anadolu sputnik ria agencies wires"
)
_PHOTO_SOURCE_WORDS = (
    "reuters afp epa ap aap anadolu sopa nurphoto xinhua bloomberg getty shutterstock alamy"
    " pa sputnik dpa tass kyodo yonhap zuma pool handout supplied file"
)


@dataclass(frozen=True)
class _Rule:
    """A named furniture pattern: a line (or piece) that fully matches it is dropped."""

    reason: str
    pattern: re.Pattern[str]
    starts: frozenset[str]
    needles: tuple[str, ...]
    max_words: int
    check: Callable[[str], bool] | None

    def matches(self, text: str, words: int) -> bool:
        if words > self.max_words or self.pattern.fullmatch(text) is None:
            return False
        return self.check is None or self.check(text)


def _rule(
    reason: str,
    pattern: str,
    starts: str = "",
    needles: tuple[str, ...] = (),
    max_words: int = 30,
    check: Callable[[str], bool] | None = None,
) -> _Rule:
    return _Rule(reason, re.compile(pattern), frozenset(starts.split()), needles, max_words, check)


_SEARCH_WIDGET = _rule(
    SEARCH,
    r"(?i:no results?(?: found)?|view all results?|search(?: for)?\s*:?|search\s*\.{0,3}"
    r"|search (?:the site|this site|news|articles)|search(?: \S+){1,3}\s*(?:\.{3}|…)"
    r"|type (?:and|&) (?:hit|press) enter.{0,30}"
    r"|press enter to search.{0,30}|close search|clear search|search results?"
    r"|what are you looking for\??|start typing.{0,40})",
    "no view search type press close clear what start",
)
_DATE_STAMP = (
    r"(?i:published|updated|last updated|posted|modified|first published|date|created)"
    r"(?:\s+(?i:on|at))?\s*:?"
)
_AGO = (
    r"(?i:\d+\s*(?:seconds?|secs?|minutes?|mins?|hours?|hrs?|days?|weeks?|months?|[smhdw])\s+ago"
    r"|yesterday|today|just now)"
)
_DATE_LINE = _rule(
    DATE,
    # A date with what scrapers glue around it: "Updated 3:45 PM EDT, Mon July 31, 2025",
    # "August 5, 20252:14 PM GMT+1Updated 2 hours ago".
    rf"(?:{_DATE_STAMP}\s*)?(?:{_TIME}\s*,?\s*(?:(?i:on)\s+)?)?(?:{_DATE})"
    rf"(?:[\s,|•·–-]*(?:(?i:at)\s+)?(?:{_TIME}|{_DATE_STAMP}|{_AGO}|{_DATE})){{0,4}}"
    rf"|(?:{_DATE_STAMP}\s*)?{_AGO}"
    # A time alone on its line: a live blog's or a teaser list's stamp.
    rf"|{_TIME}"
    # The label alone, its date in an element of its own: "Release Date:", "Published:".
    rf"|(?:(?i:release|publication|issue)\s+)?{_DATE_STAMP.removesuffix(':?')}:",
    f"0 published updated last posted modified first date created yesterday today just"
    f" release publication issue {_MONTH_WORDS} {_WEEKDAY_WORDS}",
)
_READING_TIME_LINE = _rule(
    READING_TIME,
    r"(?i:\d+\s*(?:-\s*)?(?:min(?:ute)?s?)\.?\s+read(?:ing time)?"
    r"|(?:estimated\s+)?reading time:?\s*\d+\s*min(?:ute)?s?\.?)",
    "0 estimated reading",
)
_AGENCY_LINE = _rule(
    AGENCY_CREDIT,
    r"[-–—]?\s*\(?(?:(?i:source|sources|via|with|credit)\s*:?\s*)?"
    rf"{_AGENCY}(?:\s*(?:[/,&]|and)\s*{_AGENCY}){{0,3}}\)?\.?"
    rf"|[\w.-]{{2,40}}\s*/\s*{_AGENCY}"
    r"|[-–—]?\s*\(?(?i:with (?:files|inputs|reporting|additional reporting|contributions)"
    r" from)\s+.{1,80}"
    r"|\(?(?i:sources?)\s*:\s*[^.!?]{1,60}\)?",
    f"source sources via with credit {_AGENCY_WORDS}",
    needles=("/",),
    max_words=12,
)
# Weekday and month names and the like are not names: "By Sunday, the fire had spread".
_NOT_A_NAME = (
    r"(?!(?i:the|this|that|these|those|then|now|noon|midnight|mid|early|late|next|last|far"
    r"|way|tomorrow|today|tonight|contrast|comparison|default|design|law|all|some|most|many"
    r"|monday|tuesday|wednesday|thursday|friday|saturday|sunday|january|february|march"
    r"|april|may|june|july|august|september|october|november|december)\b)"
)
_BYLINE = _rule(
    BYLINE,
    r"(?:(?i:(?:written|words|posted|reported|story|text|reporting|analysis|photos)\s+)?"
    r"(?i:by)(?:\s*:\s*|\s+)"
    rf"(?:{_NOT_A_NAME}{_NAMES}|(?i:the\s+)?{_AGENCY}(?:\s+\w+){{0,2}})"
    r"(?:\s*(?:,|\||[-–—]|\bin\b|\bfor\b)\s*[^.!?]{0,60})?)"
    rf"|{_NAMES}\s*(?:,|\||[-–—]|/)\s*(?i:the\s+)?{_AGENCY}"
    r"(?:\s+(?i:staff|reporters?|correspondents?))?",
    "written words posted reported story text reporting analysis photos by",
    needles=(",", "|", " -", "–", "—", "/"),
    max_words=18,
)
_CATEGORY = _rule(
    CATEGORY,
    rf"(?:in|In|IN)\s+[{_UP}][\w&'’.-]*(?:\s+(?:&\s+)?[{_UP}][\w&'’.-]*){{0,3}}"
    r"|(?i:(?:suggested|related|more|explore|popular)\s+)?(?i:tags?|topics?|filed under"
    r"|categories|category|section|keywords)\s*:\s*.{0,150}",
    "in tag tags topic topics filed categories category section related keywords suggested"
    " more explore popular",
)


def _looks_like_credit_block(text: str) -> bool:
    # "Reporting by ..." opens many ordinary sentences; the wire credit line is short, or
    # lists several roles with semicolons, or sits in parentheses.
    return len(text.split()) <= 12 or ";" in text or text.startswith(("(", "["))


_WIRE = (
    _rule(
        WIRE,
        r"[(\[]?\s*(?i:(?:additional\s+)?reporting|writing|editing|edited|compiled|reported"
        r"|produced|graphics|research|fact[- ]checked|translated|translation)\s+(?i:by)\s+.{1,400}",
        "additional reporting writing editing edited compiled reported produced graphics"
        " research fact translated translation",
        max_words=70,
        check=_looks_like_credit_block,
    ),
    _rule(WIRE, r"(?i:our standards\s*:.{0,60}trust principles\b.{0,30})", "our"),
    _rule(
        WIRE,
        r".{0,120}\b(?i:contributed (?:reporting|to (?:this|the) (?:report|story|article)"
        r"|to this reporting))\.?\)?",
        needles=("contributed",),
        max_words=25,
    ),
    _rule(
        WIRE,
        r"(?i:this (?:article|story) (?:was|has been|is) (?:originally |first )?"
        r"(?:published|republished|produced|updated|corrected|amended))\b.{0,200}",
        "this",
        max_words=40,
    ),
)
_PHOTO_CREDIT = (
    _rule(
        PHOTO_CREDIT,
        r"(?i:credits?|photo(?:graph)?s?|photo credits?|images?|image credits?|pictures?|pics?"
        r"|illustration|foto|photo illustration|(?:main|top|header|cover|feature[d]?) image"
        r"|video)\s*[:：|]\s*\S.{0,100}",
        "credit credits photo photos photograph photographs image images picture pictures pic"
        " pics illustration foto main top header cover feature featured video",
        max_words=16,
    ),
    _rule(
        PHOTO_CREDIT,
        r"\(?(?i:photo|image|picture|illustration|video)s?\s+(?i:by|courtesy(?:\s+of)?|via|from"
        r"|credit)\s*:?\s*.{1,100}",
        "photo photos image images picture pictures illustration illustrations video videos",
        max_words=16,
    ),
    _rule(
        PHOTO_CREDIT,
        rf"\(?(?:{_CAP_WORD}\s+){{0,4}}(?:/\s*|(?i:via)\s+)?{_PHOTO_SOURCE}"
        rf"(?:\s*/\s*{_CAP_WORD}(?:\s+{_CAP_WORD}){{0,4}})?(?:\s+(?i:via)\s+{_PHOTO_SOURCE})?\)?",
        _PHOTO_SOURCE_WORDS,
        needles=("/", "Getty", " via "),
        max_words=10,
    ),
)
_PROMPT = (
    _rule(
        PROMPT,
        r"(?i:sign up\b|subscribe\b|newsletters?\b|get (?:our|the|\S+) .{0,40}newsletters?\b"
        r"|follow (?:topics?|us|@|on\b|the latest|our\b|\S+ on (?:twitter|x|facebook|instagram"
        r"|linkedin|telegram|whatsapp|google news|threads|bluesky))|see more on\b|see more\s*$"
        r"|join (?:us|our)\b|download (?:the|our) .{0,30}app\b|get the app\b|enter your email\b"
        r"|never miss\b|don['’]t miss\b|stay (?:informed|updated|up to date|in the know)\b"
        r"|want more\b|like us on\b|find us on\b|get (?:breaking )?news alerts|turn on notif"
        r"|get alerts\b|register (?:now|for free|to)\b|log in to\b|sign in to\b"
        r"|already a (?:subscriber|member)|become a (?:member|subscriber)"
        r"|support (?:our|independent) journalism).{0,200}",
        "sign subscribe newsletter newsletters get follow see join download enter never don"
        " stay want like find turn register log already become support",
        max_words=20,
    ),
    _rule(
        PROMPT,
        r"(?i:.{0,100}delivered (?:straight )?to your inbox.{0,60})",
        needles=("inbox",),
        max_words=20,
    ),
)
_SOCIAL = _rule(
    SOCIAL,
    r"(?i:share(?:\s+(?:this|on|via|the|to|article|story|page|link)\b.{0,60})?\s*:?|shares?"
    r"\s*\d*|tweet(?: this)?|email(?: this)?(?: article)?|e-mail|print(?: this)?(?: article"
    r"| page)?|copy(?: the)? link|link copied.{0,30}|save(?: article| for later)?|bookmark"
    r"|comments?(?:\s*\(\d+\))?|\d+\s+comments?|view comments|leave a comment"
    r"|join the conversation.{0,60}|click here\b.{0,150}|tap here\b.{0,150}"
    r"|listen(?: to)?(?: this)? (?:article|story)\b.{0,40}|gift (?:this )?article"
    r"|facebook|twitter|x|linkedin|whatsapp|reddit|telegram|pinterest|flipboard|messenger"
    r"|threads|bluesky|copy|mail)",
    "share shares tweet email e print copy link save bookmark comment comments 0 view leave"
    " join click tap listen gift facebook twitter x linkedin whatsapp reddit telegram"
    " pinterest flipboard messenger threads bluesky mail",
)
# A label that introduces a list of links ("Related stories", "Read more:"); the
# headline-like lines right after it are links too.
_RELATED_LABEL = _rule(
    RELATED,
    r"(?i:read (?:more|next|also)|also read|see also|related(?: (?:articles?|stories|story"
    r"|content|topics|coverage|news|posts?|reading|links|videos?))?|recommended(?: for you| reading"
    r"| stories| articles| videos?)?|more (?:from|on|stories|news|in|like this|to read)"
    r"(?: [\w&'’ ]{1,40})?|most (?:read|popular|viewed|shared|watched)(?: [\w ]{1,20})?"
    r"|trending(?: now| stories| topics)?|top stories|latest (?:news|stories|articles|videos)"
    r"|you (?:may|might) (?:also )?(?:like|be interested in|have missed)|editor['’]?s? picks?"
    r"|what to read next|up next|explore more|in (?:other|related) news|more headlines"
    r"|popular (?:now|stories))\s*[:›»>→]?",
    "read also see related recommended more most trending top latest you editor editors"
    " what up explore in popular",
    max_words=10,
)
_RELATED_INLINE = _rule(
    RELATED,
    r"(?i:read more|read next|read also|also read|see also|related(?: \w+)?|recommended"
    r"(?: \w+)?|more on this(?: story)?|watch|listen|explore|in other news|editor['’]?s? picks?)"
    r"\s*:.{1,200}",
    "read also see related recommended more watch listen explore in editor editors",
)
_ADVERT = _rule(
    ADVERT,
    r"(?i:advertisement|advertising|ad|ads|sponsored(?: content| links?| stories| post)?"
    r"|paid (?:content|post|partner)|partner content|promoted(?: content| stories)?"
    r"|(?:story|article) continues (?:below|after).{0,40}"
    r"|continue reading(?: below| the main story| after| the rest)?.{0,40}"
    r"|scroll (?:down )?to continue.{0,40}|skip (?:advertisement|ad)|remove ads?"
    r"|ad feedback|report this ad)",
    "advertisement advertising ad ads sponsored paid partner promoted story article continue"
    " scroll skip remove report",
)
_LEGAL = (
    _rule(
        LEGAL,
        r"(?:©|\(c\)|(?i:copyright)\s*(?:©|\(c\)|@\s*\d{4}|\d{4}|:|(?i:by)\b|$)).{0,200}",
        "© c copyright",
        max_words=40,
    ),
    _rule(
        LEGAL,
        r".{0,150}(?i:all rights reserved).{0,100}",
        needles=("rights reserved", "Rights Reserved", "RIGHTS RESERVED"),
        max_words=40,
    ),
    _rule(
        LEGAL,
        r"(?i:contact(?: us)?|legal(?: notices?| information)?|imprint|impressum"
        r"|privacy(?: policy| notice| settings| statement| centre| center| choices)?"
        r"|terms(?: of (?:use|service|sale))?|terms (?:&|and) conditions"
        r"|cookies?(?: settings| policy| preferences| notice| statement)?"
        r"|manage (?:cookies|preferences|consent)|accessibility(?: statement| help)?"
        r"|about(?: us)?|advertise(?: with us)?|careers|jobs|work with us|site ?map"
        r"|help(?: cent(?:re|er))?|faqs?|do not sell(?: or share)? my (?:personal )?"
        r"(?:information|data)|corrections|editorial (?:policy|standards|guidelines)"
        r"|ethics(?: policy)?|rss(?: feeds?)?|masthead|our team|(?:purchase )?licensing(?: rights)?"
        r"|reprints(?: (?:&|and) permissions)?|permissions|code of conduct|complaints)",
        "contact legal imprint impressum privacy terms cookie cookies manage accessibility"
        " about advertise careers jobs work site sitemap help faq faqs do corrections"
        " editorial ethics rss masthead our purchase licensing reprints permissions code"
        " complaints",
    ),
)
_NAVIGATION = (
    _rule(
        NAVIGATION,
        r"(?i:skip to (?:main )?(?:content|navigation|search|footer)|skip navigation|menu"
        r"|main menu|open menu|close(?: menu)?|toggle (?:navigation|menu)|navigation"
        r"|home(?:page)?|back to top|go to top|top|log ?in|sign ?in|sign ?out|log ?out"
        r"|register|my account|account|next|previous|prev|load more|show more|show less"
        r"|more|breadcrumbs?|sections|all sections|topics|latest|live|watch live|videos?"
        r"|podcasts?|e-?paper|today['’]s paper|subscriptions?)",
        "skip menu main open close toggle navigation home homepage back go top log login"
        " logout sign signin signout register my account next previous prev load show more"
        " breadcrumb breadcrumbs sections all topics latest live watch video videos podcast"
        " podcasts e epaper today subscription subscriptions",
    ),
    # Breadcrumbs: "Home > World > Europe", "News / Science".
    _rule(
        NAVIGATION,
        r"(?:(?i:home|news)\s*[>»›/]|[\w&'’-]+(?: [\w&'’-]+){0,3}\s[>»›])"
        r"(?:\s*[\w&'’-]+(?: [\w&'’-]+){0,3}\s*[>»›/]?){1,6}",
        needles=(">", "»", "›", "/"),
        max_words=20,
    ),
)

# Order matters only for which reason a line gets; the first matching rule wins.
_LINE_RULES: tuple[_Rule, ...] = (
    _SEARCH_WIDGET,
    _DATE_LINE,
    _READING_TIME_LINE,
    _AGENCY_LINE,
    _BYLINE,
    _CATEGORY,
    *_WIRE,
    *_PHOTO_CREDIT,
    *_PROMPT,
    _SOCIAL,
    _RELATED_LABEL,
    _RELATED_INLINE,
    _ADVERT,
    *_LEGAL,
    *_NAVIGATION,
)
# Rules by the first word that can call them, as positions in _LINE_RULES (the order of
# precedence).
_RULES_BY_WORD: dict[str, tuple[int, ...]] = {}
for _word in sorted({w for rule in _LINE_RULES for w in rule.starts}):
    _RULES_BY_WORD[_word] = tuple(i for i, r in enumerate(_LINE_RULES) if _word in r.starts)
# Rules by a substring that calls them, and one pattern that finds all those substrings
# in a line in a single pass.
_RULES_BY_NEEDLE: dict[str, tuple[int, ...]] = {}
for _needle in sorted({n for rule in _LINE_RULES for n in rule.needles}):
    _RULES_BY_NEEDLE[_needle] = tuple(i for i, r in enumerate(_LINE_RULES) if _needle in r.needles)
_NEEDLES = re.compile("|".join(re.escape(n) for n in sorted(_RULES_BY_NEEDLE, key=len)[::-1]))
_FIRST_WORD = re.compile(r"[^\w©]*(©|[^\W_]+)")
_BARE_NAMES = re.compile(rf"{_NOT_A_NAME}{_NAMES}")
_MAX_RULE_WORDS = max(rule.max_words for rule in _LINE_RULES)
_SHORT_LINE_WORDS = 20
_LONG_LINE_NEEDLES = tuple(
    n for r in _LINE_RULES if r.max_words > _SHORT_LINE_WORDS for n in r.needles
)


@dataclass(frozen=True)
class PhraseRule:
    """Furniture that reads like a sentence, from ``data/furniture_phrases.toml``."""

    family: str
    reason: str
    pattern: re.Pattern[str]
    max_words: int
    examples: tuple[str, ...]
    counter_examples: tuple[str, ...]
    thread_marker: bool = False
    section_start: bool = False
    # The pattern's alternatives anchored at the start ("^...") tried once with match(),
    # the others searched: scanning every position for anchored ones costs many times more.
    _anchored: re.Pattern[str] | None = None
    _floating: re.Pattern[str] | None = None

    def finds(self, text: str) -> bool:
        """Whether the rule finds its furniture in ``text``."""
        if self._anchored is not None and self._anchored.match(text):
            return True
        return self._floating is not None and self._floating.search(text) is not None


def _split_anchored(pattern: str, flags: int) -> tuple[re.Pattern[str] | None, ...]:
    parts = alternatives(pattern)
    anchored = [p[1:] for p in parts if p.startswith("^")]
    floating = [p for p in parts if not p.startswith("^")]
    return tuple(
        re.compile("|".join(f"(?:{p})" for p in group), flags) if group else None
        for group in (anchored, floating)
    )


def _load_phrase_rules() -> tuple[PhraseRule, ...]:
    path = Path(__file__).resolve().parents[1] / "data" / "furniture_phrases.toml"
    rules = []
    for raw in tomllib.loads(path.read_text(encoding="utf-8"))["rule"]:
        if raw["reason"] not in REASONS:
            raise ValueError(f"{path.name}: unknown reason {raw['reason']!r}")
        flags = re.IGNORECASE if raw.get("ignore_case", True) else 0
        anchored, floating = _split_anchored(raw["pattern"], flags)
        rules.append(
            PhraseRule(
                raw["family"],
                raw["reason"],
                re.compile(raw["pattern"], flags),
                raw.get("max_words", 45),
                tuple(raw.get("examples", ())),
                tuple(raw.get("counter_examples", ())),
                raw.get("thread_marker", False),
                raw.get("section_start", False),
                anchored,
                floating,
            )
        )
    return tuple(rules)


_LITERAL_ESCAPES = frozenset("().-/:'’@%&,")


def _leading_literal(pattern: str) -> tuple[str, str]:
    """The literal text a regular expression starts with, and the rest of it."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and pattern[i + 1 : i + 2] in _LITERAL_ESCAPES:
            out.append(pattern[i + 1])
            i += 2
        elif c in "\\.^$*+?{}[]()|":
            break
        else:
            out.append(c)
            i += 1
    if out and pattern[i : i + 1] in ("?", "*", "{"):
        # The last character is optional ("comments? "): it is not part of the prefix.
        out.pop()
        i -= 1
    return "".join(out), pattern[i:]


def _starts(pattern: str, room: int = 64) -> list[str]:
    """Literal strings one of which starts every match of ``pattern`` (maybe just "").

    An optional group ("for (?:the )?latest") is two ways on, through it and past it,
    while that makes at most ``room`` strings; beyond, they stop before the group.
    """
    literal, rest = _leading_literal(pattern)
    opening = next((o for o in ("(?:", "(?i:") if rest.startswith(o)), None)
    if opening is None:
        return [literal]
    depth, close = 0, -1
    for j, c in enumerate(rest):
        if c in "()" and rest[j - 1 : j] != "\\":
            depth += 1 if c == "(" else -1
            if depth == 0:
                close = j
                break
    quantifier = rest[close + 1 : close + 2]
    if close < 0 or quantifier in ("*", "{"):
        return [literal]
    optional = quantifier == "?"
    after = rest[close + 2 :] if optional else rest[close + 1 :]
    branches = [*alternatives(rest[len(opening) : close]), *([""] if optional else [])]
    share = max(1, room // len(branches))
    out = []
    for branch in branches:
        head, tail = _leading_literal(branch)
        # A branch that is all literal text goes on into what follows the group.
        out.extend([head] if tail else [head + t for t in _starts(after, share)])
    if optional and len(out) > room:
        return [literal]
    return [literal + t for t in out]


def _keywords(alternative: str) -> tuple[str, ...] | None:
    """Lower-case strings one of which is in every line the alternative finds, or None.

    "\\b(?:is|are) (?:covered|licensed) under" -> "is covered under", "are covered
    under"...; None when a match may start with anything (a class, a repeated group):
    then the alternative is always tried.
    """
    starts = _starts(alternative.removeprefix("\\b"))
    if len(starts) > 64 or min(len(s) for s in starts) < 3:
        return None
    return tuple(s.lower() for s in starts)


def _flagged(rule: PhraseRule, parts: list[str]) -> str:
    flag = "i" if rule.pattern.flags & re.IGNORECASE else ""
    return "|".join(f"(?{flag}:{p})" if flag else f"(?:{p})" for p in parts)


def _trie(words: Collection[str]) -> str:
    """One regular expression finding any of ``words``, factored by their common prefixes.

    Python's re tries the alternatives of "a|b|c" one after the other at every position;
    factored, it tries only those that share the character it reads.
    """
    root: dict[str, dict] = {}
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:
        branches = [re.escape(k) + emit(v) for k, v in sorted(node.items()) if k]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


def _prefilter(rules: tuple[PhraseRule, ...]) -> tuple[re.Pattern[str], re.Pattern[str] | None]:
    """What any phrase rule needs to find a line: one pattern of every anchored
    alternative, and one of the keywords of the searched ones (None: some must always be
    tried).
    """
    anchored: list[str] = []
    keywords: set[str] = set()
    always = False
    for rule in rules:
        parts = alternatives(rule.pattern.pattern)
        starts = [p[1:] for p in parts if p.startswith("^")]
        if starts:
            anchored.append(_flagged(rule, starts))
        for part in parts:
            if part.startswith("^"):
                continue
            found = _keywords(part)
            if found is None:
                always = True
            else:
                keywords.update(found)
    # A keyword another one starts with adds nothing.
    shortest = {k for k in keywords if not any(o != k and k.startswith(o) for o in keywords)}
    return re.compile("|".join(anchored)), None if always else re.compile(_trie(shortest))


PHRASE_RULES = _load_phrase_rules()
# The few rules asked about apart (for every piece after the article has begun).
_THREAD_MARKER_RULES = tuple(rule for rule in PHRASE_RULES if rule.thread_marker)
_SECTION_START_RULES = tuple(rule for rule in PHRASE_RULES if rule.section_start)
_PHRASE_MAX_WORDS = max(rule.max_words for rule in PHRASE_RULES)
_PHRASE_STARTS, _PHRASE_KEYWORDS = _prefilter(PHRASE_RULES)


def _phrase_reason(text: str, words: int) -> str | None:
    if words > _PHRASE_MAX_WORDS:
        return None
    # Most lines are prose no rule finds: one match for every anchored alternative and a
    # few substring tests for the searched ones rule them out before the rules run.
    if (
        _PHRASE_KEYWORDS is not None
        and _PHRASE_STARTS.match(text) is None
        and _PHRASE_KEYWORDS.search(text.lower()) is None
    ):
        return None
    for rule in PHRASE_RULES:
        if words <= rule.max_words and rule.finds(text):
            return rule.reason
    return None


def _rule_reason(text: str) -> str | None:
    """The reason of the first line rule that matches ``text``, if any."""
    words = text.count(" ") + 1
    if words > _MAX_RULE_WORDS:
        return None
    first = _FIRST_WORD.match(text)
    word = first.group(1).lower() if first else ""
    if word[:1].isdigit():
        word = "0"
    candidates = _RULES_BY_WORD.get(word, ())
    if words <= _SHORT_LINE_WORDS:
        needles = _NEEDLES.findall(text)
    else:
        # A regex scan of a long line costs more than all the rest; of the rules called by
        # a substring only these two take long lines.
        needles = [n for n in _LONG_LINE_NEEDLES if n in text]
    if needles:
        called = set(candidates)
        for needle in needles:
            called.update(_RULES_BY_NEEDLE[needle])
        candidates = tuple(sorted(called))
    for i in candidates:
        if _LINE_RULES[i].matches(text, words):
            return _LINE_RULES[i].reason
    return None


@lru_cache(maxsize=4096)
def _line_reason(text: str) -> str | None:
    """The reason a line of furniture is dropped, or None when it may be content.

    Cached: a site's menus, footers and credits repeat on every one of its pages.
    """
    if len(text) > _RULE_MAX_CHARS:
        # A site's copyright notice runs on into its terms of use for a paragraph.
        if len(text) <= _FOOTER_MAX_CHARS and _COPYRIGHT_OPENING.match(text) is not None:
            return LEGAL
        return None
    if text[0] in "*_" and text[-1] in "*_":
        # Markdown emphasis around a byline or a credit: "*Posted by Sam Lee*".
        text = text.strip("*_ ")
        if not text:
            return None
    reason = _rule_reason(text)
    if reason is None and ("|" in text or "•" in text or "·" in text):
        reason = _compound_reason(text)
    if reason is None:
        reason = _phrase_reason(text, text.count(" ") + 1)
    if reason is None and _CYRILLIC.search(text) and len(_MIXED_SCRIPT_WORD.findall(text)) >= 2:
        reason = ADVERT
    if reason is None and _is_dated_byline(text):
        reason = BYLINE
    return reason


_FOOTER_MAX_CHARS = 1500
_COPYRIGHT_OPENING = re.compile(r"(?:©|\(c\)|(?i:copyright)\s*(?:©|\(c\)|@)?)\s*\d{4}\b")


# A byline or a stamp glued to its date: "Chris Davies - Nov 19, 2019, 10:31 pm CST",
# "22 July 2019 By Example Foundation", "Crime Published On May 10, 2022 01:52 PM". What is
# left once the dates and times are taken out is a few names and stamp words, with no
# ordinary lower-case word of a sentence or a headline ("Polls close on Nov. 3, 2020").
_DATED_BYLINE_MAX_WORDS = 18
_DATED_BYLINE_REST_WORDS = 6
# Every date or time starts with a digit or a weekday's or month's first letter: looked
# for first, that character spares most positions the (many, case-blind) alternatives.
_DATE_OR_TIME = re.compile(rf"(?=\d|(?i:[adfjmnostw]))(?:{_DATE}|\b{_TIME})")
# "\b\d{4}\b|\d[:.]\d\d\b|\d\s*(?i:[ap]\.?m\b)" with the digit they all start with taken
# out in front: a pattern that starts with a character class is scanned for it quickly.
_HAS_YEAR_OR_TIME = re.compile(r"\d(?:(?<=\b\d)\d{3}\b|[:.]\d\d\b|\s*(?i:[ap]\.?m\b))")
# What every match of _DATE_OR_TIME holds, found several times faster than the match: a
# digit with a date's or a time's separator after it ("5/11", "2020-05", "10:31", "5 pm"),
# a day before a month ("19th of Nov"), or a month (maybe spelt out) before a number.
_MONTH_STEMS = "(?i:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
_MAY_HOLD_DATE_OR_TIME = re.compile(
    rf"(?=[\dADFJMNOSadfjmnos])(?:\d(?:[-/:.]\d|\s*(?i:[ap]\.?m)"
    rf"|(?i:st|nd|rd|th)?\s+(?:(?i:of)\s+)?{_MONTH_STEMS})|{_MONTH_STEMS}[a-zA-Z]*\.?\s+\d)"
)
_STAMP_WORDS = frozenset(
    "by on at and of the from published updated update posted modified written edited"
    " created reviewed filed last first latest".split()
)
_REST_WORD = re.compile(r"[^\W\d_][\w'’.-]*|@\w+")


def _is_dated_byline(text: str) -> bool:
    if text.count(" ") >= _DATED_BYLINE_MAX_WORDS or _HAS_YEAR_OR_TIME.search(text) is None:
        return False
    if _MAY_HOLD_DATE_OR_TIME.search(text) is None:
        return False  # a number, but no date: the many lines of prose that hold a year
    rest = _DATE_OR_TIME.sub(" ", text)
    if rest == text:
        return False
    words = _REST_WORD.findall(rest)
    if len(words) > _DATED_BYLINE_REST_WORDS or _POST_SIGNATURE.match(text):
        return False
    if not all(w[0].isupper() or w[0] == "@" or w.lower() in _STAMP_WORDS for w in words):
        return False
    # A title-case headline may hold a date too ("Election Results For November 3, 2020"):
    # a byline also has a time, a stamp word, a separator, or is in capitals.
    return (
        _TIME_ANYWHERE.search(text) is not None
        or any(w.lower() in _STAMP_WORDS for w in words)
        or _BYLINE_SEPARATOR.search(rest) is not None
        or all(w.isupper() for w in words)
    )


_TIME_ANYWHERE = re.compile(r"\d[:.]\d\d\b|\d\s*(?i:[ap]\.?m\b)")
_BYLINE_SEPARATOR = re.compile(r"[-–—|/•·:;]")
# An embedded post's signature as a browser copies it, on a line of its own under the
# post: "— Jane Roe (@janeroe) November 18, 2019". Who posted is part of what it says.
_POST_SIGNATURE = re.compile(r"[—–-]\s*\S.{0,80}\(@\w{1,30}\)")


# A word spelt with both Latin and Cyrillic letters ("Yоur" with a Cyrillic "о"): text
# written in look-alike letters so that filters cannot read it, which is what spam and
# ads do; no language writes its words that way.
_MIXED_SCRIPT_WORD = re.compile(r"\b(?=[^\W\d_]*[A-Za-z])(?=[^\W\d_]*[\u0400-\u04ff])[^\W\d_]+")
# What every such word holds: a text without it needs no look for the words (most do not).
_CYRILLIC = re.compile("[\u0400-\u04ff]")


def _compound_reason(text: str) -> str | None:
    # A footer, meta or section line made of several items ("Privacy | Terms | Contact",
    # "Jane Doe • August 4, 2025", "Europe | Climate crisis") is furniture when every
    # item is furniture or a bare label of a few words.
    parts = [p for p in _SEPARATOR.split(text) if p]
    if len(parts) < 2:
        return None
    reasons = []
    for part in parts:
        words = part.count(" ") + 1
        reason = _rule_reason(part)
        if reason is None and words <= 4 and _BARE_NAMES.fullmatch(part):
            reason = BYLINE
        if reason is None and (words > _MENU_MAX_WORDS or _ends_sentence(part)):
            return None
        if reason is not None:
            reasons.append(reason)
    if BYLINE in reasons:
        return BYLINE
    return reasons[0] if reasons else NAVIGATION


# --------------------------------------------------------------------------------------
# Piece rules

# A caption ends in the photographer's credit: "... July 30, 2025. REUTERS/Steve Nesius",
# "(AP Photo/Jane Doe)", "(Photo by John Roe/Getty Images)", "Photo: AFP".
_CAPTION_TAIL = re.compile(
    r"(?:^|(?<=[.!?…”\"’)])\s+|\s[-–—|]\s+|\s(?=[(\[]))"
    r"[(\[]?(?:"
    r"(?i:photo(?:graph)?|image|picture|credits?|foto)\s*:\s*[^.:]{1,80}"
    rf"|{_PHOTO_SOURCE}\s*/\s*{_CAP_WORD}(?:[\s/]+{_CAP_WORD}){{0,5}}"
    rf"(?:\s+(?i:via)\s+{_PHOTO_SOURCE})?"
    rf"|(?:{_CAP_WORD}\s){{0,3}}{_CAP_WORD}\s?/\s?{_PHOTO_SOURCE}(?:\s+(?i:via)\s+{_PHOTO_SOURCE})?"
    r"|(?:[\w.'’-]+\s+){0,4}(?:(?i:via)\s+)?Getty Images"
    r"|(?i:photo|image|picture)s?\s+(?i:by|courtesy of|via)\s+[^()]{1,80}"
    r")[)\]]?\.?$"
)
_CAPTION_MAX_WORDS = 80
_CAPTION_TAIL_CHARS = 160

# The opening of a dateline: "WASHINGTON - ", "BERLIN, May 2 (Reuters) - ",
# "NEW YORK (AP) — ", "KYIV:". All-caps place words, then optional region or date, then an
# optional agency in parentheses, then a dash or a colon. Broadcasters also write the place
# in title case, always with a region and a long dash: "Kyiv, Ukraine CNN — ".
_CAPS_WORD = r"[A-Z][A-Z'’.-]*[A-Z.]"
_TITLE_WORD = r"[A-Z][a-z'’.-]+"
_DATELINE = re.compile(
    rf"(?:{_TITLE_WORD}(?: {_TITLE_WORD}){{0,2}}, {_TITLE_WORD}(?: {_TITLE_WORD}){{0,2}}"
    r"(?: \(?[A-Z]{2,8}\)?)?\s*[—–]\s*"
    rf"|(?:{_CAPS_WORD}(?:[ /]{_CAPS_WORD}){{0,3}}"
    rf"(?:,\s*(?:[A-Z][a-z]+\.?(?:\s[A-Z][a-z]+\.?){{0,2}}|{_MONTH}\s+\d{{1,2}}(?:,\s+\d{{4}})?"
    rf"|\d{{1,2}}\s+{_MONTH}(?:\s+\d{{4}})?)){{0,2}}"
    r"(?:\s*\([A-Z][A-Za-z.&' -]{0,30}\))?"
    r"|\([A-Z][A-Za-z.&' -]{0,30}\))"
    r"(?:\s*[—–]\s*|\s+-\s+|\s*:\s+))"
    r"(?=[A-Z0-9“\"‘'(«])"
)
_DATELINE_MAX_CHARS = 80
# A trailing credit after the last sentence of an article: "... news agency TASS. REUTERS".
_TRAILING_CREDIT = re.compile(
    rf"(?:(?<=[.!?…”\"’)\]])\s+[-–—]?\s*|\s+[-–—]\s*)\(?{_TRAILING_AGENCY}"
    rf"(?:\s*/\s*{_TRAILING_AGENCY})?\)?$"
)
# A trailing credit ends in one of these; anything else needs no regex.
_CREDIT_LAST_LETTERS = frozenset(name[-1] for name in _TRAILING_AGENCY_NAMES) | {")"}
_OPENS_QUOTE = re.compile(r"[“\"‘'«„‹「]|[-–—]\s")
_COPYRIGHT_OWNER = re.compile(
    r"(?:©|\(c\)|(?i:copyright))\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*,?\s*"
    r"(?:(?i:by)\s+)?(?P<owner>[^.,|©]{2,60}?)\s*(?:[.,|]|(?i:all rights reserved)|$)"
)
# Paragraphs that open with the same this many characters are compared for duplicates.
_FINGERPRINT = 24


# --------------------------------------------------------------------------------------
# Pieces


_SENTENCE_ENDS = frozenset(".!?…:;,")
_CLAUSE_ENDS = frozenset(".!?…:;")
_CLOSERS = frozenset("\"'”’»)] ")


def _ends_sentence(text: str) -> bool:
    # The last character settles most cases; closing quotes and brackets need a look at
    # the few before them.
    last = text[-1:]
    if last in _SENTENCE_ENDS:
        return bool(last)
    return last in _CLOSERS and _ENDS_SENTENCE.search(text[-8:]) is not None


def _ends_clause(text: str) -> bool:
    last = text[-1:]
    if last in _CLAUSE_ENDS:
        return bool(last)
    return last in _CLOSERS and _ENDS_CLAUSE.search(text[-8:]) is not None


def _without_trailing_credit(text: str) -> str:
    """``text`` less a trailing agency credit ("... agency TASS. REUTERS")."""
    if text[-1:] not in _CREDIT_LAST_LETTERS:
        return text
    tail = text[-40:]
    match = _TRAILING_CREDIT.search(tail)
    if match is None:
        return text
    return text[: len(text) - len(tail) + match.start()]


class _Piece:
    """A unit of the page being cleaned: one line, or the wrapped lines of one paragraph.

    Lines dropped by a line rule stay in the sequence as pieces with a reason, so that
    later passes see what sat between the kept pieces.
    """

    __slots__ = (
        *("lines", "parts", "bullet", "level", "reason", "role"),
        *("text", "words", "is_body", "is_headline", "_key"),
    )

    def __init__(self, lineno: int, line: str, bullet: bool, level: int, reason: str | None):
        self.lines = [lineno]
        self.parts = [line]
        self.bullet = bullet
        self.level = level  # Markdown heading level from the reading stage: 1 is the title
        self.reason = reason
        self.role: str | None = None  # TITLE, HEADING or PARAGRAPH once kept
        self._key: str | None = None
        if reason is None:
            self.finish()
        else:  # what finish() works out for a dropped line (most of a page's lines)
            self.text = line
            self.words = line.count(" ") + 1
            self.is_body = self.is_headline = False

    def key(self) -> str:
        """The text's comparison key (see ``_key``), worked out once."""
        if self._key is None:
            self._key = _key(self.text)
        return self._key

    def finish(self) -> None:
        """Work out what the passes ask about the piece's text (again after a join)."""
        parts = self.parts
        text = self.text = parts[0] if len(parts) == 1 else " ".join(parts)
        words = self.words = text.count(" ") + 1
        if self.reason is not None:
            self.is_body = self.is_headline = False
            return
        # Prose ends like a sentence (before any trailing credit), or is too long to be
        # a headline; a headline-like piece is a marked heading or a short line without
        # sentence punctuation.
        self.is_body = not self.level and (
            words > _HEADLINE_MAX_WORDS
            or _ends_sentence(text)
            or (
                (credited := _without_trailing_credit(text)) is not text
                and _ends_sentence(credited)
            )
            or (words >= 4 and _EMBEDDED_POST_END.search(text[-60:]) is not None)
            or (words >= 4 and "(@" in text and _SIGNED_POST_END.search(text[-160:]) is not None)
        )
        self.is_headline = self.level > 0 or not (self.bullet or self.is_body)


_KEY_STRIP = " .,:;!?|-–—\"'“”‘’«»()[]*_#"
# An embedded post (a tweet) as a browser copies it: its text ends in the picture or
# short link the post carries. It is part of the story, so it is body text.
_EMBEDDED_POST_END = re.compile(r"(?:pic\.twitter\.com|t\.co|instagr\.am)/\w+$")
# ... or in its signature, which cleaning joins to it: "— Jane Roe (@janeroe) May 1, 2019".
_SIGNED_POST_END = re.compile(r"(?:^|\s)[—–-]\s*\S[^—–()]{0,80}\(@\w{1,30}\)[^()]{0,40}$")


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _key(text: str) -> str:
    # Comparison key for titles and repeats: case and punctuation at the ends don't
    # matter. (Texts are whitespace-normalised already.)
    return text.casefold().strip(_KEY_STRIP)


def _wrap_width(lines: Sequence[str]) -> int | None:
    """The fixed width prose was hard-wrapped at, or None when lines are not wrapped.

    Wrapped prose has many long lines that stop mid-sentence and are followed by more of
    the same paragraph; text with one paragraph per line has lines far longer than any
    wrap width, or lines that end with sentence punctuation.
    """
    lengths = [len(line) for line in lines if line]
    if not lengths:
        return None
    # Prose wrapped at a width has (almost) no line beyond it. Counted among the lines
    # long enough to be prose: a page of one paragraph per line with many short menu
    # lines around it is not wrapped however few its long lines are.
    over = sum(1 for n in lengths if n > 100)
    if over > max(1, sum(1 for n in lengths if n >= 40) // 20):
        return None
    width = max((n for n in lengths if n <= 100), default=0)
    floor = max(40, width - 15)
    followed = mid_sentence = 0
    for line, nxt in zip(lines, lines[1:], strict=False):
        if not line or not nxt or len(line) < 40:
            continue
        followed += 1
        if len(line) >= floor and not _ends_clause(line):
            mid_sentence += 1
    if mid_sentence >= 2 and mid_sentence * 4 >= followed:
        return width
    return None


def _continues(prev: str, prev_ends_clause: bool, line: str, width: int | None) -> bool:
    """Whether ``line`` carries on the paragraph whose last line is ``prev``."""
    if line[0].islower() and not prev_ends_clause:
        return True
    if width is not None:
        # A greedy wrapper would have put the next word on this line if it fitted, so a
        # line with room left for it ends its paragraph.
        first = line.split(" ", 1)[0]
        return len(prev) + 1 + len(first) > width
    return not prev_ends_clause and prev.endswith((",", "-", "–"))


def _split_pieces(text: str) -> list[_Piece]:
    """Lines -> pieces; a line that a line rule recognises is a piece with its reason."""
    # Most lines need only their ends stripped. isprintable() is False for every
    # whitespace character but the plain space, so it finds tabs, no-break and other odd
    # spaces in one fast pass (a regex scan costs many times more).
    lines = [
        " ".join(line.split()) if "  " in line or not line.isprintable() else line
        for line in map(str.strip, text.split("\n"))
    ]
    width = _wrap_width(lines)
    line_reason = _line_reason
    pieces: list[_Piece] = []
    current: _Piece | None = None
    prev_ends_clause = False
    prev = ""
    lineno = 0
    for line in lines:
        lineno += 1
        if not line:
            current = None
            continue
        level = 0
        bullet = False
        first = line[0]
        if first in "—–-" and pieces and _is_post_signature(line, pieces[-1]):
            # The signature under an embedded post ends the post, across a blank line.
            pieces[-1].parts.append(line)
            pieces[-1].lines.append(lineno)
            current, prev, prev_ends_clause = None, line, True
            continue
        if first == "#":
            heading = _MARKDOWN_HEADING.match(line)
            if heading:
                level = len(heading.group(1))
                line = line[heading.end() :]
                if level > 1 and _is_sentence(line):
                    level = 0  # a sentence of the story set as a subheading
        elif first in _BULLET_CHARS:
            marker = _BULLET.match(line)
            if marker and first in "-–—":
                # Dash bullets ("- item") count only in a run, so that a lone "- AFP" or
                # a dash-quote keeps its dash.
                marker = marker if _dash_neighbour(lines, lineno - 1) else None
            if marker:
                bullet = True
                line = line[marker.end() :]
            if not line:
                current = None
                continue
        reason: str | None = None
        if current is not None and not (bullet or level or current.level):
            if prev_ends_clause:
                # A furniture line right after a sentence is never its continuation.
                reason = line_reason(line)
            if reason is None and _continues(prev, prev_ends_clause, line, width):
                current.parts.append(line)
                current.lines.append(lineno)
                prev = line
                prev_ends_clause = line[-1] in _CLAUSE_ENDS or _ends_clause(line)
                continue
        if reason is None:
            reason = line_reason(line)
        piece = _Piece(lineno, line, bullet, level, reason)
        pieces.append(piece)
        # Nothing joins onto a dropped line: it ends the paragraph before it (and what
        # the next line would be asked about it is never asked).
        if reason is None:
            current = piece
            prev = line
            prev_ends_clause = line[-1] in _CLAUSE_ENDS or _ends_clause(line)
        else:
            current = None
    for piece in pieces:
        if len(piece.parts) > 1:
            piece.finish()
    return pieces


# A subheading in the markup that is a sentence of the story: a standfirst or a pull quote
# set as a heading, a question put to the reader ("Are barbers open again?"), a section
# lead written as a sentence ("The left is all right."). It ends like a sentence and is
# not a title-case headline ("Do Parties Or Voters Choose Nominees?", "Is Football a
# Crime?": no lower-case word but short ones like "a", "of"); short ones
# ("Lunch?", "Why now?") stay subheadings.
_SENTENCE_HEADING_MIN_WORDS = 4
_ENDS_FULL_SENTENCE = re.compile(r"[.!?…](?:\s?[\"'”’»)\]]){0,3}$")


def _is_sentence(text: str) -> bool:
    words = text.split()
    return (
        len(words) >= _SENTENCE_HEADING_MIN_WORDS
        and _ENDS_FULL_SENTENCE.search(text) is not None
        and any(w[0].islower() and len(w) > 3 for w in words[1:])
    )


def _is_post_signature(line: str, before: _Piece) -> bool:
    """Whether ``line`` signs the embedded post ``before`` holds."""
    return (
        before.reason is None
        and not before.level
        and line.count(" ") < _SIGNATURE_MAX_WORDS
        and _POST_SIGNATURE.match(line) is not None
    )


_SIGNATURE_MAX_WORDS = 20


def _dash_neighbour(lines: Sequence[str], index: int) -> bool:
    before = lines[index - 1] if index > 0 else ""
    after = lines[index + 1] if index + 1 < len(lines) else ""
    return bool(_DASH_BULLET.match(before) or _DASH_BULLET.match(after))


def _drop(piece: _Piece, reason: str) -> None:
    if piece.reason is None:
        piece.reason = reason


def _alive(pieces: Iterable[_Piece]) -> list[_Piece]:
    return [p for p in pieces if p.reason is None]


def _apply_piece_rules(pieces: Sequence[_Piece]) -> None:
    """Rules that need a whole piece: joined furniture lines, and photo captions."""
    for piece in pieces:
        text = piece.text
        if piece.reason is not None:
            continue
        if len(piece.lines) > 1:
            reason = _line_reason(text)
            if reason is not None:
                _drop(piece, reason)
                continue
        reason = _caption_reason(text, piece.words)
        if reason is not None:
            _drop(piece, reason)


def _caption_reason(text: str, words: int) -> str | None:
    """The reason for a piece that ends in a photographer's credit, else None.

    A caption with a credit ("... July 30, 2025. REUTERS/Steve Nesius") is a photo
    caption; a credit with at most a few words before it is a photo credit.
    """
    if words > _CAPTION_MAX_WORDS or words < 4:
        # Shorter credits ("Getty Images") are line rules' business.
        return None
    # Regex searches cost per character, so only the tail is searched, and only when it
    # holds a word that every credit form contains.
    tail = text[-_CAPTION_TAIL_CHARS:]
    if not ("/" in tail or ":" in tail or "(" in tail or "Getty" in tail or "[" in tail):
        return None
    cut = len(text) - len(tail)
    # A sentinel in front of a cut tail keeps "^" from matching in mid-text.
    match = _CAPTION_TAIL.search(f"\x00{tail}" if cut else tail)
    if match is None:
        return None
    start = cut + match.start() - (1 if cut else 0)
    whole = start <= 0 or text.count(" ", 0, start) <= 3
    return PHOTO_CREDIT if whole else PHOTO_CAPTION


def _drop_bullet_menus(pieces: Sequence[_Piece]) -> None:
    """A run of bullets that are mostly short and unpunctuated is a menu."""
    run: list[_Piece] = []
    for piece in [*_alive(pieces), None]:
        if piece is not None and piece.bullet:
            run.append(piece)
            continue
        if run:
            menu = [p for p in run if not p.is_body and p.words <= 5]
            if len(menu) * 5 >= len(run) * 3:
                for p in menu:
                    _drop(p, NAVIGATION)
            run = []


def _drop_short_runs(pieces: Sequence[_Piece]) -> None:
    """Three or more short headline-like lines in a row are a menu, not headings."""
    run: list[_Piece] = []
    for piece in [*_alive(pieces), None]:
        if (
            piece is not None
            and piece.is_headline
            and not piece.level
            and piece.words <= _MENU_MAX_WORDS
        ):
            run.append(piece)
            continue
        if len(run) >= 3:
            for p in run:
                _drop(p, NAVIGATION)
        run = []


# A teaser headline cut short by the site: "Council votes on the library plan …".
_TRUNCATED = re.compile(r"[^.!?…\s]\s?(?:…|\.\.\.)$")
# This many cut-short lines in a row are a list of other stories.
_TRUNCATED_RUN = 3


def _drop_truncated_teasers(pieces: Sequence[_Piece]) -> None:
    """Short lines that each end in an ellipsis, several in a row, are teasers."""
    run: list[_Piece] = []
    for piece in [*_alive(pieces), None]:
        if (
            piece is not None
            and not piece.level
            and piece.words <= _HEADLINE_MAX_WORDS
            and _TRUNCATED.search(piece.text[-6:]) is not None
        ):
            run.append(piece)
            continue
        if len(run) >= _TRUNCATED_RUN:
            for p in run:
                _drop(p, TEASER)
        run = []


# A bracketed ellipsis closing a paragraph ("… co-presented by the theatre and […]") is
# the mark blogs put at the end of an excerpt of another post: several on one page are
# a list of other posts, however long each excerpt is.
_EXCERPT_END = re.compile(r"\[\s*(?:…|\.\.\.)\s*\]$")
_EXCERPT_MIN = 2


def _drop_post_excerpts(pieces: Sequence[_Piece]) -> None:
    excerpts = [p for p in pieces if not p.level and _EXCERPT_END.search(p.text[-8:])]
    if len(excerpts) >= _EXCERPT_MIN:
        for piece in excerpts:
            _drop(piece, RELATED)


def _drop_site_names(pieces: Sequence[_Piece], owners: set[str]) -> None:
    """Drop the site's name standing alone, as its copyright line spells it."""
    for piece in _alive(pieces):
        if piece.words <= 6 and not piece.is_body and piece.key() in owners:
            _drop(piece, SITE_NAME)


def _repeated_keys(pieces: Sequence[_Piece]) -> set[str]:
    """Keys of short headline-like lines that occur more than once on the page."""
    seen: set[str] = set()
    repeated: set[str] = set()
    for piece in _alive(pieces):
        if piece.words <= 4 and not piece.is_body:
            key = piece.key()
            (repeated if key in seen else seen).add(key)
    return repeated


def _drop_repeats(pieces: Sequence[_Piece], keep: str | None) -> None:
    """A short line that occurs twice on a page is a menu item or a label, not a heading.

    The title (``keep``) is left for the duplicate-title rule.
    """
    repeated = _repeated_keys(pieces)
    repeated.discard(keep or "")
    for piece in _alive(pieces):
        if piece.words <= 4 and not piece.is_body and piece.key() in repeated:
            _drop(piece, NAVIGATION if piece.bullet else REPEATED)


def _site_owners(pieces: Iterable[_Piece]) -> set[str]:
    """The site's name as its copyright lines spell it ("© 2025 by GCN" -> "gcn")."""
    owners = set()
    for piece in pieces:
        if piece.reason == LEGAL:
            match = _COPYRIGHT_OWNER.match(piece.text)
            if match:
                owners.add(_key(match.group("owner")))
    owners.discard("")
    return owners


def _drop_duplicates(pieces: Sequence[_Piece]) -> None:
    """Drop a paragraph repeated elsewhere (a standfirst, a pull quote); keep the body one.

    Of two equal paragraphs the first stays. A paragraph contained in another starts
    where one of the other's sentences starts, so only paragraphs with a sentence opening
    like a candidate are compared: linear in the size of the article. (Sentences are found
    at ". " only, which is cheap and catches the usual standfirst.)
    """
    seen: set[str] = set()
    body = []
    for piece in _alive(pieces):
        if not piece.is_body:
            continue
        if piece.text in seen and piece.words >= _DUPLICATE_MIN_WORDS:
            _drop(piece, DUPLICATE)
            continue
        seen.add(piece.text)
        body.append(piece)
    wanted: dict[str, list[_Piece]] = {}
    for piece in body:
        if piece.words >= _DUPLICATE_MIN_WORDS:
            candidates = wanted.setdefault(piece.text[:_FINGERPRINT], [])
            if len(candidates) < _MAX_CANDIDATES:
                candidates.append(piece)
    if not wanted:
        return
    for holder in body:
        for sentence in holder.text.split(". "):
            for piece in wanted.get(sentence[:_FINGERPRINT], ()):
                if (
                    piece is not holder
                    and piece.reason is None
                    and len(piece.text) < len(holder.text)
                    and piece.text in holder.text
                ):
                    _drop(piece, DUPLICATE)


# Paragraphs that open alike and are compared with each other, at most.
_MAX_CANDIDATES = 8


def _find_title(pieces: Sequence[_Piece], title: str | None) -> _Piece | None:
    """The piece holding the article's title, looked for before the first long paragraph.

    With a known ``title``, the piece that reads the same; else a ``# `` line; else the
    first headline-like line of three words or more. A line that is repeated on the page
    (a tagline in the header and the footer) or that sits right above a menu (a site's
    tagline) is passed over while a better one follows.
    """
    wanted = _key(title) if title else None
    for piece in pieces:
        if piece.reason is None and piece.level == 1:
            if wanted is None or _same_title(piece.key(), wanted):
                return piece
    if wanted is None:
        crumbed = _breadcrumb_title(pieces)
        if crumbed is not None:
            return crumbed
    found = _first_title(pieces, wanted)
    return _likeliest_title(pieces, found) if wanted is None else found


def _first_title(pieces: Sequence[_Piece], wanted: str | None) -> _Piece | None:
    """The first piece before the first long paragraph that reads as ``wanted``, or with
    no ``wanted``, the first headline-like one that is not repeated or above a menu."""
    repeated = _repeated_keys(pieces)
    fallback = None
    for index, piece in enumerate(pieces):
        if piece.reason is not None:
            continue
        if piece.is_body and not piece.bullet and piece.words >= _LONG_BODY_WORDS:
            break
        if wanted is not None:
            if _same_title(piece.key(), wanted):
                return piece
        elif piece.is_headline and piece.words >= 3:
            following = pieces[index + 1] if index + 1 < len(pieces) else None
            above_menu = following is not None and following.reason in _MENU_REASONS
            if piece.key() not in repeated and not above_menu:
                return piece
            fallback = fallback or piece
    return fallback


# What sits between a title and its story: a byline, a date, credits, share buttons.
_TITLE_META = frozenset(
    (BYLINE, DATE, READING_TIME, PHOTO_CREDIT, PHOTO_CAPTION, SOCIAL, CATEGORY, PROMPT, ADVERT)
)
# Headline-like lines the earlier passes drop in runs (a title set among menu or teaser
# lines is dropped with them) and that may still be the title.
_TITLE_RUN_REASONS = frozenset((TEASER, RELATED))
_NAMED_BONUS = 3.0
_META_BONUS = 1.0
_FIRST_BONUS = 2.0
_GAP_COST = 1.0


def _likeliest_title(pieces: Sequence[_Piece], first: _Piece | None) -> _Piece | None:
    """Of the headline-shaped lines before the first long paragraph, the likeliest title.

    A title sits close above its story: what lies between is a byline, a date, credits,
    share buttons and a standfirst, not more headlines. It is often named again on the
    page (a share line, a "Title | Site" line, a most-read list). Each line gets a point
    off for every headline-like line between it and the story, points for being named
    again and for a byline or date below it, and the first headline-like line of the page
    (``first``, what the page shows first) a head start. A title the run passes dropped
    with the teasers around it is taken back.
    """
    limit = _story_start(pieces)
    scored: list[tuple[float, int]] = []
    gap, meta = 0, False
    for index in range(limit - 1, -1, -1):
        piece = pieces[index]
        if piece.reason in _TITLE_META:
            meta = meta or gap == 0
            continue
        shaped = _title_shaped(piece) and (piece is first or piece.words > _MENU_MAX_WORDS)
        if shaped:
            score = -_GAP_COST * gap + (_META_BONUS if meta else 0.0)
            score += _FIRST_BONUS if piece is first else 0.0
            scored.append((score, index))
        if piece.reason is None or piece.reason in _TITLE_RUN_REASONS or shaped:
            if not (piece.reason is None and piece.words >= _STANDFIRST_MIN_WORDS and gap == 0):
                gap += 1
    if not scored:
        return first
    best = max(s for s, _ in scored)
    keys = [p.key() for p in pieces]
    ranked = []
    for score, index in scored:
        if score + _NAMED_BONUS < best:
            continue
        key = keys[index]
        named = pieces[index].words >= 4 and any(
            key in other for i, other in enumerate(keys) if i != index
        )
        ranked.append((score + (_NAMED_BONUS if named else 0.0), index))
    chosen = pieces[max(ranked)[1]]
    if chosen.reason is not None:
        chosen.reason = None
        chosen.finish()
    return chosen


def _story_start(pieces: Sequence[_Piece]) -> int:
    """Where the story starts: its first long paragraph, or two body paragraphs in a row."""
    previous = -1  # the last piece still alive, when it is body text
    for index, piece in enumerate(pieces):
        if piece.reason is not None:
            continue
        if piece.is_body and not piece.bullet:
            if piece.words >= _LONG_BODY_WORDS:
                return index
            if previous >= 0:
                return previous
            previous = index
        else:
            previous = -1
    return len(pieces)


# A byline the line rules left ("By Jane Roe and ...", "Jane Roe Education editor").
_BYLINE_START = re.compile(
    r"(?i:by)\s|.*\s(?i:editor|correspondent|reporter|writer|columnist|contributor)s?$"
)


def _title_shaped(piece: _Piece) -> bool:
    """Whether a piece (dropped or not) has a title's shape: a short unpunctuated line."""
    if piece.bullet or piece.level > 1 or _BYLINE_START.match(piece.text):
        return False
    if piece.reason is None:
        return piece.is_headline and piece.words >= 3
    return (
        piece.reason in _TITLE_RUN_REASONS
        and 3 <= piece.words <= _HEADLINE_MAX_WORDS
        and not _ends_sentence(piece.text)
    )


_MENU_REASONS = frozenset((NAVIGATION, SEARCH, SITE_NAME))
# A breadcrumb trail ("Home News Prison official: ‘Anyone’ could escape") ends with the
# page's own headline, which follows it within a few lines.
_BREADCRUMB_REACH = 4


def _breadcrumb_title(pieces: Sequence[_Piece]) -> _Piece | None:
    """The headline that ends a breadcrumb line just above it, before the first long
    paragraph; None when the page has no such pair."""
    alive = [p for p in pieces if p.reason is None]
    for index, piece in enumerate(alive):
        if piece.is_body and not piece.bullet and piece.words >= _LONG_BODY_WORDS:
            return None
        if not piece.is_headline or piece.words < 3:
            continue
        key = piece.key()
        for before in alive[max(0, index - _BREADCRUMB_REACH) : index]:
            crumb = before.key()
            if len(crumb) > len(key) and crumb.endswith(" " + key) and before.is_headline:
                return piece
    return None


def _same_title(key: str, wanted: str) -> bool:
    """Whether two title keys name the same title.

    Metadata titles often carry the site's name ("... | Reuters", "BBC News - ...") and
    page headlines don't, or the other way round.
    """
    if not key or not wanted:
        return False
    if key == wanted:
        return True
    short, long_ = sorted((key, wanted), key=len)
    if long_.startswith(short):
        rest = long_[len(short) :].lstrip()
        return rest[:1] in _TITLE_SEPARATORS or len(short) * 5 >= len(long_) * 3
    if long_.endswith(short):
        rest = long_[: -len(short)].rstrip()
        return rest[-1:] in _TITLE_SEPARATORS
    return False


_TITLE_SEPARATORS = frozenset("|-–—:•·")


def _resolve_run(run: Sequence[_Piece]) -> None:
    """Headline-like lines between body text: one is a subheading, several are teasers."""
    if not run:
        return
    if len(run) == 1 or (len(run) <= 3 and all(p.level for p in run)):
        for piece in run:
            piece.role = HEADING
        return
    short = sum(p.words for p in run) <= _MENU_MAX_WORDS * len(run)
    for piece in run:
        _drop(piece, NAVIGATION if short else TEASER)


_STANDFIRST_MIN_WORDS = 10


def _lay_out(pieces: Sequence[_Piece], title_piece: _Piece | None) -> None:
    """Give every surviving piece its role, or a reason by where it sits on the page."""
    alive = _alive(pieces)
    start = 0
    if title_piece is not None:
        start = alive.index(title_piece) + 1
        title_piece.role = TITLE
        for piece in alive[: start - 1]:
            _drop(piece, NAVIGATION if piece.bullet else CHROME)
    rest = alive[start:]
    body_at = [i for i, p in enumerate(rest) if p.is_body]
    if not body_at:
        for piece in rest:
            _drop(piece, NAVIGATION if piece.bullet else CHROME)
        return
    first, last = body_at[0], body_at[-1]
    # Before the body: one- to three-word lines are tags ("Russian", "World News"); a
    # long line right under the title is the standfirst, punctuated or not.
    for index, piece in enumerate(rest[:first]):
        if piece.is_headline and not piece.level and piece.words <= _MENU_MAX_WORDS:
            _drop(piece, CATEGORY)
        elif index == 0 and title_piece is not None and piece.words >= _STANDFIRST_MIN_WORDS:
            piece.is_headline, piece.is_body = False, True
    run: list[_Piece] = []
    for piece in rest[: last + 1]:
        if piece.reason is not None:
            continue
        if piece.is_headline:
            run.append(piece)
            continue
        _resolve_run(run)
        run = []
        piece.role = PARAGRAPH
    # After the body: whatever is left is the page's footer.
    for piece in rest[last + 1 :]:
        _drop(piece, NAVIGATION if piece.bullet else CHROME)


# What a piece weighs when the article's extent is chosen (see ``_keep_article``): body
# text for its words, less when it stands alone between headlines (a teaser's summary),
# and a cost for every line of furniture or headline between body paragraphs: a little
# for what sits inside articles (credits, dates, ads, a related-links box), more for the
# rest.
_ALONE_FACTOR = 0.2
_SUMMARY_MAX_WORDS = 80
_FURNITURE_COST = 4.0
_HEADLINE_COST = 4.0
_INLINE_COST = 1.5
# Between a standfirst and the body sit a byline, a date, a row of share buttons.
_META_GAP_COST = 0.5
# What closes a page's article (a copyright line, a comment thread) costs much more to
# cross.
_END_COST = 12.0
_COPYRIGHT_MARK = re.compile(r"©|\(c\)|(?i:copyright|all rights reserved)")
_INLINE_REASONS = frozenset(
    (DATE, READING_TIME, BYLINE, CATEGORY, PHOTO_CREDIT, PHOTO_CAPTION, SOCIAL, RELATED)
    + (ADVERT, AGENCY_CREDIT, WIRE, DUPLICATE, DUPLICATE_TITLE)
)


def _lone_summaries(rest: Sequence[_Piece]) -> set[int]:
    """Positions of short body pieces standing alone next to another one: teasers' summaries.

    A body piece with no body next to it is a summary when the body piece before or
    after it (a few pieces away) stands alone too: headline, summary, headline, summary.
    A single paragraph under a subheading is the article's.
    """
    lone = []
    for index, piece in enumerate(rest):
        if piece.reason is not None or not piece.is_body or piece.words > _SUMMARY_MAX_WORDS:
            continue
        before = rest[index - 1] if index else None
        after = rest[index + 1] if index + 1 < len(rest) else None
        if not any(p is not None and p.reason is None and p.is_body for p in (before, after)):
            lone.append(index)
    body = [i for i, p in enumerate(rest) if p.reason is None and p.is_body]
    place = {index: n for n, index in enumerate(body)}
    alone = set(lone)
    out = set()
    for index in lone:
        n = place[index]
        neighbours = [body[m] for m in (n - 1, n + 1) if 0 <= m < len(body)]
        if any(abs(m - index) <= _SUMMARY_GAP and m in alone for m in neighbours):
            out.add(index)
    return out


_SUMMARY_GAP = 4


def _piece_cost(piece: _Piece, summary: bool) -> float:
    if piece.reason is not None:
        if piece.reason == COMMENT or (
            piece.reason == LEGAL and _COPYRIGHT_MARK.search(piece.text) is not None
        ):
            return _END_COST
        return _INLINE_COST if piece.reason in _INLINE_REASONS else _FURNITURE_COST
    if piece.is_body:
        return -piece.words * (_ALONE_FACTOR if summary else 1.0)
    if piece.level:
        return 0.0  # a marked subheading is the article's own structure
    return _HEADLINE_COST if piece.is_headline else 1.0


def _keep_article(pieces: Sequence[_Piece], title_piece: _Piece | None) -> None:
    """Keep the one stretch of the page that reads as the article; drop the rest.

    Pages put summaries of other stories, comment threads and sidebars around the
    article, and those read as body text line by line. What tells them apart is shape:
    the article is body paragraphs one after the other, other stories are a headline
    and a lone summary each, with dates and links between. The stretch with the least
    cost (furniture inside it minus its body words; a minimum-sum run, linear time) is
    the article; a standfirst between the title and that stretch belongs to it too.
    """
    start = pieces.index(title_piece) + 1 if title_piece is not None else 0
    rest = pieces[start:]
    summaries = _lone_summaries(rest)
    costs = [_piece_cost(p, i in summaries) for i, p in enumerate(rest)]
    best, best_span = 0.0, None
    total, since = 0.0, 0
    for index, cost in enumerate(costs):
        if total >= 0:
            total, since = 0.0, index
        total += cost
        if total < best:
            best, best_span = total, (since, index)
    if best_span is None:
        return
    first, last = best_span
    if title_piece is not None:
        # Between the title and the body: a standfirst, with only a byline, a date or a
        # photo credit between it and the body, is the article's.
        gap = 0.0
        for index in range(first - 1, -1, -1):
            piece = rest[index]
            if piece.reason is None and piece.is_body:
                if piece.words > gap:
                    first, gap = index, 0.0
                continue
            inline = piece.reason in _INLINE_REASONS
            gap += _META_GAP_COST if inline else max(costs[index], 0.0)
    for index, piece in enumerate(rest):
        if (index < first or index > last) and piece.is_body:
            _drop(piece, OUTSIDE)


# An author's bio of several sentences: "Jane Roe is a senior writer for ...", "Jane Roe
# covers ...". The phrase rules drop one-sentence bios anywhere; a longer paragraph that
# opens so is dropped where bios sit: after the story has begun, set off from the body
# paragraph before it by page furniture (a story about a reporter may open a paragraph so,
# but it follows the story's previous paragraph).
_BIO_OPENING = re.compile(
    r"(?:[A-Z][\w'’.-]+\s){1,3}(?:is|was|has been)\s(?:a|an|the|[A-Z][\w'’.-]*['’]s)\s"
    r"(?:[\w'’&-]+\s){0,4}(?:reporter|writer|editor|correspondent|journalist|columnist"
    r"|contributor|photographer|blogger|freelancer|producer)s?\b"
    r"|(?:[A-Z][\w'’.-]+\s){1,3}(?:covers|writes about|reports on)\s"
)
_BIO_AFTER_WORDS = 100


def _drop_bios(pieces: Sequence[_Piece]) -> None:
    """Drop the author bios set off from the story's body paragraphs."""
    words = 0
    before: _Piece | None = None
    for piece in pieces:
        if piece.reason is None and piece.is_body:
            if (
                words >= _BIO_AFTER_WORDS
                and before is not None
                and not (before.reason is None and before.is_body)
                and _BIO_OPENING.match(piece.text) is not None
            ):
                _drop(piece, BIO)
            else:
                words += piece.words
        before = piece


def _is_thread_marker(text: str) -> bool:
    return any(r.finds(text) for r in _THREAD_MARKER_RULES)


def _drop_comment_threads(pieces: Sequence[_Piece]) -> None:
    """Everything between the first and the last comment marker is the comment thread.

    A thread is "Name says:", a date, the comment, "Reply", over and over; the comments
    themselves read as prose, the markers around them don't.
    """
    marks = [i for i, p in enumerate(pieces) if p.reason == COMMENT and _is_thread_marker(p.text)]
    if len(marks) >= 2:
        for piece in pieces[marks[0] : marks[-1]]:
            _drop(piece, COMMENT)
    # A comments header once the article has begun: the body text after it is readers'.
    words = 0
    for index, piece in enumerate(pieces):
        if piece.reason is None and piece.is_body:
            words += piece.words
        elif words >= _ARTICLE_BEGUN_WORDS and _is_section_start(piece.text):
            _drop(piece, COMMENT)
            for later in pieces[index + 1 :]:
                if later.is_body:
                    _drop(later, COMMENT)
            return


# Body words before a comments header that show the article has begun (a share bar at
# the top of a page links to the comments too).
_ARTICLE_BEGUN_WORDS = 100


def _is_section_start(text: str) -> bool:
    return len(text) < 80 and any(r.finds(text) for r in _SECTION_START_RULES)


def _drop_related_lists(pieces: Sequence[_Piece]) -> None:
    """Headline-like lines and bare list items right after a "Related stories" label."""
    after_label = False
    for piece in pieces:
        if piece.reason == RELATED:
            after_label = piece.text.endswith(":") or _RELATED_LABEL.matches(
                piece.text, piece.words
            )
            continue
        if piece.reason is not None:
            continue
        if piece.is_body:
            after_label = False
        elif after_label:
            _drop(piece, RELATED)


# --------------------------------------------------------------------------------------
# Text fixes on kept paragraphs


@dataclass
class _Out:
    """A kept block on its way out, with the lines it came from."""

    kind: str
    text: str
    first: int
    last: int


# What cleaning cut, before it is placed among the blocks: (line, text, reason).
_Cut = tuple[int, str, str]


def _strip_dateline(blocks: list[_Out], dropped: list[_Cut]) -> None:
    """Cut a dateline ("WASHINGTON - ") off the start of the first paragraph."""
    # The first paragraph may be a standfirst, so the dateline is looked for in two.
    paragraphs = [b for b in blocks if b.kind == PARAGRAPH][:2]
    for block in paragraphs:
        match = _DATELINE.match(block.text[: _DATELINE_MAX_CHARS + 2])
        if match and match.end() <= _DATELINE_MAX_CHARS and match.end() < len(block.text):
            dropped.append((block.first, block.text[: match.end()].strip(), DATELINE))
            block.text = block.text[match.end() :]
            return


def _strip_trailing_credit(blocks: list[_Out], dropped: list[_Cut]) -> None:
    """Cut a wire credit off the end of the last paragraph ("... TASS. REUTERS")."""
    paragraphs = [b for b in blocks if b.kind == PARAGRAPH]
    if not paragraphs:
        return
    block = paragraphs[-1]
    kept = _without_trailing_credit(block.text)
    if kept is not block.text and kept.strip():
        credit = block.text[len(kept) :].strip(" -–—()")
        dropped.append((block.last, credit, AGENCY_CREDIT))
        block.text = kept.rstrip()


def _join_quotes(blocks: list[_Out]) -> list[_Out]:
    """Join "The agency said:" with the quotation paragraph that follows it."""
    joined: list[_Out] = []
    for block in blocks:
        prev = joined[-1] if joined else None
        if (
            prev is not None
            and prev.kind == PARAGRAPH
            and block.kind == PARAGRAPH
            and prev.text.endswith(":")
            and _OPENS_QUOTE.match(block.text)
        ):
            prev.text = f"{prev.text} {block.text}"
            prev.last = block.last
            continue
        joined.append(block)
    return joined


# --------------------------------------------------------------------------------------


# Reasons given for where a piece sits on the page rather than for what it says.
_POSITIONAL = frozenset((TEASER, CHROME, NAVIGATION, CATEGORY, OUTSIDE))


def _keep_content_lines(pieces: Sequence[_Piece], content_lines: Collection[int]) -> None:
    """Pieces an article extractor found in the story (a quotation, a table row) are
    paragraphs when only their place on the page, not their text, made them teasers,
    menus or subheadings."""
    for piece in pieces:
        if piece.lines[0] not in content_lines or piece.level:
            continue
        if piece.reason in _POSITIONAL or piece.reason is None and piece.role == HEADING:
            piece.reason = None
            piece.role = PARAGRAPH


# Cross-corpus repetition. A line that recurs in this many articles of one folder (an
# outlet's menus, footers, bios, "related" blocks, legal lines) is the site's, not the
# article's; lines longer than this many words are left out (prose is not repeated).
REPEAT_MIN_ARTICLES = 3
_REPEAT_MAX_WORDS = 60
# ... unless most of the article would go: then it is the same story filed twice.
_REPEAT_MAX_SHARE = 0.5


def line_keys(text: str) -> set[str]:
    """The comparison keys of ``text``'s lines that may be site chrome repeated elsewhere."""
    keys = set()
    longest = _RULE_MAX_CHARS * 2
    # Each distinct line once: a page repeats its blank lines and some of its chrome.
    for line in set(text.split("\n")):
        if not line or len(line) > longest:
            continue  # longer lines are prose, or split into pieces that are
        if "  " in line or not line.isprintable() or line[0] == " " or line[-1] == " ":
            line = " ".join(line.split())
        if line and line.count(" ") < _REPEAT_MAX_WORDS:
            keys.add(_key(line.lstrip(_LINE_MARKS)))
    keys.discard("")
    return keys


_LINE_MARKS = "".join(_BULLET_CHARS) + " #"


def _drop_repeated_across_corpus(pieces: Sequence[_Piece], repeated: Collection[str]) -> None:
    """Drop pieces whose every line recurs in other articles of the folder."""
    hits = []
    for piece in _alive(pieces):
        parts = piece.parts
        # A piece of one line looks up its own key, kept for the passes that follow.
        if piece.key() in repeated if len(parts) == 1 else all(_key(p) in repeated for p in parts):
            hits.append(piece)
    body = sum(p.words for p in pieces if p.reason is None and p.is_body)
    lost = sum(p.words for p in hits if p.is_body)
    if body and lost > body * _REPEAT_MAX_SHARE:
        return
    for piece in hits:
        _drop(piece, ACROSS_CORPUS)


def _restore(pieces: Sequence[_Piece], restored: Collection[str]) -> None:
    """Keep, as body paragraphs, the dropped pieces an annotator restored."""
    for piece in pieces:
        if piece.reason is not None and piece.key() in restored:
            piece.reason, piece.role = None, PARAGRAPH


def clean(
    text: str,
    title: str | None = None,
    *,
    repeated: Collection[str] = frozenset(),
    restored: Collection[str] = frozenset(),
    content_lines: Collection[int] = (),
) -> CleanArticle:
    """Split raw article text into its title, subheadings and body paragraphs.

    ``title`` is a title already known from the file's metadata (HTML ``<h1>``, a JSON
    "title"), or None to find it in the text: a ``# `` line, else the first headline-like
    line after the page's leading furniture. Returns the blocks in reading order (the
    title first, when there is one) and every dropped line or fragment with its 1-based
    line number in ``text`` and its reason (one of ``REASONS``).

    ``repeated`` holds the keys (``line_keys``) of lines that recur across the folder's
    articles; ``restored`` the texts of dropped blocks an annotator put back as body;
    ``content_lines`` line numbers an article extractor found to be story content
    (quotations, table rows).
    """
    dropped: list[_Cut] = []
    pieces = _split_pieces(text)
    given = _normalise(title) if title else None
    if repeated:
        _drop_repeated_across_corpus(pieces, repeated)

    # Passes that only look at what is left get it without the (many) dropped lines.
    alive = _alive(pieces)
    _drop_bullet_menus(alive)
    _apply_piece_rules(alive)
    _drop_site_names(alive, _site_owners(pieces))
    _drop_short_runs(alive)
    _drop_truncated_teasers(alive)
    _drop_post_excerpts(_alive(alive))
    _drop_related_lists(pieces)
    _drop_comment_threads(pieces)
    alive = _alive(alive)
    _drop_duplicates(alive)

    title_piece = _find_title(pieces, given)
    if title_piece is not None and title_piece not in alive:
        alive = _alive(pieces)  # a title the run passes had dropped, taken back
    wanted = _key(given or (title_piece.text if title_piece else ""))
    _drop_repeats(alive, wanted)
    for piece in _alive(alive):
        if piece is title_piece or not wanted:
            continue
        if piece.words > _HEADLINE_MAX_WORDS:
            continue
        key = piece.key()
        if key == wanted or (piece.is_headline and _same_title(key, wanted)):
            _drop(piece, DUPLICATE_TITLE)
    _drop_bios(pieces)
    _keep_article(pieces, title_piece)
    _lay_out(_alive(alive), title_piece)
    if content_lines:
        _keep_content_lines(pieces, content_lines)

    if restored:
        _restore(pieces, {_key(_normalise(t)) for t in restored})
    kept = [p for p in pieces if p.reason is None and p.role in (HEADING, PARAGRAPH)]
    for piece in pieces:
        if piece.reason is not None:
            dropped.append((piece.lines[0], piece.text, piece.reason))
    out = [_Out(p.role or PARAGRAPH, p.text, p.lines[0], p.lines[-1]) for p in kept]
    out = _join_quotes(out)
    _strip_dateline(out, dropped)
    _strip_trailing_credit(out, dropped)

    title_text = given or (title_piece.text if title_piece else None)
    blocks = [Block(TITLE, title_text)] if title_text else []
    # Where each block starts, to say which block a dropped piece came after.
    starts = [title_piece.lines[0] if title_piece else 0] if title_text else []
    for b in out:
        if b.text:
            blocks.append(Block(b.kind, b.text))
            starts.append(b.first)
    placed = [
        Dropped(line, cut, reason, bisect_right(starts, line) - 1)
        for line, cut, reason in sorted(dropped, key=itemgetter(0))
    ]
    return CleanArticle(title_text, tuple(blocks), tuple(placed))
