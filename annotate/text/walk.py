"""The corpus walk: which files under a corpus root are candidate articles, in order.

Apart from reading (decoding, formats, repair) because a run over an unchanged corpus
needs only this: the walk, a stat of each file and a comparison with the stored file
records. Importing the readers (their patterns, the HTML parser) would cost that run
more than the walk itself, so this module imports nothing but ``os``.
"""

from __future__ import annotations

import os
from collections.abc import Collection
from pathlib import Path


def corpus_files(root: Path, *, exclude: Collection[Path] = ()) -> list[Path]:
    """Every candidate file under ``root``, sorted by relative POSIX path.

    Hidden files and directories (name starting with ".") and the paths in ``exclude``
    (the database and its -wal/-shm/-journal files) are left out. Unsupported files are
    included so that reading can say why they were skipped; so are directories that
    cannot be listed, directory symlinks that loop and directory symlinks that lead out
    of ``root`` (never walked). Nothing is read: this is cheap enough to give a progress
    bar its total.
    """
    top = str(root)
    return [Path(entry_path(top, rel)) for rel in corpus_paths(root, exclude=exclude)]


def entry_path(root: str, rel: str) -> str:
    """The path of the file at ``rel`` (a relative POSIX path) under ``root`` as the walk
    found it: ``os.scandir``'s, the folders' paths and the name joined."""
    # os.path.join's result, without its checks: a run over an unchanged corpus makes
    # one a file, and the walk's folder paths and names are plain strings.
    if os.sep != "/":
        rel = rel.replace("/", os.sep)
    return root + rel if root.endswith(os.sep) else f"{root}{os.sep}{rel}"


def corpus_paths(root: Path, *, exclude: Collection[Path] = ()) -> list[str]:
    """:func:`corpus_files` as relative POSIX paths (a file's path is ``entry_path(str(root),
    rel)``): what a run over an unchanged corpus compares with the stored file records,
    without a ``Path``, nor a second string, a file."""
    root = Path(root)
    excluded = {real_path(Path(p)) for p in exclude}
    excluded_names = {Path(p).name for p in exclude}
    real_root = real_path(root)
    found: list[str] = []
    # Each entry: (directory, its relative path, its real path, real paths of it and its
    # ancestors).
    stack: list[tuple[str, str, str, frozenset[str]]] = [
        (str(root), "", real_root, frozenset([real_root]))
    ]
    while stack:
        directory, prefix, real_dir, ancestors = stack.pop()
        try:
            entries = list(os.scandir(directory))
        except OSError:
            if prefix:  # reading says why (permission denied); a vanished one is gone
                if os.path.lexists(directory):
                    found.append(prefix)
            continue
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue
            rel = f"{prefix}/{name}" if prefix else name
            if name in excluded_names and real_path(Path(entry.path)) in excluded:
                continue
            try:
                is_dir = entry.is_dir()
            except OSError:  # e.g. a symlink pointing to itself
                is_dir = False
            if not is_dir:
                found.append(rel)
                continue
            # A folder that is not a link is where its parent is (no system call to ask).
            try:
                link = entry.is_symlink()
            except OSError:
                link = True
            real = real_path(Path(entry.path)) if link else os.path.join(real_dir, name)
            if real in ancestors or not inside(real, real_root):
                # A loop, or a link out of the corpus: reading reports it, once.
                found.append(rel)
            else:
                stack.append((entry.path, rel, real, ancestors | {real}))
    found.sort()
    return found


def real_path(path: Path) -> str:
    """``path`` with every symlink resolved (its absolute path if that fails)."""
    try:
        return os.path.realpath(path)
    except (OSError, ValueError):
        return os.path.abspath(path)


def inside(real: str, real_root: str) -> bool:
    """Whether the resolved path ``real`` is ``real_root`` or below it."""
    return real == real_root or real.startswith(real_root.rstrip(os.sep) + os.sep)
