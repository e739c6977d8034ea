"""How long the labelling screen's background reads take on a big database: a search's
first page and its count (a common word and a rare one), and the filter chooser's counts.

Builds the synthetic database of tui_speed.py (``--units``, all claims but the last 1,000
labelled) and times each read on a fresh connection, as the app's workers run them
(best of three). Figures are printed, never asserted.

    python benchmarks/find_speed.py [--units 1000000] [--keep DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from tui_speed import ANNOTATOR, build  # noqa: E402  (a sibling script, not a package)

from annotate.store import Store


def best_of_three(read) -> tuple[float, object]:
    times, result = [], None
    for _ in range(3):
        start = time.perf_counter()
        result = read()
        times.append(time.perf_counter() - start)
    return min(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=1_000_000)
    parser.add_argument("--keep", type=Path, help="build (or reuse) the database here")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="find-speed-"))
    db = work / "annotations.db"
    if not db.exists():
        start = time.perf_counter()
        build(work, args.units, 1_000)
        print(f"built {args.units:,} units in {time.perf_counter() - start:.0f} s")
    print(f"load average {os.getloadavg()[0]:.1f}")
    with Store.open(db, migrate=False) as store:
        claims = store.claim_count()
        last = store.conn.execute(  # found only after a pass over every claim
            "SELECT text FROM units WHERE kind = 'sentence' ORDER BY pos DESC LIMIT 1"
        ).fetchone()[0]
        known = (claims, store.labelled_count(ANNOTATOR))  # the app has these already
        reads = {
            "search page, common word ('mission')": lambda: store.search_page("mission", ANNOTATOR),
            "search page, the last claim's text": lambda: store.search_page(last, ANNOTATOR),
            "search count ('mission')": lambda: store.search_count("mission"),
            "filter counts, each label's unit looked up": lambda: store.filter_counts(ANNOTATOR),
            "filter counts, with the progress counter's figures": lambda: store.filter_counts(
                ANNOTATOR, known=known
            ),
            "article list (for the palette)": lambda: store.article_progress(ANNOTATOR),
        }
        print(f"{claims:,} claims")
        for name, read in reads.items():
            seconds, result = best_of_three(read)
            size = len(result) if isinstance(result, list | dict) else result
            print(f"{name}: {seconds * 1000:,.0f} ms ({size:,})")


if __name__ == "__main__":
    main()
