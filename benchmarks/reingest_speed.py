"""Re-ingest after editing a few files, against a fresh ingest of just those files.

Generates a realistic corpus (``ingest_speed.generate``, default 5,000 articles), ingests
it as ``annotate ingest`` does (``ingest_and_suggest``: suggestions and claim groups
included; not timed), then edits ``--edit`` of the files (default 1%: a sentence added
to one paragraph, a number changed in another) and times, each in a fresh subprocess,
interleaved, best of ``--repeat``:

  * re-ingest: the whole corpus again into the ingested database, as the user runs it
    after editing (a copy of the database each time, so every run sees the same change);
  * baseline: a fresh ingest of only the edited files (the same folders, nothing else)
    into an empty database.

It prints the ratio (target <= 2x): the cost of a re-run follows the change, not the
corpus. Claim groups after the re-ingest are checked against a full regrouping.

    python benchmarks/reingest_speed.py [--articles 5000] [--edit 0.01] [--repeat 3]
"""

from __future__ import annotations

import argparse
import random
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ingest_speed import INGEST, generate, run  # noqa: E402  (a sibling script)

CHECK = """
import sqlite3, sys
from annotate.store import Store
from annotate.suggest.claims import group_claims
with Store.open(sys.argv[1]) as store:
    stored = dict(store.conn.execute(
        "SELECT unit_id, claim_group FROM suggestions WHERE claim_group IS NOT NULL"))
    print(int(stored == group_claims(store.claim_texts())), len(set(stored.values())))
"""


def edit(path: Path, rng: random.Random) -> None:
    text = path.read_text(encoding="utf-8")
    paras = text.split("\n\n")
    body = [i for i, p in enumerate(paras) if len(p) > 120]
    i = rng.choice(body)
    paras[i] += f" The agency said on {rng.randint(1, 28)} May that the review was complete."
    j = rng.choice(body)
    paras[j] = paras[j].replace("20", str(rng.randint(10, 99)), 1)
    path.write_text("\n\n".join(paras), encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--articles", type=int, default=5_000)
    ap.add_argument("--edit", type=float, default=0.01, help="share of files edited")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="annotate-reingest-bench-"))
    try:
        corpus, db = work / "corpus", work / "ingested.db"
        generate(corpus, args.articles)
        run(INGEST, str(corpus), str(db))
        rng = random.Random(11)
        files = sorted(corpus.rglob("*.txt"))
        edited = rng.sample(files, max(1, round(len(files) * args.edit)))
        only = work / "only"
        for path in edited:
            edit(path, rng)
            dest = only / path.relative_to(corpus)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, dest)
        print(f"corpus: {len(files)} articles; edited {len(edited)} ({args.edit:.0%})")
        again, fresh = [], []
        for i in range(args.repeat):
            copy = work / f"again{i}.db"
            shutil.copy(db, copy)
            again.append(run(INGEST, str(corpus), str(copy))[0])
            fresh.append(run(INGEST, str(only), str(work / f"only{i}.db"))[0])
            if i < args.repeat - 1:
                copy.unlink()
        ratios = sorted(a / f for a, f in zip(again, fresh, strict=True))
        print(f"re-ingest of the whole corpus after the edit: {min(again):.2f} s")
        print(f"fresh ingest of the {len(edited)} edited files alone: {min(fresh):.2f} s")
        print(
            f"ratio: {ratios[len(ratios) // 2]:.2f}x median of {args.repeat} paired runs "
            f"(each: {', '.join(f'{r:.2f}x' for r in ratios)}; target <= 2.0x)"
        )
        same, groups = run(CHECK, str(work / f"again{args.repeat - 1}.db"))
        print(
            f"claim groups after the re-ingest equal a full regrouping: {bool(same)} "
            f"({int(groups)} groups)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
