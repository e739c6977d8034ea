"""The claim area and the lines under it, through Pilot: every cue of the suggestion
marked, marks that read apart without colour (NO_COLOR, a mono terminal), the suggestion
and "also in" lines cut with "…" instead of wrapped, the paragraphs around the claim."""

from __future__ import annotations

import pytest
from helpers.tui import app_for, claim_paragraphs, pilot, save, save_split, settle, spy, styled
from rich.console import Console
from rich.progress_bar import ProgressBar
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.geometry import Region

from annotate.ingest import suggest_all
from annotate.labelling.session import AROUND, context_of
from annotate.store import LabelState, Store, SuggestionRecord
from annotate.tui.widgets.claim import (
    ArticleHeader,
    ClaimView,
    MarkStyles,
    SuggestionBar,
    progress_bar,
    spread,
)
from annotate.tui.widgets.claim import suggestion_marks as marks_of

COUNCIL = [
    ["The council met on Monday.", "It sat for an hour."],
    ["The council will cut bus fares next year, marking a significant shift, the mayor said."],
    "What comes next",
    ["The plan is arguably a striking failure of the council."],
    ["Buses run every ten minutes."],
]
MAYOR = COUNCIL[1][0]


@pytest.fixture
def council(db_path):
    with Store.open(db_path) as store:
        save(store, "council.txt", "Fares", COUNCIL)
        save(store, "echo.txt", "Echo", [[MAYOR]])
        suggest_all(store)
    return db_path


def same_claim_in_two_articles(db) -> None:
    """Put the mayor's claim of council.txt and of echo.txt in one claim group."""
    with Store.open(db) as store:
        units = [*store.units_of_article("council.txt"), *store.units_of_article("echo.txt")]
        store.set_claim_groups({u["id"]: "g" for u in units if u["text"] == MAYOR})


async def go_to(app, pilot, text: str) -> None:
    """Step forward to the claim that starts with ``text``."""
    for _ in range(30):
        assert app.session.unit is not None
        if app.session.unit.text.startswith(text):
            return
        await pilot.press("right")
    raise AssertionError(f"no claim {text!r}")


def screen_lines(app, widget: type) -> list[str]:
    """The lines a widget puts on the screen, as Textual draws them (its own wrapping)."""
    w = app.screen_stack[0].query_one(widget)
    strips = w.render_lines(Region(0, 0, *w.outer_size))
    return [s.text.strip() for s in strips if s.text.strip() and not s.text.startswith("─")]


def strip_styles(app, text: str) -> list[Style]:
    """The styles the claim area draws ``text`` in, after the app's line filters
    (NO_COLOR's among them): what reaches the terminal."""
    view = app.screen_stack[0].query_one(ClaimView)
    found = []
    for strip in view.render_lines(Region(0, 0, *view.outer_size)):
        for f in app.get_line_filters():
            strip = strip.apply_filter(f, view.background_colors[1])
        line = strip.text
        at = line.find(text)
        if at < 0:
            continue
        offset = 0
        for segment in strip:
            if offset <= at < offset + len(segment.text) and segment.style is not None:
                found.append(segment.style)
            offset += len(segment.text)
    return found


def attributes(style: Style) -> tuple[bool, ...]:
    return (
        bool(style.bold),
        bool(style.dim),
        bool(style.italic),
        bool(style.underline),
        bool(style.reverse),
    )


# -- every cue marked ----------------------------------------------------------------


@pilot
async def test_every_editorial_cue_the_reporting_cue_and_the_source_are_marked(council):
    app = app_for(council)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await go_to(app, pilot, "The council will")
        assert styled(app, "claim-view--editorial") == ["marking a", "significant shift"]
        assert styled(app, "claim-view--cue") == ["said"]
        assert styled(app, "claim-view--source") == ["the mayor"]
        await go_to(app, pilot, "The plan is")
        # Both editorial words; the cue that decided the label is one of them.
        assert styled(app, "claim-view--editorial") == ["arguably", "striking"]
        assert styled(app, "claim-view--cue") == []


def _record(label: str, editorial: tuple[tuple[int, int], ...]) -> SuggestionRecord:
    return SuggestionRecord(
        "u", label, 0.6, "why", "cue", 0, 3, None, None, None, None, None, editorial
    )


def test_a_suggestion_stored_before_editorial_spans_marks_its_one_cue_by_its_label():
    styles = MarkStyles(cue="c", source="s", editorial="e")
    assert marks_of("u", _record("editorial", ()), styles) == [("u", 0, 3, "e")]
    assert marks_of("u", _record("unattributed", ()), styles) == [("u", 0, 3, "c")]
    # With its spans, a cue that is not one of them is the cue (hearsay, a quote).
    assert marks_of("u", _record("editorial", ((5, 9),)), styles) == [
        ("u", 5, 9, "e"),
        ("u", 0, 3, "c"),
    ]


def test_the_spans_survive_the_store(council):
    with Store.open(council) as store:
        unit = next(u for u in store.units_of_article("council.txt") if u["text"] == MAYOR)
        record = store.suggestion(unit["id"])
    assert record is not None
    assert [MAYOR[s:e] for s, e in record.editorial] == ["marking a", "significant shift"]


# -- without colour --------------------------------------------------------------------


@pytest.mark.parametrize(
    "env", [{"NO_COLOR": "1"}, {"NO_COLOR": ""}, {"TERM": "xterm-mono"}, {"TERM": "vt100"}]
)
@pilot
async def test_without_colour_the_marks_differ_by_style_alone(council, monkeypatch, env):
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    app = app_for(council)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await go_to(app, pilot, "The council will")
        assert app.no_color
        looks = {}
        for text in ("marking a", "said", "the mayor", "cut bus fares", "It sat for"):
            styles = strip_styles(app, text)
            assert styles, text
            # No colour reaches the terminal: every colour is the terminal's own.
            for style in styles:
                for colour in (style.color, style.bgcolor):
                    assert colour is None or colour.is_default, (text, colour)
            looks[text] = attributes(styles[0])
        # Editorial, cue, source, claim and context: five looks, told apart by style.
        assert len(set(looks.values())) == 5, looks
        assert looks["said"][3] and looks["the mayor"][4] and looks["marking a"][2]
        assert looks["It sat for"][1]  # the context is dim


@pilot
async def test_with_colour_the_terminal_gets_colour(council):
    app = app_for(council)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        assert not app.no_color
        styles = strip_styles(app, "The council met")
        assert any(s.color is not None and not s.color.is_default for s in styles)


# -- one line each, cut with "…" --------------------------------------------------------


@pytest.mark.parametrize("size", [(60, 15), (80, 24), (120, 36)])
@pilot
async def test_the_suggestion_and_also_in_lines_are_cut_never_wrapped(council, size):
    same_claim_in_two_articles(council)
    app = app_for(council)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await go_to(app, pilot, "The council will")
        lines = screen_lines(app, SuggestionBar)
        assert lines[0].startswith("suggests: attributed")
        assert "(s accepts)" in lines[0]  # before the reason: never what is cut
        assert lines[0].endswith("…") and len(lines[0]) <= size[0]
        assert lines[-1].startswith("also in: echo.txt")  # in view at every size
        claim = "".join(claim_paragraphs(app))
        assert MAYOR in claim  # the claim, whole


@pilot
async def test_a_long_title_is_cut_and_leaves_the_path_in_view(db_path):
    with Store.open(db_path) as store:
        save(store, "long-title.txt", "A title " * 20, [["One claim here."]])
    app = app_for(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(app, pilot)
        title, path, *_ = screen_lines(app, ArticleHeader)
        assert title.endswith("…") and path.startswith("long-title.txt")


# -- the paragraphs around the claim ----------------------------------------------------


@pilot
async def test_the_paragraphs_around_the_claim_fill_the_space(council):
    app = app_for(council)
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await go_to(app, pilot, "The plan is")
        assert claim_paragraphs(app) == [
            "The council met on Monday. It sat for an hour.",
            MAYOR,
            "§ What comes next",
            "The plan is arguably a striking failure of the council.",
            "Buses run every ten minutes.",
        ]
        assert styled(app, "claim-view--claim", partial=False) == [
            "The plan is arguably a striking failure of the council."
        ]
        context = styled(app, "claim-view--context", partial=False)
        assert "Buses run every ten minutes." in context
        # Only the claim's own cues are marked, not those of the paragraphs around it.
        assert styled(app, "claim-view--source") == []


@pytest.mark.parametrize("size", [(40, 12), (60, 15), (80, 24), (120, 36)])
@pilot
async def test_the_context_never_pushes_the_claim_out(council, size):
    with Store.open(council) as store:
        long = ["A sentence of the article around the claim, long enough to wrap."] * 12
        save(store, "busy.txt", "Busy", [long, ["The claim itself is this one."], long])
    app = app_for(council)
    async with app.run_test(size=size) as pilot:
        await settle(app, pilot)
        await go_to(app, pilot, "The claim itself")
        view = app.label_screen.query_one(ClaimView)
        shown = [line.strip() for line in view.render().plain.split("\n")]
        assert "The claim itself is this one." in shown
        assert len(shown) <= view.content_size.height
        # A cut paragraph says so: "…" where it is cut, above and below.
        paragraphs = claim_paragraphs(app)
        assert paragraphs[-1].endswith(" …")
        if size[1] >= 15:
            assert paragraphs[0].startswith("… ")
            # The claim sits near the middle: as much context above as below.
            at = shown.index("The claim itself is this one.")
            assert abs(at - (len(shown) - 1 - at)) <= 1


PLAIN = """The ministers met on Monday. They agreed on a budget.

Critics were not convinced, officials said. They wrote a letter.

A third paragraph ends it.
"""


@pilot
async def test_the_context_never_reads_the_whole_article(db_path, monkeypatch):
    """A claim is read with the paragraphs around it, not its whole article (a thousand
    units in a long one), and shows its article as stored now, after a merge too."""
    with Store.open(db_path) as store:
        save_split(store, "a.txt", PLAIN)
    app = app_for(db_path)
    whole = spy(monkeypatch, app.session.store, "article_units")
    around = spy(monkeypatch, app.session.store, "article_units_around")
    async with app.run_test(size=(120, 36)) as pilot:
        await settle(app, pilot)
        await go_to(app, pilot, "The ministers")
        before = len(around)
        await pilot.press("right")  # "They agreed …": the same paragraph
        await pilot.press("right")  # the next paragraph of the same article
        assert len(around) > before
        assert claim_paragraphs(app)[0] == "The ministers met on Monday. They agreed on a budget."
        await pilot.press("m")  # a merge changes the article: shown as stored now
        assert (
            claim_paragraphs(app)[1]
            == "Critics were not convinced, officials said. They wrote a letter."
        )
        assert app.session.unit is not None
        assert (
            app.session.unit.text
            == "Critics were not convinced, officials said. They wrote a letter."
        )
        assert whole == []


def test_a_claim_in_a_long_article_reads_only_the_paragraphs_around_it(db_path):
    text = "\n\n".join(f"Paragraph {i} says the council met on day {i}." for i in range(40))
    with Store.open(db_path) as store:
        save_split(store, "long.txt", text + "\n")
        unit = next(u for u in store.article_units(store.article_ids()[0]) if "day 20." in u.text)
        context = context_of(store, unit, LabelState(), None)
    shown = [u.text for p in (*context.before, context.paragraph, *context.after) for u in p]
    assert len(context.before) == len(context.after) == AROUND
    assert shown[0].endswith(f"day {20 - AROUND}.") and shown[-1].endswith(f"day {20 + AROUND}.")
    assert (context.index, context.of) == (21, 40)


@pytest.mark.parametrize("size", [(60, 15), (80, 24), (120, 36)])
def test_claim_with_its_cues_and_context(council, snap_compare, size):
    """Layout: the claim between the paragraphs around it, its editorial cues, reporting
    cue and source marked, the suggestion and "also in" lines cut with "…"."""
    same_claim_in_two_articles(council)

    async def run_before(pilot) -> None:
        await settle(pilot.app, pilot)
        await go_to(pilot.app, pilot, "The council will")

    assert snap_compare(app_for(council), terminal_size=size, run_before=run_before)


def _segments(console: Console, renderable, width: int) -> list[tuple[str, Style | None]]:
    """What a console of ``width`` columns draws, one (character, style) per cell; a
    blank's style only as far as it shows (its background)."""
    lines = console.render_lines(renderable, console.options.update_width(width), pad=False)
    cells = [(ch, seg.style or Style()) for line in lines for seg in line for ch in seg.text]
    return [(ch, Style(bgcolor=s.bgcolor) if ch == " " else s) for ch, s in cells]


@pytest.mark.parametrize("width", [60, 30, 12])
def test_the_progress_line_spreads_and_cuts_as_a_two_column_grid(width):
    console = Console(width=width, color_system="truecolor")
    left, right = Text("claim 3 of 22 in this article", "dim"), Text("16/39 labelled · alice")
    grid = Table.grid(expand=True)
    grid.add_column(no_wrap=True, overflow="ellipsis")
    grid.add_column(justify="right", no_wrap=True)
    grid.add_row(left, right)
    drawn = _segments(console, spread(console, left, right, width), width)
    assert drawn == _segments(console, grid, width)


@pytest.mark.parametrize(("done", "total"), [(0, 40), (1, 40), (13, 40), (39, 40), (40, 40)])
@pytest.mark.parametrize("color", ["truecolor", None])
def test_the_progress_bar_is_drawn_as_richs_bar(done, total, color):
    console = Console(width=30, color_system=color)
    back, complete = Style(color="grey37"), Style(color="green")
    bar = ProgressBar(total=total, completed=done, width=30, style=back, complete_style=complete)
    bar.finished_style = complete
    ours = progress_bar(console, done, total, 30, back, complete)
    assert _segments(console, ours, 30) == _segments(console, bar, 30)
