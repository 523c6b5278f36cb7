"""nso ``admin_units``: the provinces and districts with their GeoJSON boundaries, delivered once
(in the first reporting year)."""

from __future__ import annotations

from cpmonitor.core.contracts import Contract
from demo_country.country import Country
from demo_country.delivery import Delivery, table_from_columns


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """Provinces then districts, with their boundaries."""
    geo = country.geo
    parents = [geo.province_codes[p] for p in geo.district_province]
    table = table_from_columns(
        contract,
        {
            "unit_code": geo.province_codes + geo.district_codes,
            "unit_name": geo.province_names + geo.district_names,
            "level": ["province"] * len(geo.province_codes)
            + ["district"] * len(geo.district_codes),
            "parent_code": [None] * len(geo.province_codes) + parents,
            "boundary_geojson": geo.province_geojson + geo.district_geojson,
        },
    )
    return [Delivery(contract.owner, contract.feed, str(country.years[0]), table)]
