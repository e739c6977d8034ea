"""The claim inside its paragraph, and the line that says how it is labelled.

Corpus text is data, never markup: everything here is assembled as ``rich.text.Text``
with styles attached, so a unit containing ``[bold]`` or an escape sequence shows exactly
those characters.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from rich.console import Console
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.widget import Widget

from annotate.labelling.progress import progress_text
from annotate.labelling.session import Context
from annotate.model import EDITORIAL, HEADING, takes_source
from annotate.store import ClaimGroupMember, LabelState, SuggestionRecord, UnitView

# How many sentences of the paragraph to show on each side of the claim before eliding.
NEIGHBOURS = 2

# A stretch of one unit's text to style on top of the rest: (unit id, start, end, style).
Mark = tuple[str, int, int, Style | str]

P = TypeVar("P")  # a paragraph around the claim, before it is wrapped

# Only for reading a style back at an offset of a Text (no output).
_CONSOLE = Console(width=80, color_system=None)


class StyledWidget(Widget):
    """A widget whose component styles are read once per style update.

    Textual drops its own cache of them on every ``refresh``, and reading one again
    costs about a third of a millisecond: several per key made the claim screen slow.
    A style change (stylesheet, theme, classes) still reaches them, through
    ``notify_style_update``."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._component_style: dict[tuple[str, bool], Style] = {}

    def component_style(self, name: str, *, partial: bool = False) -> Style:
        style = self._component_style.get((name, partial))
        if style is None:
            style = self.get_component_rich_style(name, partial=partial)
            self._component_style[name, partial] = style
        return style

    def notify_style_update(self) -> None:
        self._component_style.clear()
        super().notify_style_update()


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


def context_paragraph(
    units: Sequence[UnitView], style: Style | str, marks: Sequence[Mark] = ()
) -> Text:
    """A paragraph around the claim's, in the context style (a subheading after "§ "),
    with ``marks`` over its units (the speaker of a continuing quote may be here)."""
    text = Text("§ " if units and units[0].kind == HEADING else "", style)
    for i, u in enumerate(units):
        if i:
            text.append(" ", style)
        offset = len(text)
        text.append(literal(u.text), style)
        for unit_id, start, end, mark in marks:
            if unit_id == u.id and 0 <= start < end <= len(u.text):
                text.stylize(mark, offset + start, offset + end)
    return text


def fill_around(
    lines: list[Text],
    before: Sequence[P],
    after: Sequence[P],
    wrap: Callable[[P], list[Text]],
    height: int,
    width: int,
) -> list[Text]:
    """The claim's paragraph (``lines``, as wrapped) with as much of the paragraphs
    around it (nearest first; ``wrap`` gives the lines of one, and is asked only for
    those looked at) as ``height`` leaves, a blank line between paragraphs: whole
    paragraphs, then the lines nearest the claim of the next one, "…" where it is cut.
    Each side has half the room, so the claim stays near the middle, and what one side
    leaves goes to the other."""
    room = height - len(lines)
    above = _take(before, wrap, room // 2 if after else room, width, from_end=True)
    below = _take(after, wrap, room - _cost(above), width, from_end=False)
    if _cost(below) < room - _cost(above):
        above = _take(before, wrap, room - _cost(below), width, from_end=True)
    out: list[Text] = []
    for paragraph in reversed(above):
        out += [*paragraph, Text("")]
    out += lines
    for paragraph in below:
        out += [Text(""), *paragraph]
    return out


def _cost(paragraphs: Sequence[list[Text]]) -> int:
    return sum(len(p) + 1 for p in paragraphs)  # each with its blank line


def _take(
    paragraphs: Sequence[P],
    wrap: Callable[[P], list[Text]],
    room: int,
    width: int,
    *,
    from_end: bool,
) -> list[list[Text]]:
    """The paragraphs (nearest first) that fit in ``room`` lines, each with its blank
    line; then the next one cut to what is left: its lines nearest the claim, "…" at the
    cut (the start of a paragraph above, the end of one below)."""
    taken: list[list[Text]] = []
    for each in paragraphs:
        if room < 2:
            break
        paragraph = wrap(each)
        if len(paragraph) + 1 <= room:
            taken.append(paragraph)
            room -= len(paragraph) + 1
            continue
        keep = room - 1
        part = [line.copy() for line in (paragraph[-keep:] if from_end else paragraph[:keep])]
        if from_end:
            part[0] = _elided(part[0], width, at_start=True)
        else:
            part[-1] = _elided(part[-1], width, at_start=False)
        taken.append(part)
        break
    return taken


def _elided(line: Text, width: int, *, at_start: bool) -> Text:
    """``line`` with "… " before it or " …" after it, whole words dropped at that end to
    keep it within ``width``."""
    line.rstrip()
    plain = line.plain
    over = line.cell_len + 2 - width
    if at_start:
        if over > 0:
            cut = plain.find(" ", over - 1)
            line = line[cut + 1 :] if cut >= 0 else line[over:]
        style = line.get_style_at_offset(_CONSOLE, 0) if line else ""
        return Text("… ", style) + line
    if over > 0:
        cut = plain.rfind(" ", 0, len(plain) - over + 1)
        line = line[:cut] if cut > 0 else line[: len(plain) - over]
    style = line.get_style_at_offset(_CONSOLE, len(line) - 1) if line else ""
    line.append(" …", style)
    return line


class ClaimView(StyledWidget):
    """The current claim, highlighted inside its paragraph with its neighbours dimmed,
    between the paragraphs before and after it (dimmed too) as far as they fit.

    Its size comes from the stylesheet, so a new claim is a repaint, never a re-layout
    of the screen; neighbours are dropped when the paragraph would not fit, and the
    paragraphs around it only fill the lines the claim leaves.
    """

    COMPONENT_CLASSES = {
        "claim-view--claim",
        "claim-view--context",
        "claim-view--cue",
        "claim-view--source",
        "claim-view--editorial",
    }
    # render() wraps the text itself, once, at the width it has: Textual must not again.
    DEFAULT_CSS = """
    ClaimView {
        text-wrap: nowrap;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context: Context | None = None
        self.placeholder = Text("")
        # The paragraphs around the claim as wrapped, kept for the next claims: most keys
        # move within an article, whose paragraphs around stay the same.
        self._wrapped: dict[tuple[object, ...], list[Text]] = {}
        self._drawn: tuple[tuple[object, ...], Text] | None = None  # (what, its lines)

    def show(self, context: Context | None, placeholder: str = "") -> None:
        """Show a claim (or, with None, the placeholder message)."""
        self.context = context
        self.placeholder = Text(placeholder, "italic")
        self.refresh()

    def render(self) -> Text:
        c = self.context
        width = self.content_size.width
        if c is None:
            if width <= 0:
                return self.placeholder
            return Text("\n").join(self.placeholder.wrap(self.app.console, width))
        # The same claim at the same size is the same lines (a style change forgets
        # them): a relabel or a flag redraws it without wrapping it again.
        key = (c.unit, c.paragraph, c.suggestion, c.before, c.after, self.content_size)
        if self._drawn is not None and self._drawn[0] == key:
            return self._drawn[1]
        text = self._lines(c)
        self._drawn = (key, text)
        return text

    def notify_style_update(self) -> None:
        self._drawn = None
        super().notify_style_update()

    def _lines(self, c: Context) -> Text:
        """The claim and what fits around it, as lines already wrapped to the width."""
        claim = self.component_style("claim-view--claim")
        around = self.component_style("claim-view--context")
        marks = suggestion_marks(
            c.unit.id,
            c.suggestion,
            MarkStyles(
                cue=self.component_style("claim-view--cue", partial=True),
                source=self.component_style("claim-view--source", partial=True),
                editorial=self.component_style("claim-view--editorial", partial=True),
            ),
        )
        width, height = self.content_size
        if width <= 0:
            return paragraph_text(c.paragraph, c.unit.id, claim, around, NEIGHBOURS, marks)
        console = self.app.console
        for neighbours in range(NEIGHBOURS, -1, -1):
            text = paragraph_text(c.paragraph, c.unit.id, claim, around, neighbours, marks)
            lines = list(text.wrap(console, width))
            if len(lines) <= height:  # "…" stands for the sentences dropped, if any
                break
        else:
            return cut(text, self, width, max(height, 1))
        if len(lines) + 2 > height or not (c.before or c.after):
            return Text("\n").join(lines)

        def wrap(units: tuple[UnitView, ...]) -> list[Text]:
            ids = tuple(u.id for u in units)
            key = (ids, width, around, tuple(m for m in marks if m[0] in ids))
            if key not in self._wrapped:
                if len(self._wrapped) > 64:
                    self._wrapped.clear()
                text = context_paragraph(units, around, marks)
                self._wrapped[key] = list(text.wrap(console, width))
            return self._wrapped[key]

        before = c.before[::-1]
        return Text("\n").join(fill_around(lines, before, c.after, wrap, height, width))


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


@dataclass(frozen=True)
class MarkStyles:
    """How each kind of cue is marked in the claim (from the stylesheet)."""

    cue: Style | str = "underline"
    source: Style | str = "reverse"
    editorial: Style | str = "italic"


def suggestion_marks(unit_id: str, s: SuggestionRecord | None, styles: MarkStyles) -> list[Mark]:
    """Where a suggestion's cues are: every editorial cue and the cue that decided it
    (a reporting cue, a quote, hearsay) in the claim; the source in the claim or, for a
    continuing quote, in the unit that names the speaker. A cue that is one of the
    editorial ones is marked as editorial."""
    if s is None:
        return []
    marks: list[Mark] = [(unit_id, start, end, styles.editorial) for start, end in s.editorial]
    cue = (s.cue_start, s.cue_end)
    if cue[0] is not None and cue[1] is not None and cue not in s.editorial:
        # None found, or stored before they were: an editorial label's cue is one.
        editorial = not s.editorial and s.suggested_label == EDITORIAL
        marks.append((unit_id, cue[0], cue[1], styles.editorial if editorial else styles.cue))
    if s.source_start is not None and s.source_end is not None:
        marks.append((s.quote_of or unit_id, s.source_start, s.source_end, styles.source))
    return marks


def suggestion_text(s: SuggestionRecord | None, accept_key: str = "s") -> Text:
    """'suggests: attributed 0.90 (s accepts) — reporting cue “said” names the source
    “NASA”'."""
    if s is None:
        return Text("no suggestion for this claim yet", "dim")
    text = Text("suggests: ")
    text.append(s.suggested_label.replace("_", " "), "bold")
    text.append(f" {s.confidence:.2f}")
    if accept_key:  # none when the keymap gave its keys to other bindings
        text.append(f" ({accept_key} accepts)", "dim")  # before the reason, which may be cut
    text.append(" — ")
    text.append(literal(s.reason), "italic")
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


class SuggestionBar(StyledWidget):
    """Three lines under the claim: the suggestion and its reason, the source, and where
    else the same claim appears. Each is one line, cut with "…" (app.tcss), never
    wrapped; on two lines (a short terminal) "also in" takes the source's place."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.context: Context | None = None
        self.accept_key = "s"
        self.show_others = True  # others' labels on the "also in" line (blind: False)
        self._shown: tuple[object, ...] | None = None

    def show(self, context: Context | None, accept_key: str = "s") -> None:
        """Show what is said about ``context``'s claim; redrawn only when that changed
        (the next claim often has the same: none, or the same source)."""
        self.context, self.accept_key = context, accept_key
        said: tuple[object, ...] = (None,)
        if context is not None:
            said = (context.suggestion, context.state, context.quote_later, context.also_in)
        shown = (*said, accept_key, self.show_others)
        if shown != self._shown:
            self._shown = shown
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
        height = self.content_size.height
        if 0 < height < len(lines):  # the suggestion, then "also in" or else the source
            suggestion, source, also_in = lines
            lines = [suggestion, also_in or source][:height]
        text = Text("\n").join(lines)
        text.no_wrap, text.overflow = True, "ellipsis"
        return text


class ArticleHeader(StyledWidget):
    """Three lines above the claim: the article title, its path and outlet, the subheading."""

    COMPONENT_CLASSES = {"article-header--title", "article-header--meta", "article-header--heading"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.lines: tuple[str, str, str] = ("annotate", "", "")

    def show(self, context: Context | None) -> None:
        """Show ``context``'s article; redrawn only when the lines change (most keys
        move to a claim of the same article and section)."""
        lines = ("annotate", "", "")
        if context is not None:
            u = context.unit
            meta = u.article_path + (f" · {u.article_source}" if u.article_source else "")
            heading = f"§ {context.heading}" if context.heading else ""
            lines = (u.article_title or "(no title)", meta, heading)
        if lines != self.lines:
            self.lines = lines
            self.refresh()

    def render(self) -> Text:
        parts = zip(self.lines, ("title", "meta", "heading"), strict=True)
        return Text("\n").join(
            Text(
                literal(line),
                self.component_style(f"article-header--{part}"),
                no_wrap=True,
                overflow="ellipsis",
            )
            for line, part in parts
        )


# How each kind of message starts, so a warning reads as one without colour too.
MESSAGE_MARKS = {"information": "· ", "warning": "! ", "error": "✗ "}


class MessageLine(StyledWidget):
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
        if self.message:  # most moves have nothing to clear: no redraw then
            self.message = Text("")
            self.refresh()

    @property
    def plain(self) -> str:
        return self.message.plain

    def render(self) -> Text:
        text = self.message.copy()
        if self.severity in ("warning", "error"):
            text.stylize(self.component_style(f"message-line--{self.severity}"))
        width = self.content_size.width
        if width and text.cell_len > width:  # cut with "…", never wrapped out of view
            text.truncate(width - 1)
            text.append("…")
        text.no_wrap = True
        return text


def spread(console: Console, left: Text, right: Text, width: int) -> Text:
    """``left`` at the start of a line ``width`` wide and ``right`` at its end, as a
    two-column grid (the first column cut with "…", the second right-justified) shows
    them. Where the two fit (nearly always) the line is put together directly, several
    times faster than rendering the grid; where they do not, the grid cuts them."""
    if width <= 0:
        return Text.assemble(left, right)
    room = width - left.cell_len - right.cell_len
    if room >= 0:
        line = Text()
        line.append_text(left)
        line.append(" " * room, left.style)  # the first column's padding, in its style
        line.append_text(right)
        return line
    grid = Table.grid(expand=True)
    grid.add_column(no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    grid.add_row(left, right)
    drawn = console.render_lines(grid, console.options.update_width(width), pad=False)
    return Text.assemble(*((seg.text, seg.style or "") for seg in drawn[0]))


def progress_bar(
    console: Console, done: int, total: int, width: int, back: Style, complete: Style
) -> Text:
    """A bar ``width`` cells wide, ``done`` of ``total`` drawn in ``complete``, the rest
    in ``back``: the line rich's ProgressBar draws (half cells included), as text."""
    done = min(total, max(0, done))
    halves = int(width * 2 * done / total) if total else width * 2
    full, half = divmod(halves, 2)
    text = Text("━" * full + "╸" * half, complete)
    left = width - full - half
    if not console.no_color and left and console.color_system is not None:
        if not half and full:
            text.append("╺", back)
            left -= 1
        text.append("━" * left, back)
    return text


class StatusBar(StyledWidget):
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

    def render(self) -> Text:
        muted = self.component_style("status-bar--muted")
        state = state_text(self.state) if self.state is not None else Text("")
        width = self.content_size.width
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
            room = width - who.cell_len - position.cell_len - 1
            progress = progress_text(self.done, self.total, self.rate, room)
            if len(progress) <= room and (self.rate is None or "/h" in progress):
                break
        counts = Text(progress)
        counts.append_text(who)
        done_style = self.component_style("status-bar--bar")
        bar = progress_bar(
            self.app.console,
            self.done,
            max(self.total, 1),
            width,
            self.component_style("status-bar--bar-back"),
            done_style,
        )
        # Three lines as one text, each at most as wide as the widget (a long note on
        # the first is cut with "…", app.tcss): drawn in a third of the time a grid of
        # the second and a bar renderable took.
        text = Text("\n").join((state, spread(self.app.console, position, counts, width), bar))
        text.no_wrap, text.overflow = True, "ellipsis"
        return text
