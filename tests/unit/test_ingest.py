"""Ingest end to end: idempotence, changed articles, skipped files, deterministic ids."""

from __future__ import annotations

import os

from annotate.ingest import (
    _PATHS_CHUNK,
    MAP_CHUNK,
    ArticleResult,
    Progress,
    Summary,
    _bounded_map,
    _Paths,
    folder_repeats,
    ingest,
)
from annotate.model import Skipped
from annotate.store import Store


def run(store, root, **kw) -> tuple[Summary, list]:
    events = list(ingest(store, root, **kw))
    assert isinstance(events[-1], Summary)
    return events[-1], events


ARTICLE = """Ministers agree on new budget

The finance ministers met on Monday in Brussels, officials said. They agreed on a budget of
EUR 2 billion for the coming year.

"This is a good day for Europe," Mr. Dupont told reporters. Critics were not convinced.
"""


def write(path, text):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_second_ingest_adds_nothing(store, sample_corpus):
    first, _ = run(store, sample_corpus)
    assert first.added == 2 and first.units_added > 20
    counts = store.counts()
    second, events = run(store, sample_corpus)
    assert (second.added, second.updated, second.unchanged) == (0, 0, 2)
    assert second.files_unchanged == 2
    assert store.counts() == counts
    assert not [e for e in events if isinstance(e, ArticleResult) and e.status != "unchanged"]


def test_touched_but_identical_file_is_not_resegmented(store, tmp_path):
    write(tmp_path / "c" / "a.txt", ARTICLE)
    run(store, tmp_path / "c")
    os.utime(tmp_path / "c" / "a.txt", ns=(1, 1))
    summary, _ = run(store, tmp_path / "c")
    assert (summary.updated, summary.unchanged) == (0, 1)


def test_changed_article_is_resegmented_and_unchanged_units_keep_ids(store, tmp_path):
    corpus = tmp_path / "c"
    write(corpus / "a.txt", ARTICLE)
    run(store, corpus)
    before = {u["text"]: u["id"] for u in store.units_of_article("a.txt")}
    write(corpus / "a.txt", ARTICLE.replace("Critics were not convinced.", "Critics objected."))
    summary, _ = run(store, corpus)
    assert summary.updated == 1 and summary.units_added == 1 and summary.units_removed == 1
    after = {u["text"]: u["id"] for u in store.units_of_article("a.txt")}
    assert "Critics objected." in after and "Critics were not convinced." not in after
    same = set(before) & set(after)
    assert len(same) >= 3 and all(before[t] == after[t] for t in same)


def test_unit_ids_are_the_same_on_two_machines(tmp_path, sample_corpus):
    ids = []
    for name in ("one.db", "two.db"):
        with Store.open(tmp_path / name) as s:
            run(s, sample_corpus)
            ids.append(sorted(r[0] for r in s.conn.execute("SELECT id FROM units").fetchall()))
    assert ids[0] == ids[1] and ids[0]


def test_offsets_point_into_the_stored_cleaned_text(store, sample_corpus):
    run(store, sample_corpus)
    for path in ("000_5a2869755751f143.txt", "003_3b0ee42016bb75ed.txt"):
        cleaned = store.cleaned_text(path)
        for u in store.units_of_article(path):
            assert cleaned[u["start"] : u["end"]] == u["text"]


def test_bad_files_are_skipped_and_the_rest_goes_on(store, tmp_path):
    corpus = tmp_path / "c"
    write(corpus / "good.txt", ARTICLE)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "blob.txt").write_bytes(b"\x00\x01\x02binary\x00" * 50)
    write(corpus / "lines.jsonl", '{"text": "Rain fell. It was cold."}\n{not json}\n')
    summary, events = run(store, corpus)
    skipped = {str(s) for s in summary.skipped}
    assert any(s.startswith("empty.txt") for s in skipped)
    assert any(s.startswith("blob.txt") for s in skipped)
    assert any(s.startswith("lines.jsonl:2") for s in skipped)
    assert summary.added == 2  # good.txt and line 1 of lines.jsonl
    assert all(isinstance(s, Skipped) for s in summary.skipped)


def test_database_inside_the_corpus_is_not_read(tmp_path):
    corpus = tmp_path / "c"
    write(corpus / "a.txt", ARTICLE)
    db = corpus / "annotations.db"
    with Store.open(db) as s:
        from annotate.ingest import default_exclude

        summary, _ = run(s, corpus, exclude=default_exclude(db))
        assert summary.skipped == [] and summary.added == 1


def test_deleted_file_keeps_its_articles(store, tmp_path):
    corpus = tmp_path / "c"
    write(corpus / "a.txt", ARTICLE)
    write(corpus / "b.txt", ARTICLE.replace("Brussels", "Paris"))
    run(store, corpus)
    (corpus / "b.txt").unlink()
    summary, _ = run(store, corpus)
    assert summary.missing_files == ["b.txt"]
    assert store.counts()["articles"] == 2


def test_broken_symlink_is_skipped_with_its_reason(store, tmp_path):
    corpus = tmp_path / "c"
    write(corpus / "a.txt", ARTICLE)
    (corpus / "gone.txt").symlink_to(tmp_path / "nowhere.txt")
    summary, _ = run(store, corpus)
    assert [str(s) for s in summary.skipped] == ["gone.txt: broken symlink"]
    assert summary.added == 1


def test_worker_processes_give_the_same_store_as_one_process(tmp_path):
    corpus = tmp_path / "c"
    for i in range(110):
        write(corpus / f"{i:03d}.txt", ARTICLE.replace("Monday", f"day {i}"))
    (corpus / "empty.txt").write_bytes(b"")
    results = []
    for workers in (0, 2):
        with Store.open(tmp_path / f"w{workers}.db") as s:
            summary, events = run(s, corpus, workers=workers)
            rows = s.conn.execute("SELECT id, pos, text, start, end FROM units ORDER BY pos")
            results.append(([tuple(r) for r in rows], summary.added, len(summary.skipped)))
    assert results[0] == results[1]
    assert results[0][1] == 110 and results[0][2] == 1


def test_ingest_in_a_thread_with_many_files_stays_in_one_process(tmp_path):
    """The app ingests in a worker thread: no worker processes there, and nothing lost."""
    import threading

    corpus = tmp_path / "c"
    for i in range(105):
        write(corpus / f"{i:03d}.txt", ARTICLE.replace("Monday", f"day {i}"))
    out: list = []

    def work():
        with Store.open(tmp_path / "t.db") as s:
            out.append(run(s, corpus)[0])

    t = threading.Thread(target=work)
    t.start()
    t.join()
    assert out and out[0].added == 105


def test_ingest_and_suggest_decides_once_when_to_suggest(store, tmp_path):
    from annotate.ingest import Suggesting, SuggestSummary, describe, ingest_and_suggest

    write(tmp_path / "c" / "a.txt", ARTICLE)
    first = list(ingest_and_suggest(store, tmp_path / "c"))
    assert isinstance(first[-2], Suggesting) and isinstance(first[-1], SuggestSummary)
    assert first[-1].units > 0
    # Unchanged: the CLI still asks (catching up), the app does not.
    again = list(ingest_and_suggest(store, tmp_path / "c"))
    assert isinstance(again[-1], SuggestSummary) and again[-1].units == 0
    quiet = list(ingest_and_suggest(store, tmp_path / "c", catch_up=False))
    assert isinstance(quiet[-1], Summary)
    lines = describe(quiet[-1], corpus="c", db_path="x.db", counts=store.counts())
    assert lines[0].startswith("Nothing new in c: 1 article(s) unchanged")


def test_the_rules_fingerprint_ingest_uses_is_the_rules_own():
    from annotate.ingest import _rules_version
    from annotate.suggest.cues import rules_version

    assert _rules_version() == rules_version()


def test_library_versions_read_from_their_folders_are_importlib_metadatas():
    from importlib.metadata import version

    from annotate.ingest import _dist_version

    for name in ("nltk", "trafilatura", "textual"):
        assert _dist_version(name) == version(name)


# What only a changed file needs: the readers, cleaning, Punkt, the rules, the claim groups,
# the libraries behind them, the terminal's progress bar, and the store's value classes
# (frozen dataclasses, a millisecond each to make).
HEAVY = (
    "annotate.store.values",
    "annotate.text.reading",
    "annotate.text.cleaning",
    "annotate.text.segment",
    "annotate.suggest.cues",
    "annotate.suggest.claims",
    "annotate.learn",
    "nltk",
    "ftfy",
    "trafilatura",
    "lxml",
    "sklearn",
    "numpy",
    "rich",
)

UNCHANGED_RUN = """
import json, sys
from pathlib import Path
from annotate.ingest import ingest_and_suggest, suggest_all
from annotate.store import Store
corpus, db, heavy = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
store = Store.open(db)
statements = []
store.conn.set_trace_callback(statements.append)
events = list(ingest_and_suggest(store, Path(corpus)))
suggested = suggest_all(store)
print(json.dumps({
    "unchanged": events[-3].unchanged,
    "suggested": [suggested.articles, suggested.units],
    "changes": store.conn.total_changes,
    "writes": [s for s in statements if s.split()[0].upper() in
               ("BEGIN", "INSERT", "UPDATE", "DELETE", "REPLACE", "CREATE", "DROP")],
    "heavy": [m for m in heavy if m in sys.modules],
}))
"""

UNCHANGED_CLI = """
import json, sys
from annotate.cli import main
corpus, db, heavy = sys.argv[1], sys.argv[2], sys.argv[3].split(",")
main(["ingest", corpus, "--db", db], standalone_mode=False)
main(["suggest", "--db", db], standalone_mode=False)
print(json.dumps([m for m in heavy if m in sys.modules]))
"""


def test_a_run_over_an_unchanged_corpus_imports_nothing_heavy_and_writes_nothing(tmp_path):
    """The library's run and the CLI's (ingest, then suggest): a stat of each file, a
    comparison with the stored records, and nothing else: no rules, readers or Punkt
    imported, no write transaction, the database file untouched."""
    import json
    import subprocess
    import sys

    from annotate.ingest import ingest_and_suggest

    corpus, db = tmp_path / "c", tmp_path / "a.db"
    write(corpus / "a.txt", ARTICLE)
    write(corpus / "sub" / "b.txt", ARTICLE.replace("Monday", "Tuesday"))
    with Store.open(db) as store:
        list(ingest_and_suggest(store, corpus))
    before = (db.read_bytes(), db.stat().st_mtime_ns)

    # Off a terminal (as here, output captured) the CLI draws no progress bar, unless
    # these ask for one.
    env = {k: v for k, v in os.environ.items() if k not in ("FORCE_COLOR", "TTY_COMPATIBLE")}

    def python(code: str) -> str:
        args = [sys.executable, "-c", code, str(corpus), str(db), ",".join(HEAVY)]
        return subprocess.run(args, check=True, capture_output=True, text=True, env=env).stdout

    run = json.loads(python(UNCHANGED_RUN))
    assert run == {"unchanged": 2, "suggested": [0, 0], "changes": 0, "writes": [], "heavy": []}
    cli = python(UNCHANGED_CLI).splitlines()
    assert cli[0].startswith("Nothing new in ") and "2 article(s) unchanged" in cli[0]
    assert json.loads(cli[-1]) == []
    assert (db.read_bytes(), db.stat().st_mtime_ns) == before


def test_the_repetition_pass_and_preparing_share_one_set_of_workers(tmp_path, monkeypatch):
    import concurrent.futures

    started = []

    class Counted(concurrent.futures.ProcessPoolExecutor):
        def __init__(self, *args, **kwargs):
            started.append(kwargs.get("max_workers", args[0] if args else None))
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(concurrent.futures, "ProcessPoolExecutor", Counted)
    corpus = tmp_path / "c"
    for i in range(110):
        write(corpus / f"{i:03d}.txt", ARTICLE.replace("Monday", f"day {i}"))
    with Store.open(tmp_path / "w.db") as s:
        summary, _ = run(s, corpus, workers=2)
    assert summary.added == 110
    assert started == [2]  # one pool for the shared lines and the splitting


def _indexes(db):
    with Store.open(db, readonly=True) as s:
        rows = s.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")
        return {r[0] for r in rows}


def test_a_fresh_ingest_builds_its_deferred_indexes_at_the_end(tmp_path):
    """Into an empty store the random-key indexes are left out while writing and built
    once at the end: the same store, with the same indexes, as one kept up row by row."""
    from annotate.ingest import ingest_and_suggest
    from annotate.store.migrations import DEFERRABLE_INDEXES

    corpus = tmp_path / "c"
    for i in range(12):
        write(corpus / f"{i:03d}.txt", ARTICLE.replace("Monday", f"day {i}"))
    dropped: list[str] = []
    with Store.open(tmp_path / "a.db") as s:
        for event in ingest_and_suggest(s, corpus):
            if isinstance(event, ArticleResult):
                dropped = s.missing_indexes() or dropped
        assert dropped == list(DEFERRABLE_INDEXES)  # left out while writing
        assert s.missing_indexes() == []
        plan = s.conn.execute(
            "EXPLAIN QUERY PLAN SELECT unit_id FROM suggestions ORDER BY confidence, unit_id"
        ).fetchall()
        assert "idx_suggestions_confidence_unit_id" in str([tuple(r) for r in plan])
    # The same indexes (and rows) as a store that kept them up: one not empty at first.
    with Store.open(tmp_path / "b.db") as s:
        write(tmp_path / "first" / "x.txt", ARTICLE)
        list(ingest_and_suggest(s, tmp_path / "first"))
        list(ingest_and_suggest(s, corpus))
        assert s.missing_indexes() == []
    assert _indexes(tmp_path / "a.db") == _indexes(tmp_path / "b.db")


def test_a_consumer_stopping_early_leaves_the_store_indexed(tmp_path):
    from annotate.ingest import ingest_and_suggest

    corpus = tmp_path / "c"
    for i in range(12):
        write(corpus / f"{i:03d}.txt", ARTICLE.replace("Monday", f"day {i}"))
    with Store.open(tmp_path / "a.db") as s:
        s.batch_seconds = 0  # each article its own batch: some are committed
        events = ingest_and_suggest(s, corpus)
        for event in events:
            if isinstance(event, Progress) and event.done == 3:
                break  # three files stored, each committed
        events.close()
        assert s.missing_indexes() == []
        assert s.counts()["articles"] >= 1


def _left_without_indexes(tmp_path):
    """A database as an ingest killed with -9 after a committed batch leaves it."""
    write(tmp_path / "c" / "a.txt", ARTICLE)
    db = tmp_path / "a.db"
    with Store.open(db) as s:
        run(s, tmp_path / "c", suggest=True)
        with s.transaction():
            s.defer_indexes()
    return db


def test_indexes_an_ingest_killed_left_out_are_built_when_next_opened(tmp_path):
    from annotate.store.migrations import DEFERRABLE_INDEXES

    db = _left_without_indexes(tmp_path)
    assert not set(DEFERRABLE_INDEXES) & _indexes(db)  # read-only: left as it is
    with Store.open(db, readonly=True) as s:
        assert s.counts()["articles"] == 1  # and readable without them
    with Store.open(db) as s:
        assert s.missing_indexes() == []


def test_indexes_left_out_wait_while_another_writer_holds_the_database(tmp_path):
    import sqlite3

    db = _left_without_indexes(tmp_path)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # an ingest still writing, say
    try:
        with Store.open(db) as s:  # opens at once, without waiting for the lock
            assert s.missing_indexes() != []
            assert s.lock_wait is None  # the store waits as ever afterwards
    finally:
        other.execute("ROLLBACK")
        other.close()
    with Store.open(db) as s:
        assert s.missing_indexes() == []


def test_suggestions_are_saved_into_a_store_an_ingest_left_without_unit_id_indexes(tmp_path):
    """Opened while another writer held the lock, a store an ingest killed left without
    its unit id indexes is not rebuilt at open; the next suggestions saved build them
    (under the write lock) instead of failing, and replace the old ones."""
    import sqlite3

    db = _left_without_indexes(tmp_path)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        s = Store.open(db)
    finally:
        other.execute("ROLLBACK")
        other.close()
    with s:
        assert "suggestions_unit_id" in s.missing_indexes()
        before = s.conn.execute("SELECT count(*) FROM suggestions").fetchone()[0]
        write(tmp_path / "c" / "a.txt", ARTICLE.replace("Monday", "Tuesday"))
        run(s, tmp_path / "c", suggest=True)
        assert "suggestions_unit_id" not in s.missing_indexes()
        rows = s.conn.execute("SELECT count(*), count(DISTINCT unit_id) FROM suggestions")
        assert tuple(rows.fetchone()) == (before, before)
        unsuggested = s.conn.execute(
            "SELECT count(*) FROM units u LEFT JOIN suggestions g ON g.unit_id = u.id "
            "WHERE g.unit_id IS NULL"
        )
        assert unsuggested.fetchone()[0] == 0


def test_the_bounded_map_gives_every_result_in_order_past_its_window():
    from concurrent.futures import ProcessPoolExecutor

    items = range(-5 * MAP_CHUNK - 3, 0)  # more chunks than the two tasks in flight
    with ProcessPoolExecutor(2) as pool:
        assert list(_bounded_map(pool, abs, iter(items), 2)) == [abs(i) for i in items]


def test_the_repetition_pass_finds_each_files_shared_lines_past_64_of_them(tmp_path):
    from annotate.text.cleaning import REPEAT_MIN_ARTICLES, line_keys

    # 100 menu lines, each file of folder a from its own line on: lines 20-99 are in at
    # least three files, more than a machine word of bits a file.
    menu = [f"Section {n} of the menu" for n in range(100)]
    texts = {
        **{f"a/page{n}.txt": "\n".join([*menu[n * 10 :], f"Story {n} alone."]) for n in range(4)},
        "a/plain.txt": "A story with no menu at all.",
        "b/page.txt": "\n".join(menu),  # alone in its folder: it shares nothing
    }
    for rel, text in texts.items():
        write(tmp_path / rel, text)
    paths = sorted(tmp_path / rel for rel in texts)
    found = folder_repeats(paths, tmp_path)
    key = {line: next(iter(line_keys(line))) for line in menu}
    assert found[tmp_path / "a/page0.txt"] == {key[line] for line in menu[20:]}
    assert found[tmp_path / "a/page2.txt"] == {key[line] for line in menu[20:]}
    assert found[tmp_path / "a/page3.txt"] == {key[line] for line in menu[30:]}
    assert found[tmp_path / "a/plain.txt"] == frozenset()
    assert found[tmp_path / "b/page.txt"] == frozenset()
    assert REPEAT_MIN_ARTICLES == 3  # what the lines above count on


def test_packed_paths_give_back_each_path_in_order():
    # More than a chunk of them, ASCII and not, in chunks of either kind and of both.
    paths = [f"{n % 7}/article {n}.txt" for n in range(2 * _PATHS_CHUNK)]
    paths += [f"été/Überschrift {n} – 記事.md" for n in range(3)] + ["a.txt"] * 5
    for some in (paths, paths[-8:], paths[: _PATHS_CHUNK + 1], paths[:1], []):
        packed = _Paths(some)
        assert len(packed) == len(some)
        assert list(packed) == some
        assert [packed[i] for i in range(len(some))] == some


def test_the_summary_is_the_last_event_and_the_return_value(store, sample_corpus):
    """``summary = yield from ingest(...)`` (as ingest_and_suggest delegates to it) gets
    the same Summary the last event is, on a first run and over an unchanged corpus."""

    def delegating():
        return (yield from ingest(store, sample_corpus))

    for _ in range(2):
        events, run = [], delegating()
        try:
            while True:
                events.append(next(run))
        except StopIteration as stop:
            returned = stop.value
        assert isinstance(returned, Summary) and returned is events[-1]
    assert returned.unchanged == 2 and not returned.changed
