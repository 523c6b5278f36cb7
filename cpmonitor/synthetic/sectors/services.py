"""Synthetic feeds of the services area (docs/indicators-and-feeds.md). Not generated yet."""

from __future__ import annotations

from cpmonitor.synthetic.deliveries import Country, Delivery
from ingest.contracts import Contract


def deliveries(country: Country, contracts: dict[str, Contract]) -> list[Delivery]:
    """This area's deliveries: none yet."""
    return []
