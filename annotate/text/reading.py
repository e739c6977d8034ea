"""Corpus reading: files on disk (or bytes from stdin) -> decoded, repaired article text.

This is the first stage of the pipeline. It finds candidate files under a corpus root,
reads each one in its format (plain text, Markdown, HTML, JSON, JSON lines), decodes
whatever encoding it is in, repairs the damage scrapers typically leave behind (mojibake,
control characters, terminal escapes, odd spaces, mixed line ends) and hands on
:class:`~annotate.model.Document` values. A file that cannot be read becomes one
:class:`~annotate.model.Skipped` with a short human reason; bad input never raises.

Site chrome (menus, bylines, "read more") is left for cleaning; this module only makes
the text trustworthy as text. Markdown and HTML headings come out as ``# title`` and
``## subheading`` lines, which is how cleaning recognises them.
"""

from __future__ import annotations

import codecs
import errno
import hashlib
import json
import os
import re
import stat
import unicodedata
from collections.abc import Collection, Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import BinaryIO, cast

from annotate.model import Document, Skipped
from annotate.text.extract import is_hidden
from annotate.text.walk import corpus_files
from annotate.text.walk import inside as _inside
from annotate.text.walk import real_path as _real
from annotate.visible import encodable

__all__ = [
    "DEFAULT_MAX_BYTES",
    "FORMATS",
    "SUPPORTED_SUFFIXES",
    "NotTextError",
    "corpus_files",
    "decode",
    "iter_corpus",
    "read_bytes",
    "read_file",
    "repair",
]

DEFAULT_MAX_BYTES = 20_000_000  # per article file; per line for JSON lines

# Suffix -> format name. Anything else under the corpus root is reported as unsupported.
_SUFFIX_FORMAT = {
    ".txt": "txt",
    ".md": "md",
    ".markdown": "md",
    ".html": "html",
    ".htm": "html",
    ".jsonl": "jsonl",
    ".json": "json",
}
SUPPORTED_SUFFIXES = frozenset(_SUFFIX_FORMAT)
# A supported file compressed with gzip (``page.html.gz``, ``rows.jsonl.gz``: how crawls
# and saved-page archives often come) is read as the file it holds.
_GZIP_SUFFIX = ".gz"


def file_format(path: Path) -> str | None:
    """The format a corpus file is read as, from its name (None: not supported)."""
    if _is_gzip(path):
        return _SUFFIX_FORMAT.get(Path(path.stem).suffix.lower())
    return _SUFFIX_FORMAT.get(path.suffix.lower())


def _is_gzip(path: Path) -> bool:
    return path.suffix.lower() == _GZIP_SUFFIX


def _gzip_errors() -> tuple[type[Exception], ...]:
    """What reading a damaged gzip archive raises: BadGzipFile (an OSError), EOFError for
    one cut short, zlib.error for a corrupt stream."""
    import gzip
    import zlib

    return (gzip.BadGzipFile, EOFError, zlib.error)


FORMATS = ("txt", "md", "html", "json", "jsonl")
_FORMAT_ALIASES = {"markdown": "md", "htm": "html", "text": "txt"}


class NotTextError(ValueError):
    """Raised by :func:`decode` for data that is not text; ``str(error)`` is the reason."""


# --------------------------------------------------------------------------------------
# Decoding
# --------------------------------------------------------------------------------------

# Checked longest first so that the UTF-32 LE BOM is not taken for the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Formats people drop into a folder of articles by mistake, named in the reason. Formats
# whose files always hold NUL bytes are caught by that check anyway; short magic numbers
# that a text could start with ("MZ", "ID3") are left to it too.
_MAGIC = (
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "ZIP archive or Office document"),
    (b"PK\x05\x06", "ZIP archive"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"SQLite format 3\x00", "SQLite database"),
    (b"\x1f\x8b", "gzip archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"(\xb5/\xfd", "zstd archive"),
    (b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Microsoft Office document"),
    (b"\x7fELF", "executable"),
)
# RIFF containers (WebP, WAV, AVI) carry their kind at offset 8.
_RIFF_KINDS = {b"WEBP": "WebP image", b"WAVE": "WAV audio", b"AVI ": "AVI video"}

# C0 controls other than tab, line feed, vertical tab, form feed, carriage return and ESC
# (ESC is legitimate in coloured terminal logs, which repair() cleans up), plus DEL.
_CONTROL_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")
_SAMPLE = 65536
_HIGH_RUN = re.compile(rb"[\x80-\xff]{3,}")
_HIGH_BYTE = re.compile(rb"[\x80-\xff]")


def decode(data: bytes) -> str:
    """Decode file bytes to text: BOMs, UTF-8, then legacy single-byte encodings.

    Raises :class:`NotTextError` (a ``ValueError``) with a human reason for binary data.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            # A BOM is a strong statement; a few bad bytes after it are damage, not a
            # reason to doubt the encoding.
            return data[len(bom) :].decode(encoding, errors="replace")
    reason = _binary_reason(data)
    if reason:
        raise NotTextError(reason)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    return _decode_legacy(data)


def _binary_reason(data: bytes) -> str | None:
    """Why data without a UTF-16/32 BOM is not text, or None if it may be text."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return f"binary file ({kind})"
    if data.startswith(b"RIFF") and data[8:12] in _RIFF_KINDS:
        return f"binary file ({_RIFF_KINDS[data[8:12]]})"
    if b"\x00" in data:
        return "binary file (contains NUL bytes)"
    # Text never has more than a sprinkling of these; 10% of a sample is already a lot.
    sample = data[:_SAMPLE]
    if len(_CONTROL_BYTES.findall(sample)) > len(sample) / 10:
        return "binary file (mostly control characters)"
    return None


def _decode_legacy(data: bytes) -> str:
    # Mostly UTF-8 with a few stray cp1252 bytes (a pasted quote, a hand-edited line) is
    # common in scraped text: decoding the whole file as cp1252 would turn every good
    # multi-byte character into mojibake, so fix just the stray bytes.
    sloppy = data.decode("utf-8", errors="surrogateescape")
    stray = len(_STRAY.findall(sloppy))
    good = len(sloppy) - len(sloppy.encode("ascii", errors="ignore")) - stray
    if good > stray:
        return sloppy.translate(_STRAY_BYTE)
    try:
        text = data.decode("cp1252")
    except UnicodeDecodeError:
        text = None
    # charset-normalizer guesses cp1250 for plain French or English with curly quotes,
    # so Western-looking text is taken as cp1252 before asking it.
    if text is not None and _looks_western(data, text):
        return text
    import charset_normalizer  # only for the rare legacy file: it is slow to import

    best = charset_normalizer.from_bytes(data).best()
    if best is not None:
        return str(best)
    if text is not None:
        return text
    raise NotTextError("not text in any known encoding")


def _byte_char(byte: int) -> str:
    """The character a lone high byte most likely meant: cp1252, else Latin-1."""
    try:
        return bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return bytes([byte]).decode("latin-1")


_STRAY_BYTE = {0xDC00 + b: _byte_char(b) for b in range(0x80, 0x100)}
_STRAY = re.compile("[\udc80-\udcff]")


def _looks_western(data: bytes, text: str) -> bool:
    """True if cp1252 is a safe reading: high bytes are sparse accents, not whole words."""
    high = len(_HIGH_BYTE.findall(data))
    if high == 0:
        return True
    # Cyrillic, Greek and the double-byte Asian encodings put many high bytes in a row;
    # Western languages rarely more than two ("ção").
    in_runs = sum(len(m) for m in _HIGH_RUN.findall(data))
    if in_runs > high / 10:
        return False
    # Central European cp1250 read as cp1252 puts symbols inside words ("by³o", "w¹s").
    odd = sum(
        1
        for m in _ODD_IN_WORD.finditer(text)
        if not m.group(1).isalpha() and m.group(1) not in "’‘–—-·"
    )
    return odd <= high / 10


_ODD_IN_WORD = re.compile(r"(?<=[A-Za-z])([\x80-\xff\u0152-\u2122])(?=[A-Za-z])")


# --------------------------------------------------------------------------------------
# Repair
# --------------------------------------------------------------------------------------


def _cp874_scraper_table() -> dict[str, int]:
    """Character -> byte, for text decoded as cp874 with cp1252/Latin-1 fallbacks."""
    table = {}
    for byte in range(0x80, 0x100):
        raw = bytes([byte])
        try:
            ch = raw.decode("cp874")
        except UnicodeDecodeError:
            ch = _byte_char(byte)
        table[ch] = byte
    return table


_CP874 = _cp874_scraper_table()
# The same as a str.translate table: a run's bytes are run.translate(...).encode("latin-1").
_CP874_AS_LATIN1 = {ord(ch): byte for ch, byte in _CP874.items()}
_CP874_LEAD = "".join(ch for ch, b in _CP874.items() if 0xC2 <= b <= 0xF4)
_CP874_CONT = "".join(ch for ch, b in _CP874.items() if 0x80 <= b <= 0xBF)
_CP874_LEAD_SET = frozenset(_CP874_LEAD)
_CP874_CONT_SET = frozenset(_CP874_CONT)
# Patterns here start with a character class: re scans for those several times faster.
_CP874_PAIR = re.compile(f"[{re.escape(_CP874_LEAD)}][{re.escape(_CP874_CONT)}]")
# Runs of code-page characters that start with a Thai letter or a lead: the mojibake to
# undo, and the genuine Thai words that tell it must be undone with care.
_CP874_RUN = re.compile(f"[\u0e01-\u0e5b{re.escape(_CP874_LEAD)}][{re.escape(''.join(_CP874))}]*")
_THAI_WORD = re.compile("[\u0e01-\u0e5b]+")
_CP874_MARKER = re.compile(f"[{re.escape(''.join(ch for ch, b in _CP874.items() if b < 0xA0))}]")

# UTF-8 lead bytes read as cp1252/Latin-1 (Â..ô) followed by a continuation byte read the
# same way; or a stray C1 control, which is a cp1252 character read as Latin-1.
_CP1252_CONT_SET = frozenset(
    bytes([b]).decode("cp1252" if 0x80 <= b < 0xA0 and b not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
                      else "latin-1")
    for b in range(0x80, 0xC0)
) | {chr(c) for c in range(0x80, 0xA0)}  # fmt: skip
_CP1252_HINT = re.compile(f"[\x80-\x9f\xc2-\xf4][{''.join(_CP1252_CONT_SET)}]?")
_LEADS = f"\x80-\x9f\xc2-\xf4{re.escape(_CP874_LEAD)}"
_LEAD_SET = _CP874_LEAD_SET | {chr(c) for c in (*range(0x80, 0xA0), *range(0xC2, 0xF5))}
_CONT_SET = _CP874_CONT_SET | _CP1252_CONT_SET

# What _clean() changes. ESC starts a terminal escape sequence, removed whole.
_ANSI = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b\n]*(?:\x07|\x1b\\)|\x1b[()*+][ -~]?|\x1b"
)
_SPACES = "\xa0\u1680\u2000-\u200a\u202f\u205f\u3000"
_INVISIBLE = "\xad\u180e\u200b-\u200d\u2060\ufeff"
_CONTROLS = "\x00-\x08\x0b-\x1f\x7f-\x9f"  # includes CR, VT, FF and ESC, handled apart
_DIRTY = f"\t{_CONTROLS}{_SPACES}{_INVISIBLE}\u2028\u2029\ud800-\udfff"
_DIRTY_CHAR = re.compile(f"[{_DIRTY}]")
# One scan finds everything repair() may have to do: dirt, and where mojibake could start.
_SUSPECT = re.compile(f"[{_DIRTY}{_LEADS}]")
_REPLACEMENT = {
    **{ch: " " for ch in "\t\xa0\u1680\u202f\u205f\u3000"},
    **{chr(c): " " for c in range(0x2000, 0x200B)},
    **{ch: "\n" for ch in "\x0b\x0c\u2028"},
    "\u2029": "\n\n",
    # A lone surrogate (from a JSON escape) cannot be written as UTF-8 downstream.
    **{chr(c): "\ufffd" for c in range(0xD800, 0xE000)},
}


def repair(text: str) -> str:
    """Repair decoded text: mojibake, control characters, ANSI escapes, line ends, spaces.

    Mojibake of both kinds seen in scraped news is undone: UTF-8 read as Windows-1252
    ("â€™", via ftfy) and UTF-8 read as Windows-874 ("โ€™"). CRLF and CR become LF; tabs
    and exotic spaces (NBSP, thin, ideographic...) become a plain space; zero-width
    characters, soft hyphens and stray BOMs go; so do C0/C1 controls other than newline,
    and terminal escape sequences. Clean text costs one regex scan.
    """
    # Repeated to a fixed point so that repair(repair(x)) == repair(x): fixing mojibake
    # or removing a control character can leave something else to fix.
    for _ in range(6):
        found = set()
        for match in _SUSPECT.finditer(text):
            ch = match.group()
            if ch not in _LEAD_SET:
                found.add(ch)
            elif ch <= "\x9f" or text[match.end() : match.end() + 1] in _CONT_SET:
                start = match.start()
                break  # a C1 control or a lead with its continuation: maybe mojibake
        else:  # the common, cheap case: at most some dirt, and a lone "é" is no mojibake
            if not found:
                return text
            fixed = _clean(text, found)
            # Replacing (NBSP -> space) cannot make new mojibake; deleting can ("Ã\u200b©").
            if all(ch in _REPLACEMENT or ch == "\r" for ch in found):
                return fixed
            text = fixed
            continue
        fixed = _fix_mojibake(text, start)
        fixed = _clean(fixed, set(_DIRTY_CHAR.findall(fixed)))
        if fixed == text:
            break
        text = fixed
    return text


def _fix_mojibake(text: str, start: int = 0) -> str:
    """``text`` with its mojibake undone; ``start`` is where repair's scan found the first
    lead with its continuation (or C1 control): no cp874 pair starts before it, since
    every cp874 lead and continuation is one of those."""
    # ftfy is slow (1.5x the whole segmentation budget if run on every article), so it
    # only runs where a cheap scan has found a likely mojibake marker.
    if _CP874_PAIR.search(text, start):
        text = _fix_cp874(text)
    # Looked for only now: ftfy takes some fixed cp874 ("”ü") for MacRoman mojibake.
    if any(len(m.group()) == 2 or m.group() <= "\x9f" for m in _CP1252_HINT.finditer(text)):
        # Imported here: a re-run over an unchanged corpus should not pay for ftfy.
        import ftfy

        text = ftfy.fix_encoding(text)
    return text


def _fix_cp874(text: str) -> str:
    """Undo UTF-8 read as Windows-874 (Thai), which ftfy does not know: "โ€™" -> "’".

    Each run of code-page characters is turned back into bytes and decoded as UTF-8;
    only the pieces that form valid, printable UTF-8 characters are replaced. Real Thai
    rarely forms such pieces (its vowels and tone marks are invalid UTF-8 in those
    positions), but "ยก" in a Thai word is also valid UTF-8 for "¡". So if the text holds
    genuine Thai (Thai letters that are not UTF-8), only pieces with an unmistakable
    marker (bytes 0x80-0x9F: "€", "™", curly quotes...) are replaced.
    """
    runs = [(m.start(), m.end(), m.group()) for m in _CP874_RUN.finditer(text)]
    genuine_thai = any(
        not _is_utf8(run) and any(len(w) > 1 and not _is_utf8(w) for w in _THAI_WORD.findall(run))
        for *_, run in runs
    )
    parts = []
    pos = 0
    for start, end, run in runs:
        if genuine_thai and not _CP874_MARKER.search(run):
            continue  # nothing in it may be replaced
        parts.append(text[pos:start])
        parts.append(_fix_run(run, genuine_thai))
        pos = end
    parts.append(text[pos:])
    return "".join(parts)


def _cp874_bytes(run: str) -> bytes:
    return run.translate(_CP874_AS_LATIN1).encode("latin-1")


def _is_utf8(run: str) -> bool:
    try:
        _cp874_bytes(run).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _fix_run(run: str, genuine_thai: bool) -> str:
    decoded = _cp874_bytes(run).decode("utf-8", errors="surrogateescape")
    out = []
    i = 0
    for ch in decoded:
        if "\udc80" <= ch <= "\udcff":  # a byte that is not part of valid UTF-8
            out.append(run[i])
            i += 1
            continue
        width = len(ch.encode("utf-8"))
        piece = run[i : i + width]
        i += width
        if unicodedata.category(ch) in ("Cc", "Cn", "Co", "Cs"):
            out.append(piece)  # decodes, but to nothing a news text would contain
        elif genuine_thai and not any(_CP874[c] < 0xA0 for c in piece):
            out.append(piece)
        else:
            out.append(ch)
    return "".join(out)


def _clean(text: str, found: set[str]) -> str:
    """Fix the dirty characters in ``found``, all of which occur in ``text``."""
    # Escape sequences first, as a whole: their parameters are not text.
    if "\x1b" in found:
        text = _ANSI.sub("", text)
    if "\r" in found:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    for ch in found:
        if ch not in "\x1b\r":
            text = text.replace(ch, _REPLACEMENT.get(ch, ""))
    return text


# --------------------------------------------------------------------------------------
# Markdown
# --------------------------------------------------------------------------------------

_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_FRONT_KEY = re.compile(r"^([A-Za-z_][\w-]*)[ \t]*:[ \t]*(.*?)[ \t]*$")
_METADATA_KEYS = ("title", "source", "url", "date")
_MD_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_MD_FENCE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})[^`]*$")
_MD_RULE = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
_MD_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_MD_NOT_SETEXT = re.compile(r"^\s*(?:#|[-*+]\s|\d+[.)]\s)")  # headings and list items
_MD_REF_DEF = re.compile(r"^ {0,3}\[[^\]]+\]:[ \t]*\S+.*$")
_MD_QUOTE = re.compile(r"^ {0,3}(?:>[ \t]?)+")
_MD_URL = r"\((?:[^()\s]|\([^()\s]*\))*(?:[ \t]+(?:\"[^\"]*\"|'[^']*'))?[ \t]*\)"
_MD_IMAGE = re.compile(r"!\[[^\]]*\](?:" + _MD_URL + r"|\[[^\]]*\])")
_MD_LINK = re.compile(r"\[([^\]]*)\](?:" + _MD_URL + r"|\[[^\]]*\])")
_MD_AUTOLINK = re.compile(r"<((?:https?|ftp|mailto):[^<>\s]+)>")
_MD_STRONG_UNDERSCORE = re.compile(r"(?<!\w)__(?=\S)(.+?)(?<=\S)__(?!\w)")
_MD_EM_STAR = re.compile(r"(?<![\w*\\])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*\\])\*(?![\w*])")
_MD_EM_UNDERSCORE = re.compile(r"(?<![\w\\])_(?=[^\s_])([^_\n]+?)(?<=[^\s_\\])_(?!\w)")
_MD_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def _read_markdown(text: str) -> tuple[str, dict[str, str]]:
    """Markdown -> plain text with ``#`` heading lines, plus front-matter metadata."""
    meta: dict[str, str] = {}
    front = _FRONT_MATTER.match(text)
    if front:
        for line in front.group(1).splitlines():
            key_value = _FRONT_KEY.match(line)
            if key_value and key_value.group(1).lower() in _METADATA_KEYS:
                value = _unquote(key_value.group(2))
                if value:
                    meta.setdefault(key_value.group(1).lower(), value)
        text = text[front.end() :]
    text = _MD_COMMENT.sub("", text)
    lines: list[str] = []
    for line in text.split("\n"):
        setext = _MD_SETEXT.match(line)
        previous = lines[-1] if lines else ""
        if setext and previous.strip() and not _MD_NOT_SETEXT.match(previous):
            # "Title\n=====" is a heading; cleaning only understands the "#" form.
            marker = "# " if setext.group(1)[0] == "=" else "## "
            lines[-1] = marker + lines[-1].strip()
            continue
        if _MD_FENCE.match(line) or _MD_RULE.match(line) or _MD_REF_DEF.match(line):
            lines.append("")
            continue
        lines.append(_md_inline(_MD_QUOTE.sub("", line)))
    return "\n".join(lines), meta


def _md_inline(line: str) -> str:
    line = _MD_IMAGE.sub("", line)
    line = _MD_LINK.sub(r"\1", line)
    line = _MD_AUTOLINK.sub(r"\1", line)
    line = line.replace("**", "").replace("`", "")
    line = _MD_STRONG_UNDERSCORE.sub(r"\1", line)
    line = _MD_EM_STAR.sub(r"\1", line)
    line = _MD_EM_UNDERSCORE.sub(r"\1", line)
    return _MD_ESCAPE.sub(r"\1", line)


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1].strip()
    return value


# --------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------

# Page furniture and non-text. figcaption is a photo caption, not article prose.
_HTML_SKIP = frozenset(
    "nav header footer aside script style noscript form svg iframe button figcaption "
    "template select textarea object canvas math dialog".split()
)
_HTML_VOID = frozenset(
    "area base br col embed hr img input link meta param source track wbr".split()
)
_HTML_BLOCK = frozenset(
    "p div li ul ol blockquote td th tr table thead tbody tfoot dd dt dl pre section "
    "article main figure hr address details summary body center caption fieldset legend "
    "h1 h2 h3 h4 h5 h6".split()
)
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")
_HTML_HEADINGS = frozenset("h1 h2 h3 h4 h5 h6".split())
_BLANK_LINES = re.compile(r"\n{3,}")
_TITLE_SUFFIX = re.compile(r"^(.*\S)\s+(?:\||-|–|—|·|::|»)\s+(\S.*)$")
_DATE_META = frozenset(
    ["article:published_time", "og:published_time", "date", "pubdate", "publish-date",
     "datepublished", "dc.date", "dc.date.issued"]
)  # fmt: skip


class _ArticleParser(HTMLParser):
    """Collects the text blocks of a page, remembering which container each came from."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str, object]] = []  # (kind, text, container)
        self.page_title = ""
        self.meta: dict[str, str] = {}
        self._buffer: list[str] = []
        self._heading: str | None = None
        self._skip_tag: str | None = None
        self._skip_depth = 0
        self._in_title = False
        self._article_depth = 0
        self._article_count = 0
        self._main_depth = 0

    def _container(self) -> object:
        if self._article_depth:
            return ("article", self._article_count)
        return "main" if self._main_depth else None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth += 1
            return
        attributes = {name: value or "" for name, value in attrs}
        if tag == "title":
            self._in_title = True
            return
        if tag in ("meta", "link"):
            self._note_meta(tag, attributes)
            return
        if tag == "time" and "datetime" in attributes:
            self.meta.setdefault("time", attributes["datetime"])
        hidden = is_hidden(attributes)
        # An article's own <header> holds its title and byline; only the page's is chrome.
        own_header = tag == "header" and (self._article_depth or self._main_depth)
        if tag not in _HTML_VOID and (tag in _HTML_SKIP and not own_header or hidden):
            if not hidden or tag in _HTML_BLOCK:
                self._flush()  # hidden inline text leaves its sentence whole
            self._skip_tag, self._skip_depth = tag, 1
            return
        if tag == "br":
            self._buffer.append("\n")
        elif tag in _HTML_BLOCK:
            # Inside a heading, <span>s and even <div>s are still part of the heading.
            if self._heading and tag not in _HTML_HEADINGS:
                return
            self._flush()
            if tag in _HTML_HEADINGS:
                self._heading = tag
            elif tag == "article":
                if not self._article_depth:
                    self._article_count += 1
                self._article_depth += 1
            elif tag == "main":
                self._main_depth += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # <br/> and friends: no end tag follows, so never open a skip region for them.
        if self._skip_tag is not None:
            return
        if tag in ("meta", "link"):
            self._note_meta(tag, {name: value or "" for name, value in attrs})
        elif tag == "br":
            self._buffer.append("\n")
        elif tag in _HTML_BLOCK and not self._heading:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if self._skip_tag is not None:
            if tag == self._skip_tag:
                self._skip_depth -= 1
                if not self._skip_depth:
                    self._skip_tag = None
            return
        if tag == "title":
            self._in_title = False
        elif tag in _HTML_BLOCK:
            if self._heading and tag not in _HTML_HEADINGS:
                return
            self._flush()
            if tag == "article" and self._article_depth:
                self._article_depth -= 1
            elif tag == "main" and self._main_depth:
                self._main_depth -= 1

    def handle_data(self, data: str) -> None:
        if self._skip_tag is not None:
            return
        if self._in_title:
            self.page_title += data
        else:
            self._buffer.append(_HTML_SPACE.sub(" ", data))

    def close(self) -> None:
        super().close()
        self._flush()

    def _note_meta(self, tag: str, attributes: dict[str, str]) -> None:
        if tag == "link":
            if "canonical" in attributes.get("rel", "").lower().split():
                self.meta.setdefault("url", attributes.get("href", ""))
            return
        key = (attributes.get("property") or attributes.get("name") or "").lower()
        key = key or attributes.get("itemprop", "").lower()
        content = attributes.get("content", "").strip()
        if not content:
            return
        if key == "og:site_name":
            self.meta.setdefault("source", content)
        elif key == "og:url":
            self.meta.setdefault("og:url", content)
        elif key in _DATE_META:
            self.meta.setdefault("date", content)

    def _flush(self) -> None:
        # Data had its whitespace collapsed on the way in, so "\n" here only comes from <br>;
        # spaces are collapsed again across the pieces ("a <b> b</b>").
        lines = [" ".join(line.split()) for line in "".join(self._buffer).split("\n")]
        self._buffer.clear()
        kind, self._heading = self._heading or "p", None
        text = _BLANK_LINES.sub("\n\n", "\n".join(lines)).strip()
        if text:
            self.blocks.append((kind, text, self._container()))


def _read_html(text: str) -> tuple[str, dict[str, str]]:
    """HTML -> article text (``# title`` and ``## subheading`` lines) and metadata."""
    parser = _ArticleParser()
    # html.parser asserts on "<![" other than a well-formed marked section; browsers read
    # any "<![...>" in HTML as a bogus comment, which is what "<!_[" becomes.
    parser.feed(text.replace("<![", "<!_["))
    parser.close()
    blocks = parser.blocks
    # The main story: the largest top-level <article>, else <main>, else the whole page.
    articles: dict[object, int] = {}
    for _, block_text, container in blocks:
        if isinstance(container, tuple):
            articles[container] = articles.get(container, 0) + len(block_text)
    if articles:
        chosen: object = max(articles, key=lambda c: articles[c])
    elif any(container == "main" for _, _, container in blocks):
        chosen = "main"
    else:
        chosen = None
    kept = [b for b in blocks if chosen is None or b[2] == chosen]
    title = next((t for kind, t, _ in kept if kind == "h1"), None)
    if title is None:
        # An <h1> just outside the chosen <article> is still the story's title.
        title = next((t for kind, t, _ in blocks if kind == "h1"), None)
        if title is not None:
            kept.insert(0, ("h1", title, chosen))
    lines = []
    seen_h1 = False
    for kind, block_text, _ in kept:
        if kind == "h1" and not seen_h1:
            lines.append("# " + " ".join(block_text.split()))
            seen_h1 = True
        elif kind in _HTML_HEADINGS:
            lines.append("## " + " ".join(block_text.split()))
        else:
            lines.append(block_text)
    meta = {}
    page_title = " ".join(parser.page_title.split())
    if title:
        meta["title"] = " ".join(title.split())
    elif page_title:
        meta["title"] = _strip_site_name(page_title)
    url = parser.meta.get("url") or parser.meta.get("og:url")
    for key, value in (
        ("url", url),
        ("source", parser.meta.get("source")),
        ("date", parser.meta.get("date") or parser.meta.get("time")),
    ):
        if value and value.strip():
            meta[key] = value.strip()
    return "\n\n".join(lines), meta


# Why a page was read with annotate's own reader; ingest names the file with it.
NO_ARTICLE_FOUND = "trafilatura found no article text"
ONLY_A_FRAGMENT = "trafilatura found only a fragment of the text"
# An extraction shorter than this (trafilatura's own minimum for a main text) may be a
# caption or a teaser; our reader is asked too, and its text used if far longer.
_SHORT_EXTRACTION = 250


def _read_page(text: str) -> tuple[str, dict[str, str], str | None, frozenset[int]]:
    """An HTML page through the article extractor, else through :func:`_read_html`.

    Returns the text, the metadata, the reason the page was read by annotate's own
    reader (None when the extractor read it) and the extractor's content lines.
    """
    from annotate.text.extract import extract_article

    extracted = None
    try:
        extracted = extract_article(text)
    except Exception as error:  # a bug in the extractor costs its output, not the page
        reason = f"trafilatura failed ({type(error).__name__})"
    else:
        if extracted is not None and len(extracted.text) >= _SHORT_EXTRACTION:
            return extracted.text, extracted.meta, None, extracted.content_lines
        reason = NO_ARTICLE_FOUND
    own_text, meta = _read_html(text)
    if extracted is not None:
        if len(own_text) <= 2 * len(extracted.text):
            return extracted.text, extracted.meta, None, extracted.content_lines
        reason = ONLY_A_FRAGMENT
        meta = {**meta, **extracted.meta}
    return own_text, meta, reason, frozenset()


def _strip_site_name(title: str) -> str:
    """'Moon talks | The Straits Times' -> 'Moon talks' (a short last segment only)."""
    match = _TITLE_SUFFIX.match(title)
    if match and len(match.group(2)) <= 40 and len(match.group(2).split()) <= 5:
        return match.group(1)
    return title


# --------------------------------------------------------------------------------------
# JSON
# --------------------------------------------------------------------------------------

_JSON_FIELDS = ("title", "url", "source", "date")


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _json_error(error: json.JSONDecodeError) -> str:
    return f"invalid JSON: {error.msg} (column {error.colno})"


def _article_from_json(value: object, path: str, sha256: str) -> Document | str:
    """A Document from one parsed JSON value, or the reason it is not one."""
    if not isinstance(value, dict):
        return f"not a JSON object (got {_json_type(value)})"
    if "text" not in value:
        return 'no "text" field'
    fields: dict[str, str | None] = {}
    for key in ("text", *_JSON_FIELDS):
        field = value.get(key)
        if field is not None and not isinstance(field, str):
            return f'"{key}" is not a string (got {_json_type(field)})'
        fields[key] = field
    text = repair(fields["text"] or "")
    if not text.strip():
        return 'empty "text" field'
    title = repair(fields["title"]).strip() if fields["title"] else ""
    return Document(
        path=path,
        sha256=sha256,
        text=text,
        title=title or None,
        url=_field(fields["url"]),
        source=_field(fields["source"]),
        date=_field(fields["date"]),
    )


def _field(value: str | None) -> str | None:
    if value is None:
        return None
    return repair(value).strip() or None


def _json_line(raw: bytes, rel: str, number: int) -> Document | Skipped | None:
    """One line of a JSON lines file; None for a blank line."""
    try:
        text = decode(raw)
    except NotTextError as error:
        return Skipped(rel, str(error), line=number)
    if not text.strip():
        return None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        return Skipped(rel, _json_error(error), line=number)
    except RecursionError:
        return Skipped(rel, "invalid JSON: nested too deeply", line=number)
    article = _article_from_json(value, f"{rel}#{number}", hashlib.sha256(raw).hexdigest())
    if isinstance(article, str):
        return Skipped(rel, article, line=number)
    return article


def _read_json_lines(
    lines: Iterable[bytes | int], rel: str, max_bytes: int = 0
) -> Iterator[Document | Skipped]:
    """JSON lines; an int in ``lines`` stands for a line over max_bytes, by its size."""
    blank = True
    for number, raw in enumerate(lines, 1):
        if isinstance(raw, int):
            item: Document | Skipped | None = Skipped(rel, _too_large(raw, max_bytes), line=number)
        else:
            item = _json_line(raw.rstrip(b"\r\n"), rel, number)
        if item is not None:
            blank = False
            yield item
    if blank:
        yield Skipped(rel, "no articles (only blank lines)")


def _read_json(data: bytes, rel: str) -> Iterator[Document | Skipped]:
    """One article, an array of articles, or JSON lines that were saved as .json."""
    try:
        text = decode(data)
    except NotTextError as error:
        yield Skipped(rel, str(error))
        return
    try:
        value = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":
            yield from _read_json_lines(_utf8_lines(data), rel)
        else:
            yield Skipped(rel, _json_error(error), line=error.lineno)
        return
    except RecursionError:
        yield Skipped(rel, "invalid JSON: nested too deeply")
        return
    if not isinstance(value, list):
        article = _article_from_json(value, rel, hashlib.sha256(data).hexdigest())
        yield Skipped(rel, article) if isinstance(article, str) else article
        return
    if not value:
        yield Skipped(rel, "no articles (empty JSON array)")
    for number, element in enumerate(value, 1):
        canonical = json.dumps(element, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
        sha256 = hashlib.sha256(canonical.encode("utf-8", "surrogatepass")).hexdigest()
        article = _article_from_json(element, f"{rel}#{number}", sha256)
        yield Skipped(rel, f"element {number}: {article}") if isinstance(article, str) else article


# Also the first two bytes of the UTF-32 BOMs.
_WIDE_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _utf8_lines(data: bytes) -> list[bytes]:
    """Lines of a JSON lines file in memory, as bytes that split safely on b"\\n"."""
    if data.startswith(_WIDE_BOMS):
        # UTF-16/32 has zero bytes inside characters; its lines are hashed as UTF-8.
        data = decode(data).encode("utf-8", "surrogatepass")
    return data.split(b"\n")


# --------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------


def _read_blob(data: bytes, rel: str, fmt: str) -> Iterator[Document | Skipped]:
    """Every format read from bytes in memory (all but streamed JSON lines files)."""
    if not data:
        yield Skipped(rel, "empty file")
        return
    if fmt == "json":
        yield from _read_json(data, rel)
        return
    if fmt == "jsonl":
        yield from _read_json_lines(_utf8_lines(data), rel)
        return
    try:
        text = decode(data)
    except NotTextError as error:
        yield Skipped(rel, str(error))
        return
    meta: dict[str, str] = {}
    fallback = None
    content_lines: frozenset[int] = frozenset()
    if fmt == "md":
        text, meta = _read_markdown(repair(text))
    elif fmt == "html":
        text, meta, fallback, content_lines = _read_page(_control_refs_as_characters(text))
    text = repair(text)
    if not text.strip():
        yield Skipped(rel, "no article text" if fmt == "html" else "no text (only whitespace)")
        return
    if fmt == "md" and "title" not in meta:
        meta["title"] = next(
            (line[2:].strip() for line in text.split("\n") if line.startswith("# ")), ""
        )
    meta = {key: repair(value).strip() for key, value in meta.items()}
    yield Document(
        path=rel,
        sha256=hashlib.sha256(data).hexdigest(),
        text=text,
        title=meta.get("title") or None,
        source=meta.get("source") or None,
        url=meta.get("url") or None,
        date=meta.get("date") or None,
        author=meta.get("author") or None,
        fallback=fallback,
        content_lines=content_lines,
    )


# A numeric character reference to a C0 control or DEL ("&#x1b;", "&#27"). html.parser
# drops those characters but keeps what follows, so "&#x1b;]0;pwned&#7;" would leave
# "]0;pwned" in the text; as the characters themselves, repair() removes the whole
# escape sequence, as it does for raw ones. (C1 references are Windows-1252 in HTML.)
# Only references to code points 0-31 and 127 match, so that the many ordinary ones
# ("&#39;", "&#160;") cost the scan nothing.
_CONTROL_REF = re.compile(
    r"&#(?:[xX]0*(1?[0-9a-fA-F]|7[fF])|0*([12]?[0-9]|3[01]|127))(?![0-9a-fA-F]);?"
)


def _control_refs_as_characters(text: str) -> str:
    if "&#" not in text:
        return text

    def character(match: re.Match[str]) -> str:
        code = int(match.group(1), 16) if match.group(1) else int(match.group(2))
        if 0 < code < 0x20 and code not in (0x09, 0x0A, 0x0D) or code == 0x7F:
            return chr(code)
        return match.group()

    # The escape sequences the references spelled are removed whole here, before any HTML
    # parser sees them: lxml (under trafilatura) drops the ESC itself and would leave the
    # rest of the sequence as text.
    text = _CONTROL_REF.sub(character, text)
    return _ANSI.sub("", text) if "\x1b" in text else text


def read_bytes(data: bytes, name: str, *, fmt: str | None = None) -> list[Document | Skipped]:
    """Read articles from bytes already in memory (stdin), like :func:`read_file`.

    ``fmt`` is one of :data:`FORMATS`; by default it comes from ``name``'s suffix, and
    text is assumed when the suffix is not a supported one. No size limit applies.
    """
    if fmt is None:
        fmt = _SUFFIX_FORMAT.get(Path(name).suffix.lower(), "txt")
    else:
        fmt = fmt.lower().lstrip(".")
        fmt = _FORMAT_ALIASES.get(fmt, fmt)
        if fmt not in FORMATS:
            raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    return list(_read_blob(data, name, fmt))


def read_file(
    path: Path,
    root: Path,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
    confined: bool = True,
    real_root: str | None = None,
) -> Iterator[Document | Skipped]:
    """The articles in one file (several for JSON lines and JSON arrays), or Skipped.

    Paths in the results are relative to ``root``, with bytes that are not UTF-8 shown
    as ``\\xNN``. Never raises for bad input: an unreadable, vanished, oversized, binary
    or malformed file is a Skipped with a reason. Only regular files are opened (a FIFO
    would hang the run, a device could be endless); with ``confined`` (a corpus folder)
    a path that resolves outside ``root`` through a symlink is not read either.
    ``real_root`` is ``root`` with its symlinks resolved (``walk.real_path``), from a
    caller that reads many files of one root; by default it is resolved here.
    """
    path = path if isinstance(path, Path) else Path(path)
    root = root if isinstance(root, Path) else Path(root)
    rel = _relative(path, root)
    fmt = file_format(path)
    opened = _open_checked(path, root, rel, confined, real_root)
    if isinstance(opened, Skipped):
        yield opened
        return
    file, info = opened
    try:
        with file:
            if fmt is None:
                suffix = "".join(path.suffixes[-2:]) if _is_gzip(path) else path.suffix
                yield Skipped(rel, f"unsupported file type {suffix or '(no extension)'}")
                return
            if _is_gzip(path):
                yield from _read_gzip(file, rel, fmt, max_bytes)
                return
            if fmt == "jsonl":
                yield from _stream_json_lines(file, rel, max_bytes)
                return
            if info.st_size > max_bytes:
                yield Skipped(rel, _too_large(info.st_size, max_bytes))
                return
            # Read one byte past the size in case the file grew since fstat (a buffer of
            # the limit's size for every small file would cost more than reading it).
            data = file.read(info.st_size + 1)
            if len(data) > info.st_size:
                data += file.read(max_bytes + 1 - len(data))
            if len(data) > max_bytes:
                yield Skipped(rel, _too_large(len(data), max_bytes))
                return
    except OSError as error:
        yield Skipped(rel, _os_reason(path, error))
        return
    yield from _read_blob(data, rel, fmt)


def _read_gzip(file: BinaryIO, rel: str, fmt: str, max_bytes: int) -> Iterator[Document | Skipped]:
    """A gzip-compressed corpus file, read as the file it holds: ``max_bytes`` applies to
    what it holds (a small archive can hold a huge file), and a damaged archive is one
    Skipped, after any JSON lines read before the damage."""
    import gzip

    try:
        with gzip.GzipFile(fileobj=file, mode="rb") as inner:
            if fmt == "jsonl":
                yield from _stream_json_lines(cast(BinaryIO, inner), rel, max_bytes)
                return
            data = inner.read(max_bytes + 1)
    except _gzip_errors() as error:
        yield Skipped(rel, f"not a readable gzip file ({_gzip_reason(error, file)}): not read")
        return
    if len(data) > max_bytes:
        limit = _human_size(max_bytes, exact=True)
        yield Skipped(rel, f"too large uncompressed (more than the {limit} limit)")
        return
    yield from _read_blob(data, rel, fmt)


def _gzip_reason(error: Exception, file: BinaryIO) -> str:
    """What is wrong with a damaged gzip archive, in our words, not zlib's ("Not a
    gzipped file (b'no')", "Error -3 while decompressing data: ...")."""
    import zlib

    if isinstance(error, EOFError):
        return "cut short"
    if isinstance(error, zlib.error):
        return "damaged: its compressed data cannot be unpacked"
    said = str(error)
    if said.startswith("Not a gzipped file"):
        try:
            file.seek(0)
            starts_as_gzip = file.read(2) == _GZIP_MAGIC
        except OSError:
            starts_as_gzip = False
        return "not gzip data after its end" if starts_as_gzip else "not gzip data"
    if said.startswith("CRC check failed"):
        return "damaged: its checksum does not match what it holds"
    if said.startswith("Incorrect length"):
        return "damaged: its recorded length does not match what it holds"
    if said.startswith("Unknown compression method"):
        return "an unknown compression method"
    return "damaged"


_GZIP_MAGIC = b"\x1f\x8b"


def read_prefix(
    path: Path, root: Path, limit: int, *, real_root: str | None = None
) -> bytes | None:
    """Up to ``limit`` bytes of one corpus file as :func:`read_file` reads it (a gzip
    file's uncompressed), under the same rules (regular files inside ``root`` only);
    None if it cannot be read. ``real_root`` as for :func:`read_file`."""
    path = path if isinstance(path, Path) else Path(path)
    opened = _open_checked(path, Path(root), "", True, real_root)
    if isinstance(opened, Skipped):
        return None
    file, info = opened
    try:
        with file:
            if not _is_gzip(path):
                # Sized like read_file's read: a buffer of the limit's size costs more
                # than reading a small file.
                data = file.read(min(limit, info.st_size + 1))
                if len(data) > info.st_size:
                    data += file.read(limit - len(data))
                return data
            import gzip

            with gzip.GzipFile(fileobj=file, mode="rb") as inner:
                return inner.read(limit)
    except OSError:
        return None
    except _gzip_errors():
        return None


def _open_checked(
    path: Path, root: Path, rel: str, confined: bool, real_root: str | None = None
) -> tuple[BinaryIO, os.stat_result] | Skipped:
    """``path`` opened for reading if it is a regular file (inside ``root`` when
    ``confined``), with its status; else why it is not read."""
    # Looked at before opening: opening a FIFO waits for a writer, a device may act.
    try:
        before = os.stat(path)
    except OSError as error:  # a broken link too: that, not "outside", is its reason
        return Skipped(rel, _os_reason(path, error))
    real = ""
    if confined:
        top = _real(root) if real_root is None else real_root
        real = _resolved(path, root, top)
        if not _inside(real, top):
            return Skipped(rel, f"symlink to {encodable(real)}, outside the corpus: not read")
    if stat.S_ISDIR(before.st_mode):
        return Skipped(rel, _directory_reason(path))
    if not stat.S_ISREG(before.st_mode):
        return Skipped(rel, f"not a regular file ({_file_kind(before.st_mode)}): not opened")
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    target: str | Path = path
    if confined:
        # The resolved path, not followed again: a link swapped in after the check above
        # makes the open fail instead of reading what it points to.
        target = real
        flags |= getattr(os, "O_NOFOLLOW", 0)
    try:
        fd = os.open(target, flags)
    except OSError as error:
        return Skipped(rel, _os_reason(path, error))
    file = os.fdopen(fd, "rb")
    try:
        info = os.fstat(file.fileno())
    except OSError as error:
        file.close()
        return Skipped(rel, _os_reason(path, error))
    # Swapped between the look and the open (a race with whoever writes the corpus).
    if (info.st_dev, info.st_ino) != (before.st_dev, before.st_ino) or not stat.S_ISREG(
        info.st_mode
    ):
        file.close()
        return Skipped(rel, "changed while being read; not read")
    return file, info


def _resolved(path: Path, root: Path, real_root: str) -> str:
    """``walk.real_path(path)``, given ``root``'s real path ``real_root``: for a file
    below ``root`` only the parts of its path below ``root`` are looked at (one lstat
    each, rather than one for every folder from ``/``), and when none is a symlink the
    file is where its relative path puts it under ``real_root``."""
    full, top = str(path), str(root)
    if os.sep == "/" and top != "/" and full.startswith(top + "/"):
        rel = full[len(top) + 1 :]
        parts = rel.split("/")
        if "" not in parts and "." not in parts and ".." not in parts:
            step = real_root.rstrip("/")
            try:
                for part in parts:
                    step = f"{step}/{part}"
                    if stat.S_ISLNK(os.lstat(step).st_mode):
                        break
                else:
                    return step
            except OSError:
                pass  # gone or unreadable: walk.real_path says what it resolves to
    return _real(path)


def _stream_json_lines(file: BinaryIO, rel: str, max_bytes: int) -> Iterator[Document | Skipped]:
    """JSON lines read a line at a time, so a corpus-sized file never sits in memory."""
    head = file.read(_SAMPLE)
    file.seek(0)
    if not head:
        yield Skipped(rel, "empty file")
        return
    if head.startswith(_WIDE_BOMS):
        # Rare enough to read whole, with the file limit, rather than stream.
        data = file.read(max_bytes + 1)
        if len(data) > max_bytes:
            yield Skipped(rel, _too_large(len(data), max_bytes))
        else:
            yield from _read_blob(data, rel, "jsonl")
        return
    # One reason for a PDF renamed .jsonl, not one per "line" of it.
    reason = _binary_reason(head)
    if reason:
        yield Skipped(rel, reason)
        return
    yield from _read_json_lines(_limited_lines(file, max_bytes), rel, max_bytes)


def _limited_lines(file: BinaryIO, max_bytes: int) -> Iterator[bytes | int]:
    """The file's lines; a line longer than max_bytes is skipped and given as its size."""
    while raw := file.readline(max_bytes + 1):
        if len(raw.rstrip(b"\r\n")) <= max_bytes:
            yield raw
            continue
        size = len(raw)
        while not raw.endswith(b"\n") and (raw := file.readline(1 << 20)):
            size += len(raw)
        yield size


def _too_large(size: int, limit: int) -> str:
    return f"too large ({_human_size(size)} > {_human_size(limit, exact=True)} limit)"


def _human_size(size: int, *, exact: bool = False) -> str:
    for unit, scale in (("GB", 1e9), ("MB", 1e6), ("kB", 1e3)):
        if size >= scale:
            text = f"{size / scale:.1f}"
            if exact and text.endswith(".0"):
                text = text[:-2]
            return f"{text} {unit}"
    return f"{size} bytes"


def _relative(path: Path, root: Path) -> str:
    """``path`` relative to ``root`` as stored: undecodable bytes escaped (``\\xNN``)."""
    # A path's string is normalised (no "//" but a leading one, no "." or trailing "/"),
    # so for a file below root the prefix test is relative_to's answer, without paths.
    full, top = str(path), str(root)
    prefix = "/" if top == "/" else top + "/"
    if os.sep == "/" and full.startswith(prefix) and full[len(prefix) : len(prefix) + 1] not in "/":
        rel = full[len(prefix) :]
        return rel if rel.isascii() else encodable(rel)  # no surrogate to escape in ASCII
    try:
        return encodable(path.relative_to(root).as_posix())
    except ValueError:
        return encodable(path.as_posix())


def _file_kind(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a FIFO"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "not a file"


def _os_reason(path: Path, error: OSError) -> str:
    if isinstance(error, PermissionError):
        return "permission denied"
    if isinstance(error, IsADirectoryError):
        return _directory_reason(path)
    if error.errno == errno.ELOOP:
        return "symlink loop"
    if isinstance(error, FileNotFoundError):
        if os.path.islink(path):
            return "broken symlink"
        return "file not found (removed during the run?)"
    return f"cannot read ({error.strerror or error})"


def _directory_reason(path: Path) -> str:
    if os.path.islink(path):
        target = os.path.realpath(path)
        parent = os.path.realpath(path.parent)
        if parent == target or parent.startswith(target.rstrip(os.sep) + os.sep):
            return "directory symlink loop"
    if not os.access(path, os.R_OK | os.X_OK):
        return "permission denied (directory)"
    return "is a directory"


def iter_corpus(
    root: Path, *, exclude: Collection[Path] = (), max_bytes: int = DEFAULT_MAX_BYTES
) -> Iterator[Document | Skipped]:
    """Every article under ``root`` (or in ``root`` itself if it is a file), streamed."""
    root = Path(root)
    if not root.is_dir():
        if root.exists() or os.path.islink(root):
            # A file named on its own is read wherever its link points: it was asked for.
            yield from read_file(root, root.parent, max_bytes=max_bytes, confined=False)
        else:
            yield Skipped(encodable(root.as_posix()), "no such file or directory")
        return
    real_root = _real(root)
    for path in corpus_files(root, exclude=exclude):
        yield from read_file(path, root, max_bytes=max_bytes, real_root=real_root)
