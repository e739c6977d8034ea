"""Typed columns for training: the Arrow schema of every export field, and Parquet writing.

Every field has one type whatever its values (text, integer, boolean, float; each may be
null), so no reader guesses a type from the first rows. ``label`` and
``suggested_label`` are dictionary columns over the label names in a fixed order
(``annotate.model.LABELS``) in Parquet, and ClassLabel columns (integers with names) in
the hf format, where the Hugging Face features are stored in the schema metadata.

Rows arrive from the store in small batches; they are gathered into row groups of
``ROW_GROUP`` rows, turned into columns and written, so memory holds one row group.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from annotate.datasets.export import (
    BOOL_FIELDS,
    FLOAT_FIELDS,
    INT_FIELDS,
    LABEL_FIELDS,
    ExportError,
)
from annotate.model import LABELS

ROW_GROUP = 65_536
LABEL_NAMES: tuple[str, ...] = tuple(str(label) for label in LABELS)
_DICTIONARY = pa.array(LABEL_NAMES, pa.string())


def arrow_type(name: str, *, class_labels: bool = False) -> pa.DataType:
    """The Arrow type of an export field; labels as dictionary (or, with
    ``class_labels``, the int64 codes of a Hugging Face ClassLabel)."""
    if name in LABEL_FIELDS:
        return pa.int64() if class_labels else pa.dictionary(pa.int8(), pa.string())
    if name in INT_FIELDS:
        return pa.int64()
    if name in FLOAT_FIELDS:
        return pa.float64()
    if name in BOOL_FIELDS:
        return pa.bool_()
    return pa.string()


def schema(fields: Sequence[str], *, class_labels: bool = False) -> pa.Schema:
    """The schema of an export with these fields; with ``class_labels`` (hf) it carries
    the Hugging Face features in its metadata, so ``datasets`` knows the label names."""
    out = pa.schema([pa.field(f, arrow_type(f, class_labels=class_labels)) for f in fields])
    if class_labels:
        info = {"info": {"features": hf_features(fields)}}
        out = out.with_metadata({"huggingface": json.dumps(info)})
    return out


def hf_features(fields: Sequence[str]) -> dict[str, Any]:
    """The Hugging Face ``Features.to_dict()`` form of these fields."""
    out: dict[str, Any] = {}
    for name in fields:
        if name in LABEL_FIELDS:
            out[name] = {"names": list(LABEL_NAMES), "_type": "ClassLabel"}
        else:
            out[name] = {"dtype": _HF_DTYPES.get(arrow_type(name), "string"), "_type": "Value"}
    return out


_HF_DTYPES = {pa.int64(): "int64", pa.float64(): "float64", pa.bool_(): "bool"}


def _label_codes(values: Sequence[Any], name: str) -> pa.Array:
    """The index of each label in LABEL_NAMES (null for no label), computed in C."""
    names = pa.array(values, pa.string())
    codes = pc.index_in(names, value_set=_DICTIONARY)
    if codes.null_count != names.null_count:
        unknown = pc.filter(names, pc.and_(pc.is_null(codes), pc.is_valid(names)))[0]
        raise ExportError(
            f"{name} {unknown.as_py()!r} is not one of {', '.join(LABEL_NAMES)}; cannot type it"
        )
    return codes


def _column(name: str, values: Sequence[Any], type_: pa.DataType) -> pa.Array:
    if name in LABEL_FIELDS:
        codes = _label_codes(values, name)
        if pa.types.is_dictionary(type_):
            return pa.DictionaryArray.from_arrays(codes.cast(pa.int8()), _DICTIONARY)
        return codes.cast(pa.int64())
    if name in BOOL_FIELDS:
        # Stored as 0/1; pyarrow converts booleans, not integers, to bool.
        return pa.array(values, pa.int8()).cast(pa.bool_())
    return pa.array(values, type_)


def table(rows: Sequence[tuple[Any, ...]], schema_: pa.Schema) -> pa.Table:
    """One Arrow table of rows (tuples in the schema's field order)."""
    columns = list(zip(*rows, strict=True)) if rows else [() for _ in schema_.names]
    return pa.Table.from_arrays(
        [_column(f.name, values, f.type) for f, values in zip(schema_, columns, strict=True)],
        schema=schema_,
    )


class Sink:
    """Rows in, Parquet row groups out: one writer on one binary stream."""

    def __init__(
        self,
        out: IO[bytes],
        schema_: pa.Schema,
        *,
        observe: Callable[[pa.Table], None] | None = None,
    ) -> None:
        self.schema = schema_
        self.observe = observe  # sees each table as it is written
        self.rows: list[tuple[Any, ...]] = []
        self.count = 0
        self.nbytes = 0  # the rows' size as Arrow columns (Hugging Face's num_bytes)
        # Rows per label (None: no label), counted from the columns as they are written.
        self.labels: Counter[str | None] = Counter()
        self._label_at = schema_.names.index("label") if "label" in schema_.names else -1
        # Dictionary pages for the label columns, zstd like Hugging Face's own files.
        self.writer = pq.ParquetWriter(out, schema_, compression="zstd")

    def add(self, rows: Iterable[tuple[Any, ...]]) -> None:
        self.rows.extend(rows)
        if len(self.rows) >= ROW_GROUP:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            written = table(self.rows, self.schema)
            self.writer.write_table(written, row_group_size=ROW_GROUP)
            if self.observe is not None:
                self.observe(written)
            if self._label_at >= 0:
                for entry in written.column(self._label_at).value_counts().to_pylist():
                    value = entry["values"]
                    name = LABEL_NAMES[value] if isinstance(value, int) else value
                    self.labels[name] += entry["counts"]
            self.count += len(self.rows)
            self.nbytes += written.nbytes
            self.rows = []

    def close(self) -> int:
        """Write what is left and the file footer; returns the rows written."""
        self.flush()
        self.writer.close()
        return self.count


def write_parquet(
    out: IO[bytes],
    fields: Sequence[str],
    batches: Iterable[list[tuple[Any, ...]]],
    *,
    class_labels: bool = False,
) -> int:
    """Write the rows to one Parquet file; returns the number written."""
    sink = Sink(out, schema(fields, class_labels=class_labels))
    for batch in batches:
        sink.add(batch)
    return sink.close()


def csv_features(path: str) -> Any:
    """The Hugging Face ``Features`` of an annotate CSV export, from its header.

    CSV holds no types, and ``datasets`` guesses them from the first rows (an empty
    column becomes float64, then fails on the first text), so load a CSV export with
    ``load_dataset("csv", data_files=path, features=csv_features(path))``. Needs the
    ``datasets`` package, which annotate itself does not.
    """
    import csv

    from datasets import Features

    with open(path, encoding="utf-8-sig", newline="") as f:
        header = next(csv.reader(f), [])
    features = hf_features(header)
    for name in BOOL_FIELDS & set(header):
        # CSV writes 0/1, which pandas (the CSV reader of datasets) will not read as bool.
        features[name] = {"dtype": "int64", "_type": "Value"}
    return Features.from_dict(features)
