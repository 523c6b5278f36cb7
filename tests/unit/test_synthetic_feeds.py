"""The demo country's home (``demo_country/``): one generator per data contract, its output typed
by the contract, its codes the contract's, and the product importing it only in the CLI."""

from __future__ import annotations

import ast
import json
from pathlib import Path

import pyarrow.compute as pc
import pytest

from cpmonitor.core.contracts import arrow_schema, load_contracts
from cpmonitor.core.settings import CONTRACTS_DIR, PROJECT_ROOT
from demo_country import COUNTRY_NAME, codes, feeds
from demo_country.country import Country, simulate_country
from demo_country.delivery import Delivery

SMALL = {"seed": 11, "scale": 0.05, "start_year": 2016, "end_year": 2017}
FEEDS_DIR = PROJECT_ROOT / "demo_country" / "feeds"


@pytest.fixture(scope="module")
def country() -> Country:
    return simulate_country(**SMALL)


@pytest.fixture(scope="module")
def by_feed(country: Country) -> dict[str, list[Delivery]]:
    """Every clean delivery of each feed, generator by generator."""
    contracts = load_contracts()
    return {feed: feeds.generator(feed).generate(country, contracts[feed]) for feed in feeds.FEEDS}


def test_every_contract_has_a_generator_module_named_after_it() -> None:
    contract_feeds = {p.stem for p in CONTRACTS_DIR.glob("*.yaml")}
    modules = {p.stem for p in FEEDS_DIR.glob("*.py") if p.stem != "__init__"}
    assert contract_feeds == set(load_contracts())
    assert contract_feeds == modules, "data_contracts/<feed>.yaml <-> demo_country/feeds/<feed>.py"
    assert sorted(feeds.FEEDS) == sorted(contract_feeds)
    assert len(feeds.FEEDS) == len(set(feeds.FEEDS))
    for feed in feeds.FEEDS:
        assert callable(getattr(feeds.generator(feed), "generate", None)), feed


def test_each_generator_writes_exactly_its_contract(by_feed: dict[str, list[Delivery]]) -> None:
    """Columns, their order and types as the contract says; the contract's entity and feed; the
    feed's period format; at least one row."""
    contracts = load_contracts()
    for feed, deliveries in by_feed.items():
        contract = contracts[feed]
        assert deliveries, feed
        for d in deliveries:
            assert (d.entity, d.feed) == (contract.owner, feed)
            assert d.table.schema.equals(arrow_schema(contract)), (feed, d.period)
            assert d.table.column_names == contract.column_names, (feed, d.period)
        assert sum(d.table.num_rows for d in deliveries) > 0, feed


def test_written_codes_are_the_contracts_allowed_codes(by_feed: dict[str, list[Delivery]]) -> None:
    """Every code written in a column with allowed codes is one the contract allows (the clean
    files: the deliberately broken rows are added by ``messiness``)."""
    contracts = load_contracts()
    for feed, deliveries in by_feed.items():
        for column in contracts[feed].columns:
            if not column.allowed:
                continue
            written: set[str] = set()
            for d in deliveries:
                written |= {v for v in pc.unique(d.table.column(column.name)).to_pylist() if v}
            assert written <= set(column.allowed), (
                feed,
                column.name,
                written - set(column.allowed),
            )


def test_codes_come_from_the_contracts() -> None:
    placements = {c.name: c for c in load_contracts()["placements"].columns}
    assert codes.allowed("placements", "care_type") == tuple(placements["care_type"].allowed)
    assert codes.check("cases", "risk_level", ("low", "high", "medium")) == (
        "low",
        "high",
        "medium",
    )
    assert codes.keyed(
        "referrals", "provider_type", {"ngo": 1, "government": 2, "community": 3}
    ) == (
        ("ngo", "government", "community"),
        (1, 2, 3),
    )
    with pytest.raises(ValueError, match=r"cases\.risk_level.*not drawn by the demo: \['low'\]"):
        codes.check("cases", "risk_level", ("high", "medium"))
    with pytest.raises(ValueError, match=r"not allowed: \['urgent'\]"):
        codes.check("cases", "risk_level", ("high", "medium", "low", "urgent"))
    with pytest.raises(KeyError, match="no allowed codes"):
        codes.allowed("cases", "case_id")


def test_the_national_unit_names_the_country(by_feed: dict[str, list[Delivery]]) -> None:
    """admin_units delivers the nation (``NAT``, level national) with the country's name and
    outline: the warehouse's nation is named after it, not after a setting."""
    (delivery,) = by_feed["admin_units"]
    rows = delivery.table.to_pylist()
    nation = [r for r in rows if r["level"] == "national"]
    assert len(nation) == 1
    (row,) = nation
    assert (row["unit_code"], row["unit_name"], row["parent_code"]) == ("NAT", COUNTRY_NAME, None)
    assert json.loads(row["boundary_geojson"])["type"] in ("Polygon", "MultiPolygon")
    assert {r["level"] for r in rows} == {"national", "province", "district"}
    assert "Teluvara" not in (PROJECT_ROOT / "dbt_project.yml").read_text()


def _demo_country_imports(path: Path) -> list[tuple[int, str | None]]:
    """(line, enclosing function or None) of every import of ``demo_country`` in a module."""
    found: list[tuple[int, str | None]] = []

    def visit(node: ast.AST, function: str | None) -> None:
        for child in ast.iter_child_nodes(node):
            inner = function
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                inner = child.name
            names: list[str] = []
            if isinstance(child, ast.Import):
                names = [a.name for a in child.names]
            elif isinstance(child, ast.ImportFrom) and child.level == 0:
                names = [child.module or ""]
            if any(n == "demo_country" or n.startswith("demo_country.") for n in names):
                found.append((child.lineno, function))
            visit(child, inner)

    visit(ast.parse(path.read_text(), filename=str(path)), None)
    return found


def test_the_product_imports_the_demo_country_only_in_the_cli_commands() -> None:
    """``demo_country`` is not part of the runtime: only the CLI's generate (and so demo) command
    imports it, inside the command."""
    allowed = {("cpmonitor/cli.py", "generate")}
    for package in ("cpmonitor", "ingest", "expectations", "dashboards"):
        for path in sorted((PROJECT_ROOT / package).rglob("*.py")):
            where = str(path.relative_to(PROJECT_ROOT))
            for line, function in _demo_country_imports(path):
                assert (where, function) in allowed, f"{where}:{line} imports demo_country"
