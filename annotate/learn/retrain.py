"""Retraining in the background while the annotator labels.

Once a database has a model folder beside it (``<name>.model/``, from ``annotate
train``), the app counts the decisions made and, every ``ANNOTATE_RETRAIN_EVERY``
(default 100; 0 turns it off) new labels, retrains and re-suggests in a separate
process (``python -m annotate.learn.retrain DB FOLDER``): the training never runs on the
app's thread or in its interpreter, it runs only on an otherwise idle core, and the app
holds it from each key until the screen is redrawn, so it never holds up a key. One run at a time; a
run that fails (too few labels, a locked database) changes nothing and the next
threshold tries again. The new blended suggestions are in the database as soon as the
run commits them; the next claim shown reads them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from annotate.processes import HOLD, Waiting, release

EVERY_ENV = "ANNOTATE_RETRAIN_EVERY"
PHASES_ENV = "ANNOTATE_BENCH_RETRAIN_LOG"  # a benchmark's: where each run's phases go
DEFAULT_EVERY = 100
_SETTLE = 0.1  # seconds between leaving idle scheduling and writing


class Retrainer:
    """Counts decisions and starts a background retraining every ``every`` of them."""

    def __init__(self, db_path: str | Path, folder: Path, every: int) -> None:
        self.db_path = str(db_path)
        self.folder = folder
        self.every = every
        self.count = 0
        self.runs = 0
        self.process: subprocess.Popen[bytes] | None = None
        self.paused = False  # held by ``pause``

    @classmethod
    def for_database(cls, db_path: str | Path) -> Retrainer | None:
        """The retrainer of a database with a model folder beside it, None without one
        (or when ``ANNOTATE_RETRAIN_EVERY`` is 0 or not a number)."""
        from annotate.learn.jobs import default_folder

        try:
            every = int(os.environ.get(EVERY_ENV, DEFAULT_EVERY))
        except ValueError:
            return None
        folder = default_folder(db_path)
        if every <= 0 or not (folder / "model.json").is_file():
            return None
        return cls(db_path, folder, every)

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def labelled(self) -> bool:
        """One more decision; True when it started a retraining. Costs a counter
        increment, and a fork every ``every`` decisions."""
        self.count += 1
        if self.count < self.every or self.running():
            return False
        self.count = 0
        self.runs += 1
        phase("spawn")
        self.process = _spawn(self.db_path, str(self.folder))
        return True

    def pause(self) -> bool:
        """Hold a run (the app calls it at each key, and ``resume`` once the screen is
        redrawn): even on an otherwise idle core, a run slows the app on a two-core
        machine. A run that is training (idle-scheduled, holding no lock) is stopped; one
        that writes to the database (ordinary scheduling) is asked to wait before its next
        transaction (``annotate.processes.HOLD``), never stopped inside one: the app may
        need its lock.
        True when it was held or asked."""
        if not self.running():
            return False
        assert self.process is not None
        try:
            idle = os.sched_getscheduler(self.process.pid) == os.SCHED_IDLE  # type: ignore[attr-defined]
            sent = signal.SIGSTOP if idle else HOLD
            if sent is None:
                return False
            os.kill(self.process.pid, sent)
        except (AttributeError, OSError):  # not Linux, or the run has just ended
            return False
        self.paused = True
        return True

    def resume(self) -> None:
        """Let a run held by ``pause`` go on."""
        if self.paused and self.process is not None:
            self.paused = False
            release(self.process.pid)

    def stop(self) -> None:
        """End a run still going (the app is closing): its model folder is written
        atomically, so a run cut short leaves the previous model in place."""
        self.resume()
        if self.running():
            assert self.process is not None
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()


# How a run starts: idle-scheduled before anything is imported (its imports, scikit-learn's,
# take a second of CPU that must not come from the app's cores), then ``retrain``.
_START = """import os, sys
try:
    os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
except (AttributeError, OSError):
    pass
from pathlib import Path
from annotate.learn.retrain import retrain
sys.exit(retrain(sys.argv[1], Path(sys.argv[2])))
"""


def _spawn(db_path: str, folder: str) -> subprocess.Popen[bytes]:
    """Start a run on ``db_path`` into ``folder`` in a session of its own (Ctrl-C in the
    app's terminal is not for it), idle-scheduled from before its first import."""
    return subprocess.Popen(
        [sys.executable, "-c", _START, db_path, folder],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )


def phase(name: str) -> None:
    """With ``ANNOTATE_BENCH_RETRAIN_LOG`` set (a benchmark), note there that a run
    entered phase ``name`` and when (the monotonic clock, shared by every process)."""
    path = os.environ.get(PHASES_ENV)
    if path:
        with open(path, "a", encoding="utf-8") as f:
            f.write(f"{name} {time.monotonic():.6f}\n")


def background(idle: bool = True) -> None:
    """With ``idle``, leave the cores to the annotator's app: this process runs only when
    a core would otherwise be idle (Linux's SCHED_IDLE; elsewhere the lowest priority).
    Without, back to ordinary scheduling, at a low priority: for writing to the
    database, so that a lock it holds is never kept by a process that cannot run."""
    policy = os.SCHED_IDLE if idle else os.SCHED_OTHER  # type: ignore[attr-defined]
    try:
        os.sched_setscheduler(0, policy, os.sched_param(0))  # type: ignore[attr-defined]
    except (AttributeError, OSError):
        pass
    try:
        os.setpriority(os.PRIO_PROCESS, 0, 19 if idle else 10)
    except (AttributeError, OSError):
        pass


def retrain(db_path: str, folder: Path) -> int:
    """Train on the database's labels into ``folder`` and store the blended suggestions.
    The database is written only at ordinary scheduling (see ``background``): the rules'
    suggestions of new units first, the model's last; the training between only reads,
    so the app may hold it (``Retrainer.pause``) at any time."""
    from annotate.ingest import suggest_all
    from annotate.learn.data import blended_records
    from annotate.learn.jobs import train_store
    from annotate.learn.model import LearnError
    from annotate.store import Store, StoreError

    phase("imported")
    waiting = Waiting()  # before the first write at ordinary scheduling
    background(idle=False)
    try:
        with Store.open(db_path) as store:
            suggest_all(store)
            phase("training")
            background()
            # One thread: a core is left to the app.
            report = train_store(store, folder, threads=1, rules_first=False)
            records, _ = blended_records(store, report.model, rules_first=False)
            background(idle=False)
            # A pause the app asked for while this process was still idle-scheduled
            # lands here, not in a transaction.
            time.sleep(_SETTLE)
            phase("writing")
            store.save_model_suggestions(report.model.id, records, between=waiting.wait)
    except (LearnError, StoreError):
        phase("failed")
        return 1
    phase("ended")
    return 0


if __name__ == "__main__":
    sys.exit(retrain(sys.argv[1], Path(sys.argv[2])))
