"""Notes on a trend (cpmonitor.core.annotations): storage in access.sqlite, who may write and
delete, and which role sees which note on which trend (worked out by hand below)."""

from __future__ import annotations

import datetime as dt
import sqlite3
import stat
from pathlib import Path

import pytest

from cpmonitor.core import annotations as notes
from cpmonitor.core import users
from cpmonitor.core.access import AccessError, load_access
from cpmonitor.core.settings import Settings

POLICY = load_access()
ADMIN, PLANNER, ANALYST = POLICY.role("admin"), POLICY.role("planner"), POLICY.role("analyst")
DONOR, PUBLIC = POLICY.role("donor"), POLICY.role("public")
T0 = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.UTC).timestamp()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings.from_env(tmp_path)


def _add(settings: Settings, period: str, text: str = "note", **kw) -> notes.Annotation:
    args = {
        "indicator_code": "AC06",
        "geo_code": None,
        "period_id": period,
        "text": text,
        "author": "ana",
        "role": PLANNER,
        "now": T0,
    }
    return notes.add_annotation(settings, **{**args, **kw})


def test_the_power_is_in_the_policy() -> None:
    assert {r.name for r in POLICY.roles.values() if r.may("annotate")} == {
        "admin",
        "planner",
        "analyst",
    }


def test_an_unknown_power_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "access.yml"
    path.write_text(
        "roles:\n  admin: {label: A, exact: true, levels: [national], "
        "can: [users, audit_log, annotate, scribble]}\n"
    )
    with pytest.raises(AccessError, match=r"roles\.admin\.can\.3: .*annotate"):
        load_access(path=path)


def test_store_list_and_delete(settings: Settings) -> None:
    note = _add(settings, "2018-03", "  New gatekeeping\n  policy  ")
    assert (note.text, note.author, note.created_at, note.deleted_at) == (
        "New gatekeeping policy",
        "ana",
        T0,
        None,
    )
    assert note.geo_code is None and note.period_type == "month"
    # "NAT" is the nation too: stored as no place.
    other = _add(settings, "2017", "Census year", geo_code="NAT", author="ben", now=T0 + 60)
    _add(settings, "2018-03", "Northlake only", geo_code="01")
    _add(settings, "2018-03", "Another indicator", indicator_code="AC04")
    listed = notes.list_annotations(settings, "AC06", "NAT")
    # By period: 2017 starts before March 2018.
    assert [n.text for n in listed] == ["Census year", "New gatekeeping policy"]
    assert [n.text for n in notes.list_annotations(settings, "AC06", "01")] == ["Northlake only"]
    removed = notes.delete_annotation(settings, other.id, username="ben", role=PLANNER, now=T0 + 99)
    assert removed.id == other.id
    assert [n.text for n in notes.list_annotations(settings, "AC06", None)] == [
        "New gatekeeping policy"
    ]
    kept = notes.get_annotation(settings, other.id)
    assert kept is not None and kept.deleted_at == T0 + 99  # kept, marked deleted
    with pytest.raises(notes.AnnotationError):  # twice: it is gone
        notes.delete_annotation(settings, other.id, username="ben", role=PLANNER)
    # The state file stays owner-only.
    mode = stat.S_IMODE(users.access_db(settings).stat().st_mode)
    assert mode == 0o600


def test_text_limits(settings: Settings) -> None:
    assert len(_add(settings, "2018", "x" * 280).text) == 280
    with pytest.raises(notes.AnnotationError, match="at most 280"):
        _add(settings, "2018", "x" * 281)
    with pytest.raises(notes.AnnotationError):
        _add(settings, "2018", "   \n\t ")
    # Markup is stored as typed and escaped for Plotly labels.
    tagged = _add(settings, "2018", "<b>bold</b> & <a href='x'>link</a>")
    assert tagged.text == "<b>bold</b> & <a href='x'>link</a>"
    assert (
        notes.plain(tagged.text) == "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;a href='x'&gt;link&lt;/a&gt;"
    )


@pytest.mark.parametrize(
    "change",
    [
        {"period_id": "2018-13"},
        {"period_id": "March 2018"},
        {"period_id": "2018-Q5"},
        {"indicator_code": "AC06' OR 1=1 --"},
        {"geo_code": "01; DROP TABLE users"},
        {"author": ""},
    ],
)
def test_bad_views_are_refused(settings: Settings, change: dict) -> None:
    with pytest.raises(notes.AnnotationError):
        _add(settings, "2018", **change)


def test_only_roles_holding_annotate_write(settings: Settings) -> None:
    for role in (ADMIN, PLANNER, ANALYST):
        _add(settings, "2018", f"by {role.name}", role=role, author=role.name)
    for role in (DONOR, PUBLIC):
        with pytest.raises(notes.AnnotationRefused):
            _add(settings, "2018", "not allowed", role=role)
    assert len(notes.list_annotations(settings, "AC06", None)) == 3


def test_authors_delete_their_own_admins_any(settings: Settings) -> None:
    mine = _add(settings, "2018", "ana's", author="ana")
    theirs = _add(settings, "2018", "ben's", author="ben")
    with pytest.raises(notes.AnnotationRefused):
        notes.delete_annotation(settings, theirs.id, username="ana", role=PLANNER)
    with pytest.raises(notes.AnnotationRefused):  # an analyst is no admin
        notes.delete_annotation(settings, theirs.id, username="cy", role=ANALYST)
    with pytest.raises(notes.AnnotationRefused):  # nobody signed in
        notes.delete_annotation(settings, theirs.id, username=None, role=PLANNER)
    notes.delete_annotation(settings, mine.id, username="ana", role=PLANNER)
    notes.delete_annotation(settings, theirs.id, username="root", role=ADMIN)
    assert notes.list_annotations(settings, "AC06", None) == []
    with pytest.raises(notes.AnnotationError):
        notes.delete_annotation(settings, 12345, username="root", role=ADMIN)


def _shown(settings: Settings, role, geo=None, level="national", period_type="month"):
    return [
        (s.annotation.text, s.period_id, s.label)
        for s in notes.for_view(
            settings,
            role,
            indicator_code="AC06",
            geo_code=geo,
            geo_level=level,
            period_type=period_type,
        )
    ]


def test_visibility_per_role_level_and_period(settings: Settings) -> None:
    _add(settings, "2018-03", "policy in March")
    _add(settings, "2018-Q3", "strike in Q3")
    _add(settings, "2017", "census year")
    _add(settings, "2018-11", "Northlake month", geo_code="01")
    _add(settings, "2018-11", "Lakeshore month", geo_code="0101")

    # A planner by month: every national note on its own period; the year 2017 stays on 2017.
    assert _shown(settings, PLANNER) == [
        ("census year", "2017", "2017"),
        ("policy in March", "2018-03", "Mar 2018"),
        ("strike in Q3", "2018-Q3", "2018 Q3"),
    ]
    # By quarter: March 2018 lies in 2018 Q1.
    assert _shown(settings, PLANNER, period_type="quarter") == [
        ("census year", "2017", "2017"),
        ("policy in March", "2018-Q1", "2018 Q1"),
        ("strike in Q3", "2018-Q3", "2018 Q3"),
    ]
    # A donor sees years only: asked for months, the trend is by year and every note is on its year,
    # labelled with the year alone (never "Mar 2018" or "2018 Q3").
    donor = _shown(settings, DONOR)
    assert donor == [
        ("census year", "2017", "2017"),
        ("policy in March", "2018", "2018"),
        ("strike in Q3", "2018", "2018"),
    ]
    assert _shown(settings, DONOR, period_type="year") == donor
    # Provinces: the donor sees the level; districts: never, while the planner does.
    assert _shown(settings, DONOR, "01", "province") == [("Northlake month", "2018", "2018")]
    assert _shown(settings, DONOR, "0101", "district") == []
    assert _shown(settings, PLANNER, "0101", "district") == [
        ("Lakeshore month", "2018-11", "Nov 2018")
    ]
    # The public role may open the indicator page and sees national notes on years.
    assert [t for t, _, _ in _shown(settings, PUBLIC, period_type="year")] == [
        "census year",
        "policy in March",
        "strike in Q3",
    ]


def test_a_role_that_cannot_open_the_page_sees_nothing(settings: Settings) -> None:
    _add(settings, "2018", "a note")
    locked = PLANNER.__class__(**{**PLANNER.__dict__, "pages": ("scorecard",)})
    assert _shown(settings, locked, period_type="year") == []
    assert len(_shown(settings, PLANNER, period_type="year")) == 1


def test_hover_text(settings: Settings) -> None:
    _add(settings, "2018-03", "New gatekeeping policy", author="ana")
    (shown,) = notes.for_view(
        settings,
        PLANNER,
        indicator_code="AC06",
        geo_code=None,
        geo_level="national",
        period_type="year",
    )
    assert shown.hover() == "New gatekeeping policy — ana, 2 Mar 2026"
    assert (shown.start, shown.end, shown.middle) == (
        dt.date(2018, 1, 1),
        dt.date(2018, 12, 31),
        dt.date(2018, 7, 2),
    )


def test_an_existing_access_database_gets_the_table(settings: Settings) -> None:
    """An access.sqlite made before annotations existed: users and sessions stay, the table is
    added on first use."""
    users.add_user(settings, "ana", "planner", "long-password-1")
    path = users.access_db(settings)
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "users" in tables and "annotations" not in tables
    assert notes.list_annotations(settings, "AC06", None) == []
    note = _add(settings, "2018", "first note")
    with sqlite3.connect(path) as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        stored = conn.execute("SELECT text, author, geo_code FROM annotations").fetchall()
    assert "annotations" in tables
    assert stored == [("first note", "ana", None)]
    assert note.id == 1
    assert users.verify_password(settings, "ana", "long-password-1") is not None
    assert [u.username for u in users.list_users(settings)] == ["ana"]
