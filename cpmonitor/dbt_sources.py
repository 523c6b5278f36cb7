"""dbt source definitions derived from the data contracts, so a feed is described once.

``models/staging/<entity>/_<entity>__sources.yml`` is generated: run ``cpmonitor sync-sources``
after adding or changing a contract. A test fails when the files and the contracts disagree.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from cpmonitor.core.contracts import Contract, load_contracts
from cpmonitor.core.settings import PROJECT_ROOT

HEADER = "# Generated from data_contracts/ by `cpmonitor sync-sources`: edit the contracts, not this file.\n"
EXTERNAL_LOCATION = (
    "read_parquet('{{ env_var('CPMONITOR_DATA_DIR') }}/ingested/{name}/*.parquet', "
    "union_by_name = true)"
)
PRIVACY_NOTES = {
    "record_id": "Keyed hash (HMAC-SHA-256) of the delivered identifier.",
    "quasi_identifier": "Personal: kept for computation, never published below aggregate level.",
}


def sources_path(entity: str, root: Path = PROJECT_ROOT) -> Path:
    return root / "models" / "staging" / entity / f"_{entity}__sources.yml"


def render_sources(contracts: dict[str, Contract]) -> dict[str, str]:
    """YAML text of the sources file of each reporting entity, by entity code."""
    by_entity: dict[str, list[Contract]] = {}
    for contract in sorted(contracts.values(), key=lambda c: c.feed):
        by_entity.setdefault(contract.owner, []).append(contract)
    return {entity: _render(feeds) for entity, feeds in sorted(by_entity.items())}


def _render(contracts: list[Contract]) -> str:
    owner = contracts[0].owner_name
    source = {
        "name": contracts[0].owner,
        "description": (
            f"{owner} feeds as ingested: validated, pseudonymised Parquet files, one per accepted "
            "delivery, under `$CPMONITOR_DATA_DIR/ingested/<feed>/`. Direct identifiers are dropped "
            "and record identifiers are keyed hashes. Every file carries the delivery metadata "
            "`_entity`, `_feed`, `_period`, `_source_file`, `_source_sha256`, `_received_at`, "
            "`_ingested_at`; each feed directory holds `_empty.parquet` so a feed without "
            "deliveries still reads."
        ),
        "config": {"meta": {"external_location": EXTERNAL_LOCATION}},
        "tables": [_table(c) for c in contracts],
    }
    body = yaml.safe_dump(
        {"version": 2, "sources": [source]}, sort_keys=False, width=100, allow_unicode=True
    )
    return HEADER + body


def _table(contract: Contract) -> dict:
    description = (
        f"{contract.title}, delivered {contract.frequency} (data_contracts/{contract.feed}.yaml)."
    )
    if contract.description:
        description += " " + " ".join(contract.description.split())
    columns = []
    for column in contract.columns:
        if column.privacy == "direct_identifier":
            continue
        text = " ".join(column.description.split())
        note = PRIVACY_NOTES.get(column.privacy)
        about = " ".join(p for p in (text, note) if p)
        columns.append({"name": column.name} | ({"description": about} if about else {}))
    table = {"name": contract.feed, "description": description, "columns": columns}
    if contract.reporting_units is not None:
        # read by int_indicator_coverage: completeness by the offices that report into the feed
        units = contract.reporting_units
        table["config"] = {
            "meta": {
                "reporting_units": {
                    "level": units.level,
                    "source": contract.owner,
                    "feed": units.feed,
                    "column": units.column,
                }
            }
        }
    return table


def sync_sources(root: Path = PROJECT_ROOT) -> list[Path]:
    """Write every entity's sources file from the contracts; returns the files that changed."""
    changed = []
    for entity, text in render_sources(load_contracts(root / "data_contracts")).items():
        path = sources_path(entity, root)
        if not path.exists() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            changed.append(path)
    return changed
