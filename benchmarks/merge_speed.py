"""``annotate merge`` against the SQL floor, and its memory, measured in the same run.

Builds two databases of ``--units`` units each (default 300,000; 20 per article) that
share half their articles, as two machines that ingested overlapping corpora would:
``alice`` labelled every unit of the target, ``bob`` every unit of the input, and the
input also holds a later ``alice`` decision on 5% of the shared units (conflicts); one
history row per label. Then times, each in a fresh subprocess on a fresh copy of the
target, interleaved, best of ``--repeat``:

  * the SQL floor: copy the input file, ATTACH it, and one INSERT ... SELECT each for
    the articles, units, label rows and history rows the target lacks (no deciding);
  * ``annotate.team.merge.merge([input], into=target)``: the real merge (a migrated
    private copy of the input, every rule of the merge, conflicts reported).

It prints the ratio (target <= 2x) and the merge's peak RSS at a fifth of the size and at
the whole (target: flat).

    python benchmarks/merge_speed.py [--units 300000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest_speed import run  # noqa: E402  (a sibling script)

PER_ARTICLE = 20


def build(path: Path, articles: range, annotator: str, conflicts: range | None = None) -> None:
    """A migrated annotate database holding ``articles`` (by number), every unit labelled
    by ``annotator``; with ``conflicts``, also a later alice label on those articles'
    first unit."""
    from annotate.model import article_id, unit_id
    from annotate.store import POS_BITS, Store

    Store.open(path).close()
    db = sqlite3.connect(path)
    labels = ["attributed", "unattributed", "editorial"]

    def rows():
        for n in articles:
            p = f"{n // 100:03d}/article_{n:06d}.txt"
            yield n, p, article_id(p)

    db.executemany(
        "INSERT INTO files (path, size, mtime_ns, segmenter, ingested_at) "
        "VALUES (?, 1, 1, 'v', 't')",
        [(p,) for _, p, _ in rows()],
    )
    db.executemany(
        "INSERT INTO articles (id, path, file, ord, sha256, title, cleaned, segmenter) "
        "VALUES (?, ?, ?, ?, 'x', 'A title', 'text', 'v')",
        [(a, p, p, i) for i, (_, p, a) in enumerate(rows())],
    )
    units, lab, hist = [], [], []
    for i, (n, p, a) in enumerate(rows()):
        for seq in range(PER_ARTICLE):
            text = f"Sentence {seq} of article {n}, which the agency said was true."
            u = unit_id(p, text)
            units.append((u, a, (i << POS_BITS) | seq, seq, seq, "sentence", text, 0, len(text)))
            label = labels[(n + seq) % 3]
            at = f"2024-01-{1 + seq % 28:02d}T10:00:00+00:00"
            lab.append((u, annotator, label, at))
            hist.append((at, annotator, u, "label", label))
            if conflicts is not None and n in conflicts and seq == 0:
                other = labels[(n + seq + 1) % 3]
                lab.append((u, "alice", other, "2025-01-01T10:00:00+00:00"))
                hist.append(("2025-01-01T10:00:00+00:00", "alice", u, "label", other))
    db.executemany(
        "INSERT INTO units (id, article_id, pos, paragraph, seq, kind, text, start, end) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        units,
    )
    db.executemany(
        "INSERT INTO labels (unit_id, annotator, label, labeled_at, flagged) "
        "VALUES (?, ?, ?, ?, 0)",
        lab,
    )
    db.executemany(
        "INSERT INTO history (at, annotator, unit_id, action, label) VALUES (?, ?, ?, ?, ?)",
        hist,
    )
    db.commit()
    db.close()


BUILD = f"""
import sys
sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})
from pathlib import Path
from merge_speed import build
n = int(sys.argv[3])
build(Path(sys.argv[1]), range(n), "alice")
build(Path(sys.argv[2]), range(n // 2, n + n // 2), "bob",
      conflicts=range(n // 2, n // 2 + n // 20))
"""

FLOOR = """
import resource, shutil, sqlite3, sys, time
t0 = time.perf_counter()
shutil.copyfile(sys.argv[1], sys.argv[3])
db = sqlite3.connect(sys.argv[2], isolation_level=None)
db.execute("ATTACH DATABASE ? AS src", (sys.argv[3],))
db.execute("BEGIN")
db.execute("INSERT INTO files SELECT * FROM src.files WHERE path NOT IN (SELECT path FROM files)")
base = db.execute("SELECT coalesce(max(ord), -1) + 1 FROM articles").fetchone()[0]
db.execute(
    "INSERT INTO articles (id, path, file, ord, sha256, title, cleaned, segmenter) "
    "SELECT id, path, file, ? + row_number() OVER (ORDER BY ord) - 1, sha256, title, cleaned, "
    "segmenter FROM src.articles WHERE id NOT IN (SELECT id FROM articles)", (base,))
db.execute(
    "INSERT INTO units SELECT u.id, u.article_id, (a.ord << 20) | u.seq, u.paragraph, u.seq, "
    "u.kind, u.text, u.start, u.end FROM src.units u JOIN articles a ON a.id = u.article_id "
    "WHERE u.id NOT IN (SELECT id FROM units)")
db.execute(
    "INSERT INTO labels SELECT * FROM src.labels s WHERE NOT EXISTS (SELECT 1 FROM labels m "
    "WHERE m.unit_id = s.unit_id AND m.annotator = s.annotator)")
db.execute(
    "INSERT INTO history (at, annotator, unit_id, action, label) SELECT at, annotator, "
    "unit_id, action, label FROM src.history")
db.execute("COMMIT")
print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""

MERGE = """
import resource, sys, time
from annotate.team.merge import merge
t0 = time.perf_counter()
report = merge([sys.argv[1]], into=sys.argv[2])
r = report.inputs[0]
assert r.error is None, r.error
print(time.perf_counter() - t0, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss,
      r.labels_added, r.labels_updated, len(r.conflicts), r.units)
"""


def measure(work: Path, units: int, repeat: int) -> tuple[list[float], list[list[float]]]:
    n = units // PER_ARTICLE
    target, source = work / f"target-{units}.db", work / f"input-{units}.db"
    # Built in a child: a child's peak RSS counts what it shared with its parent when it
    # was forked, so a parent grown by building would inflate the merge's figure.
    run(BUILD, str(target), str(source), str(n))
    floors, merges = [], []
    for i in range(repeat):
        copy = work / f"t{i}.db"
        shutil.copyfile(target, copy)
        floors.append(run(FLOOR, str(source), str(copy), str(work / "floor-input.db"))[0])
        copy.unlink()
        (work / "floor-input.db").unlink()
        shutil.copyfile(target, copy)
        merges.append(run(MERGE, str(source), str(copy)))
        copy.unlink()
    return floors, merges


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--units", type=int, default=300_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="annotate-merge-bench-"))
    try:
        rss = {}
        for units in (args.units // 5, args.units):
            floors, merges = measure(work, units, args.repeat)
            ratios = sorted(m[0] / f for f, m in zip(floors, merges, strict=True))
            best = min(merges)
            rss[units] = max(m[1] for m in merges)
            print(
                f"{units} units each: SQL floor {min(floors):.2f} s, annotate merge "
                f"{best[0]:.2f} s ({int(best[2])} labels added, {int(best[3])} updated, "
                f"{int(best[4])} conflicts, {int(best[5])} units copied); ratio "
                f"{ratios[len(ratios) // 2]:.2f}x median of {args.repeat} paired runs "
                f"(each: {', '.join(f'{r:.2f}x' for r in ratios)}; target <= 2.0x); "
                f"merge peak RSS {rss[units] / 1024:.0f} MB"
            )
        small, big = rss[args.units // 5], rss[args.units]
        print(f"merge peak RSS ratio, {args.units} / {args.units // 5} units: {big / small:.2f}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
