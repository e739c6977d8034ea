"""Quality of the learned model (annotate train) on public labelled news: rules alone,
model alone and rules + model (the blend annotate suggests), scored the same way as
``../shared/benchmarks/attribution/score.py`` scores the rules.

  * PolNeAR: the training split sorted by article id; its last 84 articles are scored
    (score.py's development portion), the others are the training labels. Every
    sentence (G1); attributed vs the rest, macro-F1 of the two classes. The model learns
    attributed, and for PolNeAR's "other" the rules' label where it is not attributed,
    else unattributed (``finer``).
  * CheckThat! 2025 English subjectivity: trained on train_en, scored on dev_en; SUBJ =
    editorial vs the rest. The model learns editorial, and for OBJ the rules' label
    where it is not editorial, else unattributed.
  * Early: 500 labelled PolNeAR sentences (whole articles drawn at random, as a team
    labels them; several draws): the blend must not fall below the rules.
  * The learning curve: 10/25/50/75/100% of the PolNeAR training articles.
  * "The model alone" is read two ways, both printed: the trained model's own label (it
    reads the rules' signals among its features, so it already holds the rules), and a
    model trained the same way on the text alone (words, characters, the sentence
    before, quotation marks; every rules' signal blanked) — the model without the rules.

The data stay in ../shared: nothing is copied into the repository.

    python benchmarks/learn_quality.py [--data DIR] [--draws N] [--no-curve]
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import random
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from annotate.learn.features import Example, RuleView  # noqa: E402
from annotate.learn.model import train  # noqa: E402
from annotate.suggest import suggest, suggest_article  # noqa: E402

DATA = ROOT.parent / "shared" / "benchmarks" / "attribution" / "data"


def macro_f1(gold: list[str], pred: list[str], labels: tuple[str, str]) -> float:
    """score.py's macro-F1: the mean F1 of the given classes."""
    f1s = []
    for c in labels:
        tp = sum(g == c and p == c for g, p in zip(gold, pred, strict=True))
        fp = sum(g != c and p == c for g, p in zip(gold, pred, strict=True))
        fn = sum(g == c and p != c for g, p in zip(gold, pred, strict=True))
        pr = tp / (tp + fp) if tp + fp else 0.0
        rc = tp / (tp + fn) if tp + fn else 0.0
        f1s.append(2 * pr * rc / (pr + rc) if pr + rc else 0.0)
    return sum(f1s) / len(f1s)


def finer(label: str | None, rules: str, positive: str = "attributed") -> str:
    """A training label in annotate's four from a two-class gold label: ``label`` when it
    is the positive class, else (gold says only "not that") the rules' label when the
    rules agree it is not the positive class, else unattributed. Scoring stays two-class."""
    if label is not None:
        return label
    return rules if rules != positive else "unattributed"


def polnear(data: Path) -> tuple[list[Example], list[str], list[Example], list[str]]:
    """(train examples, labels, dev examples, gold) of PolNeAR, the rules run on each
    whole article as ingest runs them."""
    with gzip.open(data / "polnear_train.jsonl.gz", "rt", encoding="utf-8") as f:
        articles = sorted((json.loads(line) for line in f), key=lambda a: a["article"])
    out: list[tuple[list[Example], list[str]]] = [([], []), ([], [])]
    for n, art in enumerate(articles):
        text, units = art["text"], art["units"]
        pairs = [
            ("title" if u["kind"] == "title" else "sentence", text[u["start"] : u["end"]])
            for u in units
        ]
        rules = suggest_article(pairs)
        part = out[1] if n >= len(articles) - 84 else out[0]
        for i, (u, s) in enumerate(zip(units, rules, strict=True)):
            if u["kind"] != "sentence":
                continue
            part[0].append(
                Example(
                    f"{art['article']}:{i}",
                    art["article"],
                    pairs[i][1],
                    pairs[i - 1][1] if i else "",
                    RuleView.of_suggestion(s),
                    rules[i - 1].label if i else None,
                )
            )
            part[1].append(finer("attributed" if u["gold"] == "attributed" else None, s.label))
    return out[0][0], out[0][1], out[1][0], out[1][1]


def checkthat(data: Path) -> tuple[list[Example], list[str], list[Example], list[str]]:
    def read(name: str) -> tuple[list[Example], list[str]]:
        with open(data / "checkthat" / name, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
        xs = [
            # No article context in this data: each sentence stands alone (its own group).
            Example(
                r["sentence_id"],
                r["sentence_id"],
                r["sentence"],
                "",
                RuleView.of_suggestion(suggest(r["sentence"])),
            )
            for r in rows
        ]
        return xs, [
            finer(
                "editorial" if r["label"] == "SUBJ" else None, x.rules.label, positive="editorial"
            )
            for r, x in zip(rows, xs, strict=True)
        ]

    return (*read("train_en.tsv"), *read("dev_en.tsv"))


def text_only(examples: list[Example]) -> list[Example]:
    """The examples with every rules' signal blanked: what a model without the rules reads."""
    blank = RuleView("", 0.0, "")
    return [replace(e, rules=blank, previous_rules=None) for e in examples]


def text_model(
    tr: list[Example], ytr: list[str], dev: list[Example], gold: list[str], positive: str
) -> float:
    """Macro-F1 on dev of the model trained on the text alone."""
    preds = train(text_only(tr), ytr).model.predict(text_only(dev))
    g = [positive if x == positive else "other" for x in gold]
    m = [positive if p.model_label == positive else "other" for p in preds]
    return macro_f1(g, m, (positive, "other"))


def three_ways(
    tr: list[Example], ytr: list[str], dev: list[Example], gold: list[str], positive: str
) -> tuple[float, float, float, object]:
    """Macro-F1 on dev of (rules, model, rules + model) for a model trained on tr."""
    trained = train(tr, ytr)
    preds = trained.model.predict(dev)

    def binary(labels: list[str]) -> list[str]:
        return [positive if x == positive else "other" for x in labels]

    g = binary(gold)
    labels = (positive, "other")
    return (
        macro_f1(g, binary([e.rules.label for e in dev]), labels),
        macro_f1(g, binary([p.model_label for p in preds]), labels),
        macro_f1(g, binary([p.label for p in preds]), labels),
        trained,
    )


def draw_articles(
    examples: list[Example], labels: list[str], n: int, seed: int
) -> tuple[list[Example], list[str]]:
    """Whole articles at random until ``n`` labelled sentences (cut at n)."""
    by: dict[str, list[int]] = {}
    for i, e in enumerate(examples):
        by.setdefault(e.article_id, []).append(i)
    arts = sorted(by)
    random.Random(seed).shuffle(arts)
    chosen: list[int] = []
    for a in arts:
        chosen.extend(by[a])
        if len(chosen) >= n:
            break
    chosen = chosen[:n]
    return [examples[i] for i in chosen], [labels[i] for i in chosen]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA, help=f"the shared data (default {DATA})")
    ap.add_argument("--draws", type=int, default=3, help="draws of 500 labelled sentences")
    ap.add_argument("--no-curve", action="store_true", help="skip the learning curve")
    args = ap.parse_args()
    if not (args.data / "polnear_train.jsonl.gz").exists():
        sys.exit(f"no shared data at {args.data} (see --data)")
    t0 = time.time()
    tr, ytr, dev, gold = polnear(args.data)
    print(
        f"PolNeAR: {len(tr)} training sentences ({len({e.article_id for e in tr})} articles), "
        f"{len(dev)} scored ({len({e.article_id for e in dev})} articles); "
        f"rules run in {time.time() - t0:.0f}s"
    )
    t1 = time.time()
    r, m, b, trained = three_ways(tr, ytr, dev, gold, "attributed")
    cv = trained.cv  # type: ignore[attr-defined]
    print(
        f"  trained in {time.time() - t1:.0f}s; grouped {cv.folds}-fold CV on the training labels: "
        f"rules {cv.rules.macro_f1:.3f}, model {cv.model.macro_f1:.3f}, "
        f"rules + model {cv.blend.macro_f1:.3f}"
    )
    print(
        f"  dev macro-F1 (G1, all sentences): rules {r:.3f}  model {m:.3f}  rules + model {b:.3f}"
    )
    pn_text = text_model(tr, ytr, dev, gold, "attributed")
    print(f"  the model on the text alone (no rules' signals): {pn_text:.3f}")
    pn = (r, m, b)

    ct_tr, ct_ytr, ct_dev, ct_gold = checkthat(args.data)
    r, m, b, _ = three_ways(ct_tr, ct_ytr, ct_dev, ct_gold, "editorial")
    print(f"CheckThat!: {len(ct_tr)} training sentences, {len(ct_dev)} scored (dev_en)")
    print(f"  dev macro-F1 (SUBJ vs OBJ): rules {r:.3f}  model {m:.3f}  rules + model {b:.3f}")
    ct_text = text_model(ct_tr, ct_ytr, ct_dev, ct_gold, "editorial")
    print(f"  the model on the text alone (no rules' signals): {ct_text:.3f}")
    ct = (r, m, b)

    early = []
    for seed in range(args.draws):
        xs, ys = draw_articles(tr, ytr, 500, seed)
        early.append(three_ways(xs, ys, dev, gold, "attributed")[:3])
    mean = [sum(e[i] for e in early) / len(early) for i in range(3)]
    worst = min(e[2] - e[0] for e in early)
    print(
        f"PolNeAR with 500 labelled sentences ({args.draws} draws of whole articles): "
        f"rules {mean[0]:.3f}  model {mean[1]:.3f}  rules + model {mean[2]:.3f} "
        f"(blend - rules, worst draw {worst:+.3f})"
    )

    if not args.no_curve:
        print("Learning curve on PolNeAR dev (share of the training articles):")
        print(f"  {'labels':>7} {'share':>6} {'rules':>6} {'model':>6} {'rules+model':>11}")
        arts = sorted({e.article_id for e in tr})
        random.Random(0).shuffle(arts)
        for share in (0.1, 0.25, 0.5, 0.75, 1.0):
            keep = set(arts[: round(len(arts) * share)])
            idx = [i for i, e in enumerate(tr) if e.article_id in keep]
            r, m, b, _ = three_ways(
                [tr[i] for i in idx], [ytr[i] for i in idx], dev, gold, "attributed"
            )
            print(f"  {len(idx):>7} {share:>6.0%} {r:>6.3f} {m:>6.3f} {b:>11.3f}")

    def met(t: tuple[float, float, float], target: float, alone: float) -> bool:
        return t[2] >= target and t[2] > max(t[0], alone)

    early_ok = mean[2] >= mean[0]
    ok = met(pn, 0.85, pn[1]) and met(ct, 0.70, ct[1]) and early_ok
    ok_text = met(pn, 0.85, pn_text) and met(ct, 0.70, ct_text) and early_ok
    print(f"(elapsed {time.time() - t0:.0f}s)")
    print(
        f"SUMMARY PolNeAR dev rules+model {pn[2]:.3f} (rules {pn[0]:.3f}, "
        f"model {pn[1]:.3f}; target >= 0.85); CheckThat! dev rules+model {ct[2]:.3f} "
        f"(rules {ct[0]:.3f}, model {ct[1]:.3f}; target >= 0.70); 500 labels rules+model "
        f"{mean[2]:.3f} vs rules {mean[0]:.3f}; targets {'met' if ok else 'NOT met'}"
    )
    print(
        f"  against the model on the text alone (PolNeAR {pn_text:.3f}, CheckThat! "
        f"{ct_text:.3f}): PolNeAR {'met' if met(pn, 0.85, pn_text) else 'NOT met'}, "
        f"CheckThat! {'met' if met(ct, 0.70, ct_text) else 'NOT met'}; all targets "
        f"{'met' if ok_text else 'NOT met'}"
    )


if __name__ == "__main__":
    main()
