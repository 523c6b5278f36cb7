"""`cpmonitor sql`: analysts' queries on the published warehouse, read-only, printed as they are.

A query runs through the sandboxed read-only connection of ``cpmonitor.status.open_published``
(no other file, configuration locked). What this module adds:

- **a limit pushed into the query**: the statement becomes a DuckDB relation and ``limit + 1``
  rows are asked of it, so a limited look at a large table reads little, and whether more rows
  exist is known without counting them;
- **files written as they are read**: CSV, JSON and Parquet are written a batch of rows at a time
  (never the whole result in memory), to a temporary file renamed into place when complete;
- **values printed literally**: cells and headers are plain text, never Rich markup, and control
  characters (a terminal's escape sequences among them) are shown as escapes such as ``\\x1b``;
- **readable wide results**: cells are cut with an ellipsis, never columns; a result too wide
  for the terminal even then is shown record by record (psql's expanded display);
- **formats**: a table for the terminal, CSV (RFC 4180) and JSON to the terminal or a file,
  Parquet to a file;
- **a session**: with no query, statements are read from the terminal (history kept between
  sessions, dot commands ``.tables``, ``.schema``, ``.mode``, ``.limit``, ``.help``, ``.quit``) or,
  when standard input is not a terminal, run as a script;
- **clear refusals and failures**: what the sandbox refuses and what DuckDB cannot run are told
  apart (exit codes ``REFUSED`` and ``FAILED``), with the reason and never a traceback.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import IO, Any, Literal, TextIO

import duckdb
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

Format = Literal["table", "csv", "json", "parquet"]
FORMATS: tuple[Format, ...] = ("table", "csv", "json", "parquet")

FAILED = 1  # DuckDB could not run the query (syntax, unknown table or column, a bad cast)
REFUSED = 2  # the sandbox refused it (another file, a write, a setting), or the request is wrong
TABLE_LIMIT = 50  # rows a terminal table shows unless --limit says otherwise (files: all)
CELL_WIDTH = 40  # characters of a cell in a terminal table before it is cut
MIN_CELL = 8  # a column is never cut below this (or its own header and values, if shorter)
BATCH = 10_000  # rows read at a time when writing a file
NULL = "NULL"
HISTORY_FILE = "sql_history"
HISTORY_LENGTH = 1000
PROMPT, CONTINUATION = "cpmonitor> ", "      ...> "

# DuckDB's words for what the read-only sandbox refuses (an InvalidInputException, not a
# PermissionException, for writes and settings).
_REFUSALS = (
    "read-only mode",
    "configuration has been locked",
    "file system operations are disabled",
)

# Control characters shown as escapes: a value cannot move the cursor, clear the screen or
# recolour the terminal, and what is shown is what the value holds.
_ESCAPES = {c: f"\\x{c:02x}" for c in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
_ESCAPES.update({ord("\n"): "\\n", ord("\r"): "\\r", ord("\t"): "\\t"})
_LINES = {**_ESCAPES, ord("\n"): "\n"}


class SqlError(Exception):
    """A statement that cannot be run: ``code`` is ``FAILED`` or ``REFUSED``."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code


def message(exc: SqlError) -> Text:
    """What to tell the analyst: ``Refused:`` or ``Query failed:`` and the reason, as plain text."""
    title = "Refused:" if exc.code == REFUSED else "Query failed:"
    return Text(title, style="red") + Text(f" {visible(str(exc), lines=True)}")


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


@contextmanager
def _reading() -> Iterator[None]:
    """DuckDB's errors as ``SqlError``; a query stopped by Ctrl+C as ``KeyboardInterrupt``
    (DuckDB reports it as a ``RuntimeError`` or an ``InterruptException``)."""
    try:
        yield
    except duckdb.InterruptException:
        raise KeyboardInterrupt from None
    except duckdb.Error as exc:
        raise explain(exc) from None
    except RuntimeError as exc:
        if "interrupted" in str(exc).lower():
            raise KeyboardInterrupt from None
        raise


# --- statements -----------------------------------------------------------------------------------


def split(con: duckdb.DuckDBPyConnection, text: str) -> list[str]:
    """The statements of ``text`` as DuckDB's parser splits them, each without its closing ``;``
    and the comments after it (a relation of ``select 1; -- note`` is a syntax error)."""
    with _reading():
        found = con.extract_statements(text)
    return [s for s in (_bare(statement.query) for statement in found) if s]


def _bare(statement: str) -> str:
    data = statement.encode()  # the tokenizer's positions count bytes
    end = len(data)
    for position, kind in reversed(_tokens(statement) or []):
        if kind == duckdb.token_type.comment or _semicolon(data, position, kind):
            end = position
        else:
            break
    return data[:end].decode().strip()


def complete(text: str) -> bool:
    """Whether ``text`` ends a statement: its last token, comments aside, is ``;`` (one inside a
    string or a comment does not count)."""
    data, tokens = text.encode(), _tokens(text)
    if tokens is None:
        return True
    for position, kind in reversed(tokens):
        if kind != duckdb.token_type.comment:
            return _semicolon(data, position, kind)
    return False


def _tokens(text: str) -> list[tuple[int, Any]] | None:
    try:
        return duckdb.tokenize(text)
    except duckdb.Error:  # the parser will say what is wrong
        return None


def _semicolon(data: bytes, position: int, kind: Any) -> bool:
    return kind == duckdb.token_type.operator and data[position : position + 1] == b";"


def prepare(con: duckdb.DuckDBPyConnection, query: str) -> duckdb.DuckDBPyRelation | None:
    """Run every statement of ``query`` but the last; the last one's relation, not yet read (None
    for a statement without rows). ``SqlError`` when DuckDB refuses or cannot run one."""
    statements = split(con, query)
    if not statements:
        raise SqlError(FAILED, "no SQL statement to run")
    with _reading():  # a statement other than a query runs here, at once
        for statement in statements[:-1]:
            con.sql(statement)
        return con.sql(statements[-1])


def _types(relation: duckdb.DuckDBPyRelation) -> list[str]:
    return [str(t) for t in relation.types]


def _limited(relation: duckdb.DuckDBPyRelation, limit: int | None) -> duckdb.DuckDBPyRelation:
    """At most ``limit + 1`` rows of ``relation``, in the query itself: one more than shown says
    whether more exist without counting them."""
    return relation if limit is None else relation.limit(limit + 1)


# --- results for the terminal ---------------------------------------------------------------------


@dataclass
class Result:
    """What one statement gave: column names and types, the rows read, and whether more exist."""

    columns: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    rows: list[tuple] = field(default_factory=list)
    more: bool = False


def fetch(con: duckdb.DuckDBPyConnection, query: str, limit: int | None) -> Result:
    """Run ``query`` (the last statement's rows are the result) and read at most ``limit`` rows
    (None: all), the limit pushed into the query. ``SqlError`` when it cannot be run."""
    relation = prepare(con, query)
    if relation is None:
        return Result()
    with _reading():
        rows = _limited(relation, limit).fetchall()
    more = limit is not None and len(rows) > limit
    return Result(list(relation.columns), _types(relation), rows[:limit] if more else rows, more)


def plain(value: Any) -> str:
    """A value as text: NULL, ISO dates, exact decimals, lowercase booleans."""
    if value is None:
        return NULL
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.hex()
    if isinstance(value, list | dict):
        return json.dumps(value, default=plain, ensure_ascii=False)
    return str(value)


def visible(text: str, *, lines: bool = False) -> str:
    """``text`` with its control characters (newlines unless ``lines``, tabs, escape sequences)
    written as escapes, for the terminal."""
    return text.translate(_LINES if lines else _ESCAPES)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: max(width - 1, 1)] + "…"


def _shown(value: Any) -> str:
    return visible(plain(value))


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
        max(
            [
                cell_len(_cut(visible(name), cell)),
                *(cell_len(_cut(_shown(row[i]), cell)) for row in result.rows),
            ]
        )
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
        console.print("OK", markup=False, highlight=False)
        return
    widths = column_widths(result, console.width, cell)
    if widths is None:
        _print_records(result, console)
    else:
        table = Table(show_edge=True, highlight=False)
        for name, type_name, w in zip(result.columns, result.types, widths, strict=True):
            table.add_column(
                Text(visible(name)),
                justify="right" if _numeric(type_name) else "left",
                no_wrap=True,
                overflow="ellipsis",
                min_width=w,
                max_width=w,
            )
        for row in result.rows:
            table.add_row(*(_cell(value, cell) for value in row))
        console.print(table)
    shown = len(result.rows)
    note = f"{shown} row{'s' if shown != 1 else ''}"
    if result.more:
        note += " shown; more rows exist (raise --limit, or --limit 0 for all)"
    console.print(note, markup=False, highlight=False, style="dim")


def _cell(value: Any, width: int) -> Text:
    text = Text(_cut(_shown(value), width))
    if value is None:
        text.stylize("dim")
    return text


def _print_records(result: Result, console: Console) -> None:
    """One record after another, ``name | value`` a line (names longer than half the terminal
    cut), as psql's expanded display."""
    label = min(max(cell_len(visible(name)) for name in result.columns), console.width // 2)
    room = max(console.width - label - 3, MIN_CELL)
    for number, row in enumerate(result.rows, start=1):
        console.print(Text(f"-[ RECORD {number} ]" + "-" * max(console.width - 16, 4)))
        for name, value in zip(result.columns, row, strict=True):
            header = Text(_cut(visible(name), label))
            header.align("left", label)
            console.print(header + Text(" | ") + _cell(value, room), soft_wrap=True)


# --- results for files --------------------------------------------------------------------------


@dataclass
class Rows:
    """The rows of a relation, read a batch at a time when iterated (at most ``limit``, the limit
    pushed into the query); once read, ``count`` says how many and ``more`` whether more exist."""

    con: duckdb.DuckDBPyConnection
    relation: duckdb.DuckDBPyRelation
    limit: int | None
    batch: int = BATCH
    count: int = 0
    more: bool = False

    @property
    def columns(self) -> list[str]:
        return list(self.relation.columns)

    def __iter__(self) -> Iterator[tuple]:
        limited = _limited(self.relation, self.limit)
        try:
            with _reading():
                # execute() streams its result, where a relation's fetchall() holds all of it
                self.con.execute(limited.sql_query())
                while batch := self.con.fetchmany(self.batch):
                    if self.limit is not None and self.count + len(batch) > self.limit:
                        batch, self.more = batch[: self.limit - self.count], True
                    self.count += len(batch)
                    yield from batch
        finally:
            with suppress(duckdb.Error):
                self.con.abort()  # a result left unread would hold the connection


def write_csv(columns: list[str], rows: Iterable[tuple], out: TextIO) -> None:
    """RFC 4180 CSV (the csv module's default dialect): a header, NULL as an empty field, ISO
    dates, exact decimals."""
    writer = csv.writer(out)
    writer.writerow(columns)
    for row in rows:
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
    if isinstance(value, dt.datetime):
        return json.dumps(value.isoformat())
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_json_value(v) for v in value) + "]"
    if isinstance(value, dict):
        pairs = (
            f"{json.dumps(plain(k), ensure_ascii=False)}: {_json_value(v)}"
            for k, v in value.items()
        )
        return "{" + ", ".join(pairs) + "}"
    return json.dumps(plain(value), ensure_ascii=False)


def write_json(columns: list[str], rows: Iterable[tuple], out: TextIO) -> None:
    """A JSON array of objects, one per row: numbers exact, dates as ISO strings, NULL as null."""
    names = [json.dumps(name, ensure_ascii=False) for name in columns]
    out.write("[")
    first = True
    for row in rows:
        pairs = ", ".join(f"{n}: {_json_value(v)}" for n, v in zip(names, row, strict=True))
        out.write(("\n  {" if first else ",\n  {") + pairs + "}")
        first = False
    out.write("]\n" if first else "\n]\n")


def write_parquet(
    relation: duckdb.DuckDBPyRelation, limit: int | None, sink: IO[bytes]
) -> tuple[int, bool]:
    """The relation's rows (at most ``limit``) as zstd Parquet with statistics, read and written
    a batch at a time with DuckDB's Arrow types (decimals exact); the rows written and whether
    more exist."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    count, more = 0, False
    with _reading():
        reader = _limited(relation, limit).to_arrow_reader(BATCH)
    try:
        with (
            _reading(),
            pq.ParquetWriter(
                sink, reader.schema, compression="zstd", write_statistics=True
            ) as writer,
        ):
            for batch in reader:
                if limit is not None and count + batch.num_rows > limit:
                    batch, more = batch.slice(0, limit - count), True
                writer.write_batch(batch)
                count += batch.num_rows
    except pa.ArrowException as exc:  # a type Parquet has no place for (an INTERVAL, a UNION)
        raise SqlError(FAILED, f"the result cannot be written as Parquet: {exc}") from None
    finally:
        reader.close()  # a reader left open would hold the connection
    return count, more


@contextmanager
def _atomic(path: Path, binary: bool) -> Iterator[IO]:
    """A temporary file beside ``path`` (owner-only, as ``mkstemp`` makes it), renamed over
    ``path`` once written whole; removed if writing fails."""
    path = path.expanduser()
    fd, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        if binary:
            handle: IO = os.fdopen(fd, "wb")
        else:
            handle = os.fdopen(fd, "w", encoding="utf-8", newline="")
        with handle:
            yield handle
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise


@dataclass(frozen=True)
class Written:
    """How many rows a file or stream received, and whether the query had more."""

    rows: int
    more: bool

    def describe(self, target: Path) -> str:
        more = " (more rows exist: raise --limit, or --limit 0 for all)" if self.more else ""
        return f"{self.rows} row{'s' if self.rows != 1 else ''} written to {target}{more}"


def export(
    con: duckdb.DuckDBPyConnection,
    query: str,
    fmt: Format,
    limit: int | None,
    output: Path | None,
    out: TextIO,
) -> Written:
    """Write the result of ``query`` as CSV, JSON or Parquet to ``output`` (whole or not at all)
    or, for CSV and JSON, to ``out``; at most ``limit`` rows (None: all)."""
    relation = prepare(con, query)
    if relation is None:
        raise SqlError(FAILED, "the last statement gives no rows to write")
    if fmt == "parquet":
        if output is None:
            raise SqlError(REFUSED, "Parquet is written to a file: add --output FILE.parquet")
        with _atomic(output, binary=True) as sink:
            return Written(*write_parquet(relation, limit, sink))
    rows = Rows(con, relation, limit)
    writer = write_csv if fmt == "csv" else write_json
    if output is None:
        writer(rows.columns, rows, out)
    else:
        with _atomic(output, binary=False) as handle:
            writer(rows.columns, rows, handle)
    return Written(rows.count, rows.more)


# --- a session: statements and dot commands ------------------------------------------------------

HELP = """\
Statements end with ';' and may span lines. Read-only: other files, writes and settings are refused.
.tables [SCHEMA]     the tables and views (analysis is the public schema)
.schema [NAME]       the columns of a table or view, e.g. .schema analysis.cube_cases
                     (no name: how every table and view is defined)
.mode table|csv|json how results are shown
.limit N             rows shown at most (0: all)
.help                this text
.quit / .exit        leave (Ctrl+D too)"""


@dataclass
class Session:
    """One analyst's session on an open connection: how results are shown, the statement being
    typed, and what failed."""

    con: duckdb.DuckDBPyConnection
    console: Console
    out: TextIO
    fmt: Format = "table"
    limit: int | None = TABLE_LIMIT
    notes: Console | None = None  # errors and notes (default: ``console``)
    failures: list[int] = field(default_factory=list)
    pending: list[str] = field(default_factory=list)

    def feed(self, line: str) -> bool:
        """One line of input: a dot command (between statements), or part of a statement, run
        once it ends with ``;``. False when the session should end."""
        if not self.pending and line.strip().startswith("."):
            return self.dot(line)
        if not self.pending and not line.strip():
            return True
        self.pending.append(line.rstrip("\r\n"))
        text = "\n".join(self.pending)
        if complete(text):
            self.pending = []
            self.run(text)
        return True

    def finish(self) -> None:
        """Run what is left of the input (a last statement without its ``;``)."""
        text, self.pending = "\n".join(self.pending), []
        if text.strip():
            self.run(text)

    def run(self, text: str) -> None:
        """Run each statement of ``text`` and show its result; an error is told and the next
        statement still runs."""
        try:
            statements = split(self.con, text)
        except SqlError as exc:
            self.tell_error(exc)
            return
        for statement in statements:
            self.statement(statement)

    def statement(self, query: str) -> bool:
        """Run one statement and show its result; False (and the reason told) when it fails."""
        try:
            if self.fmt == "table":
                print_table(fetch(self.con, query, self.limit), self.console)
            else:
                written = export(self.con, query, self.fmt, self.limit, None, self.out)
                if written.more:
                    (self.notes or self.console).print(
                        f"{written.rows} rows shown; more rows exist (.limit 0 for all)",
                        markup=False,
                        highlight=False,
                        style="dim",
                    )
        except SqlError as exc:
            self.tell_error(exc)
            return False
        return True

    def tell_error(self, exc: SqlError) -> None:
        self.failures.append(exc.code)
        (self.notes or self.console).print(message(exc), soft_wrap=True)

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
        elif command == ".schema" and argument:
            self._show(f"DESCRIBE {_quoted_name(argument)}", None)
        elif command == ".schema":
            self._definitions()
        elif command == ".mode" and argument in ("table", "csv", "json"):
            self.fmt = argument  # type: ignore[assignment]
        elif command == ".limit" and argument.isdigit():
            self.limit = int(argument) or None
        else:
            self.console.print(
                Text(f"Unknown or incomplete command {visible(line.strip())!r}; .help lists them.")
            )
        return True

    def _show(self, query: str, params: dict | None) -> None:
        try:
            cursor = self.con.execute(query, params) if params else self.con.execute(query)
            columns = [d[0] for d in cursor.description or []]
            types = [str(d[1]) for d in cursor.description or []]
            rows = cursor.fetchall()
        except duckdb.Error as exc:
            self.tell_error(explain(exc))
            return
        print_table(Result(columns, types, rows), self.console)

    def _definitions(self) -> None:
        """How every table and view is defined (their CREATE statements), as the DuckDB shell's
        ``.schema`` shows them."""
        try:
            rows = self.con.execute(
                "SELECT sql FROM (SELECT schema_name, table_name AS name, sql FROM duckdb_tables() "
                "WHERE NOT internal UNION ALL SELECT schema_name, view_name, sql FROM duckdb_views() "
                "WHERE NOT internal AND NOT temporary) ORDER BY schema_name, name"
            ).fetchall()
        except duckdb.Error as exc:
            self.tell_error(explain(exc))
            return
        for (definition,) in rows:
            text = str(definition).rstrip().rstrip(";")
            self.console.print(Text(f"{text};"), soft_wrap=True)


def _quoted_name(name: str) -> str:
    """``schema.table`` as quoted identifiers (never SQL text from the user)."""
    return ".".join('"' + part.replace('"', '""') + '"' for part in name.split(".") if part)


def run_script(session: Session, stream: Iterable[str]) -> None:
    """Every statement and dot command of ``stream``, in order; an error is told and the rest
    still runs (as the DuckDB shell does); ``session.failures`` says what failed."""
    for line in stream:
        if not session.feed(line):
            return
    session.finish()


def history_file() -> Path:
    """The session history: ``$XDG_STATE_HOME/cpmonitor/sql_history`` (``~/.local/state``)."""
    state = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return state / "cpmonitor" / HISTORY_FILE


def interactive(session: Session, read: Callable[[str], str] = input) -> None:
    """The terminal session: a prompt, statements over several lines, history between sessions;
    Ctrl+C drops the statement being typed or stops the one running."""
    save_history = _start_history()
    session.console.print(
        "Read-only SQL on the published warehouse. End statements with ';'. "
        ".help for commands, .quit to leave.",
        markup=False,
        highlight=False,
    )
    try:
        while True:
            try:
                line = read(CONTINUATION if session.pending else PROMPT)
            except EOFError:
                session.console.print()
                break
            except KeyboardInterrupt:
                session.pending = []
                session.console.print()
                continue
            try:
                if not session.feed(line):
                    break
            except KeyboardInterrupt:
                with suppress(duckdb.Error):
                    session.con.abort()
                session.console.print("Interrupted.", markup=False)
    finally:
        if save_history is not None:
            save_history()


def _start_history() -> Callable[[], None] | None:
    """Load the readline history, its file created owner-only; the function that saves it when
    the session ends (None without readline, or when the file cannot be had)."""
    try:
        import readline
    except ImportError:  # no readline on this platform: a session without history
        return None
    path = history_file()
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        readline.read_history_file(str(path))
    except OSError:
        return None
    readline.set_history_length(HISTORY_LENGTH)

    def save() -> None:
        with suppress(OSError):
            readline.write_history_file(str(path))

    return save
