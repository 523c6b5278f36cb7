"""Every delivery of the demo country, in a stable order (pure: no files are touched)."""

from __future__ import annotations

from cpmonitor.core.contracts import load_contracts
from demo_country import feeds
from demo_country.country import simulate_country
from demo_country.delivery import Delivery
from demo_country.messiness import add_messiness


def build_deliveries(
    seed: int, scale: float, start_year: int, end_year: int, *, messy: bool = True
) -> list[Delivery]:
    """Every delivery of the demo country, feed by feed (``demo_country.feeds.FEEDS``), then,
    unless ``messy`` is false, what goes wrong in real deliveries: arrival times spread,
    resubmissions, rejected rows, refused and late files (``demo_country.messiness``).
    """
    country = simulate_country(seed, scale, start_year, end_year)
    deliveries = feeds.deliveries(country, load_contracts())
    return add_messiness(country, deliveries) if messy else deliveries
