"""A dashboard view as a link: every picker of a page lives in its URL's query string.

A view can be shared, bookmarked and opened by another user of the same role, and the browser's
back and forward buttons move between views. The query is the page's whole state; reading it never
fails: an unknown or forbidden value falls back to the nearest allowed one.

The indicator page (``/indicator``)::

    /indicator?code=AC06&geo=01&period=month&range=last12m
    /indicator?code=AC06&geo=NAT&period=year&from=2016&to=2018

- ``code``: an indicator of the catalogue; otherwise the page's default (AC06), else the first.
- ``geo``: a place the page offers and the role sees (the nation or a province). A district, or a
  place of a level the role does not see, falls back to its province, then to the nation
  (``NAT``); an unknown code to the nation.
- ``period``: the period type (``year``, ``quarter``, ``month``) among those the indicator has and
  the role sees (``role.periods``). Missing: whole years first. Not available: the nearest one
  (month -> quarter -> year, a coarser one on a tie), so a donor opening a planner's
  ``period=month`` link gets years.
- ``range``: which periods the trend and the tables show, counted back from the latest published
  period of that type in the warehouse (never from today's clock, so a link keeps its meaning):
  ``last12m`` (the 12 months ending with it), ``thisyear`` (from January of its year),
  ``last3y`` and ``last5y`` (36 and 60 months), ``all`` (the default, left out of the link).
  A period is shown when it lies wholly within the window: with the fixture's months 2015-01 to
  2018-12, ``last12m`` by month is 2018-01 to 2018-12, by quarter 2018-Q1 to 2018-Q4, by year 2018.
  An unknown range reads as ``all``.
- ``from`` / ``to``: an explicit range instead (``range`` is then ignored), each a period id:
  ``2016``, ``2016-Q2`` or ``2016-03``. A bound of another period type snaps to the period of the
  chosen type that holds it (``from=2016-03`` by year is 2016, by quarter 2016-Q1), then to the
  indicator's own periods (the first on or after ``from``, the last on or before ``to``); bounds
  given the wrong way round are swapped; an unreadable bound is left out (open-ended).

The care reform page (``/``): ``/?geo=01`` (the older ``/?province=01`` still read; the nation
when left out), the same place rule over the places its picker offers the role (a planner's
districts too: ``/?geo=0101``; for a donor that link is Northlake, 01).

Links are written in this order and form (``indicator_query``, ``care_query``), so one view has one
link. The pages write the link when a picker changes (a new browser-history entry, no reload) and
follow it when it changes under them (back, forward, a link to the same page): both directions
are one callback per page, with its own ``dcc.Location``, and the router leaves a page whose
``Route.follows_query`` is set alone when only the query changed.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from urllib.parse import parse_qsl, urlencode

import pandas as pd

from cpmonitor.core.access import Role
from dashboards import queries
from dashboards.i18n import N_

NATIONAL = queries.NATIONAL
PERIOD_RANK = {"month": 0, "quarter": 1, "year": 2}
ALL = "all"
CUSTOM = "custom"
RANGE_LABELS = {
    ALL: N_("All"),
    "last12m": N_("Last 12 months"),
    "thisyear": N_("This year"),
    "last3y": N_("Last 3 years"),
    "last5y": N_("Last 5 years"),
    CUSTOM: N_("From … to …"),
}
"""The range picker's choices (marked for translation: shown as ``_(label)``)."""
RANGE_MONTHS = {"last12m": 12, "last3y": 36, "last5y": 60}
PAGE_LEVELS = ("national", "province")  # the places the pages' pickers offer

_YEAR = re.compile(r"(\d{4})")
_QUARTER = re.compile(r"(\d{4})-Q([1-4])")
_MONTH = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")
_FIRST_YEAR, _LAST_YEAR = 1900, 2199

Window = tuple[dt.date | None, dt.date | None]


# --- periods ------------------------------------------------------------------------------------


def _month_end(year: int, month: int) -> dt.date:
    following = dt.date(year + month // 12, month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def period_bounds(period_id: str | None) -> tuple[dt.date, dt.date] | None:
    """First and last day of the period ``2016``, ``2016-Q2`` or ``2016-03``; None for anything
    else."""
    text = (period_id or "").strip()
    if match := _YEAR.fullmatch(text):
        year = int(match[1])
        first, last = (1, 12)
    elif match := _QUARTER.fullmatch(text):
        year, quarter = int(match[1]), int(match[2])
        first, last = 3 * quarter - 2, 3 * quarter
    elif match := _MONTH.fullmatch(text):
        year = int(match[1])
        first = last = int(match[2])
    else:
        return None
    if not _FIRST_YEAR <= year <= _LAST_YEAR:
        return None
    return dt.date(year, first, 1), _month_end(year, last)


def period_id_at(day: dt.date, period_type: str) -> str:
    """The id of the period of ``period_type`` holding ``day`` (``2016``, ``2016-Q1``,
    ``2016-03``)."""
    if period_type == "year":
        return str(day.year)
    if period_type == "quarter":
        return f"{day.year}-Q{(day.month - 1) // 3 + 1}"
    return f"{day.year}-{day.month:02d}"


def snap(period_id: str | None, period_type: str, *, end: bool = False) -> str | None:
    """``period_id`` as the period of ``period_type`` holding its first day (its last with
    ``end``): ``snap("2016-03", "year")`` is ``2016``, ``snap("2016", "month", end=True)``
    ``2016-12``; None when it is no period id."""
    bounds = period_bounds(period_id)
    if bounds is None:
        return None
    return period_id_at(bounds[1] if end else bounds[0], period_type)


def relative_window(range_name: str, anchor: dt.date) -> Window:
    """The days a relative range covers, ending on ``anchor`` (the end of the latest published
    period): ``last12m`` with anchor 2018-12-31 is 2018-01-01 to 2018-12-31. ``all`` (or anything
    unknown) is open at both ends."""
    if range_name in RANGE_MONTHS:
        months = anchor.year * 12 + anchor.month - 1 - (RANGE_MONTHS[range_name] - 1)
        return dt.date(months // 12, months % 12 + 1, 1), anchor
    if range_name == "thisyear":
        return dt.date(anchor.year, 1, 1), anchor
    return None, None


def within(periods: pd.DataFrame, window: Window) -> pd.DataFrame:
    """The rows of ``periods`` (``period_start``, ``period_end``) lying wholly within ``window``."""
    first, last = window
    keep = pd.Series(True, index=periods.index)
    if first is not None:
        keep &= pd.to_datetime(periods["period_start"]) >= pd.Timestamp(first)
    if last is not None:
        keep &= pd.to_datetime(periods["period_end"]) <= pd.Timestamp(last)
    return periods[keep]


def nearest_period_type(requested: str | None, available: Sequence[str], role: Role) -> str | None:
    """``requested`` when the indicator has it and the role sees it; missing, whole years first;
    otherwise the nearest one it has (a coarser one on a tie); None when there is none."""
    choices = [p for p in available if p in PERIOD_RANK and role.sees_period(p)]
    if not choices:
        return None
    if requested in choices:
        return requested
    if requested not in PERIOD_RANK:
        return max(choices, key=PERIOD_RANK.__getitem__)
    wanted = PERIOD_RANK[requested]
    return min(choices, key=lambda p: (abs(PERIOD_RANK[p] - wanted), -PERIOD_RANK[p]))


# --- places -------------------------------------------------------------------------------------


def nearest_place(
    geo: str | None, allowed: Collection[str], places: pd.DataFrame, role: Role
) -> str:
    """``geo`` when the page offers it (``allowed``) and ``role`` sees its level; otherwise the
    nearest place above it that is (a district's province), else the nation. ``places`` has
    ``geo_code``, ``geo_level``, ``parent_code`` (``queries.places``)."""
    levels = dict(zip(places["geo_code"], places["geo_level"], strict=True))
    parents = dict(zip(places["geo_code"], places["parent_code"], strict=True))
    code = geo
    for _depth in range(4):  # district, province, nation: a bounded walk, whatever the data
        if not isinstance(code, str) or code not in levels:
            break
        if code in allowed and role.sees_level(levels[code]):
            return code
        code = parents.get(code)
    return NATIONAL


def page_places(places: pd.DataFrame) -> list[str]:
    """The places the pages' place pickers offer: the nation and the provinces."""
    return [str(c) for c in places.loc[places["geo_level"].isin(PAGE_LEVELS), "geo_code"]]


# --- the indicator page -------------------------------------------------------------------------


@dataclass(frozen=True)
class IndicatorView:
    """What the indicator page shows: indicator, place, period type and which periods."""

    code: str
    geo: str = NATIONAL
    period: str | None = None
    range: str = ALL
    start: str | None = None  # ``from`` of a custom range (a period id of ``period``)
    end: str | None = None  # ``to``

    def window(self, anchor: dt.date | None) -> Window:
        """The days shown: a custom range's bounds, or the relative range counted back from
        ``anchor`` (no window without one)."""
        if self.range == CUSTOM:
            first, last = period_bounds(self.start), period_bounds(self.end)
            return (first[0] if first else None), (last[1] if last else None)
        if anchor is None:
            return None, None
        return relative_window(self.range, anchor)


def read_indicator_view(
    query: Mapping[str, str | None],
    *,
    codes: Sequence[str],
    places: pd.DataFrame,
    period_types: Callable[[str], Sequence[str]],
    role: Role,
    default_code: str = "AC06",
) -> IndicatorView:
    """The view a query asks for, every value checked and fallen back (module docstring);
    ``period_types(code)`` gives the period types the indicator has."""
    code = query.get("code")
    if code not in codes:
        code = default_code if default_code in codes else (codes[0] if codes else "")
    geo = nearest_place(query.get("geo"), page_places(places), places, role)
    period = nearest_period_type(query.get("period"), period_types(code) if code else [], role)
    start, end = query.get("from"), query.get("to")
    if period is not None and (period_bounds(start) or period_bounds(end)):
        first, last = snap(start, period), snap(end, period, end=True)
        if first and last and period_bounds(first)[0] > period_bounds(last)[0]:
            first, last = snap(end, period), snap(start, period, end=True)
        return IndicatorView(str(code), geo, period, CUSTOM, first, last)
    wanted = query.get("range")
    chosen = wanted if wanted in RANGE_LABELS and wanted != CUSTOM else ALL
    return IndicatorView(str(code), geo, period, chosen)


def clamp(view: IndicatorView, periods: pd.DataFrame) -> IndicatorView:
    """A custom range's bounds moved onto the indicator's own periods (``period_id``,
    ``period_start``, ``period_end``): ``from`` to the first on or after it, ``to`` to the last
    on or before it, unchanged when there is none."""
    if view.range != CUSTOM or periods.empty:
        return view
    starts = pd.to_datetime(periods["period_start"])
    ends = pd.to_datetime(periods["period_end"])
    start, end = view.start, view.end
    first, last = period_bounds(start), period_bounds(end)
    if first is not None:
        later = periods[starts >= pd.Timestamp(first[0])]
        start = str(later["period_id"].iloc[0]) if len(later) else start
    if last is not None:
        earlier = periods[ends <= pd.Timestamp(last[1])]
        end = str(earlier["period_id"].iloc[-1]) if len(earlier) else end
    return replace(view, start=start, end=end)


def indicator_query(view: IndicatorView) -> dict[str, str]:
    """The query of ``view``, in link order (``code``, ``geo``, ``period``, then ``range`` or
    ``from``/``to``; ``range=all`` left out)."""
    query = {"code": view.code, "geo": view.geo}
    if view.period:
        query["period"] = view.period
    if view.range == CUSTOM:
        query.update({k: v for k, v in (("from", view.start), ("to", view.end)) if v})
    elif view.range != ALL:
        query["range"] = view.range
    return query


def indicator_view(
    warehouse: Path, query: Mapping[str, str | None], *, role: Role, default_code: str = "AC06"
) -> IndicatorView:
    """``read_indicator_view`` against the warehouse, the custom bounds clamped to the data."""
    view = read_indicator_view(
        query,
        codes=list(queries.catalogue(warehouse)["indicator_code"]),
        places=queries.places(warehouse),
        period_types=lambda code: queries.period_types(warehouse, code, role=role),
        role=role,
        default_code=default_code,
    )
    if view.range != CUSTOM or view.period is None:
        return view
    return clamp(view, queries.indicator_periods(warehouse, view.code, view.period, role=role))


def view_periods(warehouse: Path, view: IndicatorView, *, role: Role) -> pd.DataFrame:
    """The indicator's periods ``view`` shows (``queries.indicator_periods`` within its window),
    oldest first."""
    if view.period is None:
        return pd.DataFrame(columns=["period_id", "period_label", "period_start", "period_end"])
    periods = queries.indicator_periods(warehouse, view.code, view.period, role=role)
    if view.range == ALL:
        return periods
    anchor = queries.latest_period_end(warehouse, view.period, role=role)
    return within(periods, view.window(anchor.date() if anchor is not None else None))


# --- the care page ------------------------------------------------------------------------------


def read_care_place(
    query: Mapping[str, str | None], *, allowed: Collection[str], places: pd.DataFrame, role: Role
) -> str:
    """The place ``?geo=<code>`` (or the older ``?province=<code>``) asks for, by the place rule
    among ``allowed`` (what the care page's picker offers the role); the nation when left out."""
    return nearest_place(query.get("geo") or query.get("province"), allowed, places, role)


def care_query(geo: str) -> dict[str, str]:
    """The care page's query: ``{"geo": code}``, nothing for the nation."""
    return {} if geo == NATIONAL else {"geo": geo}


# --- links --------------------------------------------------------------------------------------


def query_parameters(search: str | None) -> dict[str, str]:
    """``?code=AC06&geo=01`` as ``{"code": "AC06", "geo": "01"}``: always strings, the first
    value of a repeated name kept, blank values left out."""
    params: dict[str, str] = {}
    for name, value in parse_qsl((search or "").removeprefix("?")):
        params.setdefault(name, value)
    return params


def search(query: Mapping[str, str]) -> str:
    """``{"code": "AC06", "geo": "01"}`` as ``?code=AC06&geo=01`` (an empty query as "")."""
    return f"?{urlencode(dict(query))}" if query else ""
