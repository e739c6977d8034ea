"""Model suggestions are written in short transactions with the lock free between them."""

from __future__ import annotations

import sqlite3

from helpers.learn import labelled_db

from annotate.store import Store
from annotate.store import models as store_models


def test_model_suggestions_are_written_in_batches_with_the_lock_free_between(tmp_path, monkeypatch):
    db = tmp_path / "team.db"
    labelled_db(str(db), articles=6)
    monkeypatch.setattr(store_models, "_WRITE_BATCH", 7)
    other = sqlite3.connect(db, isolation_level=None, timeout=0)
    free: list[bool] = []

    def between() -> None:
        # Another writer can take the lock here: the saver holds none.
        try:
            other.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError:
            free.append(False)
        else:
            other.execute("ROLLBACK")
            free.append(True)

    with Store.open(db) as store:
        ids = [r[0] for r in store.conn.execute("SELECT id FROM units ORDER BY id")]
        old = [{"unit_id": u, "suggested_label": "attributed", "confidence": 0.5,
                "certainty": 0.5, "speaker": "model", "reason": "old"} for u in ids]  # fmt: skip
        store.save_model_suggestions("m1", old)
        new = [{**r, "suggested_label": "editorial", "reason": "new"} for r in old[:-3]]
        store.save_model_suggestions("m2", new, between=between)
        rows = [
            tuple(r)
            for r in store.conn.execute(
                "SELECT unit_id, model, suggested_label, reason FROM model_suggestions "
                "ORDER BY unit_id"
            )
        ]
    other.close()
    assert len(free) == -(-len(new) // 7) + 1 and all(free)
    # The model's new say for the units it scored; none left of the old model's.
    assert rows == sorted((r["unit_id"], "m2", "editorial", "new") for r in new)
