"""Labels in from other tools (Prodigy JSONL, Label Studio JSON, doccano JSONL) and out
to them (Prodigy and Label Studio tasks): matching by text, --annotator, --map, new
articles, and all-or-nothing imports that name each bad row's line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.builders import add_article

from annotate.cli import main
from annotate.datasets import export as ex
from annotate.datasets.imports import sniff
from annotate.datasets.tools import LABEL_STUDIO_CONFIG
from annotate.store import Store

ONE = ["The minister said prices would rise.", "Prices rose.", "Perhaps that is a shame."]
TWO = ["Prices rose.", "Officials declined to comment."]


@pytest.fixture
def db(tmp_path) -> str:
    path = str(tmp_path / "t.db")
    with Store.open(path) as s:
        add_article(s, "news/one.txt", ONE)
        add_article(s, "news/two.txt", TWO)
    return path


def ids(db: str, path: str) -> list[str]:
    with Store.open(db) as s:
        return [u["id"] for u in s.units_of_article(path)]


def run(db: str, *args: str, code: int = 0):
    result = CliRunner().invoke(main, [*args, "--db", db])
    assert result.exit_code == code, result.output
    return result


def labels(db: str) -> dict[tuple[str, str], tuple[str | None, str | None]]:
    with Store.open(db) as s:
        rows = s.conn.execute("SELECT unit_id, annotator, label, note FROM labels").fetchall()
    return {(r[0], r[1]): (r[2], r[3]) for r in rows}


def write_jsonl(path: Path, records: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


# -- Prodigy --------------------------------------------------------------------------------


def test_prodigy_choice_and_binary_answers(db, tmp_path):
    one = ids(db, "news/one.txt")
    options = [{"id": "ATTR", "text": "ATTR"}, {"id": "SUBJ", "text": "SUBJ"}]
    path = write_jsonl(
        tmp_path / "prodigy.jsonl",
        [
            {"text": ONE[0], "options": options, "accept": ["ATTR"], "answer": "accept",
             "_annotator_id": "news-ana", "_timestamp": 1735689600},
            # Whitespace differs from the unit's text: still the same sentence.
            {"text": "Perhaps  that is\na shame.", "label": "SUBJ", "answer": "accept",
             "_session_id": "news-ben"},
            {"text": ONE[0], "label": "SUBJ", "answer": "reject", "_annotator_id": "news-ben"},
            {"text": ONE[0], "accept": ["ATTR"], "answer": "ignore", "_annotator_id": "x"},
        ],
    )  # fmt: skip
    out = run(db, "import", str(path), "--map", "ATTR=attributed", "--map", "SUBJ=editorial")
    assert "(prodigy): 2 label(s) added" in out.output
    assert "1 row(s) skipped: answer reject" in out.output
    assert labels(db) == {
        (one[0], "news-ana"): ("attributed", None),
        (one[2], "news-ben"): ("editorial", None),
    }
    with Store.open(db) as s:
        assert s.label_state(one[0], "news-ana").labeled_at == "2025-01-01T00:00:00.000000Z"


def test_prodigy_text_in_two_articles_needs_its_article(db, tmp_path):
    rows = [{"text": "Prices rose.", "label": "attributed", "answer": "accept"}]
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    out = run(db, "import", str(path), "--annotator", "ana", code=1)
    assert f"{path}:1: ambiguous: 2 units have this text (news/one.txt, news/two.txt)" in (
        out.output
    )
    assert labels(db) == {}
    rows[0]["meta"] = {"article_path": "news/two.txt"}
    write_jsonl(path, rows)
    run(db, "import", str(path), "--annotator", "ana")
    assert labels(db) == {(ids(db, "news/two.txt")[0], "ana"): ("attributed", None)}


def test_one_bad_row_imports_nothing_and_every_problem_has_its_line(db, tmp_path):
    path = tmp_path / "p.jsonl"
    good = {
        "text": ONE[1],
        "label": "unattributed",
        "answer": "accept",
        "meta": {"article_path": "news/one.txt"},
    }
    path.write_text(
        "\n".join(
            [
                json.dumps(good),
                json.dumps({"text": ONE[0], "label": "MAYBE", "answer": "accept"}),
                '{"text": "a\tb"}',
                json.dumps({"text": "Nowhere in the corpus.", "label": "editorial",
                            "answer": "accept"}),
                json.dumps({"text": ONE[0], "accept": ["a", "b"], "answer": "accept"}),
                json.dumps({"text": "", "label": "editorial", "answer": "accept"}),
            ]
        ),
        encoding="utf-8",
    )  # fmt: skip
    out = run(db, "import", str(path), "--annotator", "ana", code=1)
    assert f"{path}:2: unknown label 'MAYBE'" in out.output and "--map MAYBE=LABEL" in out.output
    # json's message, with the column it means ("... at" alone says nowhere).
    assert f"{path}:3: not valid JSON (Invalid control character at column 12)" in out.output
    assert f"{path}:4: text not in the corpus: 'Nowhere in the corpus.'" in out.output
    assert f"{path}:5: 2 labels accepted; one expected" in out.output
    assert f"{path}:6: no text" in out.output
    assert f"nothing imported from {path}: 5 row(s)" in out.output
    assert labels(db) == {}  # not even the good first row
    with Store.open(db) as s:
        assert not s.conn.execute("SELECT 1 FROM history WHERE action = 'import'").fetchone()


def test_text_in_no_article_becomes_a_new_article_when_asked(db, tmp_path):
    path = write_jsonl(
        tmp_path / "extra.jsonl",
        [
            {"text": "A claim from elsewhere.", "label": "attributed", "answer": "accept"},
            {"text": "Two from one place.", "label": "editorial", "answer": "accept",
             "meta": {"article_path": "other/site.txt"}},
            {"text": "And its second.", "label": "not_claim", "answer": "accept",
             "meta": {"article_path": "other/site.txt"}},
        ],
    )  # fmt: skip
    out = run(db, "import", str(path), "--annotator", "ana", "--new-articles")
    assert "New article extra.jsonl#1: 1 unit(s) whose text is in no article." in out.output
    assert "New article other/site.txt: 2 unit(s)" in out.output
    assert ids(db, "extra.jsonl#1") and len(ids(db, "other/site.txt")) == 2
    site = ids(db, "other/site.txt")
    assert labels(db)[(site[1], "ana")] == ("not_claim", None)
    # Importing again finds them: nothing new.
    again = run(db, "import", str(path), "--annotator", "ana", "--new-articles")
    assert "0 label(s) added, 0 updated, 3 already there" in again.output
    assert "New article" not in again.output


def test_a_known_article_never_gets_new_units(db, tmp_path):
    rows = [{"text": "Not in it.", "label": "editorial", "answer": "accept",
             "meta": {"article_path": "news/one.txt"}}]  # fmt: skip
    path = write_jsonl(tmp_path / "p.jsonl", rows)
    out = run(db, "import", str(path), "--annotator", "a", "--new-articles", code=1)
    assert f"{path}:1: no unit of news/one.txt has this text: 'Not in it.'" in out.output


def test_rows_without_an_annotator_need_the_option(db, tmp_path):
    path = write_jsonl(tmp_path / "p.jsonl", [{"text": ONE[0], "label": "x", "answer": "accept"}])
    out = run(db, "import", str(path), code=1)
    assert f"{path}:1: the row names no annotator; pass --annotator NAME" in out.output


def test_prodigy_round_trip_through_the_task_export(db, tmp_path):
    one = ids(db, "news/one.txt")
    with Store.open(db) as s:
        s.set_label(one[0], "ana", "attributed", source="The minister")
        s.set_label(one[0], "ben", "unattributed")
        s.set_note(one[0], "ben", 'hm, "said"')
        s.set_flag(one[1], "ana", True)
        s.set_label(one[1], "ana", "not_claim")
        before = labels(db)
        tasks = tmp_path / "tasks.jsonl"
        ex.export_to_path(s, tasks, ex.ExportOptions(format="prodigy"), force=False)
    records = [json.loads(line) for line in tasks.read_text(encoding="utf-8").splitlines()]
    assert [r["accept"] for r in records] == [["attributed"], ["unattributed"], ["not_claim"]]
    assert records[0]["_annotator_id"] == "ana" and records[0]["meta"]["unit_id"] == one[0]
    assert {o["id"] for o in records[0]["options"]} == {
        "attributed", "unattributed", "editorial", "not_claim"
    }  # fmt: skip
    fresh = str(tmp_path / "fresh.db")
    with Store.open(fresh) as s:
        add_article(s, "news/one.txt", ONE)
    run(fresh, "import", str(tasks))
    assert labels(fresh) == before
    with Store.open(fresh) as s:
        assert s.label_state(one[1], "ana").flagged


def test_prodigy_export_pre_selects_the_suggestion_of_an_unlabelled_unit(db, tmp_path):
    from annotate.ingest import suggest_all

    with Store.open(db) as s:
        suggest_all(s)
        path = tmp_path / "todo.jsonl"
        options = ex.ExportOptions(format="prodigy", include_unlabeled=True)
        ex.export_to_path(s, path, options, force=False)
    first = json.loads(path.read_text(encoding="utf-8").splitlines()[0])
    assert first["text"] == ONE[0] and "answer" not in first
    assert first["accept"] == ["attributed"]  # "said": the rules' label, pre-selected
    assert first["meta"]["suggested_label"] == "attributed"


# -- Label Studio --------------------------------------------------------------------------


def ls_task(text: str, *annotations: dict, **data) -> dict:
    return {"id": 1, "data": {"text": text, **data}, "annotations": list(annotations)}


def choice(label: str, who=1, cancelled=False, note: str | None = None) -> dict:
    result = [{"from_name": "label", "to_name": "text", "type": "choices",
               "value": {"choices": [label]}}]  # fmt: skip
    if note:
        result.append({"from_name": "note", "to_name": "text", "type": "textarea",
                       "value": {"text": [note]}})  # fmt: skip
    return {"id": 9, "completed_by": who, "result": result, "was_cancelled": cancelled,
            "created_at": "2025-02-03T04:05:06.000000Z"}  # fmt: skip


def test_label_studio_export_json(db, tmp_path):
    one, two = ids(db, "news/one.txt"), ids(db, "news/two.txt")
    tasks = [
        ls_task(ONE[0], choice("Attributed", who=3), choice("Editorial", who={"id": 4,
                "email": "ben@example.org"}, note="opinion?")),
        ls_task("Prices rose.", choice("unattributed", who=3), article_path="news/two.txt"),
        ls_task(ONE[2], choice("editorial", cancelled=True)),
        {"id": 4, "data": {"text": TWO[1]}, "annotations": [], "predictions": []},
    ]  # fmt: skip
    path = tmp_path / "export.json"
    path.write_text(json.dumps(tasks, indent=2), encoding="utf-8")
    assert sniff(path) == "label-studio"
    out = run(db, "import", str(path))
    assert "(label-studio): 3 label(s) added" in out.output
    assert "1 row(s) skipped: annotation cancelled" in out.output
    assert "1 row(s) skipped: task with no annotation" in out.output
    assert labels(db) == {
        (one[0], "3"): ("attributed", None),
        (one[0], "ben@example.org"): ("editorial", "opinion?"),
        (two[0], "3"): ("unattributed", None),
    }


def test_label_studio_problems_name_the_line_where_the_task_starts(db, tmp_path):
    tasks = [ls_task(ONE[0], choice("attributed")), ls_task(ONE[1], choice("sarcasm"))]
    path = tmp_path / "export.json"
    text = json.dumps(tasks, indent=2)
    path.write_text(text, encoding="utf-8")
    second = text.splitlines().index("  {", 2) + 1
    out = run(db, "import", str(path), "--format", "label-studio", code=1)
    assert f"{path}:{second}: unknown label 'sarcasm'" in out.output
    assert labels(db) == {}
    path.write_text('[{"data": {"text": "x"}', encoding="utf-8")
    out = run(db, "import", str(path), "--format", "label-studio", code=1)
    assert f"{path}:1: not valid JSON" in out.output and "Traceback" not in out.output
    path.write_text('"just a string"', encoding="utf-8")
    out = run(db, "import", str(path), "--format", "label-studio", code=1)
    assert "not a Label Studio JSON export" in out.output


def test_label_studio_round_trip_with_predictions(db, tmp_path):
    from annotate.ingest import suggest_all

    one = ids(db, "news/one.txt")
    with Store.open(db) as s:
        suggest_all(s)
        s.set_label(one[0], "ana", "attributed")
        s.set_label(one[0], "ben", "editorial")
        s.set_note(one[0], "ben", "why")
        before = labels(db)
        path = tmp_path / "tasks.json"
        options = ex.ExportOptions(format="label-studio", include_unlabeled=True)
        ex.export_to_path(s, path, options, force=False)
    tasks = json.loads(path.read_text(encoding="utf-8"))
    assert len(tasks) == len(ONE) + len(TWO)  # one task per unit
    first = tasks[0]
    assert [a["completed_by"] for a in first["annotations"]] == [
        {"email": "ana"},
        {"email": "ben"},
    ]
    (prediction,) = first["predictions"]
    assert prediction["result"][0]["value"]["choices"] == ["attributed"]
    assert 0 < prediction["score"] <= 1
    assert "annotations" not in tasks[1]
    fresh = str(tmp_path / "fresh.db")
    with Store.open(fresh) as s:
        add_article(s, "news/one.txt", ONE)
        add_article(s, "news/two.txt", TWO)
    out = run(fresh, "import", str(path))
    # The four units nobody labelled are tasks with a prediction only.
    assert "4 row(s) skipped: task with no annotation" in out.output
    assert labels(fresh) == before


def test_the_label_studio_config_names_every_label():
    for label in ("attributed", "unattributed", "editorial", "not_claim"):
        assert f'<Choice value="{label}"/>' in LABEL_STUDIO_CONFIG


# -- doccano -------------------------------------------------------------------------------


def test_doccano_with_a_default_annotator_and_a_map(db, tmp_path):
    one = ids(db, "news/one.txt")
    path = write_jsonl(
        tmp_path / "all.jsonl",
        [
            {"id": 1, "text": ONE[0], "label": ["SOURCE"], "Comments": []},
            {"id": 2, "text": ONE[2], "label": ["SUBJ"], "Comments": ["opinion"]},
            {"id": 3, "text": TWO[1], "label": []},
        ],
    )
    assert sniff(path) == "doccano"
    out = run(db, "import", str(path), code=1)
    assert "pass --annotator NAME" in out.output
    out = run(db, "import", str(path), "--annotator", "dana", "--map", "SUBJ=editorial", code=1)
    assert f"{path}:1: unknown label 'SOURCE'" in out.output
    out = run(
        db, "import", str(path), "--annotator", "dana", "--map", "SUBJ=editorial",
        "--map", "SOURCE=attributed",
    )  # fmt: skip
    assert (
        "(doccano): 2 label(s) added" in out.output and "1 row(s) skipped: no label" in out.output
    )
    assert labels(db) == {
        (one[0], "dana"): ("attributed", None),
        (one[2], "dana"): ("editorial", "opinion"),
    }


def test_doccano_several_labels_is_an_error(db, tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [{"text": ONE[0], "label": ["SUBJ", "OBJ"]}])
    out = run(db, "import", str(path), "--format", "doccano", "--annotator", "d", code=1)
    assert f"{path}:1: 2 labels; one expected" in out.output


def test_bad_map_and_options_for_annotate_files_are_refused(db, tmp_path):
    path = write_jsonl(tmp_path / "d.jsonl", [{"text": ONE[0], "label": ["SUBJ"]}])
    out = run(db, "import", str(path), "--annotator", "d", "--map", "SUBJ", code=1)
    assert "bad --map 'SUBJ': expected NAME=LABEL" in out.output
    out = run(db, "import", str(path), "--annotator", "d", "--map", "SUBJ=sarcasm", code=1)
    assert "bad --map 'SUBJ=sarcasm'" in out.output
    ours = tmp_path / "ours.csv"
    ours.write_text("unit_id,annotator,label\n", encoding="utf-8")
    out = run(db, "import", str(ours), "--annotator", "d", code=2)
    assert "--annotator, --map and --new-articles are for" in out.output


def test_aggregate_is_refused_for_task_formats():
    with pytest.raises(ex.ExportError, match="--aggregate is for csv, jsonl, parquet and hf"):
        ex.ExportOptions(format="prodigy", aggregate=True)
