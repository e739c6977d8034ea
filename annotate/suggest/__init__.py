"""Suggestions: the rules that propose a label, a cue and a source for each unit, and the
claim groups that find the same claim in other articles. Pure functions; no store.

``suggest(text, ...)`` and ``suggest_article(units)`` are the public API.
"""

from annotate.suggest.cues import (
    Analysis,
    Suggestion,
    analyse,
    rules_version,
    suggest,
    suggest_article,
)

__all__ = ["Analysis", "Suggestion", "analyse", "rules_version", "suggest", "suggest_article"]
