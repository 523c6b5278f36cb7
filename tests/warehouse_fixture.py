"""A small, hand-checkable published warehouse for dashboard and analyst tests.

Fictional country "Republic of Examplia": 2 provinces (01 Northlake, 02 Southhill), 4 districts
(0101, 0102, 0201, 0202), months 2015-01 to 2018-12 with quarters and years. Every number follows a
simple rule so tests can state expected values computed by hand:

- AC04 children in residential care, district d, month index i (0 = 2015-01): ``B_d - K_d * i`` with
  B = 1000, 800, 600, 400 and K = 5, 4, 3, 2. National at 2018-12 (i = 47): 2142; at 2015-12: 2646.
  Province 01 at 2018-12: 1377, province 02: 765. Sex rows: female = round(0.45 * total).
- AC05 institutions open: 12, 10, 8, 6 in 2015, one fewer per district each following year.
  National 36 in 2015, 24 in 2018; province 01 22 -> 16, province 02 14 -> 8.
- AC03 per 100 000: AC04 / child population (200 000, 150 000, 120 000, 80 000) * 100 000.
  2018 national 2142 / 550 000 -> 389.4545..; province 01 1377 / 350 000 -> 393.43; 02 765 / 200 000 -> 382.5.
- AC06 exits to a family (%): per month family/all exits 6/10, 4/8, 3/6, 2/4.
  A year nationally: 180 / 336 -> 53.57 %; province 01 120 / 216 -> 55.56 %; province 02 60 / 120 -> 50 %.
- AC06 by sex: female exits to a family / exits a month 3/5, 2/4, 2/3, 1/2 per district, male the rest
  (3/5, 2/4, 1/3, 1/2). A year nationally: female 96 / 168 -> 57.14 %, male 84 / 168 -> 50 %.
- AC07 reintegrated since baseline (2015-12-31): 4, 3, 2, 1 a month from 2016-01 over the 2015-12 stock
  (945, 756, 567, 378). 2018-12 national 360 / 2646 -> 13.61 %; province 01 252 / 1701 -> 14.81 %.
- SS02 cases referred by schools (a count, quarters and years only): 3, 1, 0, 2 a month per district,
  so a quarter gives 9, 3 (below the disclosure threshold: Reedmarsh is suppressed), 0 (shown), 6;
  provinces 12 and 6, national 18 a quarter, 72 a year. National 2018 Q4 by group: female 9, male 9;
  age 5-9 3 (suppressed), 10-14 6, 15-17 9; disability yes 3 (suppressed), no 15.
- SS08 children in cash-transfer households (%, quarters and years only): 10, 14, 18, 22 % of the
  child population in 2015-2018 in every district except Hollowfield (0202) at 15 % in 2018.
  2018 national (103 400 + 12 000) / 550 000 -> 20.98 %; province 02 38 400 / 200 000 -> 19.2 %.
- JC04 median days of pre-sentence detention (months of 2018 and the year 2018, final values): national
  median 46 - month over 25 detentions (Dec 2018: 34 days); districts 40, 30, 50, 20 days over 10, 6, 4
  (suppressed: fewer than 5 records), 5 detentions; provinces 36 over 16 and 35 over 9; national Dec 2018
  by sex female 33 (12), male 36 (13), by age 10-14 28 over 3 (suppressed), 15-17 35 (22).
- VE14 survey (violent discipline, %): national 2015 62.0 (95% CI 58.1-65.9) and 2018 55.5 (51.2-59.8),
  no estimate in 2016-2017; 2018 provinces 53.0 (47.0-59.0), 59.2 (52.5-65.9) (province 02 carries a
  sample count of 4: survey estimates are never suppressed); 2018 female 53.1, male 57.8.

Targets and status (the mart's rule, worked by hand): AC06 target 80 % by 2025 with no baseline: every
value below 80 is off track, no progress. AC07 target 30 % by 2018 from 0 on 2015-12-31: the straight
path (e.g. 20.01 % on 2017-12-31) is never reached, so off track; 2018 is the target year: compared with
30 itself; progress = value / 30 x 100 (2018-12 national 45.35). SS08 target 20 % by 2025, no baseline:
2018 national 20.98 on track, province 02 19.2 off track, Hollowfield 15 off track, earlier years off
track. Every other fixture indicator has no target: ``no_target``.

What values rest on (display only: the numbers above stay as they are): every row has 100 % of its
deliveries except SS02 in 2018-Q4 (2 of 3, 66.7 %) and 2018 (11 of 12, 91.7 %), flagged partial with
the note ``NOTE_SS02``; SS08 in 2018-Q4 and 2018 rests on a corrected resubmission: restated, with the
note ``NOTE_SS08``.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from cpmonitor.analyst.schema import contract_columns
from cpmonitor.core.access import load_access
from cpmonitor.core.settings import CATALOGUE_FILE
from cpmonitor.disclosure import protect_build

COUNTRY = "Republic of Examplia"
PROVINCES = {"01": "Northlake", "02": "Southhill"}
DISTRICTS = {
    # code: (name, province, AC04 start, AC04 monthly fall, institutions 2015, population,
    #        exits to family a month, all exits a month, reintegrations a month)
    "0101": ("Lakeshore", "01", 1000, 5, 12, 200_000, 6, 10, 4),
    "0102": ("Reedmarsh", "01", 800, 4, 10, 150_000, 4, 8, 3),
    "0201": ("Stonebridge", "02", 600, 3, 8, 120_000, 3, 6, 2),
    "0202": ("Hollowfield", "02", 400, 2, 6, 80_000, 2, 4, 1),
}
FIRST_YEAR, LAST_YEAR = 2015, 2018
BASELINE_MONTH = 11  # month index of 2015-12
PUBLISHED_AT = "2019-01-15 06:30:00"  # UTC

NOTE_SS02 = "Missing delivery of Child protection cases (Ministry of Social Affairs) for 2018-11"
NOTE_SS08 = (
    "Restated: Social cash transfer households (Ministry of Social Affairs) for 2018-Q3 was "
    "corrected by a resubmission"
)

_CATALOGUE_TYPES = {
    "display_order": "INTEGER",
    "window_months": "INTEGER",
    "factor": "DOUBLE",
    "baseline_value": "DOUBLE",
    "baseline_date": "DATE",
    "target_value": "DOUBLE",
    "target_year": "INTEGER",
}


def _square(lon: float, lat: float, width: float, height: float) -> str:
    """GeoJSON Polygon of a rectangle, exterior ring counter-clockwise (RFC 7946)."""
    ring = [
        [lon, lat],
        [lon + width, lat],
        [lon + width, lat + height],
        [lon, lat + height],
        [lon, lat],
    ]
    return json.dumps({"type": "Polygon", "coordinates": [ring]})


def _geography() -> pd.DataFrame:
    rows = [
        {
            "geo_code": "NAT",
            "geo_name": COUNTRY,
            "geo_level": "national",
            "parent_code": None,
            "province_code": None,
            "province_name": None,
            "boundary_geojson": None,
        }
    ]
    for index, (code, name) in enumerate(PROVINCES.items()):
        rows.append(
            {
                "geo_code": code,
                "geo_name": name,
                "geo_level": "province",
                "parent_code": "NAT",
                "province_code": code,
                "province_name": name,
                "boundary_geojson": _square(104.0 + 2 * index, 11.0, 2.0, 2.0),
            }
        )
    for code, (name, province, *_rest) in DISTRICTS.items():
        p_index = list(PROVINCES).index(province)
        d_index = int(code[2:]) - 1
        rows.append(
            {
                "geo_code": code,
                "geo_name": name,
                "geo_level": "district",
                "parent_code": province,
                "province_code": province,
                "province_name": PROVINCES[province],
                "boundary_geojson": _square(104.0 + 2 * p_index + d_index, 11.0, 1.0, 2.0),
            }
        )
    return pd.DataFrame(rows)


def _months() -> list[tuple[int, int]]:
    return [(y, m) for y in range(FIRST_YEAR, LAST_YEAR + 1) for m in range(1, 13)]


def _periods() -> pd.DataFrame:
    rows = []
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        for month in range(1, 13):
            start = dt.date(year, month, 1)
            end = (pd.Timestamp(start) + pd.offsets.MonthEnd(0)).date()
            rows.append(
                (
                    f"{year}-{month:02d}",
                    "month",
                    start,
                    end,
                    year,
                    (month - 1) // 3 + 1,
                    month,
                    start.strftime("%b %Y"),
                )
            )
        for quarter in range(1, 5):
            start = dt.date(year, 3 * quarter - 2, 1)
            end = (pd.Timestamp(dt.date(year, 3 * quarter, 1)) + pd.offsets.MonthEnd(0)).date()
            rows.append(
                (
                    f"{year}-Q{quarter}",
                    "quarter",
                    start,
                    end,
                    year,
                    quarter,
                    None,
                    f"{year} Q{quarter}",
                )
            )
        rows.append(
            (
                str(year),
                "year",
                dt.date(year, 1, 1),
                dt.date(year, 12, 31),
                year,
                None,
                None,
                str(year),
            )
        )
    columns = ["period_id", "period_type", "period_start", "period_end", "year", "quarter",
               "month", "period_label"]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _district_monthly() -> pd.DataFrame:
    """Numerator and denominator of the additive fixture indicators per district and month, as totals
    and by group (``disaggregation``, ``disaggregation_value``)."""
    rows = []
    ss02 = {  # cases referred by schools a month: total, then groups
        "0101": (3, [("sex", "female", 2), ("sex", "male", 1), ("age_band", "10-14", 2),
                     ("age_band", "15-17", 1), ("disability", "no", 3)]),
        "0102": (1, [("sex", "female", 1), ("age_band", "5-9", 1), ("disability", "yes", 1)]),
        "0201": (0, []),
        "0202": (2, [("sex", "male", 2), ("age_band", "15-17", 2), ("disability", "no", 2)]),
    }  # fmt: skip
    ac06_female = {"0101": (3, 5), "0102": (2, 4), "0201": (2, 3), "0202": (1, 2)}
    for code, (_n, _p, start, fall, inst, pop, fam, exits, reint) in DISTRICTS.items():
        baseline_stock = start - fall * BASELINE_MONTH
        for i, (year, month) in enumerate(_months()):
            stock = start - fall * i
            period_id = f"{year}-{month:02d}"
            total = ("total", "total")
            female_fam, female_exits = ac06_female[code]
            cash_rate = 0.15 if (code == "0202" and year == 2018) else 0.10 + 0.04 * (year - 2015)
            rows += [
                ("AC04", period_id, code, *total, stock, None),
                ("AC03", period_id, code, *total, stock, pop),
                ("AC05", period_id, code, *total, inst - (year - FIRST_YEAR), None),
                ("AC06", period_id, code, *total, fam, exits),
                ("AC06", period_id, code, "sex", "female", female_fam, female_exits),
                ("AC06", period_id, code, "sex", "male", fam - female_fam, exits - female_exits),
                ("SS02", period_id, code, *total, ss02[code][0], None),
                ("SS08", period_id, code, *total, round(pop * cash_rate), pop),
            ]
            rows += [
                ("SS02", period_id, code, group, value, n, None)
                for group, value, n in ss02[code][1]
            ]
            if i >= BASELINE_MONTH:
                rows.append(
                    ("AC07", period_id, code, *total, reint * (i - BASELINE_MONTH), baseline_stock)
                )
    return pd.DataFrame(
        rows,
        columns=["indicator_code", "period_id", "geo_code", "disaggregation",
                 "disaggregation_value", "numerator", "denominator"],
    )  # fmt: skip


_FACTOR = {
    "AC03": 100_000.0,
    "AC04": None,
    "AC05": None,
    "AC06": 100.0,
    "AC07": 100.0,
    "SS02": None,
    "SS08": 100.0,
}
_FLOWS = {"AC06", "SS02"}  # summed over months; the others are taken at period end
_NO_MONTHS = {"SS02", "SS08"}  # delivered as quarters and years only in this fixture
_GROUP_KEYS = ["indicator_code", "geo_level", "geo_code", "disaggregation", "disaggregation_value"]


def _final_values(periods: pd.DataFrame) -> pd.DataFrame:
    """Medians and survey estimates, written as the sector models deliver them (not summable)."""
    rows = []
    for month in range(1, 13):
        period_id = f"2018-{month:02d}"
        rows.append(("JC04", period_id, "national", "NAT", "total", "total", 25, 46 - month))
        for code, records, median in (("01", 16, 36), ("02", 9, 35)):
            rows.append(("JC04", period_id, "province", code, "total", "total", records, median))
        for code, records, median in (
            ("0101", 10, 40), ("0102", 6, 30), ("0201", 4, 50), ("0202", 5, 20)
        ):  # fmt: skip
            rows.append(("JC04", period_id, "district", code, "total", "total", records, median))
    for group, value, records, median in (
        ("sex", "female", 12, 33), ("sex", "male", 13, 36),
        ("age_band", "10-14", 3, 28), ("age_band", "15-17", 22, 35),
    ):  # fmt: skip
        rows.append(("JC04", "2018-12", "national", "NAT", group, value, records, median))
    rows.append(("JC04", "2018", "national", "NAT", "total", "total", 300, 35))
    medians = pd.DataFrame(
        rows,
        columns=["indicator_code", "period_id", "geo_level", "geo_code", "disaggregation",
                 "disaggregation_value", "denominator", "value"],
    )  # fmt: skip
    # The numerator of a median is the total of days (numerator / denominator is the mean).
    medians["numerator"] = medians["denominator"] * medians["value"]

    survey = pd.DataFrame(
        [
            ("2015", "national", "NAT", "total", "total", None, None, 62.0, 58.1, 65.9),
            ("2018", "national", "NAT", "total", "total", None, None, 55.5, 51.2, 59.8),
            ("2018", "province", "01", "total", "total", None, None, 53.0, 47.0, 59.0),
            ("2018", "province", "02", "total", "total", 4, 7, 59.2, 52.5, 65.9),
            ("2018", "national", "NAT", "sex", "female", None, None, 53.1, 48.0, 58.2),
            ("2018", "national", "NAT", "sex", "male", None, None, 57.8, 52.9, 62.7),
        ],
        columns=["period_id", "geo_level", "geo_code", "disaggregation", "disaggregation_value",
                 "numerator", "denominator", "value", "ci_lower", "ci_upper"],
    ).assign(indicator_code="VE14")  # fmt: skip
    frame = pd.concat([medians, survey], ignore_index=True)
    bounds = periods.set_index("period_id")
    frame["period_type"] = frame["period_id"].map(bounds["period_type"])
    frame["period_start"] = frame["period_id"].map(bounds["period_start"])
    frame["period_end"] = frame["period_id"].map(bounds["period_end"])
    return frame


# The catalogue's targets for the fixture indicators that have one (seeds/indicator_catalogue.csv):
# code: (direction, baseline value, baseline date, target value, target year).
_TARGETS = {
    "AC06": ("up", None, None, 80.0, 2025),
    "AC07": ("up", 0.0, dt.date(2015, 12, 31), 30.0, 2018),
    "SS08": ("up", None, None, 20.0, 2025),
}


def _target_columns(facts: pd.DataFrame) -> pd.DataFrame:
    """``target_value``, ``progress`` and ``status`` as the mart computes them (its model
    description): straight path from baseline to target, direction-aware; the target itself with no
    baseline or from the target year on. Every fixture target is a percentage (judged at every level)."""
    target_values, progress, status = [], [], []
    for row in facts.itertuples(index=False):
        value = row.value
        spec = _TARGETS.get(row.indicator_code)
        if spec is None:
            target_values.append(None)
            progress.append(None)
            status.append(None if pd.isna(value) else "no_target")
            continue
        direction, base, base_date, target, year = spec
        target_values.append(target)
        if pd.isna(value):
            progress.append(None)
            status.append(None)
            continue
        end = pd.Timestamp(row.period_end).date()
        if base is None or end.year >= year:
            expected = target
        else:
            deadline = dt.date(year, 12, 31)
            expected = base + (target - base) * (end - base_date).days / (deadline - base_date).days
        good = value >= expected if direction == "up" else value <= expected
        status.append("on_track" if good else "off_track")
        progress.append(None if base is None else (value - base) / (target - base) * 100)
    return facts.assign(target_value=target_values, progress=progress, status=status)


def _facts(periods: pd.DataFrame) -> pd.DataFrame:
    monthly = _district_monthly()
    district_province = {code: spec[1] for code, spec in DISTRICTS.items()}
    levels = [
        monthly.assign(geo_level="district"),
        monthly.assign(geo_code=monthly["geo_code"].map(district_province), geo_level="province"),
        monthly.assign(geo_code="NAT", geo_level="national"),
    ]
    by_geo = (
        pd.concat(levels)
        .groupby(["period_id", *_GROUP_KEYS], as_index=False)[["numerator", "denominator"]]
        .sum(min_count=1)
    )
    months = periods[periods["period_type"] == "month"].set_index("period_id")
    by_geo["year"] = by_geo["period_id"].map(months["year"])
    by_geo["quarter"] = by_geo["period_id"].map(months["quarter"])
    by_geo["month"] = by_geo["period_id"].map(months["month"])

    frames = [by_geo[~by_geo["indicator_code"].isin(_NO_MONTHS)].assign(period_type="month")]
    for period_type, keys in (("quarter", ["year", "quarter"]), ("year", ["year"])):
        group_keys = [*_GROUP_KEYS, *keys]
        flows = by_geo[by_geo["indicator_code"].isin(_FLOWS)]
        summed = flows.groupby(group_keys, as_index=False)[["numerator", "denominator"]].sum(
            min_count=1
        )
        stocks = by_geo[~by_geo["indicator_code"].isin(_FLOWS)].sort_values("month")
        last = stocks.groupby(group_keys, as_index=False, dropna=False).last()
        rolled = pd.concat([summed, last[summed.columns]])
        if period_type == "quarter":
            rolled["period_id"] = (
                rolled["year"].astype(int).astype(str)
                + "-Q"
                + rolled["quarter"].astype(int).astype(str)
            )
        else:
            rolled["period_id"] = rolled["year"].astype(int).astype(str)
        frames.append(rolled.assign(period_type=period_type))

    facts = pd.concat(frames, ignore_index=True)
    factor = facts["indicator_code"].map(_FACTOR)
    facts["value"] = facts["numerator"].where(
        factor.isna(), facts["numerator"] / facts["denominator"].where(facts["denominator"] > 0)
    ) * factor.fillna(1.0)
    bounds = periods.set_index("period_id")[["period_start", "period_end"]]
    facts["period_start"] = facts["period_id"].map(bounds["period_start"])
    facts["period_end"] = facts["period_id"].map(bounds["period_end"])

    # Sex breakdown of AC04 (counts only): must never leak into totals.
    counts = facts[(facts["indicator_code"] == "AC04") & (facts["disaggregation"] == "total")]
    female = counts.assign(
        disaggregation="sex",
        disaggregation_value="female",
        numerator=(counts["numerator"] * 0.45).round(),
    )
    female["value"] = female["numerator"]
    male = counts.assign(
        disaggregation="sex",
        disaggregation_value="male",
        numerator=counts["numerator"] - female["numerator"],
    )
    male["value"] = male["numerator"]
    columns = ["indicator_code", "period_type", "period_id", "period_start", "period_end",
               "geo_level", "geo_code", "disaggregation", "disaggregation_value", "numerator",
               "denominator", "value", "ci_lower", "ci_upper", "target_value", "progress",
               "status", "coverage_pct", "deliveries_expected", "deliveries_received",
               "is_partial", "is_restated", "coverage_note"]  # fmt: skip
    facts = pd.concat([facts, female, male, _final_values(periods)], ignore_index=True)
    for column in ("ci_lower", "ci_upper"):
        if column not in facts:
            facts[column] = None
    return _coverage_columns(_target_columns(facts))[columns]


def _coverage_columns(facts: pd.DataFrame) -> pd.DataFrame:
    """Coverage and flags (see the module docstring): complete, but for SS02 and SS08 in 2018."""
    facts = facts.assign(
        deliveries_expected=1, deliveries_received=1, coverage_pct=100.0,
        is_partial=False, is_restated=False, coverage_note=None,
    )  # fmt: skip
    ss02 = facts["indicator_code"].eq("SS02")
    for period, expected in (("2018-Q4", 3), ("2018", 12)):
        rows = ss02 & facts["period_id"].eq(period)
        facts.loc[rows, ["deliveries_expected", "deliveries_received"]] = [expected, expected - 1]
        facts.loc[rows, "coverage_pct"] = 100.0 * (expected - 1) / expected
        facts.loc[rows, "is_partial"] = True
        facts.loc[rows, "coverage_note"] = NOTE_SS02
    ss08 = facts["indicator_code"].eq("SS08") & facts["period_id"].isin(["2018-Q4", "2018"])
    facts.loc[ss08, "is_restated"] = True
    facts.loc[ss08, "coverage_note"] = NOTE_SS08
    return facts


def _catalogue() -> pd.DataFrame:
    with CATALOGUE_FILE.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return pd.DataFrame(rows).replace({"": None})


def _audit_feeds() -> pd.DataFrame:
    rows = [
        ("admin_units", "Administrative units and boundaries", "nso",
         "National Statistics Office (Ministry of Planning)", "yearly"),
        ("population", "Child population projections", "nso",
         "National Statistics Office (Ministry of Planning)", "yearly"),
        ("care_institutions", "Register of residential care institutions", "mosa",
         "Ministry of Social Affairs", "yearly"),
        ("placements", "Child placements in formal care", "mosa", "Ministry of Social Affairs",
         "monthly"),
        ("cases", "Child protection cases", "mosa", "Ministry of Social Affairs", "monthly"),
        ("cash_transfer_households", "Households in the cash transfer", "mosa",
         "Ministry of Social Affairs", "quarterly"),
        ("detentions", "Detention episodes of children", "prisons",
         "General Department of Prisons (Ministry of Interior)", "monthly"),
        ("survey_estimates", "Household survey estimates", "un_agency",
         "UN agency: household survey estimates (partner)", "yearly"),
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["feed", "title", "entity", "entity_name", "frequency"])


LEDGER_COLUMNS = ["source_file", "entity", "feed", "period", "sha256", "size_bytes", "rows",
                  "rows_rejected", "status", "reason", "received_at", "ingested_at",
                  "superseded_by"]  # fmt: skip
"""``audit.ingest_files`` (the ingest ledger, ``ingest.ledger``), column for column."""
RECEIVED_AT = pd.Timestamp("2019-01-10 09:00:00")
INGESTED_AT = pd.Timestamp("2019-01-15 06:00:00")


# The rows the two loaded files with rejections set aside (ingest's reason: file, counts, problems).
WHY_REGISTER = (
    "column 'capacity': 2 rows have values outside the allowed range 1 to 500 (rows 3, 31: 0, 900)"
)
REASON_REGISTER = (
    "mosa/care_institutions/2018-12/register.parquet: 2 of 48 rows rejected (kept in quarantine): "
    + WHY_REGISTER
)
WHY_PROJECTION = (
    "column 'district_code': 12 rows have a code not found in the district codes of the latest "
    "admin_units delivery (rows 1621 to 1632: '9999')"
)
REASON_PROJECTION = (
    "nso/population/2018/projection.parquet: 12 of 1632 rows rejected (kept in quarantine): "
    + WHY_PROJECTION
)


def _audit_ingest_files(extra: Iterable[Mapping[str, Any]] = ()) -> pd.DataFrame:
    """The ledger: one file loaded whole (placements, 4210 rows), two loaded with rows set aside
    (the care institutions register: 2 of 48 rows, ``REASON_REGISTER``; the population projection:
    12 of 1632, ``REASON_PROJECTION``) and one refused (placements 2018-11, 120 rows); ``extra``
    rows are added after them (a missing column is null, the times default to the fixture's)."""
    rows = [
        ("mosa/placements/2018-12/placements_dec.parquet", "mosa", "placements", "2018-12",
         "a" * 64, 182_004, 4210, None, "loaded", None),
        ("mosa/care_institutions/2018-12/register.parquet", "mosa", "care_institutions",
         "2018-12", "b" * 64, 20_480, 48, 2, "loaded_with_rejections", REASON_REGISTER),
        ("nso/population/2018/projection.parquet", "nso", "population", "2018", "c" * 64,
         66_312, 1632, 12, "loaded_with_rejections", REASON_PROJECTION),
        ("mosa/placements/2018-11/placements_nov_v2.parquet", "mosa", "placements", "2018-11",
         "d" * 64, 9_876, 120, None, "quarantined",
         "column 'date_of_placement' is missing (the contract requires it)"),
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=LEDGER_COLUMNS[:10])
    frame["received_at"] = RECEIVED_AT
    frame["ingested_at"] = INGESTED_AT
    frame["superseded_by"] = None
    defaults = {"received_at": RECEIVED_AT, "ingested_at": INGESTED_AT}
    added = pd.DataFrame([defaults | dict(row) for row in extra], columns=LEDGER_COLUMNS)
    frame = pd.concat([frame, added], ignore_index=True) if len(added) else frame
    for column in ("size_bytes", "rows", "rows_rejected"):
        frame[column] = frame[column].astype("Int64")
    for column in ("received_at", "ingested_at"):
        frame[column] = pd.to_datetime(frame[column])
    for column in ("reason", "superseded_by"):
        frame[column] = frame[column].astype("string")
    return frame[LEDGER_COLUMNS]


def _audit_check_results() -> pd.DataFrame:
    checked = pd.Timestamp("2019-01-15 06:20:00")
    rows = [
        ("marts", "fct_indicator_values", "expect_column_values_to_not_be_null", "indicator_code",
         True, "error", 0, ""),
        ("marts", "fct_indicator_values", "expect_column_values_to_be_between", "value", True,
         "error", 0, ""),
        ("marts", "fct_indicator_values", "expect_column_values_to_be_between", "value", False,
         "warning", 3, "3 AC06 values above 95% (check exit coding in Hollowfield)"),
        ("placements", "mosa/placements/2018-12/placements_dec.parquet",
         "expect_column_values_to_be_in_set", "exit_reason", False, "warning", 2,
         "2 rows with exit reason 'other'"),
    ]  # fmt: skip
    columns = ["suite", "target", "expectation", "column_name", "success", "severity",
               "unexpected_count", "details"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    frame.insert(0, "checked_at", checked)
    frame.insert(0, "run_id", "20190115T060000Z-abc123")
    return frame


def _audit_pipeline_runs() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "run_id": [
                "20181215T060000Z-000aaa",
                "20190114T060000Z-000bbb",
                "20190115T060000Z-abc123",
            ],  # fmt: skip
            "started_at": pd.to_datetime(
                ["2018-12-15 06:00:00", "2019-01-14 06:00:00", "2019-01-15 06:00:00"], utc=True
            ),
            "finished_at": pd.to_datetime(
                ["2018-12-15 06:25:00", "2019-01-14 06:10:00", PUBLISHED_AT], utc=True
            ),
            "status": ["published", "failed", "published"],
            "message": [
                "published",
                "dbt build failed; the previous warehouse is still being served",
                "published",
            ],  # fmt: skip
        }
    )


def _audit_reporting_completeness() -> pd.DataFrame:
    """A few periods of the placements feed: October missing, November refused, December on time."""
    rows = [
        ("mosa", "placements", "2018-10", "2018-10-31", "2018-11-15", None, "missing"),
        ("mosa", "placements", "2018-11", "2018-11-30", "2018-12-15", "2019-01-10 09:00:00",
         "refused"),
        ("mosa", "placements", "2018-12", "2018-12-31", "2019-01-15", "2019-01-10 09:00:00",
         "on_time"),
    ]  # fmt: skip
    frame = pd.DataFrame(
        rows,
        columns=["entity", "feed", "period", "period_end", "due_date", "received_at", "status"],
    )
    for column in ("period_end", "due_date", "received_at"):
        frame[column] = pd.to_datetime(frame[column])
    return frame


def _audit_reporting_completeness_summary() -> pd.DataFrame:
    """Per feed: placements 46 of 48 months (44 on time), population 3 of 4 years (2 on time)."""
    rows = [
        ("mosa", "placements", "monthly", "2015-01", "2018-12", 48, 46, 44, 2, 1, 1, 95.8, 91.7,
         "2018-10 to 2018-11"),
        ("mosa", "care_institutions", "yearly", "2015", "2018", 4, 4, 4, 0, 0, 0, 100.0, 100.0,
         ""),
        ("nso", "population", "yearly", "2015", "2018", 4, 3, 2, 1, 0, 1, 75.0, 50.0, "2016"),
    ]  # fmt: skip
    return pd.DataFrame(
        rows,
        columns=["entity", "feed", "frequency", "first_period", "last_period", "expected",
                 "received", "on_time", "late", "refused", "missing", "completeness_pct",
                 "timeliness_pct", "missing_periods"],
    )  # fmt: skip


# --- the analysts' schema (models/analysis): tables typed by its contracts, cubes by rule --------
#
# cube_children_in_care: each district's residential stock of AC04 (``B_d - K_d * i``), female
#   round(0.45 * total) and male the rest, all aged 10-14 without a disability, half of them
#   (rounded down) with a care plan, all with a birth certificate; plus 10 children in foster care
#   per district (girls, 5-9, no disability, 10 with a plan and a certificate) every month.
# cube_care_movements: AC06's residential exits by sex (module docstring), those to a family as
#   `reintegrated_parents`, the rest as `aged_out`, all 10-14 without a disability; entries: 2
#   assessed and 1 not assessed residential entries per district a month (boys, 5-9, no).
# cube_cases: SS02's school referrals (3, 1, 0, 2 a month per district) as cases of `abuse`, risk
#   `medium`, girls 10-14 without a disability, none closed; plus 5 `neglect` cases from the
#   `community` a month per district, risk `low`, boys 5-9, no disability, 4 closed a month.
# cube_detentions: on each month-end 4, 3, 2, 1 boys 15-17 in pre-sentence detention held apart
#   from adults per district, and 1 sentenced girl 15-17 held with adults in Lakeshore (0101).
CARE_PLAN_SHARE = 2  # children_with_care_plan = children // 2 (residential)
FOSTER_A_MONTH = 10
ENTRIES_A_MONTH = {"assessed_before": 2, "not_assessed_before": 1}
SCHOOL_CASES_A_MONTH = {"0101": 3, "0102": 1, "0201": 0, "0202": 2}
COMMUNITY_CASES_A_MONTH, COMMUNITY_CLOSED_A_MONTH = 5, 4
PRE_SENTENCE_ON_A_DAY = {"0101": 4, "0102": 3, "0201": 2, "0202": 1}
# AC06 exits a month by sex: (to a family, all exits), female and male (module docstring)
EXITS_BY_SEX = {
    "0101": {"female": (3, 5), "male": (3, 5)},
    "0102": {"female": (2, 4), "male": (2, 4)},
    "0201": {"female": (2, 3), "male": (1, 3)},
    "0202": {"female": (1, 2), "male": (1, 2)},
}


def _month_end(year: int, month: int) -> dt.date:
    return (pd.Timestamp(dt.date(year, month, 1)) + pd.offsets.MonthEnd(0)).date()


def _analysis_cubes() -> dict[str, pd.DataFrame]:
    in_care, movements, cases, detentions = [], [], [], []
    for i, (year, month) in enumerate(_months()):
        period, day = f"{year}-{month:02d}", _month_end(year, month)
        for code, (_, _, start, fall, *_rest) in DISTRICTS.items():
            total = start - fall * i
            female = round(0.45 * total)
            for sex, children in (("female", female), ("male", total - female)):
                in_care.append((period, day, code, sex, "10-14", "no", "residential", children,
                                children // CARE_PLAN_SHARE, children))  # fmt: skip
            in_care.append((period, day, code, "female", "5-9", "no", "foster", FOSTER_A_MONTH,
                            FOSTER_A_MONTH, FOSTER_A_MONTH))  # fmt: skip
            for sex, (family, exits) in EXITS_BY_SEX[code].items():
                for reason, children in (
                    ("reintegrated_parents", family),
                    ("aged_out", exits - family),
                ):
                    movements.append((period, code, sex, "10-14", "no", "residential_exit",
                                      reason, "residential", children))  # fmt: skip
            for reason, children in ENTRIES_A_MONTH.items():
                movements.append((period, code, "male", "5-9", "no", "entry", reason,
                                  "residential", children))  # fmt: skip
            if SCHOOL_CASES_A_MONTH[code]:
                cases.append((period, code, "abuse", "medium", "school", "female", "10-14", "no",
                              SCHOOL_CASES_A_MONTH[code], 0))  # fmt: skip
            cases.append((period, code, "neglect", "low", "community", "male", "5-9", "no",
                          COMMUNITY_CASES_A_MONTH, COMMUNITY_CLOSED_A_MONTH))  # fmt: skip
            detentions.append((period, day, code, "male", "15-17", "pre_sentence", True,
                               PRE_SENTENCE_ON_A_DAY[code]))  # fmt: skip
        detentions.append((period, day, "0101", "female", "15-17", "sentenced", False, 1))
    columns = contract_columns()
    frames = {"cube_children_in_care": in_care, "cube_care_movements": movements,
              "cube_cases": cases, "cube_detentions": detentions}  # fmt: skip
    return {name: pd.DataFrame(rows, columns=list(columns[name])) for name, rows in frames.items()}


def _analysis_reporting_completeness() -> pd.DataFrame:
    """Placements 2018-10 missing, 2018-11 refused, 2018-12 on time (as the audit table); cases
    2018-11 missing (SS02's note); the cash transfer 2018-Q3 resubmitted (SS08's)."""
    mosa = ("mosa", "Ministry of Social Affairs")
    rows = [
        ("placements", "Child placements in formal care", *mosa, "2018-10", "missing", 0),
        ("placements", "Child placements in formal care", *mosa, "2018-11", "refused", 0),
        ("placements", "Child placements in formal care", *mosa, "2018-12", "on_time", 1),
        ("cases", "Child protection cases", *mosa, "2018-10", "on_time", 1),
        ("cases", "Child protection cases", *mosa, "2018-11", "missing", 0),
        ("cases", "Child protection cases", *mosa, "2018-12", "late", 1),
        ("cash_transfer_households", "Households in the cash transfer", *mosa, "2018-Q3",
         "on_time", 2),
    ]  # fmt: skip
    frame = pd.DataFrame(rows, columns=["feed", "feed_title", "entity", "entity_name",
                                        "feed_period", "status", "files_accepted"])  # fmt: skip
    bounds = _periods().set_index("period_id")[["period_start", "period_end"]]
    frame["feed_period_start"] = frame["feed_period"].map(bounds["period_start"])
    frame["feed_period_end"] = frame["feed_period"].map(bounds["period_end"])
    frame["unit_code"] = None
    frame["is_received"] = frame["files_accepted"] > 0
    frame["is_resubmitted"] = frame["files_accepted"] > 1
    frame["is_periodic"] = True
    return frame


def _write_analysis(con: duckdb.DuckDBPyConnection) -> None:
    """``analysis.*`` as dbt would build it from the marts above (same columns, contract types)."""
    from cpmonitor.analyst.schema import schema_version

    con.execute("CREATE SCHEMA analysis")
    # Views of the marts (as the dbt models are), the other tables typed by their contracts.
    views = {
        "indicator_values": "main.fct_indicator_values",
        "indicators": "main.dim_indicator",
        "places": "main.dim_geography",
        "periods": "main.dim_period",
        "indicator_coverage": "main.fct_indicator_values WHERE disaggregation = 'total'",
    }
    contracts = contract_columns()
    for table, columns in contracts.items():
        names = ", ".join(f'"{name}"' for name in columns)
        if table in views:
            con.execute(f"CREATE VIEW analysis.{table} AS SELECT {names} FROM {views[table]}")
            continue
        typed = ", ".join(f'"{name}" {data_type}' for name, data_type in columns.items())
        con.execute(f"CREATE TABLE analysis.{table} ({typed})")
    version = schema_version()
    major, minor = version.split(".")
    con.execute("INSERT INTO analysis.schema_info VALUES (?, ?, ?)", [version, major, minor])
    checks = ", ".join(f'"{name}"' for name in contracts["check_results"])
    con.execute(f"INSERT INTO analysis.check_results SELECT {checks} FROM audit.check_results")
    frames = {"reporting_completeness": _analysis_reporting_completeness(), **_analysis_cubes()}
    for table, frame in frames.items():
        con.register("frame", frame)
        con.execute(f"INSERT INTO analysis.{table} BY NAME SELECT * FROM frame")
        con.unregister("frame")


def build_fixture_warehouse(path: Path, *, deliveries: Iterable[Mapping[str, Any]] = ()) -> None:
    """Write the fixture warehouse (marts in ``main``, audit tables in ``audit``, the analysts' schema
    in ``analysis``) to ``path``;
    ``deliveries`` are more ledger rows for ``audit.ingest_files`` (see ``_audit_ingest_files``)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    periods = _periods()
    tables = {
        "main.dim_geography": _geography(),
        "main.dim_period": periods,
        "main.fct_indicator_values": _facts(periods),
        "audit.feeds": _audit_feeds(),
        "audit.ingest_files": _audit_ingest_files(deliveries),
        "audit.check_results": _audit_check_results(),
        "audit.pipeline_runs": _audit_pipeline_runs(),
        "audit.reporting_completeness": _audit_reporting_completeness(),
        "audit.reporting_completeness_summary": _audit_reporting_completeness_summary(),
    }
    with duckdb.connect(str(path)) as con:
        con.execute("CREATE SCHEMA IF NOT EXISTS audit")
        catalogue = _catalogue()
        con.register("catalogue", catalogue)
        select = ", ".join(
            f"CAST({col} AS {_CATALOGUE_TYPES.get(col, 'VARCHAR')}) AS {col}"
            for col in catalogue.columns
        )
        con.execute(f"CREATE TABLE main.dim_indicator AS SELECT {select} FROM catalogue")
        con.unregister("catalogue")
        for name, frame in tables.items():
            con.register("frame", frame)
            con.execute(f"CREATE TABLE {name} AS SELECT * FROM frame")
            con.unregister("frame")
        con.execute(
            "ALTER TABLE main.dim_period ALTER period_start TYPE DATE;"
            "ALTER TABLE main.dim_period ALTER period_end TYPE DATE;"
            "ALTER TABLE main.dim_period ALTER year TYPE INTEGER;"
            "ALTER TABLE main.dim_period ALTER quarter TYPE INTEGER;"
            "ALTER TABLE main.dim_period ALTER month TYPE INTEGER;"
            "ALTER TABLE main.fct_indicator_values ALTER period_start TYPE DATE;"
            "ALTER TABLE main.fct_indicator_values ALTER period_end TYPE DATE;"
            "ALTER TABLE main.fct_indicator_values ALTER numerator TYPE DOUBLE;"
            "ALTER TABLE main.fct_indicator_values ALTER denominator TYPE DOUBLE;"
            "ALTER TABLE main.fct_indicator_values ALTER value TYPE DOUBLE;"
            "ALTER TABLE main.fct_indicator_values ALTER ci_lower TYPE DOUBLE;"
            "ALTER TABLE main.fct_indicator_values ALTER ci_upper TYPE DOUBLE;"
            "ALTER TABLE main.fct_indicator_values ALTER target_value TYPE DOUBLE;"
            "ALTER TABLE main.fct_indicator_values ALTER progress TYPE DOUBLE;"
            "ALTER TABLE main.fct_indicator_values ALTER status TYPE VARCHAR;"
            "ALTER TABLE main.fct_indicator_values ALTER coverage_pct TYPE DOUBLE;"
            "ALTER TABLE main.fct_indicator_values ALTER deliveries_expected TYPE INTEGER;"
            "ALTER TABLE main.fct_indicator_values ALTER deliveries_received TYPE INTEGER;"
            "ALTER TABLE main.fct_indicator_values ALTER is_partial TYPE BOOLEAN;"
            "ALTER TABLE main.fct_indicator_values ALTER is_restated TYPE BOOLEAN;"
            "ALTER TABLE main.fct_indicator_values ALTER coverage_note TYPE VARCHAR;"
        )
        _write_analysis(con)
        # What the pipeline's disclosure stage writes before publish: donors and the public read it.
        protect_build(con, load_access())
        con.execute("CHECKPOINT")


SENTINEL_SMALL = 77.7777
"""SS08 (children in cash transfers, a rate) in Southhill, 2018, after ``add_small_count``: the
value of a province resting on 3 children."""
SENTINEL_NEIGHBOUR = 66.6666
"""... and Northlake's value that year, which with the national one would give Southhill away."""


def add_small_count(con: duckdb.DuckDBPyConnection) -> None:
    """Make SS08 2018 in Southhill rest on 3 children (``SENTINEL_SMALL``) and Northlake on 30
    (``SENTINEL_NEIGHBOUR``), then protect the warehouse again as the pipeline would."""
    con.execute(
        f"""
        UPDATE main.fct_indicator_values SET numerator = 3, value = {SENTINEL_SMALL}
        WHERE indicator_code = 'SS08' AND period_id = '2018' AND geo_code = '02'
          AND disaggregation = 'total';
        UPDATE main.fct_indicator_values SET numerator = 30, value = {SENTINEL_NEIGHBOUR}
        WHERE indicator_code = 'SS08' AND period_id = '2018' AND geo_code = '01'
          AND disaggregation = 'total';
        """
    )
    protect_build(con, load_access())
