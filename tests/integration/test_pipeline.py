"""The whole pipeline on a small generated country: publish, privacy, idempotency, failed builds."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from disclosure_attacks import attack

from cpmonitor.core.contracts import load_contracts
from cpmonitor.core.settings import CATALOGUE_FILE, Settings
from cpmonitor.pipeline import read_runs, run_pipeline
from demo_country import build_deliveries, generate

pytestmark = pytest.mark.slow


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def landing_files(settings: Settings) -> list[Path]:
    return list(settings.landing_dir.rglob("*.parquet"))


def fetch(settings: Settings, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_file), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


COUNTRY = {"seed": 7, "scale": 0.05, "start_year": 2016, "end_year": 2017}


@pytest.fixture(scope="module")
def messiness() -> dict[str, list[str]]:
    """What the generator made imperfect in the country, by kind: the landing paths."""
    kinds: dict[str, list[str]] = {}
    for delivery in build_deliveries(**COUNTRY):
        if delivery.messiness:
            kind = delivery.messiness.split(":")[0]
            kinds.setdefault(kind, []).append(delivery.relative_path.as_posix())
    return kinds


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, messiness: dict) -> Settings:
    """A small, messy country over two years, generated and run through the pipeline once."""
    settings = Settings.from_env(tmp_path_factory.mktemp("country"))
    generate(settings, **COUNTRY)
    outcome = run_pipeline(settings)
    assert outcome.status == "published", outcome.details
    refused = messiness["refused"] + messiness.get("refused_never_corrected", [])
    assert outcome.files_quarantined == len(refused) > 0
    return settings


def test_every_catalogue_indicator_is_computed_and_nothing_else(published: Settings) -> None:
    catalogue = set(pd.read_csv(CATALOGUE_FILE)["indicator_code"])
    computed = {
        code
        for (code,) in fetch(published, "select distinct indicator_code from fct_indicator_values")
    }
    assert computed == catalogue
    assert {
        code for (code,) in fetch(published, "select indicator_code from dim_indicator")
    } == catalogue


def test_every_indicator_has_its_periods_nationally_and_sub_national_levels(
    published: Settings,
) -> None:
    """Two years of data: 24 months, 8 quarters or 2 years by the catalogue frequency; surveys only
    in their survey years; every admin-data indicator also by province and district."""
    catalogue = pd.read_csv(CATALOGUE_FILE).set_index("indicator_code")
    rows = fetch(
        published,
        """select indicator_code, period_type, geo_level, count(distinct period_id)
           from fct_indicator_values where disaggregation = 'total' group by all""",
    )
    periods = {(code, ptype, level): n for code, ptype, level, n in rows}
    finest = {"monthly": ("month", 24), "quarterly": ("quarter", 8), "yearly": ("year", 2)}
    for code, indicator in catalogue.iterrows():
        if indicator["kind"] == "survey":
            # The demo's first survey round is in the second year: one survey year, never more.
            assert periods.get((code, "year", "national")) == 1, code
            assert (code, "year", "district") not in periods, code
            continue
        period_type, expected = finest[indicator["frequency"]]
        assert periods.get((code, period_type, "national")) == expected, code
        for level in ("province", "district"):
            assert periods.get((code, period_type, level)) == expected, (code, level)


def test_province_values_add_up_to_national(published: Settings) -> None:
    ((nat, prov),) = fetch(
        published,
        """select sum(numerator) filter (where geo_level = 'national'),
                  sum(numerator) filter (where geo_level = 'province')
           from fct_indicator_values
           where indicator_code = 'AC04' and period_id = '2017-12' and disaggregation = 'total'""",
    )
    assert nat > 0
    assert nat == prov


def test_year_value_of_a_stock_is_its_december_value(published: Settings) -> None:
    ((year, december),) = fetch(
        published,
        """select max(value) filter (where period_id = '2017'), max(value) filter (where period_id = '2017-12')
           from fct_indicator_values
           where indicator_code = 'AC04' and geo_code = 'NAT' and disaggregation = 'total'""",
    )
    assert year == december


def test_audit_tables_are_published(published: Settings, messiness: dict) -> None:
    # Every delivered file of every feed, each with what became of it: the generator's superseded
    # originals, files with rejected rows and refused files, as the ledger records them.
    statuses = dict(
        fetch(published, "select status, count(*) from audit.ingest_files group by all")
    )
    assert sum(statuses.values()) == len(landing_files(published))
    assert statuses["superseded"] == len(messiness["superseded"]) > 0
    assert statuses["loaded_with_rejections"] == len(messiness["rejected_rows"]) > 0
    refused = messiness["refused"] + messiness.get("refused_never_corrected", [])
    assert statuses["quarantined"] == len(refused)
    quarantined = {
        path
        for (path,) in fetch(
            published, "select source_file from audit.ingest_files where status = 'quarantined'"
        )
    }
    assert quarantined == set(refused)
    ((runs,),) = fetch(
        published, "select count(*) from audit.pipeline_runs where status = 'published'"
    )
    assert runs == 1
    ((checks,),) = fetch(
        published, "select count(*) from audit.check_results where suite like 'mart.%'"
    )
    assert checks > 0


def test_no_personal_data_in_the_published_warehouse(published: Settings) -> None:
    """Direct identifiers and record ids never reach the warehouse; row-level schemas are not
    published (the marts, the audit tables and the protected tables only)."""
    personal = {
        column.name
        for contract in load_contracts().values()
        for column in contract.columns
        if column.privacy in ("direct_identifier", "record_id", "quasi_identifier")
    } - {"sex", "district_code", "disability"}
    # coded aggregates (the breakdowns, the analysis cubes) keep a sex, a place and a disability
    # status as counts of children, never a child
    columns = fetch(
        published, "select table_schema, table_name, column_name from information_schema.columns"
    )
    schemas = {schema for schema, _, _ in columns}
    assert schemas == {"main", "audit", "protected", "analysis"}, schemas
    leaked = [(s, t, c) for s, t, c in columns if c in personal]
    assert leaked == []


def test_the_build_starts_from_the_manifest_parsed_during_ingest(published: Settings) -> None:
    run_dir = min(d for d in published.builds_dir.iterdir() if (d / "dbt_output.log").exists())
    parse_log = (run_dir / "dbt_parse.log").read_text()
    build_log = (run_dir / "dbt_output.log").read_text()
    assert "Performance info" in parse_log  # dbt parse finished and saved its manifest
    assert "Unable to do partial parsing" not in build_log
    assert re.search(r"Found \d+ models", build_log)


def test_rerun_on_the_same_deliveries_is_idempotent(published: Settings, tmp_path: Path) -> None:
    settings = Settings.from_env(tmp_path / "copy")
    shutil.copytree(published.data_dir, settings.data_dir)
    before = fetch(settings, "select * from fct_indicator_values order by all")
    outcome = run_pipeline(settings)
    assert outcome.status == "published"
    assert (outcome.files_loaded, outcome.files_skipped) == (0, len(landing_files(settings)))
    assert fetch(settings, "select * from fct_indicator_values order by all") == before


def test_bad_file_is_quarantined_and_the_rest_still_publishes(
    published: Settings, tmp_path: Path
) -> None:
    settings = Settings.from_env(tmp_path / "copy")
    shutil.copytree(published.data_dir, settings.data_dir)
    bad = (
        settings.landing_dir / "mosa" / "placements" / "2018-01" / "mosa_placements_2018-01.parquet"
    )
    bad.parent.mkdir(parents=True)
    bad.write_bytes(b"this is not a parquet file")
    digest = sha256(bad)

    outcome = run_pipeline(settings)

    assert outcome.status == "published"
    assert outcome.files_quarantined == 1  # this run: the bad file only
    assert sha256(bad) == digest  # the delivered original is kept as it came
    ((reason,),) = fetch(
        settings,
        "select reason from audit.ingest_files where status = 'quarantined' "
        "and source_file like 'mosa/placements/2018-01/%'",
    )
    assert "mosa/placements/2018-01/mosa_placements_2018-01.parquet" in reason
    assert "Parquet" in reason


def test_failed_build_keeps_the_served_warehouse(published: Settings, tmp_path: Path) -> None:
    """A delivery that passes its own contract but breaks a warehouse test is never published.

    A corrected boundary file that leaves out a district still used by earlier placements: the
    file itself is valid, but dbt's test that every feed's district is a known district fails.
    """
    settings = Settings.from_env(tmp_path / "copy")
    shutil.copytree(published.data_dir, settings.data_dir)
    served = sha256(settings.warehouse_file)

    folder = settings.landing_dir / "nso" / "admin_units" / "2016"
    original = next(folder.glob("*.parquet"))
    units = pq.read_table(original)
    placed = set(
        pq.read_table(next((settings.landing_dir / "mosa" / "placements" / "2016-01").glob("*")))
        .column("district_code")
        .to_pylist()
    )
    dropped = sorted(placed)[0]
    keep = [code != dropped for code in units.column("unit_code").to_pylist()]
    corrected = folder / "nso_admin_units_2016_corrected.parquet"
    pq.write_table(units.filter(pa.array(keep)), corrected)
    later = original.stat().st_mtime + 86_400
    os.utime(corrected, (later, later))  # arrives after the original: supersedes it

    outcome = run_pipeline(settings)

    assert outcome.status == "failed", outcome
    assert "previous warehouse is still being served" in outcome.message
    assert any("district" in line for line in outcome.details), outcome.details
    assert sha256(settings.warehouse_file) == served
    assert read_runs(settings)[-1]["status"] == "failed"
    assert list(settings.builds_dir.glob("*.duckdb")) == []


# --- the published values recomputed from the messy landing files ------------------------------
# An independent reading of the delivery rules (data_contracts/README.md), in pandas, straight from
# the files as delivered: a file missing a contract column or repeating its key is refused; rows
# breaking a rule are set aside; of a period's accepted files the latest arrival wins; of a
# record's rows, the latest period's (then the latest arrival's).


def delivered_rows(settings: Settings, feed: str, checks: dict) -> pd.DataFrame:
    """Every accepted row of ``feed`` with its period and arrival, ``checks`` being the row rules
    (column -> function of the frame giving the rows that pass)."""
    contract = load_contracts()[feed]
    parts = []
    for path in sorted((settings.landing_dir / contract.owner / feed).glob("*/*.parquet")):
        table = pq.read_table(path).to_pandas()
        if set(contract.column_names) - set(table.columns):
            continue  # refused: a column missing
        if contract.primary_key and table.duplicated(contract.primary_key).any():
            continue  # refused: the key twice
        for passes in checks.values():
            table = table[passes(table)]
        parts.append(table.assign(_period=path.parent.name, _arrived=path.stat().st_mtime))
    rows = pd.concat(parts, ignore_index=True)
    latest_file = rows.groupby("_period")["_arrived"].transform("max")
    return rows[rows["_arrived"] == latest_file]


def latest_rows(rows: pd.DataFrame, key: str) -> pd.DataFrame:
    return rows.sort_values(["_period", "_arrived"]).drop_duplicates(key, keep="last")


def districts(settings: Settings) -> set[str]:
    units = pd.concat(
        pq.read_table(p).to_pandas()
        for p in (settings.landing_dir / "nso" / "admin_units").glob("*/*.parquet")
    )
    return set(units.loc[units["level"] == "district", "unit_code"])


def national(settings: Settings, code: str, period: str) -> tuple:
    ((numerator, value, note),) = fetch(
        settings,
        "select numerator, value, coverage_note from fct_indicator_values where indicator_code = $1"
        " and period_id = $2 and geo_code = 'NAT' and disaggregation = 'total'",
        [code, period],
    )
    return numerator, value, note


def test_recomputed_residential_stock_matches(published: Settings, messiness: dict) -> None:
    # AC04 on 31 Dec 2017: children in residential care, from the latest row of each episode
    # (episodes corrected later count as corrected), rows with an unknown district set aside.
    assert messiness["rejected_rows"] and messiness["corrected_later"]
    known = districts(published)
    rows = delivered_rows(
        published, "placements", {"district": lambda t: t["district_code"].isin(known)}
    )
    episodes = latest_rows(rows, "placement_id")
    day = pd.Timestamp("2017-12-31")
    start, end = pd.to_datetime(episodes["start_date"]), pd.to_datetime(episodes["end_date"])
    in_care = episodes[
        (episodes["care_type"] == "residential") & (start <= day) & (end.isna() | (end > day))
    ]
    expected = in_care["child_id"].nunique()
    assert expected > 0
    assert national(published, "AC04", "2017-12")[:2] == (expected, expected)


def test_recomputed_children_withdrawn_from_labour_match(published: Settings) -> None:
    # SS07 by year: children withdrawn and referred, by inspection date, from the latest row of
    # each inspection; negative counts set aside; the corrected resubmission replaces its original.
    counts = [
        "child_workers_found", "children_withdrawn_worst_forms", "children_referred_to_services",
        "children_withdrawn_and_referred",
    ]  # fmt: skip
    rows = delivered_rows(
        published,
        "labour_inspections",
        {c: (lambda t, c=c: t[c].isna() | t[c].between(0, 500)) for c in counts},
    )
    inspections = latest_rows(rows, "inspection_id")
    year = pd.to_datetime(inspections["inspection_date"]).dt.year.astype(str)
    by_year = inspections.groupby(year)["children_withdrawn_and_referred"].sum()
    for period in ("2016", "2017"):
        numerator, value, _ = national(published, "SS07", period)
        assert numerator == value == by_year[period], period


def test_the_province_that_did_not_report_is_unknown_not_zero(published: Settings) -> None:
    # The generator's provincial labour office of province 10 did not report in August 2017:
    # its SS07 is unknown that month, the nation's figure is published incomplete, naming it.
    ((value, note),) = fetch(
        published,
        "select value, coverage_note from fct_indicator_values where indicator_code = 'SS07' "
        "and period_id = '2017-08' and geo_code = '10' and disaggregation = 'total'",
    )
    assert value is None
    assert note.startswith("No report from this province's office in Workplace labour")
    numerator, nat_value, nat_note = national(published, "SS07", "2017-08")
    assert nat_value is not None and "Missing provincial reports" in nat_note
    ((coverage,),) = fetch(
        published,
        "select coverage_pct from fct_indicator_values where indicator_code = 'SS07' "
        "and period_id = '2017-08' and geo_code = 'NAT' and disaggregation = 'total'",
    )
    provinces = len(fetch(published, "select 1 from dim_geography where geo_level = 'province'"))
    assert coverage == pytest.approx(100 * (provinces - 1) / provinces)


def test_what_donors_and_the_public_read_withstands_the_differencing_attacks(
    published: Settings,
) -> None:
    """The attacks of issue 9 on the published warehouse (tests/disclosure_attacks.py: places,
    breakdowns, periods, rates times denominators, small totals located by zeros) recover nothing,
    no protected count from 1 to 4 is shown to them, and the run log carries the stage's figures."""
    with duckdb.connect(str(published.warehouse_file), read_only=True) as con:
        for audience in ("donor", "public"):
            assert attack(con, audience) == [], audience
        (small, districts, finer) = con.execute(
            """
            SELECT count(*) FILTER (WHERE d.disclosure_class = 'children_or_events'
                                    AND (p.numerator BETWEEN 1 AND 4
                                         OR p.denominator BETWEEN 1 AND 4)),
                   count(*) FILTER (WHERE p.geo_level = 'district'),
                   count(*) FILTER (WHERE p.period_type <> 'year')
            FROM protected.indicator_values AS p
            JOIN main.dim_indicator AS d USING (indicator_code)
            """
        ).fetchone()
        assert (small, districts, finer) == (0, 0, 0)
        (hidden,) = con.execute(
            "SELECT count(*) FROM protected.indicator_values WHERE suppressed"
        ).fetchone()
    protection = [r for r in read_runs(published) if r["status"] == "published"][-1]["protection"]
    assert protection["passed"] is True
    donor = protection["audiences"]["donor"]
    assert donor["recoverable"] == 0 and donor["primary"] > 0 and donor["secondary"] > 0
    assert donor["periods"] == "year" and donor["levels"] == "national, province"
    assert hidden > 0


# --- the analysts' cubes recompute the indicators ---------------------------------------------
# Each cube summed over a district and month gives the indicator's district x month numerator
# (and denominator) in the same build: every district-month, none missing.
CUBE_RECOMPUTES = {
    "AC04": "SELECT month, district_code, sum(children) AS num, NULL AS den "
    "FROM analysis.cube_children_in_care WHERE care_type = 'residential' GROUP BY ALL",
    "AC06": "SELECT month, district_code, sum(children) FILTER (WHERE reason IN "
    "('reintegrated_parents', 'kinship_care', 'foster_care', 'adoption')) AS num, "
    "sum(children) AS den FROM analysis.cube_care_movements "
    "WHERE movement = 'residential_exit' GROUP BY ALL",
    "AC12": "SELECT month, district_code, sum(children) FILTER (WHERE reason = 'assessed_before') "
    "AS num, sum(children) AS den FROM analysis.cube_care_movements WHERE movement = 'entry' "
    "GROUP BY ALL",
    "JC03": "SELECT month, district_code, sum(children) FILTER (WHERE legal_status = "
    "'pre_sentence') AS num, NULL AS den FROM analysis.cube_detentions GROUP BY ALL",
    "JC07": "SELECT month, district_code, sum(children) FILTER (WHERE NOT "
    "is_separated_from_adults) AS num, sum(children) AS den FROM analysis.cube_detentions "
    "GROUP BY ALL",
    "VE01": "SELECT month, district_code, sum(cases_opened) AS num, NULL AS den "
    "FROM analysis.cube_cases GROUP BY ALL",
}


@pytest.mark.parametrize("code", sorted(CUBE_RECOMPUTES))
def test_a_cube_recomputes_its_indicator_in_every_district_and_month(
    published: Settings, code: str
) -> None:
    rows = fetch(
        published,
        f"""
        WITH cube AS ({CUBE_RECOMPUTES[code]}),
        indicator AS (
            SELECT period_id, geo_code, numerator, denominator FROM analysis.indicator_values
            WHERE indicator_code = ? AND geo_level = 'district' AND period_type = 'month'
              AND disaggregation = 'total' AND numerator IS NOT NULL
        )
        SELECT count(*), count(cube.month), count(*) FILTER (WHERE indicator.numerator > 0),
               count(*) FILTER (WHERE coalesce(cube.num, 0) <> indicator.numerator),
               count(*) FILTER (WHERE cube.den IS NOT NULL
                                  AND cube.den <> indicator.denominator)
        FROM indicator LEFT JOIN cube
          ON cube.month = indicator.period_id AND cube.district_code = indicator.geo_code
        """,
        [code],
    )
    compared, with_cube_rows, non_zero, numerators_differ, denominators_differ = rows[0]
    assert compared == 24 * len(fetch(published, "SELECT 1 FROM analysis.places "
                                      "WHERE geo_level = 'district'"))  # fmt: skip
    # the cube has a row wherever the indicator counts something (and none where nothing is)
    assert 0 < non_zero <= with_cube_rows
    assert (numerators_differ, denominators_differ) == (0, 0)


def test_the_analysis_schema_is_published_with_its_version_and_the_build_checks(
    published: Settings,
) -> None:
    assert fetch(published, "SELECT * FROM analysis.schema_info") == [("1.0", 1, 0)]
    assert fetch(published, "SELECT count(*) FROM analysis.check_results") == fetch(
        published, "SELECT count(*) FROM audit.check_results"
    )
    assert fetch(
        published,
        "SELECT count(*) > 0 FROM analysis.check_results WHERE suite = 'mart.fct_indicator_values'",
    ) == [(True,)]
