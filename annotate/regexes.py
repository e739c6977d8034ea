"""What the rules ask of a regular expression's own text, below every layer that has rules."""

from __future__ import annotations


def alternatives(pattern: str) -> list[str]:
    """The top-level alternatives of a regular expression ("a|(?:b|c)|d" gives "a",
    "(?:b|c)", "d"), split at "|" outside groups and classes; "|".join gives it back."""
    parts: list[str] = []
    depth, start, i = 0, 0, 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\":
            i += 1
        elif c == "[":
            i += 1
            if pattern[i : i + 1] == "^":
                i += 1
            if pattern[i : i + 1] == "]":
                i += 1  # a "]" first in a class is a literal
            while i < len(pattern) and pattern[i] != "]":
                i += 2 if pattern[i] == "\\" else 1
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == "|" and depth == 0:
            parts.append(pattern[start:i])
            start = i + 1
        i += 1
    parts.append(pattern[start:])
    return parts
