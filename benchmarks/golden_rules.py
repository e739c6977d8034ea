"""Sentence segmentation quality on the golden rules, and its speed against bare Punkt.

Scores three segmenters on the golden-rule cases (a case passes when the stripped
sentences equal the expected ones): bare Punkt, Punkt with annotate's abbreviation list
only, and annotate's full segmenter; lists the cases the full segmenter fails; then
prints its throughput relative to bare ``PunktSentenceTokenizer().span_tokenize`` on the
sample articles' text repeated 200 times (target: <= 1.4x the time of bare Punkt).

    python benchmarks/golden_rules.py [PATH | --data PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

from annotate.segment import punkt_abbreviations, split_sentences

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = Path(__file__).resolve().parents[1].parent / "shared/benchmarks/golden_rules_en.json"
REPEAT = 200

Splitter = Callable[[str], list[tuple[int, int]]]


def punkt_splitter(tokenizer: PunktSentenceTokenizer) -> Splitter:
    return lambda text: list(tokenizer.span_tokenize(text))


def sentences(split: Splitter, text: str) -> list[str]:
    return [text[s:e].strip() for s, e in split(text)]


def score(split: Splitter, cases: list[dict]) -> tuple[int, list[tuple[int, dict, list[str]]]]:
    """Number of passing cases, and (index, case, output) for each failing one."""
    failures = []
    for i, case in enumerate(cases):
        got = sentences(split, case["text"])
        if got != case["sentences"]:
            failures.append((i, case, got))
    return len(cases) - len(failures), failures


def best_time(split: Splitter, text: str, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        t0 = time.perf_counter()
        split(text)
        best = min(best, time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, help="golden rules JSON")
    parser.add_argument("--data", type=Path, help="golden rules JSON (same as PATH)")
    args = parser.parse_args(argv)
    path = args.data or args.path or DEFAULT_DATA
    cases = json.loads(path.read_text(encoding="utf-8"))["cases"]

    abbrev_params = PunktParameters()
    abbrev_params.abbrev_types = set(punkt_abbreviations())
    contenders: list[tuple[str, Splitter]] = [
        ("bare Punkt", punkt_splitter(PunktSentenceTokenizer())),
        ("Punkt + abbreviations", punkt_splitter(PunktSentenceTokenizer(abbrev_params))),
        ("annotate", split_sentences),
    ]
    print(f"golden rules: {path}")
    failures: list[tuple[int, dict, list[str]]] = []
    for name, split in contenders:
        passed, failures = score(split, cases)
        print(f"  {name:<24} {passed}/{len(cases)}")
    hard = sum(1 for _, case, _ in failures if case.get("hard"))
    print(f"annotate fails {len(failures)} case(s), {hard} of them marked hard:")
    for i, case, got in failures:
        print(f"  #{i}{' (hard)' if case.get('hard') else ''}: {case['text']!r}")
        print(f"      expected {case['sentences']!r}")
        print(f"      got      {got!r}")

    samples = [p.read_text(encoding="utf-8") for p in sorted((REPO / "corpus").glob("*.txt"))]
    text = "\n\n".join(samples * REPEAT)
    bare = best_time(punkt_splitter(PunktSentenceTokenizer()), text)
    ours = best_time(split_sentences, text)
    mb = len(text.encode("utf-8")) / 1e6
    print(f"throughput on the sample articles x{REPEAT} ({mb:.1f} MB):")
    print(f"  bare Punkt {mb / bare:.2f} MB/s, annotate {mb / ours:.2f} MB/s")
    print(f"  annotate takes {ours / bare:.2f}x the time of bare Punkt (target <= 1.4x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
