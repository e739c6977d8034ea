"""The store: migrations on fresh and old databases, WAL, deterministic ids."""

from __future__ import annotations

import os
import sqlite3

import pytest

from annotate.model import RESTORE, SENTENCE, TITLE, SegmentEdit, Span, Unit, article_id, unit_id
from annotate.store import MIGRATIONS, SCHEMA_VERSION, Store, StoreError, migrations


def test_fresh_database_is_migrated_and_in_wal_mode(db_path):
    with Store.open(db_path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        mode = store.conn.execute("PRAGMA journal_mode").fetchone()[0]
        assert mode == "wal"
        tables = set(store.db.table_names())
        assert {"articles", "units", "files", "_sqlite_migrations"} <= tables
        applied = [m.name for m in migrations().applied(store.db)]
        assert applied == [fn.__name__.lstrip("_") for fn in MIGRATIONS]


@pytest.mark.parametrize("stop", range(len(MIGRATIONS)))
def test_old_database_is_migrated_forward(db_path, stop):
    """A database left at any earlier schema version opens at the current one."""
    from sqlite_utils import Database

    db = Database(db_path)
    names = [fn.__name__.lstrip("_") for fn in MIGRATIONS]
    migrations().apply(db, stop_before=names[stop])
    db.conn.execute(f"PRAGMA user_version = {stop}")
    db.close()
    with Store.open(db_path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert migrations().pending(store.db) == []


def test_reopening_does_not_migrate_again(db_path):
    Store.open(db_path).close()
    with Store.open(db_path) as store:
        rows = store.conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
        assert rows == len(MIGRATIONS)


def test_newer_schema_is_refused_with_a_clear_error(db_path):
    Store.open(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store.open(db_path)


def test_a_file_that_is_not_sqlite_is_refused(tmp_path):
    bad = tmp_path / "notes.db"
    bad.write_text("this is not a database " * 100)
    with pytest.raises(StoreError, match="not an annotate database"):
        Store.open(bad)


def _units(*texts: str) -> list[Unit]:
    units, pos = [Unit(0, 0, TITLE, "Title", 0, 5)], 7
    for i, t in enumerate(texts, 1):
        units.append(Unit(1, i, SENTENCE, t, pos, pos + len(t)))
        pos += len(t) + 1
    return units


def _save(store, path, units, sha="x", **kw):
    return store.save_article(
        path=path,
        file=path,
        sha256=sha,
        title="Title",
        source=None,
        url=None,
        date=None,
        cleaned="Title\n\n" + " ".join(u.text for u in units[1:]),
        segmenter="v",
        units=units,
        **kw,
    )


def test_unit_ids_depend_on_path_text_and_repeat_only(store):
    _save(store, "a.txt", _units("One.", "Two.", "One."))
    rows = store.units_of_article("a.txt")
    ids = [r["id"] for r in rows]
    assert len(set(ids)) == 4  # the repeated "One." gets its own id
    assert ids[1] == unit_id("a.txt", "One.", 0)
    assert ids[3] == unit_id("a.txt", "One.", 1)
    assert unit_id("b.txt", "One.") != unit_id("a.txt", "One.")
    art = store.article("a.txt")
    assert art is not None and art.id == article_id("a.txt")


def test_replacing_units_keeps_ids_of_unchanged_text(store):
    _save(store, "a.txt", _units("One.", "Two.", "Three."))
    before = {r["text"]: r["id"] for r in store.units_of_article("a.txt")}
    result = _save(store, "a.txt", _units("Zero.", "One.", "Three."), sha="y")
    after = {r["text"]: r["id"] for r in store.units_of_article("a.txt")}
    assert after["One."] == before["One."] and after["Three."] == before["Three."]
    assert (result.added, result.removed, result.kept) == (1, 1, 3)
    assert [r["seq"] for r in store.units_of_article("a.txt")] == [0, 1, 2, 3]


def test_articles_keep_their_queue_order_when_updated(store):
    _save(store, "b.txt", _units("B."))
    _save(store, "a.txt", _units("A."))
    _save(store, "b.txt", _units("B.", "More."), sha="z")
    order = store.conn.execute("SELECT path FROM articles ORDER BY ord").fetchall()
    assert [r[0] for r in order] == ["b.txt", "a.txt"]


def test_new_articles_take_the_next_ords_each_write_transaction(store):
    with store.batched():
        _save(store, "a.txt", _units("A."), new=True)
        with pytest.raises(sqlite3.IntegrityError):  # not new after all: nothing is taken
            _save(store, "a.txt", _units("A again."), new=True)
        _save(store, "b.txt", _units("B."), new=True)
    # Another connection adds an article between two transactions of this one.
    with Store.open(store.path) as other:
        _save(other, "c.txt", _units("C."))
    with store.batched():
        result = _save(store, "d.txt", _units("D.", "E."), new=True)
    order = store.conn.execute("SELECT path, ord FROM articles ORDER BY ord").fetchall()
    assert [tuple(r) for r in order] == [("a.txt", 0), ("b.txt", 1), ("c.txt", 2), ("d.txt", 3)]
    assert list(result.unit_ids) == [r["id"] for r in store.units_of_article("d.txt")]


def test_a_batch_waiting_for_something_else_holds_no_lock_and_goes_on_after(store):
    other = Store.open(store.path)
    other.lock_wait = 0.0  # one look at the lock: taken or not
    try:
        with store.batched(seconds=3600) as tick:
            _save(store, "a.txt", _units("A."))
            tick()
            with store.lock_released():  # e.g. a worker's result not ready yet
                _save(other, "b.txt", _units("B."))  # the lock is free meanwhile
            _save(store, "c.txt", _units("C."))
            with pytest.raises(StoreError):  # the next batch holds it again
                _save(other, "d.txt", _units("D."))
        paths = store.conn.execute("SELECT path FROM articles ORDER BY ord").fetchall()
        assert [r[0] for r in paths] == ["a.txt", "b.txt", "c.txt"]
    finally:
        other.close()
    with store.lock_released():  # outside a batch: nothing to commit
        assert not store.conn.in_transaction


def test_a_whole_batch_takes_no_savepoints_and_an_error_undoes_all_of_it(store):
    _save(store, "a.txt", _units("A."))
    statements: list[str] = []
    store.conn.set_trace_callback(statements.append)
    with pytest.raises(sqlite3.IntegrityError):
        with store.batched(seconds=3600, whole=True):
            _save(store, "b.txt", _units("B."))
            # The same id again, said to be new: its INSERT fails halfway through the save.
            _save(store, "b.txt", _units("B."), new=True)
    store.conn.set_trace_callback(None)
    assert not [s for s in statements if "SAVEPOINT" in s or "RELEASE" in s]
    paths = store.conn.execute("SELECT path FROM articles ORDER BY ord").fetchall()
    assert [r[0] for r in paths] == ["a.txt"]
    # After it, batches take savepoints again: an error caught inside undoes only its save.
    with store.batched(seconds=3600):
        _save(store, "c.txt", _units("C."))
        with pytest.raises(sqlite3.IntegrityError):
            _save(store, "c.txt", _units("D."), new=True)
    paths = store.conn.execute("SELECT path FROM articles ORDER BY ord").fetchall()
    assert [r[0] for r in paths] == ["a.txt", "c.txt"]
    assert [r["text"] for r in store.units_of_article("c.txt")] == ["Title", "C."]


def test_a_batch_the_other_writer_asked_to_end_calls_yielded_before_the_next(store):
    asks = iter([False, True, False])
    seen: list[tuple[str, bool]] = []
    store.yield_now = lambda: next(asks)
    store.yielded = lambda: seen.append(("yielded", store.conn.in_transaction))
    with store.batched(seconds=3600) as tick:
        for name in ("a.txt", "b.txt", "c.txt"):
            _save(store, name, _units("A."))
            tick()
            seen.append(("tick", store.conn.in_transaction))
    # Called once, for the ask, between the commit and the next batch (no lock held).
    assert seen == [("tick", True), ("yielded", False), ("tick", True), ("tick", True)]


# -- labelling -----------------------------------------------------------------------


@pytest.fixture
def labelled_store(store):
    _save(store, "a.txt", _units("A one.", "A two.", "A three."))
    _save(store, "b.txt", _units("B one.", "B two."))
    return store


def claims(store):
    return [
        r[0]
        for r in store.conn.execute("SELECT id FROM units WHERE kind = 'sentence' ORDER BY pos")
    ]


def test_set_label_writes_label_and_history(labelled_store):
    s = labelled_store
    uid = claims(s)[0]
    before = s.set_label(uid, "ann", "attributed")
    assert before.label is None
    state = s.label_state(uid, "ann")
    assert state.label == "attributed" and state.labeled_at.endswith("Z")
    assert s.label_state(uid, "bob").label is None  # annotators keep separate labels
    entry = s.history("ann")[0]
    assert (entry["action"], entry["label"], entry["prev_label"]) == ("label", "attributed", None)
    with pytest.raises(ValueError, match="unknown label"):
        s.set_label(uid, "ann", "maybe")


def test_undo_restores_the_previous_state_and_is_logged(labelled_store):
    s = labelled_store
    uid = claims(s)[0]
    s.set_label(uid, "ann", "editorial")
    s.set_note(uid, "ann", "hedged")
    before = s.set_label(uid, "ann", "attributed")
    s.restore(uid, "ann", before)
    state = s.label_state(uid, "ann")
    assert (state.label, state.note) == ("editorial", "hedged")
    assert [h["action"] for h in s.history("ann")] == ["undo", "label", "note", "label"]


def test_next_unlabelled_walks_forward_and_wraps(labelled_store):
    s = labelled_store
    ids = claims(s)
    assert s.next_unlabelled("ann").id == ids[0]
    s.set_label(ids[0], "ann", "attributed")
    s.set_label(ids[2], "ann", "editorial")
    assert s.next_unlabelled("ann").id == ids[1]
    third = s.unit(ids[2])
    assert s.next_unlabelled("ann", after=third.pos).id == ids[3]
    last = s.unit(ids[-1])
    assert s.next_unlabelled("ann", after=last.pos).id == ids[1]  # wrapped round
    for uid in ids:
        s.set_label(uid, "ann", "unattributed")
    assert s.next_unlabelled("ann") is None
    assert s.next_unlabelled("bob").id == ids[0]


def test_step_filters_and_directions(labelled_store):
    s = labelled_store
    ids = claims(s)
    s.set_label(ids[1], "ann", "editorial")
    s.set_flag(ids[3], "ann", True)
    s.set_note(ids[4], "ann", "check quote")
    first = s.unit(ids[0])
    assert s.step(first.pos, "ann", only="editorial").id == ids[1]
    assert s.step(first.pos, "ann", only="flagged").id == ids[3]
    assert s.step(first.pos, "ann", only="noted").id == ids[4]
    assert s.step(s.unit(ids[4]).pos, "ann", forward=False).id == ids[3]
    assert s.step(first.pos, "ann", forward=False) is None
    with pytest.raises(ValueError, match="unknown filter"):
        s.step(0, "ann", only="bogus")


def test_context_queries(labelled_store):
    s = labelled_store
    ids = claims(s)
    u = s.unit(ids[1])
    assert u.article_path == "a.txt" and u.article_title == "Title"
    assert s.claim_index(u) == (2, 3)
    assert [x.text for x in s.article_units(u.article_id, u.paragraph)] == [
        "A one.",
        "A two.",
        "A three.",
    ]
    s.set_label(ids[0], "ann", "attributed")
    progress = s.article_progress("ann")
    assert [(p.path, p.claims, p.labelled) for p in progress] == [("a.txt", 3, 1), ("b.txt", 2, 0)]
    assert [x.text for x in s.search("two")] == ["A two.", "B two."]
    assert s.search("100%") == []
    assert s.labelled_count("ann") == 1 and s.claim_count() == 5
    assert s.resume_position("ann") == s.unit(ids[0]).pos


def test_article_progress_counts_each_article_for_one_annotator(labelled_store):
    s = labelled_store
    _save(s, "c.txt", _units())  # a title alone: no claims
    ids = claims(s)
    s.set_label(ids[0], "ann", "attributed")
    s.set_label(ids[3], "ann", "editorial")
    s.set_label(ids[1], "bob", "editorial")  # another annotator's label
    s.set_note(ids[2], "ann", "no label yet")  # a label row without a label
    progress = s.article_progress("ann")
    assert [(p.path, p.claims, p.labelled) for p in progress] == [
        ("a.txt", 3, 1),
        ("b.txt", 2, 1),
        ("c.txt", 0, 0),
    ]
    assert [p.first_pos for p in progress] == [s.unit(ids[0]).pos, s.unit(ids[3]).pos, None]


def test_labels_survive_resegmentation_as_orphans(labelled_store):
    s = labelled_store
    uid = claims(s)[0]
    s.set_label(uid, "ann", "attributed")
    _save(s, "a.txt", _units("A changed.", "A two.", "A three."), sha="new")
    assert s.unit(uid) is None
    assert s.label_state(uid, "ann").label == "attributed"  # kept, not deleted


def test_history_keeps_source_changes(labelled_store):
    from annotate.store import LabelState

    s = labelled_store
    uid = claims(s)[0]
    s.set_label(uid, "ann", "attributed", source="Roscosmos")
    s.set_source(uid, "ann", "NASA")
    s.set_label(uid, "ann", "unattributed", source=None)
    s.import_labels([(uid, "ann", LabelState("attributed", source="TASS"))])
    with s.transaction():
        s.put_label(
            uid,
            "ann",
            LabelState("attributed", source="Reuters", labeled_at="2999-01-01T00:00:00.000000Z"),
            replaced=s.label_state(uid, "ann"),
        )
    rows = [(h["action"], h["source"], h["prev_source"]) for h in reversed(s.history("ann"))]
    assert rows == [
        ("label", "Roscosmos", None),
        ("source", "NASA", "Roscosmos"),
        ("label", None, "NASA"),
        ("import", "TASS", None),
        ("merge", "Reuters", "TASS"),
    ]
    # Undo puts the previous source back, and says so.
    before = s.set_source(uid, "ann", "AP")
    s.restore(uid, "ann", before)
    assert (s.history("ann", limit=1)[0]["source"], s.label_state(uid, "ann").source) == (
        "Reuters",
        "Reuters",
    )


def test_history_source_columns_are_added_to_an_old_database(db_path):
    from sqlite_utils import Database

    db = Database(db_path)
    migrations().apply(db, stop_before="m007_history_source")
    db.conn.execute("PRAGMA user_version = 6")
    db["history"].insert(
        {"at": "2025-01-01T00:00:00.000000Z", "annotator": "ann", "unit_id": "u", "action": "x"}
    )
    db.close()
    with Store.open(db_path) as store:
        (row,) = store.history()
        assert (row["source"], row["prev_source"]) == (None, None)


# -- read-only opening -------------------------------------------------------------


def _rollback_journal_db(db_path) -> None:
    """An up-to-date database switched out of WAL mode, as a copied file may be."""
    with Store.open(db_path) as s:
        _save(s, "a.txt", _units("A one."))
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode = DELETE")
    conn.close()


def test_readonly_open_reads_without_changing_the_file(db_path):
    _rollback_journal_db(db_path)
    with Store.open(db_path, readonly=True) as store:
        assert store.counts()["claims"] == 1
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            store.set_label(claims(store)[0], "ann", "editorial")


def test_readonly_open_of_a_missing_file_or_folder_is_a_clear_error(tmp_path):
    with pytest.raises(StoreError, match=r"^no such database: .*x\.db \(run `annotate ingest"):
        Store.open(tmp_path / "x.db", readonly=True)
    assert not (tmp_path / "x.db").exists()
    for readonly in (True, False):
        with pytest.raises(StoreError, match="^folder does not exist: .*nodir$"):
            Store.open(tmp_path / "nodir" / "x.db", readonly=readonly)


def test_readonly_open_does_not_migrate_an_old_database(db_path):
    from sqlite_utils import Database

    db = Database(db_path)
    migrations().apply(db, stop_before=MIGRATIONS[-1].__name__.lstrip("_"))
    db.conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION - 1}")
    db.close()
    with pytest.raises(StoreError, match="older than this annotate.*run a command that writes"):
        Store.open(db_path, readonly=True)
    with Store.open(db_path) as store:  # a writing open migrates it
        assert store.schema_version() == SCHEMA_VERSION
    Store.open(db_path, readonly=True).close()


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write read-only files")
def test_a_read_only_file_opens_readonly_and_refuses_writing_with_a_clear_error(db_path):
    _rollback_journal_db(db_path)
    db_path.chmod(0o444)
    try:
        with Store.open(db_path, readonly=True) as store:
            assert store.counts()["claims"] == 1
        with pytest.raises(StoreError, match="^database is read-only: .*needed to write labels"):
            Store.open(db_path)
    finally:
        db_path.chmod(0o644)


@pytest.mark.skipif(os.geteuid() == 0, reason="root can write in read-only folders")
def test_a_database_in_a_read_only_folder_opens_readonly(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    db_path = folder / "x.db"
    with Store.open(db_path) as s:  # WAL mode, closed cleanly: no -wal or -shm left
        _save(s, "a.txt", _units("A one."))
    folder.chmod(0o555)
    try:
        with Store.open(db_path, readonly=True) as store:
            assert store.counts()["claims"] == 1
        with pytest.raises(StoreError, match="^folder is read-only"):
            Store.open(db_path)
    finally:
        folder.chmod(0o755)


def test_migration_8_adds_the_article_author_to_an_old_database(db_path):
    """A database at schema 7 holding an article opens at 8; the article is kept."""
    from sqlite_utils import Database

    assert MIGRATIONS[7].__name__ == "_m008_article_author"
    db = Database(db_path)
    migrations().apply(db, stop_before="m008_article_author")
    db.conn.execute("PRAGMA user_version = 7")
    db["articles"].insert(
        {"id": "a1", "path": "a.html", "file": "a.html", "ord": 0, "sha256": "x", "cleaned": ""}
    )
    db.close()
    with Store.open(db_path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        row = store.conn.execute("SELECT path, author FROM articles").fetchone()
        assert tuple(row) == ("a.html", None)


def test_the_author_is_stored_with_the_article(store):
    store.save_article(
        path="a.html",
        file="a.html",
        sha256="x",
        title="T",
        source="The Coast Herald",
        url=None,
        date="2024-03-05",
        author="Maria Jensen",
        cleaned="T",
        segmenter="v",
        units=[],
    )
    row = store.conn.execute("SELECT author FROM articles WHERE path = 'a.html'").fetchone()
    assert row[0] == "Maria Jensen"


def test_migration_11_marks_articles_whose_suggestions_are_complete(db_path):
    """At schema 10, an article all of whose units hold suggestions from one set of rules
    is marked done by migration 11; one with a unit lacking a suggestion is not."""
    from sqlite_utils import Database

    assert MIGRATIONS[10].__name__ == "_m011_incremental_suggestions"
    db = Database(db_path)
    migrations().apply(db, stop_before="m011_incremental_suggestions")
    db.conn.execute("PRAGMA user_version = 10")
    for i, aid in enumerate(("a1", "a2")):
        db["articles"].insert(
            {
                "id": aid,
                "path": f"{aid}.txt",
                "file": f"{aid}.txt",
                "ord": i,
                "sha256": "x",
                "cleaned": "One. Two.",
            }
        )
        for seq in range(2):
            db["units"].insert(
                {
                    "id": f"{aid}u{seq}",
                    "article_id": aid,
                    "pos": i * 100 + seq,
                    "paragraph": 0,
                    "seq": seq,
                    "kind": "sentence",
                    "text": "One.",
                    "start": 0,
                    "end": 4,
                }
            )
    for uid in ("a1u0", "a1u1", "a2u0"):
        db["suggestions"].insert(
            {
                "unit_id": uid,
                "suggested_label": "unattributed",
                "confidence": 0.5,
                "reason": "r",
                "rules": "R",
            }
        )
    db.close()
    with Store.open(db_path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.articles_needing_suggestions("R") == ["a2"]
        assert sorted(store.articles_needing_suggestions("other")) == ["a1", "a2"]
        store.conn.execute("DELETE FROM units WHERE id = 'a1u1'")  # a unit goes
        assert store.gone_units() == ["a1u1"]
        assert sorted(store.articles_needing_suggestions("R")) == ["a1", "a2"]


def test_search_pages_follow_on_with_each_label_and_a_full_count(labelled_store):
    s = labelled_store
    ids = claims(s)
    s.set_label(ids[1], "ann", "editorial")
    s.set_flag(ids[3], "ann", True)
    first = s.search_page("one", "ann", limit=1)
    assert [(u.text, st.label) for u, st in first] == [("A one.", None)]
    rest = s.search_page("ONE", "ann", after=first[-1][0].pos, limit=10)
    assert [(u.text, st.flagged) for u, st in rest] == [("B one.", True)]
    assert [(u.text, st.label) for u, st in s.search_page("two", "ann")] == [
        ("A two.", "editorial"),
        ("B two.", None),
    ]
    assert s.search_page("two", "bob")[0][1].label is None  # another annotator's own view
    assert s.search_count("one") == 2 and s.search_count("o_e") == 0
    assert s.search_count("one", cancelled=lambda: True) in (None, 2)  # stops early if it can


def test_a_cancelled_search_is_interrupted_not_run_to_its_end(labelled_store):
    s = labelled_store
    for n in range(40):  # enough rows that SQLite calls the progress handler mid-scan
        _save(s, f"more{n}.txt", _units(*(f"Filler {n} {i}." for i in range(60))))
    assert s.search_count("Filler") == 2400
    assert s.search_count("Filler", cancelled=lambda: True) is None
    rare = "Filler 39 59."  # the last unit: the page reads every one before it
    assert s.search_page(rare, "ann", cancelled=lambda: True) is None
    assert [u.text for u, _ in s.search_page(rare, "ann", cancelled=lambda: False)] == [rare]
    assert s.search_count("Filler") == 2400  # the handler is gone afterwards


def test_filter_counts_match_what_each_filter_walks(labelled_store):
    s = labelled_store
    ids = claims(s)
    s.set_label(ids[0], "ann", "attributed")
    s.set_label(ids[1], "ann", "attributed")
    s.set_label(ids[2], "ann", "not_claim")
    s.set_flag(ids[2], "ann", True)
    s.set_flag(ids[4], "ann", True)  # flagged, not labelled
    s.set_note(ids[0], "ann", "check")
    s.set_label(ids[3], "bob", "editorial")  # another annotator's label does not count
    counts = s.filter_counts("ann")
    assert counts == {
        "": 5,
        "unlabelled": 2,
        "flagged": 2,
        "noted": 1,
        "attributed": 2,
        "unattributed": 0,
        "editorial": 0,
        "not_claim": 1,
    }
    assert s.filter_counts("ann", known=(5, 3)) == counts  # on the index alone: the same
    for only, n in counts.items():
        walked, pos = 0, -1
        while (u := s.step(pos, "ann", only=only or None)) is not None:
            walked, pos = walked + 1, u.pos
        assert walked == n, only


def test_opening_the_database_again_in_this_process_keeps_the_first_connection_whole(db_path):
    # Reading the header of a file this process has open would drop its SQLite locks:
    # another process closing its connection then took itself for the last one,
    # checkpointed and truncated the -wal, and this process's next read failed
    # ("disk I/O error", a short read) — the app's workers open stores of their own.
    import subprocess
    import sys

    first = Store.open(db_path)
    _save(first, "a.txt", _units("A one.", "A two."))
    uid = claims(first)[0]
    first.set_label(uid, "ann", "attributed")
    Store.open(db_path, migrate=False).close()
    reader = (
        "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); "
        "c.execute('SELECT 1 FROM units'); c.close()"
    )
    subprocess.run([sys.executable, "-c", reader, db_path], check=True)
    first.set_note(uid, "ann", "checked")
    with Store.open(db_path, migrate=False) as again:
        assert again.label_state(uid, "ann").note == "checked"
        assert again.search_page("one", "ann")[0][1].label == "attributed"
    first.close()


def test_migration_13_keeps_older_suggestions_readable_without_editorial_spans(db_path):
    """A suggestion stored at schema 12 reads back with no editorial spans (its one cue
    stays); one saved afterwards keeps every span it is given."""
    from sqlite_utils import Database

    assert MIGRATIONS[12].__name__ == "_m013_editorial_spans"
    db = Database(db_path)
    migrations().apply(db, stop_before="m013_editorial_spans")
    db.conn.execute("PRAGMA user_version = 12")
    row = {"unit_id": "u", "suggested_label": "editorial", "confidence": 0.6, "reason": "r"}
    db["suggestions"].insert({**row, "cue": "rare", "cue_start": 2, "cue_end": 6})
    db.close()
    with Store.open(db_path) as store:
        old = store.suggestion("u")
        assert old is not None and old.editorial == () and (old.cue_start, old.cue_end) == (2, 6)
        store.save_suggestions(
            [{**row, **_NO_CUES, "unit_id": "v", "editorial": [(0, 4), (9, 13)]}]
        )
        new = store.suggestion("v")
        assert new is not None and new.editorial == ((0, 4), (9, 13))
        assert store.suggestions_for(["u", "v"])["v"].editorial == ((0, 4), (9, 13))


_NO_CUES = dict.fromkeys(
    ("cue", "cue_start", "cue_end", "source", "source_start", "source_end", "quote_of", "rules")
)


def test_filter_counts_on_the_index_alone_leave_orphan_labels_out(labelled_store):
    s = labelled_store
    ids = claims(s)
    for uid, label in ((ids[0], "attributed"), (ids[3], "editorial")):
        s.set_label(uid, "ann", label)
        s.set_flag(uid, "ann", True)

    def known():
        return s.claim_count(), s.labelled_count("ann")

    assert s.filter_counts("ann", known=known()) == s.filter_counts("ann")
    _save(s, "b.txt", _units("B one changed.", "B two."), sha="y")  # "B one." is gone
    after = s.filter_counts("ann", known=known())
    assert after == s.filter_counts("ann")
    assert (after["editorial"], after["flagged"], after["unlabelled"]) == (0, 1, 4)


def _database_before(db_path, migration: str):
    """A database migrated up to (not including) ``migration``, its version set so."""
    from sqlite_utils import Database

    names = [fn.__name__.lstrip("_") for fn in MIGRATIONS]
    db = Database(db_path)
    migrations().apply(db, stop_before=migration)
    db.conn.execute(f"PRAGMA user_version = {names.index(migration)}")
    return db


def _old_article(db, cleaned: str, **columns: str) -> str:
    """Article a.txt written into ``db`` (of an older schema) by SQL; its id."""
    row = {"id": article_id("a.txt"), "path": "a.txt", "file": "a.txt", "ord": 0}
    row.update(sha256="x", cleaned=cleaned, **columns)
    db.conn.execute(
        f"INSERT INTO articles ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        list(row.values()),
    )
    return row["id"]


def test_migration_15_keeps_every_dropped_block_in_one_tree_by_article(db_path):
    """Dropped blocks stored at schema 14 (two of them on one line) read back the same,
    in page order, after migration 15, from a table keyed by article and nothing else;
    and after migration 17, from one row an article."""

    from annotate.model import Dropped

    assert MIGRATIONS[14].__name__ == "_m015_dropped_by_article"
    db = _database_before(db_path, "m015_dropped_by_article")
    rows = [
        ("a1", 3, 0, "page chrome", "Share this"),
        ("a1", 9, 2, "page chrome", "Reporting by Someone"),
        ("a1", 9, 2, "copyright/legal", "© Example"),
        ("a2", 1, -1, "page chrome", "Menu"),
    ]
    db.conn.executemany("INSERT INTO dropped VALUES (?, ?, ?, ?, ?)", rows)
    db.conn.commit()
    migrations().apply(db, stop_before="m016_unit_keys_deferrable")
    indexes = db.conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'dropped'"
    ).fetchall()
    assert indexes == []
    sql = db.conn.execute(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'dropped'"
    ).fetchone()[0]
    assert "WITHOUT ROWID" in sql
    stored = db.conn.execute("SELECT article_id, ord, text FROM dropped ORDER BY 1, 2")
    assert [tuple(r) for r in stored] == [
        ("a1", 0, "Share this"),
        ("a1", 1, "Reporting by Someone"),
        ("a1", 2, "© Example"),
        ("a2", 0, "Menu"),
    ]
    db.conn.execute("PRAGMA user_version = 15")
    db.close()
    with Store.open(db_path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.dropped_near("a1", 1, reach=2) == [
            Dropped(3, "Share this", "page chrome", 0),
            Dropped(9, "Reporting by Someone", "page chrome", 2),
            Dropped(9, "© Example", "copyright/legal", 2),
        ]
        assert store.dropped_near("a2", 0) == [Dropped(1, "Menu", "page chrome", -1)]


def test_migration_17_keeps_each_articles_dropped_blocks_in_one_row(db_path):
    """Dropped blocks stored at schema 16 (a row a block) read back the same, in page
    order, after migration 17, from one row an article; a restore afterwards takes the
    block out of that row and moves the later ones on, as before."""

    from annotate.model import Dropped

    assert MIGRATIONS[16].__name__ == "_m017_dropped_row_per_article"
    db = _database_before(db_path, "m017_dropped_row_per_article")
    aid = _old_article(db, "One.")
    rows = [  # given out of key order; "ord" is the page order
        (aid, 2, 9, 0, "copyright/legal", "© Example"),
        (aid, 0, 3, -1, "page chrome", "Share this"),
        (aid, 1, 9, 0, "page chrome", "Reporting by Someone"),
        ("b2", 0, 1, -1, "page chrome", "Menu"),
    ]
    db.conn.executemany("INSERT INTO dropped VALUES (?, ?, ?, ?, ?, ?)", rows)
    db.conn.commit()
    db.close()
    share = Dropped(3, "Share this", "page chrome", -1)
    with Store.open(db_path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.dropped_blocks(aid) == [
            share,
            Dropped(9, "Reporting by Someone", "page chrome", 0),
            Dropped(9, "© Example", "copyright/legal", 0),
        ]
        assert store.dropped_blocks("b2") == [Dropped(1, "Menu", "page chrome", -1)]
        assert store.dropped_blocks("nothing dropped") == []
        count = store.conn.execute("SELECT count(*) FROM dropped").fetchone()[0]
        assert count == 2
        with pytest.raises(sqlite3.IntegrityError):  # one row an article
            store.conn.execute("INSERT INTO dropped VALUES ('b2', '[]')")
        edit = SegmentEdit(RESTORE, (Span("Share this", -1, -1),), (Span("Share this", 0, 10),))
        store.record_restore(aid, "ann", share, edit, "Share this\n\nOne.", _units("One."))
        assert store.dropped_blocks(aid) == [
            Dropped(9, "Reporting by Someone", "page chrome", 1),
            Dropped(9, "© Example", "copyright/legal", 1),
        ]


def test_migration_16_keeps_units_and_suggestions_with_unique_unit_ids(db_path):
    """Units and suggestions stored at schema 15 (TEXT PRIMARY KEY) read back the same
    after migration 16, rowids included, from rowid tables whose unit id is kept unique
    by an index an ingest may defer; deleting a unit still records it as gone."""

    assert MIGRATIONS[15].__name__ == "_m016_unit_keys_deferrable"
    db = _database_before(db_path, "m016_unit_keys_deferrable")
    aid = _old_article(db, "One. Two.", suggested="R")
    units = [
        (unit_id("a.txt", t), aid, seq, 0, seq, SENTENCE, t, 0, 4)
        for seq, t in enumerate(["One.", "Two."])
    ]
    db.conn.executemany("INSERT INTO units VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", units)
    db.conn.execute("DELETE FROM units WHERE seq = 0")  # a rowid gap, kept
    db.conn.execute("INSERT INTO units VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", units[0])
    db.conn.execute(
        "INSERT INTO suggestions (unit_id, suggested_label, confidence, reason, claim_group, "
        "rules) VALUES (?, 'unattributed', 0.5, 'r', 'g1', 'R')",
        (units[1][0],),
    )
    db.conn.execute("DELETE FROM units_gone")
    before = {
        t: db.conn.execute(f"SELECT rowid, * FROM {t} ORDER BY rowid").fetchall()
        for t in ("units", "suggestions")
    }
    db.conn.commit()
    db.close()
    with Store.open(db_path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        for table, rows in before.items():
            after = store.conn.execute(f"SELECT rowid, * FROM {table} ORDER BY rowid")
            assert [tuple(r) for r in after] == [tuple(r) for r in rows]
            sql = store.conn.execute(
                "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
            ).fetchone()[0]
            assert "PRIMARY KEY" not in sql
        assert store.missing_indexes() == []
        assert store.suggestion(units[1][0]).claim_group == "g1"
        with pytest.raises(sqlite3.IntegrityError):
            store.conn.execute(
                "INSERT INTO units VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (units[0][0], aid, 9, 0, 9, SENTENCE, "x", 0, 1),
            )
        with store.transaction():
            store.conn.execute("DELETE FROM units WHERE id = ?", (units[0][0],))
        assert store.gone_units() == [units[0][0]]
        assert store.articles_needing_suggestions("R") == [aid]


def test_dropped_blocks_are_kept_in_page_order_and_once(db_path):
    """What cleaning dropped reads back by line, two pieces of one line in the order
    given, and a piece given twice once (re-saving replaces them all)."""
    from annotate.model import Dropped

    pieces = [
        Dropped(7, "Reporting by Someone", "page chrome", 0),
        Dropped(2, "Menu", "page chrome", -1),
        Dropped(7, "© Example", "copyright/legal", 0),
        Dropped(2, "Menu", "page chrome", -1),
    ]
    with Store.open(db_path) as store:
        _save(store, "a.txt", _units("One."), dropped=pieces)
        aid = article_id("a.txt")
        assert store.dropped_near(aid, 0) == [pieces[1], pieces[0], pieces[2]]
        _save(store, "a.txt", _units("One."), sha="y", dropped=pieces[2:3])
        assert store.dropped_near(aid, 0) == [pieces[2]]


def test_staged_claim_units_are_indexed_in_key_order_at_the_end(db_path):
    store = Store.open(db_path)
    store.start_claim_staging()
    with store.transaction():
        store.conn.execute("INSERT INTO claim_classes (class, words, keys) VALUES (5, 'a b', '')")
    store.stage_claim_units(
        [("u3", "a1", 7, "c d"), ("u1", "a1", 5, "a b"), ("u2", "a2", 7, "c d")]
    )
    store.stage_claim_units([("u9", "a9", 9, "x y")])
    store.conn.execute("BEGIN")  # a batch rolled back takes its staged claims with it
    store.stage_claim_units([("u8", "a8", 8, "p q")])
    store.conn.execute("ROLLBACK")
    store.drop_claim_units(["u2"])  # gone while staged: never indexed
    store.add_claim_units(page=1)
    units = store.conn.execute("SELECT unit_id, article_id, class FROM claim_units").fetchall()
    assert [tuple(r) for r in units] == [("u1", "a1", 5), ("u3", "a1", 7), ("u9", "a9", 9)]
    classes = store.conn.execute("SELECT class, words FROM claim_classes ORDER BY class")
    assert [tuple(r) for r in classes] == [(5, "a b"), (7, "c d"), (9, "x y")]
    new = store.conn.execute("SELECT class FROM temp.claim_new ORDER BY class").fetchall()
    assert [r[0] for r in new] == [7, 9]  # class 5 was indexed before
    gone = store.conn.execute("SELECT 1 FROM temp.sqlite_master WHERE name = 'claim_staged'")
    assert gone.fetchone() is None
    store.close()


def _claim_counts(store) -> tuple[dict[str, int], int]:
    return store.counts(), store.claim_count()


def test_claims_are_counted_on_the_index_of_the_other_units_before_and_after_migration_18(
    db_path,
):
    """The claim count is every unit less the titles and headings (kept on a partial
    index since schema 18); a database of schema 17 counts the same once migrated, and
    units saved, replaced and deleted afterwards are counted as they are."""
    from annotate.model import HEADING
    from annotate.store.queue import _NOT_CLAIM_COUNT

    assert MIGRATIONS[17].__name__ == "_m018_units_not_claims"
    db = _database_before(db_path, "m018_units_not_claims")
    db.close()
    with Store.open(db_path, migrate=False) as old:
        _save(old, "a.txt", _units("One.", "Two.", "Three."))
        assert _claim_counts(old) == ({"articles": 1, "units": 4, "claims": 3}, 3)
    with Store.open(db_path) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert _claim_counts(store) == ({"articles": 1, "units": 4, "claims": 3}, 3)
        units = _units("One.", "Two.")
        units.insert(2, Unit(2, 3, HEADING, "A heading", 20, 29))
        _save(store, "b.txt", units)
        _save(store, "a.txt", _units("One."), sha="y")  # replaced: 2 claims fewer
        assert _claim_counts(store) == ({"articles": 2, "units": 6, "claims": 3}, 3)
        with store.transaction():
            store.conn.execute("DELETE FROM units WHERE kind = ?", (HEADING,))
        assert _claim_counts(store) == ({"articles": 2, "units": 5, "claims": 3}, 3)
        plan = store.conn.execute(f"EXPLAIN QUERY PLAN {_NOT_CLAIM_COUNT}").fetchall()
        assert "units_not_claims" in " ".join(r[3] for r in plan)
