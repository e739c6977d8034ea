"""Messages the screens and workers post up to the app (dataclass messages, as toolong's).

Screens own their pop-ups and their workers; the app never calls into a screen. What a
screen needs comes down as constructor arguments; what the app must do comes up as one
of these.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from textual.message import Message


@dataclass
class Farewell(Message):
    """End the app with exit status 1, printing ``line`` (a change not saved, a damaged
    database)."""

    line: str


@dataclass
class ClaimShown(Message):
    """A screen drew a claim (``has_claim``) or its placeholder: the benchmark hooks'
    cue. Posted only when the app asked for it (``LabelScreen.report_shown``)."""

    has_claim: bool


@dataclass
class ClaimDrawn(Message):
    """The label screen's claim area was refreshed after a change (handler:
    ``on_claim_drawn``): what the app held for the key may go on. (A callback asked for
    with the app's or the screen's ``call_after_refresh`` may come before: at an idle
    moment of the screen before the claim view asked it to redraw.)"""


@dataclass
class IngestStarted(Message):
    """The screen's ingest worker started its child process (the app ends it at exit)."""

    process: Any
    hold: Any  # ingest_process.Hold: the app holds the child at each key


@dataclass
class IngestEvent(Message):
    """Events from the ingest worker, in order (handler: ``on_ingest_event``)."""

    events: list[Any]
    claims: int | None = None  # once the Summary came: the claim count after ingest
    report: list[str] | None = field(default=None)  # its lines (annotate.ingest.describe)


@dataclass
class SuggestionsReady(Message):
    """The ingest worker stored new suggestions (handler: ``on_suggestions_ready``)."""


@dataclass
class IngestOver(Message):
    """The corpus given is ingested (``ingested``) or its ingest failed."""

    ingested: bool


@dataclass
class Decided(Message):
    """An annotator's label was committed (the background retrainer counts them)."""
