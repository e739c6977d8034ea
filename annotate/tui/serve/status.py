"""What the organiser's status page shows: who is connected, each annotator's progress,
and how far the annotators agree so far (``annotate.team.agreement``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from annotate.store import ANNOTATOR, Store
from annotate.team import agreement


@dataclass(frozen=True)
class Connected:
    """One live browser session."""

    annotator: str
    mode: str  # "label" or "adjudicate"
    since: str  # UTC, ISO 8601
    idle_seconds: float  # since the last key press


@dataclass(frozen=True)
class Progress:
    annotator: str
    labelled: int
    claims: int  # the annotator's queue: all claims, or the assigned articles' claims
    assigned: bool
    connected: bool


@dataclass(frozen=True)
class Status:
    connected: list[Connected]
    progress: list[Progress]
    agreement: agreement.Report

    def to_json(self) -> dict[str, Any]:
        return {
            "connected": [
                {
                    "annotator": c.annotator,
                    "mode": c.mode,
                    "since": c.since,
                    "idle_seconds": round(c.idle_seconds, 1),
                }
                for c in self.connected
            ],
            "progress": [
                {
                    "annotator": p.annotator,
                    "labelled": p.labelled,
                    "claims": p.claims,
                    "assigned": p.assigned,
                    "connected": p.connected,
                }
                for p in self.progress
            ],
            "agreement": self.agreement.to_json(),
        }


def collect(store: Store, connected: Sequence[Connected]) -> Status:
    """The status of ``store``: every annotator given access, who labelled or is
    connected, with their progress; agreement over everyone's labels."""
    live = {c.annotator for c in connected}
    names = sorted(
        set(store.access_names(ANNOTATOR)) | set(store.annotators()) | live, key=str.casefold
    )
    progress = []
    for name in names:
        assigned = store.assigned_articles(name) is not None
        claims, labelled, _ = store.progress_snapshot(name, assigned=assigned)
        progress.append(Progress(name, labelled, claims, assigned, name in live))
    return Status(list(connected), progress, agreement.collect(store))
