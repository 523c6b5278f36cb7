"""Notes on a trend (cpmonitor.core.annotations): storage in access.sqlite, who may write and
delete, and which role sees which note on which trend (worked out by hand below)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import sqlite3
import stat
from pathlib import Path

import flask
import pandas as pd
import plotly
import pytest
from auth_helpers import as_role, client_for

from cpmonitor.core import annotations as notes
from cpmonitor.core import users
from cpmonitor.core.access import AccessError, load_access
from cpmonitor.core.settings import Settings
from dashboards.app import create_app
from dashboards.pages import indicator

POLICY = load_access()
ADMIN, PLANNER, ANALYST = POLICY.role("admin"), POLICY.role("planner"), POLICY.role("analyst")
DONOR, PUBLIC = POLICY.role("donor"), POLICY.role("public")


def _json(component: object) -> str:
    return json.dumps(component, cls=plotly.utils.PlotlyJSONEncoder)


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


# --- on the indicator page -----------------------------------------------------------------------


def _app_with_notes(warehouse: Path, tmp_path: Path):
    settings = Settings.from_env(tmp_path / "data")
    settings.warehouse_file.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(warehouse, settings.warehouse_file)
    _add(settings, "2018-03", "New gatekeeping policy <b>now</b>", author="ana")
    _add(settings, "2018-11", "Northlake campaign", geo_code="01", author="ana")
    _add(settings, "2018-11", "Lakeshore office closed", geo_code="0101", author="ana")
    return create_app(settings), settings


def _content(app, role: str, username: str, geo: str, period_type: str):
    with as_role(app, role, f"/indicator?code=AC06&geo={geo}"):
        flask.g.cp_user = users.User(username, role, T0, None)
        return indicator.update_content("AC06", geo, period_type)


def _find(component, component_id):
    for part in component._traverse():
        if getattr(part, "id", None) == component_id:
            return part
    return None


def _notes_drawn(content) -> list[tuple[str, str, str]]:
    fig = _find(content, "indicator-trend-graph").figure
    shapes = [(s.name, str(pd.Timestamp(s.x0).date())) for s in fig.layout.shapes]
    labels = [a.hovertext for a in fig.layout.annotations if str(a.name).startswith("cp-note-")]
    return [(*shape, label) for shape, label in zip(shapes, labels, strict=True)]


def test_a_planner_sees_the_note_on_the_monthly_trend(warehouse: Path, tmp_path: Path) -> None:
    app, _ = _app_with_notes(warehouse, tmp_path)
    content = _content(app, "planner", "ben", "NAT", "month")
    # One dotted line at the end of March 2018, where the monthly trend draws that month; the
    # hover text escaped for Plotly, so the <b> shows as typed.
    assert _notes_drawn(content) == [
        (
            "cp-note-2018-03",
            "2018-03-31",
            "1. Mar 2018: New gatekeeping policy &lt;b&gt;now&lt;/b&gt; — ana, 2 Mar 2026",
        )
    ]
    listed = _find(content, "indicator-notes-list")
    sent = _json(listed)
    assert "New gatekeeping policy <b>now</b>" in sent  # Dash escapes it in the page
    assert "Northlake" not in sent and "Lakeshore" not in _json(content)
    # ben did not write it: no Delete button for him; the form offers the trend's 48 months.
    assert _find(content, {"type": "indicator-note-delete", "id": 1}) is None
    picker = _find(content, "indicator-note-period")
    assert len(picker.options) == 48
    assert (picker.options[0]["value"], picker.options[-1]["value"]) == ("2018-12", "2015-01")
    assert _find(content, "indicator-note-text").maxLength == 280
    # Its author gets the Delete button; by year, the note sits in the middle of 2018.
    mine = _content(app, "planner", "ana", "NAT", "year")
    assert _find(mine, {"type": "indicator-note-delete", "id": 1}) is not None
    assert [(n, x) for n, x, _ in _notes_drawn(mine)] == [("cp-note-2018", "2018-07-02")]
    # An admin may delete anybody's note.
    admin = _content(app, "admin", "root", "NAT", "year")
    assert _find(admin, {"type": "indicator-note-delete", "id": 1}) is not None


def test_a_donor_sees_national_and_province_notes_on_years_never_districts(
    warehouse: Path, tmp_path: Path
) -> None:
    app, _ = _app_with_notes(warehouse, tmp_path)
    national = _content(app, "donor", "dora", "NAT", "month")
    assert _notes_drawn(national) == [
        (
            "cp-note-2018",
            "2018-07-02",
            "1. 2018: New gatekeeping policy &lt;b&gt;now&lt;/b&gt; — ana, 2 Mar 2026",
        )
    ]
    assert "2018: " in _json(_find(national, "indicator-notes-list"))
    assert "Mar 2018" not in _json(national)
    assert _find(national, "indicator-note-form") is None  # donors do not write notes
    province = _content(app, "donor", "dora", "01", "year")
    assert "Northlake campaign" in _json(province)
    # A crafted request for the district reads as the nation: the district's note never comes.
    for geo in ("0101", "01", "NAT"):
        assert "Lakeshore office closed" not in _json(_content(app, "donor", "dora", geo, "year"))
    # The planner's province view does not carry the district's note either (it is on 0101).
    assert "Lakeshore office closed" not in _json(_content(app, "planner", "ben", "01", "month"))


# The trend as the browser holds it: months 2015-01 to 2018-12 (their ends).
FIGURE = {"data": [{"x": ["2015-01-31T00:00:00", "2018-12-31T00:00:00"], "y": [50, 55]}]}
NOTE_OUTPUTS = [
    {"id": "indicator-trend-graph", "property": "figure"},
    {"id": "indicator-notes", "property": "children"},
    {"id": "indicator-note-text", "property": "value"},
    {"id": "indicator-note-message", "property": "children"},
]


def _post_note(client, headers, *, period="2018-03", text="Policy", ptype="month", delete=None):
    deletes = (
        [
            {
                "id": {"id": delete, "type": "indicator-note-delete"},
                "property": "n_clicks",
                "value": 1,
            }
        ]
        if delete
        else []
    )
    changed = (
        [json.dumps({"id": delete, "type": "indicator-note-delete"}, separators=(",", ":"))
         + ".n_clicks"]
        if delete
        else ["indicator-note-save.n_clicks"]
    )  # fmt: skip
    body = {
        "output": "..indicator-trend-graph.figure...indicator-notes.children..."
        "indicator-note-text.value...indicator-note-message.children..",
        "outputs": NOTE_OUTPUTS,
        "inputs": [
            {"id": "indicator-note-save", "property": "n_clicks", "value": None if delete else 1},
            {"id": "indicator-note-text", "property": "n_submit", "value": None},
            deletes,
        ],
        "changedPropIds": changed,
        "state": [
            {"id": "indicator-code", "property": "value", "value": "AC06"},
            {"id": "indicator-geo", "property": "value", "value": "NAT"},
            {"id": "indicator-period", "property": "value", "value": ptype},
            {"id": "indicator-note-period", "property": "value", "value": period},
            {"id": "indicator-note-text", "property": "value", "value": text},
            {"id": "indicator-trend-graph", "property": "figure", "value": FIGURE},
        ],
    }
    return client.post("/_dash-update-component", data=json.dumps(body), headers=headers)


def _message(response) -> str:
    return response.get_json()["response"]["indicator-note-message"]["children"]


def test_saving_and_deleting_through_the_callback(warehouse: Path, tmp_path: Path) -> None:
    settings = Settings.from_env(tmp_path / "data")
    settings.warehouse_file.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(warehouse, settings.warehouse_file)
    app = create_app(settings)
    ana, ana_headers = client_for(app, "planner", "ana")
    # Without the CSRF header the POST is refused and nothing is stored.
    bare = {"Content-Type": "application/json"}
    assert _post_note(ana, bare).status_code == 400
    assert notes.list_annotations(settings, "AC06", None) == []
    # A month the trend does not have, or a month on the yearly trend: refused.
    assert _message(_post_note(ana, ana_headers, period="2019-01")) == (
        "Pick one of the periods of this trend."
    )
    assert _post_note(ana, ana_headers, ptype="year").status_code == 200
    assert notes.list_annotations(settings, "AC06", None) == []
    saved = _post_note(ana, ana_headers, text="  New gatekeeping   policy ")
    answer = saved.get_json()["response"]
    assert answer["indicator-note-message"]["children"] == "Note saved."
    assert answer["indicator-note-text"]["value"] == ""
    shapes = answer["indicator-trend-graph"]["figure"]["layout"]["shapes"]
    assert [(s["name"], s["x0"][:10]) for s in shapes] == [("cp-note-2018-03", "2018-03-31")]
    (note,) = notes.list_annotations(settings, "AC06", None)
    assert (note.text, note.author, note.period_id) == ("New gatekeeping policy", "ana", "2018-03")
    added = users.read_events(settings, event="annotation_added")
    assert [(e.username, e.role, e.detail) for e in added] == [
        ("ana", "planner", f"note {note.id} on AC06 NAT 2018-03")
    ]
    # Another planner sees it, may not delete it; a donor may not write.
    ben, ben_headers = client_for(app, "planner", "ben")
    refused = _post_note(ben, ben_headers, delete=note.id)
    assert _message(refused) == "Only its author or an admin may delete a note."
    dora, dora_headers = client_for(app, "donor", "dora")
    assert _message(_post_note(dora, dora_headers)) == "Your role may not write notes."
    assert len(notes.list_annotations(settings, "AC06", None)) == 1
    # Its author deletes it.
    deleted = _post_note(ana, ana_headers, delete=note.id)
    assert _message(deleted) == "Note deleted."
    assert notes.list_annotations(settings, "AC06", None) == []
    gone = users.read_events(settings, event="annotation_deleted")
    assert [(e.username, e.detail) for e in gone] == [
        ("ana", f"note {note.id} on AC06 NAT 2018-03")
    ]
    denied = [e.detail for e in users.read_events(settings, event="access_denied")]
    assert f"delete note {note.id}" in denied and "notes" in denied


def test_redrawing_replaces_only_the_note_marks(settings: Settings) -> None:
    import plotly.graph_objects as go

    from dashboards import trend_notes

    _add(settings, "2018-03", "first")
    _add(settings, "2018-03", "second", author="ben")
    _add(settings, "2016", "a year")
    shown = notes.for_view(
        settings, PLANNER, indicator_code="AC06", geo_code=None, geo_level="national",
        period_type="month",
    )  # fmt: skip
    fig = go.Figure(go.Scatter(x=["2018-01-31", "2018-02-28"], y=[1, 2]))
    fig.add_shape(type="line", x0=0, x1=1, y0=1, y1=1, name="target")
    fig.add_annotation(text="Target", x=0, y=1, name="target")
    trend_notes.draw_notes(fig, shown)
    trend_notes.draw_notes(fig, shown)  # twice: still one mark per period
    assert [s.name for s in fig.layout.shapes] == ["target", "cp-note-2016", "cp-note-2018-03"]
    assert [a.text for a in fig.layout.annotations] == ["Target", "✎ 1", "✎ 2, 3"]
    # The year 2016 on a monthly trend: in its middle; both March notes in one hover, numbered.
    assert str(pd.Timestamp(fig.layout.shapes[1].x0).date()) == "2016-07-01"
    assert fig.layout.annotations[2].hovertext == (
        "2. Mar 2018: first — ana, 2 Mar 2026<br>3. Mar 2018: second — ben, 2 Mar 2026"
    )
    trend_notes.draw_notes(fig, [])
    assert [s.name for s in fig.layout.shapes] == ["target"]


def test_a_trend_cut_to_a_range_keeps_the_notes_on_it(settings: Settings) -> None:
    import plotly.graph_objects as go

    from dashboards import trend_notes

    for period in ("2016-12", "2017-01", "2018-12", "2016"):
        _add(settings, period, f"on {period}")
    shown = notes.for_view(
        settings, PLANNER, indicator_code="AC06", geo_code=None, geo_level="national",
        period_type="month",
    )  # fmt: skip
    # Months 2017-01 to 2018-12 drawn at their ends: Jan 2017 (31 Jan) and Dec 2018 (31 Dec) are
    # in; Dec 2016 and the year 2016 (1 Jul 2016) are before the first point.
    cut = go.Figure(go.Scatter(x=pd.to_datetime(["2017-01-31", "2018-12-31"]), y=[1, 2]))
    kept = trend_notes.in_span(shown, cut)
    assert [s.annotation.text for s in kept] == ["on 2017-01", "on 2018-12"]
    assert trend_notes.in_span(shown, go.Figure()) == []  # an empty chart: none
