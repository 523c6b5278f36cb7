"""The glossary page: every indicator of the catalogue once, under its sector, with the catalogue's
own words; the dashboard's terms in the words the dashboard uses elsewhere; open to every role.

The expected indicators and sectors are read from the seed catalogue itself
(``seeds/indicator_catalogue.csv``), not from the page's query.
"""

from __future__ import annotations

import csv
import dataclasses
from collections import Counter
from pathlib import Path

import pytest
from auth_helpers import DONOR, PLANNER, POLICY, as_role

from cpmonitor.core.settings import CATALOGUE_FILE, Settings
from dashboards.app import create_app
from dashboards.pages import discover_pages, glossary
from dashboards.pages.indicator import DIRECTION_WORDS, KIND_WORDS
from dashboards.pages.scorecard import STATUS_NOTE


@pytest.fixture(scope="module")
def seed() -> list[dict[str, str]]:
    with CATALOGUE_FILE.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def page(warehouse: Path) -> object:
    return glossary.glossary_content(warehouse, role=PLANNER)


def _ids(component: object, prefix: str = "glossary-") -> list[str]:
    """The ids of the indicator entries (``glossary-<code>``) anywhere under ``component``."""
    found = []
    for node in component._traverse():
        node_id = getattr(node, "id", None)
        if (
            isinstance(node_id, str)
            and node_id.startswith(prefix)
            and node_id.count("-") == 1
            and node_id not in ("glossary-contents", "glossary-terms")
        ):
            found.append(node_id.removeprefix(prefix))
    return found


def test_every_indicator_appears_once_under_its_sector(
    page: object, seed: list[dict[str, str]]
) -> None:
    assert len(seed) == 50
    everywhere = Counter(_ids(page))
    assert set(everywhere) == {row["indicator_code"] for row in seed}
    assert set(everywhere.values()) == {1}  # once each
    for sector in {row["sector_code"] for row in seed}:
        wanted = [row["indicator_code"] for row in seed if row["sector_code"] == sector]
        section = page[f"glossary-sector-{sector}"]
        assert _ids(section) == wanted, sector  # in catalogue order
        name = next(row["sector_name"] for row in seed if row["sector_code"] == sector)
        assert section.children.children[0].children == name
    # The contents list the five sectors with their number of indicators, in catalogue order.
    contents = [item.children.children for item in page["glossary-contents"].children]
    assert contents == [
        "Alternative care and family reintegration (14)",
        "Justice for children (9)",
        "Violence, exploitation and case management (14)",
        "Civil registration and harmful practices (5)",
        "Education, health, labour and social protection (8)",
    ]
    assert sum(int(text.rsplit("(", 1)[1].rstrip(")")) for text in contents) == 50


def test_definitions_match_the_catalogue(page: object, seed: list[dict[str, str]]) -> None:
    for row in seed:
        code = row["indicator_code"]
        assert page[f"glossary-{code}-definition"].children == row["definition"], code
        entry = str(page[f"glossary-{code}"])
        assert row["numerator_definition"] in entry, code
        if row["denominator_definition"]:
            assert row["denominator_definition"] in entry, code
        assert KIND_WORDS[row["kind"]] in entry, code
        assert DIRECTION_WORDS[row["direction"]] in entry, code


def test_targets_baselines_and_sources_in_words(page: object) -> None:
    ac07 = str(page["glossary-AC07"])
    # The catalogue: 30 % by 2018 from 0 on 2015-12-31, number format ,.1f.
    assert "30.0% by 2018 (national), from a baseline of 0.0% on 31 Dec 2015" in ac07
    assert "80.0% by 2025 (national)" in str(page["glossary-AC06"])
    assert "No target set" in str(page["glossary-AC01"])
    # The unit in the indicator page's words, then the kind and the direction.
    assert (
        "A number (count) · Stock: counted on the last day of each period. · Lower is better."
        in str(page["glossary-AC04"])
    )
    assert "Per 100,000 · Rate of events" in str(page["glossary-AC01"])
    # AC01 rests on the placements and population feeds, named as audit.feeds names them.
    assert (
        "Child placements in formal care (Ministry of Social Affairs); Child population "
        "projections (National Statistics Office (Ministry of Planning))"
    ) in str(page["glossary-AC01"])
    # Definitions only: no value of the fixture (AC04 national at 2018-12: 2,142).
    assert "2,142" not in str(page) and "2142" not in str(page)


def test_the_dashboards_words_for_its_terms(page: object) -> None:
    terms = dict(glossary.dashboard_terms())
    for term in ("Stock", "Flow", "Rate", "Median", "Distinct children", "Survey estimate"):
        assert term in terms, term
    assert terms["Stock"] == "Counted on the last day of each period."  # KIND_WORDS["stock"]
    assert terms["Median"].startswith("The middle value over the records of the period")
    assert terms["On track, off track, progress"] == STATUS_NOTE
    assert "fewer than 5 children or events" in terms["Not shown (suppressed), protected figures"]
    assert "Exact figures" in terms and "Reporting rate (completeness)" in terms
    text = str(page["glossary-terms"])
    assert all(term in text for term in terms)


def test_names_link_to_the_indicator_page_for_a_role_that_may_open_it(warehouse: Path) -> None:
    linked = glossary.glossary_content(warehouse, role=DONOR)
    assert linked["glossary-AC01-link"].href == "/indicator?code=AC01"
    no_indicator = dataclasses.replace(DONOR, pages=("glossary",))
    plain = glossary.glossary_content(warehouse, role=no_indicator)
    assert "glossary-AC01-link" not in str(plain)
    assert "Children entering formal care" in str(plain["glossary-AC01"])


def test_every_audience_may_open_it_and_it_is_the_last_page(warehouse: Path) -> None:
    for role in ("admin", "planner", "analyst", "donor", "public"):
        assert POLICY.role(role).may_open("glossary"), role
    last = discover_pages()[-1]
    assert (last.name, last.path, last.route.nav_label) == ("glossary", "/glossary", "Glossary")
    app = create_app(Settings.from_env(warehouse.parent))
    with as_role(app, "donor", "/glossary"):
        shown = glossary.layout()
    assert "glossary-sector-AC" in str(shown)
