"""Readers of the rules' analyses shared by the suggestion tests."""

from __future__ import annotations

from annotate.suggest.cues import analyse


def source_of(text: str) -> str | None:
    a = analyse(text).attribution
    return a.source.text if a else None
