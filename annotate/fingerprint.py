"""Fingerprints of rules: what the rules say, not the bytes of the files that hold them.

Stored segmentations and suggestions carry the fingerprint of the rules that made them, so a
change of the rules redoes them on the next ingest. A hash of file bytes would redo every
user's database for a comment or docstring edit, and a hash of a hand-kept file list silently
leaves out code moved to a new file. Here a package's fingerprint is built from the syntax
tree of every module in it (comments, docstrings, formatting and line numbers left out),
plus the data files its rules load. Nothing is imported, and each module's tree is
remembered by the hash of its bytes in the user's cache folder, so checking an unchanged
corpus costs a read of the files, not a parse.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

_DOCUMENTED = (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)


def _without_docstrings(tree: ast.AST) -> ast.AST:
    for node in ast.walk(tree):
        if not isinstance(node, _DOCUMENTED):
            continue
        body = node.body
        if (
            body
            and isinstance(body[0], ast.Expr)
            and isinstance(body[0].value, ast.Constant)
            and isinstance(body[0].value.value, str)
        ):
            node.body = body[1:] or [ast.Pass()]
    return tree


def source_fingerprint(source: str) -> str:
    """The text of what ``source`` (Python) does: its syntax tree without docstrings."""
    tree = _without_docstrings(ast.parse(source))
    return ast.dump(tree, annotate_fields=False, include_attributes=False)


def fingerprint(
    package: Path, *, data_files: Iterable[Path] = (), extra: Iterable[str] = ()
) -> str:
    """A 12-hex-digit fingerprint of every module under the folder ``package``, the
    ``data_files`` (bytes) and the ``extra`` strings (versions of libraries the rules use)."""
    cache = _Cache.load()
    h = hashlib.sha256()
    for path in sorted(package.rglob("*.py")):
        h.update(path.relative_to(package).as_posix().encode())
        h.update(cache.tree_hash(path.read_bytes()).encode())
    cache.save()
    for path in sorted(Path(p) for p in data_files):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    for item in extra:
        h.update(item.encode())
    return h.hexdigest()[:12]


class _Cache:
    """sha256 of a module's bytes -> sha256 of its docstring-free syntax tree."""

    def __init__(self, path: Path, known: dict[str, str]) -> None:
        self.path, self.known, self.changed = path, known, False

    @classmethod
    def load(cls) -> _Cache:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        path = Path(base) / "annotate" / "fingerprints.json"
        try:
            known = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            known = {}
        return cls(path, known if isinstance(known, dict) else {})

    def tree_hash(self, source: bytes) -> str:
        key = hashlib.sha256(source).hexdigest()
        value = self.known.get(key)
        if not isinstance(value, str):
            text = source_fingerprint(source.decode("utf-8"))
            value = self.known[key] = hashlib.sha256(text.encode()).hexdigest()
            self.changed = True
        return value

    def save(self) -> None:
        if not self.changed:
            return
        # Old entries go: only the modules seen in this run and the last few runs matter.
        entries = dict(list(self.known.items())[-200:])
        tmp = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps(entries), encoding="utf-8")
            os.replace(tmp, self.path)
        except OSError:  # a read-only home: the fingerprint is the same, just slower next time
            tmp.unlink(missing_ok=True)
