"""The app's ingest, run in a process of its own so the screen never waits for it.

Cleaning and segmentation are long stretches of pure Python: in a thread of the app they
would hold the GIL against the screen's thread, and every SQLite call the screen makes
would queue behind them. In a child process (which may use its own worker pool) they cost
the screen nothing; the child writes in short batches (``Store.batch_seconds``) so a
annotator's decision gets the write lock between two of them.

The child is started by the app (``python -m annotate.tui.ingest_process DB CORPUS
[ANNOTATOR]``) and sends frames on stdout, pickled: ``("event", event)`` for each ingest
event, ``("claims", n)`` and ``("report", lines)`` (``annotate.ingest.describe``) just
before the Summary, ``("suggestions", None)`` once suggestions were stored for what
changed. No Textual here.
"""

from __future__ import annotations

import os
import pickle
import select
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

# Short write transactions: the annotator's decision waits for at most one of them.
BATCH_SECONDS = 0.025
NICENESS = 10


def frames(db_path: str, corpus: Path, assigned_to: str | None) -> Iterator[tuple[str, Any]]:
    """Ingest ``corpus`` into the database at ``db_path``, then suggest for what changed;
    the frames the app receives (see the module docstring)."""
    from annotate import ingest as job
    from annotate.store import Store

    with Store.open(db_path) as store:
        store.batch_seconds = BATCH_SECONDS
        store.yield_now = asked_to_yield
        # Only for what ingest added or changed: the app does not catch up a whole corpus.
        events = job.ingest_and_suggest(
            store, corpus, exclude=job.default_exclude(db_path), catch_up=False
        )
        for event in events:
            if isinstance(event, job.Summary):
                yield "claims", store.claim_count(assigned_to=assigned_to)
                report = job.describe(
                    event, corpus=corpus, db_path=db_path, counts=store.counts(), list_skipped=True
                )
                yield "report", report
            if isinstance(event, job.SuggestSummary):
                if event.units:
                    yield "suggestions", None
            elif not isinstance(event, job.Suggesting):
                yield "event", event


def asked_to_yield() -> bool:
    """Whether the app asked (a byte on stdin) for the write lock: it has a decision to
    write. The app closing stdin (quitting, or gone) stops the ingest: the batch in
    progress is rolled back and redone by the next run."""
    if not select.select([sys.stdin], [], [], 0)[0]:
        return False
    if not os.read(sys.stdin.fileno(), 4096):
        raise SystemExit(0)
    return True


def read_frames(stream: IO[bytes]) -> Iterator[tuple[str, Any]]:
    """The frames a child sent, until it closed its end."""
    while True:
        try:
            yield pickle.load(stream)  # noqa: S301  (our own child process)
        except EOFError:
            return


def main(argv: list[str]) -> None:
    # Background work: the annotator's screen (and its keys) come first for the CPU; the
    # worker processes ingest may start inherit this.
    if hasattr(os, "nice"):
        os.nice(NICENESS)
    db_path, corpus = argv[0], Path(argv[1])
    assigned_to = argv[2] if len(argv) > 2 and argv[2] else None
    out = sys.stdout.buffer
    for frame in frames(db_path, corpus, assigned_to):
        pickle.dump(frame, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()


if __name__ == "__main__":
    main(sys.argv[1:])
