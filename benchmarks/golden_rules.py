"""Sentence segmentation quality on the golden rules, and its speed against bare Punkt.

Scores three segmenters on the golden-rule cases (a case passes when the stripped
sentences equal the expected ones): bare Punkt, Punkt with annotate's abbreviation list
only, and annotate's full segmenter; lists the cases the full segmenter fails; then
prints its throughput relative to bare ``PunktSentenceTokenizer().span_tokenize`` on the
sample articles' text repeated 200 times, as one text and paragraph by paragraph
(target: <= 1.4x the time of bare Punkt). The Punkt that annotate runs (shipped
parameters, patterns on ``re``) is timed alone too, to show what the rules cost.

    python benchmarks/golden_rules.py [PATH | --data PATH]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

from nltk.tokenize.punkt import PunktParameters, PunktSentenceTokenizer

from annotate.text.segment import punkt_abbreviations, punkt_tokenizer, split_sentences

REPO = Path(__file__).resolve().parents[1]
DEFAULT_DATA = REPO.parent / "shared/benchmarks/golden_rules_en.json"
REPEAT = 200
ROUNDS = 5

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


def best_times(splits: list[Splitter], pieces: list[str]) -> list[float]:
    """Best wall time of each splitter over all pieces; rounds interleave to share the noise."""
    best = [float("inf")] * len(splits)
    for _ in range(ROUNDS):
        for i, split in enumerate(splits):
            t0 = time.perf_counter()
            for piece in pieces:
                split(piece)
            best[i] = min(best[i], time.perf_counter() - t0)
    return best


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", nargs="?", type=Path, help="golden rules JSON")
    parser.add_argument("--data", type=Path, help="golden rules JSON (same as PATH)")
    args = parser.parse_args(argv)
    path = args.data or args.path or DEFAULT_DATA
    if not path.is_file():
        parser.error(f"no golden rules at {path}: give the JSON file's path")
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
    paragraphs = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    mb = len(text.encode("utf-8")) / 1e6
    print(f"throughput on the sample articles x{REPEAT} ({mb:.1f} MB), best of {ROUNDS}:")
    bare = punkt_splitter(PunktSentenceTokenizer())
    runs: list[tuple[str, Splitter]] = [
        ("bare Punkt", bare),
        ("annotate's Punkt, no rules", punkt_splitter(punkt_tokenizer())),
        ("annotate", split_sentences),
    ]
    for label, pieces in [("as one text", [text]), ("paragraph by paragraph", paragraphs)]:
        times = best_times([split for _, split in runs], pieces)
        print(f"  {label}:")
        for (name, _), seconds in zip(runs, times, strict=True):
            print(f"    {name:<28} {mb / seconds:5.2f} MB/s  {seconds / times[0]:.2f}x bare Punkt")
    print("  target: annotate <= 1.4x the time of bare Punkt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
