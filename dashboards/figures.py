"""Figure builders: DataFrame in, ``go.Figure`` out. No queries, no Dash, no shared state."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from dashboards import i18n, kpis
from dashboards.i18n import _
from dashboards.words import gaps_note, hidden_series, hidden_words

# Okabe & Ito's colour-blind-safe palette (Color Universal Design, 2008): eight colours told apart
# with any of the common colour-vision deficiencies. Charts use its blue for the data, its
# vermillion for targets and its orange for flagged points; a colour is never the only sign (a
# target is a dashed line and labelled, a flagged point a different marker with a note).
OKABE_ITO = {
    "orange": "#E69F00",
    "sky_blue": "#56B4E9",
    "bluish_green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "reddish_purple": "#CC79A7",
    "black": "#000000",
}
COLOURS = {
    "series": OKABE_ITO["blue"],
    "target": OKABE_ITO["vermillion"],
    "grid": "#e6e9ee",
    "text": "#26323f",
    "muted": "#5f6b7a",
    "flagged": OKABE_ITO["orange"],
    "hidden": "#c9ced6",  # places whose value is not shown (or missing): grey on the maps
    # Status, darkened from Okabe-Ito's bluish green and vermillion so that text in them keeps a
    # contrast of at least 4.5:1 on white (the CSS's --cp-good and --cp-bad are the same colours).
    "good": "#007A5A",
    "bad": "#B84700",
}
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
# One hue, light to dark (sequential): read by lightness alone, so with any colour vision.
MAP_COLOURSCALE = [[0.0, "#9dbcd9"], [0.5, "#5f8fbd"], [1.0, "#1f4e79"]]


def white_template(fig: go.Figure) -> go.Figure:
    """``fig`` drawn with plotly's ``plotly_white`` template. The registered template is already
    valid, so it is set as plotly sets its default template (without validating it again: that
    alone took a third of a figure's time); the figure is the same as with
    ``update_layout(template="plotly_white")``."""
    layout = fig.layout
    layout._validate = False
    try:
        layout.template = pio.templates["plotly_white"]
    finally:
        layout._validate = fig._validate
    return fig


def _layout(title: str, y_title: str | None = None, height: int = 370) -> dict[str, Any]:
    """The house style of every chart, as a layout a builder completes before the figure is made
    (one ``go.Figure(data, layout)``: each ``update_layout`` afterwards costs as much again)."""
    return {
        "title": {"text": title, "x": 0, "xanchor": "left", "font": {"size": 16}},
        "font": {"family": FONT, "color": COLOURS["text"], "size": 13},
        "height": height,
        "margin": {"l": 64, "r": 24, "t": 56, "b": 48},
        "hovermode": "x unified",
        "showlegend": False,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        # The decimal and thousands separators of the language (French: 12 345,6).
        "separators": ", " if i18n.current_language() == "fr" else ".,",
        "xaxis": {
            "showgrid": False,
            "linecolor": "#c9ced6",
            "ticks": "outside",
            "tickcolor": "#c9ced6",
        },
        "yaxis": {
            "title": {"text": y_title},
            "gridcolor": COLOURS["grid"],
            "zeroline": False,
            "rangemode": "tozero",
        },
    }


def _figure(traces: list[Any], layout: dict[str, Any]) -> go.Figure:
    """The figure of ``traces`` with ``layout``, in plotly's ``plotly_white`` template."""
    return white_template(go.Figure(data=traces, layout=layout))


def _suffix(unit: str | None) -> str:
    return "%" if unit and unit.startswith("%") else ""


def axis_format(number_format: str) -> str:
    """Catalogue format for axis ticks without trailing zeros (``,.1f`` -> ``,.1~f``)."""
    if number_format.endswith("f") and "~" not in number_format:
        return number_format[:-1] + "~f"
    return number_format


def empty_figure(message: str, title: str = "") -> go.Figure:
    """A blank chart that says why there is nothing to show."""
    layout = _layout(title)
    layout["xaxis"]["visible"] = False
    layout["yaxis"]["visible"] = False
    layout["annotations"] = [
        {
            "text": message,
            "showarrow": False,
            "x": 0.5,
            "y": 0.5,
            "xref": "paper",
            "yref": "paper",
            "font": {"color": COLOURS["muted"], "size": 14},
        }
    ]
    return _figure([], layout)


def trend_figure(
    series: pd.DataFrame,
    *,
    title: str,
    y_title: str,
    number_format: str,
    name: str,
    unit: str | None = None,
) -> go.Figure:
    """Line chart of one indicator over time (``period_end``, ``value``, ``period_label``).

    Missing or suppressed values stay in the series as gaps: the line is never drawn across them.
    """
    parts = _trend_parts(
        series, title=title, y_title=y_title, number_format=number_format, name=name, unit=unit
    )
    return parts if isinstance(parts, go.Figure) else _figure(*parts)


def _trend_parts(
    series: pd.DataFrame,
    *,
    title: str,
    y_title: str,
    number_format: str,
    name: str,
    unit: str | None = None,
) -> go.Figure | tuple[list[Any], dict[str, Any]]:
    """``trend_figure``'s traces and layout, or the empty figure when there is nothing to draw."""
    if series.dropna(subset=["value"]).empty:
        if "suppressed" in series and series["suppressed"].fillna(False).astype(bool).any():
            return empty_figure(hidden_series(), title)
        return empty_figure(_("No data for this selection yet"), title)
    rows = series
    traces = [
        go.Scatter(
            x=rows["period_end"],
            y=[None if pd.isna(v) else float(v) for v in rows["value"]],
            customdata=rows["period_label"],
            mode="lines" if len(rows) > 1 else "markers",
            connectgaps=False,
            name=name,
            line={"color": COLOURS["series"], "width": 2.5},
            marker={"color": COLOURS["series"], "size": 8},
            hovertemplate=(
                f"%{{customdata}}: <b>%{{y:{number_format}}}{_suffix(unit)}</b><extra></extra>"
            ),
        )
    ]
    traces += _flagged_points(rows, number_format, unit)
    layout = _layout(title, y_title)
    layout["yaxis"].update(tickformat=axis_format(number_format), ticksuffix=_suffix(unit))
    span = pd.to_datetime(rows["period_end"]).max() - pd.to_datetime(rows["period_end"]).min()
    if span < pd.Timedelta(days=800):
        layout["xaxis"].update(dtick="M3", tickformat="%b %Y", hoverformat="%b %Y")
    else:
        layout["xaxis"].update(dtick="M12", tickformat="%Y", hoverformat="%b %Y")
    layout["hovermode"] = "closest"
    if "suppressed" in rows and rows["suppressed"].fillna(False).astype(bool).any():
        layout.setdefault("annotations", []).append(
            {
                "text": gaps_note(),
                "xref": "paper",
                "yref": "paper",
                "x": 0,
                "y": -0.16,
                "xanchor": "left",
                "showarrow": False,
                "font": {"size": 11, "color": COLOURS["muted"]},
            }
        )
    return traces, layout


def _flagged_points(rows: pd.DataFrame, number_format: str, unit: str | None) -> list[go.Scatter]:
    """Hollow markers on the values that rest on incomplete or corrected deliveries
    (``is_partial``, ``is_restated``), the reason in the hover (none when there are none)."""
    if "is_partial" not in rows:
        return []
    flagged = rows[
        rows["value"].notna()
        & (
            rows["is_partial"].fillna(False).astype(bool)
            | rows.get("is_restated", pd.Series(False, index=rows.index)).fillna(False).astype(bool)
        )
    ]
    if flagged.empty:
        return []
    notes = (
        flagged.get("coverage_note", pd.Series("", index=flagged.index))
        .fillna("")
        .str.replace("; ", "<br>", regex=False)
    )
    return [
        go.Scatter(
            x=flagged["period_end"],
            y=[float(v) for v in flagged["value"]],
            customdata=list(zip(flagged["period_label"], notes, strict=True)),
            mode="markers",
            name=_("Incomplete or corrected data"),
            marker={
                "symbol": "circle-open",
                "size": 10,
                "color": COLOURS["flagged"],
                "line": {"width": 2},
            },
            hovertemplate=(
                f"%{{customdata[0]}}: <b>%{{y:{number_format}}}{_suffix(unit)}</b>"
                "<br>%{customdata[1]}<extra></extra>"
            ),
        )
    ]


def _add_target_line(
    traces: list[Any],
    layout: dict[str, Any],
    start: Any,
    last: Any,
    top_value: float,
    target_value: float | None,
    target_year: int | None,
    unit: str | None,
) -> None:
    """A dashed horizontal line at the target, out to the end of the target year, labelled (added
    to ``traces`` and ``layout``)."""
    if target_value is None or target_year is None or pd.isna(target_value):
        return
    label = target_label(target_value, target_year, unit)
    deadline = pd.Timestamp(int(target_year), 12, 31)
    # Drawn out to the target year when it is near; a far target would squash the data to one side.
    end = (
        deadline
        if pd.Timestamp(last) < deadline <= pd.Timestamp(last) + pd.DateOffset(years=2)
        else pd.Timestamp(last)
    )
    traces.append(
        go.Scatter(
            x=[start, end],
            y=[target_value, target_value],
            mode="lines",
            name=label,
            line={"color": COLOURS["target"], "width": 2, "dash": "dash"},
            hovertemplate=f"{label}<extra></extra>",
        )
    )
    layout.setdefault("annotations", []).append(
        {
            "x": end,
            "y": target_value,
            "text": label,
            "showarrow": False,
            "xanchor": "right",
            "yanchor": "bottom",
            "yshift": 4,
            "font": {"color": COLOURS["target"], "size": 12},
        }
    )
    layout["yaxis"]["range"] = [0, max(top_value, float(target_value)) * 1.15]


def target_label(target_value: float, target_year: int, unit: str | None) -> str:
    """Plain words for a target, e.g. ``Target 30% by 2018``."""
    number = kpis.localise(
        f"{target_value:,.0f}" if float(target_value).is_integer() else f"{target_value:,.1f}"
    )
    suffix = "%" if unit and unit.startswith("%") else f" {unit}" if unit else ""
    return _("Target {value} by {year}").format(value=number + suffix, year=int(target_year))


def target_figure(
    series: pd.DataFrame,
    *,
    title: str,
    y_title: str,
    number_format: str,
    name: str,
    target_value: float | None,
    target_year: int | None,
    unit: str | None,
    year_ticks: bool = False,
) -> go.Figure:
    """Trend with a dashed line at the catalogue target, drawn out to the end of the target year;
    ``year_ticks``: one tick a year, in the middle of the year (where yearly values are drawn)."""
    parts = _trend_parts(
        series, title=title, y_title=y_title, number_format=number_format, name=name, unit=unit
    )
    if isinstance(parts, go.Figure):
        return parts
    traces, layout = parts
    if year_ticks:
        layout["xaxis"].update(tick0="2000-07-01", dtick="M12", tickformat="%Y")
    rows = series.dropna(subset=["value"])
    _add_target_line(
        traces,
        layout,
        rows["period_end"].min(),
        rows["period_end"].max(),
        float(rows["value"].max()),
        target_value,
        target_year,
        unit,
    )
    return _figure(traces, layout)


def survey_figure(
    series: pd.DataFrame,
    *,
    title: str,
    y_title: str,
    number_format: str,
    name: str,
    unit: str | None,
    target_value: float | None = None,
    target_year: int | None = None,
) -> go.Figure:
    """Survey estimates as markers at the survey years only, with their 95% confidence interval as
    error bars; never a line across the years without a survey."""
    rows = series.dropna(subset=["value"])
    if rows.empty:
        return empty_figure(_("No survey estimate for this place yet"), title)
    # A survey year is drawn in its middle, under its own tick.
    rows = rows.assign(
        period_end=pd.to_datetime(rows["period_end"]).dt.year.map(
            lambda year: pd.Timestamp(int(year), 7, 1)
        )
    )
    lower = rows["ci_lower"] if "ci_lower" in rows else pd.Series(index=rows.index, dtype=float)
    upper = rows["ci_upper"] if "ci_upper" in rows else pd.Series(index=rows.index, dtype=float)
    plus = [None if pd.isna(u) else float(u - v) for u, v in zip(upper, rows["value"], strict=True)]
    minus = [
        None if pd.isna(lo) else float(v - lo) for lo, v in zip(lower, rows["value"], strict=True)
    ]
    ci_text = [
        ""
        if pd.isna(lo) or pd.isna(u)
        else _("95% CI {lower}–{upper}").format(
            lower=kpis.localise(f"{lo:{number_format}}"),
            upper=kpis.localise(f"{u:{number_format}}"),
        )
        for lo, u in zip(lower, upper, strict=True)
    ]
    suffix = _suffix(unit)
    traces = [
        go.Scatter(
            x=rows["period_end"],
            y=rows["value"],
            mode="markers",
            name=name,
            marker={"color": COLOURS["series"], "size": 11},
            error_y={
                "type": "data",
                "array": plus,
                "arrayminus": minus,
                "visible": True,
                "color": COLOURS["series"],
                "thickness": 1.5,
                "width": 6,
            },
            customdata=list(zip(rows["period_label"], ci_text, strict=True)),
            hovertemplate=(
                _("Survey {period}").format(period="%{customdata[0]}")
                + f": <b>%{{y:{number_format}}}{suffix}</b>"
                "<br>%{customdata[1]}<extra></extra>"
            ),
        )
    ]
    layout = _layout(title, y_title)
    layout["yaxis"].update(tickformat=axis_format(number_format), ticksuffix=suffix)
    layout["xaxis"].update(dtick="M12", tickformat="%Y", tick0="2000-07-01")
    layout["hovermode"] = "closest"
    top = float(max(rows["value"].max(), upper.max() if upper.notna().any() else 0))
    layout["yaxis"]["range"] = [0, top * 1.15]
    first, last = rows["period_end"].min(), rows["period_end"].max()
    layout["xaxis"]["range"] = [
        pd.Timestamp(first) - pd.Timedelta(days=240),
        pd.Timestamp(last) + pd.Timedelta(days=240),
    ]
    _add_target_line(traces, layout, first, last, top, target_value, target_year, unit)
    return _figure(traces, layout)


def bar_figure(
    frame: pd.DataFrame,
    *,
    title: str,
    number_format: str,
    unit: str | None,
    label_column: str = "label",
    sort: bool = True,
    highlight: str | None = None,
    height: int | None = None,
    compact: bool = False,
) -> go.Figure:
    """Horizontal bars of ``value`` by ``label_column``, largest at the top when ``sort``;
    ``compact`` (one of several small charts): the rows top to bottom in their order, tighter
    margins and a smaller title.

    Rows whose value is missing or suppressed keep their place with an empty bar and a note in the
    label (``suppressed`` column true: ``<5``); their values are never put in the figure.
    """
    if (
        frame.empty
        or frame["value"].isna().all()
        and not frame.get("suppressed", pd.Series(dtype=bool)).fillna(False).any()
    ):
        return empty_figure(_("No data for this place and period"), title)
    rows = frame.copy()
    suppressed = (
        rows.get("suppressed", pd.Series(False, index=rows.index)).fillna(False).astype(bool)
    )
    reasons = rows.get("suppression_reason", pd.Series(None, index=rows.index, dtype=object))
    rows["_shown"] = [
        f"{label}: {hidden_words(reason)[0].lower()}{hidden_words(reason)[1:]}"
        if hidden
        else _("{label} (no data)").format(label=label)
        if pd.isna(value)
        else str(label)
        for label, value, hidden, reason in zip(
            rows[label_column], rows["value"], suppressed, reasons, strict=True
        )
    ]
    if sort:
        rows = rows.assign(_key=rows["value"].fillna(-1e18)).sort_values("_key", ascending=True)
    suffix = _suffix(unit)
    values = [None if pd.isna(v) else float(v) for v in rows["value"]]
    colours = [
        COLOURS["series"] if highlight is None or code == highlight else "#9dbcd9"
        for code in rows.get("geo_code", rows[label_column])
    ]
    bars = go.Bar(
        x=values,
        y=rows["_shown"],
        orientation="h",
        marker={"color": colours},
        text=["" if v is None else format(v, number_format) + suffix for v in values],
        textposition="outside",
        cliponaxis=False,
        hovertemplate=f"%{{y}}: <b>%{{x:{number_format}}}{suffix}</b><extra></extra>",
    )
    layout = _layout(title, height=height or max(220, 90 + 32 * len(rows)))
    layout["xaxis"].update(
        tickformat=axis_format(number_format),
        ticksuffix=suffix,
        showgrid=True,
        gridcolor=COLOURS["grid"],
        rangemode="tozero",
    )
    layout["yaxis"].update(gridcolor="rgba(0,0,0,0)", automargin=True)
    top = max((v for v in values if v is not None), default=0.0)
    layout["xaxis"]["range"] = [0, (top or 1) * 1.18]
    layout["hovermode"] = "closest"
    layout["margin"] = {"l": 16, "r": 32, "t": 56, "b": 40}
    if compact:
        layout["yaxis"]["autorange"] = "reversed"
        layout["margin"].update(t=36, b=24)
        layout["title"]["font"] = {"size": 14}
    return _figure([bars], layout)


def _positions(geometry: dict[str, Any]) -> Iterable[list[float]]:
    coordinates = geometry.get("coordinates", [])
    polygons = coordinates if geometry.get("type") == "MultiPolygon" else [coordinates]
    for polygon in polygons:
        for ring in polygon:
            yield from ring


def _signed_area(ring: list[list[float]]) -> float:
    """Shoelace area in the lon/lat plane: positive for counter-clockwise rings."""
    return (
        sum(x1 * y2 - x2 * y1 for (x1, y1, *_a), (x2, y2, *_b) in zip(ring, ring[1:], strict=False))
        / 2
    )


def rewind_for_plotly(geometry: dict[str, Any]) -> dict[str, Any]:
    """Orient rings the way plotly.js (d3-geo) reads them: outer rings clockwise, holes not.

    GeoJSON (RFC 7946) asks for the opposite, and d3 would then fill the whole globe except the
    province. Fine for provinces (far smaller than a hemisphere), where planar orientation holds.
    """

    def polygon(rings: list) -> list:
        fixed = []
        for index, ring in enumerate(rings):
            clockwise = _signed_area(ring) < 0
            want_clockwise = index == 0
            fixed.append(ring if clockwise == want_clockwise else list(reversed(ring)))
        return fixed

    kind = geometry.get("type")
    if kind == "Polygon":
        return {"type": kind, "coordinates": polygon(geometry["coordinates"])}
    if kind == "MultiPolygon":
        return {"type": kind, "coordinates": [polygon(p) for p in geometry["coordinates"]]}
    return geometry


def _label_point(geometry: dict[str, Any]) -> tuple[float, float]:
    """Centre of the bounding box: good enough to place a name on a province."""
    points = list(_positions(geometry))
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    return (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2


def map_reason(row: Any) -> str | None:
    """Why a place is drawn grey on a map, or None when its value is shown: hidden from the role
    (``hidden_words``: "Not shown (fewer than 5)"), resting on incomplete reporting
    ("Incomplete reporting (67% of deliveries)": the value is never drawn), or no value ("No data")."""
    if bool(_truthy(row.get("suppressed"))):
        return hidden_words(row.get("suppression_reason"))
    if bool(_truthy(row.get("is_partial"))):
        coverage = row.get("coverage_pct")
        if coverage is not None and not pd.isna(coverage) and float(coverage) < 100:
            return _("Incomplete reporting ({percent}% of deliveries)").format(
                percent=f"{float(coverage):.0f}"
            )
        return _("Incomplete reporting")
    value = row.get("value")
    return _("No data") if value is None or pd.isna(value) else None


def _truthy(value: Any) -> bool:
    return value is not None and not (not isinstance(value, str) and pd.isna(value)) and bool(value)


def area_map(
    areas: pd.DataFrame,
    *,
    title: str,
    number_format: str,
    colourbar_title: str,
    selected: str | None = None,
) -> go.Figure:
    """Choropleth of the values of some areas (the provinces, or the districts of one province)
    drawn from their own GeoJSON: no tiles, no external files.

    ``areas`` has ``geo_code``, ``geo_name``, ``boundary_geojson`` (geometry as text), ``value``
    and optionally ``suppressed``, ``suppression_reason``, ``is_partial``, ``coverage_pct``. A
    place whose value is hidden, rests on incomplete reporting or is missing is drawn grey with the
    reason on hover (``map_reason``); its value never enters the figure. ``selected`` is outlined.
    """
    rows = areas.dropna(subset=["boundary_geojson"])
    if rows.empty:
        return empty_figure("No boundaries or values for these places yet", title)
    reasons = [map_reason(row) for row in rows.to_dict("records")]
    grey = [reason is not None for reason in reasons]
    shown = pd.Series(
        [None if hide else float(v) for v, hide in zip(rows["value"], grey, strict=True)],
        index=rows.index,
        dtype=float,
    )
    geometries = [json.loads(text) for text in rows["boundary_geojson"]]
    features = [
        {
            "type": "Feature",
            "id": code,
            "properties": {"geo_code": code},
            "geometry": rewind_for_plotly(geometry),
        }
        for code, geometry in zip(rows["geo_code"], geometries, strict=True)
    ]
    line_widths = [3.0 if code == selected else 1.0 for code in rows["geo_code"]]
    line_colours = [COLOURS["text"] if code == selected else "white" for code in rows["geo_code"]]
    centres = [_label_point(geometry) for geometry in geometries]
    # The names trace comes first on purpose: plotly.js decides whether to download its world
    # topojson from a CDN by looking at the first trace's ``locationmode`` only. Text at lon/lat has
    # none, so nothing is fetched; the choropleth draws from our own GeoJSON.
    labels = go.Scattergeo(
        lon=[c[0] for c in centres],
        lat=[c[1] for c in centres],
        text=rows["geo_name"],
        mode="text",
        textfont={"color": "white", "size": 11, "weight": "bold", "shadow": "1px 1px 2px #16324f"},
        hoverinfo="skip",
        name="",
    )
    any_shown = bool(shown.notna().any())
    areas_trace = go.Choropleth(
        geojson={"type": "FeatureCollection", "features": features},
        featureidkey="properties.geo_code",
        locations=rows["geo_code"],
        z=[None if pd.isna(v) else v for v in shown],  # null, never a hidden value
        text=rows["geo_name"],
        colorscale=MAP_COLOURSCALE,
        # From zero, so that equal or all-zero values do not stretch the scale below zero.
        zmin=0 if not any_shown or shown.min() >= 0 else None,
        zmax=(float(shown.max()) or 1.0) if any_shown else 1.0,
        marker={"line": {"color": line_colours, "width": line_widths}},
        showscale=any_shown,  # no scale when every place is grey
        colorbar={
            "title": {"text": colourbar_title, "side": "right"},
            "tickformat": axis_format(number_format),
            "thickness": 14,
            "len": 0.8,
        },
        hovertemplate=f"<b>%{{text}}</b><br>%{{z:{number_format}}}<extra></extra>",
    )
    traces = [labels, areas_trace]
    if any(grey):
        # Places without a value shown, in grey, saying why: hidden, incomplete, or no data.
        hidden = rows[grey]
        words = [reason for reason in reasons if reason is not None]
        traces.append(
            go.Choropleth(
                geojson={"type": "FeatureCollection", "features": features},
                featureidkey="properties.geo_code",
                locations=hidden["geo_code"],
                z=[0] * len(hidden),
                text=[
                    f"<b>{name}</b><br>{word}"
                    for name, word in zip(hidden["geo_name"], words, strict=True)
                ],
                colorscale=[[0, COLOURS["hidden"]], [1, COLOURS["hidden"]]],
                showscale=False,
                marker={
                    "line": {
                        "color": [
                            COLOURS["text"] if code == selected else "white"
                            for code in hidden["geo_code"]
                        ],
                        "width": [3.0 if code == selected else 1.0 for code in hidden["geo_code"]],
                    }
                },
                hovertemplate="%{text}<extra></extra>",
                name=_("not shown"),
            )
        )
    layout = _layout(title)
    layout["geo"] = {
        "fitbounds": "locations",
        "visible": False,
        "projection": {"type": "mercator"},
        "bgcolor": "white",
    }
    layout["hovermode"] = "closest"
    layout["margin"] = {"l": 8, "r": 8, "t": 56, "b": 8}
    return _figure(traces, layout)


def province_map(
    provinces: pd.DataFrame,
    *,
    title: str,
    number_format: str,
    colourbar_title: str,
    selected: str | None = None,
) -> go.Figure:
    """The provinces' ``area_map`` (kept for the pages that draw provinces only)."""
    return area_map(
        provinces,
        title=title,
        number_format=number_format,
        colourbar_title=colourbar_title,
        selected=selected,
    )
