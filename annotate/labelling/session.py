"""One annotator's labelling session: where they are, what they may undo, their counters.

Pure Python over ``Store`` (no Textual), so the app's actions stay one-line delegations
and the flow can be reasoned about without a screen. Every change goes through the store,
which commits it before the method returns: nothing is shown as labelled that is not on
disk. A change the store refuses (``StoreBusyError``, ``StoreFullError``, ``UnitGoneError``)
leaves the session as it was, so it can be tried again.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable
from dataclasses import dataclass

from annotate.model import (
    ATTRIBUTED,
    LABELS,
    SENTENCE,
    TITLE,
    Dropped,
    Unit,
    takes_source,
)
from annotate.store import (
    ClaimGroupMember,
    LabelState,
    SegmentChange,
    Store,
    SuggestionRecord,
    UnitView,
)
from annotate.text import resegment

# Filters in the order ``cycle_filter`` walks them; None shows every claim.
FILTER_ORDER: tuple[str | None, ...] = (None, "unlabelled", *LABELS, "flagged", "noted")
# Filters few claims pass: the walk to the next match may read the whole queue, so the
# app runs it in a worker thread, unless so few label rows pass that the store walks
# those rows instead (Store.walks_matches: one query of a few milliseconds at most).
RARE_FILTERS = ("flagged", "noted")

# A walk to run later, maybe on another thread's connection: store -> the unit found.
Finder = Callable[[Store], UnitView | None]


# The orders "next unlabelled" can follow: the corpus (queue position), the rules'
# suggestion confidence, least certain first, or the certainty of the model's suggestion
# (annotate suggest --model), least sure first (back/forward always follow the corpus).
ORDERS = ("corpus", "confidence", "uncertain")
# The ranked orders: each an indexed walk from a (value, unit id) key.
RANKED = ("confidence", "uncertain")


def ranked_walk(
    store: Store, order: str, annotator: str, key: tuple[float, str] | None, assigned: bool
) -> UnitView | None:
    """The next unlabelled claim after ``key`` in a ranked order (None: from its start)."""
    if order == "uncertain":
        return store.next_by_certainty(annotator, key, assigned=assigned)
    return store.next_by_confidence(annotator, key, assigned=assigned)


def first_unlabelled(
    store: Store, annotator: str, *, assigned: bool = False, order: str = "corpus"
) -> UnitView | None:
    """The first claim not labelled, from the start of the queue in ``order``; in the
    confidence order, claims without a suggestion come after the others. A walk over the
    whole queue at worst (a worker's job on a big corpus)."""
    if order in RANKED:
        found = ranked_walk(store, order, annotator, None, assigned)
        if found is not None:
            return found
    return store.step(-1, annotator, only="unlabelled", assigned=assigned)


# How many decisions the decision strip lists, and how far back in history a relaunched
# session looks for what it may undo.
RECENT = 10
HISTORY_WINDOW = 200
# History actions a session can undo after a relaunch; any other (import, merge) ends
# what may be undone, as a session that did not make them could not undo them either.
_UNDOABLE = {"label", "unlabel", "note", "source", "flag", "unflag"}


@dataclass(frozen=True)
class Decision:
    """One label given, for the decision strip: the claim's start, the label (None:
    taken back to unlabelled), when (ISO time, UTC)."""

    unit_id: str
    text: str
    label: str | None
    at: str


def describe_undo(text: str, undone: str | None, back_to: str | None) -> str:
    """What an undo says: 'Undid attributed on “The talks were…” (now unlabelled).'"""
    what = undone.replace("_", " ") if undone else "the change"
    now = back_to.replace("_", " ") if back_to else "unlabelled"
    short = text if len(text) <= 40 else text[:39].rstrip() + "…"
    return f"Undid {what} on “{short}” (now {now})."


def filter_name(only: str | None) -> str:
    """How a filter is called on screen."""
    return "all" if only is None else only.replace("_", " ")


def next_filter(only: str | None) -> str | None:
    """The filter after ``only`` in ``FILTER_ORDER``, wrapping round."""
    return FILTER_ORDER[(FILTER_ORDER.index(only) + 1) % len(FILTER_ORDER)]


@dataclass(frozen=True)
class Context:
    """Everything the main screen shows about the current claim."""

    unit: UnitView
    paragraph: list[UnitView]  # the units of the claim's paragraph, in reading order
    heading: str | None
    index: int  # 1-based position of the claim among the article's claims
    of: int  # claims in the article
    state: LabelState
    suggestion: SuggestionRecord | None = None  # the rules' suggested label, cue and source
    quote_source: str | None = None  # text of the unit a continuing quote takes its source from
    quote_later: bool = False  # that unit comes after the claim (the quote closes there)
    also_in: tuple[ClaimGroupMember, ...] = ()  # the same claim in other articles
    # The paragraphs before the claim's (nearest last) and after it (nearest first), up to
    # AROUND each side, the article's title left out: the claim read in its article.
    before: tuple[tuple[UnitView, ...], ...] = ()
    after: tuple[tuple[UnitView, ...], ...] = ()


# How many paragraphs either side of the claim's are read for the screen to show.
AROUND = 4


def split_paragraphs(
    units: list[UnitView], paragraph: int
) -> tuple[list[UnitView], list[list[UnitView]], list[list[UnitView]]]:
    """``units`` (in reading order) as the claim's paragraph, the paragraphs before it and
    those after it, the article's title left out."""
    own: list[UnitView] = []
    before: list[list[UnitView]] = []
    after: list[list[UnitView]] = []
    for x in units:
        if x.paragraph == paragraph:
            own.append(x)
            continue
        if x.kind == TITLE:
            continue
        side = before if x.paragraph < paragraph else after
        if side and side[-1][0].paragraph == x.paragraph:
            side[-1].append(x)
        else:
            side.append([x])
    return own, before, after


class ArticleReads:
    """What the screen reads of the article on screen at each key: the paragraphs around
    the claim, the claim's index among the article's claims and the subheading above it.
    The first claim shown of an article costs indexed reads, as any claim does; from the
    second claim in a row of the same article its outline (its claims' and subheadings'
    places) is read once, so a filter that jumps from article to article never reads a
    whole article. The outline and the paragraphs around a claim (read once per
    paragraph) are kept while no other connection has written (``Store.data_version``: an
    ingest, a retraining) and the session has changed none of the article's units
    (``forget``): the next claim of the same article, however long it is, then costs no
    read of it."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._key: tuple[str, int] | None = None  # (article id, data version) of the outline
        self._last: str | None = None  # the article of the claim placed last
        self._claims: list[int] = []  # seqs of the article's claims, in order
        self._heading_seqs: list[int] = []
        self._headings: list[str] = []
        self._around_key: tuple[str, int] | None = None  # what ``_around`` was read at
        self._around: dict[int, tuple[list[UnitView], list[list[UnitView]], list[list[UnitView]]]]
        self._around = {}  # paragraph -> split_paragraphs of the units around it

    def forget(self) -> None:
        """The session changed units (a merge, split, restore or their undo): read again."""
        self._key = self._around_key = None

    def _outline(self, article_id: str) -> bool:
        """Whether the outline of ``article_id`` is held, read now if this is the second
        claim in a row of that article."""
        key = (article_id, self.store.data_version())
        if key == self._key:
            return True
        again, self._last = article_id == self._last, article_id
        if not again:
            return False
        self._key = key
        self._claims, headings = self.store.article_outline(article_id)
        self._heading_seqs = [seq for seq, _ in headings]
        self._headings = [text for _, text in headings]
        return True

    def around(
        self, u: UnitView
    ) -> tuple[list[UnitView], list[list[UnitView]], list[list[UnitView]]]:
        """``u``'s paragraph, the AROUND paragraphs before it and those after it."""
        key = (u.article_id, self.store.data_version())
        if key != self._around_key:
            self._around_key, self._around = key, {}
        split = self._around.get(u.paragraph)
        if split is None:
            if len(self._around) >= 16:
                self._around.clear()
            units = self.store.article_units_around(u.article_id, u.paragraph, AROUND)
            split = self._around[u.paragraph] = split_paragraphs(units, u.paragraph)
        return split

    def place(self, u: UnitView) -> tuple[int, int, str | None]:
        """(1-based index of claim ``u`` in its article, claims in the article, the
        nearest subheading above ``u`` or None)."""
        if not self._outline(u.article_id):
            index, of = self.store.claim_index(u)
            return index, of, self.store.heading_before(u.article_id, u.seq)
        i = bisect_left(self._heading_seqs, u.seq)
        heading = self._headings[i - 1] if i else None
        return bisect_right(self._claims, u.seq), len(self._claims), heading


def context_of(
    store: Store,
    u: UnitView,
    state: LabelState,
    suggestion: SuggestionRecord | None,
    reads: ArticleReads | None = None,
) -> Context:
    """Everything shown about unit ``u`` with its ``suggestion``: its paragraph and the
    paragraphs around it, its index and heading (indexed reads of those paragraphs and of
    the article's outline, not the whole article's texts, so a claim in a thousand-unit
    article costs what any claim does; ``u``'s article as stored now; ``reads`` keeps
    them for the next claims), and an indexed lookup more for a continuing quote (the
    speaker's unit) or a claim group."""
    reads = reads or ArticleReads(store)
    paragraph, before, after = reads.around(u)
    index, of, heading = reads.place(u)
    quote_source, quote_later = None, False
    if suggestion is not None and suggestion.quote_of and suggestion.source:
        quoted = store.unit(suggestion.quote_of)
        quote_source = quoted.text if quoted else None
        quote_later = quoted is not None and quoted.seq > u.seq
    also_in: tuple[ClaimGroupMember, ...] = ()
    if suggestion is not None and suggestion.claim_group:
        also_in = tuple(store.claim_group_members(u.id))
    return Context(
        unit=u,
        paragraph=list(paragraph),
        heading=heading,
        index=index,
        of=of,
        state=state,
        suggestion=suggestion,
        quote_source=quote_source,
        quote_later=quote_later,
        also_in=also_in,
        before=tuple(map(tuple, before)),
        after=tuple(map(tuple, after)),
    )


def matches(only: str | None, state: LabelState) -> bool:
    """Whether a unit with this label state passes a filter."""
    if only is None:
        return True
    if only == "unlabelled":
        return state.label is None
    if only == "flagged":
        return state.flagged
    if only == "noted":
        return state.note is not None
    return state.label == only


class Session:
    """The labelling position, undo stack and progress counters of one annotator."""

    def __init__(self, store: Store, annotator: str, *, order: str = "corpus") -> None:
        if order not in ORDERS:
            raise ValueError(f"unknown order {order!r}; expected one of {', '.join(ORDERS)}")
        self.store = store
        self.annotator = annotator
        self.order = order
        # With an assignment plan (annotate assign) the queue is the annotator's articles:
        # every walk and count below is restricted to them. None: no plan, all articles.
        plan = store.assigned_articles(annotator)
        self.assigned_articles: int | None = None if plan is None else len(plan)
        self.assigned = plan is not None
        self.unit: UnitView | None = None
        self.state = LabelState()
        self.only: str | None = None
        # (unit id, state before the change), newest last; lives as long as the session.
        self.undo_stack: list[tuple[str, LabelState] | SegmentUndo] = []
        # Counters are read once and then kept up to date by each change, so a keypress
        # never re-counts the corpus.
        self.claims = 0
        self.labelled = 0
        # True once a walk of the whole queue found nothing unlabelled: later walks are
        # skipped (each would read every claim of the corpus) until an undo or an ingest.
        self.complete = False
        # True from ``start`` (nothing unlabelled after the claim last worked on) until a
        # worker's walk of the earlier claims reports (``earlier_checked``); meanwhile
        # "next unlabelled" looks forward only: wrapping round would walk the whole queue
        # on the screen's thread, the walk the worker is making.
        self.check_earlier = False
        # In the confidence order: True once every claim with a suggestion was found
        # labelled, so "next" walks the claims without one (corpus order) directly.
        self.ranked_done = False
        # In the uncertain order: whether any unit has a model's score (None: not read
        # since the last ``reopen``), so the status line can say when the walk is the
        # corpus order because no model has scored the database yet.
        self.scored: bool | None = None
        # The current unit's suggestion, as last shown (read with the context).
        self.suggestion: SuggestionRecord | None = None
        # The last RECENT decisions, newest first (the decision strip), and what the last
        # undo undid, in words.
        self.recent: list[Decision] = []
        self.undone = ""
        self._texts: dict[str, str] = {}  # unit id -> text, for undo messages of old entries
        self.reads = ArticleReads(store)  # the article on screen, kept between keys

    def load_history(self) -> None:
        """Pick up where the last session of this annotator left off: its decisions for
        the strip, and its changes on the undo stack, from ``history`` (newest
        HISTORY_WINDOW entries: an indexed read, once, at start)."""
        rows = self.store.recent_history(self.annotator, HISTORY_WINDOW)
        stack: list[dict] = []
        for row in reversed(rows):  # oldest first, replaying what was done and undone
            if row["action"] == "undo":
                if stack and stack[-1]["unit_id"] == row["unit_id"]:
                    stack.pop()
                else:
                    stack.clear()
            elif row["action"] in _UNDOABLE:
                stack.append(row)
            else:
                stack.clear()
        entries: list[tuple[str, LabelState] | SegmentUndo] = []
        for row in stack[-RECENT * 2 :]:
            at = None
            if row["prev_label"] is not None:
                at = self.store.labelled_at_before(row["unit_id"], self.annotator, row["id"])
            before = LabelState(
                row["prev_label"],
                row["prev_note"],
                bool(row["prev_flagged"]),
                row["prev_source"],
                at,
            )
            entries.append((row["unit_id"], before))
            self._texts[row["unit_id"]] = row["text"]
        self.undo_stack = entries + self.undo_stack
        self.recent = [
            Decision(r["unit_id"], r["text"], r["label"], r["at"])
            for r in stack[::-1]
            if r["action"] in ("label", "unlabel")
        ][:RECENT]

    # -- reading ----------------------------------------------------------------------

    def count(self) -> None:
        """Read the progress counters from the store (on this thread; tests, small corpora)."""
        snapshot = self.store.progress_snapshot(self.annotator, assigned=self.assigned)
        self.counted(*snapshot)

    def counted(self, claims: int, labelled: int, last_history_id: int) -> None:
        """Take counters read elsewhere (a worker), adding the decisions made meanwhile."""
        self.claims = claims
        self.labelled = labelled + self.store.labelled_delta_since(
            self.annotator, last_history_id, assigned=self.assigned
        )

    def start(self) -> UnitView | None:
        """Go to the first unlabelled claim after the one this annotator last worked on.

        Only walks forward from there, which is cheap; if nothing is unlabelled after it,
        shows that claim and sets ``check_earlier``: whether claims earlier in the queue
        are unlabelled is a walk over the whole queue, left to a worker thread.
        """
        pos = self.store.resume_position(self.annotator)
        if self.order in RANKED:
            unit = self._resume_by_confidence(pos)
        else:
            unit = self.store.step(pos, self.annotator, only="unlabelled", assigned=self.assigned)
        self.check_earlier = unit is None and pos >= 0
        self.complete = unit is None and pos < 0
        if unit is None:
            unit = self.claim_at_or_after(max(pos, 0)) or self.claim_at_or_after(0)
        return self.go(unit)

    def _resume_by_confidence(self, pos: int) -> UnitView | None:
        """The next unlabelled claim in confidence order after the claim last worked on
        (``pos``); None if there is none after it, or it has no suggestion (then earlier
        claims are looked for by a worker, see ``check_earlier``)."""
        who, mine = self.annotator, self.assigned
        if pos < 0:  # nothing worked on yet, so nothing labelled: the start is near
            return first_unlabelled(self.store, who, assigned=mine, order=self.order)
        last = self.store.claim_at_or_after(pos)
        key = self._rank_key(last.id) if last is not None else None
        if key is None:
            return None
        return ranked_walk(self.store, self.order, who, key, mine)

    def _rank_key(self, unit_id: str) -> tuple[float, str] | None:
        """Where a unit sits in the ranked order, None if it is not in it."""
        if self.order == "uncertain":
            return self.store.certainty_key(unit_id)
        suggestion = self.store.suggestion(unit_id)
        return (suggestion.confidence, suggestion.unit_id) if suggestion is not None else None

    def claim_at_or_after(self, pos: int) -> UnitView | None:
        """The first claim of this annotator's queue at ``pos`` or after it."""
        return self.store.claim_at_or_after(
            pos, assigned_to=self.annotator if self.assigned else None
        )

    def scope(self) -> str:
        """What the queue covers and its order, for the status line: empty when it is
        every article in corpus order."""
        parts = []
        if self.assigned_articles is not None:
            n = self.assigned_articles
            parts.append(f"assigned: {n} article{'' if n == 1 else 's'}")
        if self.order == "confidence":
            parts.append("least certain first")
        elif self.order == "uncertain":
            if self.scored is None:
                self.scored = self.store.has_model_suggestions()
            parts.append("model least sure first" if self.scored else "unscored: corpus order")
        return " · ".join(parts)

    def context(self) -> Context | None:
        """What the main screen shows for the current claim."""
        if self.unit is None:
            return None
        return context_of(self.store, self.unit, self.state, self.suggestion, self.reads)

    # -- moving -----------------------------------------------------------------------

    def go(self, unit: UnitView | None) -> UnitView | None:
        """Make ``unit`` current (None leaves the position unchanged)."""
        if unit is not None:
            self.unit = unit
            self.state = self.store.label_state(unit.id, self.annotator)
            self.suggestion = self.store.blended_suggestion(unit.id)
        return unit

    def go_to(self, unit_id: str) -> UnitView | None:
        return self.go(self.store.unit(unit_id))

    def recheck(self) -> bool:
        """Re-read the current claim after its article may have changed (ingest, another
        process). If its sentence is gone, move to the claim now at its place in the
        article, else the next unlabelled one; True if the claim on screen changed."""
        old = self.unit
        if old is None:
            return False
        self.reads.forget()
        fresh = self.store.unit(old.id)
        if fresh is not None:
            self.go(fresh)  # same sentence; its position in the queue may have moved
            return False
        self.reopen()
        in_place = next(
            (
                u
                for u in self.store.article_units(old.article_id)
                if u.kind == SENTENCE and u.seq >= old.seq
            ),
            None,
        )
        found = in_place or (
            self.store.next_unlabelled(self.annotator, after=old.pos, assigned=self.assigned)
            or self.claim_at_or_after(0)
        )
        if found is None:  # no claim is left at all
            self.unit, self.state, self.suggestion = None, LabelState(), None
        else:
            self.go(found)
        return True

    def step(self, forward: bool = True) -> UnitView | None:
        """The next or previous claim passing the filter; None at the end."""
        return self.go(self.step_finder(forward)(self.store))

    def step_finder(self, forward: bool = True) -> Finder:
        """The walk of ``step`` from where the annotator is now, for any connection."""
        pos = self.unit.pos if self.unit else -1
        who, only, mine = self.annotator, self.only, self.assigned
        if self._none_unlabelled():
            return lambda store: None
        return lambda store: store.step(pos, who, forward=forward, only=only, assigned=mine)

    def filter_finder(self) -> Finder:
        """The first claim passing the filter at or after the current one, wrapping round."""
        pos = self.unit.pos if self.unit else -1
        who, only, mine = self.annotator, self.only, self.assigned
        if self._none_unlabelled():
            return lambda store: None
        return lambda store: (
            store.step(pos, who, only=only, assigned=mine)
            or store.step(-1, who, only=only, assigned=mine)
        )

    def _none_unlabelled(self) -> bool:
        """The unlabelled filter once a walk of the whole queue found every claim
        labelled (``complete``): nothing can match, and a walk would read every claim."""
        return self.only == "unlabelled" and self.complete

    def rare_filter(self) -> bool:
        """Whether the filter is one whose walks belong in a worker thread: flagged or
        noted, with more rows passing than the store walks on their own."""
        return self.only in RARE_FILTERS and not self.store.walks_matches(self.annotator, self.only)

    def first_in_article(self, article_id: str) -> UnitView | None:
        """The first claim of an article this annotator has not labelled, else its first
        claim: a look at that article's units only, however much of the queue is done."""
        claims = [u for u in self.store.article_units(article_id) if u.kind == SENTENCE]
        return next(
            (u for u in claims if self.store.label_state(u.id, self.annotator).label is None),
            claims[0] if claims else None,
        )

    def next_unlabelled(self) -> UnitView | None:
        """The next claim this annotator has not labelled, wrapping round; None if none."""
        if self.complete:
            return None
        found = None
        if self.order in RANKED and not self.ranked_done:
            found = self._next_by_confidence()
            self.ranked_done = found is None
        if found is None and self.check_earlier:  # the earlier claims are being looked at
            pos = self.unit.pos if self.unit else -1
            return self.go(
                self.store.step(pos, self.annotator, only="unlabelled", assigned=self.assigned)
            )
        if found is None:  # the corpus order, or the claims without a suggestion
            pos = self.unit.pos if self.unit else -1
            found = self.store.next_unlabelled(self.annotator, after=pos, assigned=self.assigned)
        self.complete = found is None
        return self.go(found)

    def earlier_checked(self, found: UnitView | None) -> None:
        """The worker's walk of the whole queue (see ``check_earlier``) found ``found``, the
        first unlabelled claim, or None: every claim is labelled."""
        self.check_earlier = False
        if found is None:
            self.complete = True

    def _next_by_confidence(self) -> UnitView | None:
        """The next unlabelled claim after the current one, least certain first, wrapping
        round; None when every claim with a suggestion is labelled."""
        who, mine = self.annotator, self.assigned
        key = self._rank_key(self.unit.id) if self.unit is not None else None
        found = ranked_walk(self.store, self.order, who, key, mine)
        if found is None and key is not None:
            found = ranked_walk(self.store, self.order, who, None, mine)
        return found

    def reopen(self) -> None:
        """Claims may be unlabelled again (undo, ingest, new units or suggestions): the
        next "next unlabelled" walks the queue again."""
        self.complete = False
        self.ranked_done = False
        self.scored = None

    def advance(self) -> UnitView | None:
        """Where a decision leads: the next unlabelled claim, or with a filter set, the next
        claim passing the filter (so reviewing flagged claims walks the flagged ones)."""
        if self.only in (None, "unlabelled"):
            return self.next_unlabelled()
        return self.step()

    def set_filter(self, only: str | None) -> UnitView | None:
        """Follow ``only`` from now on; move to the first match at or after the current claim,
        wrapping round. Returns None (and stays put) if nothing matches."""
        self.only = only
        if self.unit is not None and matches(only, self.state):
            return self.unit
        return self.go(self.filter_finder()(self.store))

    # -- changing ---------------------------------------------------------------------

    def label(self, label: str) -> LabelState:
        """Record ``label`` for the current claim (committed); returns the state before.

        An attributed label keeps the source already stored with it (a correction), or
        else takes the detected one; any other label has no source. Raises
        ``UnitGoneError`` (nothing written) if the claim is no longer stored.
        """
        assert self.unit is not None
        source = None
        if takes_source(label):
            source = self.state.source or self.detected_source()
        before = self.store.set_label(
            self.unit.id, self.annotator, label, source=source, must_exist=True
        )
        return self._changed(before)

    def accept_suggestion(self) -> LabelState:
        """Label the current claim as the rules suggest (with the detected source)."""
        assert self.suggestion is not None
        return self.label(self.suggestion.suggested_label)

    def detected_source(self) -> str | None:
        """The source the rules found for the current claim, if any."""
        return self.suggestion.source if self.suggestion else None

    def can_edit_source(self) -> bool:
        """A source can be given to an attributed claim, or names one on an unlabelled claim."""
        return self.state.label is None or takes_source(self.state.label)

    def set_source(self, source: str | None) -> LabelState:
        """Correct the source of the current claim; an unlabelled claim is labelled
        attributed with it (naming a source is that decision)."""
        assert self.unit is not None
        source = (source or "").strip() or None
        if self.state.label is None:
            before = self.store.set_label(
                self.unit.id, self.annotator, ATTRIBUTED, source=source, must_exist=True
            )
        else:
            before = self.store.set_source(self.unit.id, self.annotator, source)
        return self._changed(before)

    def set_note(self, note: str | None) -> LabelState:
        assert self.unit is not None
        before = self.store.set_note(self.unit.id, self.annotator, (note or "").strip() or None)
        return self._changed(before)

    def toggle_flag(self) -> LabelState:
        assert self.unit is not None
        before = self.store.set_flag(self.unit.id, self.annotator, not self.state.flagged)
        return self._changed(before)

    def undo(self) -> UnitView | None:
        """Put the most recent change back and move to its unit (in any article);
        ``undone`` then says what was undone."""
        if not self.undo_stack:
            return None
        # Taken off the stack only once undone: a write that fails (a full disk, a lock
        # held elsewhere) leaves it there to be undone again.
        entry = self.undo_stack[-1]
        if isinstance(entry, SegmentUndo):
            return self._undo_segment(entry)
        unit_id, before = entry
        undone = self.store.restore(unit_id, self.annotator, before)
        self.undo_stack.pop()
        self._count_change(undone, before)
        text = self._texts.get(unit_id) or (self.unit.text if self.unit else "")
        if undone.label != before.label:
            self.undone = describe_undo(text, undone.label, before.label)
            for i, d in enumerate(self.recent):  # the strip lists the label as it is now
                if d.unit_id == unit_id:
                    del self.recent[i]
                    break
        else:
            self.undone = f"Undid the note or flag change on “{text[:39]}”."
        if before.label is None:
            self.reopen()
        return self.go_to(unit_id)

    def _changed(self, before: LabelState) -> LabelState:
        assert self.unit is not None
        self.undo_stack.append((self.unit.id, before))
        self.state = self.store.label_state(self.unit.id, self.annotator)
        self._count_change(before, self.state)
        self._texts[self.unit.id] = self.unit.text
        if self.state.label != before.label:
            decision = Decision(
                self.unit.id, self.unit.text[:80], self.state.label, self.state.labeled_at or ""
            )
            self.recent = [decision, *(d for d in self.recent if d.unit_id != self.unit.id)]
            del self.recent[RECENT:]
        return before

    def _count_change(self, before: LabelState, after: LabelState) -> None:
        self.labelled += (after.label is not None) - (before.label is not None)

    # -- segmentation fixes -------------------------------------------------------------
    # A merge or split replaces units of the current article (see annotate/resegment.py);
    # units whose text is unchanged keep their ids and labels, the others start unlabelled.

    def merge_next(self) -> UnitView | None:
        """Merge the current claim with the next one of its paragraph (committed) and
        show the merged unit. Raises ``resegment.SegmentError`` if there is none."""
        assert self.unit is not None
        cleaned, units = self.store.segment_units(self.unit.article_id)
        units, edit = resegment.merge(cleaned, units, self.unit.seq)
        return self._resegmented(edit, units)

    def split_at(self, at: int) -> UnitView | None:
        """Split the current claim before character ``at`` of its text (committed) and show
        the first half. Raises ``resegment.SegmentError`` at an edge."""
        assert self.unit is not None
        cleaned, units = self.store.segment_units(self.unit.article_id)
        units, edit = resegment.split(cleaned, units, self.unit.seq, at)
        return self._resegmented(edit, units)

    def dropped_near(self) -> list[Dropped]:
        """What cleaning dropped just before and after the current claim's paragraph."""
        if self.unit is None:
            return []
        return self.store.dropped_near(self.unit.article_id, self.unit.paragraph)

    def restore_block(self, block: Dropped) -> UnitView | None:
        """Put a dropped block back as body text (committed; ingest keeps it from then on)
        and show its first claim. Not on the undo stack: a restore is undone by merging
        or labelling the block not_claim, like any other text."""
        assert self.unit is not None
        article = self.unit.article_id
        cleaned, units = self.store.segment_units(article)
        edits = [e.edit for e in self.store.segment_edits(article)]
        cleaned, units, edit = resegment.restore(cleaned, units, block.after, block.text, edits)
        change = self.store.record_restore(article, self.annotator, block, edit, cleaned, units)
        return self._segment_changed(change)

    def _resegmented(self, edit: resegment.SegmentEdit, units: list[Unit]) -> UnitView | None:
        assert self.unit is not None
        article = self.unit.article_id
        change = self.store.record_segment_edit(article, self.annotator, edit, units)
        self.undo_stack.append(SegmentUndo(article, change.seq, edit))
        return self._segment_changed(change)

    def _undo_segment(self, entry: SegmentUndo) -> UnitView | None:
        cleaned, units = self.store.segment_units(entry.article_id)
        units = resegment.undo(cleaned, units, entry.edit)
        change = self.store.undo_segment_edit(entry.article_id, entry.seq, self.annotator, units)
        self.undo_stack.pop()
        self.undone = "Undid the merge or split."
        return self._segment_changed(change)

    def _segment_changed(self, change: SegmentChange) -> UnitView | None:
        self.reads.forget()
        self.labelled += change.labelled
        self.claims += change.claims
        self.reopen()  # the new units may be unlabelled
        if change.unit_ids:
            return self.go_to(change.unit_ids[0])
        # Every unit that came was there before under the same id (a repeated sentence):
        # stay at the same place in the queue, the old current unit may be gone.
        pos = self.unit.pos if self.unit else 0
        return self.go(self.claim_at_or_after(pos))


@dataclass(frozen=True)
class SegmentUndo:
    """An undo-stack entry for a merge or split: edit ``seq`` of an article."""

    article_id: str
    seq: int
    edit: resegment.SegmentEdit
