"""Who may sign in: users, server-side sessions and the append-only audit log of an installation.

One SQLite file, ``<data dir>/state/access.sqlite`` (created owner-only, 0600), beside the data and
outside the repository:

- ``users``: username, role (one the access policy defines), argon2id password hash, when created
  and when last signed in;
- ``sessions``: a random id per sign-in, its user, when it started, was last used and ended; the
  browser's cookie holds only that id, so signing out (or expiry) ends it on the server and an old
  cookie is worth nothing;
- ``audit_log``: sign-ins, failed sign-ins, sign-outs, page views, refusals, downloads, user
  changes. Append-only: triggers refuse every UPDATE and DELETE.
- ``annotations``: notes planners write on an indicator's trend, made and read by
  ``cpmonitor.core.annotations`` through ``_connect`` (created on first use there).

Times are seconds since the epoch (UTC); every function that reads the clock takes ``now`` so tests
can move time on.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from cpmonitor.core.access import AccessPolicy, load_access
from cpmonitor.core.settings import Settings

ACCESS_DB_NAME = "access.sqlite"
USERNAME_MAX = 64
PASSWORD_MIN = 8

_HASHER = PasswordHasher()  # argon2id, the library's current recommended parameters
# Verified against when the user does not exist, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = _HASHER.hash(secrets.token_urlsafe(16))

_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    username     TEXT PRIMARY KEY,
    role         TEXT NOT NULL,
    password     TEXT NOT NULL,
    created_at   REAL NOT NULL,
    last_sign_in REAL
);
CREATE TABLE IF NOT EXISTS sessions (
    id         TEXT PRIMARY KEY,
    username   TEXT NOT NULL,
    created    REAL NOT NULL,
    last_seen  REAL NOT NULL,
    ended_at   REAL
);
CREATE TABLE IF NOT EXISTS audit_log (
    seq      INTEGER PRIMARY KEY AUTOINCREMENT,
    at       REAL NOT NULL,
    event    TEXT NOT NULL,
    username TEXT,
    role     TEXT,
    address  TEXT,
    detail   TEXT
);
CREATE TRIGGER IF NOT EXISTS audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


class UserError(ValueError):
    """A user command that cannot be done (unknown or duplicate user, unknown role, weak password)."""


@dataclass(frozen=True)
class User:
    username: str
    role: str
    created_at: float
    last_sign_in: float | None


@dataclass(frozen=True)
class Session:
    id: str
    username: str
    created: float
    last_seen: float


@dataclass(frozen=True)
class Event:
    at: float
    event: str
    username: str | None
    role: str | None
    address: str | None
    detail: str | None

    @property
    def when(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.at, tz=dt.UTC)


def access_db(settings: Settings) -> Path:
    return settings.state_dir / ACCESS_DB_NAME


def _now(now: float | None) -> float:
    return time.time() if now is None else now


@contextmanager
def _connect(settings: Settings) -> Iterator[sqlite3.Connection]:
    path = access_db(settings)
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        # Create the file owner-only before SQLite writes anything into it.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    os.chmod(path, 0o600)
    with closing(sqlite3.connect(path, timeout=10, isolation_level=None)) as conn:
        conn.execute("PRAGMA busy_timeout = 10000")
        conn.executescript(_SCHEMA)
        conn.execute("BEGIN IMMEDIATE")
        try:
            yield conn
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")


def _check_username(username: str) -> str:
    name = username.strip()
    if not name or len(name) > USERNAME_MAX or not all(c.isalnum() or c in "._-@" for c in name):
        raise UserError(
            f"invalid username {username!r}: 1-{USERNAME_MAX} letters, digits or . _ - @"
        )
    return name


def _check_role(role: str, policy: AccessPolicy) -> str:
    if role not in policy.roles or role == "public":
        known = ", ".join(name for name in policy.roles if name != "public")
        raise UserError(f"unknown role {role!r} (roles: {known})")
    return role


def _check_password(password: str) -> str:
    if len(password) < PASSWORD_MIN:
        raise UserError(f"a password needs at least {PASSWORD_MIN} characters")
    return password


def add_user(
    settings: Settings,
    username: str,
    role: str,
    password: str,
    *,
    policy: AccessPolicy | None = None,
    now: float | None = None,
) -> User:
    """Create ``username`` with ``role`` (validated against the policy) and an argon2id hash."""
    name = _check_username(username)
    _check_role(role, policy or load_access(settings))
    digest = _HASHER.hash(_check_password(password))
    at = _now(now)
    with _connect(settings) as conn:
        if conn.execute("SELECT 1 FROM users WHERE username = ?", (name,)).fetchone():
            raise UserError(f"user {name!r} already exists")
        conn.execute(
            "INSERT INTO users (username, role, password, created_at) VALUES (?, ?, ?, ?)",
            (name, role, digest, at),
        )
        _insert_event(conn, at, "user_added", name, role, None, None)
    return User(name, role, at, None)


def remove_user(settings: Settings, username: str, *, now: float | None = None) -> None:
    """Delete ``username`` and end every session of theirs."""
    at = _now(now)
    with _connect(settings) as conn:
        row = conn.execute("SELECT role FROM users WHERE username = ?", (username,)).fetchone()
        if row is None:
            raise UserError(f"no user {username!r}")
        conn.execute("DELETE FROM users WHERE username = ?", (username,))
        conn.execute(
            "UPDATE sessions SET ended_at = ? WHERE username = ? AND ended_at IS NULL",
            (at, username),
        )
        _insert_event(conn, at, "user_removed", username, row[0], None, None)


def set_role(
    settings: Settings,
    username: str,
    role: str,
    *,
    policy: AccessPolicy | None = None,
    now: float | None = None,
) -> None:
    """Give ``username`` another role (takes effect on their next request)."""
    _check_role(role, policy or load_access(settings))
    at = _now(now)
    with _connect(settings) as conn:
        if conn.execute("UPDATE users SET role = ? WHERE username = ?", (role, username)).rowcount:
            _insert_event(conn, at, "role_changed", username, role, None, None)
            return
    raise UserError(f"no user {username!r}")


def set_password(
    settings: Settings, username: str, password: str, *, now: float | None = None
) -> None:
    """Replace ``username``'s password and end their sessions (every device signs in again)."""
    digest = _HASHER.hash(_check_password(password))
    at = _now(now)
    with _connect(settings) as conn:
        changed = conn.execute(
            "UPDATE users SET password = ? WHERE username = ?", (digest, username)
        ).rowcount
        if changed:
            conn.execute(
                "UPDATE sessions SET ended_at = ? WHERE username = ? AND ended_at IS NULL",
                (at, username),
            )
            _insert_event(conn, at, "password_changed", username, None, None, None)
            return
    raise UserError(f"no user {username!r}")


def list_users(settings: Settings) -> list[User]:
    """Every user, by name (never the hashes)."""
    with _connect(settings) as conn:
        rows = conn.execute(
            "SELECT username, role, created_at, last_sign_in FROM users ORDER BY username"
        ).fetchall()
    return [User(*row) for row in rows]


def get_user(settings: Settings, username: str) -> User | None:
    with _connect(settings) as conn:
        row = conn.execute(
            "SELECT username, role, created_at, last_sign_in FROM users WHERE username = ?",
            (username,),
        ).fetchone()
    return User(*row) if row else None


def verify_password(
    settings: Settings, username: str, password: str, *, now: float | None = None
) -> User | None:
    """The user when ``password`` is theirs (their last sign-in is then recorded), else None.

    An unknown user costs one argon2 verification too, so timing does not tell names apart.
    """
    with _connect(settings) as conn:
        row = conn.execute(
            "SELECT username, role, password, created_at FROM users WHERE username = ?",
            (username,),
        ).fetchone()
        if row is None:
            with suppress(VerificationError):
                _HASHER.verify(_DUMMY_HASH, password)
            return None
        name, role, digest, created_at = row
        try:
            _HASHER.verify(digest, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return None
        at = _now(now)
        if _HASHER.check_needs_rehash(digest):
            conn.execute(
                "UPDATE users SET password = ? WHERE username = ?", (_HASHER.hash(password), name)
            )
        conn.execute("UPDATE users SET last_sign_in = ? WHERE username = ?", (at, name))
    return User(name, role, created_at, at)


def start_session(settings: Settings, username: str, *, now: float | None = None) -> str:
    """A new server-side session for ``username``: its random id (the cookie's only content)."""
    session_id = secrets.token_urlsafe(32)
    at = _now(now)
    with _connect(settings) as conn:
        conn.execute(
            "INSERT INTO sessions (id, username, created, last_seen) VALUES (?, ?, ?, ?)",
            (session_id, username, at, at),
        )
    return session_id


def touch_session(
    settings: Settings,
    session_id: str,
    *,
    idle_minutes: float,
    absolute_hours: float,
    now: float | None = None,
) -> Session | None:
    """The live session ``session_id``, marked as used now; None when it is unknown, ended, idle
    longer than ``idle_minutes``, older than ``absolute_hours`` or its user is gone (an expired
    session is ended on the way, so it cannot come back)."""
    at = _now(now)
    with _connect(settings) as conn:
        row = conn.execute(
            "SELECT s.id, s.username, s.created, s.last_seen, s.ended_at, u.username "
            "FROM sessions s LEFT JOIN users u ON u.username = s.username WHERE s.id = ?",
            (session_id,),
        ).fetchone()
        if row is None or row[4] is not None:
            return None
        sid, username, created, last_seen, _ended, user = row
        expired = (
            user is None
            or at - last_seen > idle_minutes * 60
            or at - created > absolute_hours * 3600
        )
        if expired:
            conn.execute("UPDATE sessions SET ended_at = ? WHERE id = ?", (at, sid))
            return None
        conn.execute("UPDATE sessions SET last_seen = ? WHERE id = ?", (at, sid))
    return Session(sid, username, created, at)


def end_session(settings: Settings, session_id: str, *, now: float | None = None) -> bool:
    """End ``session_id`` (sign-out); True when it was live."""
    with _connect(settings) as conn:
        return bool(
            conn.execute(
                "UPDATE sessions SET ended_at = ? WHERE id = ? AND ended_at IS NULL",
                (_now(now), session_id),
            ).rowcount
        )


def _insert_event(
    conn: sqlite3.Connection,
    at: float,
    event: str,
    username: str | None,
    role: str | None,
    address: str | None,
    detail: str | None,
) -> None:
    conn.execute(
        "INSERT INTO audit_log (at, event, username, role, address, detail) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        (at, event, username, role, address, detail),
    )


def record_event(
    settings: Settings,
    event: str,
    *,
    username: str | None = None,
    role: str | None = None,
    address: str | None = None,
    detail: str | None = None,
    now: float | None = None,
) -> None:
    """Append one line to the audit log."""
    with _connect(settings) as conn:
        _insert_event(conn, _now(now), event, username, role, address, detail)


def read_events(
    settings: Settings, *, event: str | None = None, limit: int | None = None
) -> list[Event]:
    """The audit log, oldest first (only ``event`` when given; the last ``limit`` lines)."""
    query = "SELECT at, event, username, role, address, detail FROM audit_log"
    params: tuple = ()
    if event is not None:
        query, params = query + " WHERE event = ?", (event,)
    query += " ORDER BY seq DESC"
    if limit is not None:
        query, params = query + " LIMIT ?", (*params, int(limit))
    with _connect(settings) as conn:
        rows = conn.execute(query, params).fetchall()
    return [Event(*row) for row in reversed(rows)]
