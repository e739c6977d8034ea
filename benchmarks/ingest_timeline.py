"""Where a fresh ingest leaves a core idle: a timeline of ``ingest_and_suggest``.

Generates a corpus as ``ingest_speed.py`` does (or reads ``--corpus``), ingests it into
an empty database once in this process, and prints when each phase began (listing, the
repetition pass, the first prepared file, the end of preparing, the claim-group and
index phases at the end) with the idle core-seconds of each: a second process samples
``/proc/PID/task/*/schedstat`` of the ingest and its workers every 50 ms, and an
interval counts as idle for the share of ``--cores`` that fewer runnable processes
(running or waiting for a core) left unused. Time other programs take from the cores
counts as runnable, so the figure is the ingest's own, steady under load. Also the
time the writing process waited for prepared files and the time each worker waited
between tasks.

    python benchmarks/ingest_timeline.py [--articles 10000] [--corpus DIR] [--cores 2]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent))


def sample(root: int, out: Path) -> None:
    """Write (time, {pid: (ns on a core, ns runnable waiting)}) lines until ``root`` ends."""
    me = os.getpid()

    def tree(pid: int) -> list[int]:
        found = [pid]
        try:
            for task in os.listdir(f"/proc/{pid}/task"):
                with open(f"/proc/{pid}/task/{task}/children") as f:
                    for child in map(int, f.read().split()):
                        if child != me:
                            found += tree(child)
        except OSError:
            pass
        return found

    with out.open("w", buffering=1) as f:  # a line at a time: it is ended by a signal
        while os.path.exists(f"/proc/{root}"):
            now, rec = time.monotonic(), {}
            for pid in tree(root):
                try:
                    run = wait = 0
                    for task in os.listdir(f"/proc/{pid}/task"):
                        with open(f"/proc/{pid}/task/{task}/schedstat") as s:
                            a, b, _ = s.read().split()
                        run, wait = run + int(a), wait + int(b)
                    rec[pid] = (run, wait)
                except OSError:
                    pass
            f.write(json.dumps([now, rec]) + "\n")
            time.sleep(0.05)


MARKS: list[tuple[float, str]] = []


def _marked(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        MARKS.append((time.monotonic(), name + " >"))
        try:
            return fn(*args, **kwargs)
        finally:
            MARKS.append((time.monotonic(), name + " <"))

    return call


def timeline(corpus: Path, db: Path, work: Path, cores: int) -> None:
    import annotate.ingest as ing
    import annotate.suggest.claims as claims
    import annotate.text.walk as walk
    from annotate.store import Store

    walk.corpus_paths = _marked(walk.corpus_paths, "listing")  # type: ignore[assignment]
    ing._JobList.share = _marked(ing._JobList.share, "repetition pass")  # type: ignore[method-assign]
    claims.regroup = _marked(claims.regroup, "regroup")  # type: ignore[assignment]
    for name in ("build_key_indexes", "add_claim_units", "build_indexes"):
        setattr(Store, name, _marked(getattr(Store, name), name))
    ing._Suggester.finish = _marked(ing._Suggester.finish, "claim groups")  # type: ignore[method-assign]
    ing.suggest_all = _marked(ing.suggest_all, "suggest_all")  # type: ignore[assignment]

    waits: list[float] = []
    preparer = ing._preparer

    def timed_preparer(workers: Any, pending: int, *rest: Any) -> Callable[[Any], Iterator[Any]]:
        ordered = preparer(workers, pending, *rest)

        def items(jobs: Any) -> Iterator[Any]:
            it = iter(ordered(jobs))
            while True:
                t0 = time.monotonic()
                try:
                    item = next(it)
                except StopIteration:
                    return
                waits.append(time.monotonic() - t0)
                if len(waits) == 1:
                    MARKS.append((time.monotonic(), "first file prepared"))
                yield item

        return items

    ing._preparer = timed_preparer  # type: ignore[assignment]
    chunk = ing._prepare_chunk

    def _prepare_chunk(jobs: Any) -> Any:  # in a worker: its tasks' start and end
        t0 = time.monotonic()
        out = chunk(jobs)
        with (work / f"worker{os.getpid()}.log").open("a") as f:
            f.write(f"{t0} {time.monotonic()}\n")
        return out

    # Sent to the workers by name: the same qualified name as the function it wraps.
    _prepare_chunk.__qualname__, _prepare_chunk.__module__ = "_prepare_chunk", ing.__name__
    ing._prepare_chunk = _prepare_chunk  # type: ignore[assignment]

    samples = work / "samples.jsonl"
    sampler = subprocess.Popen(
        [sys.executable, __file__, "--sample", str(os.getpid()), str(samples)]
    )
    time.sleep(0.2)
    start = time.monotonic()
    MARKS.append((start, "start"))
    store = Store.open(db)
    for _ in ing.ingest_and_suggest(store, corpus):
        pass
    store.close()
    MARKS.append((time.monotonic(), "end"))
    time.sleep(0.2)
    sampler.terminate()
    sampler.wait()
    report(start, samples, work, waits, cores)


def report(start: float, samples: Path, work: Path, waits: list[float], cores: int) -> None:
    rows = [json.loads(line) for line in samples.read_text().splitlines() if line]
    idle: list[tuple[float, float]] = []  # (interval's midpoint, idle core-seconds)
    for (t0, before), (t1, now) in zip(rows, rows[1:], strict=False):
        # (a thread that ended takes its figures with it: no interval counts below 0)
        runnable = sum(
            max(0, (r - before[p][0]) + (w - before[p][1]))
            for p, (r, w) in now.items()
            if p in before
        )
        idle.append(((t0 + t1) / 2, max(0.0, cores * (t1 - t0) - runnable / 1e9)))
    marks = sorted(MARKS)
    end = marks[-1][0]
    idle = [(m, i) for m, i in idle if start <= m < end]
    print(f"{'s':>7}  {'idle core-s until the next line':>31}  phase")
    for (t, name), (t_next, _) in zip(marks, [*marks[1:], (marks[-1][0], "")], strict=True):
        spent = sum(i for m, i in idle if t <= m < t_next)
        print(f"{t - start:7.2f}  {spent:31.2f}  {name}")
    print(
        f"idle core-seconds in all: {sum(i for _, i in idle):.2f} of {cores} cores x "
        f"{end - start:.2f} s; the writing process waited {sum(waits):.2f} s "
        "for prepared files"
    )
    for log in sorted(work.glob("worker*.log")):
        tasks = sorted(tuple(map(float, line.split())) for line in log.read_text().splitlines())
        gaps = sum(b[0] - a[1] for a, b in zip(tasks, tasks[1:], strict=False))
        print(f"  a worker: {len(tasks)} tasks, waited {gaps:.2f} s between them")


def main() -> None:
    if sys.argv[1:2] == ["--sample"]:
        sample(int(sys.argv[2]), Path(sys.argv[3]))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--corpus", type=Path, help="ingest this folder instead of a generated one")
    ap.add_argument("--cores", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="annotate-timeline-") as tmp:
        work = Path(tmp)
        corpus = args.corpus
        if corpus is None:
            from ingest_speed import generate

            corpus = work / "corpus"
            generate(corpus, args.articles)
        print(f"corpus: {corpus}, load average {os.getloadavg()[0]:.2f}")
        timeline(corpus, work / "timeline.db", work, args.cores)


if __name__ == "__main__":
    main()
