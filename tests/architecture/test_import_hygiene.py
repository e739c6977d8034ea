"""The domain code is importable without Textual, and cheap modules stay cheap to import."""

from __future__ import annotations

import subprocess
import sys


def _core_modules() -> list[str]:
    """Every module of annotate outside the app (``annotate.tui``), found by walking the package."""
    import pkgutil

    import annotate

    names = [m.name for m in pkgutil.walk_packages(annotate.__path__, "annotate.")]
    return sorted(n for n in names if not n.startswith("annotate.tui") and n != "annotate.__main__")


DOMAIN = _core_modules()


def imported_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", f"{code}\nimport sys\nprint('\\n'.join(sys.modules))"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return set(out.split())


def test_domain_modules_do_not_import_textual():
    modules = imported_after("\n".join(f"import {m}" for m in DOMAIN))
    assert not {m for m in modules if m == "textual" or m.startswith("textual.")}


def test_store_and_ingest_do_not_pull_in_nltk_or_ftfy_until_needed():
    """An unchanged corpus is checked without paying for nltk or ftfy imports."""
    modules = imported_after("import annotate.store, annotate.ingest, annotate.text.reading")
    assert "nltk" not in modules and "ftfy" not in modules


def test_splitting_sentences_does_not_pull_in_the_numerical_libraries():
    """nltk imports scikit-learn, SciPy, NumPy and pandas when they are installed (they
    are, for annotate train): ~170 MB more in every ingest process, for no use of Punkt."""
    modules = imported_after("import annotate.text.segment, annotate.suggest.cues")
    assert {m.split(".")[0] for m in modules} & {"sklearn", "scipy", "numpy", "pandas"} == set()


def test_the_numerical_libraries_still_import_after_segment():
    modules = imported_after("import annotate.text.segment, sklearn.linear_model, numpy")
    assert {"sklearn.linear_model", "numpy"} <= modules


def test_splitting_sentences_imports_punkt_without_the_rest_of_nltk():
    """nltk's __init__ imports all of nltk (corpora, parsers, metrics): most of a second."""
    modules = imported_after("import annotate.text.segment")
    assert "nltk.tokenize.punkt" in modules
    assert not {"nltk.corpus", "nltk.translate", "nltk.parse", "nltk.tokenize.casual"} & modules


def test_nltk_is_whole_when_imported_after_segment():
    modules = imported_after(
        "import annotate.text.segment as segment\n"
        "import nltk, nltk.tokenize.punkt\n"
        "assert nltk.tokenize.punkt.PunktSentenceTokenizer is segment.PunktSentenceTokenizer\n"
        "assert nltk.tokenize.PunktSentenceTokenizer is segment.PunktSentenceTokenizer\n"
        "assert nltk.__version__ == segment.nltk_version\n"
        "assert callable(nltk.word_tokenize) and nltk.probability.FreqDist"
    )
    assert {"nltk.corpus", "nltk.tokenize.casual"} <= modules


def test_only_segment_imports_nltk():
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "annotate"
    offenders = [
        p.name
        for p in package.rglob("*.py")
        if p.name != "segment.py"
        and ("import nltk" in p.read_text() or "from nltk" in p.read_text())
    ]
    assert offenders == []


def test_only_store_speaks_sql():
    import re
    from pathlib import Path

    package = Path(__file__).resolve().parents[2] / "annotate"
    store = package / "store"
    sql = re.compile(r"\b(SELECT .* FROM|INSERT INTO|UPDATE \w+ SET|DELETE FROM)\b")
    offenders = [
        str(p.relative_to(package))
        for p in package.rglob("*.py")
        if store not in p.parents and sql.search(p.read_text())
    ]
    assert offenders == []
    # The store is a package of modules, and it does speak SQL (a rename would pass the
    # test above vacuously).
    assert (store / "__init__.py").is_file()
    assert any(sql.search(p.read_text()) for p in store.glob("*.py"))
