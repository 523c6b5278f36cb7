"""Every dashboard page is a dbt exposure, and every dashboard exposure is a page.

``models/marts/_marts__exposures.yml`` declares one exposure per page of ``dashboards/pages/``
(named ``dashboard_<module>``, its URL the page's path), so dbt's lineage shows which page reads
which mart. A new page without an exposure, or an exposure left behind by a removed page, fails here.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from cpmonitor.core.settings import PROJECT_ROOT
from dashboards.pages import discover_pages

EXPOSURES_FILE = PROJECT_ROOT / "models" / "marts" / "_marts__exposures.yml"
REF = re.compile(r"^ref\('(\w+)'\)$")
SOURCE = re.compile(r"^source\('(\w+)', '(\w+)'\)$")


@pytest.fixture(scope="module")
def exposures() -> dict[str, dict]:
    document = yaml.safe_load(EXPOSURES_FILE.read_text(encoding="utf-8"))
    return {exposure["name"]: exposure for exposure in document["exposures"]}


def test_the_exposures_are_the_registered_pages(exposures: dict[str, dict]) -> None:
    pages = {f"dashboard_{page.name}": page for page in discover_pages()}
    assert set(exposures) == set(pages)
    for name, page in pages.items():
        exposure = exposures[name]
        assert exposure["type"] == "dashboard", name
        assert exposure["url"] == page.path, name
        assert exposure["label"] == page.route.title, name
        assert exposure["owner"]["name"], name
        module = Path(exposure["config"]["meta"]["page_module"])
        assert module == Path("dashboards/pages") / f"{page.name}.py", name
        assert (PROJECT_ROOT / module).is_file(), name


def test_exposures_depend_on_marts_and_sources_that_exist(exposures: dict[str, dict]) -> None:
    marts = {path.stem for path in (PROJECT_ROOT / "models" / "marts").glob("*.sql")}
    for name, exposure in exposures.items():
        if "depends_on" not in exposure:  # a page that reads no model says what it reads
            assert exposure["config"]["meta"]["reads"], name
            continue
        assert exposure["depends_on"], name
        for dependency in exposure["depends_on"]:
            ref, source = REF.match(dependency), SOURCE.match(dependency)
            assert ref or source, f"{name}: {dependency}"
            if ref:
                assert ref.group(1) in marts, f"{name}: {dependency} is not a mart"
