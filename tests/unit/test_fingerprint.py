"""Rule fingerprints follow what the rules say, not how their files are written."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from annotate.fingerprint import fingerprint
from annotate.ingest import pipeline_version
from annotate.suggest import rules_version

RULES = '''\
"""Rules for a test."""
import re

_CUE = re.compile(r"\\bsaid\\b")


def cue(text):
    """Where the cue is."""
    return _CUE.search(text)
'''


def package(tmp_path: Path, source: str, name: str = "rules.py") -> Path:
    folder = tmp_path / "pkg"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(textwrap.dedent(source))
    return folder


def test_comments_docstrings_and_layout_do_not_change_the_fingerprint(tmp_path):
    before = fingerprint(package(tmp_path, RULES))
    edited = (
        RULES.replace('"""Where the cue is."""', '"""Where the reporting cue starts."""')
        .replace("import re\n", "import re  # the standard library\n\n\n")
        .replace('"""Rules for a test."""', '"""Rules, reworded."""\n# a comment')
    )
    assert fingerprint(package(tmp_path, edited)) == before


def test_a_rule_change_changes_the_fingerprint(tmp_path):
    before = fingerprint(package(tmp_path, RULES))
    assert fingerprint(package(tmp_path, RULES.replace("said", "says"))) != before
    logic = RULES.replace("return _CUE.search(text)", "return _CUE.match(text)")
    assert fingerprint(package(tmp_path, logic)) != before


def test_code_in_a_new_module_of_the_package_counts(tmp_path):
    folder = package(tmp_path, RULES)
    before = fingerprint(folder)
    (folder / "more.py").write_text("LEXICON = ('alleged',)\n")
    assert fingerprint(folder) != before


def test_data_files_and_library_versions_count(tmp_path):
    folder = package(tmp_path, RULES)
    data = tmp_path / "lexicon.json"
    data.write_text('["alleged"]')
    before = fingerprint(folder, data_files=[data], extra=["nltk 3.9"])
    assert fingerprint(folder, data_files=[data], extra=["nltk 3.10"]) != before
    data.write_text('["alleged", "reportedly"]')
    assert fingerprint(folder, data_files=[data], extra=["nltk 3.9"]) != before


def test_the_shipped_fingerprints_are_short_hex():
    assert re.fullmatch(r"[0-9a-f]{12}", pipeline_version())
    assert re.fullmatch(r"[0-9a-f]{12}", rules_version())
    assert pipeline_version() != rules_version()


def test_the_cache_gives_the_same_fingerprint_and_survives_a_bad_file(tmp_path, monkeypatch):
    folder = package(tmp_path, RULES)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    first = fingerprint(folder)
    assert (tmp_path / "cache" / "annotate" / "fingerprints.json").exists()
    assert fingerprint(folder) == first
    (tmp_path / "cache" / "annotate" / "fingerprints.json").write_text("not json")
    assert fingerprint(folder) == first
