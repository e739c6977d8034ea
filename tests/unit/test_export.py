"""Export and import: fields, filters, aggregation, splits, CSV/JSONL fidelity, atomic
writes, and the export -> import -> export round trip."""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections import Counter
from contextlib import closing
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from annotate.cli import main
from annotate.datasets import export as ex
from annotate.model import SENTENCE, TITLE, Unit
from annotate.store import Store

# Texts chosen to break naive writers: quotes, commas, newlines, CR, formula starts.
ARTICLES: dict[str, tuple[str | None, list[str]]] = {
    "news/one.txt": (
        "One",
        [
            'He said "yes", then left.',
            "=SUM(A1:A2) is not a formula here.",
            "Line one\nline two.",
            "Ünïcødé — “quotes” 日本語, and\u2028a line separator.",
        ],
    ),
    "news/two.txt": (
        "Two, with a comma",
        ["Plain claim.", "-5 degrees, said the report.", "@handle wrote this\r\nwith CRLF."],
    ),
    "three.txt": (None, ["\tTabbed start.", "Last one."]),
}


def build_corpus(store: Store) -> dict[str, list[str]]:
    """Save ARTICLES; returns the claim unit ids of each article, in order."""
    for path, (title, sentences) in ARTICLES.items():
        blocks = ([title] if title else []) + sentences
        cleaned = "\n\n".join(blocks)
        units, offset = [], 0
        for seq, text in enumerate(blocks):
            kind = TITLE if title and seq == 0 else SENTENCE
            units.append(
                Unit(0 if kind == TITLE else 1, seq, kind, text, offset, offset + len(text))
            )
            offset += len(text) + 2
        store.save_article(
            path=path,
            file=path,
            sha256="0" * 64,
            title=title,
            source="test",
            url=None,
            date=None,
            cleaned=cleaned,
            segmenter="test",
            units=units,
        )
    return {
        path: [u["id"] for u in store.units_of_article(path) if u["kind"] == SENTENCE]
        for path in ARTICLES
    }


def label_corpus(store: Store, ids: dict[str, list[str]]) -> None:
    one, two, three = ids["news/one.txt"], ids["news/two.txt"], ids["three.txt"]
    store.set_label(one[0], "alice", "attributed")
    store.set_label(one[0], "bob", "attributed")
    store.set_label(one[1], "alice", "editorial")
    store.set_flag(one[1], "alice", True)
    store.set_label(one[1], "bob", "unattributed")
    store.set_note(one[1], "bob", "=cmd|' /C calc'!A0, \"quoted\"\nsecond line")
    store.set_label(one[2], "alice", "not_claim")
    store.set_note(one[3], "carol", "unsure")  # a note without a label
    store.set_label(two[0], "alice", "attributed")
    store.set_label(two[0], "bob", "attributed")
    store.set_label(two[0], "carol", "editorial")
    store.set_label(three[0], "bob", "unattributed")


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def ids(store):
    found = build_corpus(store)
    label_corpus(store, found)
    return found


@pytest.fixture
def db(ids, db_path) -> str:
    return str(db_path)


def run(runner, *args, ok=True):
    result = runner.invoke(main, [*args])
    if ok:
        assert result.exit_code == 0, result.output
    return result


def export_csv(runner, db, *args) -> list[dict[str, str]]:
    result = run(runner, "export", "--db", db, "--out", "-", *args)
    return list(csv.DictReader(io.StringIO(result.stdout_bytes.decode(), newline="")))


def export_jsonl(runner, db, *args) -> list[dict]:
    result = run(runner, "export", "--db", db, "--format", "jsonl", "--out", "-", *args)
    return [json.loads(line) for line in result.stdout_bytes.decode().split("\n") if line]


# -- fields and filters --------------------------------------------------------------


def test_default_export_is_one_row_per_labelled_unit_and_annotator(runner, db, ids):
    result = run(runner, "export", "--db", db, "--out", "-")
    header = result.stdout_bytes.decode().split("\r\n")[0]
    assert header.split(",") == list(ex.FIELDS)
    rows = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode(), newline="")))
    one = ids["news/one.txt"]
    # Queue order, then annotator; the note-only row of carol is not a label.
    assert [(r["unit_id"], r["annotator"], r["label"]) for r in rows[:5]] == [
        (one[0], "alice", "attributed"),
        (one[0], "bob", "attributed"),
        (one[1], "alice", "editorial"),
        (one[1], "bob", "unattributed"),
        (one[2], "alice", "not_claim"),
    ]
    assert len(rows) == 9
    assert {r["kind"] for r in rows} == {"sentence"}
    first = rows[0]
    assert first["article_path"] == "news/one.txt" and first["article_title"] == "One"
    assert first["text"] == 'He said "yes", then left.'
    assert (first["paragraph"], first["seq"]) == ("1", "1")
    assert first["labeled_at"].endswith("Z") and "T" in first["labeled_at"]
    assert rows[2]["flagged"] == "1" and rows[3]["flagged"] == "0"
    assert rows[3]["note"] == "=cmd|' /C calc'!A0, \"quoted\"\nsecond line"


def test_jsonl_has_the_same_fields_in_the_same_order(runner, db):
    csv_rows = export_csv(runner, db)
    rows = export_jsonl(runner, db)
    assert [list(r) for r in rows] == [list(ex.FIELDS)] * len(rows)
    assert len(rows) == len(csv_rows)
    assert rows[2]["flagged"] is True and rows[3]["flagged"] is False
    assert isinstance(rows[0]["seq"], int)
    for j, c in zip(rows, csv_rows, strict=True):
        # Every field is written with its own type: an empty note is "", never null.
        assert j["text"] == c["text"] and j["note"] == c["note"]


def test_jsonl_keeps_one_object_per_line_for_every_reader(runner, db):
    args = ("export", "--db", db, "--format", "jsonl", "--out", "-", "--include-unlabeled")
    out = run(runner, *args).stdout_bytes.decode()
    # splitlines() also breaks on U+2028; the writer escapes it so both agree.
    assert out.splitlines() == out.rstrip("\n").split("\n")
    assert "日本語" in out  # non-ASCII is written as is (ensure_ascii=False)


def test_annotator_filter(runner, db):
    rows = export_csv(runner, db, "--annotator", "bob")
    assert {r["annotator"] for r in rows} == {"bob"} and len(rows) == 4


def test_include_unlabeled_lists_every_claim_unit(runner, db, ids):
    rows = export_csv(runner, db, "--include-unlabeled")
    all_ids = [u for unit_ids in ids.values() for u in unit_ids]
    assert set(all_ids) == {r["unit_id"] for r in rows}
    blank = [r for r in rows if r["annotator"] == ""]
    # A unit nobody touched appears once, with empty label columns.
    assert len(blank) == len({r["unit_id"] for r in blank})
    # Not flagged: 0, so the column holds only 0 and 1 (a reader can type it).
    assert all(r["label"] == "" and r["flagged"] == "0" for r in blank)
    noted = [r for r in rows if r["annotator"] == "carol" and r["label"] == ""]
    assert [r["note"] for r in noted] == ["unsure"]


def test_include_unlabeled_for_one_annotator(runner, db, ids):
    rows = export_csv(runner, db, "--include-unlabeled", "--annotator", "alice")
    assert len(rows) == sum(len(v) for v in ids.values())
    assert {r["annotator"] for r in rows} == {"alice", ""}


def test_labels_filter(runner, db):
    rows = export_csv(runner, db, "--labels", "attributed,editorial")
    assert Counter(r["label"] for r in rows) == {"attributed": 4, "editorial": 2}


def test_unknown_label_is_a_one_line_error(runner, db):
    result = run(runner, "export", "--db", db, "--labels", "attributed,opinion", ok=False)
    assert result.exit_code == 1
    assert "unknown label 'opinion'" in result.output and "Traceback" not in result.output


def test_all_kinds_adds_titles(runner, db):
    rows = export_csv(runner, db, "--all-kinds", "--include-unlabeled")
    assert [r["text"] for r in rows if r["kind"] == "title"] == ["One", "Two, with a comma"]


def test_missing_database_is_a_clear_error(runner, tmp_path):
    result = run(runner, "export", "--db", str(tmp_path / "nope.db"), ok=False)
    assert result.exit_code == 1 and "no such database" in result.output
    assert not (tmp_path / "nope.db").exists()


# -- aggregate -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("votes", "adjudicated", "expected"),
    [
        ({}, None, (None, ex.NONE)),
        ({"editorial": 1}, None, ("editorial", ex.SINGLE)),
        ({"attributed": 3}, None, ("attributed", ex.UNANIMOUS)),
        ({"attributed": 2, "editorial": 1}, None, ("attributed", ex.MAJORITY)),
        ({"attributed": 1, "editorial": 1}, None, (None, ex.TIE)),
        ({"attributed": 2, "editorial": 2, "not_claim": 1}, None, (None, ex.TIE)),
        ({"attributed": 1, "editorial": 1}, "editorial", ("editorial", ex.ADJUDICATED)),
        ({"attributed": 3}, "not_claim", ("not_claim", ex.ADJUDICATED)),
    ],
)
def test_aggregate_rule(votes, adjudicated, expected):
    assert ex.aggregate(Counter(votes), adjudicated) == expected


def test_aggregate_export_is_one_row_per_unit(runner, db, ids):
    rows = export_csv(runner, db, "--aggregate")
    assert list(rows[0]) == list(ex.AGGREGATE_FIELDS)
    by_unit = {r["unit_id"]: r for r in rows}
    one, two, three = ids["news/one.txt"], ids["news/two.txt"], ids["three.txt"]
    assert len(rows) == len(by_unit) == 5  # the note-only unit is no vote
    assert by_unit[one[0]]["agreement"] == "unanimous"
    assert by_unit[one[0]]["votes_attributed"] == "2"
    tie = by_unit[one[1]]
    assert (tie["label"], tie["agreement"]) == ("", "tie")
    assert (tie["votes_editorial"], tie["votes_unattributed"]) == ("1", "1")
    assert (by_unit[one[2]]["label"], by_unit[one[2]]["agreement"]) == ("not_claim", "single")
    majority = by_unit[two[0]]
    assert (majority["label"], majority["agreement"]) == ("attributed", "majority")
    assert (majority["votes_attributed"], majority["votes_editorial"]) == ("2", "1")
    assert by_unit[three[0]]["agreement"] == "single"


def test_an_adjudicated_label_wins_over_the_votes(runner, db, ids):
    tie = ids["news/one.txt"][1]
    with Store.open(db) as s:
        s.set_adjudication(tie, "editorial", "quote is the reporter's", "dana")
    rows = {r["unit_id"]: r for r in export_csv(runner, db, "--aggregate")}
    assert (rows[tie]["label"], rows[tie]["agreement"]) == ("editorial", "adjudicated")
    assert (rows[tie]["votes_editorial"], rows[tie]["votes_unattributed"]) == ("1", "1")
    only = export_csv(runner, db, "--aggregate", "--labels", "editorial")
    assert [r["unit_id"] for r in only] == [tie]


def test_aggregate_with_unlabelled_units_and_a_label_filter(runner, db, ids):
    rows = export_jsonl(runner, db, "--aggregate", "--include-unlabeled")
    assert len(rows) == sum(len(v) for v in ids.values())
    assert Counter(r["agreement"] for r in rows)["none"] == 4
    only = export_csv(runner, db, "--aggregate", "--labels", "attributed")
    assert [r["agreement"] for r in only] == ["unanimous", "majority"]


# -- splits --------------------------------------------------------------------------


def test_split_is_by_article_and_deterministic(runner, db):
    rows = export_csv(runner, db, "--include-unlabeled", "--split", "34/33/33", "--seed", "3")
    per_article: dict[str, set[str]] = {}
    for r in rows:
        per_article.setdefault(r["article_id"], set()).add(r["split"])
    assert all(len(s) == 1 for s in per_article.values())
    assert sorted(s.pop() for s in per_article.values()) == ["dev", "test", "train"]
    again = export_csv(runner, db, "--include-unlabeled", "--split", "34/33/33", "--seed", "3")
    assert again == rows


def test_label_filter_does_not_move_articles_between_splits(runner, db):
    every = export_csv(runner, db, "--split", "50/25/25", "--seed", "9")
    some = export_csv(runner, db, "--split", "50/25/25", "--seed", "9", "--labels", "editorial")
    split_of = {r["article_id"]: r["split"] for r in every}
    assert all(split_of[r["article_id"]] == r["split"] for r in some)


def test_a_split_left_empty_is_said_on_the_terminal(runner, db, tmp_path):
    # Three articles cannot fill 80/10/10: every row goes to train, and the user who asked
    # for three splits is told so where they look, not only in a dataset card.
    out = tmp_path / "few.csv"
    result = run(runner, "export", "--db", db, "--split", "80/10/10", "--out", str(out))
    assert "none in dev or test: too few articles for --split 80/10/10" in result.output
    assert {r["split"] for r in csv.DictReader(out.open(newline=""))} == {"train"}
    hf = run(
        runner,
        "export",
        "--db",
        db,
        "--format",
        "hf",
        "--split",
        "80/10/10",
        "--out",
        str(tmp_path / "ds"),
    )
    assert "none in validation or test" in hf.output
    filled = run(
        runner, "export", "--db", db, "--split", "34/33/33", "--out", str(tmp_path / "all.csv")
    )
    assert "none in" not in filled.output and "Wrote" in filled.output


@given(
    n=st.integers(0, 300),
    weights=st.lists(st.integers(0, 100), min_size=2, max_size=3).filter(lambda w: sum(w) > 0),
    seed=st.integers(0, 2**32),
)
@settings(max_examples=60, deadline=None)
def test_split_proportions_and_order_independence(n, weights, seed):
    split = ex.Split(tuple(float(w) for w in weights), seed)
    articles = [f"article-{i}" for i in range(n)]
    assigned = split.assign(articles)
    shuffled = articles[:]
    random.Random(seed).shuffle(shuffled)
    assert split.assign(shuffled) == assigned
    counts = Counter(assigned.values())
    assert sum(counts.values()) == n
    for name, w in zip(split.names, weights, strict=True):
        # As close to the proportion as whole articles allow.
        assert abs(counts[name] - n * w / sum(weights)) < 1


def test_seed_changes_the_assignment():
    articles = [f"a{i}" for i in range(50)]
    a = ex.Split((80, 10, 10), 1).assign(articles)
    b = ex.Split((80, 10, 10), 2).assign(articles)
    assert a != b and Counter(a.values()) == Counter(b.values()) == {
        "train": 40,
        "dev": 5,
        "test": 5,
    }


@pytest.mark.parametrize("spec", ["80/20/x", "100", "1/2/3/4", "-10/50/60", "0/0/0"])
def test_bad_split_is_a_clear_error(runner, db, spec):
    result = run(runner, "export", "--db", db, "--split", spec, ok=False)
    assert result.exit_code == 1 and "bad split" in result.output


# -- CSV and JSONL fidelity ----------------------------------------------------------

# Anything the store can hold: no NUL, no lone surrogates.
store_text = st.lists(
    st.one_of(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
        st.sampled_from(['"', ",", "\n", "\r", "\r\n", "=", "+", "-", "@", "\t", "'", " "]),
    ),
    min_size=1,
).map("".join)


def _rows_of(texts):
    # Rows in FIELDS order: unit, label and suggestion columns (cue and source get text).
    return [
        ("u", "a", "p.txt", t, 1, i, 0, len(t), "sentence", t, "editorial", "ann", "t", t, 0)
        + ("attributed", t, 0.9, t, t, None)
        for i, t in enumerate(texts)
    ]


@given(st.lists(store_text, min_size=1, max_size=5))
@settings(max_examples=150, deadline=None)
def test_csv_reads_back_identically_with_the_csv_module(texts):
    out = io.StringIO(newline="")
    ex.write_csv(out, ex.FIELDS, [_rows_of(texts)])
    back = list(csv.reader(io.StringIO(out.getvalue(), newline="")))
    assert back[0] == list(ex.FIELDS)
    assert [r[9] for r in back[1:]] == texts
    assert [r[13] for r in back[1:]] == texts
    assert [r[3] for r in back[1:]] == texts


@given(st.lists(store_text, min_size=1, max_size=5))
@settings(max_examples=100, deadline=None)
def test_csv_reads_back_identically_with_pandas(texts):
    pd = pytest.importorskip("pandas")
    out = io.StringIO(newline="")
    ex.write_csv(out, ex.FIELDS, [_rows_of(texts)])
    frame = pd.read_csv(
        io.BytesIO(out.getvalue().encode("utf-8")), dtype=str, keep_default_na=False
    )
    assert list(frame.columns) == list(ex.FIELDS)
    assert frame["text"].tolist() == texts
    assert frame["note"].tolist() == texts


@given(st.lists(store_text, min_size=1, max_size=5))
@settings(max_examples=100, deadline=None)
def test_jsonl_reads_back_identically_with_json_and_pandas(texts):
    pd = pytest.importorskip("pandas")
    out = io.StringIO(newline="")
    ex.write_jsonl(out, ex.FIELDS, [_rows_of(texts)])
    lines = out.getvalue().splitlines()
    assert [json.loads(line)["text"] for line in lines] == texts
    frame = pd.read_json(io.StringIO(out.getvalue()), lines=True, dtype=False)
    assert frame["text"].tolist() == texts


@given(store_text)
def test_excel_safe_is_undone_exactly(text):
    (safe,) = ex._excel_safe_row((text,))
    assert not safe.startswith(("=", "+", "-", "@", "\t", "\r"))
    assert ex.excel_unsafe(safe) == text


def test_excel_safe_neutralises_formulas_and_plain_export_is_exact(runner, db):
    plain = export_csv(runner, db)
    safe = export_csv(runner, db, "--excel-safe")
    assert plain[2]["text"] == "=SUM(A1:A2) is not a formula here."
    assert safe[2]["text"] == "'=SUM(A1:A2) is not a formula here."
    assert safe[3]["note"].startswith("'=cmd")
    for row in safe:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r"))


def test_excel_safe_is_for_csv_only(runner, db):
    result = run(runner, "export", "--db", db, "--format", "jsonl", "--excel-safe", ok=False)
    assert result.exit_code == 1 and "CSV files only" in result.output


def test_bom_is_optional(runner, db, tmp_path):
    run(runner, "export", "--db", db, "--out", str(tmp_path / "a.csv"))
    run(runner, "export", "--db", db, "--out", str(tmp_path / "b.csv"), "--bom")
    assert not (tmp_path / "a.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert (tmp_path / "b.csv").read_bytes() == b"\xef\xbb\xbf" + (tmp_path / "a.csv").read_bytes()


# -- files: default path, --force, atomic writes, streaming ---------------------------


def test_default_path_is_timestamped_in_exports(runner, db):
    result = run(runner, "export", "--db", db)
    run(runner, "export", "--db", db)  # a second export in the same second gets its own name
    names = sorted(p.name for p in Path("exports").iterdir())
    assert len(names) == 2
    assert all(re.fullmatch(r"annotations-\d{8}T\d{6}Z(-2)?\.csv", n) for n in names)
    assert "Wrote 9 row(s)" in result.output


def test_an_export_of_no_label_says_how_to_get_rows(runner, fresh_db, tmp_path):
    result = run(runner, "export", "--db", fresh_db, "--out", str(tmp_path / "none.csv"))
    assert "Wrote 0 row(s)" in result.output and "--include-unlabeled" in result.output
    every = run(
        runner, "export", "--db", fresh_db, "--include-unlabeled", "--out", str(tmp_path / "a.csv")
    )
    assert "--include-unlabeled" not in every.output and "Wrote 0 row(s)" not in every.output


def test_existing_file_needs_force(runner, db, tmp_path):
    out = tmp_path / "out.csv"
    out.write_text("keep me")
    result = run(runner, "export", "--db", db, "--out", str(out), ok=False)
    assert (
        result.exit_code == 1 and "already exists" in result.output and "--force" in result.output
    )
    assert out.read_text() == "keep me"
    run(runner, "export", "--db", db, "--out", str(out), "--force")
    assert out.read_text().startswith("unit_id,")


@pytest.mark.parametrize("error", [OSError(28, "No space left on device"), KeyboardInterrupt()])
def test_a_failed_export_leaves_no_file(store, ids, tmp_path, monkeypatch, error):
    real = ex.export_batches

    def failing(store, options, per_split=None):
        with closing(real(store, options, per_split)) as batches:
            yield next(batches)
            raise error

    monkeypatch.setattr(ex, "export_batches", failing)
    out = tmp_path / "out" / "x.csv"
    out.parent.mkdir()
    with pytest.raises(type(error)):
        ex.export_to_path(store, out, ex.ExportOptions(), force=False)
    assert list(out.parent.iterdir()) == []
    # Overwriting fails the same way: the old file stays whole.
    out.write_text("old")
    with pytest.raises(type(error)):
        ex.export_to_path(store, out, ex.ExportOptions(), force=True)
    assert [p.name for p in out.parent.iterdir()] == ["x.csv"] and out.read_text() == "old"


def test_store_rows_stream_in_batches(store, ids):
    batches = store.export_rows(every_unit=True, batch=3)
    assert iter(batches) is batches  # a generator, not a list
    sizes = [len(b) for b in batches]
    assert max(sizes) == 3 and sum(sizes) > 3


# -- import --------------------------------------------------------------------------


@pytest.fixture
def fresh_db(tmp_path) -> str:
    """A second database with the same corpus and no labels."""
    path = tmp_path / "fresh.db"
    with Store.open(path) as s:
        build_corpus(s)
    return str(path)


@pytest.mark.parametrize(
    ("fmt", "args"),
    [
        ("csv", []),
        ("jsonl", []),
        ("csv", ["--include-unlabeled"]),
        ("jsonl", ["--include-unlabeled", "--all-kinds"]),
    ],
)
def test_export_import_export_round_trip(runner, db, fresh_db, tmp_path, fmt, args):
    first = tmp_path / f"first.{fmt}"
    run(runner, "export", "--db", db, "--format", fmt, "--out", str(first), *args)
    result = run(runner, "import", str(first), "--db", fresh_db)
    assert "added" in result.output
    second = tmp_path / f"second.{fmt}"
    run(runner, "export", "--db", fresh_db, "--format", fmt, "--out", str(second), *args)
    assert second.read_bytes() == first.read_bytes()


def test_import_is_idempotent_and_logged(runner, db, fresh_db, tmp_path):
    out = tmp_path / "labels.csv"
    run(runner, "export", "--db", db, "--out", str(out), "--include-unlabeled")
    first = run(runner, "import", str(out), "--db", fresh_db)
    assert "10 label(s) added" in first.output
    assert "without an annotator" in first.output
    with Store.open(fresh_db) as s:
        history = s.history(limit=1000)
    assert len(history) == 10 and {h["action"] for h in history} == {"import"}
    second = run(runner, "import", str(out), "--db", fresh_db)
    assert "Nothing to change: all 10 label(s)" in second.output
    with Store.open(fresh_db) as s:
        assert len(s.history(limit=1000)) == 10


def test_import_keeps_a_newer_label_in_the_database(runner, db, tmp_path, ids):
    unit = ids["three.txt"][0]
    out = tmp_path / "labels.jsonl"
    run(runner, "export", "--db", db, "--format", "jsonl", "--out", str(out))
    with Store.open(db) as s:
        s.set_label(unit, "bob", "editorial")  # decided after the export
    result = run(runner, "import", str(out), "--db", db)
    assert "1 row(s) kept as they are: the database's label is newer" in result.output
    with Store.open(db) as s:
        assert s.label_state(unit, "bob").label == "editorial"


def test_import_replaces_an_older_label_and_keeps_the_file_time(runner, db, tmp_path, ids):
    unit = ids["three.txt"][0]
    path = tmp_path / "later.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["unit_id", "annotator", "label", "labeled_at", "note", "flagged"])
        w.writerow([unit, "bob", "editorial", "2999-01-02T05:04:05+02:00", "later", "true"])
    result = run(runner, "import", str(path), "--db", db)
    assert "0 label(s) added, 1 updated" in result.output
    with Store.open(db) as s:
        state = s.label_state(unit, "bob")
        assert (state.label, state.note, state.flagged) == ("editorial", "later", True)
        # Times are stored in the store's form: UTC, microseconds, Z.
        assert state.labeled_at == "2999-01-02T03:04:05.000000Z"
        last = s.history(limit=1)[0]
        assert (last["action"], last["prev_label"]) == ("import", "unattributed")


def test_import_matches_by_article_path_and_text(runner, fresh_db, tmp_path, ids):
    path = tmp_path / "script.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["article_path", "text", "annotator", "label"])
        w.writerow(["news/two.txt", "-5 degrees, said the report.", "script", "attributed"])
        w.writerow(["news/one.txt", "Line one\nline two.", "script", "not_claim"])
    result = run(runner, "import", str(path), "--db", fresh_db)
    assert "2 label(s) added" in result.output
    with Store.open(fresh_db) as s:
        assert s.label_state(ids["news/two.txt"][1], "script").label == "attributed"
        state = s.label_state(ids["news/one.txt"][2], "script")
        assert state.label == "not_claim" and state.labeled_at.endswith("Z")


def test_import_reports_unmatched_and_malformed_rows(runner, fresh_db, tmp_path, ids):
    path = tmp_path / "mixed.csv"
    good = ids["three.txt"][1]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["unit_id", "article_path", "text", "annotator", "label", "flagged"])
        w.writerow([good, "three.txt", "Last one.", "ann", "editorial", "0"])  # line 2
        w.writerow(["0000000000000000", "gone.txt", "Nope.", "ann", "editorial", "0"])  # 3
        w.writerow([good, "three.txt", "Last one.", "ann", "opinion", "0"])  # 4
        w.writerow([good, "three.txt", "Last one.", "ann", "editorial", "maybe"])  # 5
        w.writerow([good, "three.txt", "Last one.", "", "editorial", "0"])  # 6
        w.writerow([good, "x"])  # 7
    result = run(runner, "import", str(path), "--db", fresh_db)
    err = result.stderr
    assert f"{path}:4: unknown label 'opinion'" in err
    assert f"{path}:5: flagged is not 0/1" in err
    assert f"{path}:6: a label, note or flag without an annotator" in err
    assert f"{path}:7: 2 fields where the header has 6" in err
    assert "1 row(s) match no unit" in result.stdout and f"{path}:3:" in result.stdout
    assert "4 malformed row(s)" in result.stdout
    assert "1 label(s) added" in result.stdout


def test_import_exits_1_when_nothing_could_be_imported(runner, fresh_db, tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"unit_id": "nope", "annotator": "a", "label": "editorial"}\nnot json\n')
    result = run(runner, "import", str(path), "--db", fresh_db, ok=False)
    assert result.exit_code == 1
    assert f"{path}:2: not valid JSON" in result.stderr
    assert "no row of" in result.stderr and "Traceback" not in result.output


def test_import_into_a_missing_database_is_a_clear_error(runner, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("unit_id,annotator,label\n")
    result = run(runner, "import", str(path), "--db", str(tmp_path / "none.db"), ok=False)
    assert result.exit_code == 1 and "no such database" in result.output
    assert not (tmp_path / "none.db").exists()


def test_import_needs_the_key_columns(runner, fresh_db, tmp_path):
    path = tmp_path / "cols.csv"
    path.write_text("text,label\nx,editorial\n")
    result = run(runner, "import", str(path), "--db", fresh_db, ok=False)
    assert result.exit_code == 1 and "missing column(s) annotator" in result.output


def test_import_reads_bom_and_excel_safe_files(runner, db, fresh_db, tmp_path):
    out = tmp_path / "excel.csv"
    run(runner, "export", "--db", db, "--out", str(out), "--excel-safe", "--bom")
    run(runner, "import", str(out), "--db", fresh_db, "--excel-safe")
    plain = export_csv(runner, db)
    assert export_csv(runner, fresh_db) == plain


def test_import_format_from_option_when_the_name_does_not_tell(runner, db, fresh_db, tmp_path):
    out = tmp_path / "labels.txt"
    run(runner, "export", "--db", db, "--format", "jsonl", "--out", str(out))
    result = run(runner, "import", str(out), "--db", fresh_db, ok=False)
    assert result.exit_code == 1 and "--format" in result.output
    run(runner, "import", str(out), "--db", fresh_db, "--format", "jsonl")


def test_export_and_stats_do_not_import_textual():
    import subprocess
    import sys

    code = (
        "import annotate.datasets.export, annotate.datasets.stats, sys; "
        "print(' '.join(sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    assert not [m for m in out.stdout.split() if m == "textual" or m.startswith("textual.")]


# -- suggestion columns --------------------------------------------------------------


def suggest(db: str) -> None:
    from annotate.ingest import suggest_all

    with Store.open(db) as s:
        suggest_all(s)


def test_suggestion_columns_are_empty_before_suggest_and_filled_after(runner, db, ids):
    one, two = ids["news/one.txt"], ids["news/two.txt"]
    before = export_jsonl(runner, db)
    assert list(before[0])[-6:] == list(ex.SUGGESTION_FIELDS)
    # JSONL keeps each field's type when it is empty: "" for text, 0.0 for a confidence.
    assert {r[f] for r in before for f in ex.SUGGESTION_FIELDS} == {"", 0.0}
    suggest(db)
    rows = export_csv(runner, db)
    first = rows[0]
    assert first["unit_id"] == one[0]
    assert (first["suggested_label"], first["cue"], first["source"]) == ("attributed", "said", "He")
    assert float(first["suggestion_confidence"]) == pytest.approx(0.85)
    assert first["claim_group"] == ""  # no other article states it
    unlabelled = export_jsonl(runner, db, "--include-unlabeled")
    report = next(r for r in unlabelled if r["unit_id"] == two[1])
    assert (report["source"], report["suggestion_confidence"]) == ("the report", 0.9)
    assert report["suggested_source"] == "the report"
    # Every unit has a suggestion, so no row is left without one.
    assert all(r["suggested_label"] for r in export_csv(runner, db, "--include-unlabeled"))


def test_a_source_stored_with_the_label_wins_over_the_detected_one(runner, db, ids):
    unit = ids["news/one.txt"][0]
    suggest(db)
    with Store.open(db) as s:
        s.set_label(unit, "bob", "attributed", source="Jane Doe")
    rows = [r for r in export_csv(runner, db) if r["unit_id"] == unit]
    assert [(r["annotator"], r["source"]) for r in rows] == [("alice", "He"), ("bob", "Jane Doe")]
    (agg,) = [r for r in export_csv(runner, db, "--aggregate") if r["unit_id"] == unit]
    assert agg["source"] == "Jane Doe"  # corrected by an annotator who gave the unit's label
    assert agg["suggested_label"] == "attributed" and agg["cue"] == "said"


def test_aggregate_rows_carry_the_suggestion_columns(runner, db, ids):
    suggest(db)
    rows = export_jsonl(runner, db, "--aggregate", "--include-unlabeled", "--split", "50/50")
    assert list(rows[0]) == [*ex.AGGREGATE_FIELDS, "split"]
    by_unit = {r["unit_id"]: r for r in rows}
    report = by_unit[ids["news/two.txt"][1]]
    assert report["agreement"] == "none" and report["source"] == "the report"
    tie = by_unit[ids["news/one.txt"][1]]
    assert tie["agreement"] == "tie" and tie["suggested_label"] == "unattributed"


@pytest.mark.parametrize(
    ("fmt", "args"),
    [
        ("csv", []),
        ("jsonl", []),
        ("csv", ["--include-unlabeled", "--all-kinds"]),
        ("jsonl", ["--include-unlabeled"]),
    ],
)
def test_round_trip_with_suggestions(runner, db, fresh_db, tmp_path, fmt, args, ids):
    with Store.open(db) as s:
        s.set_label(ids["news/one.txt"][0], "bob", "attributed", source="Jane Doe")
    suggest(db)
    suggest(fresh_db)
    first = tmp_path / f"first.{fmt}"
    run(runner, "export", "--db", db, "--format", fmt, "--out", str(first), *args)
    run(runner, "import", str(first), "--db", fresh_db)
    second = tmp_path / f"second.{fmt}"
    run(runner, "export", "--db", fresh_db, "--format", fmt, "--out", str(second), *args)
    assert second.read_bytes() == first.read_bytes()
    for extra in (["--aggregate"], ["--aggregate", "--include-unlabeled"]):
        assert export_csv(runner, fresh_db, *extra) == export_csv(runner, db, *extra)


def test_import_reads_files_without_suggestion_columns(runner, db, fresh_db, tmp_path):
    suggest(db)
    rows = export_csv(runner, db)
    old = tmp_path / "old.csv"
    with old.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, [n for n in ex.FIELDS if n not in ex.SUGGESTION_FIELDS])
        w.writeheader()
        w.writerows({k: v for k, v in r.items() if k not in ex.SUGGESTION_FIELDS} for r in rows)
    result = run(runner, "import", str(old), "--db", fresh_db)
    assert "9 label(s) added" in result.output
    suggest(fresh_db)
    assert export_csv(runner, fresh_db) == rows


def test_import_keeps_the_source_and_ignores_the_other_suggestion_columns(
    runner, fresh_db, tmp_path, ids
):
    unit = ids["news/two.txt"][0]
    path = tmp_path / "script.jsonl"
    record = {
        "unit_id": unit,
        "annotator": "eve",
        "label": "attributed",
        "source": "the ministry",
        "suggested_label": "not_claim",
        "suggestion_confidence": 0.1,
        "cue": "nonsense",
        "claim_group": "g123",
    }
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    run(runner, "import", str(path), "--db", fresh_db)
    with Store.open(fresh_db) as s:
        assert s.label_state(unit, "eve").source == "the ministry"
        assert s.suggestion(unit) is None  # the file's suggestion columns are not stored
    (row,) = export_jsonl(runner, fresh_db)
    assert (row["source"], row["suggested_label"], row["claim_group"]) == ("the ministry", "", "")


def test_source_is_exported_and_imported_only_with_an_attributed_label(
    runner, db, fresh_db, tmp_path, ids
):
    report = ids["news/two.txt"][1]  # "-5 degrees, said the report."
    suggest(db)
    suggest(fresh_db)
    with Store.open(db) as s:
        s.set_label(report, "alice", "unattributed")
        s.set_label(report, "bob", "attributed")
        s.set_label(report, "carol", "unattributed")
    rows = {r["annotator"]: r for r in export_csv(runner, db) if r["unit_id"] == report}
    assert {a: (r["source"], r["suggested_source"]) for a, r in rows.items()} == {
        "alice": ("", "the report"),
        "bob": ("the report", "the report"),
        "carol": ("", "the report"),
    }
    (agg,) = [r for r in export_csv(runner, db, "--aggregate") if r["unit_id"] == report]
    assert (agg["label"], agg["source"], agg["suggested_source"]) == (
        "unattributed",
        "",
        "the report",
    )
    out = tmp_path / "labels.csv"
    run(runner, "export", "--db", db, "--out", str(out))
    run(runner, "import", str(out), "--db", fresh_db)
    with Store.open(fresh_db) as s:
        assert s.label_state(report, "alice").source is None
        assert s.label_state(report, "bob").source == "the report"
    again = tmp_path / "again.csv"
    run(runner, "export", "--db", fresh_db, "--out", str(again))
    assert again.read_bytes() == out.read_bytes()


def test_import_drops_a_source_given_with_another_label(runner, db, tmp_path, ids):
    unit = ids["news/one.txt"][0]
    path = tmp_path / "script.jsonl"
    rows = [
        {"unit_id": unit, "annotator": "eve", "label": "unattributed", "source": "Roscosmos"},
        {"unit_id": unit, "annotator": "fay", "label": "attributed", "source": "Roscosmos"},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    run(runner, "import", str(path), "--db", db)
    with Store.open(db) as s:
        assert s.label_state(unit, "eve").source is None
        assert s.label_state(unit, "fay").source == "Roscosmos"
        # Relabelling by import clears a source stored with an earlier attributed label.
        s.set_label(unit, "gus", "attributed", source="TASS")
    path.write_text(
        json.dumps({"unit_id": unit, "annotator": "gus", "label": "editorial"}) + "\n",
        encoding="utf-8",
    )
    run(runner, "import", str(path), "--db", db)
    with Store.open(db) as s:
        assert s.label_state(unit, "gus").source is None
