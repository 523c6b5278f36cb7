"""Codes other feeds are checked against, read from the ingested deliveries.

A contract column with ``references: <feed>`` must take its codes from the latest loaded delivery
of that feed (e.g. district codes from ``admin_units``); a feed compiled from provincial offices'
reports (``reporting_units``) lists, per period, the offices whose report it holds.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import NamedTuple

import pyarrow as pa
import pyarrow.parquet as pq

from cpmonitor.core.contracts import Contract, ReferenceKey, resolve_reference
from expectations.completeness import ReportedUnits
from ingest.ingested import delivered_files


class ReferenceCodes(NamedTuple):
    """The valid codes of a ``references`` column, and what they are, for messages."""

    codes: list[str]
    label: str


# Each ``references`` column of a contract -> its codes, or None when the referenced feed has no
# loaded delivery yet (the rule is then skipped with a warning).
References = dict[str, ReferenceCodes | None]


def reference_codes_of(ingested_dir: Path, feed: str, key: ReferenceKey) -> ReferenceCodes | None:
    """Codes of ``key`` in the latest loaded delivery of ``feed`` (latest period, then arrival),
    and a label for messages; None when no delivery of the feed has been loaded."""
    files = delivered_files(ingested_dir, feed)
    if not files:
        return None
    columns = [key.column, *key.where, "_period", "_received_at", "_source_file"]
    frame = pa.concat_tables(pq.read_table(p, columns=columns) for p in files).to_pylist()
    if not frame:
        return None
    latest = max(
        frame,
        key=lambda r: (r["_period"], r["_received_at"] or dt.datetime.min, r["_source_file"]),
    )
    chosen = [r for r in frame if r["_source_file"] == latest["_source_file"]]
    codes = sorted(
        {
            str(r[key.column])
            for r in chosen
            if r[key.column] is not None and all(str(r[k]) == v for k, v in key.where.items())
        }
    )
    what = key.label or f"{key.column} values" + "".join(
        f" with {k} {v}" for k, v in key.where.items()
    )
    return ReferenceCodes(codes, f"the {what} of the latest {feed} delivery ({latest['_period']})")


class ReferenceLookup:
    """The codes of every ``references`` column, read once per run and read again once a delivery
    of the referenced feed has loaded (``forget``)."""

    def __init__(self, ingested_dir: Path, contracts: dict[str, Contract]) -> None:
        self.ingested_dir = ingested_dir
        self.contracts = contracts
        self._cache: dict[tuple[str, str], ReferenceCodes | None] = {}

    def for_contract(self, contract: Contract) -> References:
        """Valid codes (and their label) of each ``references`` column of a contract."""
        out: References = {}
        for column in contract.columns:
            resolved = resolve_reference(column, self.contracts)
            if resolved is None:
                continue
            feed, key = resolved
            cache_key = (feed, key.model_dump_json())
            if cache_key not in self._cache:
                self._cache[cache_key] = reference_codes_of(self.ingested_dir, feed, key)
            out[column.name] = self._cache[cache_key]
        return out

    def forget(self, feed: str | None) -> None:
        """A delivery of ``feed`` loaded: its codes are read again when next needed."""
        self._cache = {k: v for k, v in self._cache.items() if k[0] != feed}

    def references_itself(self, contract: Contract) -> bool:
        """Whether a feed's codes are checked against its own deliveries (then each of its files is
        checked once the one before it has loaded)."""
        return any(
            (resolved := resolve_reference(c, self.contracts)) is not None
            and resolved[0] == contract.feed
            for c in contract.columns
        )


def reported_units(ingested_dir: Path, contracts: dict[str, Contract]) -> dict[str, ReportedUnits]:
    """For each feed compiled from provincial offices' reports (``reporting_units``): the offices
    (the province codes its register's column references, from their latest loaded delivery) and,
    per delivered period, the offices its register lists. Feeds whose register or provinces have
    never loaded are left out (judged for the country as a whole)."""
    found: dict[str, ReportedUnits] = {}
    for contract in contracts.values():
        units = contract.reporting_units
        if units is None or units.feed not in contracts:
            continue
        resolved = resolve_reference(contracts[units.feed].column(units.column), contracts)
        found_codes = reference_codes_of(ingested_dir, *resolved) if resolved else None
        files = delivered_files(ingested_dir, units.feed)
        if not found_codes or not files:
            continue
        rows = pa.concat_tables(pq.read_table(p, columns=[units.column, "_period"]) for p in files)
        listed: dict[str, set[str]] = {}
        for code, period in zip(*rows.to_pydict().values(), strict=True):
            listed.setdefault(period, set()).add(str(code))
        found[contract.feed] = ReportedUnits(
            units=tuple(found_codes.codes), by_period={p: frozenset(c) for p, c in listed.items()}
        )
    return found
