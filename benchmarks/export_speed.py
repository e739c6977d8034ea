"""Export speed and memory against a bare sqlite3 + csv/json/pyarrow loop, in the same run.

Builds a database of labelled rows (default 1,000,000: two annotators on each of 500,000
claim units in 10,000 articles; plain sqlite3 bulk inserts), then times, each in a fresh
subprocess and over the same rows in the same order:

  * bare CSV:    a sqlite3 cursor over the export query into ``csv.writer.writerows``;
  * bare JSONL:  the same cursor, ``json.dumps(dict(zip(fields, row)))`` per line;
  * bare Parquet: the same cursor, ``fetchmany`` of 65,536 rows turned into typed pyarrow
    columns and written by one ``pyarrow.parquet.ParquetWriter`` (zstd);
  * annotate CSV / JSONL / Parquet: ``annotate.datasets.export.export_to_path`` (store
    batches, writer, temp file, fsync, rename);
  * annotate hf: the same into a folder (Parquet with ClassLabel columns, the dataset card
    with its figures read from the store); its ratio is against bare Parquet.

It prints rows/s and the ratio annotate / bare (target: >= 0.8), and the peak RSS of each
run at a tenth of the rows and at all of them (target: flat).

    python benchmarks/export_speed.py [--rows 1000000] [--repeat 2] [--keep DIR]
                                      [--only csv,jsonl,parquet,hf]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
UNITS_PER_ARTICLE = 50
ANNOTATORS = ("ana", "ben")
LABELS = ("attributed", "unattributed", "editorial", "not_claim")
WORDS = (
    "the minister said on Tuesday that prices would rise by percent, according to a "
    'spokesperson for agency "we will not" comment officials report claimed analysts '
    "expect growth in Moscow Houston Geneva café naïve résumé — 2024 data showed"
).split()


def build(path: Path, rows: int, seed: int = 7) -> None:
    """A database of ``rows`` label rows, created by annotate's migrations."""
    from annotate.model import SENTENCE, TITLE
    from annotate.store import POS_BITS, Store

    Store.open(path).close()
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA synchronous = OFF")
    units = rows // len(ANNOTATORS)
    n_articles = max(1, units // UNITS_PER_ARTICLE)
    with conn:
        for a in range(n_articles):
            aid = f"{a:016x}"
            conn.execute(
                "INSERT INTO articles (id, path, file, ord, sha256, title, cleaned) "
                "VALUES (?, ?, ?, ?, ?, ?, '')",
                (aid, f"corpus/{a:06d}.txt", f"corpus/{a:06d}.txt", a, "0" * 64, f"Title {a}"),
            )
            batch_units, batch_labels = [], []
            batch_units.append((f"t{aid}", aid, a << POS_BITS, 0, 0, TITLE, f"Title {a}", 0, 9))
            for seq in range(1, UNITS_PER_ARTICLE + 1):
                uid = f"{a:09x}{seq:07x}"
                text = " ".join(rng.choices(WORDS, k=rng.randint(8, 30))).capitalize() + "."
                if rng.random() < 0.1:
                    text = text.replace(" said ", ", said, ") + "\nsecond line"
                batch_units.append(
                    (uid, aid, (a << POS_BITS) | seq, 1, seq, SENTENCE, text, 0, len(text))
                )
                for who in ANNOTATORS:
                    note = 'unsure, "check"' if rng.random() < 0.05 else None
                    batch_labels.append(
                        (
                            uid,
                            who,
                            rng.choice(LABELS),
                            "2025-01-02T03:04:05.678901Z",
                            note,
                            int(rng.random() < 0.03),
                        )
                    )
            conn.executemany("INSERT INTO units VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", batch_units)
            conn.executemany(
                "INSERT INTO labels (unit_id, annotator, label, labeled_at, note, flagged) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                batch_labels,
            )
    conn.close()


# The export's query, written out by hand: the same rows in the same order.
BARE_SQL = (
    "SELECT u.id, u.article_id, a.path, a.title, u.paragraph, u.seq, u.start, u.end, u.kind, "
    "u.text, l.label, l.annotator, l.labeled_at, l.note, l.flagged, "
    "s.suggested_label, s.source, s.confidence, s.cue, "
    "CASE WHEN l.label = 'attributed' THEN coalesce(l.source, s.source) END, s.claim_group "
    "FROM units u "
    "JOIN articles a ON a.id = u.article_id "
    "JOIN labels l ON l.unit_id = u.id AND l.label IS NOT NULL "
    "LEFT JOIN suggestions s ON s.unit_id = u.id "
    "WHERE u.kind = 'sentence' ORDER BY u.pos, l.annotator"
)

RUNNERS = {
    "bare csv": """
import csv, sqlite3
conn = sqlite3.connect(DB)
with open(OUT, "w", encoding="utf-8", newline="") as f:
    w = csv.writer(f, lineterminator="\\r\\n")
    w.writerow(FIELDS)
    w.writerows(conn.execute(SQL))
""",
    "bare jsonl": """
import json, sqlite3
conn = sqlite3.connect(DB)
with open(OUT, "w", encoding="utf-8") as f:
    for row in conn.execute(SQL):
        f.write(json.dumps(dict(zip(FIELDS, row)), ensure_ascii=False) + "\\n")
""",
    "bare parquet": """
import sqlite3
import pyarrow as pa, pyarrow.parquet as pq
INTS = {"paragraph", "seq", "start", "end"}
types = [pa.int64() if f in INTS else pa.float64() if f == "suggestion_confidence"
         else pa.int8() if f == "flagged" else pa.string() for f in FIELDS]
schema = pa.schema([pa.field(f, pa.bool_() if f == "flagged" else t)
                    for f, t in zip(FIELDS, types)])
conn = sqlite3.connect(DB)
cur = conn.execute(SQL)
with pq.ParquetWriter(OUT, schema, compression="zstd") as w:
    while rows := cur.fetchmany(65536):
        cols = [pa.array(c, t) for c, t in zip(zip(*rows), types)]
        cols = [c.cast(pa.bool_()) if f == "flagged" else c for f, c in zip(FIELDS, cols)]
        w.write_table(pa.Table.from_arrays(cols, schema=schema), row_group_size=65536)
""",
    "annotate csv": """
from annotate.datasets.export import ExportOptions, export_to_path
from annotate.store import Store
with Store.open(DB) as store:
    export_to_path(store, OUT, ExportOptions(format="csv"), force=True)
""",
    "annotate jsonl": """
from annotate.datasets.export import ExportOptions, export_to_path
from annotate.store import Store
with Store.open(DB) as store:
    export_to_path(store, OUT, ExportOptions(format="jsonl"), force=True)
""",
    "annotate parquet": """
from annotate.datasets.export import ExportOptions, export_to_path
from annotate.store import Store
with Store.open(DB) as store:
    export_to_path(store, OUT, ExportOptions(format="parquet"), force=True)
""",
    "annotate hf": """
from annotate.datasets.export import ExportOptions, export_to_path
from annotate.store import Store
with Store.open(DB) as store:
    export_to_path(store, OUT, ExportOptions(format="hf"), force=True)
""",
}
# Which bare loop each annotate exporter is measured against.
BASELINE = {
    "csv": "bare csv",
    "jsonl": "bare jsonl",
    "parquet": "bare parquet",
    "hf": "bare parquet",
}

HARNESS = """
import resource, sys, time
from pathlib import Path
DB, OUT, SQL = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
from annotate.datasets.export import FIELDS
t0, c0 = time.perf_counter(), time.process_time()
{body}
elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
# VmHWM, not ru_maxrss: on Linux ru_maxrss survives exec and so reports the parent's peak.
try:
    status = Path("/proc/self/status").read_text()
    peak = int(next(l for l in status.splitlines() if l.startswith("VmHWM")).split()[1])
except (OSError, StopIteration):
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(elapsed, cpu, peak)
"""


def measure(name: str, db: Path, out: Path) -> tuple[float, float, int]:
    """(wall seconds, CPU seconds, peak RSS in KiB) of one run in a fresh interpreter."""
    code = HARNESS.format(body=RUNNERS[name])
    done = subprocess.run(
        [sys.executable, "-c", code, str(db), str(out), BARE_SQL],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds, cpu, rss = done.stdout.split()
    return float(seconds), float(cpu), int(rss)


def count_lines(path: Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f)


def check(work: Path, rows: int, runners: list[str]) -> None:
    """Every exporter wrote every row; annotate's CSV is the bare loop's, byte for byte."""
    import pyarrow.parquet as pq

    for name in runners:
        kind = name.split()[1]
        out = work / f"{name.replace(' ', '-')}-{rows}.{kind}"
        if kind == "jsonl":
            assert count_lines(out) == rows, (name, count_lines(out))
        elif kind == "parquet":
            assert pq.read_metadata(out).num_rows == rows, name
        elif kind == "hf":
            assert pq.read_metadata(out / "data/train-00000-of-00001.parquet").num_rows == rows
    if {"bare csv", "annotate csv"} <= set(runners):
        same = (work / f"bare-csv-{rows}.csv").read_bytes() == (
            work / f"annotate-csv-{rows}.csv"
        ).read_bytes()
        assert same, "annotate csv differs from the bare csv"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=2, help="Best of N runs per exporter.")
    parser.add_argument("--keep", type=Path, help="Keep the databases and exports here.")
    parser.add_argument(
        "--only", default="csv,jsonl,parquet,hf", help="Formats to time (comma-separated)."
    )
    args = parser.parse_args()
    kinds = set(args.only.split(","))
    wanted = {f"annotate {k}" for k in kinds} | {BASELINE[k] for k in kinds}
    runners = [n for n in RUNNERS if n in wanted]
    from annotate.store import Store

    work = args.keep or Path(tempfile.mkdtemp(prefix="annotate-export-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        sizes = [args.rows // 10, args.rows]
        results: dict[int, dict[str, tuple[float, float, int]]] = {}
        for rows in sizes:
            db = work / f"bench-{rows}.db"
            if not db.exists():
                t0 = time.perf_counter()
                build(db, rows)
                print(f"built {db.name}: {rows:,} label rows in {time.perf_counter() - t0:.1f}s")
            # Migrate now (the schema may have grown since the file was built), so no
            # timed run pays for a migration.
            Store.open(db).close()
            best: dict[str, tuple[float, float, int]] = {}
            # Interleave the exporters so a noisy neighbour hurts them alike.
            for _ in range(args.repeat):
                for name in runners:
                    out = work / f"{name.replace(' ', '-')}-{rows}.{name.split()[1]}"
                    run = measure(name, db, out)
                    if name not in best or run[0] < best[name][0]:
                        best[name] = run
            check(work, rows, runners)
            results[rows] = best

        # Ratios are annotate / bare speed: by wall time, and by CPU time, which a
        # neighbour competing for the same cores disturbs less.
        print()
        print(
            f"{'rows':>10} {'exporter':<15} {'rows/s':>10} {'ratio':>6} "
            f"{'CPU rows/s':>11} {'ratio':>6} {'peak RSS':>10}"
        )
        for rows, best in results.items():
            for name, (seconds, cpu, rss) in best.items():
                bare = best[BASELINE[name.split()[1]]]
                print(
                    f"{rows:>10,} {name:<15} {rows / seconds:>10,.0f} {bare[0] / seconds:>6.2f} "
                    f"{rows / cpu:>11,.0f} {bare[1] / cpu:>6.2f} {rss / 1024:>8.1f}MB"
                )
        print(json.dumps({str(k): v for k, v in results.items()}), file=sys.stderr)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
