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
- AC07 reintegrated since baseline (2015-12-31): 4, 3, 2, 1 a month from 2016-01 over the 2015-12 stock
  (945, 756, 567, 378). 2018-12 national 360 / 2646 -> 13.61 %; province 01 252 / 1701 -> 14.81 %.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import duckdb
import pandas as pd

from cpmonitor.settings import CATALOGUE_FILE

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

_CATALOGUE_TYPES = {
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
    """Numerator and denominator of AC03-AC07 per district and month (totals)."""
    rows = []
    for code, (_n, _p, start, fall, inst, pop, fam, exits, reint) in DISTRICTS.items():
        baseline_stock = start - fall * BASELINE_MONTH
        for i, (year, month) in enumerate(_months()):
            stock = start - fall * i
            period_id = f"{year}-{month:02d}"
            rows += [
                ("AC04", period_id, code, stock, None),
                ("AC03", period_id, code, stock, pop),
                ("AC05", period_id, code, inst - (year - FIRST_YEAR), None),
                ("AC06", period_id, code, fam, exits),
            ]
            if i >= BASELINE_MONTH:
                rows.append(("AC07", period_id, code, reint * (i - BASELINE_MONTH), baseline_stock))
    return pd.DataFrame(
        rows, columns=["indicator_code", "period_id", "geo_code", "numerator", "denominator"]
    )


_FACTOR = {"AC03": 100_000.0, "AC04": None, "AC05": None, "AC06": 100.0, "AC07": 100.0}
_FLOWS = {"AC06"}  # summed over months; the others are taken at period end


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
        .groupby(["indicator_code", "period_id", "geo_level", "geo_code"], as_index=False)[
            ["numerator", "denominator"]
        ]
        .sum(min_count=1)
    )
    months = periods[periods["period_type"] == "month"].set_index("period_id")
    by_geo["year"] = by_geo["period_id"].map(months["year"])
    by_geo["quarter"] = by_geo["period_id"].map(months["quarter"])
    by_geo["month"] = by_geo["period_id"].map(months["month"])

    frames = [by_geo.assign(period_type="month")]
    for period_type, keys in (("quarter", ["year", "quarter"]), ("year", ["year"])):
        group_keys = ["indicator_code", "geo_level", "geo_code", *keys]
        flows = by_geo[by_geo["indicator_code"].isin(_FLOWS)]
        summed = flows.groupby(group_keys, as_index=False)[["numerator", "denominator"]].sum()
        stocks = by_geo[~by_geo["indicator_code"].isin(_FLOWS)].sort_values("month")
        last = stocks.groupby(group_keys, as_index=False).last()
        rolled = pd.concat([summed, last[summed.columns]])
        if period_type == "quarter":
            rolled["period_id"] = rolled["year"].astype(str) + "-Q" + rolled["quarter"].astype(str)
        else:
            rolled["period_id"] = rolled["year"].astype(str)
        frames.append(rolled.assign(period_type=period_type))

    facts = pd.concat(frames, ignore_index=True)
    factor = facts["indicator_code"].map(_FACTOR)
    facts["value"] = facts["numerator"].where(
        factor.isna(), facts["numerator"] / facts["denominator"].where(facts["denominator"] > 0)
    ) * factor.fillna(1.0)
    bounds = periods.set_index("period_id")[["period_start", "period_end"]]
    facts["period_start"] = facts["period_id"].map(bounds["period_start"])
    facts["period_end"] = facts["period_id"].map(bounds["period_end"])
    facts["disaggregation"] = "total"
    facts["disaggregation_value"] = "total"

    # Sex breakdown of AC04 (counts only): must never leak into totals.
    counts = facts[facts["indicator_code"] == "AC04"]
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
               "denominator", "value"]  # fmt: skip
    return pd.concat([facts, female, male], ignore_index=True)[columns]


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
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=["feed", "title", "entity", "entity_name", "frequency"])


def _audit_ingest_files() -> pd.DataFrame:
    received = pd.Timestamp("2019-01-10 09:00:00")
    ingested = pd.Timestamp("2019-01-15 06:00:00")
    rows = [
        ("mosa/placements/2018-12/placements_dec.parquet", "mosa", "placements", "2018-12",
         "a" * 64, 182_004, 4210, "loaded", None),
        ("mosa/care_institutions/2018-12/register.parquet", "mosa", "care_institutions",
         "2018-12", "b" * 64, 20_480, 48, "loaded", None),
        ("nso/population/2018/projection.parquet", "nso", "population", "2018", "c" * 64,
         66_312, 1632, "loaded", None),
        ("mosa/placements/2018-11/placements_nov_v2.parquet", "mosa", "placements", "2018-11",
         "d" * 64, 9_876, 120, "quarantined",
         "column 'date_of_placement' is missing (the contract requires it)"),
    ]  # fmt: skip
    columns = ["source_file", "entity", "feed", "period", "sha256", "size_bytes", "rows", "status",
               "reason"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    frame["received_at"] = received
    frame["ingested_at"] = ingested
    return frame


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


def build_fixture_warehouse(path: Path) -> None:
    """Write the fixture warehouse (marts in ``main``, audit tables in ``audit``) to ``path``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    periods = _periods()
    tables = {
        "main.dim_geography": _geography(),
        "main.dim_period": periods,
        "main.fct_indicator_values": _facts(periods),
        "audit.feeds": _audit_feeds(),
        "audit.ingest_files": _audit_ingest_files(),
        "audit.check_results": _audit_check_results(),
        "audit.pipeline_runs": _audit_pipeline_runs(),
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
        )
        con.execute("CHECKPOINT")
