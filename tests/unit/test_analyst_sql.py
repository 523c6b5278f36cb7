"""`cpmonitor sql` on the fixture warehouse (tests/warehouse_fixture.py): values printed as they
are, the limit pushed into the query, the formats, wide results, refusals and failures told apart
without a traceback, the script and interactive sessions.

Figures: 2,142 children in residential care nationally at the end of December 2018 (AC04).
"""

from __future__ import annotations

import csv
import io
import json
import os
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from rich.console import Console
from typer.testing import CliRunner

from cpmonitor.analyst import sql as analyst_sql
from cpmonitor.cli import app
from cpmonitor.core.settings import Settings
from cpmonitor.status import open_published

AC04 = (
    "SELECT indicator_code, period_id, geo_code, value FROM analysis.indicator_values "
    "WHERE indicator_code = 'AC04' AND period_id = '2018-12' AND geo_code = 'NAT' "
    "AND disaggregation = 'total'"
)


@pytest.fixture
def sql(warehouse: Path):
    """``cpmonitor sql ARGS --data-dir <fixture>`` (stdin from ``input``): the result."""
    runner = CliRunner()

    def invoke(*args: str, input: str | None = None):
        return runner.invoke(app, ["sql", *args, "--data-dir", str(warehouse.parent)], input=input)

    return invoke


def test_values_and_headers_are_printed_literally(sql) -> None:
    result = sql("SELECT '[red]hello' AS \"[bold]v\", '[/bold] x' AS w")
    assert result.exit_code == 0, result.output
    assert "[red]hello" in result.output and "[/bold] x" in result.output
    assert "[bold]v" in result.output
    assert "Traceback" not in result.output


def test_the_same_exact_value_in_every_format(sql, tmp_path: Path) -> None:
    table = sql(AC04)
    assert table.exit_code == 0 and "2142.0" in table.output and "1 row" in table.output
    assert list(csv.reader(io.StringIO(sql(AC04, "--format", "csv").output))) == [
        ["indicator_code", "period_id", "geo_code", "value"],
        ["AC04", "2018-12", "NAT", "2142.0"],
    ]
    assert json.loads(sql(AC04, "--format", "json").output) == [
        {"indicator_code": "AC04", "period_id": "2018-12", "geo_code": "NAT", "value": 2142.0}
    ]
    target = tmp_path / "ac04.parquet"
    written = sql(AC04, "--format", "parquet", "--output", str(target))
    assert written.exit_code == 0 and f"1 row written to {target}" in written.output
    assert pq.read_table(target).to_pylist() == [
        {"indicator_code": "AC04", "period_id": "2018-12", "geo_code": "NAT", "value": 2142.0}
    ]
    assert [p.name for p in tmp_path.iterdir()] == ["ac04.parquet"]  # no temporary file left


def test_json_keeps_decimals_dates_and_nulls(sql) -> None:
    result = sql(
        "SELECT 1.50::DECIMAL(5,2) AS d, DATE '2018-12-31' AS day, NULL AS nothing, true AS yes",
        "--format",
        "json",
    )
    assert result.output.strip() == (
        '[\n  {"d": 1.50, "day": "2018-12-31", "nothing": null, "yes": true}\n]'
    )


def test_the_limit_is_pushed_into_the_query(sql) -> None:
    """Ten thousand million rows cannot be read: three come back at once, and more exist."""
    result = sql("SELECT * FROM range(10000000000)", "--limit", "3")
    assert result.exit_code == 0, result.output
    assert "3 rows shown; more rows exist" in result.output
    assert [line.strip("│ ") for line in result.output.splitlines() if line.startswith("│")] == [
        "0", "1", "2",
    ]  # fmt: skip


def test_a_terminal_table_shows_50_rows_and_a_file_all(sql, tmp_path: Path) -> None:
    assert "50 rows shown; more rows exist" in sql("SELECT * FROM range(60)").output
    assert "60 rows" in sql("SELECT * FROM range(60)", "--limit", "0").output
    target = tmp_path / "all.csv"
    sql("SELECT * FROM range(60)", "--format", "csv", "--output", str(target))
    assert len(target.read_text().splitlines()) == 61
    assert sql("SELECT * FROM range(5)", "--limit", "5").output.count("more rows") == 0


REFUSED = [
    "SELECT * FROM read_csv('/etc/passwd')",
    "COPY (SELECT 1) TO '/tmp/out.csv'",
    "ATTACH '/tmp/other.duckdb' AS other",
    "INSTALL httpfs",
    "SET threads = 1",
    "CREATE TABLE mine AS SELECT 1",
]


@pytest.mark.parametrize("query", REFUSED)
def test_the_sandbox_refuses_with_the_reason(sql, query: str) -> None:
    result = sql(query)
    assert result.exit_code == analyst_sql.REFUSED == 2
    assert result.output.startswith("Refused: the published warehouse is read-only")
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("query", "words"),
    [("selec 1", 'syntax error at or near "selec"'), ("SELECT * FROM nope", "nope does not exist")],
)
def test_a_failing_query_names_the_problem(sql, query: str, words: str) -> None:
    result = sql(query)
    assert result.exit_code == analyst_sql.FAILED == 1
    assert result.output.startswith("Query failed:") and words in result.output
    assert "Traceback" not in result.output


@pytest.fixture
def console80(monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's console 80 columns wide, whatever the terminal running the tests."""
    monkeypatch.setattr("cpmonitor.cli.console", Console(width=80))


def test_a_wide_result_shows_every_column(sql, console80) -> None:
    columns = ", ".join(
        f"'value {i} of a rather long text' AS column_number_{i}" for i in range(20)
    )
    result = sql(f"SELECT {columns}")
    assert result.exit_code == 0
    for i in range(20):
        assert f"column_number_{i} " in result.output  # record by record: every header in full
    assert "-[ RECORD 1 ]" in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_a_result_a_little_too_wide_cuts_cells_not_columns(sql, console80) -> None:
    result = sql(
        "SELECT geo_code, geo_name, geo_level, parent_code, province_code, province_name "
        "FROM analysis.places WHERE geo_code = 'NAT'"
    )
    assert "Republic o…" in result.output  # the long name is cut, with an ellipsis
    assert "geo_level" in result.output and "province_n…" in result.output
    assert max(len(line) for line in result.output.splitlines()) <= 80


def test_column_widths_give_way_widest_first() -> None:
    result = analyst_sql.Result(["a", "b"], ["VARCHAR", "VARCHAR"], [("x" * 30, "y" * 12)])
    assert analyst_sql.column_widths(result, 80) == [30, 12]
    # 30 - 3 x 2 - 1 = 23 characters: the wide column gives way until both stand as far above
    # their floor (10), then the first: 11 + 12
    assert analyst_sql.column_widths(result, 30) == [11, 12]
    assert analyst_sql.column_widths(result, 20) is None


def test_a_script_on_stdin_runs_every_statement_and_dot_command(sql) -> None:
    script = (
        "SELECT 1 + 1 AS two;\n"
        ".tables analysis\n"
        "SELECT 'still\n  running' AS after_an_error FROM nope;\n"
        "SELECT count(*) AS cubes FROM duckdb_tables()\n"
        "  WHERE schema_name = 'analysis' AND table_name LIKE 'cube_%';\n"
    )
    result = sql(input=script)
    assert result.exit_code == analyst_sql.FAILED, result.output
    assert "two" in result.output and "cube_children_in_care" in result.output
    assert "fct_indicator_values" in sql(input=".tables\n").output  # main's tables too
    assert "indicator_values" in result.output and "view" in result.output
    assert "Query failed:" in result.output and "nope" in result.output
    assert "cubes" in result.output and "│     4 │" in result.output  # ran after the error


def test_dot_schema_describes_a_table_and_quotes_its_name(sql) -> None:
    result = sql(input=".schema analysis.cube_detentions\n.schema x; DROP TABLE y\n")
    assert "legal_status" in result.output and "BOOLEAN" in result.output
    assert "Query failed:" in result.output  # the whole text is one (unknown) quoted name
    assert result.exit_code == analyst_sql.FAILED


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["SELECT 1", "--format", "parquet"], "Parquet is written to a file: add --output"),
        (["SELECT 1", "--format", "xml"], "unknown format 'xml'"),
        (["SELECT 1", "--output", "x.txt"], "a terminal table is not written to a file"),
    ],
)
def test_wrong_requests_are_refused_before_running(sql, args: list[str], words: str) -> None:
    result = sql(*args)
    assert result.exit_code == analyst_sql.REFUSED
    assert result.output.startswith("Not run:") and words in result.output


def test_an_interactive_session_keeps_its_history_owner_only(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    typed = iter(
        ["SELECT 40 +", "  2 AS answer;", ".mode csv", "SELECT 'literal [b]' AS t;", ".quit"]
    )
    prompts: list[str] = []

    def read(prompt: str) -> str:
        prompts.append(prompt)
        return next(typed)

    out = io.StringIO()
    console = Console(file=out, width=80)
    with open_published(Settings.from_env(warehouse.parent)) as con:
        session = analyst_sql.Session(con, console, out)
        analyst_sql.interactive(session, read=read)
    text = out.getvalue()
    assert "│     42 │" in text
    assert "t\r\nliteral [b]\r\n" in text  # RFC 4180 line ends
    assert prompts == [analyst_sql.PROMPT, analyst_sql.CONTINUATION, *[analyst_sql.PROMPT] * 3]
    history = analyst_sql.history_file()
    assert history.parent == tmp_path / "state" / "cpmonitor"
    assert history.exists() and os.stat(history).st_mode & 0o777 == 0o600


def test_control_characters_in_values_are_shown_not_obeyed(sql) -> None:
    """An escape sequence in a value would recolour or clear the analyst's terminal."""
    result = sql("SELECT chr(27) || '[2J' || chr(7) AS v, 'two' || chr(10) || 'lines' AS w")
    assert result.exit_code == 0, result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    assert r"\x1b[2J\x07" in result.output and r"two\nlines" in result.output


def test_csv_is_rfc_4180_with_nulls_empty_and_exact_values(sql) -> None:
    result = sql(
        "SELECT NULL AS n, 1.50::DECIMAL(5,2) AS d, DATE '2018-12-31' AS day, "
        "TIMESTAMP '2018-12-31 10:30:00' AS at, 'say \"hi\", twice' AS s",
        "--format",
        "csv",
    )
    assert result.stdout_bytes.decode() == (  # .stdout would turn \r\n into \n
        'n,d,day,at,s\r\n,1.50,2018-12-31,2018-12-31 10:30:00,"say ""hi"", twice"\r\n'
    )


def test_json_timestamps_are_iso_8601(sql) -> None:
    result = sql("SELECT TIMESTAMP '2018-12-31 10:30:00' AS at", "--format", "json")
    assert json.loads(result.stdout) == [{"at": "2018-12-31T10:30:00"}]


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_a_limited_csv_or_json_reads_little_and_says_more_exist(sql, fmt: str) -> None:
    result = sql("SELECT * FROM range(10000000000) t(i)", "--format", fmt, "--limit", "2")
    assert result.exit_code == 0, result.output
    rows = (
        list(csv.reader(io.StringIO(result.stdout)))[1:]
        if fmt == "csv"
        else [[str(r["i"])] for r in json.loads(result.stdout)]
    )
    assert rows == [["0"], ["1"]]
    assert "2 rows written; more rows exist" in result.stderr  # never inside the data


def test_a_limited_parquet_file_reads_little(sql, tmp_path: Path) -> None:
    target = tmp_path / "head.parquet"
    result = sql(
        "SELECT * FROM range(10000000000) t(i)",
        "--format",
        "parquet",
        "--output",
        str(target),
        "--limit",
        "3",
    )
    assert result.exit_code == 0, result.output
    assert "3 rows written to" in result.output and "more rows exist" in result.output
    assert pq.read_table(target).column("i").to_pylist() == [0, 1, 2]
    assert target.stat().st_mode & 0o777 == 0o600  # analysts' extracts are theirs only


def test_rows_are_read_in_batches_up_to_the_limit(warehouse: Path) -> None:
    with open_published(Settings.from_env(warehouse.parent)) as con:
        relation = analyst_sql.prepare(con, "SELECT * FROM range(100) t(i)")
        rows = analyst_sql.Rows(con, relation, limit=7, batch=3)
        assert [r[0] for r in rows] == list(range(7))
        assert (rows.count, rows.more) == (7, True)
        every = analyst_sql.Rows(con, relation, limit=None, batch=30)
        assert len(list(every)) == 100 and (every.count, every.more) == (100, False)
        assert con.sql("SELECT 42").fetchall() == [(42,)]  # the connection is free again


def test_a_query_failing_midway_leaves_no_file(sql, tmp_path: Path) -> None:
    target = tmp_path / "bad.csv"
    result = sql(
        "SELECT (CASE WHEN i = 50000 THEN 'x' ELSE '1' END)::INTEGER AS v FROM range(100000) t(i)",
        "--format",
        "csv",
        "--output",
        str(target),
    )
    assert result.exit_code == analyst_sql.FAILED
    assert "Could not convert string 'x'" in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


def test_a_type_parquet_cannot_hold_fails_clearly(sql, tmp_path: Path) -> None:
    target = tmp_path / "interval.parquet"
    result = sql("SELECT INTERVAL 1 DAY AS wait", "--format", "parquet", "--output", str(target))
    assert result.exit_code == analyst_sql.FAILED
    assert "cannot be written as Parquet" in result.output and "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("query", "words"),
    [
        ("SHOW TABLES", "fct_indicator_values"),
        ("DESCRIBE analysis.places", "province_name"),
        ("PRAGMA table_info('analysis.places')", "geo_level"),
        ("SUMMARIZE analysis.places", "approx_unique"),
        ("EXPLAIN SELECT 1", "physical_plan"),
    ],
)
@pytest.mark.parametrize("fmt", ["table", "csv"])
def test_statements_other_than_select_still_work(sql, query: str, words: str, fmt: str) -> None:
    result = sql(query, "--format", fmt, "--limit", "100")
    assert result.exit_code == 0, result.output
    assert words in result.output


def test_a_statement_followed_by_a_comment_runs(sql) -> None:
    result = sql("SELECT 7 AS seven; -- the last statement's rows are the result")
    assert result.exit_code == 0, result.output
    assert "│     7 │" in result.output


def test_every_statement_of_a_script_line_shows_its_rows(sql) -> None:
    result = sql(input="SELECT 'first;' AS a; SELECT 'second' AS b; -- done\n")
    assert result.exit_code == 0, result.output
    assert "first;" in result.output and "second" in result.output


def test_a_statement_continues_until_its_semicolon(sql) -> None:
    """A ';' inside a string or a comment does not end the statement."""
    result = sql(input="SELECT 'a;\n b' AS s -- not the end;\n, 2 AS t\n;\n")
    assert result.exit_code == 0, result.output
    assert r"a;\n b" in result.output and "│ 2 │" in result.output


def test_a_script_exits_with_the_worst_code_met(sql) -> None:
    result = sql(input="SELECT * FROM nope;\nCREATE TABLE mine AS SELECT 1;\nSELECT 3 AS three;\n")
    assert result.exit_code == analyst_sql.REFUSED
    assert "Query failed:" in result.output and "Refused:" in result.output
    assert "three" in result.output


def test_dot_schema_without_a_name_shows_every_definition(sql) -> None:
    result = sql(input=".schema\n")
    assert result.exit_code == 0, result.output
    assert "CREATE TABLE dim_geography(geo_code VARCHAR" in result.output
    assert "CREATE VIEW analysis.places AS SELECT geo_code" in result.output


def test_the_history_file_is_created_owner_only(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    save = analyst_sql._start_history()
    history = tmp_path / "state" / "cpmonitor" / "sql_history"
    assert save is not None and history.exists()  # before anything is typed
    assert history.stat().st_mode & 0o777 == 0o600
    assert history.parent.stat().st_mode & 0o777 == 0o700


def test_a_query_stopped_with_ctrl_c_exits_130_without_a_traceback(sql, monkeypatch) -> None:
    """DuckDB reports Ctrl+C as a RuntimeError ('Query interrupted') or an InterruptException."""
    with pytest.raises(KeyboardInterrupt), analyst_sql._reading():
        raise RuntimeError("Query interrupted")
    with pytest.raises(KeyboardInterrupt), analyst_sql._reading():
        raise duckdb.InterruptException("INTERRUPT Error: Interrupted!")

    def interrupted(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(analyst_sql, "fetch", interrupted)
    result = sql("SELECT 1")
    assert result.exit_code == 130 and "Interrupted." in result.output
    assert "Traceback" not in result.output
