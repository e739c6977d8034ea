"""Shared fixtures: a tmp database, a tmp corpus, and no test ever touching real user data."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from annotate.store import Store

# Tests never assert on wall time: Hypothesis's per-example deadline (200 ms) is one, and
# fails at random on a loaded 2-core machine. A test's own @settings still sets the rest.
settings.register_profile("annotate", deadline=None)
settings.load_profile("annotate")

REPO = Path(__file__).resolve().parents[1]
SAMPLE_CORPUS = REPO / "corpus"


@pytest.fixture(autouse=True)
def _isolate_user_data(tmp_path_factory, monkeypatch):
    """Keep the user's database, config and cwd out of every test."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(home / ".cache"))
    monkeypatch.setenv("ANNOTATE_DB", str(home / "annotations.db"))
    # The screen's colours follow NO_COLOR and TERM: the tests' must not follow the user's.
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.chdir(home)


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture
def store(db_path):
    s = Store.open(db_path)
    yield s
    s.close()


@pytest.fixture
def sample_corpus(tmp_path) -> Path:
    """A private copy of the shipped sample corpus."""
    dest = tmp_path / "corpus"
    shutil.copytree(SAMPLE_CORPUS, dest)
    return dest
