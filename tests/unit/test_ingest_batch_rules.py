"""The batch suites evaluated without GX (``expectations.batch_rules``) find exactly the rows GX finds.

Every feed's batch suite runs on batches of messy files (nulls, blanks, codes outside the allowed
ones, values at and beyond each bound, dates before one another, in the future and outside the
period, duplicates, a file whose period is not valid): each expectation's offending rows must be
those of a GX run of the same suite on the same frame, and so must every message of the files.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pytest

from cpmonitor.core.contracts import ARROW_TYPES, Column, Contract, load_contracts
from cpmonitor.core.periods import PERIOD_EXAMPLES
from expectations.batch_rules import Rule, Unsupported, unexpected_positions
from expectations.feeds import describe_outcome, reference_parameter
from expectations.runner import SuiteRunner
from ingest.batch_suite import BatchFile, BatchValidator, _batch_frame, _evaluate
from ingest.references import ReferenceCodes
from ingest.schema import blank_strings_to_null
from ingest.table_checks import prepare_check

CONTRACTS = load_contracts()
ROWS = 60
CODES = ["D01", "D02", "D03"]


@pytest.fixture(scope="module")
def runner() -> SuiteRunner:
    return SuiteRunner()


def _values(column: Column, rng: np.random.Generator, rows: int) -> pa.Array:
    """Messy values of one column: few distinct ones (duplicates), nulls, values at and past bounds."""
    kind = column.type
    if kind == "string":
        pool: list[Any] = list(column.allowed or []) + ["x", " ", "", "D01", "D02", "D09"]
    elif kind in ("integer", "float"):
        edges = [v for v in (column.min, column.max) if v is not None]
        pool = [0, 1, 5, 17, 18, 200, -1, *edges, *(e + 1 for e in edges), *(e - 1 for e in edges)]
        pool = [
            float(v) + (0.5 if kind == "float" and i % 3 == 0 else 0) for i, v in enumerate(pool)
        ]
        pool = [int(v) for v in pool] if kind == "integer" else pool
    elif kind == "date":
        pool = [
            dt.date(1899, 12, 31), dt.date(1990, 1, 1), dt.date(2005, 6, 1), dt.date(2024, 2, 29),
            dt.date(2024, 3, 1), dt.date(2024, 3, 31), dt.date(2024, 4, 1), dt.date(2024, 4, 10),
            dt.date(2024, 12, 31), dt.date(2030, 1, 1), dt.date(2023, 12, 31),
        ]  # fmt: skip
    elif kind == "timestamp":
        pool = [
            dt.datetime(2024, 3, 1), dt.datetime(2024, 3, 31, 23, 59, 59, 999999),
            dt.datetime(2024, 4, 10, 8), dt.datetime(2024, 4, 10, 12, 0, 1),
            dt.datetime(2024, 2, 29, 23), dt.datetime(2031, 1, 1), dt.datetime(1995, 5, 5),
        ]  # fmt: skip
    else:
        pool = [True, False]
    picked = [pool[i] for i in rng.integers(0, len(pool), rows)]
    nulls = rng.random(rows) < 0.15
    return pa.array([None if n else v for v, n in zip(picked, nulls, strict=True)])


def _table(contract: Contract, rng: np.random.Generator, rows: int) -> pa.Table:
    """A delivered file as ingest reads it (blank text already null)."""
    arrays = [_values(c, rng, rows).cast(ARROW_TYPES[c.type]) for c in contract.columns]
    return blank_strings_to_null(pa.table(arrays, names=contract.column_names))


def _files(contract: Contract, seed: int) -> tuple[list[BatchFile], dict[str, Any]]:
    rng = np.random.default_rng(seed)
    period = PERIOD_EXAMPLES[contract.frequency]
    references = {
        c.name: ReferenceCodes(CODES, "the codes") for c in contract.columns if c.references
    }
    files = []
    for number, file_period in enumerate([period, period, "not-a-period"]):
        prepared = prepare_check(
            _table(contract, rng, ROWS - 7 * number), contract, source_file=f"f{number}.parquet",
            run_id="t", period=file_period, arrived_at=dt.datetime(2024, 4, 10, 12),
        )  # fmt: skip
        files.append(
            BatchFile(prepared.frame, prepared.parameters(references), prepared.period_valid)
        )
    names = {reference_parameter(c.name) for c in contract.columns if c.references}
    shared = {k: v for k, v in files[0].parameters.items() if k in names}
    return files, shared


@pytest.mark.parametrize("feed", sorted(CONTRACTS))
def test_each_feed_batch_suite_finds_the_rows_gx_finds(feed: str, runner: SuiteRunner) -> None:
    contract = CONTRACTS[feed]
    validator = BatchValidator(lambda: runner)
    suite = validator.suite(contract)
    assert all(rule.supported for rule in suite.rules)
    offending = 0
    for seed in (1,):
        files, shared = _files(contract, seed)
        frame, _ = _batch_frame(suite, files)
        fast = _evaluate(suite, frame, shared)
        gx = validator._gx_run(suite, frame, shared)
        assert fast is not None and gx is not None
        assert sorted(fast) == sorted(gx)
        for tag in fast:
            assert fast[tag].tolist() == sorted(gx[tag].tolist()), suite.rules[tag]
            offending += len(fast[tag])
        with_fast = validator.validate(contract, files, shared)
        assert with_fast is not None
        forced = _messages_with_gx(validator, contract, files, shared)
        assert [[describe_outcome(o) for o in f] for f in with_fast] == forced
        assert [[o.unexpected_rows for o in f] for f in with_fast] == [
            [o.unexpected_rows for o in f]
            for f in _outcomes_with_gx(validator, contract, files, shared)
        ]
    assert offending > 0


def _outcomes_with_gx(
    validator: BatchValidator, contract: Contract, files: list[BatchFile], shared: dict[str, Any]
) -> list[list[Any]]:
    import ingest.batch_suite as batch_suite

    original = batch_suite._evaluate
    batch_suite._evaluate = lambda *args: None  # type: ignore[assignment]
    try:
        results = validator.validate(contract, files, shared)
    finally:
        batch_suite._evaluate = original  # type: ignore[assignment]
    assert results is not None
    return results


def _messages_with_gx(
    validator: BatchValidator, contract: Contract, files: list[BatchFile], shared: dict[str, Any]
) -> list[list[str]]:
    return [
        [describe_outcome(o) for o in f]
        for f in _outcomes_with_gx(validator, contract, files, shared)
    ]


def test_what_gx_would_refuse_or_cannot_be_mirrored_is_left_to_gx() -> None:
    import pandas as pd

    frame = pd.DataFrame({"a": ["x", "y"], "d": [dt.date(2024, 1, 1), None], "b": [True, False]})
    unsupported = [
        Rule("expect_column_values_to_be_between", {"column": "a", "min_value": 1,
             "max_value": None, "strict_min": False, "strict_max": False}, True),
        Rule("expect_column_values_to_be_between", {"column": "d", "min_value": 5,
             "max_value": 1, "strict_min": False, "strict_max": False}, True),
        Rule("expect_column_values_to_be_between", {"column": "d", "min_value":
             dt.datetime(2024, 1, 1), "max_value": None, "strict_min": False,
             "strict_max": False}, True),
        Rule("expect_column_values_to_be_between", {"column": "b", "min_value": 0,
             "max_value": None, "strict_min": False, "strict_max": False}, True),
        Rule("expect_column_values_to_be_in_set", {"column": "a", "value_set": []}, True),
        Rule("expect_column_values_to_be_in_set", {"column": "a",
             "value_set": {"$PARAMETER": "missing"}}, True),
        Rule("expect_column_values_to_be_unique", {"column": "a"}, True),
        Rule("expect_column_values_to_not_be_null", {"column": "a"}, False),
    ]  # fmt: skip
    for rule in unsupported:
        with pytest.raises(Unsupported):
            unexpected_positions(rule, frame, {})
    shifted = frame.set_axis([5, 6])
    with pytest.raises(Unsupported):
        unexpected_positions(
            Rule("expect_column_values_to_not_be_null", {"column": "a"}, True), shifted, {}
        )
