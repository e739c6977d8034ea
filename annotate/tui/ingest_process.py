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

import multiprocessing
import os
import pickle
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

# Short write transactions: the annotator's decision waits for at most one of them.
BATCH_SECONDS = 0.025
NICENESS = 10
YIELD_MOST = 0.05  # seconds: see _Continued
WORKERS_EVERY = 0.1  # seconds between looks for new workers to run at NICENESS
MODULE = "annotate.tui.ingest_process"


def frames(db_path: str, corpus: Path, assigned_to: str | None) -> Iterator[tuple[str, Any]]:
    """Ingest ``corpus`` into the database at ``db_path``, then suggest for what changed;
    the frames the app receives (see the module docstring)."""
    from annotate import ingest as job
    from annotate.store import Store

    with Store.open(db_path) as store:
        store.batch_seconds = BATCH_SECONDS
        store.yield_now = asked_to_yield
        store.yielded = _CONTINUED.wait
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
    _CONTINUED.since = False  # the app's nudge continued this process to read that
    return True


class _Continued:
    """After a commit the app asked for: the app, once its write has the lock, stops this
    process (``Hold.stop_again``) and continues it once it has drawn the next claim.
    ``wait`` waits for that SIGCONT (if it came already, it does not wait), at most
    ``YIELD_MOST``: not beginning the next batch before the app's write got the lock,
    even when the app could not run for a moment."""

    def __init__(self) -> None:
        self.since = False  # a SIGCONT since asked_to_yield read the app's ask

    def listen(self) -> None:
        signal.signal(signal.SIGCONT, self._continued)

    def _continued(self, signum: int, frame: object) -> None:
        self.since = True

    def wait(self) -> None:
        deadline = time.monotonic() + YIELD_MOST
        while not self.since and time.monotonic() < deadline:
            time.sleep(0.0005)


_CONTINUED = _Continued()


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

    The child may be stopped in the middle of a write batch, holding the write lock (it
    holds none while it waits for its workers: ``Store.lock_released``); the app's own
    write then finds the lock taken and asks the child to commit (``Store.on_busy``):
    the child alone goes on, its workers still stopped, so that it has a core to end the
    file it is writing, and commits; once the app has the lock (``Store.on_got_lock``)
    the child, holding none, is stopped again until the release. The app never waits on
    a stopped process, and draws the next claim with the ingest stopped."""

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
        """The child holds the write lock and the app has a decision to write: let the
        child (not its workers) go on if held, and ask it to commit now (a byte on its
        stdin)."""
        self._signal(signal.SIGCONT)
        stdin = self.process.stdin
        try:
            assert stdin is not None
            stdin.write(b"y")
            stdin.flush()
        except (OSError, ValueError):  # it has ended
            pass

    def stop_again(self) -> None:
        """The app's write has the lock a nudged child held: the child, holding no lock
        now, is stopped again until ``release``."""
        self._signal(signal.SIGSTOP)

    def _signal(self, signum: int) -> None:
        """To the child alone, while it is held."""
        if self.held:
            try:
                os.kill(self.process.pid, signum)
            except OSError:  # it has ended
                pass


def read_frames(stream: IO[bytes]) -> Iterator[tuple[str, Any]]:
    """The frames a child sent, until it closed its end."""
    while True:
        try:
            yield pickle.load(stream)  # noqa: S301  (our own child process)
        except EOFError:
            return


def background(workers: set[int]) -> None:
    """The ingest's worker processes (started when it has enough files) run at
    ``NICENESS``: the annotator's screen comes first for the CPU, and so does this
    process, whose write lock the screen may be waiting for (at a low priority on a busy
    machine, it would keep the screen waiting for the file it is writing)."""
    for worker in multiprocessing.active_children():
        if worker.pid is not None and worker.pid not in workers:
            workers.add(worker.pid)
            try:
                os.setpriority(os.PRIO_PROCESS, worker.pid, NICENESS)
            except (AttributeError, OSError):  # not Unix, or it has just ended
                pass


def main(argv: list[str]) -> None:
    db_path, corpus = argv[0], Path(argv[1])
    assigned_to = argv[2] if len(argv) > 2 and argv[2] else None
    out = sys.stdout.buffer
    _CONTINUED.listen()
    workers: set[int] = set()
    looked = float("-inf")
    for frame in frames(db_path, corpus, assigned_to):
        pickle.dump(frame, out, protocol=pickle.HIGHEST_PROTOCOL)
        out.flush()
        if time.monotonic() - looked >= WORKERS_EVERY:
            background(workers)
            looked = time.monotonic()


if __name__ == "__main__":
    main(sys.argv[1:])
