"""Tasks for other annotation tools: Prodigy JSONL and Label Studio JSON.

Work moves both ways: these exports carry each unit's text, where it comes from
(``unit_id``, ``article_path``, ...), the labels given so far and annotate's suggestion
as a pre-annotation; ``annotate import`` (imports.py) reads the tools' own exports back.

Prodigy (choice interface): one task per label row; ``accept`` holds the label, or for a
unit nobody labelled (``--include-unlabeled``) the suggested label, pre-selected, with no
``answer``. Label Studio: one task per unit, each annotator's label an annotation
(``completed_by`` {"email": annotator}), the suggestion a prediction scored by its
confidence. The Label Studio labelling config to use is ``LABEL_STUDIO_CONFIG``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from contextlib import closing
from itertools import groupby
from typing import IO, Any

from annotate.datasets.export import FIELDS, ExportOptions, export_batches
from annotate.model import LABELS
from annotate.store import Store

# Where the tools' results name the label and note controls.
LABEL_CONTROL = "label"
NOTE_CONTROL = "note"
SUGGESTION_MODEL = "annotate-rules"

LABEL_STUDIO_CONFIG = (
    "<View>\n"
    '  <Text name="text" value="$text"/>\n'
    f'  <Choices name="{LABEL_CONTROL}" toName="text" choice="single" showInline="true">\n'
    + "".join(f'    <Choice value="{label}"/>\n' for label in LABELS)
    + "  </Choices>\n"
    f'  <TextArea name="{NOTE_CONTROL}" toName="text" placeholder="note" maxSubmissions="1"/>\n'
    "</View>\n"
)

_AT = {name: i for i, name in enumerate(FIELDS)}
_WHERE = ("unit_id", "article_id", "article_path", "article_title", "paragraph", "seq")


def write_tasks(
    store: Store, out: IO[str], options: ExportOptions, per_split: Counter[str] | None = None
) -> int:
    """Write Prodigy or Label Studio tasks; returns the number of rows (label rows, and
    units without one) they hold (``per_split``: see ``export_batches``)."""
    encode = json.JSONEncoder(ensure_ascii=False, check_circular=False).encode
    with closing(export_batches(store, options, per_split)) as batches:
        rows = (row for batch in batches for row in batch)
        if options.format == "prodigy":
            n = 0
            for row in rows:
                out.write(_escape(encode(prodigy_task(row))) + "\n")
                n += 1
            return n
        return _write_label_studio(out, rows, encode)


def _write_label_studio(out: IO[str], rows: Iterable[tuple[Any, ...]], encode: Any) -> int:
    """One JSON array, one task per line (so errors can name a line)."""
    n = 0
    out.write("[")
    first = True
    for _, group in groupby(rows, key=lambda r: r[0]):
        members = list(group)
        n += len(members)
        out.write(("\n" if first else ",\n") + _escape(encode(label_studio_task(members))))
        first = False
    out.write("\n]\n")
    return n


def _escape(line: str) -> str:
    # As in JSONL exports: line separators inside strings would break "one per line".
    return line.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029").replace("\x85", "\\u0085")


def _meta(row: tuple[Any, ...]) -> dict[str, Any]:
    return {name: row[_AT[name]] for name in _WHERE}


def prodigy_task(row: tuple[Any, ...]) -> dict[str, Any]:
    """A Prodigy choice task from one export row."""
    label, annotator = row[_AT["label"]], row[_AT["annotator"]]
    suggested = row[_AT["suggested_label"]]
    meta = _meta(row)
    if suggested is not None:
        meta["suggested_label"] = suggested
        meta["suggestion_confidence"] = row[_AT["suggestion_confidence"]]
        meta["cue"] = row[_AT["cue"]]
    if row[_AT["source"]] is not None:
        meta["source"] = row[_AT["source"]]
    if row[_AT["note"]] is not None:
        meta["note"] = row[_AT["note"]]
    if row[_AT["flagged"]]:
        meta["flagged"] = True
    task: dict[str, Any] = {
        "text": row[_AT["text"]],
        "options": [{"id": str(v), "text": str(v)} for v in LABELS],
        "meta": {k: v for k, v in meta.items() if v is not None},
    }
    if label is not None:
        task["accept"] = [label]
        task["answer"] = "accept"
    elif suggested is not None:
        task["accept"] = [suggested]  # pre-selected; the annotator confirms or changes it
    if annotator is not None:
        task["_annotator_id"] = annotator
        task["_session_id"] = annotator
        if row[_AT["labeled_at"]]:
            task["labeled_at"] = row[_AT["labeled_at"]]
    return task


def _choice(label: str) -> dict[str, Any]:
    return {
        "from_name": LABEL_CONTROL,
        "to_name": "text",
        "type": "choices",
        "value": {"choices": [label]},
    }


def label_studio_task(rows: list[tuple[Any, ...]]) -> dict[str, Any]:
    """A Label Studio task from the export rows of one unit (one per annotator)."""
    first = rows[0]
    data = {"text": first[_AT["text"]], **_meta(first)}
    annotations = []
    for row in rows:
        annotator, label = row[_AT["annotator"]], row[_AT["label"]]
        if annotator is None or label is None:
            continue
        result = [_choice(label)]
        if row[_AT["note"]]:
            result.append(
                {
                    "from_name": NOTE_CONTROL,
                    "to_name": "text",
                    "type": "textarea",
                    "value": {"text": [row[_AT["note"]]]},
                }
            )
        annotation: dict[str, Any] = {"result": result, "completed_by": {"email": annotator}}
        if row[_AT["labeled_at"]]:
            annotation["created_at"] = annotation["updated_at"] = row[_AT["labeled_at"]]
        annotations.append(annotation)
    task: dict[str, Any] = {"data": data}
    if annotations:
        task["annotations"] = annotations
    suggested = first[_AT["suggested_label"]]
    if suggested is not None:
        task["predictions"] = [
            {
                "model_version": SUGGESTION_MODEL,
                "score": first[_AT["suggestion_confidence"]],
                "result": [_choice(suggested)],
            }
        ]
    return task


def tasks_of(rows: Iterable[tuple[Any, ...]]) -> Iterator[dict[str, Any]]:
    """Label Studio tasks of export rows ordered by unit (for tests and scripts)."""
    for _, group in groupby(rows, key=lambda r: r[0]):
        yield label_studio_task(list(group))
