"""Cleaning quality on 143 real news pages with external gold, and HTML ingest speed.

Runs the shared scorer (``../shared/benchmarks/real_pages/score.py``, which reads the
pages and their gold from there: nothing is copied into this repository) on the real
``annotate`` command of this environment, with this Python as ``--peer-python`` so that
trafilatura's ``extract()`` alone is scored and timed beside annotate in the same run.
Prints the scorer's every figure, then the speed ratio: annotate's full ingest of the
HTML pages per page over trafilatura's ``extract()`` per page (target: <= 2.0x).

    python benchmarks/real_pages.py [--repeat N] [--details DIR] [--data DIR]

Targets for the HTML form: body-sentence recall >= 0.97, snippet recall >= 0.95,
leakage <= 0.08, junk <= 2%, no page without a sentence unit.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "benchmarks" / "real_pages"
_ANNOTATE_TIME = re.compile(r"^time annotate html: .*?([\d.]+) ms/page$", re.MULTILINE)
_PEER_TIME = re.compile(r"^time trafilatura \S+: .*?([\d.]+) ms/page mean", re.MULTILINE)


def speed_ratio(report: str) -> str:
    """The line comparing annotate's HTML ingest with trafilatura alone, per page."""
    ours, theirs = _ANNOTATE_TIME.search(report), _PEER_TIME.search(report)
    if ours is None or theirs is None:
        return "speed ratio: not measured (trafilatura was not run)"
    ratio = float(ours.group(1)) / max(float(theirs.group(1)), 1e-9)
    return (
        f"speed ratio: annotate ingest of the HTML pages {ours.group(1)} ms/page / "
        f"trafilatura extract() {theirs.group(1)} ms/page = {ratio:.2f}x (target <= 2.0x)"
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA, help=f"the pages and gold (default {DATA})")
    ap.add_argument("--repeat", type=int, default=1, help="fastest of N timed runs (default 1)")
    ap.add_argument("--details", type=Path, help="write every miss and leak per page here")
    args = ap.parse_args()
    annotate = Path(sys.executable).with_name("annotate")
    command = [
        sys.executable,
        str(args.data / "score.py"),
        str(annotate),
        "--peer-python",
        sys.executable,
        "--repeat",
        str(args.repeat),
    ]
    if args.details:
        command += ["--details", str(args.details)]
    proc = subprocess.run(command, capture_output=True, text=True)
    sys.stdout.write(proc.stdout)
    sys.stderr.write(proc.stderr)
    print(speed_ratio(proc.stdout))
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main())
