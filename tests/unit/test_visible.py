"""Strings from outside are shown with their control characters escaped."""

import os

from hypothesis import given
from hypothesis import strategies as st

from annotate.visible import encodable, plain_markup, visible


def test_escape_sequences_are_shown_not_obeyed():
    assert visible("n\x1b]0;pwned\x07.txt") == "n\\x1b]0;pwned\\x07.txt"
    assert visible("a\x1b[2Jb") == "a\\x1b[2Jb"
    assert visible("x\x9by") == "x\\x9by"


def test_newlines_tabs_and_bidi_overrides_are_shown():
    assert visible("a\nb\tc\rd") == "a\\nb\\tc\\rd"
    assert visible("evil\u202etxt.exe") == "evil\\u202etxt.exe"


def test_undecodable_file_name_bytes_are_shown_as_bytes():
    name = os.fsdecode(b"caf\xe9.txt")
    assert visible(name) == "caf\\xe9.txt"
    assert encodable(name) == "caf\\xe9.txt"
    encodable(name).encode("utf-8")


def test_plain_text_is_unchanged():
    assert visible("Roscosmos said — “ok” ünïcode") == "Roscosmos said — “ok” ünïcode"


def test_markup_is_escaped():
    shown = plain_markup("[link=http://evil.example/x]alice[/link]")
    from rich.text import Text

    assert Text.from_markup(shown).plain == "[link=http://evil.example/x]alice[/link]"


@given(st.text())
def test_no_control_character_survives(text):
    out = visible(text)
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in out)
    out.encode("utf-8")
