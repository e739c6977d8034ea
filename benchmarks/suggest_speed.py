"""Speed of ``suggest_all`` (cue rules and claim groups) against bare Punkt, in the same run.

Generates realistic corpora at two sizes with ``ingest_speed.generate`` (the sample
articles' paragraphs recombined, names and numbers varied: paragraphs repeat across
articles as republished wire copy does), ingests each into a database (not timed), then
times, each in a fresh subprocess, best of ``--repeat``:

  * bare Punkt: ``PunktSentenceTokenizer().tokenize`` over the cleaned text of every
    article in the database (the text the units come from);
  * annotate suggest: ``cues.suggest_all(store, force=True)``: rules for every unit,
    writes, and claim groups across articles.

It prints milliseconds per 1,000 units for both and their ratio, so a slower or faster
machine moves both alike; the figures at the two sizes show whether the cost grows
linearly with the corpus (claim grouping is the part that could grow faster).

    python benchmarks/suggest_speed.py [--articles 300 1200] [--repeat 3] [--keep DIR]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest_speed import generate, run  # noqa: E402  (a sibling script, not a package)

INGEST = """
import sys
from pathlib import Path
from annotate.ingest import ingest
from annotate.store import Store
with Store.open(sys.argv[2]) as store:
    for _ in ingest(store, Path(sys.argv[1])):
        pass
"""

PUNKT = """
import sqlite3, sys, time
from nltk.tokenize.punkt import PunktSentenceTokenizer
texts = [r[0] for r in sqlite3.connect(sys.argv[1]).execute("SELECT cleaned FROM articles")]
t0 = time.process_time()
tok = PunktSentenceTokenizer()
n = sum(len(tok.tokenize(t)) for t in texts)
print(time.process_time() - t0, n)
"""

SUGGEST = """
import sys, time
from annotate.ingest import suggest_all
from annotate.store import Store
with Store.open(sys.argv[1]) as store:
    t0 = time.process_time()
    summary = suggest_all(store, force=True)
    print(time.process_time() - t0, summary.units, summary.claim_groups)
"""


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--articles", type=int, nargs="+", default=[300, 1200])
    ap.add_argument("--repeat", type=int, default=3, help="best of N runs (CPU time)")
    ap.add_argument("--keep", type=Path, help="write the corpora and databases here")
    args = ap.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="annotate-suggest-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    print(
        f"{'articles':>8} {'units':>7} {'groups':>6} {'Punkt ms/1k':>12} "
        f"{'suggest ms/1k':>14} {'ratio':>6}"
    )
    try:
        for n in args.articles:
            corpus, db = work / f"corpus-{n}", work / f"suggest-{n}.db"
            if not db.exists():
                generate(corpus, n)
                run(INGEST, str(corpus), str(db))
            # CPU time, best of N: the steadier measure on a shared machine.
            punkt = min(run(PUNKT, str(db))[0] for _ in range(args.repeat))
            runs = [run(SUGGEST, str(db)) for _ in range(args.repeat)]
            seconds = min(r[0] for r in runs)
            units, groups = int(runs[0][1]), int(runs[0][2])
            print(
                f"{n:>8} {units:>7} {groups:>6} {punkt / units * 1e6:>12.1f} "
                f"{seconds / units * 1e6:>14.1f} {seconds / punkt:>6.2f}"
            )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
