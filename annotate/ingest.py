"""Ingest: run corpus files through reading, cleaning and segmentation into the store.

``ingest()`` is a generator of events (progress, skipped files, per-article results, a
final summary) so the CLI can draw a progress bar and the TUI can run it in a worker
thread; it never prints. It streams one file at a time, so memory does not grow with the
corpus, and it skips files whose size, mtime and pipeline version are unchanged without
reading them, so a re-run on an unchanged corpus imports neither the readers nor nltk.
"""

from __future__ import annotations

import hashlib
import os
import sys
from array import array
from bisect import bisect_left
from collections import Counter, deque
from collections.abc import Callable, Collection, Generator, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache, partial
from itertools import accumulate, repeat
from operator import add
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol

from annotate.model import SENTENCE, Block, CleanArticle, Document, Skipped, Unit, article_id
from annotate.store import FileRecord, Store
from annotate.text.walk import entry_path, real_path
from annotate.visible import encodable

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor

    from annotate.store import SegmentEditRecord, UnitView
    from annotate.suggest.cues import Suggestion

_PACKAGE = Path(__file__).parent


@cache
def pipeline_version() -> str:
    """A fingerprint of the reading, cleaning and segmentation rules and the Punkt data.

    Built from what the code of ``annotate.text`` says (``annotate.fingerprint``): a change
    of the rules re-segments articles on the next ingest without anyone having to remember
    to bump a number, and a comment or docstring edit changes nothing.
    """
    from annotate.fingerprint import fingerprint

    version = _dist_version

    # Punkt's behaviour can change with nltk itself, and what is found in an HTML page
    # with trafilatura, so their versions are part of the rules.
    data = _PACKAGE / "data"
    return fingerprint(
        _PACKAGE / "text",
        data_files=[*sorted(data.glob("punkt*")), data / "furniture_phrases.toml"],
        extra=[f"nltk {version('nltk')}", f"trafilatura {version('trafilatura')}"],
    )


def _dist_version(name: str) -> str:
    """An installed distribution's version, as ``importlib.metadata.version`` gives it,
    read from its ``<name>-<version>.dist-info`` folder name when there is one: importing
    importlib.metadata costs more than a whole run on an unchanged corpus."""
    stem, suffix = f"{name.lower()}-", ".dist-info"
    for entry in sys.path:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for found in names:
            if found.endswith(suffix) and found[: len(stem)].lower() == stem:
                number = found[len(stem) : -len(suffix)]
                if number and "-" not in number:
                    return number
    from importlib.metadata import version

    return version(name)


@dataclass(frozen=True)
class Segmented:
    """An article run through cleaning (unless raw) and segmentation."""

    clean: CleanArticle | None
    cleaned: str
    units: list[Unit]
    # The rules run on ``units`` where they were split (an ingest worker), when asked.
    suggested: Suggested | None = None


@dataclass(frozen=True)
class Suggested:
    """The suggestion pass on one article's units, computed beside its splitting: the
    rules' suggestions and each claim unit's ``claim_key`` (None for other units)."""

    rules: str
    texts: tuple[str, ...]  # the units these are for, to check they still apply
    suggestions: list[Suggestion]
    claims: list[ClaimKey | None]


# A claim unit as the claim index holds it: the id of its class (units with the same
# content words) and those words, sorted (a tuple: sent from a worker, its words are
# sent once for all the articles of a task).
ClaimKey = tuple[int, tuple[str, ...]]


def claim_key(words: frozenset[str]) -> ClaimKey | None:
    """A claim unit's content words as indexed; None for too few to group on."""
    from annotate.suggest.claims import MIN_WORDS, sorted_class_id

    if len(words) < MIN_WORDS:
        return None
    ordered = tuple(sorted(words))
    return sorted_class_id(ordered), ordered


# News repeats itself (republished wire copy, boilerplate lines): the claim keys of the
# most recent texts are kept, as cues keeps their analyses (sorting and hashing the words
# again for every copy was most of the claim side of the suggestion pass).
@lru_cache(maxsize=4096)
def _claim_key_of(text: str) -> ClaimKey | None:
    from annotate.suggest.claims import words_of

    return claim_key(words_of(text))


def suggest_units(units: Sequence[tuple[str, str, int]], rules: str) -> Suggested:
    """The suggestion pass on an article's (kind, text, paragraph) units, in order."""
    from annotate.suggest.cues import suggest_article

    suggestions = suggest_article([(k, t) for k, t, _ in units], [p for _, _, p in units])
    claims = [_claim_key_of(t) if k == SENTENCE else None for k, t, _ in units]
    return Suggested(rules, tuple(t for _, t, _ in units), suggestions, claims)


def split_text(
    text: str,
    *,
    title: str | None = None,
    raw: bool = False,
    content_lines: Collection[int] = (),
    repeated: Collection[str] = frozenset(),
    restored: Collection[str] = frozenset(),
) -> Segmented:
    """Clean (unless ``raw``) and segment one article's repaired text.

    ``content_lines`` are lines an article extractor found to be story content
    (:attr:`Document.content_lines`); ``repeated`` and ``restored`` are handed to
    cleaning (see ``cleaning.clean``).
    """
    from annotate.text.segment import segment

    if raw:
        paragraphs = [p.strip() for p in text.replace("\r", "").split("\n\n")]
        blocks = tuple(Block("paragraph", " ".join(p.split())) for p in paragraphs if p.strip())
        cleaned, units = segment(blocks)
        return Segmented(None, cleaned, units)
    from annotate.text.cleaning import clean

    article = clean(
        text, title=title, content_lines=content_lines, repeated=repeated, restored=restored
    )
    cleaned, units = segment(article.blocks)
    return Segmented(article, cleaned, units)


def split_document(
    doc: Document,
    *,
    raw: bool = False,
    repeated: Collection[str] = frozenset(),
    restored: Collection[str] = frozenset(),
) -> Segmented:
    """:func:`split_text` on one article as read, with what reading found about it."""
    return split_text(
        doc.text,
        title=doc.title,
        raw=raw,
        content_lines=doc.content_lines,
        repeated=repeated,
        restored=restored,
    )


# -- events --------------------------------------------------------------------------


# The events a run yields for every file and article are named tuples: a run over an
# unchanged corpus makes one of each per file, and a frozen dataclass costs several
# times as much to make as the stat that found the file unchanged.


class Progress(NamedTuple):
    """A corpus file has been handled: ``done`` of ``total``."""

    done: int
    total: int
    path: str


class ArticleResult(NamedTuple):
    """One article's outcome: 'added', 'updated' or 'unchanged', and its unit figures."""

    path: str
    status: str
    units: int = 0
    units_added: int = 0
    units_removed: int = 0
    orphaned: int = 0  # label rows left on units that went away
    edits_applied: int = 0  # annotators' merges and splits applied again
    edits_failed: tuple[str, ...] = ()  # those that no longer apply, described
    fallback: str | None = None  # why an HTML page was read by annotate's own reader


@dataclass
class Summary:
    """What an ingest run did, for the closing report."""

    files: int = 0
    files_unchanged: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    units_added: int = 0
    units_removed: int = 0
    # Labels whose sentence changed: kept as orphans, listed by ``annotate stats --orphans``.
    orphaned: int = 0
    edits_applied: int = 0
    edits_failed: list[str] = field(default_factory=list)  # "path: merge of ... with ..."
    skipped: list[Skipped] = field(default_factory=list)
    missing_files: list[str] = field(default_factory=list)
    # HTML pages read by annotate's own reader, not the article extractor: "path: why".
    fallbacks: list[str] = field(default_factory=list)
    # Articles added or updated that hold nothing to label: worth a line, not silence.
    no_claims: list[str] = field(default_factory=list)
    # With ``ingest(suggest=True)``: the articles and units given suggestions meanwhile.
    suggested_articles: int = 0
    suggested_units: int = 0

    @property
    def articles(self) -> int:
        return self.added + self.updated + self.unchanged

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)


Event = Progress | ArticleResult | Skipped | Summary


def ingest(
    store: Store,
    root: Path,
    *,
    exclude: Collection[Path] = (),
    workers: int | None = None,
    suggest: bool = False,
) -> Generator[Event, None, Summary]:
    """Ingest every article under ``root`` (a folder or one file), yielding events.

    Reading, cleaning and segmentation run in ``workers`` processes when many files
    changed (default: one per CPU, or ``ANNOTATE_WORKERS``; 0 keeps everything in this
    process); the store is written here, in corpus order, so the result is the same.
    With ``suggest``, the rules run in the workers too, beside the splitting, and each
    added or updated article's suggestions are stored with it, its claims grouped
    (incrementally, a chunk of articles at a time) as ``suggest_all`` would.
    The last event is always the ``Summary``, which is also the generator's return value
    (``summary = yield from ingest(...)``).
    """
    from annotate.text.walk import corpus_paths

    root = Path(root)
    version = pipeline_version()
    with _fewer_collections(), _Workers(workers) as started:
        if not root.is_file() and not store.has_articles():
            # A first ingest reads every file: its workers are forked before the corpus
            # is listed, so that none holds a copy of the list (nor of the jobs), and
            # their memory does not grow with the corpus.
            started.fork_early()
        if root.is_file():
            base, files = root.parent, [root.name]
        else:
            base, files = root, corpus_paths(root, exclude=exclude)
        confined = not root.is_file()
        known = store.file_records()
        jobs = _JobList.listed(files, known, base, version)
        # One file's shared lines are those it shares with the rest of its folder.
        pool = None if root.is_dir() else siblings(root, exclude)
        run = _ingest_jobs(store, base, known, jobs, confined, pool, started, suggest)
        # The job list holds what the run needs of each file: not two lists a file.
        del files, jobs
        return (yield from run)


# Python's cyclic garbage collector runs a collection every 700 new container objects
# by default, and every tenth of those walks the younger objects again, every hundredth
# every object held. An ingest makes and drops millions of them (unpickled results,
# the rules' analyses), nearly all freed at once by reference counting: at the default
# the collections cost the writing process 0.66 s of its 13.7 s CPU on 10k articles
# (13 full ones), at this threshold a few hundredths of a second. Cycles are still
# collected, so memory stays bounded.
GC_THRESHOLD = 50_000


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Collections at ``GC_THRESHOLD`` for the duration of an ingest (and in the workers
    forked meanwhile), Python's own thresholds again after."""
    import gc

    before = gc.get_threshold()
    gc.set_threshold(max(before[0], GC_THRESHOLD), *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _ingest_jobs(
    store: Store,
    base: Path,
    known: dict[str, FileRecord],
    jobs: _JobList,
    confined: bool,
    pool: list[Path] | None,
    workers: _Workers,
    suggest: bool,
) -> Generator[Event, None, Summary]:
    """``ingest`` once the corpus files are listed, with its worker processes."""
    total = len(jobs)
    summary = Summary(files=total)
    if jobs.pending_count() >= MIN_FILES:  # long enough that packing costs it nothing
        jobs.pack()  # before the repetition pass: it can reuse the strings' memory
    jobs.share(base, known, pool, workers)
    pending = jobs.pending_count()
    yield Progress(0, total, "")  # how many files, before the first is read
    # Writes are grouped into short transactions (see Store.batched). A consumer that
    # stops early closes this generator, which rolls back only the batch in progress; a
    # file's record is written with its articles, so the next run redoes exactly those.
    suggester = _Suggester(store, _rules_version()) if suggest else None
    rules = suggester.rules if suggester is not None else None
    # Nothing to read and no claims to regroup: no write transaction at all, so a run
    # over an unchanged corpus neither waits for the write lock nor holds it.
    quiet = pending == 0 and (suggester is None or not suggester.due())
    # Nothing in the loop below catches a store error: one ends the ingest, its batch
    # rolled back whole, so the articles in it need no savepoint each.
    writing = nullcontext(_no_tick) if quiet else store.batched(whole=True)
    # A store without articles has none of these files' articles (nor restored blocks
    # of them) to look up, file by file: each file's articles are written by its job.
    empty = pending > 0 and not store.has_articles()
    real_base = real_path(base) if confined else None
    # Into an empty store, the indexes on random keys are built once at the end (see
    # ``Store.defer_indexes``): kept up row by row they cost more the bigger it grows.
    # Not for the app's ingest (``yield_now``): its annotator reads the queue meanwhile.
    deferred = empty and suggester is not None and store.yield_now is None
    try:
        with writing as tick:
            if deferred:
                store.defer_indexes()
            # The jobs of the files to read, as they are sent to be prepared (ahead of
            # the writing, in the same order): each is made once.
            sent: deque[_Job] = deque()

            def to_prepare() -> Iterator[_PrepareJob]:
                for j in jobs.pending():
                    sent.append(j)
                    yield _PrepareJob(
                        j.path,
                        base,
                        _StoredShas(store)
                        if _streamed(j)
                        else {}
                        if empty
                        else store.article_shas_of_file(j.rel),
                        j.version,
                        confined,
                        j.repeated.lines(),
                        None if empty else store.restored_blocks_of_file(j.rel),
                        rules,
                        real_base,
                    )

            prepared = _preparer(workers, pending, store.lock_released)(to_prepare())
            # The articles of the unchanged files, read at once: one query a file would cost
            # more than the stat that found it unchanged.
            unchanged_articles = store.article_paths_by_file() if pending < total else {}
            for done, (rel, unchanged) in enumerate(jobs.states(), 1):
                if unchanged:
                    summary.files_unchanged += 1
                    for article in unchanged_articles.get(rel, ()):
                        summary.unchanged += 1
                        yield ArticleResult(article, "unchanged")
                else:
                    items = next(prepared)
                    job = sent.popleft()
                    events = _store_file(store, job, items, job.version, summary, suggester)
                    for event in events:
                        if isinstance(event, ArticleResult) and event.status != "unchanged":
                            if not event.units:
                                summary.no_claims.append(event.path)
                        yield event
                tick()
                yield Progress(done, total, rel)
            if suggester is not None:
                suggester.flush()
                summary.suggested_articles = suggester.articles
                summary.suggested_units = suggester.units
        if suggester is not None:
            suggester.finish()
    except GeneratorExit:
        # Stopped early: what was committed is indexed as ever (a kill -9 leaves that
        # to the next Store.open).
        if deferred and not store.conn.in_transaction:
            store.build_indexes()
        raise
    if deferred:
        store.build_indexes()
    summary.missing_files = jobs.missing(known) if pool is None else []
    yield summary
    return summary


def _no_tick() -> None:
    """``Store.batched``'s tick for a run that writes nothing."""


class Shared(NamedTuple):
    """The lines one file shares with its folder, as which of the folder's shared lines
    they are (a bit each): every file of a big corpus holds an int, not a set of lines."""

    folder: tuple[str, ...]  # the folder's shared lines, sorted (one tuple a folder)
    mask: int

    def __bool__(self) -> bool:
        return bool(self.mask)

    def sorted(self) -> list[str]:
        # The set bits only: a folder may share many lines, a file a few of them.
        out, mask = [], self.mask
        while mask:
            low = mask & -mask
            out.append(self.folder[low.bit_length() - 1])
            mask ^= low
        return out

    def lines(self) -> frozenset[str]:
        return _shared_lines(self)


NONE_SHARED = Shared((), 0)


@lru_cache(maxsize=64)
def _shared_lines(shared: Shared) -> frozenset[str]:
    """The set of a file's shared lines, one object for the files of a folder that share
    the same (made as their jobs are, so sent once for a worker task of them)."""
    return frozenset(shared.sorted())


class _Job(NamedTuple):
    """A corpus file to read: made from the job list only for such a file."""

    full: str  # its path as found (a Path is made only to read it)
    rel: str
    # (size, mtime_ns) as found; None: it could not be stat'ed.
    stat: tuple[int, int] | None
    # The rules' version for this file: pipeline_version, plus a fingerprint of the
    # lines it shares with other articles of its folder when it has such lines.
    version: str
    repeated: Shared = NONE_SHARED

    @property
    def path(self) -> Path:
        return Path(self.full)


# A file's flags in the job list.
_STATED = 1  # its size and mtime were found (else: read_file names the reason)
_UNCHANGED = 2  # size, mtime and rules as recorded: not read


class _Paths:
    """Relative paths, in order, packed: their UTF-8 bytes one after another in one
    buffer, each followed by a NUL (no path holds one), and where each ends. Held for
    every file of a big corpus through an ingest, a path costs its bytes and nine more,
    not a string object (of 70 bytes for a short name); strings are made only as paths
    are asked for, a chunk of them at a time when all are."""

    def __init__(self, paths: Sequence[str] = ()) -> None:
        text = "\0".join(paths) + "\0" if paths else ""
        self.data = text.encode()
        ascii_only = len(self.data) == len(text)  # then a path's bytes are its characters
        lengths = map(len, paths) if ascii_only else (len(p.encode()) for p in paths)
        self.ends = array("q", accumulate(map(add, lengths, repeat(1))))

    def __len__(self) -> int:
        return len(self.ends)

    def __getitem__(self, i: int) -> str:
        return self.data[self.ends[i - 1] if i else 0 : self.ends[i] - 1].decode()

    def __iter__(self) -> Iterator[str]:
        data, ends, start = self.data, self.ends, 0
        for last in range(_PATHS_CHUNK - 1, len(ends) + _PATHS_CHUNK - 1, _PATHS_CHUNK):
            end = ends[min(last, len(ends) - 1)]
            yield from data[start : end - 1].decode().split("\0")
            start = end


_PATHS_CHUNK = 4096


class _JobList:
    """The corpus files of one ingest, in corpus order, and what it found of each: its
    relative path, size and mtime, whether it is unchanged, the lines it shares with its
    folder (after ``share``).

    Held through the whole run, so as columns (a few bytes a file: the paths packed),
    not an object a file with its own strings and ints: that was most of what the
    writing process grew by with the corpus. A ``_Job`` is made only for a file to read.
    """

    def __init__(self, base: Path, version: str) -> None:
        self.version = version  # pipeline_version
        self.base = str(base)
        # Packed (``pack``) for a run that reads many files: one over an unchanged corpus
        # is over before its memory matters, and making each path again costs it more.
        self.rels: list[str] | _Paths = []
        self.sizes = array("q")
        self.mtimes = array("q")
        self.flags = bytearray()
        self.renamed: dict[int, str] = {}  # relative paths as found, when not UTF-8
        self.recorded = 0  # files with a record in the store
        # After ``share``: the lines each folder's files share, and which of them each
        # file shares, for the folders that changed and have such lines.
        self.folders: dict[str, _FolderShare] = {}

    @classmethod
    def listed(
        cls,
        files: Iterable[str],
        known: dict[str, FileRecord],
        base: Path,
        version: str,
    ) -> _JobList:
        """The jobs of the files under ``base`` (relative POSIX paths, as ``corpus_paths``
        lists them), each unchanged when its size, mtime and rules are as recorded. On a
        re-run over an unchanged corpus this and the stat are the whole cost a file:
        strings, no paths."""
        jobs = cls(base, version)
        repeat_version = version + _REPEAT_SEP  # these rules, with some shared lines
        rels: list[str] = []
        sizes, mtimes, flags, top = jobs.sizes, jobs.mtimes, jobs.flags, jobs.base
        for found_as in files:
            rel = found_as if found_as.isascii() else encodable(found_as)
            if rel != found_as:  # a name that is not UTF-8: recorded escaped, read as found
                jobs.renamed[len(rels)] = found_as
            rels.append(rel)
            try:
                found = os.stat(entry_path(top, found_as))
            except OSError:  # broken symlink, loop, vanished file: read_file says why
                sizes.append(0)
                mtimes.append(0)
                flags.append(0)
                continue
            size, mtime_ns = found.st_size, found.st_mtime_ns
            sizes.append(size)
            mtimes.append(mtime_ns)
            record = known.get(rel)
            if record is None:
                flags.append(_STATED)
                continue
            jobs.recorded += 1
            unchanged = (
                record.size == size
                and record.mtime_ns == mtime_ns
                and (record.segmenter == version or record.segmenter.startswith(repeat_version))
            )
            flags.append(_STATED | _UNCHANGED if unchanged else _STATED)
        jobs.rels = rels
        return jobs

    def pack(self) -> None:
        """Hold the paths packed from now on (see ``_Paths``)."""
        if isinstance(self.rels, list):
            self.rels = _Paths(self.rels)

    def __len__(self) -> int:
        return len(self.rels)

    def pending_count(self) -> int:
        """How many files are to be read."""
        return len(self.flags) - self.flags.count(_STATED | _UNCHANGED)

    def states(self) -> Iterator[tuple[str, bool]]:
        """Each file's relative path and whether it is unchanged, in corpus order."""
        for rel, flags in zip(self.rels, self.flags, strict=True):
            yield rel, bool(flags & _UNCHANGED)

    def pending(self) -> Iterator[_Job]:
        """The jobs of the files to read, in corpus order."""
        for i, flags in enumerate(self.flags):
            if not flags & _UNCHANGED:
                yield self.job(i)

    def job(self, i: int) -> _Job:
        stat = (self.sizes[i], self.mtimes[i]) if self.flags[i] & _STATED else None
        repeated = self.shared(i)
        return _Job(self.full(i), self.rels[i], stat, self._version(repeated), repeated)

    def full(self, i: int) -> str:
        """File ``i``'s path as found."""
        return entry_path(self.base, self.renamed.get(i) or self.rels[i])

    def shared(self, i: int) -> Shared:
        """The lines file ``i`` shares with its folder."""
        folder = self.folders.get(_folder(self.rels[i])) if self.folders else None
        mask = 0 if folder is None else folder.mask(i)
        return Shared(folder.lines, mask) if mask and folder is not None else NONE_SHARED

    def _version(self, repeated: Shared) -> str:
        if not repeated:
            return self.version
        digest = hashlib.sha256("\n".join(repeated.sorted()).encode()).hexdigest()[:12]
        return f"{self.version}{_REPEAT_SEP}{digest}"

    def missing(self, known: Collection[str]) -> list[str]:
        """The recorded files that are no longer in the corpus, sorted."""
        if self.recorded == len(known):
            return []
        return sorted(set(known).difference(self.rels))

    def share(
        self,
        base: Path,
        known: dict[str, FileRecord],
        pool: list[Path] | None,
        workers: _Workers,
    ) -> None:
        """Find the lines each file shares with its folder, for the folders that changed.

        A folder none of whose files changed, appeared or went has the same shared
        lines as last time, so nothing in it is read. In a folder that changed, a file
        whose shared lines changed is split again even though the file itself did not
        change, so the result never depends on the order in which files arrived.
        """
        rels = self.rels
        # The paths of the changed files only: on an unchanged corpus, none is made.
        dirty = {_folder(rels[i]) for i, flags in enumerate(self.flags) if not flags & _UNCHANGED}
        if pool is None and self.recorded < len(known):
            present = set(rels)
            dirty.update(_folder(rel) for rel in known if rel not in present)
        if not dirty:
            return
        picked = array("q", (i for i, rel in enumerate(rels) if _folder(rel) in dirty))
        if pool is None:
            for folder in _folder_repeats(picked, self.full, base, workers):
                if folder.lines:
                    self.folders[_folder(rels[folder.numbers[0]])] = folder
        else:  # one file, whose folder is ``pool``
            for folder in _folder_repeats(range(len(pool)), pool.__getitem__, base, workers):
                at = {pool[j]: j for j in folder.numbers}
                for i in picked:
                    j = at.get(Path(self.full(i)))
                    if j is not None and folder.lines:
                        one = _FolderShare(folder.lines, array("q", [i]), [folder.mask(j)])
                        self.folders[_folder(rels[i])] = one
        for i in picked:
            flags = self.flags[i]
            if flags & _UNCHANGED and known[rels[i]].segmenter != self._version(self.shared(i)):
                self.flags[i] = flags & ~_UNCHANGED


_REPEAT_SEP = "+"
_PLAIN_FORMATS = frozenset(("txt", "md"))
_PLAIN_MAX_BYTES = 20 * 1024 * 1024


def folder_repeats(
    paths: Collection[Path], base: Path, *, workers: int | None = 0
) -> dict[Path, frozenset[str]]:
    """The lines each file shares with other articles of its folder (cross-corpus chrome).

    A line (its ``cleaning.line_keys`` key) is chrome when it occurs in at least
    ``cleaning.REPEAT_MIN_ARTICLES`` articles of one folder: the outlet's menus, footers,
    bios and legal lines. Reading only (no cleaning, no splitting), so it is cheap; with
    ``workers`` (as ``ingest`` counts them) the files are read in worker processes. One
    folder's lines are held at a time, and files sharing the same lines share one set.
    """
    paths = list(paths)
    with _Workers(workers) as started:
        found = _folder_repeats(range(len(paths)), paths.__getitem__, base, started)
        return {paths[i]: shared.lines() for folder in found for i, shared in folder.files()}


class _FolderShare:
    """What the repetition pass found in one folder: the lines its files share, sorted,
    and for each file it read (by number, ascending) which of them that file shares, as
    a bit mask of a fixed number of bytes: a few bytes a file, not an int object each."""

    __slots__ = ("lines", "numbers", "masks", "width")

    def __init__(self, lines: tuple[str, ...], numbers: array[int], masks: Iterable[int]):
        self.lines = lines
        self.numbers = numbers
        self.width = (len(lines) + 7) // 8
        self.masks = b"".join(mask.to_bytes(self.width, "little") for mask in masks)

    def _mask_at(self, at: int) -> int:
        width = self.width
        return int.from_bytes(self.masks[at * width : (at + 1) * width], "little")

    def mask(self, i: int) -> int:
        """File ``i``'s mask (0: not read, or sharing none of the lines)."""
        at = bisect_left(self.numbers, i)
        if at == len(self.numbers) or self.numbers[at] != i:
            return 0
        return self._mask_at(at)

    def files(self) -> Iterator[tuple[int, Shared]]:
        """Each file read and the lines it shares."""
        for at, i in enumerate(self.numbers):
            yield i, Shared(self.lines, self._mask_at(at))


def _folder_repeats(
    files: Iterable[int], path_of: Callable[[int], Path | str], base: Path, workers: _Workers
) -> Iterator[_FolderShare]:
    """``folder_repeats`` with the worker processes of the ingest it is part of: what
    each folder of ``files`` (numbers in order, ``path_of`` giving each one's path)
    shares, one folder at a time. A file's path, a string for a big corpus, is made
    only to look at it and to read it: held for every file through the pass, the paths
    were most of what the writing process grew by."""
    from annotate.text.cleaning import REPEAT_MIN_ARTICLES
    from annotate.text.reading import file_format

    by_folder: dict[Path, array[int]] = {}
    for i in files:
        # Only browser-copied text carries its site's chrome: HTML goes through the article
        # extractor, and JSON/JSONL rows are texts already taken out of their pages (and a
        # big JSONL file must stream, not be read twice).
        path = Path(path_of(i))
        if file_format(path) in _PLAIN_FORMATS:
            by_folder.setdefault(path.parent, array("q")).append(i)
    found = workers.map(
        partial(_line_keys, base=base, real_base=real_path(base)),
        (path_of(i) for numbers in by_folder.values() for i in numbers),
        sum(map(len, by_folder.values())),
    )
    for numbers in by_folder.values():
        # Each line key of the folder held once, numbered; each file's keys as those
        # numbers (a big folder's files held as their own sets of strings were most of
        # what this pass grew by).
        numbered: dict[str, int] = {}
        read, rows = array("q"), []
        for i in numbers:
            keys = next(found)
            if keys is None:
                continue
            for new in keys - numbered.keys():
                numbered[new] = len(numbered)
            read.append(i)
            rows.append(array("i", map(numbered.__getitem__, keys)))
        counts: Counter[int] = Counter()
        for row in rows:
            counts.update(row)
        common = tuple(sorted(k for k, n in numbered.items() if counts[n] >= REPEAT_MIN_ARTICLES))
        bit = {numbered[k]: 1 << b for b, k in enumerate(common)}
        del numbered
        yield _FolderShare(common, read, (_or_bits(bit, row) for row in rows))


def _or_bits(bit: dict[int, int], row: Iterable[int]) -> int:
    mask = 0
    for k in bit.keys() & row:
        mask |= bit[k]
    return mask


def _line_keys(path: Path | str, base: Path, real_base: str | None = None) -> set[str] | None:
    """A file's ``cleaning.line_keys`` (None: unreadable; ingest itself says why)."""
    from annotate.text import reading
    from annotate.text.cleaning import line_keys

    # One article per file: its lines as they stand are enough to compare (a line with
    # mojibake only fails to match), and skip the cost of repairing them.
    raw = reading.read_prefix(Path(path), base, _PLAIN_MAX_BYTES, real_root=real_base)
    return None if raw is None else line_keys(raw.decode("utf-8", "replace"))


class _Workers:
    """The worker processes of one ingest: started when a pass first has enough files
    for them, then shared by the repetition pass and preparing (started once, not once
    a pass), ended with the ingest."""

    def __init__(self, workers: int | None) -> None:
        self.workers = workers  # as ingest was given them
        self.pool: ProcessPoolExecutor | None = None
        self.size = 0
        self.broken = False  # they could not start, or died: the rest runs here
        # Started before the files were counted (``fork_early``): used only by a pass
        # with enough files for them.
        self.early = False

    def __enter__(self) -> _Workers:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None

    def count(self, pending: int) -> int:
        """How many workers a pass over ``pending`` files gets (0: none, this process)."""
        if self.broken:
            return 0
        if self.pool is not None and not self.early:  # they cost nothing more to use
            return self.size
        if self.pool is not None:
            self.early = pending < MIN_FILES
            return 0 if self.early else self.size
        return _worker_count(self.workers, pending)

    def fork_early(self) -> None:
        """Start the workers now, if a pass with many files would start them: a forked
        worker starts with a copy of what this process holds at that moment."""
        count = _worker_count(self.workers, MIN_FILES)
        if count == 0 or _start_method() != "fork":
            return
        try:
            # The first task forks them all (ProcessPoolExecutor, with fork).
            self.started(count).submit(_orphan_guard)
        except Exception:
            self.broken = True  # workers cannot start here: everything runs in this process
            return
        self.early = True

    def started(self, count: int) -> ProcessPoolExecutor:
        if self.pool is None:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            method = _start_method()
            if method == "fork":
                # Forked workers inherit what is imported here instead of importing it each.
                import annotate.suggest.claims
                import annotate.suggest.cues
                import annotate.text.cleaning
                import annotate.text.reading
                import annotate.text.segment  # noqa: F401

            self.pool = ProcessPoolExecutor(
                count,
                mp_context=multiprocessing.get_context(method),
                initializer=_worker_init,
                initargs=(os.getpid(),),
            )
            self.size = count
        return self.pool

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any], size: int) -> Iterator[Any]:
        """``map`` over the ``size`` items in the workers (in order, in chunks), or in
        this process."""
        count = self.count(size)
        if count == 0:
            return map(fn, items)
        return _bounded_map(self.started(count), fn, items, 4 * count)


# Items a worker task maps at a time.
MAP_CHUNK = 64


def _bounded_map(
    pool: ProcessPoolExecutor, fn: Callable[[Any], Any], items: Iterable[Any], tasks: int
) -> Iterator[Any]:
    """``pool.map`` with at most ``tasks`` tasks of ``MAP_CHUNK`` items in flight: the
    executor's own map submits every item at once, and holds each item and each result
    until it is taken, so its memory grows with the number of items."""
    window: deque[Future[list[Any]]] = deque()
    chunk: list[Any] = []
    for item in items:
        chunk.append(item)
        if len(chunk) == MAP_CHUNK:
            window.append(pool.submit(_map_chunk, fn, chunk))
            chunk = []
            if len(window) >= tasks:
                yield from window.popleft().result()
    if chunk:
        window.append(pool.submit(_map_chunk, fn, chunk))
    while window:
        yield from window.popleft().result()


def _map_chunk(fn: Callable[[Any], Any], chunk: list[Any]) -> list[Any]:
    return [fn(item) for item in chunk]


def _folder(rel: str) -> str:
    """The folder part of a relative POSIX path (cheaper than Path for many files)."""
    return rel.rpartition("/")[0]


def siblings(path: Path, exclude: Collection[Path] = ()) -> list[Path]:
    """The corpus files in ``path``'s folder (``path`` included), not below it."""
    from annotate.text.walk import corpus_files

    folder = path.parent
    return [p for p in corpus_files(folder, exclude=exclude) if p.parent == folder]


PreparedItem = Skipped | tuple[Document, "Segmented | None"]
Prepared = Iterable[PreparedItem]


class _Known(Protocol):
    def get(self, path: str, /) -> str | None: ...


class _StoredShas:
    """``article_shas_of_file`` asked one article at a time, for a file with too many
    articles to hold their paths in memory (a big JSON lines file)."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def get(self, path: str) -> str | None:
        record = self.store.article(path)
        return None if record is None else f"{record.sha256}:{record.segmenter or ''}"


# A file this big (JSON lines, mostly) is prepared here and stored as it is read, so its
# articles never sit in memory together; smaller files go to the workers.
STREAM_BYTES = 4_000_000


def _streamed(job: _Job) -> bool:
    return job.stat is not None and job.stat[0] > STREAM_BYTES


@dataclass(frozen=True)
class _PrepareJob:
    path: Path
    base: Path
    known: _Known
    version: str
    confined: bool = True
    repeated: Collection[str] = frozenset()
    restored: dict[str, frozenset[str]] | None = None
    rules: str | None = None  # run the suggestion pass too (these rules' fingerprint)
    real_base: str | None = None  # base with its symlinks resolved, once for all files


def prepare_file(
    path: Path,
    base: Path,
    known: _Known,
    version: str,
    *,
    confined: bool = True,
    repeated: Collection[str] = frozenset(),
    restored: dict[str, frozenset[str]] | None = None,
    rules: str | None = None,
    real_base: str | None = None,
) -> Iterator[PreparedItem]:
    """Read one corpus file and split its articles, one at a time: the CPU-heavy part.

    ``known`` maps the paths of this file's articles already in the store to their
    sha256; an article whose bytes and rules are unchanged is not split again (its
    Segmented is None). ``repeated`` are the lines the file shares with its folder, and
    ``restored`` the dropped blocks annotators restored, by article path (see
    ``cleaning.clean``). With ``rules``, each split article carries the suggestion
    pass on its units (``Segmented.suggested``). ``real_base`` is ``base`` with its
    symlinks resolved, when known. Pure and picklable, so it can run in a worker process.
    """
    restored = restored or {}
    from annotate.text import reading

    for item in reading.read_file(path, base, confined=confined, real_root=real_base):
        if isinstance(item, Skipped):
            yield item
        elif known.get(item.path) == f"{item.sha256}:{version}":
            yield (item, None)
        else:
            kept = restored.get(item.path, frozenset())
            split = split_document(item, repeated=repeated, restored=kept)
            if rules is not None:
                units = [(u.kind, u.text, u.paragraph) for u in split.units]
                split = replace(split, suggested=suggest_units(units, rules))
            yield (item, split)


def _prepare_safely(job: _PrepareJob) -> Iterator[PreparedItem]:
    try:
        yield from prepare_file(
            job.path,
            job.base,
            job.known,
            job.version,
            confined=job.confined,
            repeated=job.repeated,
            restored=job.restored,
            rules=job.rules,
            real_base=job.real_base,
        )
    except Exception as e:  # a bug must cost one file, not the whole ingest
        rel = encodable(job.path.relative_to(job.base).as_posix())
        yield Skipped(rel, f"could not be processed ({type(e).__name__}: {e})")


def _prepare_for_transfer(job: _PrepareJob) -> list[PreparedItem]:
    """``_prepare_safely`` in a worker: what the store does not need is not sent back."""
    _orphan_guard()
    out: list[PreparedItem] = []
    for item in _prepare_safely(job):
        if isinstance(item, Skipped):
            out.append(item)
            continue
        doc, split = item
        if split is None:
            # Unchanged when prepared: keep the text in case the store changed meanwhile.
            out.append((doc, None))
            continue
        if split.clean is not None:
            clean = split.clean
            split = replace(split, clean=CleanArticle(clean.title, (), clean.dropped))
        out.append((replace(doc, text=""), split))
    return out


def _prepare_chunk(jobs: list[_PrepareJob]) -> list[list[PreparedItem]]:
    """``_prepare_for_transfer`` on several files, in one worker task."""
    return [_prepare_for_transfer(job) for job in jobs]


def _worker_count(workers: int | None, pending: int) -> int:
    if workers is None:
        env = os.environ.get("ANNOTATE_WORKERS")
        workers = int(env) if env and env.isdigit() else (os.cpu_count() or 1)
    # Worker processes only from a single-threaded process: forking one with threads can
    # deadlock, and spawning from inside the TUI fails (its file descriptors cannot be
    # passed on). The app runs ingest in a thread, so it ingests in one process.
    import threading

    if threading.active_count() > 1:
        return 0
    # Spawned workers re-import __main__ by its path; from stdin there is none to import.
    main_file = getattr(sys.modules.get("__main__"), "__file__", None)
    if main_file is not None and not os.path.exists(main_file):
        return 0
    return workers if workers > 1 and pending >= MIN_FILES else 0


# Starting a worker costs about as much as splitting a few dozen articles.
MIN_FILES = 100


def _start_method() -> str:
    """fork where there is one (no imports to redo in the workers), else spawn."""
    import multiprocessing

    return "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"


# Files prepared by one worker task at most: one pickled message each way for them all
# (shared lines and repeated strings sent once), not one a file. Tasks start smaller, so
# the writing starts soon after the workers do.
PREPARE_CHUNK = 16


def _preparer(
    workers: _Workers,
    pending: int,
    waiting: Callable[[], AbstractContextManager[None]] = nullcontext,
) -> Callable[[Iterable[_PrepareJob]], Iterator[Prepared]]:
    """A function mapping prepare jobs to results in order, in this process or the
    workers (enough of them for ``pending`` files), inside ``waiting`` while it waits
    for a worker."""
    count = workers.count(pending)
    if count == 0:
        return lambda jobs: map(_prepare_safely, jobs)
    from concurrent.futures import wait
    from concurrent.futures.process import BrokenProcessPool

    pool = workers.started(count)

    def ordered(jobs: Iterable[_PrepareJob]) -> Iterator[Prepared]:
        # A bounded window of files in flight keeps memory flat however big the corpus.
        window: deque[tuple[list[_PrepareJob], Future[list[list[PreparedItem]]] | None]]
        window = deque()
        in_flight = 0
        size = 1

        def results(
            chunk: list[_PrepareJob], future: Future[list[list[PreparedItem]]] | None
        ) -> Iterator[Prepared]:
            if future is not None and not workers.broken:
                if not future.done():
                    with waiting():
                        wait([future])
                try:
                    yield from future.result()
                    return
                except (BrokenProcessPool, OSError, ValueError):
                    # Workers could not start (e.g. a __main__ they cannot re-import)
                    # or died: finish in this process rather than fail the ingest.
                    workers.broken = True
            for job in chunk:
                yield _prepare_safely(job)

        def submit(chunk: list[_PrepareJob]) -> None:
            future = None
            if not workers.broken:
                try:
                    future = pool.submit(_prepare_chunk, chunk)
                except Exception:
                    workers.broken = True  # workers cannot start here: go on in this process
            window.append((chunk, future))

        chunk: list[_PrepareJob] = []
        for job in jobs:
            if isinstance(job.known, _StoredShas):
                if chunk:
                    submit(chunk)
                    chunk = []
                window.append(([job], None))  # a big file: prepared here as it is stored
            else:
                chunk.append(job)
                if len(chunk) >= size:
                    submit(chunk)
                    chunk = []
                    size = min(2 * size, PREPARE_CHUNK)
            in_flight += 1
            while in_flight >= 8 * count * PREPARE_CHUNK // 4 and window:
                done, future = window.popleft()
                in_flight -= len(done)
                yield from results(done, future)
        if chunk:
            submit(chunk)
        while window:
            yield from results(*window.popleft())

    return ordered


_PARENT: int | None = None


def _worker_init(parent: int) -> None:
    """In each worker: end with the ingest that started it, even if that is killed -9.

    Linux delivers SIGKILL to the worker when its parent dies (prctl PR_SET_PDEATHSIG);
    elsewhere, and for a parent that died before the call, each job checks the parent.
    """
    global _PARENT
    _PARENT = parent
    import gc

    # What the worker inherited or imported stays for its life: never walked again.
    gc.freeze()
    gc.set_threshold(max(gc.get_threshold()[0], GC_THRESHOLD))
    if sys.platform.startswith("linux"):
        try:
            import ctypes
            import signal

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1: PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    _orphan_guard()


def _orphan_guard() -> None:
    """Exit at once if the process that started this worker is gone."""
    if _PARENT is not None and os.getppid() != _PARENT:
        os._exit(1)


def _store_file(
    store: Store,
    job: _Job,
    prepared: Prepared,
    version: str,
    summary: Summary,
    suggester: _Suggester | None = None,
) -> Iterator[Event]:
    """Write one file's prepared articles to the store and account for them."""
    any_ok = False
    for item in prepared:
        if isinstance(item, Skipped):
            summary.skipped.append(item)
            yield item
            continue
        any_ok = True
        doc, split = item
        rules = None if suggester is None else suggester.rules
        result, saved, marked = _ingest_document(
            store, doc, job.rel, version, split, job.repeated, rules
        )
        if suggester is not None and saved is not None:
            suggester.article(doc.path, split, saved, marked=marked)
        if result.status == "added":
            summary.added += 1
        elif result.status == "updated":
            summary.updated += 1
        else:
            summary.unchanged += 1
        summary.units_added += result.units_added
        summary.units_removed += result.units_removed
        summary.orphaned += result.orphaned
        summary.edits_applied += result.edits_applied
        summary.edits_failed += [f"{result.path}: {d}" for d in result.edits_failed]
        if result.fallback is not None:
            summary.fallbacks.append(f"{result.path}: {result.fallback}")
        yield result
    if any_ok and job.stat is not None:
        size, mtime_ns = job.stat
        store.save_file_record(FileRecord(job.rel, size, mtime_ns, version))


def _ingest_document(
    store: Store,
    doc: Document,
    file: str,
    version: str,
    split: Segmented | None,
    repeated: Shared = NONE_SHARED,
    rules: str | None = None,
) -> tuple[ArticleResult, list[_SavedUnit] | None, bool]:
    """Save one article unless it is unchanged: its result, the units saved (None when
    it was unchanged), and whether it was saved marked as suggested by ``rules`` (its
    suggestions, prepared with it for these units, to be saved next)."""
    existing = store.article(doc.path)
    if existing is not None and existing.sha256 == doc.sha256 and existing.segmenter == version:
        if existing.file != file:
            store.touch_article(doc.path, file=file)
        return ArticleResult(doc.path, "unchanged"), None, False
    if split is None:  # prepared as unchanged, but the store changed meanwhile
        restored = store.restored_blocks_of_file(file).get(doc.path, frozenset())
        split = split_document(doc, repeated=repeated.lines(), restored=restored)
    units = split.units
    edits: list[SegmentEditRecord] = []
    failed: list[int] = []
    if existing is not None:
        # Annotators' merges and splits are decisions: apply them to the new units too.
        edits = store.segment_edits(existing.id)
        if edits:
            from annotate.text.resegment import replay

            units, failed = replay(split.cleaned, split.units, [e.edit for e in edits])
    title = split.clean.title if split.clean is not None else doc.title
    prepared = split.suggested
    marked = (
        rules is not None
        and prepared is not None
        and prepared.rules == rules
        and prepared.texts == tuple(u.text for u in units)
    )
    result = store.save_article(
        path=doc.path,
        file=file,
        sha256=doc.sha256,
        title=title,
        source=doc.source,
        url=doc.url,
        date=doc.date,
        author=doc.author,
        cleaned=split.cleaned,
        segmenter=version,
        units=units,
        dropped=split.clean.dropped if split.clean is not None else (),
        new=existing is None,
        suggested=rules if marked else None,
    )
    if edits:
        # An edit that no longer applies keeps its row, marked, to be reported again.
        store.set_segment_edits_applying(edits[0].article_id, {edits[i].seq for i in failed})
    claims = sum(1 for u in units if u.kind == SENTENCE)
    outcome = ArticleResult(
        doc.path,
        "added" if existing is None else "updated",
        units=claims,
        units_added=result.added,
        units_removed=result.removed,
        orphaned=result.orphaned,
        edits_applied=len(edits) - len(failed),
        edits_failed=tuple(edits[i].edit.describe() for i in failed),
        fallback=doc.fallback,
    )
    saved = [
        _SavedUnit(i, u.kind, u.text, u.paragraph)
        for i, u in zip(result.unit_ids, units, strict=True)
    ]
    return outcome, saved, marked


class _SavedUnit(NamedTuple):
    """A unit as just stored, for the suggestion pass (without reading it back)."""

    id: str
    kind: str
    text: str
    paragraph: int


def default_exclude(db_path: str | os.PathLike[str]) -> list[Path]:
    """The database file and its WAL/SHM/journal companions, kept out of the corpus."""
    p = Path(db_path)
    return [p] + [p.with_name(p.name + s) for s in ("-wal", "-shm", "-journal")]


# ---------------------------------------------------------------------------------------
# Suggestions: run the rules over a database. Only store methods, no SQL here.


@dataclass(frozen=True)
class SuggestSummary:
    """What ``suggest_all`` did."""

    articles: int
    units: int
    claim_groups: int


def suggest_all(store: Store, *, force: bool = False) -> SuggestSummary:
    """Compute and store suggestions for every article with a unit that lacks one.

    A unit whose text changed has a new id, so it lacks a suggestion; a change of these
    rules changes ``rules_version()`` and recomputes everything. A whole article is
    recomputed at once because a unit's suggestion depends on the units before it.
    Claim groups across articles are brought up to date afterwards when anything
    changed, comparing only the new units with their candidates (``claims.update_groups``);
    the first run on a database, or after a change of the claim rules, builds the claim
    index from every claim. ``force`` recomputes every article and the groups.
    """
    rules = _rules_version()
    # Every stored row has a non-empty fingerprint, so "" asks for every article.
    articles = store.articles_needing_suggestions("" if force else rules)
    version = claims_version()
    rebuild = force or store.claim_index_version() != version
    if not articles and not rebuild and not store.gone_units():
        return SuggestSummary(0, 0, 0)  # nothing to do: no write transaction either
    with store.batched() as tick:
        if rebuild:
            store.reset_claim_index(version)
        suggester = _Suggester(store, rules)
        needing = set(articles)
        for article in store.article_ids() if rebuild else articles:
            if article in needing:
                suggester.article_by_id(article)
            else:  # a rebuild: the claim index needs every claim's words
                suggester.words_of(article)
            tick()
        suggester.flush()
    suggester.finish()
    changed = articles or suggester.gone or rebuild
    groups = store.claim_group_count() if changed else 0
    return SuggestSummary(len(articles), suggester.units, groups)


@cache
def _rules_version() -> str:
    """``cues.rules_version()`` without importing the rules (compiling their patterns
    costs more than the rest of a run on an unchanged corpus); a test checks they agree."""
    from annotate.fingerprint import fingerprint

    return fingerprint(_PACKAGE / "suggest", data_files=[_PACKAGE / "data" / "editorial.toml"])


def claims_version() -> str:
    """The fingerprint the claim index is built for: that of the rules package, which
    holds the claim-group rules (``annotate.suggest.claims``). A claim index built by
    other rules is built again; that happens only when every suggestion is recomputed
    anyway, at a fraction of that cost."""
    return _rules_version()


_NO_SPAN = (None, None, None)

# Claim units handed to claims.update_groups at a time: enough that most of the corpus a
# chunk's words are compared with is read once per chunk, few enough that memory stays flat.
GROUP_CHUNK = 20_000

# New claims at least this share of those indexed already (a fresh ingest, a rebuild, a
# corpus that grows by a quarter) are indexed as they come, without keys or groups, and
# grouped once at the end with every claim (``claims.regroup``, linear in the corpus):
# chunk by chunk, nearly every class would be re-keyed for each chunk. A smaller change
# is grouped incrementally (``claims.update_groups``), in proportion to the change.
BULK_SHARE = 0.25

# Claims indexed for the end at a time (a few statements each time, whatever the count):
# one short write for many articles (one per article cost more than grouping them on
# small corpora).
INDEX_CHUNK = 2_000


class _Suggester:
    """Stores articles' suggestions and feeds their claims to claim grouping."""

    def __init__(self, store: Store, rules: str) -> None:
        self.store = store
        self.rules = rules
        version = claims_version()
        current = store.claim_index_version()
        if current != version and not store.has_claim_units():
            store.set_claim_index_version(version)  # nothing to index yet: built
            current = version
        # Grouping as articles come only on an index built by these rules; otherwise the
        # suggest step after ingest builds it from every claim.
        self.grouping = current == version
        # Whether claims are indexed now and grouped at the end (None: not decided yet;
        # decided when the first claims come, so a run that changes nothing asks nothing).
        self.bulk: bool | None = None
        self.pending: list[tuple[str, str, ClaimKey]] = []
        self.gone = 0  # units that left the store, dropped from suggestions and groups
        self.articles = 0
        self.units = 0

    def article(
        self,
        path: str,
        split: Segmented | None,
        saved: Sequence[_SavedUnit],
        *,
        marked: bool = False,
    ) -> None:
        """Suggestions for the article just saved at ``path`` (``split`` as prepared,
        ``saved`` its units as stored; ``marked``: saved marked as suggested, as prepared)."""
        done = split.suggested if split is not None else None
        self.article_by_id(article_id(path), done, saved, marked=marked)

    def article_by_id(
        self,
        aid: str,
        done: Suggested | None = None,
        saved: Sequence[_SavedUnit | UnitView] | None = None,
        *,
        marked: bool = False,
    ) -> None:
        rows = self.store.article_units(aid) if saved is None else saved
        if done is None or not (  # marked: checked as it was saved
            marked or (done.rules == self.rules and done.texts == tuple(r.text for r in rows))
        ):
            # Not prepared with them, or the units changed since (annotators' merges and
            # splits applied again): the rules run here on the units as stored.
            done = suggest_units([(r.kind, r.text, r.paragraph) for r in rows], self.rules)
        ids = [u.id for u in rows]
        records = [  # in the column order of Store.save_suggestion_rows
            (
                uid,
                s.label,
                s.confidence,
                s.reason,
                *((cue.text, cue.start, cue.end) if (cue := s.cue) else _NO_SPAN),
                *((src.text, src.start, src.end) if (src := s.source) else _NO_SPAN),
                None if s.quote_of is None else ids[s.quote_of],
                [(e.start, e.end) for e in s.editorial] if s.editorial else None,
            )
            for uid, s in zip(ids, done.suggestions, strict=True)
        ]
        self.store.save_suggestion_rows(records, article_id=aid, rules=self.rules, marked=marked)
        self.articles += 1
        self.units += len(records)
        self._claims(aid, zip(ids, done.claims, strict=True))

    def words_of(self, aid: str) -> None:
        """Only an article's claims for the claim index (its suggestions are current)."""
        from annotate.suggest.claims import content_words

        rows = self.store.article_units(aid)
        self._claims(
            aid, ((u.id, claim_key(content_words(u.text))) for u in rows if u.kind == SENTENCE)
        )

    def _claims(self, aid: str, claims: Iterable[tuple[str, ClaimKey | None]]) -> None:
        if not self.grouping:
            return
        if self.bulk is None and not self.store.claim_unit_count():
            self._start_bulk()  # an empty index: built at the end in one go
        self.pending.extend((u, aid, k) for u, k in claims if k is not None)
        if self.bulk and len(self.pending) >= INDEX_CHUNK:
            # Stopped before ``finish``, the index is built again (_start_bulk): what
            # is pending when a batch commits need not be in it yet.
            self._index_pending()
        elif len(self.pending) >= GROUP_CHUNK:
            self.flush()

    def _start_bulk(self) -> None:
        self.bulk = True
        self.store.unset_claim_index_version()  # until finish: stopped early, rebuilt
        self.store.start_claim_staging()

    def _index_pending(self) -> None:
        self.store.stage_claim_units(
            [(u, aid, k, " ".join(words)) for u, aid, (k, words) in self.pending]
        )
        self.pending = []

    def due(self) -> bool:
        """Whether ``flush`` has anything to do now (to write)."""
        return self.grouping and bool(self.pending or self.store.gone_units())

    def flush(self) -> None:
        """Group the pending claims (and drop the units gone since the last time), or
        with a batch large next to the index, index them for ``finish``."""
        if not self.grouping:
            return
        gone = self.store.gone_units()
        if not self.pending and not gone:
            return
        if self.bulk is None and self.pending:
            if len(self.pending) >= BULK_SHARE * self.store.claim_unit_count():
                self._start_bulk()
            else:
                self.bulk = False
        if self.bulk:
            self._index_pending()
            self.store.drop_claim_units(gone)
        else:
            from annotate.suggest.claims import update_groups

            words = [(u, aid, frozenset(ws)) for u, aid, (_, ws) in self.pending]
            update_groups(self.store, words, gone)
            self.pending = []
        self.store.forget_gone_units(gone)
        self.gone += len(gone)

    def finish(self) -> None:
        """After the last ``flush`` and outside any batch: with claims indexed for the
        end, work out every key and group (in short transactions of its own)."""
        if not self.bulk:
            return
        from annotate.suggest.claims import regroup

        # Grouping looks suggestions up by unit id: their keys first, if left out.
        self.store.build_key_indexes()
        self.store.add_claim_units()
        regroup(self.store)
        self.store.set_claim_index_version(claims_version())
        self.bulk = None


# ---------------------------------------------------------------------------------------
# The main job, for the CLI and the app alike: ingest, then suggest; and its report.


@dataclass(frozen=True)
class Suggesting:
    """Ingest is over (its ``Summary`` came) and suggestions are being computed."""


def ingest_and_suggest(
    store: Store,
    root: Path,
    *,
    exclude: Collection[Path] = (),
    workers: int | None = None,
    catch_up: bool = True,
) -> Iterator[Event | Suggesting | SuggestSummary]:
    """``ingest`` (its events, the ``Summary`` last of them), then suggestions: a
    ``Suggesting`` event and the ``SuggestSummary``, when suggesting is due.

    With ``catch_up`` (the CLI), suggestions are asked for whenever an article was read:
    it does nothing when every unit has a suggestion from these rules, and catches up a
    database ingested before suggestions existed. Without it (the app), only when ingest
    added or changed articles: the app does not work through a whole corpus behind the
    annotator's back.
    """
    # Delegated, not looped over: a run over an unchanged corpus yields two events a file.
    summary = yield from ingest(store, root, exclude=exclude, workers=workers, suggest=True)
    if summary.changed or (catch_up and summary.articles):
        yield Suggesting()
        # What ingest suggested as it went, and what was left (other rules, or a claim
        # index to build), as one report.
        more = suggest_all(store)
        articles = summary.suggested_articles + more.articles
        groups = more.claim_groups
        if summary.suggested_articles and not groups:
            groups = store.claim_group_count()
        yield SuggestSummary(articles, summary.suggested_units + more.units, groups)


def headline_count(summary: Summary) -> int:
    """How many of ``describe``'s lines for ``summary`` say what was ingested (the rest
    name what needs a look: skipped files, edits that no longer apply ...)."""
    if not summary.articles:
        return 0
    return 2 if summary.changed else 1


def describe(
    summary: Summary,
    *,
    corpus: object,
    db_path: object,
    counts: dict[str, int],
    suggested: SuggestSummary | None = None,
    list_skipped: bool = False,
) -> list[str]:
    """The lines that report an ingest run (and the suggestions after it). Paths and
    reasons are data: show the lines through ``annotate.visible.visible``.

    ``list_skipped`` names the skipped files (a few); without it the lines say they
    were reported as they came."""
    s = summary
    lines: list[str] = []
    # The first headline_count(summary) lines say what was ingested; the rest need a look.
    if s.articles and not s.changed:
        lines.append(
            f"Nothing new in {corpus}: {s.unchanged} article(s) unchanged, nothing added "
            f"({counts['claims']} claim units in {db_path})."
        )
    elif s.articles:
        lines.append(
            f"Ingested {corpus} into {db_path}: {s.added} article(s) added, {s.updated} updated, "
            f"{s.unchanged} unchanged; units +{s.units_added} -{s.units_removed}."
        )
        lines.append(
            f"The database holds {counts['articles']} article(s), {counts['claims']} claim "
            f"units ({counts['units'] - counts['claims']} titles and headings)."
        )
    if s.no_claims:
        shown = ", ".join(s.no_claims[:5]) + (", …" if len(s.no_claims) > 5 else "")
        lines.append(
            f"{len(s.no_claims)} article(s) have no claim units (only a title or page "
            f"chrome): {shown}"
        )
    if s.fallbacks:
        lines.append(
            f"{len(s.fallbacks)} HTML page(s) read with annotate's own reader (the article "
            "extractor found no article in them):"
        )
        lines.extend(f"  {line}" for line in s.fallbacks)
    if s.skipped and list_skipped:
        lines.append(f"Skipped {len(s.skipped)} file(s) or line(s):")
        lines.extend(f"  {skipped}" for skipped in s.skipped[:5])
        if len(s.skipped) > 5:
            lines.append(f"  … and {len(s.skipped) - 5} more (run `annotate ingest` to see all)")
    elif s.skipped:
        lines.append(f"Skipped {len(s.skipped)} file(s) or line(s); see the lines above.")
    if s.edits_applied:
        lines.append(f"{s.edits_applied} manual merge(s) or split(s) applied again.")
    if s.edits_failed:
        lines.append(
            f"{len(s.edits_failed)} manual merge(s) or split(s) no longer apply (their "
            "sentences changed); they are kept but not applied:"
        )
        lines.extend(f"  {line}" for line in s.edits_failed[:10])
        if len(s.edits_failed) > 10:
            lines.append(f"  … and {len(s.edits_failed) - 10} more")
    if s.orphaned:
        lines.append(
            f"{s.orphaned} label(s) are orphaned: their sentence changed; "
            "see `annotate stats --orphans`."
        )
    if s.missing_files:
        lines.append(
            f"{len(s.missing_files)} file(s) ingested before are no longer in {corpus}; "
            "their articles and labels are kept."
        )
    if suggested is not None and (s.changed or suggested.units):
        lines.append(
            f"Suggestions: {suggested.units} units in {suggested.articles} articles, "
            f"{suggested.claim_groups} claim groups."
        )
    return lines
