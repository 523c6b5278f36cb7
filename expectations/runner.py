"""A small wrapper around one ephemeral GX context: register suites once, validate DataFrames often.

Create one ``SuiteRunner`` per pipeline run (creating the context and importing GX is the slow part),
add the suites, then call ``validate`` per DataFrame. Results come back as plain ``Outcome`` records
so the rest of the code never touches GX objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

import cpmonitor.core.settings  # noqa: F401  (sets the no-telemetry environment before GX is imported)

EXAMPLE_COUNT = 5


@dataclass(frozen=True)
class Outcome:
    """The result of one expectation on one DataFrame, reduced to what reports need.

    ``example_rows`` are 0-based positions in the validated frame (up to ``EXAMPLE_COUNT``) and
    ``example_values`` the offending values at those rows; ``unexpected_rows`` holds every offending
    position when the validation asked for all rows; ``meta`` is what the suite builder attached.
    """

    expectation: str
    column_name: str | None
    success: bool
    severity: str
    unexpected_count: int | None
    example_rows: list[int] = field(default_factory=list)
    example_values: list[Any] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    unexpected_rows: list[int] = field(default_factory=list)


class SuiteRunner:
    """One ephemeral GX context holding named suites; validates pandas DataFrames against them."""

    def __init__(self) -> None:
        import great_expectations as gx  # lazy: GX takes seconds to import (see ``expectations``)
        from great_expectations.data_context.types.base import ProgressBarsConfig

        self._gx = gx
        self._context = gx.get_context(mode="ephemeral")
        self._context.variables.progress_bars = ProgressBarsConfig(globally=False)
        asset = self._context.data_sources.add_pandas("frames").add_dataframe_asset("frame")
        self._batch = asset.add_batch_definition_whole_dataframe("whole_frame")
        self._definitions: dict[str, Any] = {}

    def has_suite(self, name: str) -> bool:
        return name in self._definitions

    def add_suite(self, name: str, expectations: list[Any]) -> None:
        """Register a suite (GX expectation objects) under ``name``; replaces one of the same name."""
        gx = self._gx
        if name in self._definitions:
            self._context.validation_definitions.delete(name)
            self._context.suites.delete(name)
        # All expectations at once: adding them one by one rewrites the stored suite each time
        # (18 s of a scale-0.1 ingest for 454 expectations; at once, a fraction of a second).
        suite = self._context.suites.add(
            gx.ExpectationSuite(name=name, expectations=list(expectations))
        )
        definition = gx.ValidationDefinition(name=name, data=self._batch, suite=suite)
        self._definitions[name] = self._context.validation_definitions.add(definition)

    def validate(
        self,
        name: str,
        frame: pd.DataFrame,
        *,
        parameters: dict[str, Any] | None = None,
        all_rows: bool = False,
    ) -> list[Outcome]:
        """Run suite ``name`` on ``frame`` (index reset so example rows are positions).

        ``parameters`` gives the values of the suite's ``{"$PARAMETER": ...}`` bounds; with
        ``all_rows`` every offending row position is returned (``Outcome.unexpected_rows``), so the
        caller can set those rows aside. GX's pandas "unexpected index query" (a string spelling out
        every offending index) is never asked for: nothing reads it and it is costly on big frames.
        """
        frame = frame.reset_index(drop=True)
        result = self._definitions[name].run(
            batch_parameters={"dataframe": frame},
            expectation_parameters=parameters or None,
            result_format={
                "result_format": "COMPLETE" if all_rows else "SUMMARY",
                "partial_unexpected_count": EXAMPLE_COUNT,
                "return_unexpected_index_query": False,
            },
        )
        return [_outcome(r) for r in result.results]


@dataclass(frozen=True)
class ExpectationInfo:
    """What an outcome says about its expectation, read from the expectation's configuration."""

    expectation: str
    column_name: str | None
    severity: str
    meta: dict[str, Any]


def expectation_info(config: Any) -> ExpectationInfo:
    """Type, reported column, severity and meta of an expectation configuration (or expectation)."""
    config = getattr(config, "configuration", config)
    kwargs = config.kwargs
    column = kwargs.get("column") or kwargs.get("column_A")  # a pair is about its column A
    if column is None and kwargs.get("column_list"):
        column = ", ".join(kwargs["column_list"])
    severity = str(getattr(config, "severity", "critical") or "critical")
    severity = severity.split(".")[-1].lower()
    return ExpectationInfo(
        expectation=config.type,
        column_name=column,
        severity="warning" if severity in ("warning", "info") else "error",
        meta=dict(config.meta or {}),
    )


def _outcome(result: Any) -> Outcome:
    about = expectation_info(result.expectation_config)
    details = result.result or {}
    error = ""
    info = result.exception_info or {}
    if info.get("raised_exception"):
        error = str(info.get("exception_message") or "the check could not run")
    return Outcome(
        expectation=about.expectation,
        column_name=about.column_name,
        success=bool(result.success),
        severity=about.severity,
        unexpected_count=details.get("unexpected_count"),
        example_rows=[
            int(i) for i in (details.get("partial_unexpected_index_list") or [])[:EXAMPLE_COUNT]
        ],
        example_values=list(details.get("partial_unexpected_list") or [])[:EXAMPLE_COUNT],
        meta=about.meta,
        error=error,
        unexpected_rows=[int(i) for i in details.get("unexpected_index_list") or []],
    )
