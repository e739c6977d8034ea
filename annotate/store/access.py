"""Who may open a served session (``annotate serve``): annotators and organisers with a
secret token each.

Only a hash of each token is stored (SHA-256 of a 256-bit random token: a token is never
a guessable password, so a slow hash would add nothing); the token itself is shown once,
when it is made. Names are unique without regard to case, so "Alice" and "alice" are
never two people.
"""

from __future__ import annotations

from annotate.store.connection import Connection
from annotate.store.rows import utc_now

ANNOTATOR = "annotator"
ORGANISER = "organiser"
ROLES = (ANNOTATOR, ORGANISER)


class AccessQueries(Connection):
    """Access to served sessions: one row per (name, role), its token's hash."""

    def set_access(self, name: str, role: str, token_hash: str) -> tuple[str, bool]:
        """Give ``name`` the ``role`` with a token of hash ``token_hash``: (the name as
        stored, whether it is new to the role). A name that has the role already gets the
        new token (the old one stops working); one spelt with other case is the stored
        one ("ALICE" is "alice")."""
        if role not in ROLES:
            raise ValueError(f"unknown role {role!r}; expected one of {', '.join(ROLES)}")
        with self.transaction():
            row = self.conn.execute(
                "SELECT name FROM access WHERE name_key = ? AND role = ?",
                (name.casefold(), role),
            ).fetchone()
            if row is not None:
                name = row[0]
            self.conn.execute(
                "INSERT INTO access (name, name_key, role, token_hash, created_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (name_key, role) DO UPDATE SET "
                "token_hash = excluded.token_hash, created_at = excluded.created_at",
                (name, name.casefold(), role, token_hash, utc_now()),
            )
        return name, row is None

    def remove_access(self, name: str, role: str) -> bool:
        """Take the role (and its token) from ``name``; False if it had none. Labels stay."""
        with self.transaction():
            cursor = self.conn.execute(
                "DELETE FROM access WHERE name_key = ? AND role = ?", (name.casefold(), role)
            )
        return cursor.rowcount > 0

    def access_hash(self, name: str, role: str) -> tuple[str, str] | None:
        """(the stored spelling of ``name``, its token hash) for the role, or None."""
        row = self.conn.execute(
            "SELECT name, token_hash FROM access WHERE name_key = ? AND role = ?",
            (name.casefold(), role),
        ).fetchone()
        return None if row is None else (row[0], row[1])

    def access_by_hash(self, role: str, token_hash: str) -> str | None:
        """The name whose token for ``role`` has this hash, or None."""
        row = self.conn.execute(
            "SELECT name FROM access WHERE role = ? AND token_hash = ?", (role, token_hash)
        ).fetchone()
        return None if row is None else str(row[0])

    def access_names(self, role: str) -> list[str]:
        """The names that have ``role``, sorted."""
        rows = self.conn.execute(
            "SELECT name FROM access WHERE role = ? ORDER BY name_key", (role,)
        )
        return [r[0] for r in rows]
