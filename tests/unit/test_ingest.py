"""Ingest of a landing zone holding good and bad deliveries: what loads, what is quarantined and why.

One ingest run is shared by most tests (module-scoped fixture), because Great Expectations is slow
to start. Expected messages and values are written out by hand.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_fixtures import (
    care_institutions_rows,
    deliver,
    file_sha256,
    placements_rows,
    population_rows,
    table,
    valid_table,
)

from cpmonitor.core.contracts import Contract, load_contracts
from cpmonitor.core.periods import period_bounds
from cpmonitor.core.settings import Settings
from ingest import parallel, schema
from ingest.ledger import LEDGER_SCHEMA, LedgerRow, read_ledger
from ingest.run import IngestReport, ingest_landing
from ingest.schema import forget_reused, pseudonymise, pseudonymise_array, type_matches
from ingest.table_checks import location_problems

GOOD = {
    "placements_march": "mosa/placements/2024-03/mosa_placements_2024-03.parquet",
    "placements_april": "mosa/placements/2024-04/mosa_placements_2024-04.parquet",
    "population": "nso/population/2024/population_2024.parquet",
    "institutions": "mosa/care_institutions/2024/register_2024.parquet",
    "admin_units": "nso/admin_units/2024/units_2024.parquet",
}
BAD = {
    "location": "mosa/placements/stray.parquet",
    "feed": "mosa/adoptions/2024-03/adoptions.parquet",
    "owner_period": "nso/placements/2024-3/placements.parquet",
    "unreadable": "mosa/placements/2024-05/broken.parquet",
    "not_parquet": "mosa/placements/2024-08/notes.txt",
    "schema": "mosa/placements/2024-06/schema.parquet",
    "rows": "mosa/placements/2024-07/rows.parquet",
    "population": "nso/population/2023/population_2023.parquet",
    "institutions": "mosa/care_institutions/2023/register_2023.parquet",
}
EXPECTED_PROBLEMS = {
    "location": [
        "unexpected location; deliveries go in <entity>/<feed>/<period>/<file>.parquet",
    ],
    "feed": [
        "unknown feed 'adoptions': no data contract "
        f"(known feeds: {', '.join(sorted(load_contracts()))})",
    ],
    "owner_period": [
        "feed 'placements' is delivered by 'mosa' (Ministry of Social Affairs), not by 'nso'",
        "period folder '2024-3' does not match the monthly format YYYY-MM (e.g. 2024-03)",
    ],
    "schema": [
        "missing column 'sex' (in the contract, not in the file)",
        "unexpected extra column 'region' (in the file, not in the contract)",
        "column 'date_of_birth': type string, but the contract says date",
    ],
    "rows": [
        "column 'placement_id': 2 rows have a duplicate primary key (each key must appear once) "
        "(rows 7, 8: values not shown, record identifiers)",
        "column 'sex': 2 rows have values outside the allowed codes [F, M] (rows 2, 5: 'X', 'U')",
        "column 'date_of_birth': 1 row has a value below the minimum 1990-01-01 (row 4: 1985-05-01)",
        "column 'care_type': 1 row has no value, but a value is required (row 3)",
        "column 'district_code': 1 row has no value, but a value is required (row 6)",
    ],
    "population": [
        "column 'age': 6 rows have values outside the allowed range 0 to 24 "
        "(first 5: rows 9, 10, 11, 12, 13: 25, 26, 27, 28, 29)",
        "columns (year, district_code, sex, age): 2 rows have a duplicate primary key "
        "(each key must appear once) (rows 1, 15: (2023, '0101', 'F', 0), (2023, '0101', 'F', 0))",
    ],
    "institutions": [
        "column 'ownership': 1 row has a value outside the allowed codes "
        "[government, ngo, faith_based, private] (row 1: 'unknown')",
        "column 'opened_date': 1 row has a value below the minimum 1950-01-01 (row 2: 1900-01-01)",
    ],
}


@dataclass(frozen=True)
class Delivery:
    settings: Settings
    report: IngestReport
    sha_before: dict[str, str]
    progress: list[tuple[str, int, int]]


def bad_placement_rows() -> list[dict]:
    rows = placements_rows("Q", 8)
    rows[1]["sex"] = "X"
    rows[4]["sex"] = "U"
    rows[2]["care_type"] = None
    rows[3]["date_of_birth"] = dt.date(1985, 5, 1)
    rows[5]["district_code"] = "  "  # blank text is no value
    rows[7]["placement_id"] = rows[6]["placement_id"]
    return rows


def schema_table() -> pa.Table:
    good = valid_table("placements").drop_columns(["sex"])
    good = good.append_column("region", pa.array(["north"] * good.num_rows))
    index = good.schema.get_field_index("date_of_birth")
    return good.set_column(index, "date_of_birth", good.column("date_of_birth").cast(pa.string()))


def fill_landing(landing: Path) -> None:
    deliver(landing, GOOD["placements_march"], table("placements", placements_rows("P", 4)))
    deliver(landing, GOOD["placements_april"], table("placements", placements_rows("R", 2)))
    deliver(landing, GOOD["population"], valid_table("population"))
    deliver(landing, GOOD["institutions"], valid_table("care_institutions"))
    deliver(landing, GOOD["admin_units"], valid_table("admin_units"))
    deliver(landing, BAD["location"], table("placements", placements_rows("S", 1)))
    deliver(landing, BAD["feed"], table("placements", placements_rows("A", 2)))
    deliver(landing, BAD["owner_period"], table("placements", placements_rows("N", 2)))
    deliver(landing, BAD["unreadable"], b"not parquet at all")
    deliver(landing, BAD["not_parquet"], b"hello")
    deliver(landing, BAD["schema"], schema_table())
    deliver(landing, BAD["rows"], table("placements", bad_placement_rows()))
    population = population_rows(2023)
    population += [dict(population[0], age=age) for age in range(25, 31)] + [population[0]]
    deliver(landing, BAD["population"], table("population", population))
    institutions = care_institutions_rows()
    institutions[0]["ownership"] = "unknown"
    institutions[1]["opened_date"] = dt.date(1900, 1, 1)
    deliver(landing, BAD["institutions"], table("care_institutions", institutions))
    deliver(landing, "mosa/placements/2024-09/.upload-in-progress.parquet", b"partial")


@pytest.fixture(scope="module")
def delivery(tmp_path_factory: pytest.TempPathFactory) -> Delivery:
    settings = Settings.from_env(tmp_path_factory.mktemp("data"))
    fill_landing(settings.landing_dir)
    sha_before = {
        p.relative_to(settings.landing_dir).as_posix(): file_sha256(p)
        for p in settings.landing_dir.rglob("*")
        if p.is_file()
    }
    progress: list[tuple[str, int, int]] = []
    report = ingest_landing(settings, run_id="run-1", progress=lambda *args: progress.append(args))
    return Delivery(settings, report, sha_before, progress)


def result(delivery: Delivery, source_file: str):
    return next(r for r in delivery.report.results if r.source_file == source_file)


def ingested(delivery: Delivery, source_file: str) -> pa.Table:
    entity, feed, period, _ = source_file.split("/")
    sha12 = delivery.sha_before[source_file][:12]
    return pq.read_table(
        delivery.settings.ingested_dir / feed / f"{entity}__{period}__{sha12}.parquet"
    )


def pseudonym(value: str, settings: Settings) -> str:
    return hmac.new(settings.pseudonym_key(), value.encode(), hashlib.sha256).hexdigest()


def test_counts_and_progress(delivery: Delivery) -> None:
    report = delivery.report
    assert (report.files_seen, report.files_loaded, report.files_quarantined) == (14, 5, 9)
    assert report.files_skipped == 0
    assert {r.source_file for r in report.results if r.status == "loaded"} == set(GOOD.values())
    # the hidden upload is left alone; progress is reported once per file
    assert [p[1:] for p in delivery.progress] == [(i, 14) for i in range(1, 15)]


def test_good_placements_are_pseudonymised_typed_and_labelled(delivery: Delivery) -> None:
    source_file = GOOD["placements_march"]
    out = ingested(delivery, source_file)
    assert out.num_rows == 4
    assert out.column_names == [
        "placement_id", "child_id", "sex", "date_of_birth", "disability", "care_type",
        "institution_id", "district_code", "start_date", "end_date", "exit_reason",
        "has_birth_certificate", "birth_certificate_date", "_entity", "_feed", "_period", "_source_file",
        "_source_sha256", "_received_at", "_ingested_at",
    ]  # fmt: skip
    # birth_certificate_date was added to the contract later (may_be_absent): this file, delivered
    # without it, loads with the column empty instead of being refused
    assert out.column("birth_certificate_date").null_count == 4
    settings = delivery.settings
    assert out.column("placement_id").to_pylist() == [
        pseudonym(p, settings) for p in ("P001", "P002", "P003", "P004")
    ]
    assert out.column("child_id").to_pylist() == [
        pseudonym(c, settings) for c in ("C01", "C02", "C03", "C01")
    ]
    assert all(len(v) == 64 for v in out.column("child_id").to_pylist())
    assert out.column("sex").to_pylist() == ["F", "M", "F", "M"]
    assert out.schema.field("date_of_birth").type == pa.date32()
    assert out.column("date_of_birth").to_pylist()[0] == dt.date(2012, 1, 15)
    assert out.column("_entity").to_pylist() == ["mosa"] * 4
    assert out.column("_feed").to_pylist() == ["placements"] * 4
    assert out.column("_period").to_pylist() == ["2024-03"] * 4
    assert out.column("_source_file").to_pylist() == [source_file] * 4
    assert out.column("_source_sha256").to_pylist() == [delivery.sha_before[source_file]] * 4
    mtime = (settings.landing_dir / source_file).stat().st_mtime
    received = dt.datetime.fromtimestamp(mtime, dt.UTC).replace(tzinfo=None)
    assert out.column("_received_at").to_pylist() == [received] * 4
    assert out.schema.field("_ingested_at").type == pa.timestamp("us")
    # no direct identifier and no raw identifier survives
    text = str(out.to_pylist())
    for raw in ("Test Child", "Visited on day", "P001", "'C01'"):
        assert raw not in text


def test_integer_widths_are_widened(delivery: Delivery) -> None:
    population = ingested(delivery, GOOD["population"])
    assert population.schema.field("age").type == pa.int64()  # delivered as int16
    assert population.column("population").to_pylist() == [100, 110, 120, 130, 140, 150, 160, 170]
    institutions = ingested(delivery, GOOD["institutions"])
    assert "contact_phone" not in institutions.column_names
    assert institutions.column("capacity").to_pylist() == [40, None]


def test_empty_feed_files_have_the_ingested_schema(delivery: Delivery) -> None:
    for feed in ("placements", "population", "care_institutions", "admin_units"):
        empty = pq.read_table(delivery.settings.ingested_dir / feed / "_empty.parquet")
        assert empty.num_rows == 0
    real = ingested(delivery, GOOD["placements_march"]).schema
    empty_schema = pq.read_schema(delivery.settings.ingested_dir / "placements" / "_empty.parquet")
    assert empty_schema.remove_metadata().equals(real.remove_metadata())


@pytest.mark.parametrize("case", sorted(EXPECTED_PROBLEMS))
def test_each_bad_delivery_gets_its_specific_reasons(delivery: Delivery, case: str) -> None:
    source_file = BAD[case]
    outcome = result(delivery, source_file)
    assert outcome.status == "quarantined"
    quarantine = delivery.settings.quarantine_dir / (
        f"{delivery.sha_before[source_file][:12]}__{Path(source_file).name}.json"
    )
    document = json.loads(quarantine.read_text())
    assert sorted(document["problems"]) == sorted(EXPECTED_PROBLEMS[case])
    assert outcome.reason == f"{source_file}: " + "; ".join(document["problems"])
    assert document["source_file"] == source_file
    assert document["status"] == "quarantined"


def test_unreadable_files_are_named_plainly(delivery: Delivery) -> None:
    broken = result(delivery, BAD["unreadable"])
    assert broken.reason.startswith(f"{BAD['unreadable']}: is not a readable Parquet file (")
    assert str(delivery.settings.data_dir) not in broken.reason  # no server paths for users
    assert broken.rows is None
    notes = result(delivery, BAD["not_parquet"])
    assert notes.reason.startswith(
        f"{BAD['not_parquet']}: is not a .parquet file; deliveries go in "
        "<entity>/<feed>/<period>/<file>.parquet; is not a readable Parquet file ("
    )


def test_originals_are_never_touched(delivery: Delivery) -> None:
    after = {
        p.relative_to(delivery.settings.landing_dir).as_posix(): file_sha256(p)
        for p in delivery.settings.landing_dir.rglob("*")
        if p.is_file()
    }
    assert after == delivery.sha_before


def test_ledger_has_one_row_per_file(delivery: Delivery) -> None:
    ledger = read_ledger(delivery.settings)
    assert len(ledger) == 14
    assert ledger["status"].value_counts().to_dict() == {"quarantined": 9, "loaded": 5}
    row = ledger.set_index("source_file").loc[GOOD["placements_march"]]
    assert (row["entity"], row["feed"], row["period"], row["rows"], row["reason"]) == (
        "mosa", "placements", "2024-03", 4, ""
    )  # fmt: skip
    assert row["sha256"] == delivery.sha_before[GOOD["placements_march"]]
    stray = ledger.set_index("source_file").loc[BAD["location"]]
    assert stray.isna()["entity"]
    assert pd.isna(stray["rows"])  # not read: its location is already wrong


def test_check_results_of_the_feed_suites(delivery: Delivery) -> None:
    checks = delivery.report.check_results
    march = [c for c in checks if c.target == GOOD["placements_march"]]
    contract = load_contracts()["placements"]  # its rules change as the contract grows
    rules = [
        len([c for c in contract.columns if c.required]),
        len([c for c in contract.columns if c.allowed]),
        len([c for c in contract.columns if c.min is not None or c.max is not None]),
        len([c for c in contract.columns if c.checks_future]),
        len([c for c in contract.columns if c.not_before]),
        len([c for c in contract.columns if c.references]),
        len(contract.period_columns),
    ]
    assert rules[:4] == [7, 3, 4, 4]  # required, allowed codes, ranges, dates not in the future
    # schema + each column rule + primary key, less the range, not-in-future and not-before rules
    # of birth_certificate_date, which this file does not have (a column that may be absent)
    assert len(march) == 1 + sum(rules) - 3 + 1
    assert not [c for c in march if c.column_name == "birth_certificate_date"]
    assert all(c.success and c.suite == "feed.placements" for c in march)
    failed = [c for c in checks if c.target == BAD["rows"] and not c.success]
    assert sorted(c.unexpected_count for c in failed) == [1, 1, 1, 2, 2]
    assert {c.severity for c in checks} == {"error"}
    assert {c.run_id for c in checks} == {"run-1"}


def test_second_run_skips_everything_and_changes_nothing(delivery: Delivery) -> None:
    ledger_before = read_ledger(delivery.settings)
    ingested_before = sorted(p.name for p in delivery.settings.ingested_dir.rglob("*.parquet"))
    again = ingest_landing(delivery.settings, run_id="run-2")
    assert (again.files_seen, again.files_skipped, again.files_loaded) == (14, 14, 0)
    assert again.check_results == []
    assert read_ledger(delivery.settings).equals(ledger_before)
    assert sorted(p.name for p in delivery.settings.ingested_dir.rglob("*.parquet")) == (
        ingested_before
    )


def test_a_column_is_pseudonymised_as_value_by_value() -> None:
    key = b"k" * 32
    chunks = pa.chunked_array([["C01", None, "C02"], ["C01", "", None, "C03"]])
    expected = [
        None if v is None else hmac.new(key, v.encode(), hashlib.sha256).hexdigest()
        for v in chunks.to_pylist()
    ]
    assert pseudonymise_array(chunks, key).to_pylist() == expected
    assert [pseudonymise(v, key) for v in chunks.to_pylist()] == expected
    assert pseudonymise_array(pa.array([], pa.string()), key).to_pylist() == []
    # Many distinct ids are hashed in DuckDB: the same strings, for a short and a long key.
    many = pa.array([f"C{i:05d}" if i % 7 else None for i in range(3000)] + ["é", "C00001"])
    for a_key in (key, b"long key " * 20):
        assert pseudonymise_array(many, a_key).to_pylist() == [
            pseudonymise(v, a_key) for v in many.to_pylist()
        ]


def test_ids_reused_from_the_previous_file_get_the_same_pseudonyms() -> None:
    key = b"r" * 32
    first = pa.array([f"C{i:05d}" for i in range(2500)] + [None])
    # The next delivery: most ids again, some new ones, a few gone, nulls; then one with no id.
    second = pa.array([None, "N1"] + [f"C{i:05d}" for i in range(100, 2600)] + ["N2", "C00100"])
    third = pa.array([None, None], pa.string())
    try:
        for values in (first, second, third, second):
            reused = pseudonymise_array(values, key, reuse="cases.child_id")
            assert reused.to_pylist() == [pseudonymise(v, key) for v in values.to_pylist()]
        # Another key never reads what the first one kept.
        other = pseudonymise_array(second, b"o" * 32, reuse="cases.child_id").to_pylist()
        assert other == [pseudonymise(v, b"o" * 32) for v in second.to_pylist()]
    finally:
        forget_reused()
    assert schema._PREVIOUS == {}


def test_same_child_same_pseudonym_across_files(delivery: Delivery) -> None:
    march = ingested(delivery, GOOD["placements_march"]).column("child_id").to_pylist()
    april = ingested(delivery, GOOD["placements_april"]).column("child_id").to_pylist()
    assert march[0] == april[0]  # C01 in both deliveries
    assert march[1] == april[1]  # C02 in both deliveries
    assert march[0] != march[1]


def test_another_key_gives_other_pseudonyms_and_a_crash_quarantines_one_file(
    delivery: Delivery, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CPMONITOR_PSEUDONYM_KEY", "another-test-key")
    settings = Settings.from_env(tmp_path)
    deliver(settings.landing_dir, GOOD["placements_march"], table("placements", placements_rows()))
    deliver(settings.landing_dir, GOOD["population"], valid_table("population"))

    import ingest.outcome

    real = ingest.outcome.to_ingested

    def fail_on_population(contract, *args, **kwargs):
        if contract.feed == "population":
            raise RuntimeError("disk full")
        return real(contract, *args, **kwargs)

    monkeypatch.setattr(ingest.outcome, "to_ingested", fail_on_population)
    report = ingest_landing(settings, run_id="run-key")
    crashed = next(r for r in report.results if r.feed == "population")
    assert crashed.status == "quarantined"
    assert (
        crashed.reason == f"{GOOD['population']}: could not be processed (RuntimeError: disk full)"
    )
    sha12 = file_sha256(settings.landing_dir / GOOD["placements_march"])[:12]
    other = pq.read_table(settings.ingested_dir / "placements" / f"mosa__2024-03__{sha12}.parquet")
    first = ingested(delivery, GOOD["placements_march"])
    assert other.column("child_id")[0].as_py() != first.column("child_id")[0].as_py()
    assert (
        other.column("child_id")[0].as_py()
        == hmac.new(b"another-test-key", b"C01", hashlib.sha256).hexdigest()
    )


def test_type_rules() -> None:
    assert type_matches("integer", pa.int8()) and type_matches("integer", pa.uint32())
    assert type_matches("float", pa.int64()) and type_matches("float", pa.float32())
    assert not type_matches("integer", pa.float64())
    assert type_matches("date", pa.date64()) and not type_matches("date", pa.timestamp("s"))
    assert type_matches("string", pa.large_string()) and not type_matches("string", pa.int64())
    assert type_matches("boolean", pa.bool_()) and type_matches("boolean", pa.null())


def test_location_rules_for_quarterly_and_yearly_periods() -> None:
    contracts = load_contracts()
    assert location_problems("nso/population/2024/p.parquet", contracts) == []
    assert location_problems("nso/population/2024-Q1/p.parquet", contracts) == [
        "period folder '2024-Q1' does not match the yearly format YYYY (e.g. 2024)"
    ]


# --- Rules beyond the schema: future dates, dates before birth, unknown codes, the period ---------

ARRIVED = dt.datetime(2024, 4, 10, 9, 0, tzinfo=dt.UTC)


def placements_with_rules() -> dict:
    """The contracts, with the rules proposed for placements.yaml (owned by another engineer)."""
    contracts = dict(load_contracts())
    data = contracts["placements"].model_dump(exclude_unset=True)
    data["period_columns"] = ["start_date", "end_date"]
    for column in data["columns"]:
        if column["name"] == "start_date":
            column["not_before"] = "date_of_birth"
        if column["name"] == "end_date":
            column["not_before"] = "start_date"
        if column["name"] == "district_code":
            column["references"] = "admin_units"
    contracts["placements"] = Contract.model_validate(data)
    return contracts


def deliver_at(landing: Path, relative: str, data: pa.Table | bytes, when: dt.datetime) -> Path:
    path = deliver(landing, relative, data)
    os.utime(path, (when.timestamp(), when.timestamp()))
    return path


@dataclass(frozen=True)
class RulesRun:
    settings: Settings
    first: IngestReport
    second: IngestReport


@pytest.fixture(scope="module")
def rules_run(tmp_path_factory: pytest.TempPathFactory) -> RulesRun:
    settings = Settings.from_env(tmp_path_factory.mktemp("rules"))
    contracts = placements_with_rules()
    landing = settings.landing_dir
    # Run 1: no admin units yet, so district codes cannot be checked (a warning, not a refusal).
    deliver_at(landing, "mosa/placements/2024-01/jan.parquet", valid_table("placements"), ARRIVED)
    first = ingest_landing(settings, run_id="rules-1", contracts=contracts)
    deliver_at(landing, "nso/admin_units/2024/units.parquet", valid_table("admin_units"), ARRIVED)
    rows = placements_rows("W", 6)
    rows[1]["end_date"] = dt.date(2024, 5, 1)  # after the delivery arrived on 2024-04-10
    rows[1]["exit_reason"] = "kinship_care"
    rows[2]["start_date"] = dt.date(2010, 1, 1)  # born 2014-03-15
    rows[4]["district_code"] = "9999"  # not a district of the admin units delivery
    deliver_at(landing, "mosa/placements/2024-03/rows.parquet", table("placements", rows), ARRIVED)
    period = placements_rows("V", 2)
    period[0]["end_date"] = dt.date(2023, 12, 31)  # ended before February 2024
    period[0]["exit_reason"] = "adoption"
    deliver_at(
        landing, "mosa/placements/2024-02/period.parquet", table("placements", period), ARRIVED
    )
    deliver_at(
        landing,
        "nso/population/2023/pop.parquet",
        table("population", population_rows(2022)),
        ARRIVED,
    )
    second = ingest_landing(settings, run_id="rules-2", contracts=contracts)
    return RulesRun(settings, first, second)


def test_codes_are_not_checked_before_any_admin_units_delivery(rules_run: RulesRun) -> None:
    (jan,) = rules_run.first.results
    assert (jan.status, jan.reason) == ("loaded", "")
    warnings = [c for c in rules_run.first.check_results if c.severity == "warning"]
    assert [(w.column_name, w.details, w.success) for w in warnings] == [
        (
            "district_code",
            "column 'district_code': codes not checked, no admin_units delivery has been loaded yet",
            False,
        )
    ]


def test_offending_rows_are_rejected_and_the_rest_loads(rules_run: RulesRun) -> None:
    source = "mosa/placements/2024-03/rows.parquet"
    outcome = next(r for r in rules_run.second.results if r.source_file == source)
    assert (outcome.status, outcome.rows, outcome.rows_rejected) == (
        "loaded_with_rejections", 6, 3
    )  # fmt: skip
    assert outcome.reason == (
        f"{source}: 3 of 6 rows rejected (kept in quarantine): "
        "column 'district_code': 1 row has a code not found in the district codes of the latest "
        "admin_units delivery (2024) (row 5: '9999'); "
        "column 'start_date': 1 row has a date before 'date_of_birth' (row 3: 2010-01-01 vs 2014-03-15); "
        "column 'end_date': 1 row has a date in the future (after the delivery arrived on 2024-04-10) "
        "(row 2: 2024-05-01)"
    )
    settings = rules_run.settings
    sha = file_sha256(settings.landing_dir / source)
    loaded = pq.read_table(
        settings.ingested_dir / "placements" / f"mosa__2024-03__{sha[:12]}.parquet"
    )
    assert loaded.column("placement_id").to_pylist() == [
        pseudonym(p, settings) for p in ("W001", "W004", "W006")
    ]
    kept = pq.read_table(settings.quarantine_dir / f"{sha[:12]}__rows.parquet")
    assert kept.column("_row").to_pylist() == [2, 3, 5]
    assert kept.column("_reasons").to_pylist() == [
        "end_date: date in the future",
        "start_date: date before date_of_birth",
        "district_code: unknown code",
    ]
    assert kept.column("placement_id").to_pylist() == [
        pseudonym(p, settings) for p in ("W002", "W003", "W005")
    ]
    assert "child_name" not in kept.column_names and "caseworker_notes" not in kept.column_names
    row = read_ledger(settings).set_index("source_file").loc[source]
    assert (row["status"], row["rows"], row["rows_rejected"]) == ("loaded_with_rejections", 6, 3)
    severities = {
        c.column_name: c.severity
        for c in rules_run.second.check_results
        if c.target == source and not c.success
    }
    assert severities == {
        "district_code": "warning",
        "start_date": "warning",
        "end_date": "warning",
    }


def test_a_period_mismatch_refuses_the_whole_file(rules_run: RulesRun) -> None:
    by_file = {r.source_file: r for r in rules_run.second.results}
    placements = by_file["mosa/placements/2024-02/period.parquet"]
    assert placements.status == "quarantined"
    assert placements.reason == (
        "mosa/placements/2024-02/period.parquet: column 'end_date': 1 row has an end before the "
        "delivery period 2024-02 begins (row 1: 2023-12-31)"
    )
    population = by_file["nso/population/2023/pop.parquet"]
    assert population.reason == (
        "nso/population/2023/pop.parquet: column 'year': 8 rows have values outside the delivery "
        "period 2023 (first 5: rows 1, 2, 3, 4, 5: 2022, 2022, 2022, 2022, 2022)"
    )
    # the delivery arrived on 2024-04-10: February's open episodes and March's rows are in period
    assert by_file["nso/admin_units/2024/units.parquet"].status == "loaded"


def test_contracts_without_the_new_fields_stay_valid_and_get_safe_defaults() -> None:
    minimal = Contract.model_validate(
        {
            "feed": "x",
            "title": "X",
            "owner": "o",
            "owner_name": "O",
            "frequency": "monthly",
            "columns": [
                {"name": "d", "type": "date", "privacy": "public"},
                {"name": "n", "type": "integer", "privacy": "public", "min": 0},
            ],
        }
    )
    assert minimal.period_columns == [] and minimal.allow_empty is False
    assert minimal.column("d").checks_future and not minimal.column("n").checks_future
    assert minimal.action("range", "n") == "reject_rows"
    assert minimal.action("primary_key") == "reject_file"
    assert minimal.action("period") == "reject_file"
    with pytest.raises(ValueError, match="not_before names unknown column"):
        Contract.model_validate(
            {
                **minimal.model_dump(),
                "columns": [{"name": "d", "type": "date", "privacy": "public", "not_before": "zz"}],
            }
        )


def test_contract_period_bounds() -> None:
    assert period_bounds("2024-02", "monthly") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert period_bounds("2024-Q4", "quarterly") == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    assert period_bounds("2023", "yearly") == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    with pytest.raises(ValueError, match="not a yearly period"):
        period_bounds("2024-03", "yearly")


def test_ledger_rows_have_the_ledger_columns_in_order() -> None:
    assert [f.name for f in dataclasses.fields(LedgerRow)] == LEDGER_SCHEMA.names


# --- Resubmissions and the archive ------------------------------------------------------------------


def test_a_resubmission_supersedes_only_its_own_period(tmp_path: Path) -> None:
    settings = Settings.from_env(tmp_path)
    landing = settings.landing_dir
    t0 = dt.datetime(2024, 4, 10, tzinfo=dt.UTC)
    march = "mosa/placements/2024-03/march.parquet"
    deliver_at(landing, march, table("placements", placements_rows("P", 4)), t0)
    deliver_at(
        landing,
        "mosa/placements/2024-04/april.parquet",
        table("placements", placements_rows("R", 2)),
        t0 + dt.timedelta(days=30),
    )
    deliver_at(landing, "nso/population/2024/pop.parquet", valid_table("population"), t0)
    first = ingest_landing(settings, run_id="s-1")
    assert first.files_loaded == 3
    before = {p.name: file_sha256(p) for p in settings.ingested_dir.rglob("*.parquet")}

    corrected_rows = placements_rows("P", 4)
    corrected_rows[0]["care_type"] = "foster"
    corrected_rows[0]["institution_id"] = None
    corrected = "mosa/placements/2024-03/march_corrected.parquet"
    deliver_at(landing, corrected, table("placements", corrected_rows), t0 + dt.timedelta(days=5))
    # an identical copy of April under another name: nothing happens
    deliver_at(
        landing,
        "mosa/placements/2024-04/april_again.parquet",
        table("placements", placements_rows("R", 2)),
        t0 + dt.timedelta(days=40),
    )
    second = ingest_landing(settings, run_id="s-2")
    assert (second.files_loaded, second.files_superseded, second.files_skipped) == (1, 1, 4)

    sha = {s: file_sha256(landing / s) for s in (march, corrected)}
    after = {p.name: file_sha256(p) for p in settings.ingested_dir.rglob("*.parquet")}
    removed, added = set(before) - set(after), set(after) - set(before)
    assert removed == {f"mosa__2024-03__{sha[march][:12]}.parquet"}
    assert added == {f"mosa__2024-03__{sha[corrected][:12]}.parquet"}
    assert all(after[name] == before[name] for name in set(before) & set(after))  # untouched
    ledger = read_ledger(settings).set_index("source_file")
    assert (ledger.loc[march, "status"], ledger.loc[march, "superseded_by"]) == (
        "superseded", sha[corrected]
    )  # fmt: skip
    assert ledger.loc[corrected, "status"] == "loaded"
    assert pd.isna(ledger.loc[corrected, "superseded_by"])
    assert "mosa/placements/2024-04/april_again.parquet" not in ledger.index

    # the same path with new content: the newest arrival wins again
    third_rows = placements_rows("P", 3)
    deliver_at(landing, corrected, table("placements", third_rows), t0 + dt.timedelta(days=9))
    third_sha = file_sha256(landing / corrected)
    third = ingest_landing(settings, run_id="s-3")
    assert (third.files_loaded, third.files_superseded) == (1, 1)
    ledger = read_ledger(settings)
    march_rows = ledger[ledger["period"] == "2024-03"].sort_values("received_at")
    assert march_rows["status"].tolist() == ["superseded", "superseded", "loaded"]
    assert march_rows["superseded_by"].tolist()[:2] == [third_sha, third_sha]
    march_files = sorted(
        p.name for p in (settings.ingested_dir / "placements").glob("mosa__2024-03__*")
    )
    assert march_files == [f"mosa__2024-03__{third_sha[:12]}.parquet"]

    # every delivered version is archived, read-only, under its sha256
    archive = settings.data_dir / "archive"
    for digest in (sha[march], sha[corrected], third_sha):
        kept = archive / digest[:2] / f"{digest}.parquet"
        assert file_sha256(kept) == digest
        assert stat.S_IMODE(kept.stat().st_mode) == 0o400  # read-only, the owner only: raw data
    assert len(list(archive.rglob("*.parquet"))) == 5  # march x3, april, population


def test_an_older_resubmission_does_not_replace_a_newer_delivery(tmp_path: Path) -> None:
    settings = Settings.from_env(tmp_path)
    t0 = dt.datetime(2024, 4, 10, tzinfo=dt.UTC)
    newer = "mosa/placements/2024-03/b.parquet"
    deliver_at(settings.landing_dir, newer, table("placements", placements_rows("B", 2)), t0)
    ingest_landing(settings, run_id="o-1")
    late = "mosa/placements/2024-03/a.parquet"  # a file found later, but it arrived earlier
    deliver_at(
        settings.landing_dir,
        late,
        table("placements", placements_rows("A", 2)),
        t0 - dt.timedelta(days=1),
    )
    # an unchanged yearly register is each year's delivery: the same bytes load for both years
    for year in (2023, 2024):
        deliver(
            settings.landing_dir,
            f"mosa/care_institutions/{year}/r.parquet",
            valid_table("care_institutions"),
        )
    report = ingest_landing(settings, run_id="o-2")
    registers = sorted(
        p.name[:10] for p in (settings.ingested_dir / "care_institutions").glob("mosa__*")
    )
    assert registers == ["mosa__2023", "mosa__2024"]
    ledger = read_ledger(settings).set_index("source_file")
    assert ledger.loc[late, "status"] == "superseded"
    assert ledger.loc[late, "superseded_by"] == file_sha256(settings.landing_dir / newer)
    assert ledger.loc[newer, "status"] == "loaded"
    assert report.files_superseded == 1


def _without(table: pa.Table, *columns: str) -> pa.Table:
    return table.drop_columns([c for c in columns if c in table.schema.names])


def test_worker_processes_share_the_feeds_and_change_nothing(
    delivery: Delivery, tmp_path: Path
) -> None:
    """The same landing ingested by two worker processes (``ingest.parallel``) gives the one-process
    run's report, ledger (in order), ingested copies and quarantine, but for the times they were
    written; progress still counts every entry up to the total."""
    settings = Settings.from_env(tmp_path / "data")
    fill_landing(settings.landing_dir)
    progress: list[tuple[str, int, int]] = []
    report = ingest_landing(
        settings, run_id="run-1", workers=2, progress=lambda *args: progress.append(args)
    )

    assert report.results == delivery.report.results
    assert (report.files_loaded, report.files_quarantined) == (len(GOOD), len(BAD))
    assert [dataclasses.replace(c, checked_at=None) for c in report.check_results] == [
        dataclasses.replace(c, checked_at=None) for c in delivery.report.check_results
    ]
    stamps = ("received_at", "ingested_at")
    assert _without(pq.read_table(settings.ledger_file), *stamps).equals(
        _without(pq.read_table(delivery.settings.ledger_file), *stamps)
    )
    for folder in ("ingested", "quarantine"):
        ours = sorted(
            p.relative_to(settings.data_dir) for p in (settings.data_dir / folder).rglob("*.*")
        )
        theirs = sorted(
            p.relative_to(delivery.settings.data_dir)
            for p in (delivery.settings.data_dir / folder).rglob("*.*")
        )
        assert ours == theirs and ours
        for relative in ours:
            mine, other = settings.data_dir / relative, delivery.settings.data_dir / relative
            if relative.suffix == ".parquet":
                assert _without(pq.read_table(mine), "_received_at", "_ingested_at").equals(
                    _without(pq.read_table(other), "_received_at", "_ingested_at")
                ), relative
            else:
                first, second = json.loads(mine.read_text()), json.loads(other.read_text())
                for record in (first, second):
                    for stamp in ("received_at", "ingested_at"):
                        record.pop(stamp, None)
                assert first == second, relative
    total = len(delivery.report.results)
    assert [done for _label, done, _total in progress] == sorted(done for _, done, _ in progress)
    assert progress[-1][1:] == (total, total)


def test_how_many_workers_a_run_gets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(parallel.WORKERS_ENV, raising=False)
    assert parallel.workers_for(parallel.MIN_FILES_FOR_WORKERS - 1) == 1
    cores = len(os.sched_getaffinity(0))
    assert parallel.workers_for(2000) == max(1, min(parallel.MAX_WORKERS, cores))
    monkeypatch.setenv(parallel.WORKERS_ENV, "1")
    assert parallel.workers_for(2000) == 1
    monkeypatch.setenv(parallel.WORKERS_ENV, "3")
    assert parallel.workers_for(10) == 3
    monkeypatch.setenv(parallel.WORKERS_ENV, "two")
    with pytest.raises(ValueError, match="CPMONITOR_INGEST_WORKERS must be a whole number"):
        parallel.workers_for(10)
