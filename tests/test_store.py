"""The store: migrations on fresh and old databases, WAL, deterministic ids."""

from __future__ import annotations

import sqlite3

import pytest

from annotate.model import SENTENCE, TITLE, Unit, article_id, unit_id
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


def _save(store, path, units, sha="x"):
    return store.save_article(
        path=path, file=path, sha256=sha, title="Title", source=None, url=None, date=None,
        cleaned="Title\n\n" + " ".join(u.text for u in units[1:]), segmenter="v", units=units,
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
