"""The analysts' public schema (``analysis``, models/analysis): its version and what a change to it is.

The tables and columns are the dbt contracts of ``models/analysis/_analysis__models.yml``; the
version is the dbt var ``analysis_schema_version`` (dbt_project.yml), shown to analysts as
``analysis.schema_info``. Each version's columns are kept in ``models/analysis/schema_versions/
<version>.json`` (``write_version_file`` writes the current one) and its changes in
``models/analysis/CHANGELOG.md``. ``breaking_changes`` and ``additions`` compare two versions: a
breaking change (a table or column removed, a type changed) must raise the major version, an
addition the minor one; the tests hold the repository to that.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from cpmonitor.core.settings import PROJECT_ROOT

SCHEMA = "analysis"
MODELS_DIR = PROJECT_ROOT / "models" / "analysis"
MODELS_FILE = MODELS_DIR / "_analysis__models.yml"
CHANGELOG = MODELS_DIR / "CHANGELOG.md"
VERSIONS_DIR = MODELS_DIR / "schema_versions"
DBT_PROJECT = PROJECT_ROOT / "dbt_project.yml"
VERSION_VAR = "analysis_schema_version"
_VERSION = re.compile(r"^(\d+)\.(\d+)$")
_HEADING = re.compile(r"^## (\d+\.\d+)\s*$", re.MULTILINE)

# {table: {column: type}} (types as the contracts spell them, lower case)
Columns = dict[str, dict[str, str]]


def schema_version() -> str:
    """The version in force (dbt var ``analysis_schema_version``)."""
    version = str(yaml.safe_load(DBT_PROJECT.read_text(encoding="utf-8"))["vars"][VERSION_VAR])
    parse_version(version)
    return version


def parse_version(version: str) -> tuple[int, int]:
    """``(major, minor)`` of ``MAJOR.MINOR``; ``ValueError`` for anything else."""
    match = _VERSION.match(version)
    if not match:
        raise ValueError(f"the analysis schema version must be MAJOR.MINOR, not {version!r}")
    return int(match[1]), int(match[2])


def contract_columns(models_file: Path = MODELS_FILE) -> Columns:
    """Every public table's columns and types, from the dbt contracts."""
    models = yaml.safe_load(models_file.read_text(encoding="utf-8"))["models"]
    return {
        model["name"]: {
            column["name"]: str(column["data_type"]).lower() for column in model["columns"]
        }
        for model in models
    }


def changelog_versions(changelog: Path = CHANGELOG) -> list[str]:
    """The versions the changelog has an entry for, newest first (as written)."""
    return _HEADING.findall(changelog.read_text(encoding="utf-8"))


def version_file(version: str) -> Path:
    return VERSIONS_DIR / f"{version}.json"


def kept_versions() -> list[str]:
    """The versions with a kept column file, oldest first."""
    return sorted((path.stem for path in VERSIONS_DIR.glob("*.json")), key=parse_version)


def read_version(version: str) -> Columns:
    return json.loads(version_file(version).read_text(encoding="utf-8"))


def write_version_file(version: str | None = None) -> Path:
    """Write the current contracts as ``schema_versions/<version>.json`` (the version in force by
    default): run it when a new version is made, never to hide a change in the version in force."""
    version = version or schema_version()
    path = version_file(version)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(contract_columns(), indent=2) + "\n", encoding="utf-8")
    return path


def breaking_changes(old: Columns, new: Columns) -> list[str]:
    """What ``new`` removes or changes of ``old``: each would break a query written for ``old``."""
    found = []
    for table, columns in old.items():
        if table not in new:
            found.append(f"table {table} removed")
            continue
        for column, data_type in columns.items():
            if column not in new[table]:
                found.append(f"column {table}.{column} removed")
            elif new[table][column] != data_type:
                found.append(
                    f"column {table}.{column} changed type: {data_type} -> {new[table][column]}"
                )
    return found


def additions(old: Columns, new: Columns) -> list[str]:
    """What ``new`` adds to ``old`` (queries written for ``old`` still run)."""
    found = []
    for table, columns in new.items():
        if table not in old:
            found.append(f"table {table} added")
            continue
        found.extend(
            f"column {table}.{column} added" for column in columns if column not in old[table]
        )
    return found


def required_bump(old: Columns, new: Columns) -> str | None:
    """``major``, ``minor`` or None (no change): what going from ``old`` to ``new`` requires."""
    if breaking_changes(old, new):
        return "major"
    if additions(old, new):
        return "minor"
    return None
