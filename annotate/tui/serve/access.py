"""Who may open a served session: names, secret tokens and personal URLs.

A token is 256 random bits (URL-safe text); the database keeps only its SHA-256. A name
is what an annotator's labels are stored under, so it is checked like an identifier:
letters (any script), digits, ``.``, ``_``, ``-``, at most 40 characters, starting with
a letter or digit. It reaches the app process as one argument of an argument list.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from urllib.parse import urlencode

from annotate.store import ANNOTATOR, ORGANISER, Store

MAX_NAME = 40
_NAME = re.compile(r"[^\W_][\w.\-]*")


class BadName(ValueError):
    """A name that cannot be an annotator's (the message says why)."""


def check_name(raw: str) -> str:
    """The name as stored (NFC, trimmed), or BadName saying what is wrong with it."""
    name = unicodedata.normalize("NFC", raw.strip())
    if not name:
        raise BadName("a name is needed")
    if len(name) > MAX_NAME:
        raise BadName(f"a name has at most {MAX_NAME} characters")
    if not _NAME.fullmatch(name):
        raise BadName("a name is letters, digits, '.', '_' or '-', starting with a letter or digit")
    return name


def new_token() -> str:
    """A fresh secret token (43 URL-safe characters)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def grant(store: Store, raw_name: str, role: str = ANNOTATOR) -> tuple[str, str, bool]:
    """Give ``raw_name`` the role with a new token: (stored name, token, is new).

    A name that has the role already gets a new token and the old one stops working."""
    name = check_name(raw_name)
    token = new_token()
    name, is_new = store.set_access(name, role, token_hash(token))
    return name, token, is_new


def check_token(store: Store, raw_name: str, token: str, role: str) -> str | None:
    """The stored name when ``token`` is the one of ``raw_name`` for ``role``, else None."""
    try:
        name = check_name(raw_name)
    except BadName:
        return None
    found = store.access_hash(name, role)
    if found is None:
        return None
    stored, expected = found
    return stored if hmac.compare_digest(expected, token_hash(token)) else None


def personal_url(base: str, name: str, token: str, role: str = ANNOTATOR) -> str:
    """The URL that logs ``name`` in: ``base`` (``http://host:port``) and a query."""
    query = {"name": name, "token": token}
    if role == ORGANISER:
        query["next"] = "status"
    return f"{base.rstrip('/')}/login?{urlencode(query)}"
