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
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

# Short write transactions: the annotator's decision waits for at most one of them.
BATCH_SECONDS = 0.025
NICENESS = 10
MODULE = "annotate.tui.ingest_process"


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


def start(
    db_path: str, corpus: Path, assigned_to: str, errors: IO[bytes]
) -> subprocess.Popen[bytes]:
    """Start the child (and so its workers) in a process group of its own, in the app's
    session, for ``Hold`` to stop and continue as one. Should the app die while it is held
    (kill -9), the group is orphaned with stopped members and the kernel sends them SIGHUP
    and SIGCONT: the child ends, its batch rolled back, as at any interruption."""
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "annotate.tui.ingest_process",
            db_path,
            os.fsdecode(corpus),
            assigned_to,
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=errors,
        process_group=0,
    )


class Hold:
    """Stops the child and its workers while the app handles a key and redraws (on two
    cores the ingest would otherwise slow storing the decision and drawing the next
    claim), as retraining is held (annotate/learn/retrain.py).

    The child may be stopped in the middle of a write batch, holding the write lock; the
    app's own write then finds the lock taken and asks the child to commit
    (``Store.on_busy``): that releases it first, so the app never waits on a stopped
    process."""

    def __init__(self, process: subprocess.Popen[bytes]) -> None:
        self.process = process
        self.held = False

    def hold(self) -> bool:
        """Stop the child's process group; True if it was running and is now held."""
        if self.held or self.process.returncode is not None:
            return False
        try:
            os.killpg(self.process.pid, signal.SIGSTOP)
        except OSError:  # it has ended
            return False
        self.held = True
        return True

    def release(self) -> None:
        """Let a child held by ``hold`` go on."""
        if self.held:
            self.held = False
            try:
                os.killpg(self.process.pid, signal.SIGCONT)
            except OSError:
                pass

    def nudge(self) -> None:
        """The child holds the write lock and the app has a decision to write: let it go
        on if held, and ask it to commit now (a byte on its stdin)."""
        self.release()
        stdin = self.process.stdin
        try:
            assert stdin is not None
            stdin.write(b"y")
            stdin.flush()
        except (OSError, ValueError):  # it has ended
            pass


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
