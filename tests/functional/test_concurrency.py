"""Several annotators writing to one database at once, as real processes."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap

import pytest

from annotate.model import LABELS
from annotate.store import Store

WRITERS = 4
LABELS_EACH = 500

# Each writer waits for the go file so all of them hit the database together, then
# labels every unit once through Store.set_label (one short transaction each).
WRITER = textwrap.dedent(
    """
    import os, sys, time
    from annotate.store import Store
    from annotate.model import LABELS

    db, go, who, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    store = Store.open(db)
    while not os.path.exists(go):
        time.sleep(0.005)
    for i in range(n):
        # Synthetic unit ids: this is about concurrent writes, not about the units.
        label = LABELS[(i + len(who)) % len(LABELS)]
        store.set_label(f"unit-{i:04d}", who, label, must_exist=False)
    store.close()
    """
)


def run_writers(db, tmp_path, writers: int = WRITERS, n: int = LABELS_EACH) -> None:
    go = tmp_path / "go"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(db), str(go), f"annotator{i}", str(n)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(writers)
    ]
    go.touch()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        assert "locked" not in err


def test_concurrent_writers_lose_nothing(tmp_path):
    db = tmp_path / "team.db"
    Store.open(db).close()
    run_writers(db, tmp_path)
    conn = sqlite3.connect(db)
    try:
        rows = conn.execute("SELECT annotator, count(*) FROM labels GROUP BY annotator")
        assert dict(rows.fetchall()) == {f"annotator{i}": LABELS_EACH for i in range(WRITERS)}
        history = conn.execute("SELECT annotator, count(*) FROM history GROUP BY annotator")
        assert dict(history.fetchall()) == {f"annotator{i}": LABELS_EACH for i in range(WRITERS)}
        wrong = conn.execute(
            "SELECT count(*) FROM labels WHERE label IS NULL OR labeled_at IS NULL"
        ).fetchone()[0]
        assert wrong == 0
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_annotators_opening_a_new_database_together_migrate_it_once(tmp_path):
    db = tmp_path / "new.db"  # not created yet: every writer races to create and migrate it
    run_writers(db, tmp_path, n=50)
    with Store.open(db) as store:
        assert len(store.annotators()) == WRITERS
        applied = store.conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0]
        assert applied == store.schema_version()


class Flaky:
    """A connection whose first BEGIN IMMEDIATEs fail as if another writer held the lock."""

    def __init__(self, conn: sqlite3.Connection, failures: int) -> None:
        self._conn = conn
        self.failures = failures
        self.begins = 0

    def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
        if sql == "BEGIN IMMEDIATE":
            self.begins += 1
            if self.failures:
                self.failures -= 1
                raise sqlite3.OperationalError("database is locked")
        return self._conn.execute(sql, *args)

    def __getattr__(self, name: str) -> object:
        return getattr(self._conn, name)


def test_a_locked_database_is_retried_with_backoff(db_path, monkeypatch):
    store = Store.open(db_path)
    monkeypatch.setattr(store, "LOCK_BACKOFF", 0.0)
    flaky = Flaky(store.conn, failures=3)
    store.conn = flaky  # type: ignore[assignment]
    store.set_label("u1", "ana", LABELS[0], must_exist=False)
    assert flaky.begins == 4
    assert store.label_state("u1", "ana").label == LABELS[0]
    store.close()


def test_the_retry_is_bounded(db_path, monkeypatch):
    store = Store.open(db_path)
    monkeypatch.setattr(store, "LOCK_BACKOFF", 0.0)
    flaky = Flaky(store.conn, failures=10_000)
    store.conn = flaky  # type: ignore[assignment]
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        store.set_label("u1", "ana", LABELS[0], must_exist=False)
    assert flaky.begins == Store.LOCK_RETRIES + 1
    store.close()


def test_other_errors_are_not_retried(db_path):
    store = Store.open(db_path)

    class Broken(Flaky):
        def execute(self, sql: str, *args: object) -> sqlite3.Cursor:
            if sql == "BEGIN IMMEDIATE":
                self.begins += 1
                raise sqlite3.OperationalError("disk I/O error")
            return self._conn.execute(sql, *args)

    broken = Broken(store.conn, 0)
    store.conn = broken  # type: ignore[assignment]
    with pytest.raises(sqlite3.OperationalError, match="I/O"):
        store.set_label("u1", "ana", LABELS[0], must_exist=False)
    assert broken.begins == 1
    store.close()
