"""Labels made in other tools: Prodigy JSONL, Label Studio JSON, doccano JSONL.

Each file is read into ``Record``s (one label of one text by one annotator), each record
is matched to a claim unit: by ``unit_id`` when the file carries one (annotate's own
task exports do), else by its text within its article (``article_path``), else by its
text anywhere in the corpus. Texts are compared with whitespace collapsed. A record whose
text is in no article is an error, unless ``new_articles``: then it becomes a unit of a
new article (its ``article_path``, or ``<file name>#<line>``), and the summary says which.

Nothing is half-imported: if any row is malformed, unmatched or ambiguous, every problem
is reported with its line and nothing is written; otherwise every label (and new
article) is written in one transaction, logged in history as 'import'.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from annotate.datasets.export import ExportError, Problem, json_problem
from annotate.model import LABELS, SENTENCE, Unit
from annotate.store import LabelState, Store

FOREIGN_FORMATS = ("prodigy", "label-studio", "doccano")


@dataclass(frozen=True)
class Record:
    """One label from a foreign file, before matching."""

    line: int
    text: str
    label: str  # as the file names it (before --map)
    annotator: str | None
    unit_id: str | None = None
    article_path: str | None = None
    note: str | None = None
    flagged: bool = False
    labeled_at: str | None = None


@dataclass(frozen=True)
class Skip:
    """A row that carries no label to import (rejected, ignored, cancelled, empty)."""

    line: int
    reason: str


@dataclass
class ForeignSummary:
    rows: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    newer: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> rows
    problems: list[Problem] = field(default_factory=list)
    new_articles: list[tuple[str, int]] = field(default_factory=list)  # (path, units)

    @property
    def imported(self) -> bool:
        return not self.problems


def sniff(path: Path) -> str | None:
    """The foreign format of a file, from its first record, or None (an annotate export)."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            head = f.read(65536)
    except (OSError, UnicodeDecodeError):
        return None
    stripped = head.lstrip()
    if stripped.startswith("["):
        return "label-studio"
    first = stripped.split("\n", 1)[0]
    try:
        record = json.loads(first)
    except json.JSONDecodeError:
        return None
    if not isinstance(record, dict) or "annotator" in record:
        return None
    if "annotations" in record and "data" in record:
        return "label-studio"
    if "answer" in record or "_annotator_id" in record or "accept" in record:
        return "prodigy"
    if "text" in record and isinstance(record.get("label"), list):
        return "doccano"
    return None


def import_foreign(
    store: Store,
    path: Path,
    format: str,
    *,
    annotator: str | None = None,
    mapping: Mapping[str, str] | None = None,
    new_articles: bool = False,
) -> ForeignSummary:
    """Read ``path`` (one of FOREIGN_FORMATS) and import its labels, all or nothing."""
    if format not in FOREIGN_FORMATS:
        raise ExportError(
            f"unknown format {format!r}; expected one of {', '.join(FOREIGN_FORMATS)}"
        )
    reader = {"prodigy": _prodigy, "label-studio": _label_studio, "doccano": _doccano}[format]
    summary = ForeignSummary()
    records: list[Record] = []
    where = str(path)
    for item in reader(path):
        summary.rows += 1
        if isinstance(item, Skip):
            summary.skipped[item.reason] = summary.skipped.get(item.reason, 0) + 1
        elif isinstance(item, Problem):
            summary.problems.append(Problem(where, item.line, item.reason))
        else:
            who = item.annotator or annotator
            if not who:
                raise ExportError(
                    f"{path}:{item.line}: the row names no annotator; pass --annotator NAME"
                )
            label = map_label(item.label, mapping or {})
            if label is None:
                summary.problems.append(
                    Problem(
                        where,
                        item.line,
                        f"unknown label {item.label!r}; expected one of {', '.join(LABELS)} "
                        f"(or --map {item.label}=LABEL)",
                    )
                )
                continue
            records.append(_replace(item, label=label, annotator=who))
    matched, missing = _match_all(store, records, where, summary)
    if missing and not new_articles:
        for record in missing:
            summary.problems.append(
                Problem(where, record.line, f"text not in the corpus: {record.text[:60]!r}")
            )
    if summary.problems:
        summary.problems.sort(key=lambda p: p.line)
        return summary
    with store.transaction():
        if missing:
            matched += _add_articles(store, path, format, missing, summary)
        counts = store.import_labels(
            (uid, r.annotator or "", LabelState(r.label, r.note, r.flagged, None, r.labeled_at))
            for uid, r in matched
        )
    summary.added, summary.updated = counts["added"], counts["updated"]
    summary.unchanged, summary.newer = counts["unchanged"], counts["newer"]
    return summary


def _replace(record: Record, **changes: Any) -> Record:
    from dataclasses import replace

    return replace(record, **changes)


def map_label(name: str, mapping: Mapping[str, str]) -> str | None:
    """annotate's label for a file's label name: --map first, else the name itself
    (any case; spaces and hyphens as underscores), else None."""
    name = mapping.get(name, name)
    key = re.sub(r"[\s-]+", "_", name.strip()).lower()
    return key if key in LABELS else None


def parse_map(specs: tuple[str, ...] | list[str]) -> dict[str, str]:
    """['SUBJ=editorial', ...] -> {'SUBJ': 'editorial'}; the targets must be labels."""
    out: dict[str, str] = {}
    for spec in specs:
        name, sep, label = spec.partition("=")
        if not sep or not name.strip() or label.strip() not in LABELS:
            raise ExportError(
                f"bad --map {spec!r}: expected NAME=LABEL, LABEL one of {', '.join(LABELS)}"
            )
        out[name.strip()] = label.strip()
    return out


# ---------------------------------------------------------------------------------------
# Matching


def normalize(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).split())


def _match_all(
    store: Store, records: list[Record], where: str, summary: ForeignSummary
) -> tuple[list[tuple[str, Record]], list[Record]]:
    """(unit id, record) of the records that match one unit, and the records whose text
    is in no article; ambiguous and unmatched-in-article rows go to ``summary.problems``."""
    if not records:
        return [], []
    units: set[str] = set()
    by_text: dict[str, list[tuple[str, str]]] = {}
    paths: set[str] = set()
    wanted = {normalize(r.text) for r in records}
    for uid, article, text in store.claim_texts_by_path():
        units.add(uid)
        paths.add(article)
        key = normalize(text)
        if key in wanted:
            by_text.setdefault(key, []).append((uid, article))
    matched: list[tuple[str, Record]] = []
    missing: list[Record] = []
    for r in records:
        if r.unit_id and r.unit_id in units:
            matched.append((r.unit_id, r))
            continue
        found = by_text.get(normalize(r.text), [])
        if r.article_path and r.article_path in paths:
            inside = [uid for uid, article in found if article == r.article_path]
            if len(inside) == 1:
                matched.append((inside[0], r))
            elif inside:
                summary.problems.append(
                    Problem(
                        where,
                        r.line,
                        f"ambiguous: {len(inside)} units of {r.article_path} have this text: "
                        f"{r.text[:60]!r}",
                    )
                )
            else:
                summary.problems.append(
                    Problem(
                        where, r.line, f"no unit of {r.article_path} has this text: {r.text[:60]!r}"
                    )
                )
            continue
        articles = sorted({article for _, article in found})
        if len(found) == 1:
            matched.append((found[0][0], r))
        elif found:
            shown = ", ".join(articles[:3]) + (", ..." if len(articles) > 3 else "")
            summary.problems.append(
                Problem(
                    where,
                    r.line,
                    f"ambiguous: {len(found)} units have this text ({shown}); give the "
                    f"row an article_path: {r.text[:60]!r}",
                )
            )
        else:
            missing.append(r)
    return matched, missing


def _add_articles(
    store: Store, path: Path, format: str, records: list[Record], summary: ForeignSummary
) -> list[tuple[str, Record]]:
    """Store the records' texts as new articles (one per article_path, else one per
    row); returns their (unit id, record). Call in a transaction."""
    groups: dict[str, list[Record]] = {}
    for r in records:
        groups.setdefault(r.article_path or f"{path.name}#{r.line}", []).append(r)
    out: list[tuple[str, Record]] = []
    for article, members in groups.items():
        texts = list(dict.fromkeys(r.text for r in members))
        units, offset = [], 0
        for seq, text in enumerate(texts):
            units.append(Unit(seq, seq, SENTENCE, text, offset, offset + len(text)))
            offset += len(text) + 2
        cleaned = "\n\n".join(texts)
        store.save_article(
            path=article,
            file=path.name,
            sha256=hashlib.sha256(cleaned.encode()).hexdigest(),
            title=None,
            source=f"{format} import",
            url=None,
            date=None,
            cleaned=cleaned,
            segmenter="import",
            units=units,
        )
        ids = {u["text"]: u["id"] for u in store.units_of_article(article)}
        out += [(ids[r.text], r) for r in members]
        summary.new_articles.append((article, len(texts)))
    return out


# ---------------------------------------------------------------------------------------
# Readers: each yields a Record, a Skip or a Problem (path filled in by the caller) per row


def _jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any] | Problem]]:
    try:
        f = open(path, encoding="utf-8-sig")
    except OSError as e:
        raise ExportError(f"{path}: {e.strerror}") from None
    with f:
        line = 0
        try:
            for line, text in enumerate(f, 1):
                if not text.strip():
                    continue
                try:
                    record = json.loads(text)
                except json.JSONDecodeError as e:
                    yield line, Problem("", line, json_problem(e))
                    continue
                if not isinstance(record, dict):
                    yield line, Problem("", line, "not a JSON object")
                    continue
                yield line, record
        except UnicodeDecodeError:
            yield line + 1, Problem("", line + 1, "not UTF-8 text; stopped reading the file here")


def _str(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return value if isinstance(value, str) else None


def _text_of(record: Mapping[str, Any], line: int) -> str | Problem:
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        return Problem("", line, "no text")
    return text


def _prodigy(path: Path) -> Iterator[Record | Skip | Problem]:
    for line, record in _jsonl(path):
        if isinstance(record, Problem):
            yield record
            continue
        text = _text_of(record, line)
        if isinstance(text, Problem):
            yield text
            continue
        answer = record.get("answer")
        if answer is None:
            yield Skip(line, "no answer (not annotated yet)")
            continue
        if answer in ("reject", "ignore"):
            yield Skip(line, f"answer {answer}")
            continue
        if answer != "accept":
            yield Problem("", line, f"answer is not accept, reject or ignore: {answer!r}")
            continue
        options = {
            o.get("id"): o.get("text", o.get("id"))
            for o in record.get("options") or []
            if isinstance(o, dict)
        }
        accept = record.get("accept")
        if isinstance(accept, list):
            if not accept:
                yield Skip(line, "accepted with no option chosen")
                continue
            if len(accept) > 1:
                yield Problem("", line, f"{len(accept)} labels accepted; one expected")
                continue
            label = _str(options.get(accept[0], accept[0]))
        else:
            label = _str(record.get("label"))
        if label is None:
            yield Problem("", line, "no label (neither accept nor label)")
            continue
        meta = record.get("meta") if isinstance(record.get("meta"), dict) else {}
        assert isinstance(meta, dict)
        yield Record(
            line,
            text,
            label,
            _str(record.get("_annotator_id")) or _str(record.get("_session_id")),
            unit_id=_str(meta.get("unit_id")),
            article_path=_str(meta.get("article_path")),
            note=_str(meta.get("note")),
            flagged=meta.get("flagged") is True,
            labeled_at=_when(record.get("labeled_at") or record.get("_timestamp")),
        )


def _doccano(path: Path) -> Iterator[Record | Skip | Problem]:
    for line, record in _jsonl(path):
        if isinstance(record, Problem):
            yield record
            continue
        text = _text_of(record, line)
        if isinstance(text, Problem):
            yield text
            continue
        labels = record.get("label", record.get("labels"))
        if isinstance(labels, str):
            labels = [labels]
        if not isinstance(labels, list) or not all(isinstance(v, str) for v in labels):
            yield Problem("", line, "label is not a list of label names")
            continue
        if not labels:
            yield Skip(line, "no label")
            continue
        if len(set(labels)) > 1:
            yield Problem("", line, f"{len(set(labels))} labels; one expected")
            continue
        comments = record.get("Comments") or record.get("comments")
        note = comments[0] if isinstance(comments, list) and comments else None
        yield Record(
            line,
            text,
            labels[0],
            _str(record.get("annotator")) or _str(record.get("user")),
            unit_id=_str(record.get("unit_id")),
            article_path=_str(record.get("article_path")),
            note=_str(note),
        )


def _label_studio(path: Path) -> Iterator[Record | Skip | Problem]:
    for line, task in _json_array(path):
        if not isinstance(task, dict):
            yield Problem("", line, "a task is not a JSON object")
            continue
        data = task.get("data")
        if not isinstance(data, dict):
            yield Problem("", line, "task has no data object")
            continue
        text = data.get("text")
        if not isinstance(text, str):
            strings = [v for v in data.values() if isinstance(v, str)]
            text = strings[0] if len(strings) == 1 else None
        if not text or not text.strip():
            yield Problem("", line, "task has no data.text")
            continue
        annotations = [a for a in task.get("annotations") or [] if isinstance(a, dict)]
        if not annotations:
            yield Skip(line, "task with no annotation")
            continue
        for a in annotations:
            if a.get("was_cancelled"):
                yield Skip(line, "annotation cancelled (skipped)")
                continue
            choices: list[str] = []
            note = None
            for result in a.get("result") or []:
                value = result.get("value") if isinstance(result, dict) else None
                if not isinstance(value, dict):
                    continue
                if isinstance(value.get("choices"), list):
                    choices += [str(c) for c in value["choices"]]
                elif isinstance(value.get("text"), list) and value["text"]:
                    note = "\n".join(str(t) for t in value["text"])
            if not choices:
                yield Skip(line, "annotation with no choice")
                continue
            if len(choices) > 1:
                yield Problem("", line, f"{len(choices)} choices in one annotation; one expected")
                continue
            yield Record(
                line,
                text,
                choices[0],
                _completed_by(a.get("completed_by")),
                unit_id=_str(data.get("unit_id")),
                article_path=_str(data.get("article_path")),
                note=note,
                labeled_at=_when(a.get("updated_at") or a.get("created_at")),
            )


def _completed_by(value: Any) -> str | None:
    if isinstance(value, dict):
        return _str(value.get("email")) or _str(value.get("id"))
    return _str(value)


def _when(value: Any) -> str | None:
    """An ISO time or a Unix timestamp in the store's form, or None."""
    if value is None or value == "":
        return None
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            when = datetime.fromtimestamp(value, UTC)
        else:
            when = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except (ValueError, OverflowError, OSError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _json_array(path: Path) -> Iterator[tuple[int, Any]]:
    """(line where it starts, element) of a JSON array file, one element at a time (a
    single task object is read as an array of one)."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise ExportError(f"{path}: {e.strerror}") from None
    except UnicodeDecodeError:
        raise ExportError(f"{path}: not UTF-8 text") from None
    decoder = json.JSONDecoder()
    ws = re.compile(r"\s*")
    seen = [0, 1]  # (offset, its line): lines are counted once, front to back

    def line_at(offset: int) -> int:
        seen[1] += text.count("\n", seen[0], offset)
        seen[0] = offset
        return seen[1]

    i = ws.match(text).end()  # type: ignore[union-attr]
    if text.startswith("{", i):
        yield line_at(i), _decode(decoder, text, i, path)[0]
        return
    if not text.startswith("[", i):
        raise ExportError(f"{path}: not a Label Studio JSON export (expected a JSON array)")
    i = ws.match(text, i + 1).end()  # type: ignore[union-attr]
    if text.startswith("]", i):
        return
    while True:
        value, end = _decode(decoder, text, i, path)
        yield line_at(i), value
        i = ws.match(text, end).end()  # type: ignore[union-attr]
        if text.startswith(",", i):
            i = ws.match(text, i + 1).end()  # type: ignore[union-attr]
        elif text.startswith("]", i):
            return
        else:
            line = line_at(i)
            raise ExportError(f"{path}:{line}: not valid JSON (expected , or ])")


def _decode(decoder: json.JSONDecoder, text: str, i: int, path: Path) -> tuple[Any, int]:
    try:
        return decoder.raw_decode(text, i)
    except json.JSONDecodeError as e:
        raise ExportError(f"{path}:{e.lineno}: {json_problem(e)}; nothing imported") from None


def describe(s: ForeignSummary, path: Path, format: str) -> list[str]:
    """The lines ``annotate import`` prints after a foreign import."""
    if s.problems:
        return [
            f"Error: nothing imported from {path}: {len(s.problems)} row(s) above cannot be "
            f"imported as they are ({s.rows} row(s) read)"
        ]
    out = [
        f"Imported {path} ({format}): {s.added} label(s) added, {s.updated} updated, "
        f"{s.unchanged} already there."
    ]
    if s.newer:
        out.append(f"{s.newer} row(s) kept as they are: the database's label is newer.")
    for reason, n in sorted(s.skipped.items()):
        out.append(f"{n} row(s) skipped: {reason}.")
    for article, units in s.new_articles:
        out.append(f"New article {article}: {units} unit(s) whose text is in no article.")
    return out
