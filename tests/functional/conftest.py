"""Fixtures of the functional tests (CLI and Pilot)."""

from __future__ import annotations

import pytest
from helpers.tui import with_articles


@pytest.fixture
def db(db_path):
    return with_articles(db_path)
