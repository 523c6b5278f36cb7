"""One GX run per feed batch: the files of a feed validated together, the outcomes split per file.

Validating file by file costs GX's fixed overhead (about a second) for every delivered file. Here the
frames of several files of one feed are concatenated (``MAX_BATCH_ROWS`` at most) and the feed's
*batch suite* runs once on them. The batch suite is the feed suite with the few rules that depend on
the file rewritten so one run answers them for every file at once:

- a bound taken from the delivery (arrival date, period start and end) becomes a column holding each
  row's own file's bound, checked with a column-pair expectation (``bound >= value`` or
  ``value >= bound``; null values are ignored, as ``between`` ignores them);
- uniqueness within a file becomes compound uniqueness of (file, columns), with the file set to null
  on the rows the per-file rule ignores.

GX returns every offending row position of the batch (``unexpected_index_list``); each is mapped back
to its file and row, and each file gets the ``Outcome`` the feed suite would have given it on its own:
same expectation, column, meta, count, first example rows and their values (read as GX reads them),
and all offending rows. A batch whose run fails, or in which any expectation could not run, is
validated again file by file with the feed suite, so errors read exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from cpmonitor.core.contracts import Contract
from expectations.batch_rules import Rule, Unsupported, rule_of, unexpected_positions
from expectations.feeds import feed_expectations, feed_suite_name
from expectations.runner import (
    EXAMPLE_COUNT,
    ExpectationInfo,
    Outcome,
    SuiteRunner,
    expectation_info,
)

MAX_BATCH_ROWS = 1_000_000
MAX_BATCH_BYTES = 512 << 20
FILE_COLUMN = "__batch_file__"
BOUND_RULES = ("not_in_future", "period")


@dataclass(frozen=True)
class _Part:
    """One batch expectation standing for (part of) feed expectation ``index``."""

    index: int
    kind: str  # "same" | "bound" | "unique"


@dataclass(frozen=True)
class _Bound:
    """A per-row bound column: the value of suite parameter ``parameter`` of each row's file."""

    name: str
    column: str  # the checked column (for the dtype of the bound)
    parameter: str
    rule: str


@dataclass(frozen=True)
class _FileKey:
    """A per-row file column for compound uniqueness: null where all of ``columns`` are null."""

    name: str
    columns: tuple[str, ...]


@dataclass
class BatchSuite:
    """A feed's batch suite and how to read its outcomes back as the feed suite's."""

    name: str
    infos: list[ExpectationInfo]
    parts: dict[int, _Part]
    bounds: list[_Bound]
    file_keys: list[_FileKey]
    contract: Contract
    order: list[int]
    rules: list[Rule]


@dataclass(frozen=True)
class BatchFile:
    """One file of a batch: its checked columns (cast to the contract types) and its parameters."""

    frame: pa.Table
    parameters: dict[str, Any]
    period_valid: bool


def batch_suite_name(feed: str) -> str:
    return f"batch.{feed_suite_name(feed)}"


def build_batch_suite(contract: Contract) -> tuple[BatchSuite, list[Any]]:
    """The batch suite of a feed (and its GX expectations), derived from the feed suite."""
    import great_expectations.expectations as gxe  # lazy: GX takes seconds to import (see ``expectations``)

    originals = feed_expectations(contract)
    infos = [expectation_info(e) for e in originals]
    parts: dict[int, _Part] = {}
    bounds: list[_Bound] = []
    file_keys: list[_FileKey] = []
    out: list[Any] = []

    def add(expectation: Any, index: int, kind: str) -> None:
        tag = len(out)
        expectation.meta = {**(expectation.meta or {}), "batch_part": tag}
        parts[tag] = _Part(index, kind)
        out.append(expectation)

    for index, (original, info) in enumerate(zip(originals, infos, strict=True)):
        rule = info.meta.get("rule")
        config = original.configuration
        kwargs = config.kwargs
        if rule in BOUND_RULES and config.type == "expect_column_values_to_be_between":
            column = kwargs["column"]
            for side in ("min_value", "max_value"):
                bound = kwargs.get(side)
                if bound is None:
                    continue
                name = f"__batch_bound_{index}_{side}__"
                bounds.append(_Bound(name, column, bound["$PARAMETER"], rule))
                low, high = (name, column) if side == "max_value" else (column, name)
                add(
                    gxe.ExpectColumnPairValuesAToBeGreaterThanB(
                        column_A=low,
                        column_B=high,
                        or_equal=True,
                        ignore_row_if="either_value_is_missing",
                        meta={},
                    ),
                    index,
                    "bound",
                )
        elif config.type == "expect_column_values_to_be_unique":
            add(
                gxe.ExpectCompoundColumnsToBeUnique(
                    column_list=[FILE_COLUMN, kwargs["column"]],
                    ignore_row_if="any_value_is_missing",
                    meta={},
                ),
                index,
                "unique",
            )
        elif config.type == "expect_compound_columns_to_be_unique":
            ignore = kwargs.get("ignore_row_if") or "all_values_are_missing"
            if ignore != "all_values_are_missing":
                raise ValueError(f"unsupported ignore_row_if {ignore!r} in a batch suite")
            name = f"__batch_file_{index}__"
            file_keys.append(_FileKey(name, tuple(kwargs["column_list"])))
            add(
                gxe.ExpectCompoundColumnsToBeUnique(
                    column_list=[name, *kwargs["column_list"]],
                    ignore_row_if="all_values_are_missing",
                    meta={},
                ),
                index,
                "unique",
            )
        else:
            add(original, index, "same")
    suite = BatchSuite(
        batch_suite_name(contract.feed), infos, parts, bounds, file_keys, contract,
        _result_order(originals), [rule_of(e) for e in out],
    )  # fmt: skip
    return suite, out


def _result_order(expectations: list[Any]) -> list[int]:
    """Positions of a suite's expectations in the order GX reports their results: grouped by their
    ``column`` argument, groups in order of first appearance, expectations without one (pairs,
    compound) as one group (``Validator.process_expectations_for_validation``)."""
    groups: dict[str, list[int]] = {}
    for index, expectation in enumerate(expectations):
        column = expectation.configuration.kwargs.get("column")
        groups.setdefault(column if isinstance(column, str) else "\0nocolumn", []).append(index)
    return [index for group in groups.values() for index in group]


class BatchValidator:
    """Builds each feed's batch suite once per run; evaluates it directly on the batch frame
    (``expectations.batch_rules``), or, for a suite with an expectation that cannot be evaluated so,
    in the run's one ``SuiteRunner`` (made, and the suite added to it, only then)."""

    def __init__(self, runner: Callable[[], SuiteRunner]) -> None:
        self.runner = runner
        self._suites: dict[str, tuple[BatchSuite, list[Any]]] = {}
        self._in_gx: set[str] = set()

    def suite(self, contract: Contract) -> BatchSuite:
        if contract.feed not in self._suites:
            self._suites[contract.feed] = build_batch_suite(contract)
        return self._suites[contract.feed][0]

    def _gx_run(
        self, suite: BatchSuite, frame: pd.DataFrame, shared: dict[str, Any]
    ) -> dict[int, np.ndarray] | None:
        """The offending batch rows of each batch expectation from a GX run (None: one failed)."""
        runner = self.runner()
        if suite.name not in self._in_gx:
            runner.add_suite(suite.name, self._suites[suite.contract.feed][1])
            self._in_gx.add(suite.name)
        raw = runner.validate(suite.name, frame, parameters=shared or None, all_rows=True)
        if any(o.error for o in raw):
            return None
        return {o.meta["batch_part"]: np.asarray(o.unexpected_rows, dtype=np.int64) for o in raw}

    def validate(
        self, contract: Contract, files: list[BatchFile], shared: dict[str, Any]
    ) -> list[list[Outcome]] | None:
        """The feed-suite outcomes of each file (all with the same columns), from one GX run;
        None when an expectation could not run in the batch (the caller then goes file by file).
        ``shared`` holds the suite parameters that are the same for every file (reference codes)."""
        suite = self.suite(contract)
        frame, starts = _batch_frame(suite, files)
        offending = _evaluate(suite, frame, shared)
        if offending is None:
            offending = self._gx_run(suite, frame, shared)
        if offending is None:
            return None
        per_index: dict[int, list[np.ndarray]] = {}
        for tag, rows in offending.items():
            per_index.setdefault(suite.parts[tag].index, []).append(rows)
        results: list[list[Outcome]] = [[] for _ in files]
        for index in suite.order:
            info = suite.infos[index]
            pieces = per_index.get(index, [])
            rows = np.sort(np.concatenate(pieces or [np.empty(0, np.int64)]))
            owner = np.searchsorted(starts, rows, side="right") - 1
            bounds = np.searchsorted(owner, np.arange(len(files) + 1), side="left")
            values = _value_reader(info, frame)
            for position in range(len(files)):
                mine = rows[bounds[position] : bounds[position + 1]]
                local = (mine - starts[position]).tolist()
                results[position].append(
                    Outcome(
                        expectation=info.expectation,
                        column_name=info.column_name,
                        success=not local,
                        severity=info.severity,
                        unexpected_count=len(local),
                        example_rows=local[:EXAMPLE_COUNT],
                        example_values=values(mine[:EXAMPLE_COUNT]),
                        meta=dict(info.meta),
                        unexpected_rows=local,
                    )
                )
        return results


def _evaluate(
    suite: BatchSuite, frame: pd.DataFrame, shared: dict[str, Any]
) -> dict[int, np.ndarray] | None:
    """The offending batch rows of each batch expectation, found without GX (None: some
    expectation is left to GX, which then runs the whole suite)."""
    frame = frame.reset_index(drop=True)
    try:
        return {
            tag: unexpected_positions(rule, frame, shared) for tag, rule in enumerate(suite.rules)
        }
    except Unsupported:
        return None


def _batch_frame(suite: BatchSuite, files: list[BatchFile]) -> tuple[pd.DataFrame, np.ndarray]:
    """The files' rows in one frame, with the file and per-file bound columns the suite reads."""
    counts = np.array([f.frame.num_rows for f in files], dtype=np.int64)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]]).astype(np.int64)
    frame = pa.concat_tables([f.frame for f in files]).to_pandas()
    which = np.repeat(np.arange(len(files), dtype=np.int64), counts)
    extra: dict[str, Any] = {FILE_COLUMN: which}
    for key in suite.file_keys:
        missing = frame[list(key.columns)].isna().all(axis=1).to_numpy()
        extra[key.name] = np.where(missing, np.nan, which.astype(np.float64))
    contract = suite.contract
    for bound in suite.bounds:
        kind = contract.column(bound.column).type
        per_file = [
            None
            if bound.rule == "period" and not f.period_valid
            else f.parameters.get(bound.parameter)
            for f in files
        ]
        extra[bound.name] = _bound_values(per_file, counts, kind)
    frame = pd.concat([frame, pd.DataFrame(extra, index=frame.index)], axis=1)
    return frame, starts


def _bound_values(per_file: list[Any], counts: np.ndarray, kind: str) -> Any:
    if kind == "timestamp":
        array = np.array([np.datetime64(v, "us") if v is not None else None for v in per_file])
        return np.repeat(array.astype("datetime64[us]"), counts)
    if kind == "integer":
        array = np.array([np.nan if v is None else float(v) for v in per_file], dtype=np.float64)
        return np.repeat(array, counts)
    array = np.empty(len(per_file), dtype=object)
    array[:] = per_file
    return np.repeat(array, counts)


def _value_reader(info: ExpectationInfo, frame: pd.DataFrame) -> Callable[[np.ndarray], list[Any]]:
    """Offending values at batch rows, read the way GX reads them for the feed expectation."""
    column = info.column_name or ""
    if info.expectation == "expect_compound_columns_to_be_unique":
        columns = [c.strip() for c in column.split(",")]
        return lambda rows: frame[columns].iloc[rows].to_dict("records") if len(rows) else []
    if info.expectation.startswith("expect_column_pair_"):
        return lambda rows: _pair_values(info, frame, rows)
    return lambda rows: list(frame[column].iloc[rows]) if len(rows) else []


def _pair_values(info: ExpectationInfo, frame: pd.DataFrame, rows: np.ndarray) -> list[Any]:
    other = info.meta.get("other")
    if not len(rows) or other is None:
        return []
    column_a = frame[info.column_name].iloc[rows].values
    column_b = frame[other].iloc[rows].values
    return list(zip(column_a, column_b, strict=False))
