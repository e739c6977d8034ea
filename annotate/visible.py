"""Strings from outside, made safe to show on a terminal.

Paths, titles, annotator names, reasons and notes come from files and databases that
anyone may have written. Before any of them reaches a terminal (the CLI's lines, Rich
tables, the app's notifications) it goes through :func:`visible`: control characters,
including ESC and the C1 range that terminals obey, become visible escapes, bidirectional
overrides that reorder a line are shown too, and bytes that were not valid UTF-8 (carried
as lone surrogates by ``os.fsdecode``) are shown as ``\\xNN``. Markup is a separate
matter: Rich output must wrap the result in ``rich.text.Text`` (or use ``markup=False``),
never interpolate it into a markup string; :func:`plain_markup` escapes it for the few
places that must build markup.
"""

from __future__ import annotations

import codecs
import io
import re
from typing import TYPE_CHECKING, BinaryIO

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

# C0 controls (tab kept out: it is harmless in a line but shown too, as it breaks
# alignment), DEL, C1 controls, the bidi embedding/override/isolate characters, and the
# lone surrogates os.fsdecode uses for undecodable bytes.
_UNSAFE = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # a byte os.fsdecode could not decode
        return f"\\x{code - 0xDC00:02x}"
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}"


def visible(text: object) -> str:
    """``text`` as a string with every control character shown as an escape."""
    value = text if isinstance(text, str) else str(text)
    return _UNSAFE.sub(_escape, value)


def plain_markup(text: object) -> str:
    """:func:`visible`, with Rich markup escaped so it is shown, never obeyed."""
    from rich.markup import escape

    return escape(visible(text))


# What a terminal obeys inside a line of data; the line structure (newline, carriage
# return, tab) is the data's own, e.g. CSV rows ending in CRLF.
_OBEYED = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class TerminalSafeStream(io.RawIOBase):
    """A binary stream for a dataset written to a terminal (``export --out -`` with no
    redirection): control characters from the data are shown as escapes, the bytes are
    otherwise unchanged. Piped or redirected output is written as it is, not through this.
    """

    def __init__(self, raw: BinaryIO) -> None:
        super().__init__()
        self.raw = raw
        self._decoder = codecs.getincrementaldecoder("utf-8")("surrogateescape")

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        chunk = bytes(data)
        text = self._decoder.decode(chunk)
        self.raw.write(_OBEYED.sub(_escape, text).encode("utf-8", "surrogateescape"))
        return len(chunk)

    def flush(self) -> None:
        self.raw.flush()


def encodable(text: str) -> str:
    """``text`` with lone surrogates escaped, so it can be encoded as UTF-8 (stored, written)."""
    return re.sub("[\ud800-\udfff]", _escape, text)
