"""The tests keep their own shape: helpers in tests/helpers, no test module importing another."""

from __future__ import annotations

import re
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def test_no_test_module_imports_another():
    importing = re.compile(r"^\s*(?:from|import)\s+((?:tests\.)?test_\w+)", re.MULTILINE)
    offenders = {
        p.relative_to(TESTS).as_posix(): importing.findall(p.read_text(encoding="utf-8"))
        for p in TESTS.rglob("*.py")
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_every_test_module_sits_in_a_layer_folder():
    loose = sorted(p.name for p in TESTS.glob("test_*.py"))
    assert loose == [], "put tests in unit/, functional/ or architecture/"
