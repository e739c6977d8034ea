"""Who may open a served session: names, tokens (stored hashed), personal URLs."""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest

from annotate.store import ANNOTATOR, ORGANISER
from annotate.tui.serve.access import BadName, check_name, check_token, grant, personal_url


@pytest.mark.parametrize("name", ["alice", "Zoé", "j.doe", "ana-maria_2", "李明", "a" * 40])
def test_names_of_people_are_accepted(name):
    assert check_name(f"  {name} ") == name


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("", "needed"),
        ("a" * 41, "at most 40"),
        ("-rf", "starting with"),
        ("_x", "starting with"),
        ("x;rm -rf ~", "letters, digits"),
        ("$(reboot)", "letters, digits"),
        ("a b", "letters, digits"),
        ("ali\x1b[2Jce", "letters, digits"),
        ("bob\n", None),  # trimmed: a pasted newline is not part of the name
    ],
)
def test_other_names_are_refused_with_the_reason(name, why):
    if why is None:
        assert check_name(name) == "bob"
        return
    with pytest.raises(BadName, match=why):
        check_name(name)


def test_a_name_is_normalised_so_one_person_has_one_spelling():
    decomposed = "Zoe\u0301"
    assert check_name(decomposed) == "Zoé"


def test_only_the_hash_of_a_token_is_stored_and_the_token_checks(store):
    name, token, is_new = grant(store, "alice")
    assert (name, is_new) == ("alice", True)
    rows = [tuple(r) for r in store.conn.execute("SELECT name, role, token_hash FROM access")]
    assert rows == [("alice", ANNOTATOR, hashlib.sha256(token.encode()).hexdigest())]
    assert token not in str(rows)
    assert check_token(store, "alice", token, ANNOTATOR) == "alice"
    assert check_token(store, "ALICE", token, ANNOTATOR) == "alice"  # one person, any case
    assert check_token(store, "alice", token + "x", ANNOTATOR) is None
    assert check_token(store, "alice", token, ORGANISER) is None
    assert check_token(store, "bob", token, ANNOTATOR) is None
    assert check_token(store, "x;y", token, ANNOTATOR) is None


def test_tokens_are_long_and_unlike(store):
    tokens = {grant(store, f"a{i}")[1] for i in range(50)}
    assert len(tokens) == 50
    assert min(len(t) for t in tokens) >= 43  # 256 bits


def test_a_new_token_replaces_the_old_one_under_the_stored_spelling(store):
    _, old, _ = grant(store, "Alice")
    name, new, is_new = grant(store, "alice")
    assert (name, is_new) == ("Alice", False)
    assert check_token(store, "Alice", old, ANNOTATOR) is None
    assert check_token(store, "alice", new, ANNOTATOR) == "Alice"
    assert store.access_names(ANNOTATOR) == ["Alice"]


def test_removing_access_keeps_the_other_role(store):
    grant(store, "olga", ORGANISER)
    _, token, _ = grant(store, "olga", ANNOTATOR)
    assert store.remove_access("OLGA", ORGANISER) is True
    assert store.remove_access("olga", ORGANISER) is False
    assert store.access_names(ORGANISER) == []
    assert check_token(store, "olga", token, ANNOTATOR) == "olga"


def test_a_personal_url_carries_the_name_and_token_quoted():
    url = personal_url("https://label.example.org/", "Zoé", "a-b_c", ORGANISER)
    parts = urlsplit(url)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "label.example.org", "/login")
    assert parse_qs(parts.query) == {"name": ["Zoé"], "token": ["a-b_c"], "next": ["status"]}
