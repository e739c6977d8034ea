"""Article titles found in browser-copied text, checked against the page's HTML metadata.

For each of the 143 real pages in ``../shared/benchmarks/real_pages/`` (read from there,
nothing is copied into this repository), reads the ``.txt`` form (the page as a reader
copies it from a browser) as ``annotate ingest`` does and takes the title cleaning finds
in it; reads the page's title from the HTML form's metadata with trafilatura
(``extract_metadata``: og:title, JSON-LD headline, <title>); and prints how many agree.
Titles are compared normalised (NFKC, case, quotes, dashes and punctuation), and a site
name before or after a separator ("Headline | Site", "Site - Headline") is allowed.

    python benchmarks/titles.py [--data DIR] [--misses]
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
import unicodedata
from pathlib import Path

from annotate.ingest import split_document
from annotate.model import Document
from annotate.text.reading import read_bytes

REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "benchmarks" / "real_pages"
_SEPARATED = re.compile(r"\s+[|\-–—:•·]\s+|\s+[|\-–—•·]|[|\-–—•·]\s+")
_NOT_WORD = re.compile(r"[^\w]+")


def norm(title: str) -> str:
    """Words only, case-folded: quotes, dashes and punctuation don't count."""
    text = unicodedata.normalize("NFKC", title).casefold()
    return " ".join(_NOT_WORD.sub(" ", text).split())


def _variants(title: str) -> set[str]:
    """The title, and the title without a site name before or after a separator."""
    found = {norm(title)}
    parts = _SEPARATED.split(title)
    for cut in range(1, len(parts)):
        found.add(norm(" - ".join(parts[:cut])))
        found.add(norm(" - ".join(parts[cut:])))
    found.discard("")
    return found


def same_title(found: str | None, meta: str | None) -> bool:
    """Whether the text's title names the metadata's, allowing a site name around it."""
    if not found or not meta:
        return False
    return bool(_variants(found) & _variants(meta))


def text_title(path: Path) -> str | None:
    """The title cleaning finds in a browser-text page, as ``annotate ingest`` reads it."""
    docs = [d for d in read_bytes(path.read_bytes(), path.name) if isinstance(d, Document)]
    if not docs:
        return None
    article = split_document(docs[0]).clean
    return article.title if article is not None else None


def meta_title(path: Path) -> str | None:
    """The page's title from its HTML metadata, by trafilatura."""
    from trafilatura import extract_metadata

    html = gzip.decompress(path.read_bytes()).decode("utf-8", "replace")
    found = extract_metadata(html)
    return found.title if found is not None else None


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA, help=f"the pages and gold (default {DATA})")
    ap.add_argument("--misses", action="store_true", help="print every page whose title differs")
    args = ap.parse_args()
    pages = json.loads((args.data / "gold.json").read_text())["pages"]
    matched = compared = 0
    for page in pages:
        meta = meta_title(args.data / page["html"])
        if not meta:
            continue
        compared += 1
        found = text_title(args.data / page["txt"])
        if same_title(found, meta):
            matched += 1
        elif args.misses:
            print(f"{page['id']}\n  text: {found!r}\n  html: {meta!r}")
    print(f"text-form titles matching the HTML metadata title: {matched} of {compared} pages")
    print(f"({len(pages) - compared} pages without a metadata title not counted)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
