"""Speed and memory of the labelling app on a 1,000,000-unit database, beside 1,000 units.

Builds a synthetic corpus and database (units stored through ``Store.save_article``; the
labels and history of an annotator who has already labelled all but the last claims are
written with plain ``executemany``), records every corpus file as already ingested, then
runs the real ``annotate CORPUS`` command in a pseudo-terminal of 80x24 and measures:

  1. process start -> first claim on screen (best of three starts), against
     ``python -c 'import textual.app'`` (best of three) timed in the same run (target:
     <= 1.5x); the app writes the time of its first paint to the file named by
     ANNOTATE_BENCH_FIRST_PAINT;
  2. key-to-next-claim latency, measured inside the app from the key event to the refresh
     after the next claim is drawn (ANNOTATE_BENCH_LATENCY), median and p95 over the
     label keys sent (target: p95 < 16 ms);
  3. resident memory (VmRSS, VmHWM) after the decisions (target: < 200 MB);
     and the app's CPU time per decision over the keys (user + system, from /proc):
     what the latency would be on an idle core, unlike the wall-clock figures above,
     which on a machine shared with other jobs include waiting for a core.

     then, on the same database, the same latency in more states: every claim labelled
     (a label key relabels the claim on screen, the forward key moves on; the keys
     alternate), and rare filters: 100 claims flagged, spread through the queue (the
     filter set to flagged with ``v``, then the forward key walks to the next flagged
     claim, a key every 0.1 s), then the same with 100 other claims noted (the noted
     filter) and 100 others labelled editorial (a filter on one label);

  4. while the app ingests a corpus of ``--ingest-files`` new files (15,000; made with
     ``ingest_speed.generate``) into an empty database: key-to-next-claim latency for a
     label key sent every 50 ms (target: p95 <= 50 ms), the labels recorded against the
     keys sent, and the files ingested per second over the run, from a connection of
     the benchmark's own (progress must advance steadily: no second without progress).

Also lists which heavy modules (nltk, ftfy, the segmenter, sqlite_utils) the start-up path
imports. Figures are printed, never asserted.

    python benchmarks/tui_speed.py [--units 1000000] [--keys 550] [--ingest-files 15000]
                                   [--ingest-only] [--keep DIR]
"""

from __future__ import annotations

import argparse
import compileall
import fcntl
import os
import pty
import shutil
import sqlite3
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from ingest_speed import generate  # noqa: E402  (a sibling script, not a package)

from annotate.ingest import pipeline_version
from annotate.labelling.session import FILTER_ORDER
from annotate.model import HEADING, SENTENCE, TITLE, Unit
from annotate.store import FileRecord, Store

ANNOTATOR = "bench"
UNITS_PER_ARTICLE = 1000
RARE = 100  # claims flagged, noted, labelled editorial for the rare-filter states
# The rare-filter states: the filter, and what marks a claim as passing it.
RARE_STATES = {
    "flagged": "flagged = 1",
    "noted": "note = 'check'",
    "editorial": "label = 'editorial'",
}
WORDS = (
    "the agency said talks on the station could continue while officials in Houston and "
    "Moscow weighed a rare joint mission amid sanctions and a launch delayed by weather"
).split()
BIN = Path(sys.executable).parent


def sentence(i: int) -> str:
    words = [WORDS[(i * 7 + k * 3) % len(WORDS)] for k in range(12 + i % 9)]
    return f"Claim {i}: " + " ".join(words).capitalize() + "."


def build(dest: Path, units: int, unlabelled: int) -> tuple[Path, Path, int]:
    """A corpus folder and a database holding ``units`` units; all claims but the last
    ``unlabelled`` labelled by ANNOTATOR. Returns (corpus, db, claims)."""
    corpus, db = dest / "corpus", dest / "annotations.db"
    corpus.mkdir(parents=True)
    version = pipeline_version()
    per = min(units, UNITS_PER_ARTICLE)
    n_articles = max(1, units // per)
    i = 0
    with Store.open(db) as store:
        store.conn.execute("PRAGMA synchronous = OFF")  # building only
        for a in range(n_articles):
            path = f"{a // 100:03d}/article{a:05d}.txt"
            file = corpus / path
            file.parent.mkdir(exist_ok=True)
            file.write_text(f"Article {a}\n\nsynthetic\n")
            items = [Unit(0, 0, TITLE, f"Article {a}: space leaders meet", 0, 1)]
            for seq in range(1, per):
                paragraph = 1 + (seq - 1) // 6
                kind = HEADING if (seq - 1) % 60 == 0 else SENTENCE
                text = f"Section {seq}" if kind == HEADING else sentence(i)
                items.append(Unit(paragraph, seq, kind, text, 0, len(text)))
                i += 1
            store.save_article(
                path=path,
                file=path,
                sha256=str(a),
                title=f"Article {a}: space leaders meet",
                source="Synthetic",
                url=None,
                date=None,
                cleaned="",
                segmenter=version,
                units=items,
            )
            st = file.stat()
            store.save_file_record(FileRecord(path, st.st_size, st.st_mtime_ns, version))
        claims = store.claim_count()
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA synchronous = OFF")
    ids = [
        r[0] for r in conn.execute("SELECT id FROM units WHERE kind = ? ORDER BY pos", (SENTENCE,))
    ][: max(0, claims - unlabelled)]
    _write_labels(conn, ids, history=True)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    return corpus, db, claims


def _write_labels(conn: sqlite3.Connection, ids: list[str], *, history: bool) -> None:
    """Label the claims ``ids`` unattributed as ANNOTATOR (with ``history``, and record
    each decision in the history)."""
    now = "2026-01-01T00:00:00.000000Z"
    with conn:
        conn.executemany(
            "INSERT OR REPLACE INTO labels (unit_id, annotator, label, labeled_at, flagged) "
            "VALUES (?, ?, 'unattributed', ?, 0)",
            ((u, ANNOTATOR, now) for u in ids),
        )
        if history:
            conn.executemany(
                "INSERT INTO history (at, annotator, unit_id, action, label, flagged, "
                "prev_flagged) VALUES (?, ?, ?, 'label', 'unattributed', 0, 0)",
                ((now, ANNOTATOR, u) for u in ids),
            )


def label_all(db: Path) -> None:
    """Label every claim ANNOTATOR has not labelled yet: the state once the queue is done."""
    conn = sqlite3.connect(db)
    ids = [
        r[0]
        for r in conn.execute(
            "SELECT id FROM units u WHERE kind = ? AND NOT EXISTS (SELECT 1 FROM labels l "
            "WHERE l.unit_id = u.id AND l.annotator = ? AND l.label IS NOT NULL)",
            (SENTENCE, ANNOTATOR),
        )
    ]
    _write_labels(conn, ids, history=False)
    conn.close()


def mark_rare(db: Path, count: int, only: str) -> int:
    """Make ``count`` claims spread evenly through the (fully labelled) queue pass the
    filter ``only`` (a key of RARE_STATES; each filter's claims apart from the others'),
    and make the first claim the one the app resumes at. Returns how many claims pass."""
    conn = sqlite3.connect(db)
    ids = [
        r[0] for r in conn.execute("SELECT id FROM units WHERE kind = ? ORDER BY pos", (SENTENCE,))
    ]
    every = max(1, len(ids) // count)
    offset = (every // 2 + list(RARE_STATES).index(only)) % every
    marked = ids[offset::every][:count]
    with conn:
        conn.executemany(
            f"UPDATE labels SET {RARE_STATES[only]} WHERE unit_id = ? AND annotator = ?",
            ((u, ANNOTATOR) for u in marked),
        )
        conn.execute(
            "INSERT INTO history (at, annotator, unit_id, action, label, flagged, prev_flagged) "
            "VALUES ('2026-01-02T00:00:00.000000Z', ?, ?, 'label', 'unattributed', 0, 0)",
            (ANNOTATOR, ids[0]),
        )
    conn.close()
    return len(marked)


def import_textual() -> float:
    """Best of three: a fresh interpreter importing textual.app."""
    best = float("inf")
    for _ in range(3):
        t = time.time()
        subprocess.run([sys.executable, "-c", "import textual.app"], check=True)
        best = min(best, time.time() - t)
    return best


def launch(
    corpus: Path, db: Path, work: Path
) -> tuple[subprocess.Popen[bytes], int, Path, Path, float]:
    """Start ``annotate CORPUS`` in an 80x24 pty and wait for its first claim on screen:
    the process, the pty's master end, the first-paint and latency files, the start."""
    first, lat = work / "first_paint", work / "latency"
    for f in (first, lat):
        f.unlink(missing_ok=True)
    env = dict(
        os.environ,
        TERM="xterm-256color",
        ANNOTATE_BENCH_FIRST_PAINT=str(first),
        ANNOTATE_BENCH_LATENCY=str(lat),
    )
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    cmd = [str(BIN / "annotate"), str(corpus), "--db", str(db), "--annotator", ANNOTATOR]
    start = time.time()
    proc = subprocess.Popen(
        cmd, stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True
    )
    os.close(slave)
    threading.Thread(target=_drain, args=(master,), daemon=True).start()
    while not first.exists() or not first.read_text().strip():
        if proc.poll() is not None:
            raise SystemExit(f"annotate exited early with {proc.returncode}")
        time.sleep(0.002)
    return proc, master, first, lat, start


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used (its threads included), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_idle(pid: int, most: float = 60.0) -> None:
    """Wait (at most ``most`` seconds) until the app and its children use under a tenth
    of a core over half a second: its start-up work (counting the claims, an ingest of
    the unchanged corpus in a child) is over."""
    deadline = time.time() + most
    while time.time() < deadline:
        pids = [pid, *_children(pid)]
        try:
            before = sum(_cpu_seconds(p) for p in pids)
            time.sleep(0.5)
            used = sum(_cpu_seconds(p) for p in pids) - before
        except FileNotFoundError:  # a child ended meanwhile: look again
            continue
        if used < 0.05:
            return


def _children(pid: int) -> list[int]:
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
        found = " ".join(Path(f"/proc/{pid}/task/{t}/children").read_text() for t in tasks)
    except OSError:
        return []
    return [int(c) for c in found.split()]


def read_latencies(path: Path) -> tuple[list[float], list[float]]:
    """The app's key -> next claim figures (ANNOTATE_BENCH_LATENCY), in ms, in the order
    of the keys: the time elapsed, and the CPU time of the screen's thread meanwhile."""
    rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
    return [float(r[0]) * 1000 for r in rows], [float(r[1]) * 1000 for r in rows]


def percentile95(values: list[float]) -> float:
    """The 95th percentile of sorted ``values`` (nearest rank)."""
    return values[max(0, -(-len(values) * 95 // 100) - 1)]


def run_app(
    corpus: Path,
    db: Path,
    keys: int,
    work: Path,
    *,
    sequence: bytes = b"1",
    gap: float = 0.02,
    setup: bytes = b"",
) -> dict[str, float]:
    """Run ``annotate CORPUS`` in an 80x24 pty; first paint, key latencies, memory.

    ``setup``: keys sent first, one at a time, each once the app is idle again (not
    timed); then ``keys`` keys cycling through ``sequence``, ``gap`` seconds apart."""
    # The corpus is unchanged; only the pipeline fingerprint may have moved on since the
    # build (the cleaning and segmentation rules are code): re-stamp the files.
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("UPDATE files SET segmenter = ?", (pipeline_version.__wrapped__(),))
    conn.close()
    proc, master, first, lat, start = launch(corpus, db, work)
    first_paint = float(first.read_text()) - start
    if not keys:
        os.write(master, b"q")
        proc.wait(timeout=30)
        return {"first_paint": first_paint}
    # Let the ingest of the unchanged corpus and the counting finish: on a busy machine
    # they take longer than the second and a half they take on a quiet one.
    time.sleep(1.5)
    _wait_idle(proc.pid)
    for key in setup:
        os.write(master, bytes([key]))
        time.sleep(0.5)
        _wait_idle(proc.pid)
    cpu_before = _cpu_seconds(proc.pid)
    for k in range(keys):
        os.write(master, sequence[k % len(sequence) : k % len(sequence) + 1])
        time.sleep(gap)
    time.sleep(0.5)
    cpu = _cpu_seconds(proc.pid) - cpu_before
    status = Path(f"/proc/{proc.pid}/status").read_text()
    mem = {
        k: int(v.split()[0]) / 1024
        for k, v in (line.split(":", 1) for line in status.splitlines())
        if k in ("VmRSS", "VmHWM")
    }
    os.write(master, b"q")
    proc.wait(timeout=30)
    # The setup keys' redraws come first: keep the timed keys' ones.
    walls, cpus = read_latencies(lat)
    latencies, thread_cpu = sorted(walls[-keys:]), sorted(cpus[-keys:])
    return {
        "first_paint": first_paint,
        "decisions": len(latencies),
        "median_ms": statistics.median(latencies),
        "p95_ms": percentile95(latencies),
        "max_ms": latencies[-1],
        "thread_p95_ms": percentile95(thread_cpu),
        "cpu_ms": cpu * 1000 / keys,  # every key sent is a decision stored
        "rss_mb": mem["VmRSS"],
        "hwm_mb": mem["VmHWM"],
    }


def run_ingesting(work: Path, files: int, seconds: float) -> dict[str, float]:
    """Run ``annotate CORPUS`` on ``files`` new files and an empty database; send a label
    key every 50 ms for ``seconds`` while ingest runs; latencies, labels, progress."""
    corpus, db = work / "ingest-corpus", work / "ingest.db"
    if not corpus.exists():
        generate(corpus, files)
    for f in work.glob("ingest.db*"):
        f.unlink()
    proc, master, first, lat, start = launch(corpus, db, work)
    first_claim = time.time() - start
    progress: list[int] = []  # files ingested, read every second
    sent, t0, next_look = 0, time.time(), time.time()
    while time.time() - t0 < seconds:
        os.write(master, b"1")
        sent += 1
        time.sleep(0.05)
        if time.time() >= next_look:
            progress.append(_files_in(db))
            next_look += 1.0
    time.sleep(0.5)
    done_when_stopped = _files_in(db)
    os.write(master, b"q")
    proc.wait(timeout=60)
    walls, cpus = read_latencies(lat)
    latencies = sorted(walls)
    conn = sqlite3.connect(db)
    labelled = conn.execute("SELECT count(*) FROM labels WHERE label IS NOT NULL").fetchone()[0]
    conn.close()
    # Seconds without a file more, while files were left (not after ingest ended).
    steps = [b - a for a, b in zip(progress, progress[1:], strict=False) if a < files]
    return {
        "first_claim": first_claim,
        "sent": sent,
        "decisions": len(latencies),
        "labelled": labelled,
        "median_ms": statistics.median(latencies),
        "p95_ms": percentile95(latencies),
        "max_ms": latencies[-1],
        "thread_p95_ms": percentile95(sorted(cpus)),
        "files_done": done_when_stopped,
        "files_per_s": (progress[-1] - progress[0]) / max(len(progress) - 1, 1),
        "stalled_s": sum(1 for d in steps if d == 0),
        "seconds": seconds,
    }


def _files_in(db: Path) -> int:
    try:
        conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
        try:
            return int(conn.execute("SELECT count(*) FROM files").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return 0


def print_ingesting(files: int, r: dict[str, float]) -> None:
    print(
        f"\nwhile ingesting {files:,} new files: first claim after {r['first_claim']:.1f} s; "
        f"{r['sent']:.0f} label keys sent over {r['seconds']:.0f} s, "
        f"{r['decisions']:.0f} decisions drawn, {r['labelled']:.0f} labels stored"
    )
    print(
        f"key -> next claim: median {r['median_ms']:.1f} ms, p95 {r['p95_ms']:.1f} ms, "
        f"max {r['max_ms']:.0f} ms (the screen's thread's CPU per key p95 "
        f"{r['thread_p95_ms']:.1f} ms); ingest meanwhile {r['files_per_s']:.0f} files/s "
        f"({r['files_done']:,.0f} files in), {r['stalled_s']:.0f} s without progress"
    )


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass


def heavy_imports() -> list[str]:
    """Heavy modules the CLI + app import (the start-up path, before ingest starts)."""
    code = "import annotate.cli, annotate.tui.app, sys; print('\\n'.join(sys.modules))"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.split()
    heavy = ("nltk", "ftfy", "annotate.text.segment", "annotate.text.cleaning", "sqlite_utils")
    return sorted({m for m in out if m.split(".")[0] in heavy or m in heavy})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--keys", type=int, default=550)
    parser.add_argument("--ingest-files", type=int, default=15_000)
    parser.add_argument("--ingest-seconds", type=float, default=20.0)
    parser.add_argument("--ingest-only", action="store_true", help="only measure 4.")
    parser.add_argument("--keep", type=Path, help="build here and keep it")
    args = parser.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="tui-speed-"))
    if args.ingest_only:
        try:
            base.mkdir(parents=True, exist_ok=True)
            result = run_ingesting(base, args.ingest_files, args.ingest_seconds)
            print_ingesting(args.ingest_files, result)
        finally:
            if not args.keep:
                shutil.rmtree(base, ignore_errors=True)
        return
    # An installed package has its bytecode cached, as textual's is; with
    # PYTHONDONTWRITEBYTECODE set (as on CI machines) an editable install would otherwise
    # recompile annotate's sources on every start and be measured unfairly.
    compileall.compile_dir(Path(__file__).resolve().parents[1] / "annotate", quiet=1)
    rows = []
    states: list[tuple[int, str, dict[str, float]]] = []
    try:
        for units, unlabelled in ((1_000, args.keys + 50), (args.units, 1_000)):
            work = base / f"u{units}"
            if (work / "annotations.db").exists():
                shutil.rmtree(work)
            t = time.time()
            corpus, db, claims = build(work, units, unlabelled)
            print(
                f"built {units:,} units ({claims:,} claims, {claims - unlabelled:,} "
                f"labelled) in {time.time() - t:.1f}s",
                flush=True,
            )
            # Start-up: best of three (the first run also compiles and caches bytecode).
            starts = [run_app(corpus, db, 0, work)["first_paint"] for _ in range(2)]
            result = run_app(corpus, db, args.keys, work)
            result["first_paint"] = min([*starts, result["first_paint"]])
            rows.append((units, result))
            # Every claim labelled: a label key relabels the claim on screen, the
            # forward key moves on to the next one.
            label_all(db)
            states.append(
                (units, "all labelled", run_app(corpus, db, args.keys, work, sequence=b"1j"))
            )
            # Rare filters: ~100 claims spread through the queue pass each; the forward
            # key walks to the next one, a key every 0.1 s so that a walk in a worker ends
            # before the next key (a new walk would cancel it).
            for only in RARE_STATES:
                marked = mark_rare(db, RARE, only)
                run = run_app(
                    corpus,
                    db,
                    min(args.keys, marked - 2),
                    work,
                    sequence=b"j",
                    gap=0.1,
                    setup=b"v" * FILTER_ORDER.index(only),
                )
                states.append((units, f"{marked} {only}", run))
        baseline = import_textual()
        print(f"\npython -c 'import textual.app': {baseline * 1000:.0f} ms (best of 3)")
        print(f"heavy modules on the start-up path: {heavy_imports() or 'none'}\n")
        print(
            f"{'units':>10} {'first claim':>12} {'ratio':>6} {'decisions':>9} "
            f"{'median':>8} {'p95':>8} {'max':>8} {'CPU/key':>8} {'thr p95':>8} {'RSS':>8} "
            f"{'peak RSS':>9}"
        )
        for units, r in rows:
            print(
                f"{units:>10,} {r['first_paint'] * 1000:>9.0f} ms"
                f" {r['first_paint'] / baseline:>5.2f}x"
                f" {r['decisions']:>9} {r['median_ms']:>5.2f} ms {r['p95_ms']:>5.2f} ms"
                f" {r['max_ms']:>5.1f} ms {r['cpu_ms']:>5.2f} ms {r['thread_p95_ms']:>5.2f} ms"
                f" {r['rss_mb']:>5.0f} MB {r['hwm_mb']:>6.0f} MB"
            )
        print(
            f"\n{'units':>10} {'state':>14} {'decisions':>9} {'median':>8} {'p95':>8} "
            f"{'max':>8} {'CPU/key':>8} {'thr p95':>8} {'RSS':>8} {'peak RSS':>9}"
        )
        for units, state, r in states:
            print(
                f"{units:>10,} {state:>14} {r['decisions']:>9} {r['median_ms']:>5.2f} ms"
                f" {r['p95_ms']:>5.2f} ms {r['max_ms']:>5.1f} ms {r['cpu_ms']:>5.2f} ms"
                f" {r['thread_p95_ms']:>5.2f} ms {r['rss_mb']:>5.0f} MB {r['hwm_mb']:>6.0f} MB"
            )
        result = run_ingesting(base, args.ingest_files, args.ingest_seconds)
        print_ingesting(args.ingest_files, result)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
