"""Importing a library without the heavy optional packages it would pull in.

Some libraries import pandas, NumPy, SciPy or scikit-learn whenever they are installed
(and they are, for ``annotate train``), each behind a ``try: import … except
ImportError``, for parts annotate never uses: nltk for Punkt (about 170 MB in every
process that splits sentences), sqlite-utils for its pandas column types (most of a
second before the app's first paint on a new database). ``without`` imports such a
library with those packages out of reach.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any


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


class _Deferred(ModuleType):
    """A package whose ``__init__`` has not run yet: it runs at the first attribute the
    package does not have (its submodules, once imported, it has)."""

    _holding = True  # while ``submodule_alone`` imports: a missing name is just missing

    def __getattr__(self, name: str) -> Any:
        if type(self)._holding:
            raise AttributeError(name)
        # The package around it runs first, as in an ordinary import (and that may well
        # run this one's __init__ itself).
        parent = sys.modules.get(self.__name__.rpartition(".")[0])
        if isinstance(parent, _Deferred):
            parent._run()
        if isinstance(self, _Deferred):
            self._run()
        return getattr(self, name)

    def _run(self) -> None:
        spec = self.__spec__
        object.__setattr__(self, "__class__", ModuleType)  # from now on an ordinary module
        if spec is not None and spec.loader is not None:
            spec.loader.exec_module(self)


def submodule_alone(name: str) -> ModuleType:
    """Import the module ``name`` without running its packages' ``__init__`` first.

    nltk's ``__init__`` imports all of nltk (corpora, parsers, translation metrics) for
    the one module Punkt needs, more than half a second of every run that splits
    sentences. Each package that was not imported yet is put in place unexecuted, and
    its ``__init__`` runs only if something later asks it for a name it does not have
    (``nltk.word_tokenize`` after nltk is imported), so the rest of the program sees nltk as usual.
    A package that cannot be set up this way is imported as usual.
    """
    if name in sys.modules:
        return sys.modules[name]
    parts = name.split(".")
    _Deferred._holding = True
    try:
        for i in range(1, len(parts)):
            package = ".".join(parts[:i])
            if package in sys.modules:
                continue
            spec = importlib.util.find_spec(package)
            if spec is None or spec.submodule_search_locations is None:
                break  # not a package on a path: the import below says what is wrong
            module = importlib.util.module_from_spec(spec)
            module.__class__ = _Deferred
            sys.modules[package] = module
            if i > 1:
                setattr(sys.modules[".".join(parts[: i - 1])], parts[i - 1], module)
        return importlib.import_module(name)
    finally:
        _Deferred._holding = False
