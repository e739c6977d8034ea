"""Background retraining: off without a model folder, a separate process every N
decisions, one run at a time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import pytest
from helpers.learn import labelled_db

from annotate.learn.retrain import EVERY_ENV, Retrainer
from annotate.store import Store

# The hold of a run while the app handles a key: Linux's idle scheduling, /proc to see it.
needs_linux = pytest.mark.skipif(
    not hasattr(os, "SCHED_IDLE") or not os.path.exists("/proc/self/stat"),
    reason="needs Linux's SCHED_IDLE and /proc",
)


def test_no_model_folder_or_zero_means_no_retraining(tmp_path, monkeypatch):
    db = tmp_path / "team.db"
    labelled_db(str(db), articles=3)
    assert Retrainer.for_database(db) is None  # never trained: nothing to keep fresh
    (tmp_path / "team.model").mkdir()
    (tmp_path / "team.model" / "model.json").write_text("{}")
    monkeypatch.setenv(EVERY_ENV, "0")
    assert Retrainer.for_database(db) is None
    monkeypatch.setenv(EVERY_ENV, "7")
    assert Retrainer.for_database(db).every == 7


def test_every_n_decisions_a_separate_process_retrains_and_resuggests(tmp_path):
    db = tmp_path / "team.db"
    labelled_db(str(db), articles=12)
    retrainer = Retrainer(db, tmp_path / "team.model", every=3)
    assert not retrainer.labelled() and not retrainer.labelled()
    assert retrainer.labelled()  # the third decision starts a run ...
    assert retrainer.running()
    first = retrainer.process
    assert first is not None
    retrainer.count = 2  # the next threshold comes while the run goes on: one at a time
    assert not retrainer.labelled() and retrainer.process is first
    assert retrainer.process.wait(timeout=240) == 0
    assert (tmp_path / "team.model" / "model.json").is_file()
    with Store.open(db) as store:
        assert store.model_suggestion_count() == store.claim_count()
    retrainer.stop()


def test_the_retraining_runs_only_on_idle_cores_and_writes_at_a_low_priority():
    if not hasattr(os, "SCHED_IDLE"):
        pytest.skip("no SCHED_IDLE on this system")
    code = (
        "import os; from annotate.learn.retrain import background\n"
        "background(); print(os.sched_getscheduler(0) == os.SCHED_IDLE)\n"
        "background(idle=False); print(os.sched_getscheduler(0) == os.SCHED_OTHER,"
        " os.getpriority(os.PRIO_PROCESS, 0) >= 10)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True", "True", "True"]


def _stopped(pid: int, expected: bool) -> bool:
    """Whether the process is stopped ("T" in /proc), once a signal sent has landed."""
    import time
    from pathlib import Path

    for _ in range(500):
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        if (state == "T") is expected:
            break
        time.sleep(0.01)
    return state == "T"


@needs_linux
def test_a_training_run_is_stopped_while_the_app_draws_a_writing_one_waits_between_writes(
    tmp_path,
):
    retrainer = Retrainer(tmp_path / "team.db", tmp_path / "team.model", every=3)
    # A writing run: listens for the hold, then writes a line after each wait.
    child = (
        "import time; from annotate.learn.retrain import background\n"
        "from annotate.processes import Waiting\n"
        "waiting = Waiting(); background({})\n"
        "print('ready', flush=True)\n"
        "while True:\n"
        "    time.sleep(0.05); t = time.monotonic(); waiting.wait()\n"
        "    print(round(time.monotonic() - t, 3), flush=True)\n"
    )
    for idle in (True, False):
        retrainer.process = subprocess.Popen(
            [sys.executable, "-c", child.format(idle)], stdout=subprocess.PIPE
        )
        try:
            assert retrainer.process.stdout.readline() == b"ready\n"
            assert retrainer.pause()
            # A training run is stopped ("T"); a writing one never is, it waits.
            assert _stopped(retrainer.process.pid, idle) is idle
            if not idle:
                waited = [float(retrainer.process.stdout.readline()) for _ in range(3)]
                assert max(waited) >= 0.1  # held at a wait, not inside a write
            retrainer.resume()
            assert not _stopped(retrainer.process.pid, False) and not retrainer.paused
            if not idle:
                retrainer.process.stdout.readline()  # the wait it was in ends
                assert float(retrainer.process.stdout.readline()) < 0.1  # no hold now
        finally:
            retrainer.stop()
    assert not retrainer.pause()  # no run going: nothing to hold


@needs_linux
def test_a_release_sent_while_its_hold_is_still_pending_lets_the_run_go_on(tmp_path):
    retrainer = Retrainer(tmp_path / "team.db", tmp_path / "team.model", every=3)
    # A writing run that says, for each line it reads, whether it is held.
    child = (
        "import sys; from annotate.learn.retrain import background\n"
        "from annotate.processes import Waiting\n"
        "waiting = Waiting(); background(False)\n"
        "print('ready', flush=True)\n"
        "for line in sys.stdin:\n"
        "    print(waiting.asked is not None, flush=True)\n"
    )
    retrainer.process = subprocess.Popen(
        [sys.executable, "-c", child], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    run = retrainer.process
    assert run.stdin is not None and run.stdout is not None

    def held() -> bool:
        run.stdin.write(b"?\n")
        run.stdin.flush()
        return run.stdout.readline() == b"True\n"

    try:
        assert run.stdout.readline() == b"ready\n"
        assert retrainer.pause() and held()
        retrainer.resume()
        assert not held()
        # A run that had no chance to run between the key's hold and its release (here
        # stopped; on a busy machine, waiting for a core) gets both at once.
        os.kill(run.pid, signal.SIGSTOP)
        assert _stopped(run.pid, True)
        assert retrainer.pause()
        retrainer.resume()  # continues it too
        assert not _stopped(run.pid, False)
        assert not held()
    finally:
        retrainer.stop()


def test_a_run_is_idle_scheduled_before_it_imports_anything(tmp_path, monkeypatch):
    if not hasattr(os, "SCHED_IDLE"):
        pytest.skip("needs Linux's SCHED_IDLE")
    from annotate.learn import retrain as module

    # The run's start as it is, ending where the first import of annotate would be.
    head = module._START.split("from pathlib")[0]
    probe = head + "print(os.sched_getscheduler(0) == os.SCHED_IDLE, 'annotate' in sys.modules)\n"
    monkeypatch.setattr(module, "_START", probe)
    monkeypatch.setattr(module.subprocess, "DEVNULL", module.subprocess.PIPE)
    run = module._spawn(str(tmp_path / "team.db"), str(tmp_path / "team.model"))
    out, _ = run.communicate(timeout=60)
    assert out.split() == [b"True", b"False"]
    assert sys.executable in run.args[0]
