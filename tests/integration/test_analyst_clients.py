"""Analysts' own clients on the published file: an older DuckDB (1.5, installed by the test in a
separate virtual environment) reads an indicator value and a cube row as the project's DuckDB
does, and a publish while an analyst holds the file open succeeds.

The DuckDB 1.5 environment is kept under ``~/.cache/cpmonitor-test-venvs`` (or
``$CPMONITOR_TEST_VENVS``), one per DuckDB series and Python version, so only the first run
downloads it. Without the package registry the test fails, saying so: it does not skip.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from test_publish import deliver, run
from test_publish import settings as settings  # noqa: F401 (the fixture: two months published)

from cpmonitor.core.settings import Settings
from cpmonitor.pipeline import copy_database

OLD_DUCKDB = "1.5"  # the oldest DuckDB analysts may use: PUBLISHED_STORAGE_VERSION v1.5.0
VENVS = Path(
    os.environ.get("CPMONITOR_TEST_VENVS", Path.home() / ".cache" / "cpmonitor-test-venvs")
)
PIP_TIMEOUT_S = 600

# Fixture (tests/warehouse_fixture.py): 2,142 children in residential care nationally at the end
# of December 2018.
INDICATOR_SQL = """
    SELECT value FROM analysis.indicator_values
    WHERE indicator_code = 'AC04' AND period_id = '2018-12' AND geo_code = 'NAT'
      AND disaggregation = 'total'
"""
# ... and the same children summed from the care cube (residential cells of its districts).
CUBE_SQL = """
    SELECT sum(children) FROM analysis.cube_children_in_care
    WHERE month = '2018-12' AND care_type = 'residential'
"""
TOTALS_SQL = "SELECT period_id, sum(value) FROM main.fct_indicator_values GROUP BY 1 ORDER BY 1"
# An analyst's session: reads, waits for a line on stdin, reads again with the same connection.
HOLDER = """
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
def rows():
    return [[str(v) for v in row] for row in con.execute(sys.argv[2]).fetchall()]
print(json.dumps(rows()), flush=True)
sys.stdin.readline()
try:
    print(json.dumps(rows()))
except duckdb.Error as exc:
    print(json.dumps({"error": str(exc)}))
"""
READER = """
import json, sys
import duckdb
path, queries = sys.argv[1], json.loads(sys.argv[2])
with duckdb.connect(path, read_only=True) as con:
    rows = {name: [[str(v) for v in row] for row in con.execute(sql).fetchall()]
            for name, sql in queries.items()}
print(json.dumps({"version": duckdb.__version__, "rows": rows}))
"""


def _old_duckdb_python() -> Path:
    """The Python of a virtual environment with DuckDB ``OLD_DUCKDB``.*, made once and kept."""
    key = f"duckdb-{OLD_DUCKDB}-py{sys.version_info.major}.{sys.version_info.minor}"
    venv = VENVS / key
    python = venv / "bin" / "python"
    VENVS.mkdir(parents=True, exist_ok=True)
    with (VENVS / f"{key}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # one installer at a time
        if _duckdb_version(python):
            return python
        building = VENVS / f"{key}.building"
        shutil.rmtree(building, ignore_errors=True)
        subprocess.run([sys.executable, "-m", "venv", str(building)], check=True)
        try:
            installed = subprocess.run(
                [str(building / "bin" / "python"), "-m", "pip", "install", "--quiet",
                 "--disable-pip-version-check", f"duckdb=={OLD_DUCKDB}.*"],
                capture_output=True, text=True, timeout=PIP_TIMEOUT_S, check=False,
            )  # fmt: skip
        except subprocess.TimeoutExpired:
            installed = None
        if installed is None or installed.returncode != 0:
            shutil.rmtree(building, ignore_errors=True)
            detail = "timed out" if installed is None else installed.stderr[-2000:]
            pytest.fail(
                f"could not install duckdb=={OLD_DUCKDB}.* from the package registry into a "
                f"test environment (is PyPI reachable?): {detail}",
                pytrace=False,
            )
        shutil.rmtree(venv, ignore_errors=True)
        building.rename(venv)  # the interpreter finds its site-packages relative to itself
    assert _duckdb_version(python), f"{venv} has no working duckdb"
    return python


def _duckdb_version(python: Path) -> str | None:
    if not python.exists():
        return None
    found = subprocess.run(
        [str(python), "-c", "import duckdb; print(duckdb.__version__)"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    return found.stdout.strip() if found.returncode == 0 else None


def _read_with(python: Path, path: Path, queries: dict[str, str]) -> dict:
    done = subprocess.run(
        [str(python), "-c", READER, str(path), json.dumps(queries)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout)


@pytest.fixture(scope="module")
def published(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture warehouse as publish writes it for analysts (storage of DuckDB 1.5)."""
    target = tmp_path_factory.mktemp("analyst-file") / "cpmonitor.duckdb"
    copy_database(warehouse, target, work_dir=target.parent / "spill")
    return target


def test_duckdb_1_5_reads_an_indicator_and_a_cube_as_the_project_does(published: Path) -> None:
    python = _old_duckdb_python()
    queries = {"indicator": INDICATOR_SQL, "cube": CUBE_SQL}
    old = _read_with(python, published, queries)
    assert old["version"].startswith(f"{OLD_DUCKDB}."), old["version"]
    with duckdb.connect(str(published), read_only=True) as con:
        ours = {
            name: [[str(v) for v in row] for row in con.execute(sql).fetchall()]
            for name, sql in queries.items()
        }
    assert old["rows"] == ours
    assert float(old["rows"]["indicator"][0][0]) == 2142
    assert old["rows"]["cube"] == [["2142"]]


def test_a_publish_while_an_analyst_holds_the_file_open(settings: Settings) -> None:  # noqa: F811
    """An analyst's process holds a read-only connection (DuckDB Python) during a publish: the
    publish succeeds, a new connection from another process reads the new warehouse, and the open
    connection keeps reading the file it opened (the old snapshot: the swap replaces the name, not
    the file the connection holds)."""
    served = settings.warehouse_file
    before = [["2024-01", "13.0"], ["2024-02", "25.0"]]
    analyst = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(served), TOTALS_SQL],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert json.loads(analyst.stdout.readline()) == before, analyst.stderr.read()
        deliver(settings, "2024-03")
        outcome = run(settings)
        assert outcome.status == "published", outcome.details
        newer = _read_with(Path(sys.executable), served, {"totals": TOTALS_SQL})["rows"]
        assert newer["totals"] == [*before, ["2024-03", "37.0"]]
        still_open, _errors = analyst.communicate("again\n", timeout=60)
    finally:
        if analyst.poll() is None:
            analyst.kill()
    assert json.loads(still_open) == before  # the old snapshot, no error


def test_in_one_process_a_new_connection_shares_the_open_one(settings: Settings) -> None:  # noqa: F811
    """What analysts must know (README.md, "Analysts"): while one connection to the file is open in a
    process, ``duckdb.connect`` of the same file in that process reuses its database, so it too
    reads the old version after a publish; closing every connection first reads the new one."""
    served = settings.warehouse_file
    query = "SELECT count(DISTINCT period_id) FROM main.fct_indicator_values"
    first = duckdb.connect(str(served), read_only=True)
    try:
        deliver(settings, "2024-03")
        assert run(settings).status == "published"
        with duckdb.connect(str(served), read_only=True) as second:
            assert second.execute(query).fetchone() == (2,)
    finally:
        first.close()
    with duckdb.connect(str(served), read_only=True) as reopened:
        assert reopened.execute(query).fetchone() == (3,)
