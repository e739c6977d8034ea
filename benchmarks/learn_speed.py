"""Speed of the learned model: training on 50,000 labels (grouped 5-fold
cross-validation, the blend's gate and the final fit, as ``annotate train`` does) and
predicting 100,000 units (features, probabilities and the blend, as ``annotate suggest
--model`` does once the rules' suggestions are stored).

Units are PolNeAR sentences from ../shared (the rules run on them once first, not
timed), repeated under new article ids to reach the sizes. Prints seconds and the load
average: the machine is shared, so figures vary with what else runs.

    python benchmarks/learn_speed.py [--train N] [--predict N]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from learn_quality import DATA, polnear  # noqa: E402

from annotate.learn.model import train  # noqa: E402


def grow(xs: list, ys: list, n: int) -> tuple[list, list]:
    out, labels, k = [], [], 0
    while len(out) < n:
        for x, y in zip(xs, ys, strict=True):
            out.append(replace(x, unit_id=f"{k}:{x.unit_id}", article_id=f"{k}:{x.article_id}"))
            labels.append(y)
            if len(out) == n:
                break
        k += 1
    return out, labels


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--train", type=int, default=50_000)
    ap.add_argument("--predict", type=int, default=100_000)
    args = ap.parse_args()
    tr, ytr, dev, gold = polnear(DATA)
    xs, ys = grow(tr + dev, ytr + gold, args.train)
    t, c = time.perf_counter(), time.process_time()
    trained = train(xs, ys)
    t_train, c_train = time.perf_counter() - t, time.process_time() - c
    units, _ = grow(tr + dev, ytr + gold, args.predict)
    t, c = time.perf_counter(), time.process_time()
    trained.model.predict(units)
    t_predict, c_predict = time.perf_counter() - t, time.process_time() - c
    load = os.getloadavg()[0]
    # CPU seconds (every thread of this process) say what the work costs when other
    # programs share the cores; wall seconds are what the user waits.
    print(
        f"train on {len(xs)} labels (5 grouped folds + final fit): {t_train:.1f} s "
        f"(CPU {c_train:.1f} s; target <= 60)"
    )
    print(f"predict {len(units)} units: {t_predict:.1f} s (CPU {c_predict:.1f} s; target <= 10)")
    print(
        f"SUMMARY train {len(xs)} {t_train:.1f}s (CPU {c_train:.1f}s); predict {len(units)} "
        f"{t_predict:.1f}s (CPU {c_predict:.1f}s); load average {load:.1f} on "
        f"{os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
