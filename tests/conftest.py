"""Shared pytest set-up: nothing phones home, and every test gets its own data directory."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
# A fixed key so pseudonyms are stable within the test run; never a production key.
os.environ.setdefault("CPMONITOR_PSEUDONYM_KEY", "test-only-key-not-secret")


@pytest.fixture
def clear_pages_state() -> Iterator[None]:
    """A clean Dash page registry before and after the test."""
    from dash_pages import reset_pages

    reset_pages()
    yield
    reset_pages()


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The small hand-made published warehouse of tests/warehouse_fixture.py, one per module."""
    from warehouse_fixture import build_fixture_warehouse

    path = tmp_path_factory.mktemp("published") / "cpmonitor.duckdb"
    build_fixture_warehouse(path)
    return path
