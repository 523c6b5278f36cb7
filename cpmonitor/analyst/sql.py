"""`cpmonitor sql`: analysts' queries on the published warehouse, read-only, printed as they are.

A query runs through the sandboxed read-only connection of ``cpmonitor.status.open_published``
(no other file, configuration locked). What this module adds:

- **a limit pushed into the query**: the statement becomes a DuckDB relation and ``limit + 1``
  rows are asked of it, so a limited look at a large table reads little, and whether more rows
  exist is known without counting them;
- **values printed literally**: cells and headers are plain text, never Rich markup;
- **readable wide results**: cells are cut with an ellipsis, never columns; a result too wide
  for the terminal even then is shown record by record (psql's expanded display);
- **formats**: a table for the terminal, CSV and JSON to the terminal or a file, Parquet to a file;
- **a session**: with no query, statements are read from the terminal (history kept between
  sessions, dot commands ``.tables``, ``.schema``, ``.mode``, ``.limit``, ``.help``, ``.quit``) or,
  when standard input is not a terminal, run as a script;
- **clear refusals and failures**: what the sandbox refuses and what DuckDB cannot run are told
  apart (exit codes ``REFUSED`` and ``FAILED``), with the reason and never a traceback.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Literal, TextIO

import duckdb
from rich.console import Console
from rich.table import Table
from rich.text import Text

Format = Literal["table", "csv", "json", "parquet"]
FORMATS: tuple[Format, ...] = ("table", "csv", "json", "parquet")

FAILED = 1  # DuckDB could not run the query (syntax, unknown table or column, a bad cast)
REFUSED = 2  # the sandbox refused it (another file, a write, a setting), or the request is wrong
TABLE_LIMIT = 50  # rows a terminal table shows unless --limit says otherwise
CELL_WIDTH = 40  # characters of a cell in a terminal table before it is cut
MIN_CELL = 10  # a column is never cut below this (or its natural width, if narrower)
NULL = "NULL"
HISTORY_FILE = "sql_history"
PROMPT, CONTINUATION = "cpmonitor> ", "      ...> "

# DuckDB's words for what the read-only sandbox refuses (an InvalidInputException, not a
# PermissionException, for writes and settings).
_REFUSALS = (
    "read-only mode",
    "configuration has been locked",
    "file system operations are disabled",
)


class SqlError(Exception):
    """A statement that cannot be run: ``code`` is ``FAILED`` or ``REFUSED``."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


@dataclass
class Result:
    """What one statement gave: column names and types, the rows read, and whether more exist."""

    columns: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    more: bool = False
    arrow: Any = None  # a pyarrow Table of the rows, for Parquet


def explain(exc: duckdb.Error) -> SqlError:
    """A refusal or a failure, worded for analysts, from a DuckDB error."""
    message = str(exc).strip()
    if isinstance(exc, duckdb.PermissionException) or any(w in message for w in _REFUSALS):
        reason = message.split(": ", 1)[-1] if ": " in message else message
        return SqlError(
            REFUSED,
            "the published warehouse is read-only and cannot read other files, install "
            f"extensions or change settings ({reason})",
        )
    return SqlError(FAILED, message)


def run_query(
    con: duckdb.DuckDBPyConnection, query: str, limit: int | None, *, arrow: bool = False
) -> Result:
    """Run ``query`` (the last statement's rows are the result); at most ``limit`` rows are read
    (None: all). ``SqlError`` when DuckDB refuses or cannot run it."""
    try:
        relation = con.sql(query)
        if relation is None:  # a statement without rows
            return Result()
        limited = relation.limit(limit + 1) if limit is not None else relation
        if arrow:
            table = limited.to_arrow_table()
            more = limit is not None and table.num_rows > limit
            table = table.slice(0, limit) if more else table
            return Result(list(relation.columns), _types(relation), [], more, table)
        rows = limited.fetchall()
    except duckdb.Error as exc:
        raise explain(exc) from None
    more = limit is not None and len(rows) > limit
    return Result(list(relation.columns), _types(relation), rows[:limit] if more else rows, more)


def _types(relation: duckdb.DuckDBPyRelation) -> list[str]:
    return [str(t) for t in relation.types]


# --- writing results ------------------------------------------------------------------------------


def plain(value: Any) -> str:
    """A cell as text: NULL, ISO dates, exact decimals, lowercase booleans."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | dict):
        return json.dumps(value, default=plain, ensure_ascii=False)
    return str(value)


def _cut(text: str, width: int) -> str:
    text = " ".join(text.splitlines()) if "\n" in text else text
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"


def _numeric(type_name: str) -> bool:
    return type_name.split("(")[0] in {
        "TINYINT", "SMALLINT", "INTEGER", "BIGINT", "HUGEINT", "UTINYINT", "USMALLINT",
        "UINTEGER", "UBIGINT", "UHUGEINT", "FLOAT", "DOUBLE", "DECIMAL",
    }  # fmt: skip


def column_widths(result: Result, width: int, cell: int = CELL_WIDTH) -> list[int] | None:
    """Widths that fit ``width`` characters with every column shown, each cut to at most ``cell``
    and never below ``MIN_CELL`` (or its natural width); None when they cannot fit (the widest
    columns give way first)."""
    natural = [
        max([len(name), *(len(_cut(plain(row[i]), cell)) for row in result.rows)])
        for i, name in enumerate(result.columns)
    ]
    floors = [min(n, MIN_CELL) for n in natural]  # headers are cut too, down to MIN_CELL
    room = width - 3 * len(natural) - 1  # borders and padding of each column
    widths = list(natural)
    while sum(widths) > room:
        widest = max(range(len(widths)), key=lambda i: widths[i] - floors[i])
        if widths[widest] <= floors[widest]:
            return None
        widths[widest] -= 1
    return widths


def print_table(result: Result, console: Console, cell: int = CELL_WIDTH) -> None:
    """A terminal table; record by record when even cut cells do not fit the terminal."""
    if not result.columns:
        console.print("OK (no rows)", markup=False, highlight=False)
        return
    widths = column_widths(result, console.width, cell)
    if widths is None:
        _print_records(result, console)
    else:
        table = Table(show_edge=True, highlight=False)
        for name, type_name, w in zip(result.columns, result.types, widths, strict=True):
            table.add_column(
                Text(_cut(name, w)),
                justify="right" if _numeric(type_name) else "left",
                no_wrap=True,
                overflow="ellipsis",
                min_width=w,
                max_width=w,
            )
        for row in result.rows:
            table.add_row(*(_cell(value, w) for value, w in zip(row, widths, strict=True)))
        console.print(table)
    shown = len(result.rows)
    note = f"{shown} row{'s' if shown != 1 else ''}"
    if result.more:
        note += " shown; more rows exist (raise --limit, or --limit 0 for all)"
    console.print(note, markup=False, highlight=False, style="dim")


def _cell(value: Any, width: int) -> Text:
    text = Text(_cut(plain(value), width))
    if value is None:
        text.stylize("dim")
    return text


def _print_records(result: Result, console: Console) -> None:
    label = max(len(name) for name in result.columns)
    room = max(console.width - label - 3, MIN_CELL)
    for number, row in enumerate(result.rows, start=1):
        console.print(Text(f"-[ RECORD {number} ]" + "-" * max(console.width - 16, 4)))
        for name, value in zip(result.columns, row, strict=True):
            console.print(Text(f"{name:<{label}} | ") + _cell(value, room), soft_wrap=True)


def write_csv(result: Result, out: TextIO) -> None:
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(result.columns)
    for row in result.rows:
        writer.writerow(["" if v is None else plain(v) for v in row])


def _json_value(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else "null"
    if isinstance(value, Decimal):
        return str(value) if value.is_finite() else "null"  # exact, as a JSON number
    if isinstance(value, list):
        return "[" + ", ".join(_json_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return (
            "{"
            + ", ".join(f"{json.dumps(str(k))}: {_json_value(v)}" for k, v in value.items())
            + "}"
        )
    return json.dumps(plain(value), ensure_ascii=False)


def write_json(result: Result, out: TextIO) -> None:
    """A JSON array of objects, one per row: numbers exact, dates as ISO strings, NULL as null."""
    names = [json.dumps(name, ensure_ascii=False) for name in result.columns]
    out.write("[")
    for index, row in enumerate(result.rows):
        pairs = ", ".join(f"{n}: {_json_value(v)}" for n, v in zip(names, row, strict=True))
        out.write(("," if index else "") + "\n  {" + pairs + "}")
    out.write("\n]\n" if result.rows else "]\n")


def write_parquet(result: Result, path: Path) -> None:
    import pyarrow.parquet as pq

    _write_atomic(path, lambda target: pq.write_table(result.arrow, target))


def _write_atomic(path: Path, write: Callable[[Path], None]) -> None:
    path = path.expanduser()
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        write(temporary)
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def emit(
    result: Result, fmt: Format, console: Console, output: Path | None, out: TextIO
) -> str | None:
    """Write ``result`` as ``fmt`` to ``output`` (or ``out``/``console``); a line to tell the user
    where it went, for a file."""
    if fmt == "parquet":
        assert output is not None
        write_parquet(result, output)
    elif fmt in ("csv", "json"):
        writer = write_csv if fmt == "csv" else write_json
        if output is None:
            writer(result, out)
            return None
        buffer = io.StringIO()
        writer(result, buffer)
        _write_atomic(output, lambda target: target.write_text(buffer.getvalue(), encoding="utf-8"))
    else:
        print_table(result, console)
        return None
    rows = len(result.arrow) if result.arrow is not None else len(result.rows)
    more = " (more rows exist: raise --limit, or --limit 0 for all)" if result.more else ""
    return f"{rows} row{'s' if rows != 1 else ''} written to {output}{more}"


# --- a session: statements and dot commands ------------------------------------------------------

HELP = """\
Statements end with ';' and may span lines. Read-only: other files, writes and settings are refused.
.tables [SCHEMA]     the tables and views (analysis is the public schema)
.schema NAME         the columns of a table or view, e.g. .schema analysis.cube_cases
.mode table|csv|json how results are shown
.limit N             rows shown at most (0: all)
.help                this text
.quit / .exit        leave (Ctrl+D too)"""


@dataclass
class Session:
    """One analyst's session on an open connection: how results are shown, and what failed."""

    con: duckdb.DuckDBPyConnection
    console: Console
    out: TextIO
    fmt: Format = "table"
    limit: int | None = TABLE_LIMIT
    failures: list[int] = field(default_factory=list)

    def statement(self, query: str) -> bool:
        """Run one statement and show its result; False (and the reason told) when it fails."""
        try:
            result = run_query(self.con, query, self.limit)
        except SqlError as exc:
            self.tell_error(exc)
            return False
        emit(result, self.fmt, self.console, None, self.out)
        return True

    def tell_error(self, exc: SqlError) -> None:
        self.failures.append(exc.code)
        title = "Refused:" if exc.code == REFUSED else "Query failed:"
        self.console.print(Text(title, style="red") + Text(f" {exc}"))

    def dot(self, line: str) -> bool:
        """Run a dot command; False to end the session."""
        command, _, argument = line.strip().partition(" ")
        argument = argument.strip()
        if command in (".quit", ".exit"):
            return False
        if command == ".help":
            self.console.print(HELP, markup=False, highlight=False)
        elif command == ".tables":
            schema_filter = "AND schema_name = $schema" if argument else ""
            self._show(
                "SELECT schema_name AS schema, table_name AS name, 'table' AS kind "
                f"FROM duckdb_tables() WHERE NOT internal {schema_filter} UNION ALL "
                "SELECT schema_name, view_name, 'view' FROM duckdb_views() "
                f"WHERE NOT internal AND NOT temporary {schema_filter} ORDER BY ALL",
                {"schema": argument} if argument else None,
            )
        elif command == ".schema":
            if not argument:
                self.console.print(
                    "Usage: .schema NAME (e.g. .schema analysis.places)", markup=False
                )
            else:
                self._show(f"DESCRIBE {_quoted_name(argument)}", None)
        elif command == ".mode" and argument in ("table", "csv", "json"):
            self.fmt = argument  # type: ignore[assignment]
        elif command == ".limit" and argument.isdigit():
            self.limit = int(argument) or None
        else:
            self.console.print(
                Text(f"Unknown or incomplete command {line.strip()!r}; .help lists them.")
            )
        return True

    def _show(self, query: str, params: dict | None) -> None:
        try:
            relation = self.con.execute(query, params) if params else self.con.execute(query)
            rows = relation.fetchall()
            columns = [d[0] for d in relation.description or []]
            types = [str(d[1]) for d in relation.description or []]
        except duckdb.Error as exc:
            self.tell_error(explain(exc))
            return
        print_table(Result(columns, types, rows), self.console)


def _quoted_name(name: str) -> str:
    """``schema.table`` as quoted identifiers (never SQL text from the user)."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split(".") if part)


def statements(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    """``("dot", line)`` and ``("sql", statement)`` items from lines: a dot command is a line
    of its own between statements; a statement ends with ';' (or at the end of the input)."""
    buffer: list[str] = []
    for line in lines:
        if not buffer and line.strip().startswith("."):
            yield "dot", line.strip()
            continue
        if not buffer and not line.strip():
            continue
        buffer.append(line.rstrip("\n"))
        if line.rstrip().endswith(";"):
            yield "sql", "\n".join(buffer)
            buffer = []
    if any(part.strip() for part in buffer):
        yield "sql", "\n".join(buffer)


def run_script(session: Session, stream: TextIO) -> None:
    """Every statement and dot command of ``stream``, in order; an error is told and the rest
    still runs (as the DuckDB shell does); ``session.failures`` says what failed."""
    for kind, text in statements(stream):
        if kind == "dot":
            if not session.dot(text):
                return
        else:
            session.statement(text)


def history_file() -> Path:
    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return state / "cpmonitor" / HISTORY_FILE


def interactive(session: Session, read: Callable[[str], str] = input) -> None:
    """The terminal session: a prompt, statements over several lines, history between sessions."""
    history = _start_history()
    session.console.print(
        "Read-only SQL on the published warehouse. End statements with ';'. "
        ".help for commands, .quit to leave.",
        markup=False,
        highlight=False,
    )
    buffer: list[str] = []
    try:
        while True:
            try:
                line = read(CONTINUATION if buffer else PROMPT)
            except EOFError:
                break
            except KeyboardInterrupt:
                buffer = []
                session.console.print()
                continue
            if not buffer and line.strip().startswith("."):
                if not session.dot(line):
                    break
                continue
            if not buffer and not line.strip():
                continue
            buffer.append(line)
            if line.rstrip().endswith(";"):
                session.statement("\n".join(buffer))
                buffer = []
    finally:
        if history is not None:
            history()


def _start_history() -> Callable[[], None] | None:
    """Load the readline history; the function saving it (owner-only) when the session ends."""
    try:
        import readline
    except ImportError:  # no readline on this platform: a session without history
        return None
    path = history_file()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    if path.exists():
        with suppress(OSError):
            readline.read_history_file(str(path))

    def save() -> None:
        try:
            readline.set_history_length(1000)
            readline.write_history_file(str(path))
            os.chmod(path, 0o600)
        except OSError:
            pass

    return save
