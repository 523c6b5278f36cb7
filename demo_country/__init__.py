"""The demo country: invented ministry deliveries for a fictional country, the Republic of
Teluvara, to demonstrate and test the warehouse. Not part of the runtime package (``cpmonitor``
imports it only in its ``generate`` and ``demo`` commands).

No real child, place or organisation: every name, number and boundary is made up, while the levels and
trends follow a published care-reform trajectory so the dashboard tells a true-to-life story.

Layout: ``country`` (the simulated country: ``geography``, ``population`` and the sector
simulations in ``sectors/<sector>/`` with the story each tells), ``feeds/<feed>.py`` (one generator
per data contract), ``delivery`` (a delivered file), ``messiness`` (what goes wrong in real
deliveries), ``build`` (every delivery in order) and ``landing`` (writing them into the landing
zone). The codes written are the contracts' (``codes``).
"""

from cpmonitor.core.contracts import arrow_schema
from cpmonitor.core.parquet_io import parquet_bytes, write_parquet_atomic
from demo_country.build import build_deliveries
from demo_country.delivery import Delivery
from demo_country.landing import GenerateSummary, LandingZoneConflictError, generate
from demo_country.names import COUNTRY_NAME

__all__ = [
    "COUNTRY_NAME",
    "Delivery",
    "GenerateSummary",
    "LandingZoneConflictError",
    "arrow_schema",
    "build_deliveries",
    "generate",
    "parquet_bytes",
    "write_parquet_atomic",
]
