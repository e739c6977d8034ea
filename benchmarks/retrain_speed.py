"""Key -> next claim while the model retrains in the background (issue 17: retraining
in the app must never raise key -> next claim p95 above 16 ms).

Builds a database of ``--units`` synthetic units (as tui_speed.py does; all claims but
the last ``--keys`` + 50 labelled, with the four labels in turn so that a model can be
trained), trains a model beside it (``annotate train``) and stores its suggestions
(``annotate suggest --model``: the state after a first retraining, so that every run
shows the model's reason lines), starts the app once untimed (a cold database, bytecode
to compile), then runs the real ``annotate CORPUS`` in an 80x24 pseudo-terminal twice a
round, ``--rounds`` times: with background retraining off (ANNOTATE_RETRAIN_EVERY=0) and
on, every ``--every`` new labels, the order of the two swapped every other round. A
label key is sent every ``--gap`` seconds, ``--keys`` of them (enough for the
retrainings started to end within the run on an otherwise idle machine; on a busy one
an idle-scheduled training may never run); the app measures each key -> next claim
drawn and the CPU time its screen's thread spent on it (ANNOTATE_BENCH_LATENCY). Prints
median, p95 and max per run, the p95 of each condition's keys pooled over its runs, how
many retrainings ended during a run (the model folder's id changed) and the model
suggestions stored after it, the app's CPU per key and the load average: the machine
is shared, and on two cores another program's work shows in the elapsed figures (less
in the screen thread's CPU time).

    python benchmarks/retrain_speed.py [--units 20000] [--every 100] [--keys 1600]
                                       [--gap 0.05] [--rounds 2] [--keep DIR]
"""

from __future__ import annotations

import argparse
import bisect
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from tui_speed import (  # noqa: E402  (a sibling script)
    ANNOTATOR,
    BIN,
    build,
    percentile95,
    read_latencies,
    run_app,
)

from annotate.learn.jobs import default_folder
from annotate.learn.retrain import EVERY_ENV, PHASES_ENV
from annotate.model import LABELS


def vary_labels(db: Path) -> int:
    """Give the labelled claims the four labels in turn (a model needs two at least)."""
    conn = sqlite3.connect(db)
    ids = [r[0] for r in conn.execute("SELECT unit_id FROM labels ORDER BY unit_id")]
    with conn:
        conn.executemany(
            "UPDATE labels SET label = ? WHERE unit_id = ? AND annotator = ?",
            ((str(LABELS[i % len(LABELS)]), u, ANNOTATOR) for i, u in enumerate(ids)),
        )
    conn.close()
    return len(ids)


def model_id(db: Path) -> str | None:
    try:
        meta = json.loads((default_folder(db) / "model.json").read_text("utf-8"))
    except (OSError, ValueError):
        return None
    return str(meta.get("id"))


class Watch:
    """Counts the model folder's new ids while a run goes on (a retraining that ended)."""

    def __init__(self, db: Path) -> None:
        self.db, self.ids = db, [model_id(db)]
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._look, daemon=True)

    def _look(self) -> None:
        while not self.done.wait(0.2):
            now = model_id(self.db)
            if now is not None and now != self.ids[-1]:
                self.ids.append(now)

    def __enter__(self) -> Watch:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.done.set()
        self.thread.join()


def model_rows(db: Path) -> int:
    conn = sqlite3.connect(db)
    try:
        return int(conn.execute("SELECT count(*) FROM model_suggestions").fetchone()[0])
    finally:
        conn.close()


# What a retraining was doing when a key came: the phase it had entered last.
PHASE_NAMES = {
    "spawn": "starting (interpreter, imports)",
    "imported": "rules' suggestions of new units",
    "training": "training (idle-scheduled)",
    "writing": "writing model suggestions",
    "ended": "none running",
    "failed": "none running",
}


def key_phases(phases: Path, starts: list[float]) -> list[str]:
    """The retraining phase at each key's start (``starts``, monotonic seconds)."""
    try:
        marks = [line.split() for line in phases.read_text().splitlines() if line.strip()]
    except OSError:
        marks = []
    times = [float(t) for _, t in marks]
    out = []
    for at in starts:
        i = bisect.bisect_right(times, at) - 1
        out.append(PHASE_NAMES[marks[i][0]] if i >= 0 else PHASE_NAMES["ended"])
    return out


def one_run(corpus: Path, db: Path, work: Path, every: int, keys: int, gap: float) -> dict:
    os.environ[EVERY_ENV] = str(every)
    phases = work / "phases"
    phases.unlink(missing_ok=True)
    os.environ[PHASES_ENV] = str(phases)
    # Each run labels the same claims again: undo the last run's labels first.
    conn = sqlite3.connect(db)
    with conn:
        conn.execute(
            "DELETE FROM labels WHERE unit_id IN (SELECT unit_id FROM history "
            "WHERE at > '2026-01-01T00:00:00.000000Z')"
        )
        conn.execute("DELETE FROM history WHERE at > '2026-01-01T00:00:00.000000Z'")
    conn.close()
    with Watch(db) as watch:
        result = run_app(corpus, db, keys, work, sequence=b"123", gap=gap)
    result["retrained"] = len(watch.ids) - 1
    result["model_rows"] = model_rows(db)
    walls, cpus = read_latencies(work / "latency")
    result["latencies"], result["thread_cpu"] = walls[-keys:], cpus[-keys:]
    starts = [float(r.split()[2]) for r in (work / "latency").read_text().splitlines()]
    result["phases"] = key_phases(phases, starts[-keys:])
    return result


def print_phases(rows: list[tuple[int, dict]]) -> None:
    """Keys of the runs with retraining by the phase a retraining was in when they came:
    how many, their p95 elapsed and screen-thread CPU, and how many were over 16 ms."""
    by: dict[str, list[tuple[float, float]]] = {}
    for every, r in rows:
        if every:
            for p, t, c in zip(r["phases"], r["latencies"], r["thread_cpu"], strict=True):
                by.setdefault(p, []).append((t, c))
    print(
        f"\n{'with retraining, keys while':>34} {'keys':>6} {'p95':>8} {'thr p95':>8} {'>16 ms':>7}"
    )
    for p, got in sorted(by.items(), key=lambda kv: -len(kv[1])):
        walls = sorted(t for t, _ in got)
        cpus = sorted(c for _, c in got)
        slow = sum(1 for t in walls if t > 16)
        print(
            f"{p:>34} {len(got):>6} {percentile95(walls):>5.2f} ms "
            f"{percentile95(cpus):>5.2f} ms {slow:>7}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--units", type=int, default=20_000, help="units in the database")
    ap.add_argument("--every", type=int, default=100, help="retrain every N new labels")
    ap.add_argument("--keys", type=int, default=1600, help="label keys sent per run")
    ap.add_argument("--gap", type=float, default=0.05, help="seconds between keys")
    ap.add_argument("--rounds", type=int, default=2, help="runs without and with, in turn")
    ap.add_argument("--keep", type=Path, help="build here and keep it")
    args = ap.parse_args()
    if args.rounds < 1:
        ap.error("--rounds must be at least 1 (each round times one run without and one with)")
    base = args.keep or Path(tempfile.mkdtemp(prefix="retrain-speed-"))
    try:
        work = base / f"u{args.units}"
        if work.exists():
            shutil.rmtree(work)
        t = time.time()
        corpus, db, claims = build(work, args.units, args.keys + 50)
        labelled = vary_labels(db)
        print(f"built {args.units:,} units ({claims:,} claims, {labelled:,} labelled) "
              f"in {time.time() - t:.1f}s", flush=True)  # fmt: skip
        t = time.time()
        subprocess.run(
            [str(BIN / "annotate"), "train", "--db", str(db)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"annotate train on {labelled:,} labels: {time.time() - t:.1f}s", flush=True)
        # The state after the first retraining in the app: the model's suggestions are
        # stored, so every run (with or without retraining) shows the model's reason
        # lines and a retraining replaces them.
        subprocess.run(
            [str(BIN / "annotate"), "suggest", "--db", str(db), "--model", str(default_folder(db))],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        print(f"model suggestions stored: {model_rows(db):,}", flush=True)
        # Untimed: a first start after the build reads a cold database and compiles
        # bytecode; it would count against whichever condition ran first.
        one_run(corpus, db, work, 0, min(args.keys, 100), args.gap)
        rows = []
        for n in range(args.rounds):
            # Off then on, then on then off: neither condition always runs first.
            for every in (0, args.every) if n % 2 == 0 else (args.every, 0):
                rows.append((every, one_run(corpus, db, work, every, args.keys, args.gap)))
                r = rows[-1][1]
                print(
                    f"round {n + 1} {'off' if every == 0 else 'on '}: p95 {r['p95_ms']:.2f} ms, "
                    f"{r['retrained']} retraining(s) ended, load {os.getloadavg()[0]:.1f}",
                    flush=True,
                )
        load = os.getloadavg()[0]
        print(
            f"\n{'retraining':>18} {'decisions':>9} {'median':>8} {'p95':>8} {'max':>8} "
            f"{'CPU/key':>8} {'thr p95':>8} {'retrained':>9} {'model rows':>10}"
        )
        for every, r in rows:
            name = "off" if every == 0 else f"every {every} labels"
            print(
                f"{name:>18} {r['decisions']:>9} {r['median_ms']:>5.2f} ms"
                f" {r['p95_ms']:>5.2f} ms {r['max_ms']:>5.1f} ms {r['cpu_ms']:>5.2f} ms"
                f" {r['thread_p95_ms']:>5.2f} ms {r['retrained']:>9} {r['model_rows']:>10,}"
            )
        print_phases(rows)
        pooled = {
            (retraining, field): percentile95(
                sorted(t for e, r in rows if (e != 0) == retraining for t in r[field])
            )
            for retraining in (False, True)
            for field in ("latencies", "thread_cpu")
        }
        print(
            f"SUMMARY key -> next claim p95 without retraining "
            f"{pooled[False, 'latencies']:.2f} ms, with retraining every {args.every} labels "
            f"{pooled[True, 'latencies']:.2f} ms (keys of every run pooled; target <= 16 ms); "
            f"the screen's thread's CPU per key p95 {pooled[False, 'thread_cpu']:.2f} / "
            f"{pooled[True, 'thread_cpu']:.2f} ms; "
            f"{sum(r['retrained'] for _, r in rows)} retrainings ended; "
            f"load average {load:.1f} on {os.cpu_count()} cores"
        )
    finally:
        os.environ.pop(EVERY_ENV, None)
        os.environ.pop(PHASES_ENV, None)
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
