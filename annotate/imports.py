"""Importing a library without the heavy optional packages it would pull in.

Some libraries import pandas, NumPy, SciPy or scikit-learn whenever they are installed
(and they are, for ``annotate train``), each behind a ``try: import … except
ImportError``, for parts annotate never uses: nltk for Punkt (about 170 MB in every
process that splits sentences), sqlite-utils for its pandas column types (most of a
second before the app's first paint on a new database). ``without`` imports such a
library with those packages out of reach.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def without(*names: str) -> Iterator[None]:
    """Inside the block, importing any of ``names`` not imported yet raises ImportError
    (None in ``sys.modules``); afterwards every one of them imports as usual. Packages
    already imported stay as they are."""
    blocked = [name for name in names if name not in sys.modules]
    sys.modules.update(dict.fromkeys(blocked))  # type: ignore[arg-type]
    try:
        yield
    finally:
        for name in blocked:
            if name in sys.modules and sys.modules[name] is None:
                del sys.modules[name]
