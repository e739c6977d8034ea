"""The claim inside its paragraph, and the line that says how it is labelled.

Corpus text is data, never markup: everything here is assembled as ``rich.text.Text``
with styles attached, so a unit containing ``[bold]`` or an escape sequence shows exactly
those characters.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Group
from rich.progress_bar import ProgressBar
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from annotate.labelling.progress import progress_text
from annotate.labelling.session import Context
from annotate.model import takes_source
from annotate.store import ClaimGroupMember, LabelState, SuggestionRecord, UnitView

# How many sentences of the paragraph to show on each side of the claim before eliding.
NEIGHBOURS = 2

# A stretch of one unit's text to style on top of the rest: (unit id, start, end, style).
Mark = tuple[str, int, int, Style | str]


def literal(text: str) -> str:
    """Control characters made visible (ESC as ␛ and so on), so a unit holding a terminal
    escape sequence cannot restyle the screen and the annotator sees what is there."""
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() or c == " " else chr(0x2400 + ord(c)) if ord(c) < 32 else "\ufffd"
        for c in text
    )


def paragraph_text(
    paragraph: list[UnitView],
    claim_id: str,
    claim_style: Style | str = "bold reverse",
    context_style: Style | str = "dim",
    neighbours: int = NEIGHBOURS,
    marks: Sequence[Mark] = (),
) -> Text:
    """The claim highlighted among up to ``neighbours`` sentences either side of it, with
    ``marks`` (offsets into a unit's text) styled over whichever of their units show."""
    at = next((i for i, u in enumerate(paragraph) if u.id == claim_id), 0)
    lo, hi = max(0, at - neighbours), min(len(paragraph), at + neighbours + 1)
    text = Text()
    if lo > 0:
        text.append("… ", context_style)
    for i in range(lo, hi):
        if i > lo:
            text.append(" ", context_style)
        offset = len(text)  # literal() keeps lengths, so unit offsets stay valid
        text.append(literal(paragraph[i].text), claim_style if i == at else context_style)
        for unit_id, start, end, style in marks:
            if unit_id == paragraph[i].id and 0 <= start < end <= len(paragraph[i].text):
                text.stylize(style, offset + start, offset + end)
    if hi < len(paragraph):
        text.append(" …", context_style)
    return text


def state_text(state: LabelState) -> Text:
    """The current label, flag and note of a unit, e.g. 'label: editorial · ⚑ unsure'."""
    text = Text("label: ")
    if state.label is None:
        text.append("— unlabelled", "dim")
    else:
        text.append(state.label.replace("_", " "), "bold")
    if state.flagged:
        text.append(" · ")
        text.append("⚑ unsure", "bold")
    if state.note:
        text.append(" · note: ")
        text.append(literal(state.note), "italic")
    return text


class ClaimView(Widget):
    """The current claim, highlighted inside its paragraph with its neighbours dimmed.

    Its size comes from the stylesheet, so a new claim is a repaint, never a re-layout
    of the screen; neighbours are dropped when the paragraph would not fit.
    """

    COMPONENT_CLASSES = {
        "claim-view--claim",
        "claim-view--context",
        "claim-view--cue",
        "claim-view--source",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context: Context | None = None
        self.placeholder = Text("")

    def show(self, context: Context | None, placeholder: str = "") -> None:
        """Show a claim (or, with None, the placeholder message)."""
        self.context = context
        self.placeholder = Text(placeholder, "italic")
        self.refresh()

    def render(self) -> Text:
        c = self.context
        if c is None:
            return self.placeholder
        claim = self.get_component_rich_style("claim-view--claim")
        around = self.get_component_rich_style("claim-view--context")
        marks = suggestion_marks(
            c.unit.id,
            c.suggestion,
            self.get_component_rich_style("claim-view--cue", partial=True),
            self.get_component_rich_style("claim-view--source", partial=True),
        )
        width, height = self.content_size
        for neighbours in range(NEIGHBOURS, -1, -1):
            text = paragraph_text(c.paragraph, c.unit.id, claim, around, neighbours, marks)
            if width <= 0 or len(text.wrap(self.app.console, width)) <= height:
                return text  # "…" stands for the sentences dropped, if any
        return cut(text, self, width, max(height, 1))


def cut(text: Text, widget: Widget, width: int, height: int) -> Text:
    """The first ``height`` lines of ``text`` wrapped to ``width``, the last one ending in
    "…": a claim longer than the space for it says that it goes on."""
    lines = text.wrap(widget.app.console, width)[:height]
    last = lines[-1]
    last.rstrip()
    last.truncate(width - 1)
    style = last.get_style_at_offset(widget.app.console, len(last) - 1) if last else ""
    last.append("…", style)
    return Text("\n").join(lines)


def suggestion_marks(
    unit_id: str, s: SuggestionRecord | None, cue: Style | str, source: Style | str
) -> list[Mark]:
    """Where a suggestion's cue and source are: the cue in the claim, the source in the claim
    or, for a continuing quote, in the earlier unit that names the speaker."""
    if s is None:
        return []
    marks: list[Mark] = []
    if s.cue_start is not None and s.cue_end is not None:
        marks.append((unit_id, s.cue_start, s.cue_end, cue))
    if s.source_start is not None and s.source_end is not None:
        marks.append((s.quote_of or unit_id, s.source_start, s.source_end, source))
    return marks


def suggestion_text(s: SuggestionRecord | None, accept_key: str = "s") -> Text:
    """'suggests: attributed 0.90 — reporting cue “said” names the source “NASA”'."""
    if s is None:
        return Text("no suggestion for this claim yet", "dim")
    text = Text("suggests: ")
    text.append(s.suggested_label.replace("_", " "), "bold")
    text.append(f" {s.confidence:.2f}")
    text.append(" — ")
    text.append(literal(s.reason), "italic")
    if accept_key:  # none when the keymap gave its keys to other bindings
        text.append(f"  ({accept_key} accepts)", "dim")
    return text


def source_text(state: LabelState, s: SuggestionRecord | None, later: bool = False) -> Text:
    """The source stored with an attributed label, or else the detected one, and whence:
    ``later`` when a quote's speaker is named in a sentence after the claim."""
    text = Text("")
    if takes_source(state.label) and state.source:
        detected = s.source if s else None
        text.append("source: ")
        text.append(literal(state.source), "bold")
        text.append(" (stored" + (", corrected)" if state.source != detected else ")"), "dim")
    elif s is not None and s.source:
        text.append("source: ")
        text.append(literal(s.source), "bold")
        whence = "a later" if later else "an earlier"
        text.append(f" (from {whence} sentence)" if s.quote_of else " (detected)", "dim")
    return text


def also_in_text(members: Sequence[ClaimGroupMember], show_others: bool = True) -> Text:
    """'also in: <article> — labelled X (alice)' for the first other article stating the
    same claim, and how many more there are. Blind (``show_others`` False): the other
    article and its suggestion only, never what annotators labelled it, so each
    judgement stays independent."""
    if not members:
        return Text("")
    m = members[0]
    text = Text("also in: ")
    text.append(literal(m.article_path), "bold")
    text.append(" — ")
    if not show_others:
        text.append(f"suggests {m.suggested_label.replace('_', ' ')}", "dim")
    elif m.labels:
        by_label: dict[str, list[str]] = {}
        for who, label in m.labels.items():
            by_label.setdefault(label, []).append(who)
        text.append("labelled ")
        for i, (label, names) in enumerate(by_label.items()):
            if i:
                text.append("; ")
            text.append(label.replace("_", " "), "bold")
            text.append(f" ({', '.join(literal(n) for n in names)})")
    else:
        text.append("not labelled yet", "dim")
        text.append(f" (suggests {m.suggested_label.replace('_', ' ')})", "dim")
    if len(members) > 1:
        text.append(f" · and {len(members) - 1} more", "dim")
    return text


class SuggestionBar(Widget):
    """Three lines under the claim: the suggestion and its reason, the source, and where
    else the same claim appears."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context: Context | None = None
        self.accept_key = "s"
        self.show_others = True  # others' labels on the "also in" line (blind: False)

    def show(self, context: Context | None, accept_key: str = "s") -> None:
        self.context, self.accept_key = context, accept_key
        self.refresh()

    def render(self) -> Text:
        c = self.context
        if c is None:
            return Text("")
        lines = [
            suggestion_text(c.suggestion, self.accept_key),
            source_text(c.state, c.suggestion, c.quote_later),
            also_in_text(c.also_in, self.show_others),
        ]
        text = Text("\n").join(lines)
        text.no_wrap, text.overflow = True, "ellipsis"
        return text


class ArticleHeader(Widget):
    """Three lines above the claim: the article title, its path and outlet, the subheading."""

    COMPONENT_CLASSES = {"article-header--title", "article-header--meta", "article-header--heading"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: tuple[str, str, str] = ("annotate", "", "")

    def show(self, context: Context | None) -> None:
        if context is None:
            self.lines = ("annotate", "", "")
        else:
            u = context.unit
            meta = u.article_path + (f" · {u.article_source}" if u.article_source else "")
            heading = f"§ {context.heading}" if context.heading else ""
            self.lines = (u.article_title or "(no title)", meta, heading)
        self.refresh()

    def render(self) -> Text:
        parts = zip(self.lines, ("title", "meta", "heading"), strict=True)
        return Text("\n").join(
            Text(
                literal(line),
                self.get_component_rich_style(f"article-header--{part}"),
                no_wrap=True,
                overflow="ellipsis",
            )
            for line, part in parts
        )


# How each kind of message starts, so a warning reads as one without colour too.
MESSAGE_MARKS = {"information": "· ", "warning": "! ", "error": "✗ "}


class MessageLine(Widget):
    """One line for the screen's messages: the latest replaces the one before, so they
    never stack, and it has a row of its own, so it never covers the claim or the counter."""

    COMPONENT_CLASSES = {"message-line--warning", "message-line--error"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.message = Text("")
        self.severity = "information"

    def say(self, message: str | Text, severity: str = "information") -> None:
        """Show ``message`` (a plain string is data: never markup) in place of the last."""
        text = Text(MESSAGE_MARKS.get(severity, ""))
        text.append(literal(message) if isinstance(message, str) else message)
        self.message, self.severity = text, severity
        self.refresh()

    def clear(self) -> None:
        self.message = Text("")
        self.refresh()

    @property
    def plain(self) -> str:
        return self.message.plain

    def render(self) -> Text:
        text = self.message.copy()
        if self.severity in ("warning", "error"):
            text.stylize(self.get_component_rich_style(f"message-line--{self.severity}"))
        width = self.content_size.width
        if width and text.cell_len > width:  # cut with "…", never wrapped out of view
            text.truncate(width - 1)
            text.append("…")
        text.no_wrap = True
        return text


class StatusBar(Widget):
    """The claim's label, flag and note; its position; the annotator's overall progress."""

    COMPONENT_CLASSES = {"status-bar--muted", "status-bar--bar", "status-bar--bar-back"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.position = self.short_position = ""
        self.state: LabelState | None = None
        self.done = self.total = 0
        self.rate: float | None = None
        self.annotator = ""
        self.only = ""
        self.scope = ""  # e.g. "assigned: 12 articles"
        self.searching = False  # a walk for the next claim runs in a worker
        self.waiting = ""  # a change waits for the database: why

    def show_searching(self, on: bool) -> None:
        self.searching = on
        self.refresh()

    def show_waiting(self, why: str) -> None:
        self.waiting = why
        self.refresh()

    def show(self, position: str, state: LabelState | None, short: str = "") -> None:
        """The claim's ``position`` in its article (``short``: the same in fewer words,
        for a narrow screen) and its ``state``."""
        self.position, self.state, self.short_position = position, state, short
        self.refresh()

    def show_counts(
        self,
        done: int,
        total: int,
        annotator: str,
        only: str,
        scope: str = "",
        rate: float | None = None,
    ) -> None:
        self.done, self.total, self.annotator, self.only = done, total, annotator, only
        self.scope = scope
        self.rate = rate  # decisions per hour lately (None: not known)
        self.refresh()

    def render(self) -> Group:
        muted = self.get_component_rich_style("status-bar--muted")
        state = state_text(self.state) if self.state is not None else Text("")
        state.no_wrap, state.overflow = True, "ellipsis"
        who = Text(" · ")
        who.append(literal(self.annotator), "bold")
        if self.scope:
            who.append(f" · {self.scope}")
        if self.only:
            who.append(" · filter: ")
            who.append(self.only, "bold")
        # The progress says as much as fits beside the claim's position, which is said
        # shorter ("claim 3/22") before the pace and the time left give way.
        for place in (self.position, self.short_position or self.position):
            position = Text(place, muted)
            if self.waiting:
                position = Text(self.waiting + "…", "bold")
            elif self.searching:
                position.append(" · searching…", "bold")
            room = self.content_size.width - who.cell_len - position.cell_len - 1
            progress = progress_text(self.done, self.total, self.rate, room)
            if len(progress) <= room and (self.rate is None or "/h" in progress):
                break
        counts = Text(progress)
        counts.append_text(who)
        line = Table.grid(expand=True)
        line.add_column(no_wrap=True, overflow="ellipsis")
        line.add_column(justify="right", no_wrap=True)
        line.add_row(position, counts)
        done_style = self.get_component_rich_style("status-bar--bar")
        bar = ProgressBar(
            total=max(self.total, 1),
            completed=self.done,
            width=self.content_size.width,
            style=self.get_component_rich_style("status-bar--bar-back"),
            complete_style=done_style,
            finished_style=done_style,
        )
        return Group(state, line, bar)
