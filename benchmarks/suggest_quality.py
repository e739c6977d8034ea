"""Quality of the suggestions: public labelled news, then the project's own sets.

Runs, with this Python and this checkout first on the path,

  * ``score.py`` of the shared attribution benchmark (``../shared/benchmarks/attribution/``
    next to the repository, or ``--score PATH``): CheckThat! subjectivity and PolNeAR
    attribution, the rules against a regex and TF-IDF + logistic regression baselines
    (those need scikit-learn; without it they are skipped), per-class figures, confusion
    matrices, source match and error examples. The data stay where they are: nothing is
    copied into the repository;
  * the same figures on the portions ``score.py`` leaves unscored (CheckThat! train_en,
    the 168 PolNeAR articles before the scored 84): a check against overfitting;
  * ``annotate evaluate`` on every shipped evaluation set (``annotate/data/eval_*.jsonl``):
    accuracy, per-label precision/recall/F1, macro-F1 and confusion matrices.

    python benchmarks/suggest_quality.py [--score PATH] [--examples N] [--curves]
"""

from __future__ import annotations

import argparse
import importlib.util
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
    code = subprocess.run(cmd, check=False).returncode
    other_portions(args.score)
    sys.exit(code)


def other_portions(score_path: Path) -> None:
    """The same figures on the portions score.py does not score: CheckThat! train_en
    (score.py uses it only to train its baselines) and the 168 PolNeAR articles before
    its scored 84. A rule that helps the scored portions should not hurt these."""
    spec = importlib.util.spec_from_file_location("attribution_score", score_path)
    assert spec is not None and spec.loader is not None
    score = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(score)
    from annotate.suggest import suggest, suggest_article

    data = score.DATA
    print("\n== other portions (same metrics; not scored by score.py) ==")
    train = score.read_tsv(data / "checkthat" / "train_en.tsv")
    gold = [y for _, y in train]
    pred = ["SUBJ" if suggest(x).label == "editorial" else "OBJ" for x, _ in train]
    print(
        score.row("CheckThat! train_en, rules", score.metrics(gold, pred, ["OBJ", "SUBJ"]), "SUBJ")
    )
    articles = sorted(
        score.read_polnear(data / "polnear_train.jsonl.gz"), key=lambda a: a["article"]
    )
    recs = []
    for art in articles[-252:-84]:
        units = art["units"]
        pairs = [
            ("title" if u["kind"] == "title" else "sentence", art["text"][u["start"] : u["end"]])
            for u in units
        ]
        for u, s in zip(units, suggest_article(pairs), strict=True):
            if u["kind"] == "sentence":
                recs.append((u, s))

    def speech(u: dict) -> bool:
        return u["gold"] != "attributed" or score.speech_cue(u["gold_cues"] + u["gold_parent_cues"])

    for name, keep in (("G1", lambda u: True), ("G2", speech)):
        kept = [(u, s) for u, s in recs if keep(u)]
        g = [u["gold"] for u, _ in kept]
        p = ["attributed" if s.label == "attributed" else "other" for _, s in kept]
        m = score.metrics(g, p, ["attributed", "other"])
        print(score.row(f"PolNeAR {name}, the 168 articles before the 84", m, "attributed"))
    both = [
        (u, s)
        for u, s in recs
        if u["gold"] == "attributed"
        and s.label == "attributed"
        and s.source is not None
        and u["gold_sources"]
    ]
    hits = sum(score.src_match(s.source.value, u["gold_sources"]) for u, s in both)
    print(
        f"  source match on those 168 articles: {hits}/{len(both)} = {hits / max(1, len(both)):.3f}"
    )


if __name__ == "__main__":
    main()
