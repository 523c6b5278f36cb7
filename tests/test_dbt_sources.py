"""dbt sources are derived from the data contracts and must not drift from them."""

from __future__ import annotations

import yaml

from cpmonitor.core.contracts import load_contracts
from cpmonitor.dbt_sources import render_sources, sources_path


def test_source_files_match_the_contracts() -> None:
    rendered = render_sources(load_contracts())
    stale = [
        e
        for e, text in rendered.items()
        if not sources_path(e).exists() or sources_path(e).read_text() != text
    ]
    assert stale == [], f"run `cpmonitor sync-sources`: sources out of date for {stale}"


def test_every_feed_is_a_source_without_direct_identifiers() -> None:
    contracts = load_contracts()
    rendered = render_sources(contracts)
    for contract in contracts.values():
        source = yaml.safe_load(rendered[contract.owner])["sources"][0]
        table = next(t for t in source["tables"] if t["name"] == contract.feed)
        columns = {c["name"] for c in table["columns"]}
        assert columns == set(contract.column_names) - set(
            contract.columns_with_privacy("direct_identifier")
        )
