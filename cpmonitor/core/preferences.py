"""Per-user preferences kept in the installation's writable state: the interface language.

A signed-in user's language (``en``, ``fr``) lives in the ``user_preferences`` table of
``<data dir>/state/access.sqlite`` (``cpmonitor.core.users``: the same owner-only file and
connection), so the choice survives signing out and in again and is the same on every browser.
The table is created on first use, so an access database made before preferences existed keeps
working unchanged; a user with no row has no choice yet (the browser's language applies).
"""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager

from cpmonitor.core.settings import Settings
from cpmonitor.core.users import _connect

_SCHEMA = """
CREATE TABLE IF NOT EXISTS user_preferences (
    username   TEXT PRIMARY KEY,
    language   TEXT NOT NULL,
    updated_at REAL NOT NULL
)
"""


@contextmanager
def _connect_preferences(settings: Settings) -> Iterator[sqlite3.Connection]:
    with _connect(settings) as conn:
        conn.execute(_SCHEMA)
        yield conn


def language_of(settings: Settings, username: str) -> str | None:
    """The language ``username`` chose, or None when they have not chosen one."""
    with _connect_preferences(settings) as conn:
        row = conn.execute(
            "SELECT language FROM user_preferences WHERE username = ?", (username,)
        ).fetchone()
    return row[0] if row else None


def set_language(
    settings: Settings, username: str, language: str, *, now: float | None = None
) -> None:
    """Store ``language`` as ``username``'s choice (the caller checks it is one the app has)."""
    at = time.time() if now is None else now
    with _connect_preferences(settings) as conn:
        conn.execute(
            "INSERT INTO user_preferences (username, language, updated_at) VALUES (?, ?, ?) "
            "ON CONFLICT (username) DO UPDATE SET language = excluded.language, "
            "updated_at = excluded.updated_at",
            (username, language, at),
        )
