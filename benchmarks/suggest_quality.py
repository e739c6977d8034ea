"""Quality of the suggestions: public labelled news, then the project's own sets.

Runs, with this Python and this checkout first on the path,

  * ``score.py`` of the shared attribution benchmark (``../shared/benchmarks/attribution/``
    next to the repository, or ``--score PATH``): CheckThat! subjectivity and PolNeAR
    attribution, the rules against a regex and TF-IDF + logistic regression baselines
    (those need scikit-learn; without it they are skipped), per-class figures, confusion
    matrices, source match and error examples. The data stay where they are: nothing is
    copied into the repository;
  * ``annotate evaluate`` on every shipped evaluation set (``annotate/data/eval_*.jsonl``):
    accuracy, per-label precision/recall/F1, macro-F1 and confusion matrices.

    python benchmarks/suggest_quality.py [--score PATH] [--examples N] [--curves]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCORE = ROOT.parent / "shared" / "benchmarks" / "attribution" / "score.py"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--score", type=Path, default=SCORE, help=f"score.py (default {SCORE})")
    ap.add_argument("--examples", type=int, default=4, help="error examples per type")
    ap.add_argument("--curves", action="store_true", help="learning curves too (slow)")
    args = ap.parse_args()

    print("== annotate evaluate: the project's own sets ==")
    sys.path.insert(0, str(ROOT))
    from annotate.team.evaluate import evaluate_file, report_lines

    for name, scores in evaluate_file().items():
        for line in report_lines(name, scores):
            print(line)
        print()

    print(f"== {args.score} ==", flush=True)
    if not args.score.exists():
        print(f"not found: {args.score} (give --score PATH); public-data figures skipped")
        return
    cmd = [sys.executable, str(args.score), "--annotate", str(ROOT)]
    cmd += ["--examples", str(args.examples)] + (["--curves"] if args.curves else [])
    sys.exit(subprocess.run(cmd, check=False).returncode)


if __name__ == "__main__":
    main()
