"""The key bar at the foot of a screen: the keys of the next step, always, at any width.

Textual's footer lists every shown binding in the order the screen declares them and cuts
them off at the right edge: at 60 columns even "? Help" went. This bar has an order of
importance instead. Its essential keys (the label keys, accept, next, help, quit) always
show; descriptions shorten, then the other keys go, then the descriptions, until the
line fits. Keys that cannot be used right now are dimmed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import events

from annotate.tui.widgets.claim import StyledWidget


@dataclass(frozen=True)
class KeyEntry:
    """One key of the bar: ``key`` as the terminal names it, what it does at full width
    (``long``) and when space is short (``short``), and whether it is a next-step key
    that is never dropped (``essential``)."""

    action: str  # the binding's action, run on a click, e.g. "label('attributed')"
    key: str
    long: str
    short: str
    essential: bool = False

    @property
    def action_name(self) -> str:
        return self.action.split("(")[0]


# How a bar may be laid out, widest first: full descriptions, short ones, keys alone.
_STYLES = ("long", "short", "none")


def fit(entries: Sequence[KeyEntry], width: int) -> list[tuple[KeyEntry, str]]:
    """The entries to show in ``width`` columns with the description of each: the widest
    layout that fits; the optional entries are dropped from the end before the
    descriptions go. The essential ones always stay (cut at the edge if even their
    keys alone do not fit)."""

    def layout(chosen: Sequence[KeyEntry], style: str) -> list[tuple[KeyEntry, str]]:
        return [(e, "" if style == "none" else getattr(e, style)) for e in chosen]

    def length(items: list[tuple[KeyEntry, str]]) -> int:
        return sum(len(e.key) + (len(d) + 1 if d else 0) for e, d in items) + len(items) - 1

    essential = [e for e in entries if e.essential]
    for style in _STYLES:
        chosen = list(entries)
        while True:
            items = layout(chosen, style)
            if length(items) <= width:
                return items
            optional = [i for i, e in enumerate(chosen) if not e.essential]
            if not optional:
                break
            del chosen[optional[-1]]
    return layout(essential, "none")


class KeyBar(StyledWidget):
    """One line of keys; a click on one runs its action on the screen."""

    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--disabled"}

    def __init__(self, entries: Sequence[KeyEntry] = (), *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.entries = list(entries)
        self.disabled_actions: frozenset[str] = frozenset()
        self._spans: list[tuple[int, int, str]] = []  # columns of each key shown -> action

    def set_entries(self, entries: Sequence[KeyEntry]) -> None:
        self.entries = list(entries)
        self.refresh()

    def update_enabled(self, enabled: Callable[[str], bool]) -> None:
        """Dim the keys whose action cannot run now (``enabled(action name)``)."""
        disabled = frozenset(e.action_name for e in self.entries if not enabled(e.action_name))
        if disabled != self.disabled_actions:
            changed = disabled ^ self.disabled_actions
            self.disabled_actions = disabled
            # Redrawn only if a key shown changed (a key the width leaves out may come
            # and go at every claim: "source" on labelled claims).
            if any(e.action_name in changed for e, _ in fit(self.entries, self.size.width)):
                self.refresh()

    @property
    def plain(self) -> str:
        return self.render().plain

    def render(self) -> Text:
        key_style = self.component_style("key-bar--key")
        text_style = self.component_style("key-bar--description")
        dim = self.component_style("key-bar--disabled")
        text = Text(no_wrap=True, overflow="crop")
        self._spans = []
        for i, (entry, description) in enumerate(fit(self.entries, self.size.width)):
            if i:
                text.append(" ", text_style)
            off = entry.action_name in self.disabled_actions
            start = len(text)
            text.append(entry.key, dim if off else key_style)
            if description:
                text.append(" " + description, dim if off else text_style)
            self._spans.append((start, len(text), entry.action))
        return text

    async def on_click(self, event: events.Click) -> None:
        for start, end, action in self._spans:
            if start <= event.x < end:
                await self.screen.run_action(action)
                return
