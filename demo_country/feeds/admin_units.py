"""nso ``admin_units``: the nation, its provinces and districts with their GeoJSON boundaries,
delivered once (in the first reporting year). The national unit (``NAT``) carries the country's
name (``names.COUNTRY_NAME``): the warehouse names the nation after it."""

from __future__ import annotations

from cpmonitor.core.contracts import Contract
from demo_country.country import Country
from demo_country.delivery import Delivery, table_from_columns
from demo_country.names import COUNTRY_NAME

NATIONAL_CODE = "NAT"  # the code of the nation in the warehouse (dim_geography)


def generate(country: Country, contract: Contract) -> list[Delivery]:
    """The nation, then the provinces, then the districts, with their boundaries."""
    geo = country.geo
    parents = [geo.province_codes[p] for p in geo.district_province]
    n_provinces, n_districts = len(geo.province_codes), len(geo.district_codes)
    table = table_from_columns(
        contract,
        {
            "unit_code": [NATIONAL_CODE, *geo.province_codes, *geo.district_codes],
            "unit_name": [COUNTRY_NAME, *geo.province_names, *geo.district_names],
            "level": ["national"] + ["province"] * n_provinces + ["district"] * n_districts,
            "parent_code": [None] * (1 + n_provinces) + parents,
            "boundary_geojson": [geo.country_geojson, *geo.province_geojson, *geo.district_geojson],
        },
    )
    return [Delivery(contract.owner, contract.feed, str(country.years[0]), table)]
