"""Hostile input, faults and load: nothing leaks, nothing hangs, nothing is lost.

Each test replays one attack or fault from issue 12 through the CLI (click's CliRunner,
and a real subprocess where the terminal matters) and asserts the outcome: no traceback,
one clear line, the exit code, nothing read from outside the corpus, nothing already
stored lost, and no raw ESC in anything printed.
"""

from __future__ import annotations

import csv
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers.builders import add_article
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from annotate.cli import main
from annotate.store import Store

ARTICLE = (
    "The agency said on Monday that the launch would go ahead. Officials expect the rocket "
    "to lift off at dawn.\n\nThe weather service forecast clear skies for the week.\n"
)


def run(*args: str) -> object:
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert_clean(result.output)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"uncaught {result.exception!r}\n{result.output}")
    return result


def assert_clean(output: str) -> None:
    assert "Traceback" not in output, output
    assert "\x1b" not in output, repr(output)
    assert "\x07" not in output, repr(output)
    assert "\x9b" not in output, repr(output)


def corpus(tmp_path: Path, **files: str) -> Path:
    root = tmp_path / "corpus"
    root.mkdir()
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def all_text(db: Path) -> str:
    """Every text cell of the database, for 'nothing from outside got in' checks."""
    conn = sqlite3.connect(db)
    out = []
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type='table'"):
        for row in conn.execute(f'SELECT * FROM "{table}"'):
            out.extend(str(v) for v in row)
    conn.close()
    return "\n".join(out)


def labelled_db(tmp_path: Path, name: str = "a.db", annotator: str = "alice") -> Path:
    db = tmp_path / name
    with Store.open(db) as s:
        ids = add_article(s, "art.txt", ["The agency said the launch would go ahead."])
        s.set_label(ids[0], annotator, "attributed")
    return db


# -- 1. files outside the corpus ----------------------------------------------------------


def test_symlink_to_a_file_outside_is_not_read(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0:root:/root:/bin/bash\n")
    root = corpus(tmp_path, **{"a.txt": ARTICLE})
    (root / "passwd.txt").symlink_to(secret)
    db = tmp_path / "a.db"
    result = run("ingest", root, "--db", db)
    assert result.exit_code == 0
    assert "root:x:0:0" not in all_text(db)
    line = [x for x in result.output.splitlines() if x.startswith("skipped passwd.txt")]
    assert len(line) == 1 and str(secret) in line[0], result.output


def test_directory_symlink_outside_is_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "private.txt").write_text("Private words that must stay out of the corpus.\n")
    root = corpus(tmp_path, **{"a.txt": ARTICLE})
    (root / "linked").symlink_to(outside)
    db = tmp_path / "a.db"
    result = run("ingest", root, "--db", db)
    assert result.exit_code == 0
    assert "Private words" not in all_text(db)
    assert sum(x.startswith("skipped linked") for x in result.output.splitlines()) == 1


def test_symlink_inside_the_corpus_is_read(tmp_path):
    root = corpus(tmp_path, **{"a.txt": ARTICLE})
    (root / "sub").mkdir()
    (root / "sub" / "b.txt").symlink_to(root / "a.txt")
    result = run("ingest", root, "--db", tmp_path / "a.db")
    assert result.exit_code == 0
    assert "skipped" not in result.output


def test_fifo_and_device_are_skipped_without_opening(tmp_path):
    root = corpus(tmp_path, **{"a.txt": ARTICLE})
    os.mkfifo(root / "pipe.txt")
    (root / "null.txt").symlink_to("/dev/zero")
    # A FIFO opened for reading would block until a writer came: the run would hang.
    proc = subprocess.run(
        [sys.executable, "-m", "annotate", "ingest", str(root), "--db", str(tmp_path / "a.db")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = proc.stdout + proc.stderr
    assert_clean(out)
    assert proc.returncode == 0, out
    assert "skipped pipe.txt: not a regular file" in out
    assert "skipped null.txt" in out


# -- 2. terminal injection ----------------------------------------------------------------

NASTY = "n\x1b]0;pwned\x07\x1b[2J.txt"


def test_escape_sequences_in_file_names_are_shown_escaped(tmp_path):
    root = corpus(tmp_path, **{NASTY: "", "ok.txt": ARTICLE})
    db = tmp_path / "a.db"
    result = run("ingest", root, "--db", db)
    assert "n\\x1b]0;pwned\\x07" in result.output
    result = run("stats", "--db", db)
    assert result.exit_code == 0


def test_escape_sequences_in_file_names_through_a_real_process(tmp_path):
    root = corpus(tmp_path, **{NASTY: "", "ok.txt": ARTICLE})
    with open(os.fsencode(root) + b"/bad\xff\x1b[2J.txt", "wb") as f:
        f.write(ARTICLE.encode())
    proc = subprocess.run(
        [sys.executable, "-m", "annotate", "ingest", str(root), "--db", str(tmp_path / "a.db")],
        capture_output=True,
        timeout=120,
    )
    out = (proc.stdout + proc.stderr).decode("utf-8")
    assert_clean(out)
    assert proc.returncode == 0, out
    assert "n\\x1b]0;pwned\\x07" in out


def test_escapes_in_stored_paths_and_names_never_reach_the_terminal(tmp_path):
    db = tmp_path / "a.db"
    evil = "[link=http://evil.example/x]alice[/link]\x1b]0;pwned\x07"
    with Store.open(db) as s:
        ids = add_article(s, NASTY, ["The agency said the launch would go ahead."])
        s.set_label(ids[0], evil, "attributed")
        s.set_label(ids[0], "bob\x1b[2J", "editorial")
    for args in (["stats"], ["stats", "--orphans"], ["agreement"]):
        result = run(*args, "--db", db)
        assert result.exit_code == 0, result.output
    agreement = run("agreement", "--db", db).output
    assert "[link=http:" in agreement and "\x1b" not in agreement


def _on_a_terminal(*args: str) -> bytes:
    """What ``annotate ARGS`` writes when its stdout is a terminal (a pseudo-terminal)."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child: stdout is the terminal
        os.execv(sys.executable, [sys.executable, "-m", "annotate", *args])
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    return out


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_a_dataset_written_to_the_terminal_shows_control_characters(tmp_path, fmt):
    db = tmp_path / "a.db"
    with Store.open(db) as s:
        ids = add_article(s, "art.txt", ["The agency said the launch would go ahead."])
        s.set_label(ids[0], "eve\x1b]0;pwned\x07", "attributed")
        s.set_note(ids[0], "eve\x1b]0;pwned\x07", "n\x9b2Jx")
    shown = _on_a_terminal("export", "--out", "-", "--format", fmt, "--db", str(db))
    assert b"pwned" in shown and b"\x1b" not in shown and b"\x07" not in shown
    assert "\x9b".encode() not in shown
    # Into a pipe the dataset goes byte for byte, as written (JSON escapes its own C0).
    piped = subprocess.run(
        [sys.executable, "-m", "annotate", "export", "--out", "-", "--format", fmt, "--db", db],
        capture_output=True,
        check=True,
    ).stdout
    assert "\x9b".encode() in piped


def test_markup_in_an_annotator_name_is_not_a_live_link(tmp_path):
    db = tmp_path / "a.db"
    with Store.open(db) as s:
        ids = add_article(s, "a.txt", ["The agency said the launch would go ahead."])
        s.set_label(ids[0], "[link=http://evil.example/x]alice[/link]", "attributed")
        s.set_label(ids[0], "bob", "editorial")
    env = {**os.environ, "FORCE_COLOR": "1", "TERM": "xterm-256color", "COLUMNS": "200"}
    for command in ("agreement", "stats"):
        proc = subprocess.run(
            [sys.executable, "-m", "annotate", command, "--db", str(db)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert proc.returncode == 0, proc.stderr
        # A live hyperlink is an OSC 8 sequence; the name must print as typed.
        assert "\x1b]8" not in proc.stdout
        assert "evil.example" in proc.stdout


def test_merge_conflict_lines_escape_names(tmp_path):
    a = labelled_db(tmp_path, "a.db", annotator="eve\x1b]0;x\x07")
    b = tmp_path / "b.db"
    with Store.open(b) as s:
        ids = add_article(s, "art.txt", ["The agency said the launch would go ahead."])
        s.set_label(ids[0], "eve\x1b]0;x\x07", "editorial")
    result = run("merge", a, b, "--into", tmp_path / "t.db")
    assert result.exit_code == 0
    assert "eve\\x1b]0;x\\x07" in result.output


def test_html_entities_cannot_smuggle_control_characters(tmp_path):
    page = (
        "<html><head><title>T&#x1b;]0;pwned&#7;</title></head><body><article>"
        "<p>The agency said&#x1b;]0;pwned&#x07; the launch would go ahead on Monday.</p>"
        "<p>Officials&#x9b;2J expect the rocket to lift off at dawn&#27;[2J today.</p>"
        "</article></body></html>"
    )
    root = corpus(tmp_path, **{"p.html": page})
    db = tmp_path / "a.db"
    run("ingest", root, "--db", db)
    text = all_text(db)
    assert "]0;pwned" not in text
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text


# -- 3. undecodable file names ------------------------------------------------------------


def test_undecodable_file_name_is_ingested_and_shown_escaped(tmp_path):
    root = corpus(tmp_path, **{"ok.txt": ARTICLE})
    bad = os.fsencode(root) + b"/caf\xe9.txt"
    with open(bad, "wb") as f:
        f.write(ARTICLE.replace("agency", "ministry").encode())
    with open(os.fsencode(root) + b"/empty\xff.txt", "wb"):
        pass
    db = tmp_path / "a.db"
    result = run("ingest", root, "--db", db)
    assert result.exit_code == 0, result.output
    assert "caf\\xe9.txt" in all_text(db)
    assert "skipped empty\\xff.txt: empty file" in result.output
    assert run("stats", "--db", db).exit_code == 0
    assert "caf\\xe9.txt" in run("stats", "--db", db).output
    again = run("ingest", root, "--db", db)
    assert "Nothing new" in again.output


# -- 4. big fields in CSV -----------------------------------------------------------------


def test_a_unit_over_128_kb_round_trips_through_csv(tmp_path):
    db = tmp_path / "a.db"
    big = "The agency said " + "very " * 40_000 + "much."
    with Store.open(db) as s:
        ids = add_article(s, "a.txt", [big, "Officials said the launch went ahead."])
        s.set_label(ids[0], "alice", "attributed")
        s.set_label(ids[1], "alice", "editorial")
    out = tmp_path / "x.csv"
    assert run("export", "--out", out, "--db", db).exit_code == 0
    other = tmp_path / "b.db"
    with Store.open(other) as s:
        add_article(s, "a.txt", [big, "Officials said the launch went ahead."])
    result = run("import", out, "--db", other)
    assert result.exit_code == 0, result.output
    assert "2 label(s) added" in result.output


# -- 5. faults ----------------------------------------------------------------------------


def _corrupt(db: Path) -> None:
    data = bytearray(db.read_bytes())
    # Past the 100-byte header: the schema and table pages.
    for i in range(120, len(data), 7):
        data[i] ^= 0x5A
    db.write_bytes(bytes(data))


@pytest.mark.parametrize(
    "args",
    [
        ["stats"],
        ["agreement"],
        ["export", "--out", "-"],
        ["suggest"],
        ["assign", "--annotators", "a,b"],
    ],
)
def test_flipped_bytes_give_one_line_not_a_traceback(tmp_path, args):
    db = labelled_db(tmp_path)
    _corrupt(db)
    result = run(*args, "--db", db)
    assert result.exit_code == 1
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert len(lines) == 1, result.output
    assert str(db) in lines[0] and "corrupt" in lines[0], result.output


def test_text_that_is_not_utf8_inside_the_database(tmp_path):
    db = labelled_db(tmp_path)
    conn = sqlite3.connect(db)
    conn.execute("UPDATE units SET text = CAST(x'ff1b5b324a' AS TEXT)")
    conn.execute("UPDATE labels SET annotator = CAST(x'61ff' AS TEXT)")
    conn.commit()
    conn.close()
    for args in (["stats"], ["export", "--out", "-"], ["agreement"]):
        result = run(*args, "--db", db)
        assert result.exit_code in (0, 1), result.output
        if result.exit_code:
            assert "corrupt" in result.output


def test_truncated_database_is_called_truncated(tmp_path):
    db = labelled_db(tmp_path)
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 2 + 10])
    result = run("stats", "--db", db)
    assert result.exit_code == 1
    assert "not an annotate database" not in result.output
    assert "corrupt" in result.output or "truncated" in result.output


def test_merge_goes_on_with_the_good_inputs(tmp_path):
    bad = labelled_db(tmp_path, "bad.db")
    _corrupt(bad)
    good = labelled_db(tmp_path, "good.db", annotator="bob")
    into = tmp_path / "t.db"
    result = run("merge", bad, good, "--into", into)
    assert result.exit_code == 1
    assert "bad.db" in result.output
    with Store.open(into) as s:
        assert [tuple(r) for r in s.conn.execute("SELECT annotator FROM labels")] == [("bob",)]


def _disk_full(monkeypatch, module, name):
    real = getattr(module, name)

    def full(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(module, name, full)
    return real


def test_full_disk_during_ingest_is_one_line_and_keeps_what_was_stored(tmp_path, monkeypatch):
    from annotate.store import Store as S

    root = corpus(tmp_path, **{"a.txt": ARTICLE})
    db = tmp_path / "a.db"
    assert run("ingest", root, "--db", db).exit_code == 0
    (root / "b.txt").write_text(ARTICLE.replace("agency", "ministry"))
    _disk_full(monkeypatch, S, "save_article")
    result = run("ingest", root, "--db", db)
    assert result.exit_code == 1
    assert "disk is full" in result.output
    monkeypatch.undo()
    with Store.open(db) as s:
        assert s.counts()["articles"] == 1


def test_a_real_sqlite_full_mid_ingest(tmp_path, monkeypatch):
    """SQLite's own SQLITE_FULL (a page limit), with the rollback it does itself."""
    root = tmp_path / "c"
    root.mkdir()
    db = tmp_path / "a.db"
    for i in range(60):
        (root / f"{i:03}.txt").write_text(ARTICLE.replace("Monday", f"day {i}") * 20)
        if i == 4:
            assert run("ingest", root, "--db", db).exit_code == 0
    real_open = Store.open.__func__

    def small(cls, path, **kwargs):
        store = real_open(cls, path, **kwargs)
        pages = store.conn.execute("PRAGMA page_count").fetchone()[0]
        store.conn.execute(f"PRAGMA max_page_count = {pages + 40}")
        return store

    monkeypatch.setattr(Store, "open", classmethod(small))
    result = run("ingest", root, "--db", db)
    assert result.exit_code == 1
    lines = [x for x in result.output.splitlines() if x.strip()]
    assert "disk is full" in lines[-1] and str(db) in lines[-1], result.output
    monkeypatch.undo()
    with Store.open(db) as s:
        stored = s.counts()["articles"]
        assert 5 <= stored < 60  # what was committed before the fault is kept
    assert run("ingest", root, "--db", db).exit_code == 0


def test_full_disk_during_import_and_merge(tmp_path, monkeypatch):
    from annotate.store import Store as S

    src = labelled_db(tmp_path, "a.db")
    out = tmp_path / "x.jsonl"
    assert run("export", "--format", "jsonl", "--out", out, "--db", src).exit_code == 0
    other = labelled_db(tmp_path, "b.db", annotator="bob")
    _disk_full(monkeypatch, S, "_write_label")
    result = run("import", out, "--db", other)
    assert result.exit_code == 1 and "disk is full" in result.output
    _disk_full(monkeypatch, S, "merge_articles")
    result = run("merge", src, "--into", tmp_path / "t.db")
    assert result.exit_code == 1 and "disk is full" in result.output


def test_full_disk_during_export_leaves_no_temp_file(tmp_path, monkeypatch):
    import annotate.datasets.export as export

    db = labelled_db(tmp_path)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(export, "write_export", full)
    result = run("export", "--out", tmp_path / "out" / "x.csv", "--db", db)
    assert result.exit_code == 1
    (tmp_path / "out").mkdir()
    result = run("export", "--out", tmp_path / "out" / "x.csv", "--db", db)
    assert result.exit_code == 1 and "No space left" in result.output
    assert list((tmp_path / "out").iterdir()) == []


@pytest.mark.parametrize("spec", ["1e400/1", "nan/50/50", "inf/0", "50/60", "-10/110", "80/20/x"])
def test_bad_splits_are_refused_in_one_line(tmp_path, spec):
    db = labelled_db(tmp_path)
    result = run("export", "--split", spec, "--out", "-", "--db", db)
    assert result.exit_code == 2 or result.exit_code == 1
    assert "split" in result.output and "100" in result.output


def test_good_splits_still_work(tmp_path):
    db = labelled_db(tmp_path)
    for spec in ("80/10/10", "90/10", "33.3/33.3/33.4"):
        assert run("export", "--split", spec, "--out", "-", "--db", db).exit_code == 0


def test_jsonl_import_with_a_lone_surrogate(tmp_path):
    db = labelled_db(tmp_path)
    with Store.open(db) as s:
        uid = s.conn.execute("SELECT id FROM units").fetchone()[0]
    f = tmp_path / "x.jsonl"
    f.write_text(
        json.dumps({"unit_id": uid, "annotator": "s\ud800", "label": "editorial"})
        + "\n"
        + json.dumps({"unit_id": uid, "annotator": "bob", "label": "editorial"})
        + "\n"
    )
    result = run("import", f, "--db", db)
    assert result.exit_code == 0, result.output
    with Store.open(db) as s:
        names = {r[0] for r in s.conn.execute("SELECT annotator FROM labels")}
    assert "bob" in names


def test_export_needs_an_existing_folder(tmp_path):
    db = labelled_db(tmp_path)
    result = run("export", "--out", tmp_path / "missing" / "y.csv", "--db", db)
    assert result.exit_code == 1
    assert "folder does not exist" in result.output
    assert not (tmp_path / "missing").exists()


# -- 7. memory ----------------------------------------------------------------------------


def test_jsonl_ingest_streams_articles(tmp_path, monkeypatch):
    """The articles of one JSONL file are stored as they are read, never all held."""
    from annotate import ingest as ingest_module
    from annotate.text import reading

    path = tmp_path / "c" / "big.jsonl"
    path.parent.mkdir()
    with open(path, "w") as f:
        for i in range(300):
            f.write(json.dumps({"text": f"Article {i} said the agency on Monday."}) + "\n")
    read = 0
    real = reading._json_line

    def counting(*args):
        nonlocal read
        read += 1
        return real(*args)

    monkeypatch.setattr(reading, "_json_line", counting)
    with Store.open(tmp_path / "a.db") as s:
        events = ingest_module.ingest(s, path.parent, workers=0)
        first_result = next(e for e in events if isinstance(e, ingest_module.ArticleResult))
        assert first_result.status == "added"
        assert read < 50
        events.close()


# -- 8. leftovers -------------------------------------------------------------------------


def test_stale_merge_and_export_temp_files_are_removed(tmp_path):
    import tempfile

    dead = _dead_pid()
    stale = Path(tempfile.gettempdir()) / f"annotate-merge-{dead}-abc"
    stale.mkdir(exist_ok=True)
    (stale / "input-0.db").write_bytes(b"x" * 10)
    a = labelled_db(tmp_path, "a.db")
    run("merge", a, "--into", tmp_path / "t.db")
    assert not stale.exists()
    out = tmp_path / "out"
    out.mkdir()
    tmp = out / f".x.csv.{dead}-deadbeef.tmp"
    tmp.write_text("partial")
    assert run("export", "--out", out / "x.csv", "--db", a).exit_code == 0
    assert not tmp.exists()
    # A default export (a new name each time) cleans the exports/ folder too.
    Path("exports").mkdir()
    old = Path("exports") / f".annotations-20250101T000000Z.csv.{dead}-0123abcd.tmp"
    old.write_text("partial")
    assert run("export", "--db", a).exit_code == 0
    assert not old.exists()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_ingest_workers_end_with_their_parent(tmp_path):
    """kill -9 of the ingest leaves no worker behind."""
    import signal
    import time

    root = tmp_path / "c"
    root.mkdir()
    for i in range(400):
        (root / f"{i:04}.txt").write_text(ARTICLE.replace("Monday", f"day {i}") * 30)
    env = {**os.environ, "ANNOTATE_WORKERS": "2"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "annotate", "ingest", str(root), "--db", str(tmp_path / "a.db")],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    children: set[int] = set()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not children:
        children = _children(proc.pid)
        time.sleep(0.05)
    if not children:
        proc.kill()
        pytest.skip("no worker started in time")
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any(_alive(c) for c in children):
        time.sleep(0.1)
    assert not any(_alive(c) for c in children)


def _children(pid: int) -> set[int]:
    out = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
            out.add(int(entry.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


# -- fuzz ---------------------------------------------------------------------------------

_FUZZ = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
_NAME_BYTES = st.binary(min_size=1, max_size=40).map(
    lambda b: b.replace(b"/", b"_").replace(b"\x00", b"_").lstrip(b".") or b"x"
)


@_FUZZ
@given(
    files=st.lists(
        st.tuples(_NAME_BYTES, st.sampled_from([b".txt", b".html", b".jsonl", b".md", b""])),
        min_size=1,
        max_size=4,
        unique_by=lambda t: t[0] + t[1],
    ),
    content=st.binary(max_size=600),
)
def test_fuzz_ingest_random_names_and_bytes(tmp_path_factory, files, content):
    base = tmp_path_factory.mktemp("fuzz")
    root = base / "c"
    root.mkdir()
    for stem, suffix in files:
        with open(os.fsencode(root) + b"/" + stem[:200] + suffix, "wb") as f:
            f.write(content)
    result = run("ingest", root, "--db", base / "a.db")
    assert result.exit_code in (0, 1)
    assert run("stats", "--db", base / "a.db").exit_code in (0, 1)


@_FUZZ
@given(
    rows=st.lists(
        st.fixed_dictionaries(
            {
                "unit_id": st.text(max_size=10),
                "annotator": st.text(max_size=10),
                "label": st.sampled_from(["attributed", "editorial", "", "x"]) | st.text(),
                "note": st.text(max_size=20),
                "flagged": st.sampled_from(["", "0", "1", "maybe"]),
                "labeled_at": st.sampled_from(["", "2024-01-01T00:00:00Z", "soon"]),
            }
        ),
        max_size=5,
    ),
    fmt=st.sampled_from(["csv", "jsonl"]),
    junk=st.binary(max_size=80),
)
def test_fuzz_import_random_rows(tmp_path_factory, rows, fmt, junk):
    base = tmp_path_factory.mktemp("fuzz")
    db = labelled_db(base)
    f = base / f"x.{fmt}"
    if fmt == "csv":
        with open(f, "w", newline="", encoding="utf-8", errors="surrogatepass") as out:
            w = csv.DictWriter(out, fieldnames=list(rows[0]) if rows else ["annotator"])
            w.writeheader()
            w.writerows(rows)
    else:
        f.write_text(
            "".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8", errors="surrogatepass"
        )
    with open(f, "ab") as out:
        out.write(junk)
    result = run("import", f, "--db", db)
    assert result.exit_code in (0, 1)


def test_the_cli_writes_to_the_terminal_only_through_its_escaping_helpers():
    """Every line the CLI prints goes through echo()/echo_json() (annotate.visible)."""
    import ast
    import inspect

    import annotate.cli as cli

    tree = ast.parse(inspect.getsource(cli))
    offenders = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef) or func.name in ("echo", "echo_json"):
            continue
        for node in ast.walk(func):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "echo"
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "click"
            ):
                offenders.append(f"{func.name}:{node.lineno}")
    assert offenders == []
