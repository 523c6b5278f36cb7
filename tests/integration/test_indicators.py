"""AC03-AC07 computed by dbt from a tiny hand-made set of ingested feeds.

Every expected number below was worked out by hand from the rows written in this file (the
arithmetic is in the comments), never copied from output. One `dbt build` per module.

The fictional country: provinces 01 (North) and 02 (South); districts 0101 and 0102 in 01, 0201 in
02. Placements deliveries span 2016-01 .. 2016-12, so the periods are the 12 months of 2016, its four
quarters and the year 2016. The AC07 baseline date comes from the catalogue seed: 2015-12-31.

Residential episodes (c6 is foster care and must be ignored everywhere):

  child sex district start       end         reason                 note
  c1    F   0101     2015-06-01  -                                  in care all year
  c2    M   0101     2015-03-01  2016-03-31  reintegrated_parents   leaves on a month's last day
  c3    F   0101     2016-02-10  2016-02-20  kinship_care           in and out in the same month
  c4    M   0101     2015-01-01  2016-06-30  transferred            transfer within 0101 ...
  c4    M   0101     2016-06-30  -                                  ... same day: one child
  c5    F   0101     2016-01-05  2016-08-10  aged_out               (first delivered still open)
  c6    M   0101     2015-01-01  -           (foster care)
  c7    F   0102     2015-10-01  2016-11-30  foster_care            (first delivered still open)
  c8    M   0201     2016-04-01  -
  c9    F   0201     2015-05-01  2016-07-20  ran_away
  c10   M   0201     2016-09-01  2016-09-30  (no reason)            no exit reason: not an AC06 exit
  c11   F   0201     2016-12-05  -           (foster care)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from dbt_fixture import build, fact_values, pseudonym

from cpmonitor.core.contracts import load_contract, load_contracts
from cpmonitor.core.settings import CONTRACTS_DIR, Settings
from cpmonitor.dbt_runner import DbtResult, run_dbt
from cpmonitor.dbt_sources import CONTRACT_TAG
from cpmonitor.pipeline import BUILD_ARGS
from ingest.run import write_empty_feed_files

D = dt.date
ARROW = {
    "string": pa.string(),
    "integer": pa.int64(),
    "float": pa.float64(),
    "date": pa.date32(),
    "boolean": pa.bool_(),
}
METADATA = [
    pa.field("_entity", pa.string()),
    pa.field("_feed", pa.string()),
    pa.field("_period", pa.string()),
    pa.field("_source_file", pa.string()),
    pa.field("_source_sha256", pa.string()),
    pa.field("_received_at", pa.timestamp("us")),
    pa.field("_ingested_at", pa.timestamp("us")),
]
OWNERS = {
    "admin_units": "nso",
    "population": "nso",
    "care_institutions": "mosa",
    "placements": "mosa",
}


def ingested_schema(feed: str) -> pa.Schema:
    """Ingested columns: the contract's minus direct identifiers, plus the delivery metadata."""
    contract = load_contract(CONTRACTS_DIR / f"{feed}.yaml")
    fields = [
        pa.field(c.name, ARROW[c.type])
        for c in contract.columns
        if c.privacy != "direct_identifier"
    ]
    return pa.schema(fields + METADATA)


def write_feed(
    data_dir: Path, feed: str, deliveries: list[tuple[str, dt.datetime, list[dict]]]
) -> None:
    """Write one ingested Parquet file per delivery (period, received_at, rows) plus _empty.parquet."""
    schema = ingested_schema(feed)
    feed_dir = data_dir / "ingested" / feed
    feed_dir.mkdir(parents=True, exist_ok=True)
    pq.write_table(schema.empty_table(), feed_dir / "_empty.parquet")
    owner = OWNERS[feed]
    for number, (period, received_at, rows) in enumerate(deliveries):
        source_file = f"{owner}/{feed}/{period}/delivery_{number}.parquet"
        sha = hashlib.sha256(source_file.encode()).hexdigest()
        meta = {
            "_entity": owner,
            "_feed": feed,
            "_period": period,
            "_source_file": source_file,
            "_source_sha256": sha,
            "_received_at": received_at,
            "_ingested_at": received_at + dt.timedelta(minutes=5),
        }
        full_rows = [{name: row.get(name) for name in schema.names} | meta for row in rows]
        table = pa.Table.from_pylist(full_rows, schema=schema)
        pq.write_table(table, feed_dir / f"{owner}__{period}__{sha[:12]}.parquet")


def at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, 8, 0)


def placement(
    pid: str,
    child: str,
    sex: str,
    district: str,
    start: dt.date,
    end: dt.date | None = None,
    reason: str | None = None,
    care_type: str = "residential",
) -> dict:
    return {
        "placement_id": pseudonym(pid),
        "child_id": pseudonym(child),
        "sex": sex,
        "date_of_birth": D(2008, 1, 1),
        "disability": False,
        "care_type": care_type,
        "institution_id": "I1" if care_type == "residential" else None,
        "district_code": district,
        "start_date": start,
        "end_date": end,
        "exit_reason": reason,
    }


def admin_units() -> list[dict]:
    geo = '{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 0]]]}'
    rows = [
        {"unit_code": "01", "unit_name": "North", "level": "province", "parent_code": None},
        {"unit_code": "02", "unit_name": "South", "level": "province", "parent_code": None},
        {"unit_code": "0101", "unit_name": "North A", "level": "district", "parent_code": "01"},
        {"unit_code": "0102", "unit_name": "North B", "level": "district", "parent_code": "01"},
        {"unit_code": "0201", "unit_name": "South A", "level": "district", "parent_code": "02"},
    ]
    return [row | {"boundary_geojson": geo} for row in rows]


def pop(year: int, district: str, sex: str, age: int, population: int) -> dict:
    return {
        "year": year,
        "district_code": district,
        "sex": sex,
        "age": age,
        "population": population,
    }


def institution(iid: str, district: str, opened: dt.date, closed: dt.date | None = None) -> dict:
    return {
        "institution_id": iid,
        "institution_name": f"Home {iid}",
        "district_code": district,
        "institution_type": "residential_care_centre",
        "ownership": "ngo",
        "registered": True,
        "capacity": 50,
        "opened_date": opened,
        "closed_date": closed,
    }


def write_fixture_feeds(data_dir: Path) -> None:
    """The hand-made feeds described in the module docstring (every other feed stays empty)."""
    write_empty_feed_files(data_dir / "ingested", load_contracts())
    write_feed(data_dir, "admin_units", [("2016", at(D(2016, 1, 2)), admin_units())])

    # 2016 child population 0-17 (sums by district and sex):
    #   0101 F 1000 + 1000 = 2000   0101 M 2000   0102 F 1000   0102 M 1000
    #   0201 F 500                  0201 M 500 + 1500 = 2000 (the 2017 delivery revises age 3
    #   from 1000 to 1500: the latest delivery of a key wins)
    first_pop = [
        pop(2016, "0101", "F", 0, 1000),
        pop(2016, "0101", "F", 17, 1000),
        pop(2016, "0101", "M", 5, 2000),
        pop(2016, "0102", "F", 9, 1000),
        pop(2016, "0102", "M", 9, 1000),
        pop(2016, "0201", "F", 1, 500),
        pop(2016, "0201", "M", 2, 500),
        pop(2016, "0201", "M", 3, 1000),
    ]
    revision = [pop(2016, "0201", "M", 3, 1500)]
    write_feed(
        data_dir,
        "population",
        [("2016", at(D(2016, 1, 3)), first_pop), ("2017", at(D(2017, 1, 3)), revision)],
    )

    # Institutions: I1 (0101) always open; I2 (0101) open 2016-03-15, closed on 2016-09-30 (a
    # month's last day: not open at that month-end); I3 (0201) closed 2016-06-30 in the 2016
    # delivery (the 2015 delivery said open); I4 (0102) opens only in 2017.
    write_feed(
        data_dir,
        "care_institutions",
        [
            (
                "2015",
                at(D(2016, 1, 4)),
                [
                    institution("I1", "0101", D(2010, 1, 1)),
                    institution("I3", "0201", D(2000, 1, 1)),
                ],
            ),
            (
                "2016",
                at(D(2017, 1, 4)),
                [
                    institution("I1", "0101", D(2010, 1, 1)),
                    institution("I2", "0101", D(2016, 3, 15), D(2016, 9, 30)),
                    institution("I3", "0201", D(2000, 1, 1), D(2016, 6, 30)),
                    institution("I4", "0102", D(2017, 1, 1)),
                ],
            ),
        ],
    )

    write_feed(
        data_dir,
        "placements",
        [
            (
                "2016-01",
                at(D(2016, 2, 1)),
                [
                    placement("p1", "c1", "F", "0101", D(2015, 6, 1)),
                    placement("p2", "c2", "M", "0101", D(2015, 3, 1)),
                    placement("p4a", "c4", "M", "0101", D(2015, 1, 1)),
                    placement("p5", "c5", "F", "0101", D(2016, 1, 5)),
                    placement("p6", "c6", "M", "0101", D(2015, 1, 1), care_type="foster"),
                    placement("p7", "c7", "F", "0102", D(2015, 10, 1)),
                    placement("p9", "c9", "F", "0201", D(2015, 5, 1)),
                ],
            ),
            (
                "2016-02",
                at(D(2016, 3, 1)),
                [
                    placement(
                        "p3", "c3", "F", "0101", D(2016, 2, 10), D(2016, 2, 20), "kinship_care"
                    ),
                ],
            ),
            (
                "2016-03",
                at(D(2016, 4, 1)),
                [
                    placement(
                        "p2",
                        "c2",
                        "M",
                        "0101",
                        D(2015, 3, 1),
                        D(2016, 3, 31),
                        "reintegrated_parents",
                    ),
                ],
            ),
            ("2016-04", at(D(2016, 5, 1)), [placement("p8", "c8", "M", "0201", D(2016, 4, 1))]),
            (
                "2016-06",
                at(D(2016, 7, 1)),
                [
                    placement(
                        "p4a", "c4", "M", "0101", D(2015, 1, 1), D(2016, 6, 30), "transferred"
                    ),
                    placement("p4b", "c4", "M", "0101", D(2016, 6, 30)),
                ],
            ),
            (
                "2016-07",
                at(D(2016, 8, 1)),
                [
                    placement("p9", "c9", "F", "0201", D(2015, 5, 1), D(2016, 7, 20), "ran_away"),
                ],
            ),
            (
                "2016-08",
                at(D(2016, 9, 1)),
                [
                    placement("p5", "c5", "F", "0101", D(2016, 1, 5), D(2016, 8, 10), "aged_out"),
                ],
            ),
            (
                "2016-09",
                at(D(2016, 10, 1)),
                [
                    placement("p10", "c10", "M", "0201", D(2016, 9, 1), D(2016, 9, 30)),
                ],
            ),
            # Two deliveries of the same period: the later-received one wins (c7 leaves Nov 30).
            ("2016-11", at(D(2016, 12, 1)), [placement("p7", "c7", "F", "0102", D(2015, 10, 1))]),
            (
                "2016-11",
                at(D(2016, 12, 2)),
                [
                    placement(
                        "p7", "c7", "F", "0102", D(2015, 10, 1), D(2016, 11, 30), "foster_care"
                    ),
                ],
            ),
            # December's only event is a foster placement (ignored by every indicator). A month
            # must deliver at least one row to count as delivered: empty files carry no _period.
            (
                "2016-12",
                at(D(2017, 1, 1)),
                [
                    placement("p11", "c11", "F", "0201", D(2016, 12, 5), care_type="foster"),
                ],
            ),
        ],
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[DbtResult, Path]:
    """One dbt build of the fixture feeds; returns the result and the build database."""
    return build(tmp_path_factory.mktemp("indicators"), write_fixture_feeds)


@pytest.fixture(scope="module")
def values(built: tuple[DbtResult, Path]) -> dict[tuple[str, str, str, str], tuple]:
    """fct_indicator_values keyed by (indicator, period, geo, disaggregation value)."""
    return fact_values(built)


def query(build_db: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(build_db), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_build_succeeds_with_readable_summary(built: tuple[DbtResult, Path]) -> None:
    result, _ = built
    assert result.ok, result.summary
    assert result.returncode == 0
    assert result.summary.startswith("dbt succeeded")
    assert result.run_results_path is not None and result.run_results_path.exists()
    assert result.output_path.exists()


def test_the_fixture_build_runs_what_a_pipeline_run_leaves_out(
    built: tuple[DbtResult, Path],
) -> None:
    # A pipeline run leaves out the unit tests and the staging tests generated from the contracts
    # (cpmonitor.pipeline.BUILD_ARGS): the test suite's builds run every one of them.
    result, _ = built
    manifest = json.loads((result.run_results_path.parent / "manifest.json").read_text())
    unit_tests = set(manifest["unit_tests"])
    tagged = {uid for uid, node in manifest["nodes"].items() if CONTRACT_TAG in node["tags"]}
    contract_tests = {
        uid
        for uid, node in manifest["nodes"].items()
        if node["resource_type"] == "test" and node.get("attached_node") in tagged
    }
    statuses = {
        r["unique_id"]: r["status"]
        for r in json.loads(result.run_results_path.read_text())["results"]
    }
    assert len(unit_tests) >= 44
    assert len(contract_tests) >= 250
    assert all(".stg_" in uid or "_stg_" in uid for uid in contract_tests)
    assert {statuses.get(uid) for uid in unit_tests | contract_tests} == {"pass"}
    assert BUILD_ARGS == [
        "build",
        "--exclude-resource-type",
        "unit_test",
        "--exclude",
        "tag:contract,resource_type:test",
    ]


def test_row_count_is_dense(values: dict) -> None:
    # 17 periods (12 months, 4 quarters, 1 year). Per period, an indicator with sex rows has
    # (3 districts + 2 provinces + 1 nation) x (total, female, male) = 18 rows; AC05 has 6.
    # AC03, AC04, AC06, AC07 (all periods end after the 2015-12-31 baseline): 17 x (4 x 18 + 6).
    # (Age band and disability rows, and the other indicators, are counted elsewhere.)
    dense = [
        key
        for key in values
        if key[0] in ("AC03", "AC04", "AC05", "AC06", "AC07")
        and key[3] in ("total", "female", "male")
    ]
    assert len(dense) == 17 * (4 * 18 + 6) == 1326


def test_dimensions(built: tuple[DbtResult, Path]) -> None:
    _, db = built
    assert query(
        db,
        "select geo_code, geo_level, parent_code, province_code, province_name "
        "from main.dim_geography order by geo_code",
    ) == [
        ("01", "province", "NAT", "01", "North"),
        ("0101", "district", "01", "01", "North"),
        ("0102", "district", "01", "01", "North"),
        ("02", "province", "NAT", "02", "South"),
        ("0201", "district", "02", "02", "South"),
        ("NAT", "national", None, None, None),
    ]
    assert query(
        db,
        "select period_type, count(*), min(period_start), max(period_end) "
        "from main.dim_period group by 1 order by 1",
    ) == [
        ("month", 12, D(2016, 1, 1), D(2016, 12, 31)),
        ("quarter", 4, D(2016, 1, 1), D(2016, 12, 31)),
        ("year", 1, D(2016, 1, 1), D(2016, 12, 31)),
    ]
    labels = dict(query(db, "select period_id, period_label from main.dim_period"))
    assert (labels["2016-03"], labels["2016-Q3"], labels["2016"]) == ("Mar 2016", "Q3 2016", "2016")
    assert query(
        db,
        "select factor, baseline_date, target_value, target_year "
        "from main.dim_indicator where indicator_code = 'AC07'",
    ) == [(100.0, D(2015, 12, 31), 30.0, 2018)]


def test_ac04_stock_by_month_and_rollup(values: dict) -> None:
    # Month-end stocks, 0101: F = c1 + c5 (to Jul) -> Jan..Jul 2, Aug..Dec 1;
    # M = c2 (Jan, Feb: leaves Mar 31, so not in at Mar 31) + c4 (all year, transfer = one child).
    # c3 (in and out in February) is in no month-end stock.
    assert values[("AC04", "2016-01", "0101", "female")] == (2.0, None, 2.0)
    assert values[("AC04", "2016-02", "0101", "female")] == (2.0, None, 2.0)
    assert values[("AC04", "2016-02", "0101", "male")] == (2.0, None, 2.0)
    assert values[("AC04", "2016-03", "0101", "male")] == (1.0, None, 1.0)
    assert values[("AC04", "2016-06", "0101", "male")] == (1.0, None, 1.0)  # transfer day
    assert values[("AC04", "2016-08", "0101", "female")] == (1.0, None, 1.0)
    # January nation: 0101 4 (c1, c5, c2, c4) + 0102 1 (c7) + 0201 1 (c9) = 6.
    assert values[("AC04", "2016-01", "NAT", "total")] == (6.0, None, 6.0)
    # December: 0101 2 (c1, c4), 0102 0 (c7 left Nov 30), 0201 1 (c8); c10 left Sep 30.
    assert values[("AC04", "2016-12", "0101", "total")] == (2.0, None, 2.0)
    assert values[("AC04", "2016-12", "0102", "total")] == (0.0, None, 0.0)  # explicit zero
    assert values[("AC04", "2016-12", "0201", "total")] == (1.0, None, 1.0)
    assert values[("AC04", "2016-12", "01", "total")] == (2.0, None, 2.0)
    assert values[("AC04", "2016-12", "02", "total")] == (1.0, None, 1.0)
    assert values[("AC04", "2016-12", "NAT", "total")] == (3.0, None, 3.0)
    assert values[("AC04", "2016-12", "NAT", "female")] == (1.0, None, 1.0)
    assert values[("AC04", "2016-12", "NAT", "male")] == (2.0, None, 2.0)


def test_ac04_quarter_and_year_take_the_last_month(values: dict) -> None:
    # Q1 0101 = March (F 2 + M 1 = 3), not Jan + Feb + Mar (4 + 4 + 3 = 11).
    assert values[("AC04", "2016-Q1", "0101", "total")] == (3.0, None, 3.0)
    # Q3 0101 = September (F 1 + M 1 = 2).
    assert values[("AC04", "2016-Q3", "0101", "total")] == (2.0, None, 2.0)
    # The year 2016 = December: 3 nationally, 2 in province 01.
    assert values[("AC04", "2016", "NAT", "total")] == (3.0, None, 3.0)
    assert values[("AC04", "2016", "01", "total")] == (2.0, None, 2.0)
    assert values[("AC04", "2016", "0201", "male")] == (1.0, None, 1.0)


def test_ac03_rate_per_100k(values: dict) -> None:
    # December stocks over 2016 population, x 100 000.
    # 0101: 2 / (2000 + 2000) -> 50; 0101 F: 1 / 2000 -> 50.
    assert values[("AC03", "2016-12", "0101", "total")] == (2.0, 4000.0, pytest.approx(50.0))
    assert values[("AC03", "2016-12", "0101", "female")] == (1.0, 2000.0, pytest.approx(50.0))
    # 0102: 0 / 2000 -> 0 (a known zero, not null).
    assert values[("AC03", "2016-12", "0102", "total")] == (0.0, 2000.0, 0.0)
    # 0201 M: 1 / (500 + 1500, the revised figure) -> 50.
    assert values[("AC03", "2016-12", "0201", "male")] == (1.0, 2000.0, pytest.approx(50.0))
    # Province 01: 2 / (4000 + 2000) x 100 000 = 33.33...
    assert values[("AC03", "2016-12", "01", "total")] == (2.0, 6000.0, pytest.approx(100000 / 3000))
    # Nation: 3 / (4000 + 2000 + 2500) = 3 / 8500 x 100 000 = 35.294...; F 1 / 3500; M 2 / 5000.
    assert values[("AC03", "2016-12", "NAT", "total")] == (
        3.0,
        8500.0,
        pytest.approx(300000 / 8500),
    )
    assert values[("AC03", "2016-12", "NAT", "female")] == (
        1.0,
        3500.0,
        pytest.approx(100000 / 3500),
    )
    assert values[("AC03", "2016-12", "NAT", "male")] == (2.0, 5000.0, pytest.approx(40.0))
    # The year is December's stock over the same population.
    assert values[("AC03", "2016", "NAT", "total")] == values[("AC03", "2016-12", "NAT", "total")]
    # January nation: 6 / 8500 x 100 000.
    assert values[("AC03", "2016-01", "NAT", "total")] == (
        6.0,
        8500.0,
        pytest.approx(600000 / 8500),
    )


def test_ac05_institutions_open(values: dict) -> None:
    # 0101: I1 always; I2 from Mar 15 to Sep 30 (not open at Sep 30) -> Feb 1, Mar..Aug 2, Sep 1.
    assert values[("AC05", "2016-02", "0101", "total")] == (1.0, None, 1.0)
    assert values[("AC05", "2016-03", "0101", "total")] == (2.0, None, 2.0)
    assert values[("AC05", "2016-08", "0101", "total")] == (2.0, None, 2.0)
    assert values[("AC05", "2016-09", "0101", "total")] == (1.0, None, 1.0)
    # 0201: I3 closed Jun 30 (latest delivery) -> May 1, Jun 0.
    assert values[("AC05", "2016-05", "0201", "total")] == (1.0, None, 1.0)
    assert values[("AC05", "2016-06", "0201", "total")] == (0.0, None, 0.0)
    # 0102: I4 opens in 2017 -> 0 all year, written as 0.
    assert values[("AC05", "2016-12", "0102", "total")] == (0.0, None, 0.0)
    # Nation: May 2 + 1 = 3; Q2 = June = 2 + 0 = 2; year = December = 1.
    assert values[("AC05", "2016-05", "NAT", "total")] == (3.0, None, 3.0)
    assert values[("AC05", "2016-Q2", "NAT", "total")] == (2.0, None, 2.0)
    assert values[("AC05", "2016", "NAT", "total")] == (1.0, None, 1.0)
    assert values[("AC05", "2016", "02", "total")] == (0.0, None, 0.0)
    # Total only.
    assert not [key for key in values if key[0] == "AC05" and key[3] != "total"]


def test_ac06_exits_to_a_family(values: dict) -> None:
    # Exits in 2016 (transfers and null reasons are not exits):
    #   c3 0101 F Feb kinship (family), c2 0101 M Mar reintegrated (family),
    #   c5 0101 F Aug aged_out, c9 0201 F Jul ran_away, c7 0102 F Nov foster_care (family).
    # Same-month entry and exit (c3) counts: February 0101 = 1 / 1.
    assert values[("AC06", "2016-02", "0101", "total")] == (1.0, 1.0, 100.0)
    # Exit on the last day of March (c2) counts in March.
    assert values[("AC06", "2016-03", "0101", "male")] == (1.0, 1.0, 100.0)
    # Transfer month (June, c4) has no exit: 0 / 0 -> null.
    assert values[("AC06", "2016-06", "0101", "total")] == (0.0, 0.0, None)
    # Q1 0101 sums the months' flows: 2 / 2.
    assert values[("AC06", "2016-Q1", "0101", "total")] == (2.0, 2.0, 100.0)
    # Year 0101: family 2 (c2, c3) / exits 3 (+ c5) = 66.67 %; F 1/2 = 50 %; M 1/1 = 100 %.
    assert values[("AC06", "2016", "0101", "total")] == (2.0, 3.0, pytest.approx(200 / 3))
    assert values[("AC06", "2016", "0101", "female")] == (1.0, 2.0, 50.0)
    # Zero exits -> null, not 0: 0102 males, and 0201 males (c10 has no reason).
    assert values[("AC06", "2016", "0102", "male")] == (0.0, 0.0, None)
    assert values[("AC06", "2016", "0201", "male")] == (0.0, 0.0, None)
    assert values[("AC06", "2016-09", "0201", "total")] == (0.0, 0.0, None)
    # 0201: 0 / 1 = 0 %.
    assert values[("AC06", "2016", "0201", "total")] == (0.0, 1.0, 0.0)
    # Province 01: (2 + 1) / (3 + 1) = 75 %; nation: 3 / 5 = 60 %; F 2 / 4 = 50 %; M 1 / 1.
    assert values[("AC06", "2016", "01", "total")] == (3.0, 4.0, 75.0)
    assert values[("AC06", "2016", "NAT", "total")] == (3.0, 5.0, 60.0)
    assert values[("AC06", "2016", "NAT", "female")] == (2.0, 4.0, 50.0)
    assert values[("AC06", "2016", "NAT", "male")] == (1.0, 1.0, 100.0)


def test_ac07_cumulative_against_baseline(values: dict) -> None:
    # In residential care on 2015-12-31: 0101 F c1; 0101 M c2, c4; 0102 F c7; 0201 F c9 -> 5.
    # Reintegrations (parents or kin) after the baseline: c3 Feb 20 (0101 F), c2 Mar 31 (0101 M).
    assert values[("AC07", "2016-01", "NAT", "total")] == (0.0, 5.0, 0.0)
    assert values[("AC07", "2016-02", "NAT", "total")] == (1.0, 5.0, 20.0)
    assert values[("AC07", "2016-03", "NAT", "total")] == (2.0, 5.0, 40.0)
    assert values[("AC07", "2016-12", "NAT", "total")] == (2.0, 5.0, 40.0)
    assert values[("AC07", "2016-Q1", "NAT", "total")] == (2.0, 5.0, 40.0)
    assert values[("AC07", "2016", "NAT", "total")] == (2.0, 5.0, 40.0)
    # c7 left for foster care: not a reintegration. Province 01: 2 / (1 + 2 + 1) = 50 %.
    assert values[("AC07", "2016", "01", "total")] == (2.0, 4.0, 50.0)
    assert values[("AC07", "2016-02", "0101", "total")] == (1.0, 3.0, pytest.approx(100 / 3))
    # 0201 M had nobody in care on the baseline date: 0 / 0 -> null.
    assert values[("AC07", "2016", "0201", "male")] == (0.0, 0.0, None)
    assert values[("AC07", "2016", "0201", "total")] == (0.0, 1.0, 0.0)


def test_failing_build_names_the_failing_test(tmp_path: Path) -> None:
    # A placement in a district the statistics office does not know must stop the build.
    settings = Settings.from_env(tmp_path / "data")
    write_fixture_feeds(settings.data_dir)
    write_feed(
        settings.data_dir,
        "placements",
        [("2016-12", at(D(2017, 1, 9)), [placement("px", "cx", "F", "0999", D(2016, 12, 1))])],
    )
    result = run_dbt(
        ["build"], build_db=tmp_path / "bad.duckdb", settings=settings, log_dir=tmp_path / "logs"
    )
    assert not result.ok
    assert result.returncode != 0
    assert result.summary.startswith("dbt failed")
    assert "assert_feed_district_codes_are_known_districts" in result.summary
    assert "FAIL" in result.summary
