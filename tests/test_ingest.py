"""Ingest of a landing zone holding good and bad deliveries: what loads, what is quarantined and why.

One ingest run is shared by most tests (module-scoped fixture), because Great Expectations is slow
to start. Expected messages and values are written out by hand.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from ingest_fixtures import (
    care_institutions_rows,
    deliver,
    placements_rows,
    population_rows,
    table,
    valid_table,
)

from cpmonitor.settings import Settings
from ingest.contracts import load_contracts
from ingest.run import IngestReport, file_sha256, ingest_landing, location_problems, read_ledger
from ingest.schema import type_matches

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
        "_entity", "_feed", "_period", "_source_file", "_source_sha256", "_received_at",
        "_ingested_at",
    ]  # fmt: skip
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
    # schema + 7 not-null + 3 allowed-codes + 3 ranges (dates) + primary key
    assert len(march) == 15
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

    import ingest.run

    real = ingest.run.to_ingested

    def fail_on_population(contract, *args, **kwargs):
        if contract.feed == "population":
            raise RuntimeError("disk full")
        return real(contract, *args, **kwargs)

    monkeypatch.setattr(ingest.run, "to_ingested", fail_on_population)
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
