"""Outliers in indicator counts by district: a value far from the district's own recent months.

For each indicator whose numerator is a count (counts, rates' numerators), each district's monthly
totals are compared with the median of the same district's previous ``WINDOW`` months. A month is
flagged when its distance from that median is more than ``K`` robust standard deviations (1.4826 x the
median absolute deviation, MAD) AND at least ``MIN_ABS_CHANGE`` AND at least ``MIN_REL_CHANGE`` of the
median. The floors keep small and zero-heavy districts quiet (0 -> 1 -> 0 is not news), and a district
whose values never move (MAD = 0) is flagged only for a real jump. The month must also jump from the
month before by the same margins, so a steady trend or a lasting new level is flagged once, when it
starts, not in every month after. Results are warnings: one per indicator, naming the largest few,
never one per district-month.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

from cpmonitor.core import vocabularies
from expectations.results import CheckResult, utc_now

SUITE = "outliers"
TARGET = "main.fct_indicator_values"
EXPECTATION = "district_values_near_their_usual_level"
WINDOW = 12
MIN_HISTORY = 6
K = 5.0
MIN_ABS_CHANGE = 5.0
MIN_REL_CHANGE = 0.5
EXAMPLES = 5
MAD_SCALE = 1.4826
# Kinds whose numerator is a count of children, cases or events (cumulative series are left out:
# they only grow, which is not news): one home, the vocabularies.
COUNT_KINDS = vocabularies.COUNT_KINDS

SERIES_QUERY = """
select f.indicator_code, d.indicator_name, f.geo_code, g.geo_name, f.period_id, f.period_end,
       f.numerator
from main.fct_indicator_values f
join main.dim_indicator d using (indicator_code)
left join main.dim_geography g on g.geo_code = f.geo_code
where f.geo_level = 'district' and f.period_type = 'month'
  and f.disaggregation = 'total' and f.disaggregation_value = 'total'
  and d.kind in ({kinds})
order by f.indicator_code, f.geo_code, f.period_end
"""


def fetch_district_series(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Monthly district totals of the count-based indicators of a warehouse."""
    kinds = ", ".join(f"'{k}'" for k in COUNT_KINDS)
    return con.execute(SERIES_QUERY.format(kinds=kinds)).fetchdf()


def flag_outliers(
    series: pd.DataFrame,
    *,
    window: int = WINDOW,
    min_history: int = MIN_HISTORY,
    k: float = K,
    min_abs: float = MIN_ABS_CHANGE,
    min_rel: float = MIN_REL_CHANGE,
) -> pd.DataFrame:
    """Rows of ``series`` (sorted by period within indicator and district) that are outliers, with
    the district's ``usual`` value (rolling median of previous months) and ``score`` (|x - usual| /
    robust sd, infinite when the past never moved)."""
    frame = series[series["numerator"].notna()]
    frame = frame.sort_values(["indicator_code", "geo_code", "period_end"]).reset_index(drop=True)
    numerators = frame["numerator"].to_numpy(dtype=float)
    usual = np.full(len(frame), np.nan)
    mad = np.full(len(frame), np.nan)
    for positions in frame.groupby(["indicator_code", "geo_code"], sort=False).indices.values():
        stats = _past_median_and_mad(numerators[positions], window, min_history)
        usual[positions], mad[positions] = stats
    deviation = np.abs(numerators - usual)
    spread = MAD_SCALE * mad
    # The month before, in the same district: a sustained change (a roll-out, a steady decline, a
    # new level) is news once, in the month it happens, not in every month after it.
    previous = np.full(len(frame), np.nan)
    for positions in frame.groupby(["indicator_code", "geo_code"], sort=False).indices.values():
        previous[positions[1:]] = numerators[positions[:-1]]
    jump = np.abs(numerators - previous)
    with np.errstate(divide="ignore", invalid="ignore"):
        score = np.where(spread > 0, deviation / spread, np.where(deviation > 0, np.inf, 0.0))
        flagged = (
            ~np.isnan(usual)
            & (deviation > k * spread)
            & (deviation >= min_abs)
            & (deviation >= min_rel * np.abs(usual))
            & ~np.isnan(previous)
            & (jump > k * spread)
            & (jump >= min_abs)
            & (jump >= min_rel * np.abs(previous))
        )
    return frame.assign(usual=usual, score=score)[flagged].reset_index(drop=True)


def _past_median_and_mad(
    values: np.ndarray, window: int, min_history: int
) -> tuple[np.ndarray, np.ndarray]:
    """For each position: median and MAD of up to ``window`` previous values (NaN when fewer than
    ``min_history``)."""
    padded = np.concatenate([np.full(window, np.nan), values])
    past = np.lib.stride_tricks.sliding_window_view(padded[:-1], window)
    enough = (~np.isnan(past)).sum(axis=1) >= min_history
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        median = np.nanmedian(past, axis=1)
        mad = np.nanmedian(np.abs(past - median[:, None]), axis=1)
    return np.where(enough, median, np.nan), np.where(enough, mad, np.nan)


def check_outliers(
    series: pd.DataFrame, *, run_id: str, indicator_codes: list[str] | None = None
) -> list[CheckResult]:
    """One warning result per indicator with flagged district-months; a passing one otherwise."""
    flagged = flag_outliers(series)
    codes = indicator_codes or sorted(series["indicator_code"].dropna().unique())
    checked_at = utc_now()
    results = []
    for code in codes:
        hits = flagged[flagged["indicator_code"] == code]
        results.append(
            CheckResult(
                run_id=run_id,
                checked_at=checked_at,
                suite=SUITE,
                target=f"{TARGET} {code}",
                expectation=EXPECTATION,
                column_name="numerator",
                success=hits.empty,
                severity="warning",
                unexpected_count=len(hits),
                details="" if hits.empty else describe(hits),
            )
        )
    return results


def check_warehouse_outliers(db_path: Path, *, run_id: str) -> list[CheckResult]:
    """Outlier checks on a built warehouse (opened read-only)."""
    with duckdb.connect(str(db_path), read_only=True) as con:
        series = fetch_district_series(con)
    return check_outliers(series, run_id=run_id)


def describe(hits: pd.DataFrame) -> str:
    """``AC04 Children in residential care: 2 district-months far from ...`` with the largest few."""
    first = hits.iloc[0]
    name = first.get("indicator_name") or first["indicator_code"]
    top = hits.assign(_gap=(hits["numerator"] - hits["usual"]).abs()).sort_values(
        ["_gap", "period_end"], ascending=[False, True]
    )
    examples = [
        f"{_place(r)} {r['period_id']}: {_number(r['numerator'])} against a usual "
        f"{_number(r['usual'])}"
        for _, r in top.head(EXAMPLES).iterrows()
    ]
    n = len(hits)
    what = "1 district-month is" if n == 1 else f"{n} district-months are"
    more = "e.g. " if n > EXAMPLES else ""
    return (
        f"{first['indicator_code']} {name}: {what} far from the district's usual level "
        f"(median of its previous {WINDOW} months); worth checking with the district "
        f"({more}{'; '.join(examples)})"
    )


def _place(row: pd.Series) -> str:
    name = row.get("geo_name")
    return f"{name} ({row['geo_code']})" if isinstance(name, str) and name else str(row["geo_code"])


def _number(value: float) -> str:
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
