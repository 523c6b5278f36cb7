"""The analysts' public schema (models/analysis) is described, versioned and kept to its rules:
the version in force has a changelog entry and a kept column file equal to the contracts, a
breaking change raises the major version, and only roles that read exact values get the file."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
import yaml

from cpmonitor.analyst import schema
from cpmonitor.core.access import AccessError, load_access


def models() -> list[dict]:
    return yaml.safe_load(schema.MODELS_FILE.read_text(encoding="utf-8"))["models"]


def test_every_public_table_and_column_is_described_and_under_an_enforced_contract() -> None:
    found = models()
    assert {m["name"] for m in found} == {
        "schema_info", "indicator_values", "indicators", "places", "periods",
        "reporting_completeness", "indicator_coverage", "check_results",
        "cube_children_in_care", "cube_care_movements", "cube_cases", "cube_detentions",
    }  # fmt: skip
    for model in found:
        assert model["config"]["contract"] == {"enforced": True}, model["name"]
        assert str(model.get("description") or "").strip(), model["name"]
        for column in model["columns"]:
            where = f"{model['name']}.{column['name']}"
            assert str(column.get("description") or "").strip(), where
            assert column.get("data_type"), where


def test_the_version_in_force_has_a_changelog_entry_and_its_kept_columns() -> None:
    version = schema.schema_version()
    assert schema.changelog_versions()[0] == version
    assert schema.kept_versions()[-1] == version
    # The contracts are the version in force: a change to them needs a new version (and file).
    assert schema.read_version(version) == schema.contract_columns()


def test_every_kept_version_is_in_the_changelog_and_each_step_raised_the_right_part() -> None:
    kept = schema.kept_versions()
    assert set(kept) == set(schema.changelog_versions())
    for old, new in zip(kept, kept[1:], strict=False):
        (old_major, old_minor), (new_major, new_minor) = map(schema.parse_version, (old, new))
        before, after = schema.read_version(old), schema.read_version(new)
        bump = schema.required_bump(before, after)
        if bump == "major":
            assert new_major > old_major, (
                f"{old} -> {new}: {schema.breaking_changes(before, after)}"
            )
        elif bump == "minor":
            assert (new_major, new_minor) > (old_major, old_minor), f"{old} -> {new}"


def test_removals_and_type_changes_are_breaking_and_additions_are_not() -> None:
    old = {"cube": {"month": "varchar", "children": "bigint"}, "gone": {"x": "integer"}}
    new = {
        "cube": {"month": "date", "children": "bigint", "sex": "varchar"},
        "added": {"y": "integer"},
    }
    assert schema.breaking_changes(old, new) == [
        "column cube.month changed type: varchar -> date",
        "table gone removed",
    ]
    assert schema.additions(old, new) == ["column cube.sex added", "table added added"]
    assert schema.required_bump(old, new) == "major"
    only_added = {**old, "cube": {**old["cube"], "sex": "varchar"}}
    assert schema.breaking_changes(old, only_added) == []
    assert schema.required_bump(old, only_added) == "minor"
    assert schema.required_bump(old, old) is None
    with pytest.raises(ValueError, match="MAJOR.MINOR"):
        schema.parse_version("1")


def test_the_fixture_warehouse_holds_the_public_schema_as_contracted(warehouse: Path) -> None:
    """The analysts' tests run on tests/warehouse_fixture.py: its analysis tables are the contracts'."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "SELECT table_name, column_name, lower(data_type) FROM duckdb_columns() "
            "WHERE schema_name = 'analysis' ORDER BY table_name, column_index"
        ).fetchall()
        version = con.execute("SELECT * FROM analysis.schema_info").fetchall()
    found: dict[str, dict[str, str]] = {}
    for table, column, data_type in rows:
        found.setdefault(table, {})[column] = data_type
    assert found == schema.contract_columns()
    assert version == [(schema.schema_version(), 1, 0)]


def test_a_role_with_sql_must_read_exact_values(tmp_path: Path) -> None:
    """The analyst file holds exact values and cubes: a protected role cannot be given it."""
    policy = tmp_path / "access.yml"
    policy.write_text(
        "roles:\n"
        "  admin: {label: A, exact: true, levels: [national], can: [users, audit_log]}\n"
        "  analyst: {label: Partner analyst, exact: false, levels: [national], can: [sql]}\n"
    )
    with pytest.raises(AccessError, match="roles.analyst: .*sql power.*exact: true"):
        load_access(path=policy)
    assert all(role.exact for role in load_access().roles.values() if role.may("sql"))
