"""Small, contract-valid synthetic tables for each feed, and a helper to deliver them to a landing zone.

All names, identifiers and numbers are invented for a fictional country. Reusable by any test that
needs landing files (``from ingest_fixtures import valid_table, deliver``; pytest puts ``tests/`` on the path).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

D = dt.date

PLACEMENTS_SCHEMA = pa.schema(
    [
        ("placement_id", pa.string()),
        ("child_id", pa.string()),
        ("child_name", pa.string()),
        ("sex", pa.string()),
        ("date_of_birth", pa.date32()),
        ("disability", pa.bool_()),
        ("care_type", pa.string()),
        ("institution_id", pa.string()),
        ("district_code", pa.string()),
        ("start_date", pa.date32()),
        ("end_date", pa.date32()),
        ("exit_reason", pa.string()),
        ("has_birth_certificate", pa.bool_()),
        ("caseworker_notes", pa.string()),
    ]
)
POPULATION_SCHEMA = pa.schema(
    [
        ("year", pa.int32()),
        ("district_code", pa.string()),
        ("sex", pa.string()),
        ("age", pa.int16()),
        ("population", pa.int64()),
    ]
)
CARE_INSTITUTIONS_SCHEMA = pa.schema(
    [
        ("institution_id", pa.string()),
        ("institution_name", pa.string()),
        ("district_code", pa.string()),
        ("institution_type", pa.string()),
        ("ownership", pa.string()),
        ("registered", pa.bool_()),
        ("capacity", pa.int32()),
        ("opened_date", pa.date32()),
        ("closed_date", pa.date32()),
        ("contact_phone", pa.string()),
    ]
)
ADMIN_UNITS_SCHEMA = pa.schema(
    [
        ("unit_code", pa.string()),
        ("unit_name", pa.string()),
        ("level", pa.string()),
        ("parent_code", pa.string()),
        ("boundary_geojson", pa.string()),
    ]
)

SQUARE = '{"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}'


def placements_rows(prefix: str = "P", count: int = 4) -> list[dict]:
    """``count`` valid placement episodes; ids ``<prefix>001``...; children cycle C01, C02, C03."""
    care = ["residential", "foster", "residential", "kinship"]
    rows = []
    for i in range(count):
        residential = care[i % 4] == "residential"
        rows.append(
            {
                "placement_id": f"{prefix}{i + 1:03d}",
                "child_id": f"C{i % 3 + 1:02d}",
                "child_name": f"Test Child {i + 1}",
                "sex": "F" if i % 2 == 0 else "M",
                "date_of_birth": D(2012 + i % 5, 1 + i % 12, 15),
                "disability": [True, False, None][i % 3],
                "care_type": care[i % 4],
                "institution_id": "I001" if residential else None,
                "district_code": "0101" if i % 2 == 0 else "0102",
                "start_date": D(2023, 1 + i % 12, 1),
                "end_date": D(2024, 3, 20) if i % 4 == 3 else None,
                "exit_reason": "reintegrated_parents" if i % 4 == 3 else None,
                "has_birth_certificate": [True, None, False][i % 3],
                "caseworker_notes": f"Visited on day {i + 1}.",
            }
        )
    return rows


def population_rows(year: int = 2024) -> list[dict]:
    """Eight valid rows: districts 0101/0102 x sex F/M x ages 0/1, population 100 + 10 * i."""
    rows = []
    for i, (district, sex, age) in enumerate(
        (d, s, a) for d in ("0101", "0102") for s in ("F", "M") for a in (0, 1)
    ):
        rows.append(
            {
                "year": year,
                "district_code": district,
                "sex": sex,
                "age": age,
                "population": 100 + 10 * i,
            }
        )
    return rows


def care_institutions_rows() -> list[dict]:
    """Two valid institutions, one closed."""
    return [
        {
            "institution_id": "I001",
            "institution_name": "Hillside Children's Home",
            "district_code": "0101",
            "institution_type": "residential_care_centre",
            "ownership": "ngo",
            "registered": True,
            "capacity": 40,
            "opened_date": D(2001, 5, 1),
            "closed_date": None,
            "contact_phone": "+000 555 0101",
        },
        {
            "institution_id": "I002",
            "institution_name": "River Transit Centre",
            "district_code": "0102",
            "institution_type": "transit_centre",
            "ownership": "government",
            "registered": False,
            "capacity": None,
            "opened_date": D(1998, 1, 1),
            "closed_date": D(2020, 6, 30),
            "contact_phone": None,
        },
    ]


def admin_units_rows() -> list[dict]:
    """One province (01) with two districts (0101, 0102)."""
    return [
        {"unit_code": "01", "unit_name": "North", "level": "province", "parent_code": None},
        {"unit_code": "0101", "unit_name": "Lakeside", "level": "district", "parent_code": "01"},
        {"unit_code": "0102", "unit_name": "Hillview", "level": "district", "parent_code": "01"},
    ]


SCHEMAS = {
    "placements": PLACEMENTS_SCHEMA,
    "population": POPULATION_SCHEMA,
    "care_institutions": CARE_INSTITUTIONS_SCHEMA,
    "admin_units": ADMIN_UNITS_SCHEMA,
}


def table(feed: str, rows: list[dict]) -> pa.Table:
    """Rows of a feed as an Arrow table with the fixture schema of that feed."""
    if feed == "admin_units":
        rows = [{"boundary_geojson": SQUARE, **r} for r in rows]
    return pa.Table.from_pylist(rows, schema=SCHEMAS[feed])


def valid_table(feed: str) -> pa.Table:
    """A small table that satisfies the feed's contract."""
    rows = {
        "placements": placements_rows,
        "population": population_rows,
        "care_institutions": care_institutions_rows,
        "admin_units": admin_units_rows,
    }[feed]()
    return table(feed, rows)


def deliver(landing_dir: Path, relative_path: str, data: pa.Table | bytes) -> Path:
    """Write a delivery at ``landing/<relative_path>`` (a table as Parquet, or raw bytes)."""
    path = landing_dir / relative_path
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        pq.write_table(data, path)
    return path


def file_sha256(path: Path) -> str:
    """SHA-256 hex of a file, read in chunks (what the ledger records of a delivery)."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
