"""Feeds of each sector beyond the care-reform slice, drawn from the same simulated country.

Each module has ``deliveries(country: Country, contracts) -> list[Delivery]`` and uses its own
random stream numbers (``country.rng(n)``), so adding a sector never changes another's files.
Stream numbers: 1-99 the country itself, 100-199 care, 200-299 case management, 300-399 justice,
400-499 registration and health, 500-599 services; 900-999 the delivery messiness added to all of
them (``cpmonitor.synthetic.messiness``).
"""

from cpmonitor.synthetic.sectors import (
    care,
    case_management,
    justice,
    registration_health,
    services,
)

SECTORS = (care, case_management, justice, registration_health, services)
