"""Charts and sparklines of a report, drawn as SVG text: no JavaScript, no network, no randomness.

The same SVG goes into the PDF (typst embeds it as a vector image with its alt text) and inline into
the HTML report (``role="img"`` with ``<title>`` and ``<desc>``). A hidden value is never drawn:
a point marked ``hidden`` shows where a value exists but is not shown (an open marker on the axis of
a line chart, a hatched slot in a bar chart), a point without a value is a gap. Colours are the
Okabe-Ito palette, told apart by colour-blind readers; statuses always carry their words too.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import escape

from cpmonitor.core.words import NOT_SHOWN
from cpmonitor.report.model import Chart, Point, Report, Section, Series, Table

# Okabe & Ito (2008): distinguishable with every common colour-vision deficiency. Yellow last: it
# is weak as a line on white.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000", "#F0E442")
INK = "#1a1a1a"
MUTED = "#5f6368"
GRID = "#d9d9d9"
TARGET = "#444444"
HIDDEN = "#8c8c8c"

# A status: its order in overviews, fill (light, behind dark text) and text/border colour.
STATUS_STYLE: dict[str, tuple[str, str]] = {
    "achieved": ("#d6e6f4", "#004b76"),
    "on_track": ("#d3efe5", "#005c43"),
    "off_track": ("#f8dccb", "#8a3200"),
    "no_target": ("#ececec", "#3c3c3c"),
    "no_data": ("#ffffff", "#3c3c3c"),
    "not_shown": ("#ffffff", "#3c3c3c"),
}
STATUS_ORDER = tuple(STATUS_STYLE)

# The few words a chart draws itself; every other word comes from the report.
WORDS = {
    "en": {
        "target": "Target",
        "not_shown": NOT_SHOWN,
        "no_value": "No value to show",
        "all_hidden": "Every value not shown",
        "trend": "Trend",
        "no_trend": "No trend values",
        # Headings and labels of the renderers.
        "contents": "Contents",
        "summary": "Executive summary",
        "at_a_glance": "Results at a glance",
        "results": "Results",
        "charts": "Trends",
        "figure": "Figure",
        "prepared_for": "Prepared for",
        "protection": "Protecting children's privacy",
        "page": "Page",
        "of": "of",
        "version": "Warehouse version",
        "country": "Country",
        "period": "Reporting period",
        "audience": "Audience",
        "data_cutoff": "Data cut-off",
        "published": "Published",
        "none": "–",
        "sector": "Sector",
        "indicators": "Indicators",
    }
}
RESULTS_COLUMNS = {
    "en": ("Indicator", "Baseline", "Latest", "Target", "Achievement", "Status", "Trend"),
}

FONT = "Libertinus Serif"
# A period label (2025, 2025-Q4, 2025-03): thinned when crowded, never turned.
_PERIOD = re.compile(r"^\d{4}([-–/ ]?(Q[1-4]|S[12]|H[12]|W?\d{1,2}))?$")
_SIN = math.sin(math.radians(40))
_COS = math.cos(math.radians(40))
SVG_NS = "http://www.w3.org/2000/svg"


def words(lang: str) -> dict[str, str]:
    return WORDS.get(lang, WORDS["en"])


# --- numbers ---------------------------------------------------------------------------------


def nice_step(lo: float, hi: float, ticks: int = 5) -> float:
    """A step of 1, 2 or 5 times a power of ten whose whole-step cover of [lo, hi] has the number
    of intervals nearest ``ticks`` (the larger step on a tie)."""
    span = hi - lo
    if span <= 0 or not math.isfinite(span):
        return 1.0
    power = 10 ** math.floor(math.log10(span / ticks))
    best, best_miss = power, math.inf
    for factor in (1, 2, 5, 10):
        step = factor * power
        intervals = math.ceil(hi / step - 1e-9) - math.floor(lo / step + 1e-9)
        miss = abs(intervals - ticks)
        if miss <= best_miss:
            best, best_miss = step, miss
    return best


def nice_axis(values: Iterable[float], *, from_zero: bool, ticks: int = 5) -> list[float]:
    """Rounded tick values covering ``values`` (and 0 when ``from_zero`` or close to it)."""
    found = [v for v in values if v is not None and math.isfinite(v)]
    if not found:
        return [0.0, 1.0]
    lo, hi = min(found), max(found)
    if lo >= 0 and (from_zero or lo <= 0.5 * hi):
        lo = 0.0
    if hi <= 0 and (from_zero or hi >= 0.5 * lo):
        hi = 0.0
    if hi == lo:
        pad = abs(hi) * 0.1 or 1.0
        lo, hi = (lo - pad if lo != 0 else 0.0), hi + pad
    step = nice_step(lo, hi, ticks)
    start = math.floor(lo / step + 1e-9) * step
    stop = math.ceil(hi / step - 1e-9) * step
    count = round((stop - start) / step)
    return [_clean(start + i * step) for i in range(count + 1)]


def _clean(value: float) -> float:
    return float(f"{value:.10g}")


def tick_label(value: float, step: float) -> str:
    """``1,500``, ``2.5``, ``0``: as many decimals as the step needs, thousands grouped."""
    decimals = next(
        (d for d in range(7) if abs(step * 10**d - round(step * 10**d)) < 1e-6 * 10**d), 6
    )
    text = f"{value:,.{decimals}f}"
    return "0" if text.strip("-0.,") == "" else text


def short_number(value: float) -> str:
    """A value in words a chart writes itself (alt text, the target's key): grouped, whole from
    100 up, else at most one decimal (``1,200``, ``90``, ``4.5``)."""
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:,.1f}".removesuffix(".0")


# --- SVG helpers -----------------------------------------------------------------------------


def _x(value: str) -> str:
    return escape(value, quote=True)


def _n(value: float) -> str:
    """A coordinate: two decimals at most, no trailing zeros (stable text, small files)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def slug(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", value).strip("-") or "chart"


def text_width(text: str, size: float) -> float:
    """Estimated width of ``text`` in the report's serif (average glyph about half an em)."""
    return sum(0.3 if c in "il.,:;|!'1 ()" else 0.62 if c.isupper() else 0.5 for c in text) * size


def _text(
    x: float, y: float, body: str, *, size: float, anchor: str = "start", **attrs: str
) -> str:
    extra = "".join(f' {k.replace("_", "-")}="{_x(v)}"' for k, v in attrs.items())
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" font-size="{_n(size)}" text-anchor="{anchor}"{extra}>'
        f"{_x(body)}</text>"
    )


def _wrap(text: str, size: float, width: float) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(lines[-1] + " " + word, size) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _labels(series: Sequence[Series]) -> list[str]:
    seen: dict[str, None] = {}
    for one in series:
        for point in one.points:
            seen.setdefault(point.label, None)
    return list(seen)


def _shown(point: Point) -> float | None:
    """The value to draw: never a hidden one."""
    if point.hidden or point.value is None or not math.isfinite(point.value):
        return None
    return point.value


@dataclass(frozen=True)
class _Frame:
    left: float
    top: float
    right: float
    bottom: float
    lo: float
    hi: float

    def y(self, value: float) -> float:
        span = (self.hi - self.lo) or 1.0
        return self.bottom - (value - self.lo) / span * (self.bottom - self.top)


# --- charts ----------------------------------------------------------------------------------


def chart_svg(
    chart: Chart,
    *,
    lang: str = "en",
    width: float = 480,
    height: float = 165,
    font: str = FONT,
    key: str | None = None,
) -> str:
    """``chart`` as one SVG element (sizes in points; it scales to its container). ``key``
    prefixes its ids (default: the chart id), unique within a page that holds several."""
    w = words(lang)
    key = slug(key or chart.chart_id)
    size = 8.0
    series = chart.series
    labels = _labels(series)
    values = [v for s in series for p in s.points if (v := _shown(p)) is not None]
    has_hidden = any(p.hidden for s in series for p in s.points)
    hatch = f"{key}-hatch"

    # Legend: series swatches, the target and the hidden-value key, wrapped into rows.
    items: list[tuple[str, str]] = [("series:" + str(i), s.name) for i, s in enumerate(series)]
    if len(series) == 1 and chart.target is None and not has_hidden:
        items = []  # one series needs no key: the title names it
    if chart.target is not None:
        items.append(("target", f"{w['target']} {short_number(chart.target)}"))
    if has_hidden:
        items.append(("hidden", w["not_shown"]))
    legend: list[str] = []
    lx, ly, row_h = 0.0, size + 2, size + 6
    for kind, name in items:
        label = name if len(name) <= 48 else name[:46] + "…"
        item_w = 16 + text_width(label, size) + 14
        if lx and lx + item_w > width:
            lx, ly = 0.0, ly + row_h
        legend.append(_legend_item(kind, label, lx, ly, size, chart.kind, hatch))
        lx += item_w
    legend_h = (ly + 6) if items else 0.0

    ticks = nice_axis(
        [*values, *([chart.target] if chart.target is not None else [])],
        from_zero=chart.kind == "bar",
    )
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1.0
    tick_text = [tick_label(t, step) for t in ticks] if values else []
    unit_h = size + 6
    left = (
        max([text_width(t, size) for t in tick_text] + [text_width(chart.unit, size) - 8, 12]) + 8
    )
    # X labels: periods are thinned when crowded, names (places, groups) are turned instead, and
    # the chart grows by what they need so the plot keeps its height.
    slot = (width - 8 - left) / max(len(labels), 1)
    shown_labels = [label if len(label) <= 26 else label[:25] + "…" for label in labels]
    widest = max((text_width(label, size) for label in shown_labels), default=0.0) + 6
    turned = widest > slot and any(not _PERIOD.match(label) for label in labels)
    below = (widest * _SIN + size + 4) if turned else (size + 10)
    height += below - (size + 10)
    if turned:  # the first name runs left of its slot
        left = max(left, widest * _COS - slot / 2 + 4)
        slot = (width - 8 - left) / max(len(labels), 1)
    frame = _Frame(
        left=left,
        top=legend_h + unit_h + 4,
        right=width - 8,
        bottom=height - below,
        lo=ticks[0],
        hi=ticks[-1],
    )

    out = [
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" role="img" '
        f'aria-labelledby="{key}-title {key}-desc" font-family="{_x(font)}" fill="{INK}">',
        f'<title id="{key}-title">{_x(chart.title)}</title>',
        f'<desc id="{key}-desc">{_x(chart.alt_text)}</desc>',
    ]
    if has_hidden:
        out.append(
            f'<defs><pattern id="{hatch}" width="5" height="5" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="5" height="5" fill="#f5f5f5"/>'
            f'<line x1="0" y1="0" x2="0" y2="5" stroke="#bdbdbd" stroke-width="1.2"/>'
            "</pattern></defs>"
        )
    out.extend(legend)
    out.append(_text(4, legend_h + size + 1, chart.unit, size=size, fill=MUTED))

    # Hidden values first: a light hatched band behind the grid, never a bar of some height.
    back, front = (
        _bars(series, labels, frame, hatch)
        if chart.kind == "bar"
        else ([], _lines(series, labels, frame))
    )
    out.extend(back)

    # Grid and y axis.
    if values:
        for tick, label in zip(ticks, tick_text, strict=True):
            y = frame.y(tick)
            colour = "#9e9e9e" if tick == 0 else GRID
            out.append(
                f'<line x1="{_n(frame.left)}" y1="{_n(y)}" x2="{_n(frame.right)}" y2="{_n(y)}" '
                f'stroke="{colour}" stroke-width="0.6"/>'
            )
            out.append(_text(frame.left - 4, y + size * 0.35, label, size=size, anchor="end"))
    out.append(
        f'<line x1="{_n(frame.left)}" y1="{_n(frame.bottom)}" x2="{_n(frame.right)}" '
        f'y2="{_n(frame.bottom)}" stroke="#6b6b6b" stroke-width="0.8"/>'
    )

    every = 1 if turned else max(1, math.ceil(widest / slot)) if slot else 1
    for i, label in enumerate(shown_labels):
        cx = frame.left + slot * (i + 0.5)
        if turned:
            x, y = cx + size * 0.3, frame.bottom + 6
            out.append(
                _text(
                    x, y, label, size=size, anchor="end", transform=f"rotate(-40 {_n(x)} {_n(y)})"
                )
            )
        elif i % every == 0:
            out.append(_text(cx, frame.bottom + size + 4, label, size=size, anchor="middle"))

    out.extend(front)

    if chart.target is not None and values:
        y = frame.y(chart.target)
        out.append(
            f'<line x1="{_n(frame.left)}" y1="{_n(y)}" x2="{_n(frame.right)}" y2="{_n(y)}" '
            f'stroke="{TARGET}" stroke-width="1.2" stroke-dasharray="5 3"/>'
        )
    if not values:
        message = w["all_hidden"] if has_hidden else w["no_value"]
        out.append(
            _text(
                (frame.left + frame.right) / 2,
                (frame.top + frame.bottom) / 2,
                message,
                size=size + 1,
                anchor="middle",
                fill=MUTED,
            )
        )
    out.append("</svg>")
    return "".join(out)


def _legend_item(
    kind: str, label: str, x: float, y: float, size: float, chart_kind: str, hatch: str
) -> str:
    mid = y - size * 0.35
    if kind.startswith("series:"):
        colour = PALETTE[int(kind.split(":")[1]) % len(PALETTE)]
        if chart_kind == "bar":
            mark = f'<rect x="{_n(x)}" y="{_n(mid - 4)}" width="12" height="8" fill="{colour}"/>'
        else:
            mark = (
                f'<line x1="{_n(x)}" y1="{_n(mid)}" x2="{_n(x + 12)}" y2="{_n(mid)}" '
                f'stroke="{colour}" stroke-width="2"/>'
                f'<circle cx="{_n(x + 6)}" cy="{_n(mid)}" r="2.2" fill="{colour}"/>'
            )
    elif kind == "target":
        mark = (
            f'<line x1="{_n(x)}" y1="{_n(mid)}" x2="{_n(x + 12)}" y2="{_n(mid)}" '
            f'stroke="{TARGET}" stroke-width="1.2" stroke-dasharray="5 3"/>'
        )
    elif chart_kind == "bar":
        mark = (
            f'<rect x="{_n(x)}" y="{_n(mid - 4)}" width="12" height="8" fill="url(#{hatch})" '
            f'stroke="#bdbdbd" stroke-width="0.6"/>'
        )
    else:
        mark = (
            f'<circle cx="{_n(x + 6)}" cy="{_n(mid)}" r="2.6" fill="#ffffff" '
            f'stroke="{HIDDEN}" stroke-width="1.2"/>'
        )
    return mark + _text(x + 16, y, label, size=size)


def _slot(frame: _Frame, labels: list[str]) -> float:
    return (frame.right - frame.left) / max(len(labels), 1)


def _bars(
    series: Sequence[Series], labels: list[str], frame: _Frame, hatch: str
) -> tuple[list[str], list[str]]:
    """(hatched bands of hidden values, bars of shown ones)."""
    slot = _slot(frame, labels)
    back: list[str] = []
    out: list[str] = []
    count = max(len(series), 1)
    group = slot * 0.78
    bar = group / count
    base = frame.y(max(frame.lo, min(0.0, frame.hi)))
    index = {label: i for i, label in enumerate(labels)}
    for s_i, one in enumerate(series):
        colour = PALETTE[s_i % len(PALETTE)]
        for point in one.points:
            x = frame.left + slot * index[point.label] + (slot - group) / 2 + bar * s_i
            value = _shown(point)
            if point.hidden:
                back.append(
                    f'<rect x="{_n(x + 0.5)}" y="{_n(frame.top)}" width="{_n(bar - 1)}" '
                    f'height="{_n(frame.bottom - frame.top)}" fill="url(#{hatch})"/>'
                )
            elif value is not None:
                y = frame.y(value)
                top, h = min(y, base), abs(base - y)
                out.append(
                    f'<rect x="{_n(x + 0.5)}" y="{_n(top)}" width="{_n(bar - 1)}" '
                    f'height="{_n(max(h, 0.6))}" fill="{colour}"/>'
                )
    return back, out


def _lines(series: Sequence[Series], labels: list[str], frame: _Frame) -> list[str]:
    slot = _slot(frame, labels)
    out: list[str] = []
    index = {label: i for i, label in enumerate(labels)}
    for s_i, one in enumerate(series):
        colour = PALETTE[s_i % len(PALETTE)]
        runs: list[list[tuple[float, float]]] = [[]]
        marks: list[str] = []
        for point in one.points:
            cx = frame.left + slot * (index[point.label] + 0.5)
            value = _shown(point)
            if value is None:
                if runs[-1]:
                    runs.append([])
                if point.hidden:
                    marks.append(
                        f'<circle cx="{_n(cx)}" cy="{_n(frame.bottom)}" r="3" fill="#ffffff" '
                        f'stroke="{colour}" stroke-width="1.3"/>'
                    )
                continue
            cy = frame.y(value)
            runs[-1].append((cx, cy))
            marks.append(f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="2.4" fill="{colour}"/>')
        for run in runs:
            if len(run) > 1:
                pts = " ".join(f"{_n(x)},{_n(y)}" for x, y in run)
                out.append(
                    f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.8" '
                    'stroke-linejoin="round" stroke-linecap="round"/>'
                )
        out.extend(marks)
    return out


# --- sparklines ------------------------------------------------------------------------------


def sparkline_alt(points: Sequence[Point], lang: str = "en") -> str:
    """Words for a sparkline: ``Trend 2021–2025: 12, 14, not shown, 15``."""
    w = words(lang)
    if not points:
        return w["no_trend"]
    parts = [
        w["not_shown"].lower() if p.hidden else "–" if (v := _shown(p)) is None else short_number(v)
        for p in points
    ]
    span = points[0].label if len(points) == 1 else f"{points[0].label}–{points[-1].label}"
    return f"{w['trend']} {span}: {', '.join(parts)}"


def sparkline_svg(
    points: Sequence[Point], *, key: str, lang: str = "en", width: float = 72, height: float = 20
) -> str:
    """A small trend line: the last value emphasised, hidden values as open marks on the base."""
    alt = sparkline_alt(points, lang)
    key = slug(key)
    pad = 3.0
    values = [v for p in points if (v := _shown(p)) is not None]
    out = [
        f'<svg xmlns="{SVG_NS}" viewBox="0 0 {_n(width)} {_n(height)}" '
        f'width="{_n(width)}" height="{_n(height)}" role="img" aria-labelledby="{key}-title">',
        f'<title id="{key}-title">{_x(alt)}</title>',
        f"<desc>{_x(alt)}</desc>",
        f'<line x1="{_n(pad)}" y1="{_n(height - pad)}" x2="{_n(width - pad)}" '
        f'y2="{_n(height - pad)}" stroke="{GRID}" stroke-width="0.6"/>',
    ]
    if points:
        lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
        if hi == lo:
            lo, hi = lo - 1, hi + 1
        step = (width - 2 * pad) / max(len(points) - 1, 1)

        def y(v: float) -> float:
            return height - pad - 1.5 - (v - lo) / (hi - lo) * (height - 2 * pad - 3)

        def x(i: int) -> float:
            return pad + step * i if len(points) > 1 else width / 2

        run: list[str] = []
        lines: list[str] = []
        marks: list[str] = []
        for i, point in enumerate(points):
            value = _shown(point)
            if value is None:
                if len(run) > 1:
                    lines.append(" ".join(run))
                run = []
                if point.hidden:
                    marks.append(
                        f'<circle cx="{_n(x(i))}" cy="{_n(height - pad)}" r="1.8" fill="#ffffff" '
                        f'stroke="{HIDDEN}" stroke-width="0.9"/>'
                    )
                continue
            run.append(f"{_n(x(i))},{_n(y(value))}")
            if i == len(points) - 1 or _shown(points[i + 1]) is None and len(run) == 1:
                r = "2" if i == len(points) - 1 else "1.3"
                marks.append(
                    f'<circle cx="{_n(x(i))}" cy="{_n(y(value))}" r="{r}" fill="{PALETTE[0]}"/>'
                )
        if len(run) > 1:
            lines.append(" ".join(run))
        for pts in lines:
            out.append(
                f'<polyline points="{pts}" fill="none" stroke="{PALETTE[0]}" stroke-width="1.3" '
                'stroke-linejoin="round"/>'
            )
        out.extend(marks)
    out.append("</svg>")
    return "".join(out)


# --- shared by both renderers ----------------------------------------------------------------


def status_overview(report: Report) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...]]:
    """Results at a glance: per sector, how many indicators have each status (the statuses that
    occur, in a fixed order, headed by their words)."""
    labels: dict[str, str] = {}
    for section in report.sectors:
        for row in section.results:
            labels.setdefault(row.status, row.status_label)
    keys = [k for k in STATUS_ORDER if k in labels] + sorted(set(labels) - set(STATUS_ORDER))
    rows = []
    for section in report.sectors:
        counts = [sum(r.status == k for r in section.results) for k in keys]
        rows.append((section.title, str(len(section.results)), *map(str, counts)))
    return tuple(labels[k] for k in keys), tuple(rows)


def status_colours(status: str) -> tuple[str, str]:
    """(fill, ink) of a status label."""
    return STATUS_STYLE.get(status, ("#ffffff", "#3c3c3c"))


MONTHS = {
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    )
}


def long_date(day: dt.date | None, lang: str = "en") -> str:
    """``31 December 2025`` (ISO in a language without month names here; ``–`` for none)."""
    if day is None:
        return words(lang)["none"]
    months = MONTHS.get(lang)
    return f"{day.day} {months[day.month - 1]} {day.year}" if months else day.isoformat()


def cover_facts(report: Report) -> tuple[tuple[str, str], ...]:
    """The cover's label and value pairs, in order."""
    w, c = words(report.lang), report.cover
    return (
        (w["country"], c.country),
        (w["period"], c.period_label),
        (w["audience"], c.audience_label),
        (w["data_cutoff"], long_date(c.data_cutoff, report.lang)),
        (w["version"], c.warehouse_version),
        (w["published"], c.published_at),
    )


def all_sections(report: Report) -> tuple[Section, ...]:
    """Every section after the summary, in reading order."""
    return (*report.sectors, report.care_reform, report.quality, report.methodology)


def published_datetime(report: Report) -> dt.datetime | None:
    """When the report was published (``2026-12-03 06:12 UTC``), for the document's metadata;
    the data cut-off when that does not parse; None without either. Never the clock."""
    text = report.cover.published_at.strip().removesuffix("UTC").strip()
    for fmt in ("%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).replace(tzinfo=dt.UTC)
        except ValueError:
            continue
    if report.cover.data_cutoff is not None:
        day = report.cover.data_cutoff
        return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    return None


# A number, maybe with a short unit after it: 12, 1,050, 98.8%, 263.5 per 100,000, 41 days.
_NUMBER = re.compile(r"^[–−+-]?\d[\d.,  ]*(\s*%|\s+[^\W\d][\w  ,.]{0,20})?$")


def numeric_columns(table: Table) -> tuple[bool, ...]:
    """Per column: do most of its cells read as numbers (to be aligned right)?"""
    flags = []
    for i in range(len(table.columns)):
        cells = [
            row[i].strip()
            for row in table.rows
            if i < len(row) and row[i].strip() not in ("", "–")
            and not row[i].strip().startswith(NOT_SHOWN)  # a hidden value stands for a number
        ]  # fmt: skip
        numbers = sum(bool(_NUMBER.match(cell)) for cell in cells)
        flags.append(bool(cells) and numbers * 2 > len(cells))
    return tuple(flags)


def unbroken(text: str) -> str:
    """``per 100 000`` kept on one line (no-break spaces)."""
    return text.replace(" ", "\u00a0")


def keep_unit(value: str) -> str:
    """``37.8 per 100,000`` may break after the number only (``37.8`` / ``per 100,000``)."""
    if not re.match(r"^[–−+-]?\d", value) or " " not in value:
        return value
    number, rest = value.split(" ", 1)
    return f"{number} {rest.replace(' ', chr(0xA0))}"


def column_weights(table: Table) -> tuple[float, ...]:
    """0 for a column of short cells (sized to its content), else a share of the free width that
    grows with its longest cell, so long text wraps instead of squeezing the numbers."""
    weights = []
    for i, column in enumerate(table.columns):
        longest = max([len(column)] + [len(row[i]) for row in table.rows if i < len(row)])
        weights.append(0.0 if longest <= 26 else round(min(longest, 90) / 10, 1))
    return tuple(weights)


def as_records(table: Table) -> int:
    """0 to draw ``table`` as a table; else it is too wide for a page (six or more columns, three
    of them long text, e.g. indicator definitions) and each row is drawn as a record headed by
    its first 1 or 2 cells: the number returned."""
    weights = column_weights(table)
    if len(weights) < 6 or sum(w > 0 for w in weights) < 3:
        return 0
    return 2 if weights[0] == 0 else 1
