"""The app holds its ingest child (and the child's workers) at each key: a child stopped
inside its write batch never keeps the app's own write waiting, and one left stopped by
an app killed with -9 does not stay behind holding the database."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time

from helpers.builders import add_article
from helpers.tui import app_for, pilot, settle

from annotate.store import Store
from annotate.tui.ingest_process import Hold
from annotate.tui.widgets.claim import ClaimView

# A stand-in for the ingest child, in a process group of its own as ingest_process.start
# makes it (with a second argument, with a "worker" in that group, whose pid it says
# first): it takes the write lock, says so, and commits when asked (a byte on stdin);
# it then waits for its stdin to close, as the ingest does between files. Its stdin
# closed (the app gone) ends it with the batch rolled back, as ingest_process's
# asked_to_yield does: so under SIGHUP ignored (nohup), when the kernel's SIGCONT alone
# wakes a held child, it still ends without committing.
LOCK_HOLDER = """
import sqlite3, subprocess, sys, os
if len(sys.argv) > 2:
    worker = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    print(worker.pid, flush=True)
conn = sqlite3.connect(sys.argv[1], isolation_level=None)
conn.execute("BEGIN IMMEDIATE")
conn.execute("INSERT INTO claim_meta (key, value) VALUES ('holder', 'x')")
print("locked", flush=True)
if not os.read(0, 1):
    sys.exit(0)
conn.execute("COMMIT")
print("committed", flush=True)
os.read(0, 1)
"""


def holder(db_path, *worker: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [sys.executable, "-c", LOCK_HOLDER, str(db_path), *worker],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        process_group=0,
    )
    assert proc.stdout is not None
    if worker:
        proc.worker = int(proc.stdout.readline())  # type: ignore[attr-defined]
    assert proc.stdout.readline() == b"locked\n"
    return proc


def state(pid: int) -> str:
    """The process's state letter from /proc (T: stopped)."""
    return open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]


def stopped(pid: int, stopped: bool = True) -> bool:
    """Whether the process stops (or goes on, ``stopped`` False) within a few seconds (a
    signal lands when it next runs)."""
    deadline = time.monotonic() + 5
    while (state(pid) == "T") is not stopped:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_held_child_inside_its_batch_lets_the_apps_write_through(db_path):
    with Store.open(db_path) as store:
        [uid] = add_article(store, "a.txt", ["The agency said talks went on."])
    store = Store.open(db_path)
    child = holder(db_path, "worker")
    worker = child.worker  # type: ignore[attr-defined]
    hold = Hold(child)
    try:
        assert hold.hold()
        assert stopped(child.pid) and stopped(worker)
        store.lock_wait = 10.0  # as the app's connection: poll, never freeze
        store.on_busy = hold.nudge  # as the screen wires them during ingest
        store.on_got_lock = hold.stop_again
        store.set_label(uid, "ann", "attributed")  # would wait on a stopped holder
        assert store.label_state(uid, "ann").label == "attributed"
        # The child alone went on to commit; holding no lock, it is stopped again, and
        # its worker never went on: the app draws the next claim with both stopped.
        assert hold.held and stopped(child.pid) and state(worker) == "T"
        hold.release()
        assert child.stdout is not None
        assert child.stdout.readline() == b"committed\n"  # the child's batch is kept too
        assert not hold.held
        assert stopped(child.pid, False) and stopped(worker, False)
    finally:
        hold.release()
        child.stdin.close()  # type: ignore[union-attr]
        child.wait(timeout=10)
        store.close()
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker, signal.SIGKILL)
    with Store.open(db_path) as store:
        assert store.conn.execute("SELECT value FROM claim_meta WHERE key = 'holder'").fetchone()


def test_a_child_held_by_an_app_killed_with_minus_9_ends(db_path):
    with Store.open(db_path):
        pass
    # An "app" that starts the holder, holds it, says its pid and waits to be killed.
    app = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import subprocess, sys, time\n"
            "from annotate.tui.ingest_process import Hold\n"
            "child = subprocess.Popen([sys.executable, '-c', sys.argv[2], sys.argv[1]],\n"
            "    stdin=subprocess.PIPE, stdout=subprocess.PIPE, process_group=0)\n"
            "assert child.stdout.readline() == b'locked\\n'\n"
            "assert Hold(child).hold()\n"
            "print(child.pid, flush=True)\n"
            "time.sleep(60)\n",
            str(db_path),
            LOCK_HOLDER,
        ],
        stdout=subprocess.PIPE,
    )
    try:
        assert app.stdout is not None
        pid = int(app.stdout.readline())
        assert stopped(pid)
    finally:
        app.send_signal(signal.SIGKILL)
        app.wait(timeout=10)
    # The orphaned group's stopped member gets SIGHUP and SIGCONT from the kernel.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            if state(pid) in "ZX":
                break
        except FileNotFoundError:
            break
        time.sleep(0.05)
    else:
        os.kill(pid, signal.SIGKILL)
        raise AssertionError(f"the held child {pid} is still there")
    with Store.open(db_path) as store:  # its batch rolled back, the lock free
        store.lock_wait = 1.0
        query = "SELECT value FROM claim_meta WHERE key = 'holder'"
        assert store.conn.execute(query).fetchone() is None


class HoldRecorder:
    """Stands in for the app's hold of its ingest child: records each hold and release
    with the decisions stored by then and the claim the claim view shows."""

    def __init__(self, app) -> None:
        self.app = app
        self.held = False
        self.calls: list[tuple[str, int, str | None]] = []

    def _note(self, call: str) -> None:
        shown = self.app.label_screen.query_one(ClaimView).context
        self.calls.append((call, self.app.session.labelled, shown.unit.id if shown else None))

    def hold(self) -> bool:
        if self.held:
            return False
        self._note("hold")
        self.held = True
        return True

    def release(self) -> None:
        if self.held:
            self._note("release")
            self.held = False


@pilot
async def test_the_ingest_is_held_once_a_key_until_the_next_claim_is_on_screen(db):
    app = app_for(db)
    async with app.run_test() as pilot:
        await settle(app, pilot)
        recorder = app._ingest_hold = HoldRecorder(app)
        first = app.session.unit.id
        await pilot.press("1")
        await settle(app, pilot)
        after = app.session.unit.id
        assert after != first
        # Held once (the key comes to the app twice), before the decision was stored,
        # and let go with the next claim in the claim view.
        assert recorder.calls == [("hold", 0, first), ("release", 1, after)]
        recorder.calls.clear()
        await pilot.press("question_mark")  # a key that draws no claim is let go too
        await settle(app, pilot)
        assert [call for call, *_ in recorder.calls] == ["hold", "release"]
        assert not recorder.held
