"""The benchmark's parts on a tiny generated country run through the pipeline once: the pandas
baseline computes the warehouse's numbers on every cell, and every page's callbacks are timed."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks import dashboard_timing, pandas_baseline
from cpmonitor.core.settings import Settings
from cpmonitor.pipeline import run_pipeline
from demo_country import generate

# The pipeline run of the fixture alone takes about 90 s on 2 cores: slow, like test_pipeline.
pytestmark = pytest.mark.slow

COUNTRY = {"seed": 7, "scale": 0.02, "start_year": 2016, "end_year": 2016}


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    settings = Settings.from_env(tmp_path_factory.mktemp("bench-country"))
    generate(settings, **COUNTRY)
    outcome = run_pipeline(settings)
    assert outcome.status == "published", outcome.details
    return settings.data_dir


def test_pandas_baseline_agrees_on_every_cell(data_dir: Path) -> None:
    result = pandas_baseline.run(data_dir)
    assert set(result["indicators"]) == set(pandas_baseline.INDICATORS)
    for code, figures in result["indicators"].items():
        assert figures["cells"] > 0, code
        assert figures["agree"] == figures["cells"], code
    assert result["seconds"] > 0 and result["rows_read"] > 0 and result["peak_rss_mb"] > 0


def test_dashboard_callbacks_are_timed_on_every_page(data_dir: Path) -> None:
    result = dashboard_timing.run(data_dir, repeats=1, browser=False, indicators=("AC04",))
    timed = result["callback_ms"]["per_callback"]
    for page in ("/", "/scorecard", "/indicator", "/data-quality", "/reports", "/audit-log"):
        assert timed[f"route {page}"]["p50"] > 0, page
    for callback in ("care page", "scorecard sector", "indicator view", "indicator content"):
        assert timed[callback]["p50"] > 0, callback
    # Each combination once with no answer remembered, then once more as it comes (repeats=1);
    # the top-level figures are those of the first requests.
    callbacks = result["callback_ms"]
    assert callbacks["first"]["n"] == callbacks["combinations"] == callbacks["n"]
    assert callbacks["repeated"]["n"] == callbacks["combinations"]
    assert callbacks["p95"] == callbacks["first"]["p95"]
    for name, figures in timed.items():
        assert figures["first"]["n"] >= 1 and figures["repeated"]["n"] == figures["first"]["n"], (
            name
        )
    assert "first_load_ms" not in result


def test_peaks_by_stage_places_the_stages_after_the_start_up() -> None:
    """A 10 s run whose stages take 3 + 5 s: the first 2 s are start-up, then ingest (2-5 s),
    then build (5-10 s)."""
    from benchmarks.bench import peaks_by_stage

    samples = [(1.0, 9e9), (3.0, 2e9), (4.5, 3e9), (6.0, 5e9), (9.5, 4e9)]
    assert peaks_by_stage(samples, {"ingest": 3.0, "build": 5.0}, 10.0) == {
        "ingest": 3.0,
        "build": 5.0,
    }
