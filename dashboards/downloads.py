"""Downloads: the report and the data behind every chart and table.

- **Report** (``/download/report/<period>.<pdf|html>``): the same report as ``cpmonitor report``
  writes, for the signed-in role, built from the served warehouse at the moment of the request.
- **Data** (``/download/data/<dataset>.<csv|xlsx>?<the view's parameters>``): the rows of one chart
  or table, read through the SAME ``dashboards.queries`` function the page uses, with the signed-in
  role, so a protected role gets exactly what its page shows (a hidden value is a blank cell with
  the reason beside it, never the small count; only the periods and levels the role sees). The
  datasets are a fixed registry (``DATASETS``); their parameters are checked against the published
  warehouse (an unknown dataset is a 404, an unknown parameter or value a 400) and only ever travel
  to the queries as parameters. Excel files carry a header block (what, where, when, the role's
  view, the warehouse version, the download time) and a frozen heading row; CSV files are UTF-8
  with the same columns. File names carry the dataset, the role's view and the warehouse version.

Only roles holding ``downloads`` (and allowed to open the dataset's page) get either (403
otherwise); every download, and every refusal, goes to the audit log. ``download_links`` renders
the "CSV" and "Excel" links beside a chart or table, for those roles only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import dash
import flask
import numpy as np
import pandas as pd
from dash import Input, Output, html

from cpmonitor.core.access import Role
from cpmonitor.core.published import NATIONAL, open_published, warehouse_stamp
from cpmonitor.report import FORMATS, write_report
from cpmonitor.report.content import ReportError
from dashboards import queries
from dashboards.context import ROLE_KEY, current_policy, current_role, current_settings, hide_below
from dashboards.i18n import N_, _
from dashboards.security import audit
from dashboards.words import hidden_words

REPORT_PATH = "/download/report/<period>.<fmt>"
PERIOD = re.compile(r"^\d{4}(-Q[1-4])?$")
MIME = {"pdf": "application/pdf", "html": "text/html; charset=utf-8"}


def report_href(period: str, fmt: str) -> str:
    return f"/download/report/{period}.{fmt}"


def report_download(period: str, fmt: str) -> flask.Response:
    role = current_role()
    detail = f"report {period}.{fmt}"
    if not role.may("downloads"):
        audit("access_denied", detail)
        flask.abort(403)
    if fmt not in FORMATS or not PERIOD.match(period):
        flask.abort(404)
    warehouse = current_settings().warehouse_file
    if not warehouse.is_file():
        return flask.Response(_("No warehouse has been published yet."), 503, mimetype="text/plain")
    with tempfile.TemporaryDirectory(prefix="cpmonitor-report-") as folder:
        target = Path(folder) / f"report.{fmt}"
        with open_published(warehouse) as con:
            version = warehouse_stamp(con).version
            try:
                write_report(
                    con,
                    role,
                    period=period,
                    fmt=fmt,
                    output=target,
                    threshold=current_policy().threshold,
                )
            except ReportError as exc:
                return flask.Response(str(exc), 400, mimetype="text/plain")
        payload = target.read_bytes()
    audit("download", f"{detail} from warehouse version {version}")
    response = flask.Response(payload, 200, mimetype=MIME[fmt])
    name = f"report-{role.name}-{period}-{version}.{fmt}"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- data downloads ------------------------------------------------------------------------------

DATA_PATH = "/download/data/<dataset>.<fmt>"
DATA_FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FORMAT_WORDS = {"csv": "CSV", "xlsx": "Excel"}
PERIOD_TYPES = ("month", "quarter", "year")
PERIOD_WORDS = {"month": "by month", "quarter": "by quarter", "year": "by year"}
NOT_SHOWN_COLUMN = "not_shown_reason"
EXACT_VIEW, PROTECTED_VIEW = "exact", "protected"

# The value columns of an indicator download, in order (a hidden value leaves these blank).
_HIDDEN_WHEN_SUPPRESSED = ("numerator", "value", "ci_lower", "ci_upper", "progress")
_VALUE_COLUMNS = (
    "value",
    "numerator",
    "denominator",
    "ci_lower",
    "ci_upper",
    "target_value",
    "progress",
    "status",
    NOT_SHOWN_COLUMN,
    "coverage_pct",
    "is_partial",
    "is_restated",
    "coverage_note",
)
_PERIOD_COLUMNS = ("period_type", "period_id", "period_label")


class BadParameterError(ValueError):
    """A parameter the dataset does not take, or a value the warehouse does not have (400)."""


@dataclass(frozen=True)
class Table:
    """The rows of one download and what they are (the header block of the Excel file)."""

    frame: pd.DataFrame
    columns: tuple[str, ...]
    about: dict[str, str]  # e.g. {"Indicator": "AC04 · ...", "Place": ..., "Period": ...}
    name_parts: tuple[str, ...] = ()  # for the file name, e.g. ("AC04", "NAT", "month")


@dataclass(frozen=True)
class Dataset:
    """One downloadable chart or table: the page it is on (``role.may_open``), the parameters it
    takes (``{name: default}``; None = required) and how it is read (``build``)."""

    name: str
    title: str  # "indicator trend": "Download <title> as CSV"
    page: str
    params: Mapping[str, str | None]
    build: Callable[[Path, Role, dict[str, str]], Table]


# --- parameter checks: every value is checked against the warehouse, never put into SQL ---------


def _indicator(warehouse: Path, code: str, allowed: tuple[str, ...] = ()) -> dict[str, Any]:
    if allowed and code not in allowed:
        raise BadParameterError(f"code must be one of {', '.join(allowed)}")
    ind = queries.indicator(warehouse, code)
    if not ind:
        raise BadParameterError(f"there is no indicator {code!r}")
    return ind


def _place(warehouse: Path, geo: str, role: Role, levels: tuple[str, ...] = ()) -> str:
    """The name of ``geo``: the nation, or a province or district of a level ``role`` sees (and,
    when given, one of ``levels``)."""
    if geo == NATIONAL:
        return queries.country_name(warehouse) or "National"
    places = queries.visible_places(warehouse, role=role)
    if levels:
        places = places[places["geo_level"].isin(levels)]
    names = dict(zip(places["geo_code"], places["geo_name"], strict=True))
    if geo not in names:
        raise BadParameterError(f"there is no place {geo!r} for this role")
    return str(names[geo])


def _period_type(warehouse: Path, code: str, period: str | None, role: Role) -> str:
    """The period type the page would show: ``period`` if the indicator has it for the role,
    otherwise the coarsest it has (the pages' default: whole years first)."""
    if period is not None and period not in PERIOD_TYPES:
        raise BadParameterError(f"period must be one of {', '.join(PERIOD_TYPES)}")
    available = queries.period_types(warehouse, code, role=role)
    if period is not None and role.period_or_nearest(period) in available:
        return role.period_or_nearest(period)
    for kind in ("year", "quarter", "month"):
        if kind in available:
            return kind
    return role.period_or_nearest(period or "year")


def _ind_words(ind: dict[str, Any]) -> str:
    return f"{ind['indicator_code']} · {ind.get('indicator_name') or ''}".strip(" ·")


# --- what a protected role's cells read ---------------------------------------------------------


def _protected_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Hidden values as blank cells with the reason in ``not_shown_reason`` (for every role the
    column is there; empty when nothing is hidden)."""
    frame = frame.copy()
    hidden = (
        frame["suppressed"].fillna(False).astype(bool)
        if "suppressed" in frame
        else pd.Series(False, index=frame.index)
    )
    reasons = frame.get("suppression_reason", pd.Series(None, index=frame.index))
    frame[NOT_SHOWN_COLUMN] = [
        hidden_words(reason) if hide else "" for hide, reason in zip(hidden, reasons, strict=True)
    ]
    for column in _HIDDEN_WHEN_SUPPRESSED:
        if column in frame:
            frame[column] = frame[column].astype("object").where(~hidden, None)
    return frame


def _with(frame: pd.DataFrame, **constants: Any) -> pd.DataFrame:
    return frame.assign(**constants) if len(frame) else frame.reindex(columns=[*frame, *constants])


# --- the datasets --------------------------------------------------------------------------------


def _indicator_trend(warehouse: Path, role: Role, params: dict[str, str]) -> Table:
    ind = _indicator(warehouse, params["code"])
    place = _place(warehouse, params["geo"], role, INDICATOR_PLACES)
    period_type = _period_type(warehouse, ind["indicator_code"], params.get("period"), role)
    frame = queries.indicator_series(
        warehouse, ind["indicator_code"], params["geo"], period_type, role=role
    )
    frame = _between(frame, params.get("start"), params.get("end"))
    table = _trend_table(ind, params["geo"], place, period_type, frame)
    if (params.get("start") or params.get("end")) and len(frame):
        first, last = frame["period_label"].iloc[0], frame["period_label"].iloc[-1]
        table.about["Period"] += f", {first} to {last}"
    return table


def _between(frame: pd.DataFrame, start: str | None, end: str | None) -> pd.DataFrame:
    """The rows from the period ``start`` to the period ``end`` (each a ``period_id`` of the
    series: the page's range), all of them when neither is given."""
    ids = list(frame["period_id"])
    for name, value in (("start", start), ("end", end)):
        if value and value not in ids:
            raise BadParameterError(f"{name} is not a period of this series")
    first = ids.index(start) if start else 0
    last = ids.index(end) if end else len(ids) - 1
    return frame.iloc[first : last + 1].reset_index(drop=True)


_PERIOD_ID = re.compile(r"^\d{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$")


def _period_at(
    warehouse: Path, ind: dict[str, Any], period_type: str, role: Role, at: str | None
) -> tuple[str, str]:
    """``(period_id, label)`` of the period the page's views show: ``at`` (the last period of the
    page's range; one of the indicator's national periods of ``period_type`` the role sees) or,
    without it, the latest."""
    if not at:
        return _latest(warehouse, ind, period_type, role)
    kind = "year" if len(at) == 4 else "quarter" if "-Q" in at else "month"
    if not _PERIOD_ID.match(at) or kind != period_type:
        raise BadParameterError(f"at must be a {period_type} (e.g. 2018, 2018-Q4, 2018-12)")
    series = queries.indicator_series(
        warehouse, ind["indicator_code"], NATIONAL, period_type, role=role
    )
    found = series[series["period_id"] == at]
    if found.empty:
        raise BadParameterError(f"{at} is not a period of this indicator")
    return at, str(found["period_label"].iloc[0])


def _trend_table(
    ind: dict[str, Any], geo: str, place: str, period_type: str, frame: pd.DataFrame
) -> Table:
    frame = _with(
        _protected_rows(frame),
        indicator_code=ind["indicator_code"],
        geo_code=geo,
        geo_name=place,
        period_type=period_type,
    )
    columns = (
        "indicator_code",
        "geo_code",
        "geo_name",
        *_PERIOD_COLUMNS,
        "period_start",
        "period_end",
        *_VALUE_COLUMNS,
    )
    return Table(
        frame,
        columns,
        {"Indicator": _ind_words(ind), "Place": place, "Period": PERIOD_WORDS[period_type]},
        (ind["indicator_code"], geo, period_type),
    )


def _care_trend(warehouse: Path, role: Role, params: dict[str, str]) -> Table:
    """The care page's trends: every month the role sees (its finest period otherwise)."""
    ind = _indicator(warehouse, params["code"], allowed=CARE_TRENDS)
    place = _place(warehouse, params["geo"], role)
    period_type = role.period_or_nearest("month")
    frame = queries.indicator_series(
        warehouse, ind["indicator_code"], params["geo"], "month", role=role
    )
    return _trend_table(ind, params["geo"], place, period_type, frame)


def map_parent(warehouse: Path, geo: str, role: Role) -> str:
    """The place whose areas the care page's map draws for the chosen ``geo`` (as
    ``dashboards.pages.care.map_view``): a province's districts at that province or one of its
    districts, for a role that sees districts; the provinces otherwise."""
    _place(warehouse, geo, role)  # one the role sees
    if geo == NATIONAL or not role.sees_level("district"):
        return NATIONAL
    places = queries.visible_places(warehouse, role=role)
    found = places[places["geo_code"] == geo].iloc[0]
    return geo if found["geo_level"] == "province" else str(found["parent_code"])


def _care_map(warehouse: Path, role: Role, params: dict[str, str]) -> Table:
    """The care page's map for the place chosen (``geo``): the areas under ``map_parent`` (the
    provinces of the nation, a province's districts for a role that sees them) for the latest
    year (the finest period the role sees)."""
    ind = _indicator(warehouse, params["code"], allowed=CARE_MAPS)
    parent = map_parent(warehouse, params["geo"], role)
    place = _place(warehouse, parent, role)
    period_type = role.period_or_nearest("year")
    frame = queries.area_values_latest(
        warehouse, ind["indicator_code"], parent, period_type, role=role
    )
    period = str(frame["period_label"].iloc[0]) if len(frame) else ""
    frame = _with(
        _protected_rows(frame),
        indicator_code=ind["indicator_code"],
        parent_name=place,
        period_type=period_type,
    )
    word = "Provinces of" if parent == NATIONAL else "Districts of"
    return Table(
        frame,
        (
            "indicator_code",
            "parent_code",
            "parent_name",
            "geo_code",
            "geo_name",
            "geo_level",
            *_PERIOD_COLUMNS,
            *_VALUE_COLUMNS,
        ),
        {"Indicator": _ind_words(ind), "Place": f"{word} {place}", "Period": period or "—"},
        (ind["indicator_code"], parent, period_type),
    )


def _indicator_provinces(warehouse: Path, role: Role, params: dict[str, str]) -> Table:
    ind = _indicator(warehouse, params["code"])
    period_type = _period_type(warehouse, ind["indicator_code"], params.get("period"), role)
    if params.get("at"):  # a period of the page's range: the provinces are the nation's areas
        period_id, period = _period_at(warehouse, ind, period_type, role, params["at"])
        frame = queries.area_values(
            warehouse, ind["indicator_code"], NATIONAL, period_id, role=role
        )
        frame = frame.assign(period_id=period_id, period_label=period)
    else:
        frame = queries.province_values_latest(
            warehouse, ind["indicator_code"], period_type, role=role
        )
        period = str(frame["period_label"].iloc[0]) if len(frame) else ""
    frame = _with(
        _protected_rows(frame), indicator_code=ind["indicator_code"], period_type=period_type
    )
    return Table(
        frame,
        ("indicator_code", "geo_code", "geo_name", *_PERIOD_COLUMNS, *_VALUE_COLUMNS),
        {"Indicator": _ind_words(ind), "Place": "Provinces", "Period": period or "—"},
        (ind["indicator_code"], "provinces", period_type),
    )


def _latest(warehouse: Path, ind: dict[str, Any], period_type: str, role: Role) -> tuple[str, str]:
    latest = queries.latest_period(warehouse, ind["indicator_code"], period_type, role=role)
    return (str(latest["period_id"]), str(latest["period_label"])) if latest else ("", "")


def _indicator_groups(warehouse: Path, role: Role, params: dict[str, str]) -> Table:
    ind = _indicator(warehouse, params["code"])
    place = _place(warehouse, params["geo"], role, INDICATOR_PLACES)
    period_type = _period_type(warehouse, ind["indicator_code"], params.get("period"), role)
    period_id, period_label = _period_at(warehouse, ind, period_type, role, params.get("at"))
    frame = queries.breakdown(warehouse, ind["indicator_code"], params["geo"], period_id, role=role)
    frame = _with(
        _protected_rows(frame),
        indicator_code=ind["indicator_code"],
        geo_code=params["geo"],
        geo_name=place,
        period_type=period_type,
        period_id=period_id,
        period_label=period_label,
    )
    return Table(
        frame,
        (
            "indicator_code",
            "geo_code",
            "geo_name",
            *_PERIOD_COLUMNS,
            "disaggregation",
            "disaggregation_value",
            *_VALUE_COLUMNS,
        ),
        {"Indicator": _ind_words(ind), "Place": place, "Period": period_label or "—"},
        (ind["indicator_code"], params["geo"], period_id or period_type),
    )


def _indicator_areas(warehouse: Path, role: Role, params: dict[str, str]) -> Table:
    """The areas under the place: provinces of the nation, districts of a province (only the
    levels the role sees: none for a role without districts)."""
    ind = _indicator(warehouse, params["code"])
    place = _place(warehouse, params["geo"], role, INDICATOR_PLACES)
    period_type = _period_type(warehouse, ind["indicator_code"], params.get("period"), role)
    period_id, period_label = _period_at(warehouse, ind, period_type, role, params.get("at"))
    frame = queries.area_values(
        warehouse, ind["indicator_code"], params["geo"], period_id, role=role
    )
    frame = _with(
        _protected_rows(frame),
        indicator_code=ind["indicator_code"],
        parent_code=params["geo"],
        parent_name=place,
        period_type=period_type,
        period_id=period_id,
        period_label=period_label,
    )
    word = "Provinces of" if params["geo"] == NATIONAL else "Districts of"
    return Table(
        frame,
        (
            "indicator_code",
            "parent_code",
            "parent_name",
            "geo_code",
            "geo_name",
            "geo_level",
            *_PERIOD_COLUMNS,
            *_VALUE_COLUMNS,
        ),
        {"Indicator": _ind_words(ind), "Place": f"{word} {place}", "Period": period_label or "—"},
        (ind["indicator_code"], params["geo"], period_id or period_type),
    )


_SCORECARD_COLUMNS = (
    "sector_code",
    "sector_name",
    "indicator_code",
    "indicator_name",
    "unit",
    *_PERIOD_COLUMNS,
    "period_end",
    "value",
    "numerator",
    "denominator",
    "ci_lower",
    "ci_upper",
    NOT_SHOWN_COLUMN,
    "previous_label",
    "previous_value",
    "previous_not_shown",
    "target_value",
    "target_year",
    "status",
    "progress",
    "coverage_pct",
    "is_partial",
    "is_restated",
    "coverage_note",
)


def _scorecard(warehouse: Path, role: Role, params: dict[str, str]) -> Table:
    frame = queries.scorecard(warehouse, role=role)
    sector = params.get("sector") or "all"
    if sector != "all":
        if sector not in set(frame["sector_code"]):
            raise BadParameterError(f"there is no sector {sector!r}")
        frame = frame[frame["sector_code"] == sector]
    frame = _protected_rows(frame)  # target_value: the catalogue's national target
    previous_hidden = frame["previous_suppressed"].fillna(False).astype(bool)
    frame["previous_value"] = frame["previous_value"].astype("object").where(~previous_hidden, None)
    frame["previous_not_shown"] = ["Not shown" if h else "" for h in previous_hidden]
    name = "All sectors" if sector == "all" else str(frame["sector_name"].iloc[0])
    return Table(
        frame,
        _SCORECARD_COLUMNS,
        {"Indicators": name, "Place": queries.country_name(warehouse) or "National",
         "Period": "Latest whole year (or coarsest period) of each indicator"},
        (sector,),
    )  # fmt: skip


def _quality(
    read: Callable[[Path, Role], pd.DataFrame], columns: tuple[str, ...], what: str
) -> Callable[[Path, Role, dict[str, str]], Table]:
    def build(warehouse: Path, role: Role, _params: dict[str, str]) -> Table:
        return Table(read(warehouse, role), columns, {"Table": what})

    return build


DATASETS: dict[str, Dataset] = {
    dataset.name: dataset
    for dataset in (
        Dataset(
            "indicator-trend",
            N_("the trend"),
            "indicator",
            {"code": None, "geo": NATIONAL, "period": "", "start": "", "end": ""},
            _indicator_trend,
        ),
        Dataset(
            "indicator-provinces",
            N_("the values by province"),
            "indicator",
            {"code": None, "period": "", "at": ""},
            _indicator_provinces,
        ),
        Dataset(
            "indicator-groups",
            N_("the values by group"),
            "indicator",
            {"code": None, "geo": NATIONAL, "period": "", "at": ""},
            _indicator_groups,
        ),
        Dataset(
            "indicator-areas",
            N_("the values by area"),
            "indicator",
            {"code": None, "geo": NATIONAL, "period": "", "at": ""},
            _indicator_areas,
        ),
        Dataset(
            "care-trend", N_("the trend"), "care", {"code": None, "geo": NATIONAL}, _care_trend
        ),
        Dataset(
            "care-map",
            N_("the map's values"),
            "care",
            {"code": None, "geo": NATIONAL},
            _care_map,
        ),
        Dataset("scorecard", N_("the scorecard"), "scorecard", {"sector": "all"}, _scorecard),
        Dataset(
            "quality-completeness",
            N_("the reporting completeness"),
            "data_quality",
            {},
            _quality(
                lambda w, _role: queries.reporting_completeness(w),
                ("entity", "entity_name", "feed", "feed_title", "frequency", "expected",
                 "received", "on_time", "late", "refused", "missing", "completeness_pct",
                 "timeliness_pct", "missing_periods"),
                "Reporting completeness",
            ),
        ),
        Dataset(
            "quality-reports",
            N_("the expected reports"),
            "data_quality",
            {},
            _quality(
                lambda w, _role: queries.expected_reports(w),
                ("entity", "entity_name", "feed", "feed_title", "unit_code", "feed_period",
                 "feed_period_end", "status", "is_received"),
                "Every report expected (the reporting-rate heat map)",
            ),
        ),
        Dataset(
            "quality-feeds",
            N_("the deliveries"),
            "data_quality",
            {},
            _quality(
                lambda w, _role: queries.feed_summary(w),
                ("entity", "entity_name", "feed", "feed_title", "frequency", "files_loaded",
                 "files_quarantined", "latest_period", "rows_loaded", "last_received"),
                "Deliveries by reporting entity and feed",
            ),
        ),
        Dataset(
            "quality-refused",
            N_("the refused files"),
            "data_quality",
            {},
            _quality(
                lambda w, role: queries.refused_files(w, hide_below=hide_below(role)),
                ("received_at", "entity", "entity_name", "feed", "feed_title", "period",
                 "source_file", "rows", "reason"),
                "Refused files",
            ),
        ),
        Dataset(
            "quality-rejected",
            N_("the rows set aside"),
            "data_quality",
            {},
            _quality(
                lambda w, role: queries.rejected_rows(w, hide_below=hide_below(role)),
                ("received_at", "entity", "entity_name", "feed", "feed_title", "period",
                 "source_file", "rows", "rows_rejected", "reason"),
                "Rows set aside within loaded files",
            ),
        ),
        Dataset(
            "quality-checks",
            N_("the checks that failed or warned"),
            "data_quality",
            {},
            _quality(
                lambda w, role: queries.check_problems(w, hide_below=hide_below(role)),
                ("checked_at", "severity", "suite", "target", "expectation", "column_name",
                 "unexpected_count", "details"),
                "Checks that failed or warned",
            ),
        ),
    )
}  # fmt: skip
CARE_TRENDS = ("AC04", "AC05", "AC07")
"""The indicators the care page draws as monthly trends (``care-trend``)."""
INDICATOR_PLACES = ("province",)
"""The places the indicator page offers besides the nation (its views of a district are the
care page's)."""
CARE_MAPS = ("AC03",)
"""The indicator of the care page's map (``care-map``)."""


def dataset_params(dataset: Dataset, query: Mapping[str, str]) -> dict[str, str]:
    """The query string checked against the dataset's parameters (400 for an unknown name or a
    missing required one), with the defaults filled in; blank values count as not given."""
    unknown = sorted(set(query) - set(dataset.params))
    if unknown:
        raise BadParameterError(f"{dataset.name} takes no parameter {', '.join(unknown)}")
    params: dict[str, str] = {}
    for name, default in dataset.params.items():
        value = query.get(name) or default
        if value is None:
            raise BadParameterError(f"{dataset.name} needs the parameter {name}")
        if value:
            if len(value) > 40 or not re.fullmatch(r"[A-Za-z0-9_\-]+", value):
                raise BadParameterError(f"{name} is not a valid value")
            params[name] = value
    return params


def _query_words(params: Mapping[str, str]) -> str:
    return urlencode(sorted(params.items()))


def _cell(value: Any) -> Any:
    """A cell as written to the file: blanks for missing values, dates as ISO text, booleans as
    yes/no, whole numbers without ``.0``, and text that a spreadsheet would run as a formula
    quoted (``'=...``)."""
    if value is None or (not isinstance(value, str | list | tuple) and pd.isna(value)):
        return None
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, pd.Timestamp | dt.datetime):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_convert("UTC").tz_localize(None)
        return stamp.date().isoformat() if stamp == stamp.normalize() else stamp.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        value = value.item()
    if isinstance(value, float) and value.is_integer():
        return int(value)  # 2142, not 2142.0
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _rows(table: Table) -> list[list[Any]]:
    frame = table.frame.reindex(columns=list(table.columns))
    return [[_cell(value) for value in row] for row in frame.itertuples(index=False, name=None)]


def to_csv(table: Table) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(table.columns)
    writer.writerows(["" if v is None else v for v in row] for row in _rows(table))
    return out.getvalue().encode("utf-8")


def to_xlsx(table: Table, header: list[tuple[str, str]], sheet: str) -> bytes:
    """The workbook: the header block (``header``), a blank row, the heading row (frozen) and the
    rows; text cells are always text (never a formula)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    ws = book.active
    ws.title = sheet[:31]
    bold = Font(bold=True)
    for label, value in header:
        ws.append([label, value])
        ws.cell(row=ws.max_row, column=1).font = bold
    ws.append([])
    ws.append(list(table.columns))
    heading = ws.max_row
    for cell in ws[heading]:
        cell.font = bold
    for row in _rows(table):
        ws.append(row)
    for line in ws.iter_rows(min_row=1):
        for cell in line:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    ws.freeze_panes = ws.cell(row=heading + 1, column=1)
    for index, column in enumerate(table.columns, start=1):
        width = max([len(column), *(len(str(r[index - 1] or "")) for r in _rows(table)[:200])])
        ws.column_dimensions[ws.cell(row=heading, column=index).column_letter].width = min(
            max(width + 2, 10), 60
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _file_part(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_\-]+", "-", text).strip("-") or "none"


def data_download(dataset: str, fmt: str) -> flask.Response:
    """``/download/data/<dataset>.<csv|xlsx>?...``: one chart's or table's rows for the signed-in
    role (see the module docstring)."""
    role = current_role()
    query = dict(parse_qsl(flask.request.query_string.decode("utf-8", "replace")))
    detail = (f"data {dataset}.{fmt}" + (f" {_query_words(query)}" if query else ""))[:400]
    found = DATASETS.get(dataset)
    if not role.may("downloads") or (found is not None and not role.may_open(found.page)):
        audit("access_denied", detail)
        flask.abort(403)
    if found is None or fmt not in DATA_FORMATS:
        flask.abort(404)
    try:
        params = dataset_params(found, query)
    except BadParameterError as exc:
        return flask.Response(str(exc), 400, mimetype="text/plain")
    warehouse = current_settings().warehouse_file
    if not queries.warehouse_exists(warehouse):
        return flask.Response(_("No warehouse has been published yet."), 503, mimetype="text/plain")
    with open_published(warehouse) as con:
        version = warehouse_stamp(con).version or "unversioned"
    try:
        table = found.build(warehouse, role, params)
    except BadParameterError as exc:
        return flask.Response(str(exc), 400, mimetype="text/plain")
    view = EXACT_VIEW if role.exact else PROTECTED_VIEW
    now = dt.datetime.now(dt.UTC)
    if fmt == "csv":
        payload = to_csv(table)
    else:
        view_words = (
            "exact): exact values, small counts included"
            if role.exact
            else f"protected): values resting on fewer than {current_policy().threshold} "
            "children or events, and values that would give them away, are blank, with the "
            f"reason in {NOT_SHOWN_COLUMN}"
        )
        header = [
            ("Data", found.title.removeprefix("the ").capitalize()),
            *table.about.items(),
            ("View", f"{role.label} ({view_words}"),
            ("Warehouse version", version),
            ("Downloaded", now.strftime("%Y-%m-%d %H:%M UTC")),
            ("Address", f"{flask.request.path}?{_query_words(params)}".rstrip("?")),
        ]
        payload = to_xlsx(table, header, found.name)
    audit("download", f"{detail} ({view}) from warehouse version {version}")
    name = "_".join(
        [found.name, *(_file_part(p) for p in table.name_parts), view, _file_part(version)]
    )
    response = flask.Response(payload, 200, mimetype=DATA_FORMATS[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{name}.{fmt}"'
    return response


# --- the links -----------------------------------------------------------------------------------


def data_href(dataset: str, fmt: str, **params: Any) -> str:
    """``/download/data/<dataset>.<fmt>?<params>`` (blank parameters left out)."""
    given = {k: str(v) for k, v in params.items() if v is not None and str(v) != ""}
    query = urlencode(given)
    return f"/download/data/{dataset}.{fmt}" + (f"?{query}" if query else "")


def _request_role() -> Role | None:
    if not flask.has_request_context():
        return None
    role = flask.g.get(ROLE_KEY)
    return role if isinstance(role, Role) else None


def download_links(
    dataset: str,
    *,
    role: Role | None = None,
    what: str | None = None,
    label: str | None = None,
    **params: Any,
) -> html.Div | None:
    """The "CSV" and "Excel" links to the data of one chart or table (``params``: the view's),
    for a role that may download it (the request's role unless ``role`` is given); None
    otherwise, so nothing is shown. ``what`` names the data in the links' accessible names
    ("Download <what> as CSV"; the dataset's title by default), ``label`` is the words before
    them."""
    found = DATASETS[dataset]
    role = role or _request_role()
    if role is None or not role.may("downloads") or not role.may_open(found.page):
        return None
    what = what or _(found.title)
    return html.Div(
        [
            html.Span(label or _("Download:"), className="cp-download-label"),
            *(
                html.A(
                    FORMAT_WORDS[fmt],
                    href=data_href(dataset, fmt, **params),
                    download="",
                    className="cp-download-link",
                    **{
                        "aria-label": _("Download {what} as {format}").format(
                            what=what, format=FORMAT_WORDS[fmt]
                        )
                    },
                )
                for fmt in DATA_FORMATS
            ),
        ],
        className="cp-downloads",
    )


def register_downloads(app: dash.Dash) -> None:
    app.server.add_url_rule(REPORT_PATH, "cp_report_download", report_download, methods=["GET"])
    app.server.add_url_rule(DATA_PATH, "cp_data_download", data_download, methods=["GET"])
    for picker, (_param, slots) in FOLLOWING.items():
        app.callback(
            *(Output(_slot_id(dataset, code), "children") for dataset, code in slots),
            Input(picker, "value"),
            prevent_initial_call=True,
        )(follow_picker(picker))


# --- links whose place follows a picker ---------------------------------------------------------

FOLLOWING: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "care-province": (
        "geo",
        (
            ("care-trend", "AC04"),
            ("care-trend", "AC05"),
            ("care-trend", "AC07"),
            ("care-map", "AC03"),
        ),
    ),
}
"""Pickers whose value changes the place without drawing the page again (the care page's): the
download parameter their value sets, and the links (dataset, indicator) that follow it."""


def _slot_id(dataset: str, code: str) -> str:
    return f"cp-downloads-{dataset}-{code}"


def following_links(picker: str, dataset: str, *, role: Role | None = None, **params: Any) -> Any:
    """``download_links`` of one of ``FOLLOWING[picker]``'s links, whose place follows the picker
    ``picker`` (filled in again by the callback ``register_downloads`` adds whenever it changes);
    ``params`` hold the indicator ``code`` and the picker's first value."""
    _param, slots = FOLLOWING[picker]
    if (dataset, params.get("code")) not in slots:
        raise KeyError(f"{dataset} {params.get('code')} does not follow {picker}")
    return html.Div(
        download_links(dataset, role=role, **params),
        id=_slot_id(dataset, str(params["code"])),
        className="cp-downloads-slot",
    )


def follow_picker(picker: str) -> Callable[[Any], tuple[Any, ...]]:
    """The callback filling ``FOLLOWING[picker]``'s links: their parameter set to the picker's
    value when it is a place the request's role sees (no links otherwise; the download checks it
    again anyway)."""
    param, slots = FOLLOWING[picker]

    def follow(value: Any) -> tuple[Any, ...]:
        role = _request_role()
        place = str(value or NATIONAL)
        seen = role is not None and (
            place == NATIONAL
            or place
            in set(queries.visible_places(current_settings().warehouse_file, role=role)["geo_code"])
        )
        return tuple(
            download_links(dataset, code=code, **{param: place}) if seen else None
            for dataset, code in slots
        )

    return follow
