"""Retraining in the background while the annotator labels.

Once a database has a model folder beside it (``<name>.model/``, from ``annotate
train``), the app counts the decisions made and, every ``ANNOTATE_RETRAIN_EVERY``
(default 100; 0 turns it off) new labels, retrains and re-suggests in a separate
process (``python -m annotate.learn.retrain DB FOLDER``): the training never runs on the
app's thread or in its interpreter, so it never holds up a key. One run at a time; a
run that fails (too few labels, a locked database) changes nothing and the next
threshold tries again. The new blended suggestions are in the database as soon as the
run commits them; the next claim shown reads them.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

EVERY_ENV = "ANNOTATE_RETRAIN_EVERY"
DEFAULT_EVERY = 100


class Retrainer:
    """Counts decisions and starts a background retraining every ``every`` of them."""

    def __init__(self, db_path: str | Path, folder: Path, every: int) -> None:
        self.db_path = str(db_path)
        self.folder = folder
        self.every = every
        self.count = 0
        self.runs = 0
        self.process: subprocess.Popen[bytes] | None = None

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
        self.process = subprocess.Popen(
            [sys.executable, "-m", "annotate.learn.retrain", self.db_path, str(self.folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,  # Ctrl-C in the app's terminal is not for it
        )
        return True

    def stop(self) -> None:
        """End a run still going (the app is closing): its model folder is written
        atomically, so a run cut short leaves the previous model in place."""
        if self.running():
            assert self.process is not None
            self.process.terminate()
            try:
                self.process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.process.kill()


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
    """Train on the database's labels into ``folder`` and store the blended suggestions."""
    from annotate.learn.data import blended_records
    from annotate.learn.jobs import train_store
    from annotate.learn.model import LearnError
    from annotate.store import Store, StoreError

    background()
    try:
        with Store.open(db_path) as store:
            report = train_store(store, folder, threads=1)  # a core left to the app
            records, _ = blended_records(store, report.model)
            background(idle=False)
            store.save_model_suggestions(report.model.id, records)
    except (LearnError, StoreError):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(retrain(sys.argv[1], Path(sys.argv[2])))
