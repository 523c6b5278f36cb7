"""The codes the demo country writes, read from the data contracts (their one home).

A list of codes the contract allows (``allowed:`` of a column) is read from the contract, never
typed again here. Where the story attaches numbers to codes (how often each is drawn, a rate per
code), the numbers are keyed by code and the keys are checked against the contract: a code added
to or dropped from a contract stops the generator with a message naming the column, instead of
the demo silently drawing a code the contract no longer allows (or never drawing a new one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache
from typing import TypeVar

from cpmonitor.core.contracts import Contract, load_contracts

V = TypeVar("V")


@cache
def _contracts() -> dict[str, Contract]:
    return load_contracts()


def allowed(feed: str, column: str) -> tuple[str, ...]:
    """The codes ``data_contracts/<feed>.yaml`` allows in ``column``, in the contract's order."""
    contract = _contracts()[feed]
    spec = next((c for c in contract.columns if c.name == column), None)
    if spec is None or not spec.allowed:
        raise KeyError(f"data_contracts/{feed}.yaml has no allowed codes for column {column!r}")
    return tuple(spec.allowed)


def check(feed: str, column: str, codes: Iterable[str]) -> tuple[str, ...]:
    """``codes`` (in their own order) once checked to be exactly the codes the contract allows."""
    codes = tuple(codes)
    expected = allowed(feed, column)
    if sorted(codes) != sorted(expected):
        missing = sorted(set(expected) - set(codes))
        extra = sorted(set(codes) - set(expected))
        raise ValueError(
            f"The demo country's codes for {feed}.{column} differ from data_contracts/{feed}.yaml"
            f" (allowed: {list(expected)}; not drawn by the demo: {missing}; not allowed: {extra})"
        )
    return codes


def keyed(feed: str, column: str, values: Mapping[str, V]) -> tuple[tuple[str, ...], tuple[V, ...]]:
    """The codes of ``values`` and their values, in the mapping's order (the order the story
    draws them in), once the codes are checked to be exactly the contract's allowed codes."""
    return check(feed, column, values), tuple(values.values())
