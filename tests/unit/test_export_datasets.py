"""Every export format loads in Hugging Face ``datasets`` with each column's type fixed,
on data shaped to break type inference: the first 20,000 rows have no note, no title, no
suggestion and no adjudication; only the last rows do.

``datasets`` runs offline here (HF_DATASETS_OFFLINE, HF_HUB_OFFLINE) with its cache in a
temp folder.
"""

from __future__ import annotations

import json
import os
import tempfile
from importlib import metadata
from pathlib import Path

import pytest
import yaml

os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"
# Removed when the test process exits (a mkdtemp left one folder behind per run).
_HF_HOME = tempfile.TemporaryDirectory(prefix="annotate-hf-home-")
os.environ["HF_HOME"] = _HF_HOME.name
os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")

import datasets  # noqa: E402
import pyarrow.parquet as pq  # noqa: E402

from annotate.datasets import export as ex  # noqa: E402
from annotate.datasets.arrow import LABEL_NAMES, csv_features  # noqa: E402
from annotate.model import LABELS, SENTENCE, Unit  # noqa: E402
from annotate.store import LabelState, Store  # noqa: E402

ARTICLES = 202
UNITS = 100  # per article: 20,200 claim units
EMPTY = 20_000  # rows before the first note, title, suggestion or adjudication
# Long sentences, so the empty rows fill more than the 10 MB that datasets' JSON reader
# takes its types from.
FILLER = " ".join(["the minister said on Tuesday that prices would rise"] * 12)


def _build(path: Path) -> dict[str, list[str]]:
    ids: dict[str, list[str]] = {}
    with Store.open(path) as store:
        seen = 0
        for a in range(ARTICLES):
            late = (a + 1) * UNITS > EMPTY
            texts = [f"{FILLER} ({a}.{i})." for i in range(UNITS)]
            units, offset = [], 0
            for seq, text in enumerate(texts):
                units.append(Unit(0, seq, SENTENCE, text, offset, offset + len(text)))
                offset += len(text) + 1
            store.save_article(
                path=f"news/{a:03d}.txt",
                file=f"news/{a:03d}.txt",
                sha256="0" * 64,
                title="A late title" if late else None,
                source=None,
                url=None,
                date=None,
                cleaned=" ".join(texts),
                segmenter="test",
                units=units,
            )
            ids[f"news/{a:03d}.txt"] = [
                u["id"] for u in store.units_of_article(f"news/{a:03d}.txt")
            ]
            seen += UNITS
        rows = []
        n = 0
        for unit_ids in ids.values():
            for uid in unit_ids:
                late = n >= EMPTY
                label = LABELS[n % 4]
                rows.append((uid, "ana", LabelState(label, "a late note" if late else None)))
                if late:
                    # A second annotator on the late units, disagreeing on every other one.
                    other = label if n % 2 else LABELS[(n + 1) % 4]
                    rows.append((uid, "ben", LabelState(other)))
                n += 1
        store.import_labels(rows)
        late_ids = [uid for unit_ids in ids.values() for uid in unit_ids][EMPTY:]
        store.save_suggestions(
            [
                {
                    "unit_id": uid,
                    "suggested_label": "attributed",
                    "confidence": 0.75,
                    "reason": "cue",
                    "cue": "said",
                    "cue_start": 0,
                    "cue_end": 4,
                    "source": "the minister",
                    "source_start": 0,
                    "source_end": 12,
                    "quote_of": None,
                    "rules": "test",
                }
                for uid in late_ids
            ]
        )
        store.set_adjudication(late_ids[0], "editorial", "opinion", "carol")
    return ids


@pytest.fixture(scope="module")
def work(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("datasets")
    _build(folder / "big.db")
    return folder


@pytest.fixture(scope="module")
def store(work):
    with Store.open(work / "big.db", readonly=True) as s:
        yield s


def export(store: Store, path: Path, **options) -> Path:
    ex.export_to_path(store, path, ex.ExportOptions(**options), force=True)
    return path


def load(work: Path, *args, **kwargs):
    return datasets.load_dataset(*args, cache_dir=str(work / "hf-cache"), **kwargs)


TYPED = {
    "note": "string",
    "article_title": "string",
    "suggested_source": "string",
    "suggestion_confidence": "float64",
    "paragraph": "int64",
}


def test_the_data_breaks_type_inference_when_empty_values_are_null(work, store):
    """The proof that the shape is hostile: the same rows written naively (null where
    empty) fail to load, as in the issue."""
    naive = work / "naive.jsonl"
    with open(naive, "w", encoding="utf-8") as f:
        for batch in ex.export_batches(store, ex.ExportOptions(format="jsonl")):
            for row in batch:
                f.write(json.dumps(dict(zip(ex.FIELDS, row, strict=True))) + "\n")
    assert naive.stat().st_size > 12 * 2**20
    with pytest.raises(Exception, match="(?i)cast|generat"):
        load(work, "json", data_files=str(naive))


def test_jsonl_loads_without_features(work, store):
    path = export(store, work / "rows.jsonl", format="jsonl")
    ds = load(work, "json", data_files=str(path))["train"]
    assert ds.num_rows == EMPTY + 2 * (ARTICLES * UNITS - EMPTY)
    for name, dtype in TYPED.items():
        assert ds.features[name].dtype == dtype, name
    assert ds.features["flagged"].dtype == "bool"
    last = ds[-1]
    assert last["note"] == "" and last["suggestion_confidence"] == 0.75
    assert ds[0]["note"] == "" and ds[0]["article_title"] == ""


def test_csv_needs_features_and_loads_with_them(work, store):
    path = export(store, work / "rows.csv", format="csv")
    # Without features datasets guesses from the first rows: the empty note is float64.
    guessed = None
    try:
        guessed = load(work, "csv", data_files=str(path))["train"].features["note"].dtype
    except Exception:
        guessed = "error"
    assert guessed != "string"
    ds = load(work, "csv", data_files=str(path), features=csv_features(str(path)))["train"]
    assert ds.features["label"].names == list(LABEL_NAMES)
    for name, dtype in TYPED.items():
        assert ds.features[name].dtype == dtype, name
    last = ds[-1]
    assert last["suggestion_confidence"] == 0.75 and last["suggested_source"] == "the minister"
    assert ds[0]["note"] is None
    assert ds.features["label"].int2str(ds[0]["label"]) == LABELS[0]


def test_parquet_has_an_explicit_schema_and_loads(work, store):
    path = export(store, work / "rows.parquet", format="parquet", split=ex.Split.parse("80/10/10"))
    schema = pq.read_schema(path)
    assert str(schema.field("label").type) == "dictionary<values=string, indices=int8, ordered=0>"
    assert str(schema.field("note").type) == "string"
    assert str(schema.field("suggestion_confidence").type) == "double"
    assert str(schema.field("flagged").type) == "bool"
    assert schema.names == [*ex.FIELDS, "split"]
    table = pq.read_table(path)
    assert table.column("label").chunk(0).dictionary.to_pylist() == list(LABEL_NAMES)
    ds = load(work, "parquet", data_files=str(path))["train"]
    assert ds.num_rows == table.num_rows
    assert ds.features["note"].dtype == "string" and ds[-2]["note"] == "a late note"
    assert {ds[0]["label"], ds[1]["label"]} <= set(LABEL_NAMES)
    assert set(ds.unique("split")) == {"train", "dev", "test"}


def test_hf_folder_loads_in_one_line_with_splits_and_class_labels(work, store):
    out = work / "hf-rows"
    export(store, out, format="hf", split=ex.Split.parse("80/10/10"))
    ds = load(work, str(out))
    assert set(ds) == {"train", "validation", "test"}
    total = sum(ds[s].num_rows for s in ds)
    assert total == EMPTY + 2 * (ARTICLES * UNITS - EMPTY)
    features = ds["train"].features
    assert isinstance(features["label"], datasets.ClassLabel)
    assert features["label"].names == list(LABEL_NAMES)
    assert features["note"].dtype == "string" and "split" not in features
    # Splits are by article: no article on two sides.
    articles = {s: set(ds[s].unique("article_id")) for s in ds}
    assert not articles["train"] & articles["validation"]
    assert not articles["train"] & articles["test"]
    assert not articles["validation"] & articles["test"]


def test_hf_aggregate_has_one_row_per_unit_and_the_adjudication(work, store):
    out = work / "hf-aggregate"
    export(store, out, format="hf", aggregate=True)
    ds = load(work, str(out))
    assert set(ds) == {"train"}
    train = ds["train"]
    assert train.num_rows == ARTICLES * UNITS
    adjudicated = train.filter(lambda r: r["agreement"] == ex.ADJUDICATED)
    assert adjudicated.num_rows == 1
    row = adjudicated[0]
    assert (row["adjudicator"], row["adjudication_reason"]) == ("carol", "opinion")
    assert train.features["label"].int2str(row["label"]) == "editorial"
    assert train[0]["adjudicator"] is None
    assert train.features["votes_attributed"].dtype == "int64"


def test_hf_card_yaml_matches_the_files(work, store):
    out = work / "hf-card"
    export(store, out, format="hf", split=ex.Split.parse("90/10"))
    text = (out / "README.md").read_text(encoding="utf-8")
    assert text.startswith("---\n")
    header = yaml.safe_load(text.split("---\n", 2)[1])
    assert header["task_categories"] == ["text-classification"]
    assert header["language"] == ["en"]
    assert header["size_categories"] == ["10K<n<100K"]
    (config,) = header["configs"]
    files = {f["split"]: f["path"] for f in config["data_files"]}
    assert set(files) == {"train", "test"}
    splits = {s["name"]: s["num_examples"] for s in header["dataset_info"]["splits"]}
    for name, rel in files.items():
        assert pq.read_metadata(out / rel).num_rows == splits[name]
    features = {f["name"]: f["dtype"] for f in header["dataset_info"]["features"]}
    names = {str(i): n for i, n in enumerate(LABEL_NAMES)}
    assert features["label"] == {"class_label": {"names": names}}
    assert features["suggestion_confidence"] == "float64"
    body = text.split("---\n", 2)[2]
    # The body says how the data was made.
    assert "| ana | 20200 |" in body and "| ben | 200 |" in body
    assert "200 unit(s) by 2 annotator(s)" in body
    assert "1 unit(s) have an adjudicated label" in body
    assert "of the 400 label(s) given on a unit with a suggestion" in body
    assert "## Annotation guidelines" in body
    assert f"annotate {metadata.version('annotate')}" in body


def test_export_to_an_existing_folder_needs_force_and_spares_other_folders(work, store):
    out = work / "hf-force"
    export(store, out, format="hf", labels=("editorial",))
    with pytest.raises(ex.ExportError, match="already exists"):
        ex.export_to_path(store, out, ex.ExportOptions(format="hf"), force=False)
    other = work / "not-an-export"
    other.mkdir()
    (other / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(ex.ExportError, match="not replacing"):
        ex.export_to_path(store, other, ex.ExportOptions(format="hf"), force=True)
    assert (other / "notes.txt").read_text(encoding="utf-8") == "mine"
    assert not [p for p in work.iterdir() if p.name.endswith(".tmp")]


def test_csv_with_unlabelled_units_and_titles_loads_with_its_features(tmp_path):
    from helpers.builders import add_article

    db = tmp_path / "small.db"
    with Store.open(db) as s:
        (first, _) = add_article(s, "a.txt", ["One said so.", "Nobody labelled this."])
        s.set_label(first, "ana", "attributed")
        s.set_flag(first, "ana", True)
        path = export(s, tmp_path / "all.csv", format="csv", include_unlabeled=True)
    ds = load(tmp_path, "csv", data_files=str(path), features=csv_features(str(path)))["train"]
    assert ds["flagged"] == [1, 0]
    assert ds["label"] == [0, None] and ds["annotator"] == ["ana", None]


def test_a_split_with_no_article_is_left_out_and_the_card_says_so(tmp_path):
    from helpers.builders import add_article

    db = tmp_path / "two.db"
    with Store.open(db) as s:
        for name in ("a.txt", "b.txt"):
            (uid,) = add_article(s, name, [f"A claim in {name}."])
            s.set_label(uid, "ana", "editorial")
        out = export(s, tmp_path / "hf", format="hf", split=ex.Split.parse("80/10/10"))
    ds = load(tmp_path, str(out))
    assert set(ds) == {"train"} and ds["train"].num_rows == 2
    card = (out / "README.md").read_text(encoding="utf-8")
    assert "No row fell in validation or test" in card
    header = yaml.safe_load(card.split("---\n", 2)[1])
    assert [s["name"] for s in header["dataset_info"]["splits"]] == ["train"]
    assert header["dataset_info"]["splits"][0]["num_bytes"] > 0


def test_an_hf_export_with_no_row_is_refused_and_writes_nothing(tmp_path):
    """datasets cannot load a dataset without a row: say so instead of writing one."""
    from click.testing import CliRunner
    from helpers.builders import add_article

    from annotate.cli import main

    db = tmp_path / "none.db"
    with Store.open(db) as s:
        add_article(s, "a.txt", ["A claim nobody labelled."])
    result = CliRunner().invoke(
        main, ["export", "--db", str(db), "--format", "hf", "--out", str(tmp_path / "hf")]
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: nothing to export: no unit matches (label some first, or add "
        "--include-unlabeled); datasets cannot load a dataset with no row"
    ]
    assert not [p for p in tmp_path.iterdir() if not p.name.startswith("none.db")]
