"""The user store: argon2id hashes, server-side sessions with expiry, the append-only audit log."""

from __future__ import annotations

import sqlite3
import stat
from pathlib import Path

import pytest

from cpmonitor.core import users
from cpmonitor.core.settings import Settings

IDLE, ABSOLUTE = 30, 12


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env(tmp_path / "data")


def test_add_and_verify(settings: Settings) -> None:
    user = users.add_user(settings, "amina", "planner", "correct horse", now=1000.0)
    assert (user.username, user.role, user.created_at) == ("amina", "planner", 1000.0)
    path = users.access_db(settings)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    stored = sqlite3.connect(path).execute("SELECT password FROM users").fetchone()[0]
    assert stored.startswith("$argon2id$") and "correct horse" not in stored
    assert users.verify_password(settings, "amina", "wrong password") is None
    assert users.verify_password(settings, "nobody", "correct horse") is None
    signed = users.verify_password(settings, "amina", "correct horse", now=2000.0)
    assert signed is not None and signed.role == "planner"
    assert users.list_users(settings)[0].last_sign_in == 2000.0


def test_refusals(settings: Settings) -> None:
    users.add_user(settings, "amina", "planner", "correct horse")
    with pytest.raises(users.UserError, match="already exists"):
        users.add_user(settings, "amina", "donor", "correct horse")
    with pytest.raises(users.UserError, match="unknown role 'chief'"):
        users.add_user(settings, "bo", "chief", "correct horse")
    with pytest.raises(users.UserError, match="unknown role 'public'"):
        users.add_user(settings, "bo", "public", "correct horse")
    with pytest.raises(users.UserError, match="at least 8"):
        users.add_user(settings, "bo", "donor", "short")
    with pytest.raises(users.UserError, match="invalid username"):
        users.add_user(settings, "bo; drop", "donor", "correct horse")
    with pytest.raises(users.UserError, match="no user"):
        users.set_role(settings, "ghost", "donor")
    with pytest.raises(users.UserError, match="no user"):
        users.remove_user(settings, "ghost")


def test_set_role_password_remove(settings: Settings) -> None:
    users.add_user(settings, "amina", "planner", "correct horse")
    users.set_role(settings, "amina", "donor")
    assert [(u.username, u.role) for u in users.list_users(settings)] == [("amina", "donor")]
    sid = users.start_session(settings, "amina", now=100.0)
    users.set_password(settings, "amina", "battery staple", now=110.0)
    assert users.verify_password(settings, "amina", "correct horse") is None
    assert users.verify_password(settings, "amina", "battery staple") is not None
    # a new password ends the sessions of the old one
    assert (
        users.touch_session(settings, sid, idle_minutes=IDLE, absolute_hours=ABSOLUTE, now=120.0)
        is None
    )
    sid = users.start_session(settings, "amina", now=200.0)
    users.remove_user(settings, "amina", now=210.0)
    assert users.list_users(settings) == []
    assert (
        users.touch_session(settings, sid, idle_minutes=IDLE, absolute_hours=ABSOLUTE, now=220.0)
        is None
    )


def test_sessions_expire(settings: Settings) -> None:
    users.add_user(settings, "amina", "analyst", "correct horse")
    sid = users.start_session(settings, "amina", now=0.0)
    assert len(sid) >= 40
    touch = lambda at: users.touch_session(  # noqa: E731
        settings, sid, idle_minutes=IDLE, absolute_hours=ABSOLUTE, now=at
    )
    # used every 29 minutes: alive until 12 hours after it started
    at = 0.0
    while at + 29 * 60 <= 12 * 3600:
        at += 29 * 60
        session = touch(at)
        assert session is not None and session.last_seen == at
    assert touch(12 * 3600 + 1) is None
    assert touch(12 * 3600 + 2) is None  # ended for good

    idle = users.start_session(settings, "amina", now=0.0)
    assert (
        users.touch_session(
            settings, idle, idle_minutes=IDLE, absolute_hours=ABSOLUTE, now=30 * 60 + 1
        )
        is None
    )
    ended = users.start_session(settings, "amina", now=0.0)
    assert users.end_session(settings, ended, now=5.0) is True
    assert users.end_session(settings, ended, now=6.0) is False
    assert (
        users.touch_session(settings, ended, idle_minutes=IDLE, absolute_hours=ABSOLUTE, now=7.0)
        is None
    )
    assert (
        users.touch_session(settings, "made-up", idle_minutes=IDLE, absolute_hours=ABSOLUTE) is None
    )


def test_audit_log_is_append_only(settings: Settings) -> None:
    users.record_event(
        settings, "sign_in", username="amina", role="planner", address="10.0.0.1", now=5.0
    )
    users.record_event(
        settings, "page_view", username="amina", role="planner", detail="/care", now=6.0
    )
    events = users.read_events(settings)
    assert [(e.at, e.event, e.username, e.detail) for e in events] == [
        (5.0, "sign_in", "amina", None),
        (6.0, "page_view", "amina", "/care"),
    ]
    assert [e.event for e in users.read_events(settings, event="page_view")] == ["page_view"]
    assert [e.event for e in users.read_events(settings, limit=1)] == ["page_view"]
    conn = sqlite3.connect(users.access_db(settings))
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE audit_log SET username = 'someone else'")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM audit_log")
    assert conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] == 2
