"""Synthetic demo country: invented ministry deliveries for a fictional country.

No real child, place or organisation: every name, number and boundary is made up, while the levels and
trends follow a published care-reform trajectory so the dashboard tells a true-to-life story.
"""

from cpmonitor.core.parquet_io import parquet_bytes, write_parquet_atomic
from cpmonitor.synthetic.deliveries import Delivery, arrow_schema, build_deliveries
from cpmonitor.synthetic.landing import GenerateSummary, LandingZoneConflictError, generate
from cpmonitor.synthetic.names import COUNTRY_NAME

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
