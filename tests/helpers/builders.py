"""Small builders for test databases, shared by the test modules."""

from __future__ import annotations

from annotate.model import SENTENCE, Unit
from annotate.store import Store


def add_article(store: Store, path: str, sentences: list[str]) -> list[str]:
    """Store an article of claim units; returns their ids in order."""
    units, offset = [], 0
    for seq, text in enumerate(sentences):
        units.append(Unit(0, seq, SENTENCE, text, offset, offset + len(text)))
        offset += len(text) + 1
    store.save_article(
        path=path,
        file=path,
        sha256="0" * 64,
        title=None,
        source="test",
        url=None,
        date=None,
        cleaned=" ".join(sentences),
        segmenter="test",
        units=units,
    )
    return [u["id"] for u in store.units_of_article(path)]
