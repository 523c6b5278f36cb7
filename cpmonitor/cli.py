"""`cpmonitor`: the command-line tool that runs the warehouse.

cpmonitor demo       generate the demo country, run the pipeline, serve the dashboard
cpmonitor generate   write synthetic ministry feeds into the landing zone
cpmonitor run        ingest -> dbt build -> checks -> publish
cpmonitor serve      serve the dashboard on the published warehouse (waitress, sign-in required)
cpmonitor users      who may sign in: add, remove, set-role, set-password, list, add-demo
cpmonitor status     what was received, late, missing or refused, and which warehouse is live
cpmonitor rollback   serve a previously published warehouse version again
cpmonitor sql        query the published warehouse read-only
cpmonitor report     a donor or planner progress report of one period (PDF or HTML)
cpmonitor export     indicator values as CSV, Parquet, Excel, SDMX-CSV or DHIS2 payloads
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table
from rich.text import Text

from cpmonitor.core.settings import Settings

# Each command imports what it runs inside itself (pipeline, status, dashboard, demo country, dbt
# sources), so `cpmonitor --help` and every command start without loading what others need
# (pandas, Dash, the generator): these lazy imports are for start-up time, not to hide a cycle.
app = typer.Typer(
    help="National child protection indicators warehouse and dashboard.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()


def _show_version(value: bool) -> None:
    if not value:
        return
    import platform
    from importlib.metadata import version

    import duckdb

    console.print(
        f"cpmonitor {version('cpmonitor')} (DuckDB {duckdb.__version__}, "
        f"Python {platform.python_version()})",
        markup=False,
        highlight=False,
    )
    raise typer.Exit()


@app.callback()
def _main(
    show_version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """National child protection indicators warehouse and dashboard."""


DEFAULT_SCALE = 1.0
SCALE_HELP = (
    "Size of the demo country: the default 1.0 is national (about 6 million children, 16,500 in "
    "residential care, ten years of records; about 2.5 minutes to run); 0.1 is a tenth-size "
    "country that runs in about a minute."
)

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="CPMONITOR_DATA_DIR",
        help="Where landing zone, state and warehouse live (default: ./data in the project).",
        show_default=False,
    ),
]


def _settings(data_dir: Path | None) -> Settings:
    """The settings of an existing data directory; a clear message and exit 2 for one that does
    not exist (a mistyped --data-dir, or nothing generated or delivered yet), naming a close
    match when there is one."""
    import difflib

    settings = Settings.from_env(data_dir)
    folder = settings.data_dir
    if folder.is_dir():
        return settings
    parent = folder.parent
    candidates = []
    if parent.is_dir():
        candidates = [
            d.name
            for d in parent.iterdir()
            if d.is_dir() and any((d / part).exists() for part in ("landing", "cpmonitor.duckdb"))
        ]
    near = difflib.get_close_matches(folder.name, candidates, n=1, cutoff=0.6)
    console.print(Text("No data directory at ", style="red") + Text(f"{folder}."))
    if near:
        console.print(Text(f"  Did you mean {parent / near[0]}?"))
    console.print(
        "  Check --data-dir (or CPMONITOR_DATA_DIR). To start one, `cpmonitor demo` generates "
        "the demo country and runs it; a ministry's deliveries go in <data dir>/landing/"
        "<entity>/<feed>/<period>/.",
        markup=False,
        highlight=False,
    )
    raise typer.Exit(2)


@contextmanager
def _progress() -> Iterator:
    """A rich progress bar fed by the (label, done, total) callbacks of generate/ingest/run."""
    with Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("Starting", total=None)

        def update(label: str, done: int, total: int) -> None:
            bar.update(task, description=label, completed=done, total=total or None)

        yield update


@app.command()
def generate(
    data_dir: DataDir = None,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same files.")
    ] = 2016,
    scale: Annotated[float, typer.Option(help=SCALE_HELP)] = DEFAULT_SCALE,
) -> None:
    """Write the synthetic demo country's ministry feeds into the landing zone."""
    from demo_country import generate as generate_country

    settings = Settings.from_env(data_dir)
    settings.ensure_dirs()
    started = time.monotonic()
    with _progress() as progress:
        summary = generate_country(settings, seed=seed, scale=scale, progress=progress)
    console.print(
        f"[green]Generated[/] {summary.country_name}: {summary.files_written} new file(s), "
        f"{summary.files_unchanged} unchanged, in {time.monotonic() - started:.1f}s "
        f"-> {summary.landing_dir}"
    )
    for feed, rows in sorted(summary.rows_by_feed.items()):
        console.print(f"  {feed:<20} {rows:>10,} rows")


@app.command()
def run(data_dir: DataDir = None) -> None:
    """Ingest new deliveries, build and check the warehouse, publish it if all checks pass."""
    from cpmonitor.pipeline import PipelineBusyError, run_pipeline
    from ingest.landing import landing_entries

    settings = _settings(data_dir)
    if not landing_entries(settings.landing_dir):
        console.print(
            Text("Nothing to run: ", style="red")
            + Text(
                f"the landing zone {settings.landing_dir} holds no delivery. Ministries' files go in "
                "<entity>/<feed>/<period>/ under it (`cpmonitor generate` writes the demo country's)."
            )
        )
        raise typer.Exit(1)
    started = time.monotonic()
    try:
        with _progress() as progress:
            outcome = run_pipeline(settings, progress=progress)
    except PipelineBusyError as exc:
        console.print(f"[red]Not started:[/] {exc}")
        raise typer.Exit(2) from exc
    console.print(
        f"Files: {outcome.files_loaded} loaded, {outcome.files_quarantined} quarantined, "
        f"{outcome.files_skipped} already ingested."
    )
    if outcome.files_quarantined:
        console.print("  See [bold]cpmonitor status[/] for the reasons files were quarantined.")
    elapsed = time.monotonic() - started
    if outcome.status == "published":
        warn = f" ({outcome.checks_warned} warning(s))" if outcome.checks_warned else ""
        console.print(
            f"[green]Published[/] run {outcome.run_id} in {elapsed:.1f}s{warn} -> {outcome.published_file}"
        )
        return
    console.print(f"[red]Run {outcome.run_id} failed:[/] {outcome.message}")
    for line in outcome.details:
        console.print(f"  {line}")
    raise typer.Exit(1)


DEMO_ACCOUNTS = (
    ("admin", "admin", "demo-admin"),
    ("planner", "planner", "demo-planner"),
    ("analyst", "analyst", "demo-analyst"),
    ("donor", "donor", "demo-donor"),
)

users_app = typer.Typer(
    help="Who may sign in to the dashboard (stored in <data dir>/state/access.sqlite).",
    no_args_is_help=True,
)
app.add_typer(users_app, name="users")


def _read_password(password_stdin: bool) -> str:
    import sys

    if password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return typer.prompt("Password", hide_input=True, confirmation_prompt=True)


@contextmanager
def _user_errors() -> Iterator[None]:
    from cpmonitor.core.access import AccessError
    from cpmonitor.core.users import UserError

    try:
        yield
    except (UserError, AccessError) as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None


PasswordStdin = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]


@users_app.command("add")
def users_add(
    username: str,
    role: Annotated[str, typer.Option("--role", help="A role of access.yml.")],
    password_stdin: PasswordStdin = False,
    data_dir: DataDir = None,
) -> None:
    """Create a user with a role."""
    from cpmonitor.core import users

    settings = Settings.from_env(data_dir)
    with _user_errors():
        user = users.add_user(settings, username, role, _read_password(password_stdin))
    console.print(f"Added [bold]{user.username}[/] ({user.role}).")


@users_app.command("remove")
def users_remove(username: str, data_dir: DataDir = None) -> None:
    """Delete a user and end their sessions."""
    from cpmonitor.core import users

    with _user_errors():
        users.remove_user(Settings.from_env(data_dir), username)
    console.print(f"Removed [bold]{username}[/].")


@users_app.command("set-role")
def users_set_role(
    username: str,
    role: Annotated[str, typer.Argument(help="A role of access.yml.")],
    data_dir: DataDir = None,
) -> None:
    """Give a user another role."""
    from cpmonitor.core import users

    with _user_errors():
        users.set_role(Settings.from_env(data_dir), username, role)
    console.print(f"[bold]{username}[/] is now {role}.")


@users_app.command("set-password")
def users_set_password(
    username: str, password_stdin: PasswordStdin = False, data_dir: DataDir = None
) -> None:
    """Replace a user's password (their sessions end)."""
    from cpmonitor.core import users

    settings = Settings.from_env(data_dir)
    with _user_errors():
        users.set_password(settings, username, _read_password(password_stdin))
    console.print(f"New password set for [bold]{username}[/].")


@users_app.command("list")
def users_list(data_dir: DataDir = None) -> None:
    """Every user, their role and last sign-in (never a password hash)."""
    from cpmonitor.core import users
    from cpmonitor.core.access import load_access

    settings = Settings.from_env(data_dir)
    policy = load_access(settings)
    table = Table(title="Dashboard users")
    for column in ("User", "Role", "Created", "Last sign-in"):
        table.add_column(column)

    def when(at: float | None) -> str:
        if at is None:
            return "never"
        return dt.datetime.fromtimestamp(at, tz=dt.UTC).strftime("%Y-%m-%d %H:%M UTC")

    for user in users.list_users(settings):
        label = policy.roles[user.role].label if user.role in policy.roles else user.role
        table.add_row(
            user.username, f"{user.role} ({label})", when(user.created_at), when(user.last_sign_in)
        )
    console.print(table)


def _add_demo_accounts(settings: Settings) -> list[str]:
    from cpmonitor.core import users

    added = []
    for username, role, password in DEMO_ACCOUNTS:
        if users.get_user(settings, username) is None:
            users.add_user(settings, username, role, password)
            added.append(username)
    return added


@users_app.command("add-demo")
def users_add_demo(data_dir: DataDir = None) -> None:
    """Create the demo accounts (admin, planner, analyst, donor; password demo-<name>) if absent."""
    with _user_errors():
        added = _add_demo_accounts(Settings.from_env(data_dir))
    console.print(
        f"Demo accounts added: {', '.join(added)}." if added else "Demo accounts already exist."
    )
    console.print(
        "Sign in as admin / demo-admin, planner / demo-planner, analyst / demo-analyst "
        "or donor / demo-donor."
    )


def _port_is_free(host: str, port: int) -> bool:
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


def warm_up(dash_app) -> None:
    """The first requests of a fresh server set Dash up (layout check, scripts, callback map);
    concurrent first requests on a fresh worker can fail (a known Dash issue), so make them here,
    once, with the test client, before any browser arrives."""
    client = dash_app.server.test_client()
    for path in ("/_dash-layout", "/_dash-dependencies", "/login"):
        client.get(path)


@app.command()
def serve(
    data_dir: DataDir = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8050,
    dev: Annotated[
        bool, typer.Option("--dev", help="Dash's development server (debug; never in production).")
    ] = False,
    insecure_cookies: Annotated[
        bool,
        typer.Option(
            "--insecure-cookies",
            help="Send the session cookie over plain http too (local demos without https only).",
        ),
    ] = False,
    allowed_host: Annotated[
        list[str] | None,
        typer.Option(
            "--allowed-host",
            help="A Host name the dashboard answers (repeatable; default 127.0.0.1 and localhost).",
        ),
    ] = None,
    threads: Annotated[int, typer.Option(help="Waitress worker threads.")] = 8,
) -> None:
    """Serve the dashboard on the published warehouse (waitress; sign-in required)."""
    from dashboards.app import create_app

    settings = _settings(data_dir)
    if not _port_is_free(host, port):
        console.print(
            f"[red]Port {port} on {host} is already in use[/]: stop what is running there or "
            "choose another with --port."
        )
        raise typer.Exit(1)
    if not settings.warehouse_file.exists():
        console.print(
            "[yellow]No warehouse has been published yet[/]: the dashboard will say so. "
            "Run `cpmonitor run` (or `cpmonitor demo`)."
        )
    dash_app = create_app(
        settings, insecure_cookies=insecure_cookies, allowed_hosts=allowed_host or None
    )
    warm_up(dash_app)
    scheme = "http"
    console.print(f"Dashboard at [bold]{scheme}://{host}:{port}[/]  (Ctrl+C to stop)")
    if not insecure_cookies:
        console.print(
            "Session cookies are Secure: browsers keep them on http://127.0.0.1 and localhost; "
            "anywhere else serve behind https (or pass --insecure-cookies for a plain-http demo)."
        )
    if dev:
        dash_app.run(host=host, port=port, debug=True)
        return
    import waitress

    waitress.serve(dash_app.server, host=host, port=port, threads=threads, ident="cpmonitor")


@app.command()
def demo(
    data_dir: DataDir = None,
    seed: Annotated[int, typer.Option(help="Random seed of the demo country.")] = 2016,
    scale: Annotated[float, typer.Option(help=SCALE_HELP)] = DEFAULT_SCALE,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8050,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Stop after publishing.")] = False,
) -> None:
    """Generate the demo country, run the whole pipeline, create the demo accounts and serve the
    dashboard on this machine (cookies stay Secure: browsers keep them for http://127.0.0.1)."""
    if not no_serve and not _port_is_free(host, port):  # say so now, not after the build
        console.print(
            f"[red]Port {port} on {host} is already in use[/]: stop what is running there or "
            "choose another with --port (or --no-serve to build only)."
        )
        raise typer.Exit(1)
    generate(data_dir=data_dir, seed=seed, scale=scale)
    run(data_dir=data_dir)
    users_add_demo(data_dir=data_dir)
    if not no_serve:
        serve(
            data_dir=data_dir,
            host=host,
            port=port,
            dev=False,
            insecure_cookies=False,
            allowed_host=None,
            threads=8,
        )


@app.command()
def status(data_dir: DataDir = None) -> None:
    """What each entity delivered (on time, late, missing, refused) and which warehouse is live."""
    from cpmonitor.status import collect_status, protection_lines

    info = collect_status(_settings(data_dir))
    if info.published is None:
        console.print("[yellow]No warehouse published yet.[/] Run `cpmonitor run`.")
    else:
        console.print(
            f"[green]Live warehouse[/]: version {info.published['run_id']}, published "
            f"{info.published['published_at']} ({info.published['size_mb']:.1f} MB)"
        )
        console.print(f"  {info.published['path']}", overflow="fold")
    if info.last_run:
        colour = "green" if info.last_run["status"] in ("published", "rolled_back") else "red"
        console.print(
            f"Last run: [{colour}]{info.last_run['status']}[/] {info.last_run['run_id']} "
            f"at {info.last_run['finished_at']}: {info.last_run['message']}"
        )
        for line in info.last_run.get("details") or []:
            console.print(f"  {line}")
        for line in protection_lines(info.last_run):
            console.print(line, markup=False, highlight=False)

    if not info.feeds:
        console.print("No files ingested yet.")
    else:
        console.print(_feeds_table(info.feeds, info.completeness_as_of))
        gaps = [f for f in info.feeds if f.get("missing_periods")]
        if gaps:
            console.print("[bold]Periods with no usable delivery[/] (missing or refused):")
            for row in gaps:
                console.print(f"  {row['entity']}/{row['feed']}: {row['missing_periods']}")

    if info.rejected_rows:
        console.print("[bold]Rows set aside within loaded files[/] (kept in quarantine):")
        for row in info.rejected_rows:
            console.print(
                Text(f"  {row['rows_rejected']:,} of {row['rows']:,} rows of {row['source_file']}"),
                overflow="fold",
            )
            reason = str(row["reason"] or "")
            _, marker, details = reason.partition("(kept in quarantine): ")
            console.print(Text(f"    {details if marker else reason}"), overflow="fold")

    if info.quarantined:
        table = Table(title="Quarantined files", title_justify="left", show_lines=True)
        table.add_column("file", overflow="fold", ratio=1)
        table.add_column("reason", overflow="fold", ratio=2)
        for row in info.quarantined:
            table.add_row(row["source_file"], row["reason"])
        console.print(table)

    if info.versions:
        table = Table(title="Warehouse versions (for cpmonitor rollback)", title_justify="left")
        table.add_column("version (run id)")
        table.add_column("published")
        table.add_column("")
        for version in info.versions:
            table.add_row(
                version["run_id"],
                version["published_at"],
                "[green]live[/]" if version["live"] else "",
            )
        console.print(table)


def _feeds_table(feeds: list[dict], as_of: dt.date | None = None) -> Table:
    """Deliveries and reporting completeness per feed, grouped by entity, within 80 columns:
    files received and refused, rows set aside within loaded files, late and missing periods."""
    from rich import box

    table = Table(
        title="Deliveries by entity and feed",
        title_justify="left",
        caption=(
            "Expected periods: from each feed's first delivery to the last period due"
            + (f" by {as_of:%d %b %Y} (the day after the latest delivery)." if as_of else ".")
            + " Rejected rows: bad rows set aside within files that were loaded."
        ),
        caption_justify="left",
        box=box.SIMPLE_HEAD,
        padding=0,  # the box's one space between columns, so feed names keep their width
        pad_edge=False,
        show_edge=False,
    )
    table.add_column("entity / feed", overflow="fold", max_width=28)
    for heading in (
        "files",
        "refused",
        "rejected\nrows",
        "late",
        "missing",
        "complete",
        "on\ntime",
    ):
        table.add_column(heading, justify="right", no_wrap=True)
    entity = None
    for row in feeds:
        if row["entity"] != entity:
            entity = row["entity"]
            table.add_row(Text(entity, style="bold"))
        expected = row.get("expected")
        table.add_row(
            Text(f"  {row['feed']}"),
            str(row["files"]),
            str(row["quarantined"]),
            str(row.get("rows_rejected") or 0),
            _count(row.get("late")),
            _count(row.get("missing", 0) + row.get("refused", 0) if expected else None),
            _percent(row.get("completeness_pct")),
            _percent(row.get("timeliness_pct")),
        )
    return table


def _count(value: object) -> str:
    return "" if value is None else str(value)


def _percent(value: object) -> str:
    return "" if value is None else f"{value:.0f}%"


@app.command()
def rollback(
    data_dir: DataDir = None,
    to: Annotated[
        str | None,
        typer.Option(
            "--to", help="Version (run id) to serve; default: the one before the live one."
        ),
    ] = None,
) -> None:
    """Serve a previously published warehouse version again (see `cpmonitor status`)."""
    from cpmonitor.pipeline import PipelineBusyError, RollbackError
    from cpmonitor.pipeline import rollback as rollback_to

    settings = _settings(data_dir)
    try:
        record = rollback_to(settings, to)
    except (RollbackError, PipelineBusyError) as exc:
        console.print(f"[red]Not rolled back:[/] {exc}")
        raise typer.Exit(1) from exc
    console.print(f"[green]Rolled back[/]: version {record['rolled_back_to']} is live again.")
    if record.get("replaced"):
        console.print(f"  Version {record['replaced']} is kept; to serve it again:")
        console.print(f"  cpmonitor rollback --to {record['replaced']}")


@app.command()
def sql(
    query: Annotated[
        str | None,
        typer.Argument(
            help="SQL to run on the published warehouse (with several statements, the last one's "
            "rows are the result). None: an interactive session or, when standard input is not "
            "a terminal, the statements read from it.",
            show_default=False,
        ),
    ] = None,
    data_dir: DataDir = None,
    limit: Annotated[
        int | None,
        typer.Option(
            help="Rows to read at most, pushed into the query (0: all). Default: 50 for the "
            "terminal table, all for csv, json, parquet and --output.",
            show_default=False,
            min=0,
        ),
    ] = None,
    fmt: Annotated[
        str,
        typer.Option(
            "--format", help="table, csv (RFC 4180), json or parquet (parquet needs --output)."
        ),
    ] = "table",
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            help="Write the result to this file (owner-only; replaced only once written whole).",
            show_default=False,
        ),
    ] = None,
) -> None:
    """Query the published warehouse read-only: it cannot read or write other files.

    Values are printed as they are; long cells are cut, never columns. JSON keeps numbers exact, dates as ISO strings and NULL as null; CSV leaves NULL empty.

    Exit codes: 0 done; 1 the query failed (syntax, unknown table or column: DuckDB's reason); 2 refused (another file, a write, a setting: the warehouse is read-only) or a wrong request; 130 stopped with Ctrl+C. A script on standard input runs every statement and exits with the worst code met; in a session, Ctrl+C stops the statement running (DuckDB may first finish the step it is in), not the session.

    The public schema is `analysis` (`cpmonitor docs` describes it).
    """
    import os
    import sys
    from contextlib import suppress
    from typing import NoReturn

    from cpmonitor.analyst import sql as analyst_sql
    from cpmonitor.status import open_published

    errors = Console(stderr=True)

    def refuse(message: str) -> NoReturn:
        errors.print(Text("Not run:", style="red") + Text(f" {message}"))
        raise typer.Exit(analyst_sql.REFUSED)

    if fmt not in analyst_sql.FORMATS:
        refuse(f"unknown format {fmt!r}; choose one of {', '.join(analyst_sql.FORMATS)}")
    if fmt == "parquet" and output is None:
        refuse("Parquet is written to a file: add --output FILE.parquet")
    if output is not None and query is None:
        refuse("--output needs a query")
    if output is not None and fmt == "table":
        refuse("a terminal table is not written to a file: add --format csv, json or parquet")
    settings = _settings(data_dir)
    if not settings.warehouse_file.exists():
        console.print("[red]No warehouse published yet.[/] Run `cpmonitor run`.")
        raise typer.Exit(1)
    terminal_table = fmt == "table" and output is None
    rows = (analyst_sql.TABLE_LIMIT if terminal_table else None) if limit is None else limit or None
    try:
        with open_published(settings) as con:
            if query is None:
                session = analyst_sql.Session(
                    con, console, sys.stdout, fmt=fmt, limit=rows, notes=errors
                )
                if sys.stdin.isatty():
                    analyst_sql.interactive(session)
                    return
                analyst_sql.run_script(session, sys.stdin)
                if session.failures:
                    raise typer.Exit(max(session.failures))
                return
            if terminal_table:
                analyst_sql.print_table(analyst_sql.fetch(con, query, rows), console)
                return
            written = analyst_sql.export(con, query, fmt, rows, output, sys.stdout)  # type: ignore[arg-type]
    except analyst_sql.SqlError as exc:
        errors.print(analyst_sql.message(exc), soft_wrap=True)  # DuckDB's ^ under the problem
        raise typer.Exit(exc.code) from None
    except KeyboardInterrupt:
        errors.print("Interrupted.", markup=False, highlight=False)
        raise typer.Exit(130) from None
    except BrokenPipeError:  # the reader of a pipe stopped (`| head`): nothing more to say
        with suppress(OSError, ValueError):
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        raise typer.Exit(0) from None
    except OSError as exc:
        refuse(f"cannot write {output}: {exc.strerror or exc}")
    if output is not None:
        console.print(written.describe(output), markup=False, highlight=False, soft_wrap=True)
    elif written.more:
        errors.print(
            f"{written.rows} rows written; more rows exist (raise --limit, or --limit 0 for all)",
            markup=False,
            highlight=False,
        )


@app.command()
def docs(
    data_dir: DataDir = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", help="Folder of the page (default: <data dir>/docs).", show_default=False
        ),
    ] = None,
    serve: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Serve the page on 127.0.0.1 afterwards.")
    ] = True,
    port: Annotated[int, typer.Option(help="Port of the local server.")] = 8060,
) -> None:
    """Document the published warehouse's tables and columns (dbt docs, one page that opens offline)."""
    from rich.markup import escape

    from cpmonitor.analyst.docs import DocsError, docs_server, generate_docs

    settings = _settings(data_dir)
    try:
        with console.status("Generating the documentation (dbt docs generate)"):
            page = generate_docs(settings, output)
    except (DocsError, OSError) as exc:
        console.print(f"[red]No documentation:[/] {escape(str(exc))}")
        raise typer.Exit(1) from exc
    console.print(
        f"Documentation written to {page} (open it in a browser, no network needed).", markup=False
    )
    if not serve:
        return
    try:
        server = docs_server(page.parent, port)
    except OSError as exc:
        console.print(f"Port {port} is not free ({exc}); choose another with --port.", markup=False)
        raise typer.Exit(1) from exc
    console.print(
        f"Serving it on http://127.0.0.1:{server.server_port}/ (Ctrl+C stops).", markup=False
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


# --- reports and exports -------------------------------------------------------------------------

Audience = Annotated[
    str,
    typer.Option(
        "--audience",
        help="Whose view: donor (protected values only, whole years, nation and provinces), "
        "planner, ... (a role of access.yml).",
    ),
]
WarehouseVersion = Annotated[
    str | None,
    typer.Option(
        "--warehouse-version",
        help="A kept warehouse version (a run id from `cpmonitor status`; default: the live one).",
        show_default=False,
    ),
]


def _published_file(settings: Settings, version: str | None) -> Path:
    """The warehouse file of ``version`` (a kept run id), else the live one; exits with a clear
    message when there is none."""
    from cpmonitor.runlog import list_versions, version_path

    if version is None:
        if not settings.warehouse_file.exists():
            console.print(
                f"[red]No warehouse published yet in {settings.data_dir}.[/] Run `cpmonitor run`."
            )
            raise typer.Exit(1)
        return settings.warehouse_file
    if version not in list_versions(settings):
        kept = ", ".join(list_versions(settings)) or "none"
        console.print(f"[red]No kept warehouse version {version!r}.[/] Kept versions: {kept}.")
        raise typer.Exit(1)
    return version_path(settings, version)


def _audience(settings: Settings, name: str):
    from cpmonitor.core.access import AccessError, load_access

    try:
        policy = load_access(settings)
        return policy, policy.role(name)
    except AccessError as exc:
        console.print(f"[red]{exc}[/]")
        raise typer.Exit(1) from None


def _record(settings: Settings, event: str, audience: str, detail: str) -> None:
    """The audit log (the admins' audit-log page) keeps every report and export made."""
    import getpass

    from cpmonitor.core.users import record_event

    record_event(settings, event, username=f"cli:{getpass.getuser()}", role=audience, detail=detail)


@app.command()
def report(
    period: Annotated[str, typer.Option(help="A year (2025) or a quarter (2025-Q4).")],
    audience: Audience = "donor",
    fmt: Annotated[str, typer.Option("--format", help="pdf or html.")] = "pdf",
    output: Annotated[
        Path | None,
        typer.Option(
            help="File to write (default: report-<audience>-<period>-<version>.<format>)."
        ),
    ] = None,
    lang: Annotated[str, typer.Option(help="Language of the report.")] = "en",
    version: WarehouseVersion = None,
    data_dir: DataDir = None,
) -> None:
    """Write the progress report of one period for donors or planners, from the published
    warehouse: exactly what that audience sees on the dashboard."""
    from cpmonitor.core.published import open_published, warehouse_stamp
    from cpmonitor.report import write_report
    from cpmonitor.report.content import ReportError

    settings = _settings(data_dir)
    policy, role = _audience(settings, audience)
    warehouse = _published_file(settings, version)
    started = time.monotonic()
    with open_published(warehouse) as con:
        stamp = warehouse_stamp(con)
        target = output or Path(f"report-{role.name}-{period}-{stamp.version}.{fmt}")
        try:
            with console.status(f"Writing the {role.name} report of {period} ..."):
                written = write_report(
                    con,
                    role,
                    period=period,
                    fmt=fmt,
                    output=target,
                    threshold=policy.threshold,
                    lang=lang,
                )
        except ReportError as exc:
            console.print(f"[red]Cannot write the report:[/] {exc}")
            raise typer.Exit(1) from None
    _record(settings, "report", role.name, f"{period} {fmt} from {stamp.version} to {target}")
    console.print(
        f"Wrote {target} ({fmt.upper()}, {target.stat().st_size / 1024:,.0f} KB, "
        f"{len(written.indicator_codes)} indicators, {time.monotonic() - started:.1f} s) "
        f"for {role.label.lower()} from warehouse version {stamp.version}."
    )


EXPORT_FORMATS = {
    "csv": "csv",
    "parquet": "parquet",
    "xlsx": "xlsx",
    "sdmx-csv": "csv",
    "sdmx-csv-1.0": "csv",
    "sdmx-structure": "xml",
    "dhis2-json": "json",
    "dhis2-adx": "xml",
}


@app.command()
def export(
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="csv, parquet, xlsx (tidy values); sdmx-csv (SDMX-CSV 2.1), sdmx-csv-1.0, "
            "sdmx-structure (the data structure definition); dhis2-json (dataValueSets), "
            "dhis2-adx.",
        ),
    ],
    audience: Audience = "donor",
    output: Annotated[
        Path | None,
        typer.Option(help="File to write (default: cpmonitor-<audience>-<version>.<ext>)."),
    ] = None,
    period_type: Annotated[
        list[str] | None,
        typer.Option(help="Only these period types (year, quarter, month; repeatable)."),
    ] = None,
    mapping: Annotated[
        Path | None,
        typer.Option(help="DHIS2: the mapping file (default: exchange/dhis2/demo_mapping.yml)."),
    ] = None,
    previous: Annotated[
        Path | None,
        typer.Option(
            help="DHIS2: the previous export, for explicit deletes (default: the last one "
            "written for this audience and format)."
        ),
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="DHIS2: list what would be created, updated, deleted.")
    ] = False,
    version: WarehouseVersion = None,
    data_dir: DataDir = None,
) -> None:
    """Export indicator values as one audience may read them (protected values for donors)."""
    from cpmonitor.core.published import open_published, warehouse_stamp

    if fmt not in EXPORT_FORMATS:
        console.print(
            f"[red]Unknown format {fmt!r}.[/] Choose one of: {', '.join(EXPORT_FORMATS)}."
        )
        raise typer.Exit(1)
    settings = _settings(data_dir)
    policy, role = _audience(settings, audience)
    warehouse = _published_file(settings, version)
    with open_published(warehouse) as con:
        stamp = warehouse_stamp(con)
        name = "cpmonitor-structure" if fmt == "sdmx-structure" else f"cpmonitor-{role.name}"
        suffix = "" if fmt in ("csv", "parquet", "xlsx", "sdmx-structure") else f"-{fmt}"
        target = output or Path(f"{name}{suffix}-{stamp.version}.{EXPORT_FORMATS[fmt]}")
        try:
            message = _export_one(
                con,
                role,
                fmt,
                target,
                threshold=policy.threshold,
                period_types=tuple(period_type) if period_type else None,
                mapping=mapping,
                previous=previous,
                dry_run=dry_run,
                settings=settings,
                stamp=stamp,
            )
        except ValueError as exc:  # every export error is a ValueError with the reason
            console.print(f"[red]Cannot export:[/] {exc}")
            raise typer.Exit(1) from None
    if not dry_run:
        _record(settings, "export", role.name, f"{fmt} from {stamp.version} to {target}")
    console.print(message, highlight=False, markup=False)


def _export_one(
    con, role, fmt, target, *, threshold, period_types, mapping, previous, dry_run, settings, stamp
) -> str:
    """Write one export; returns what to tell the user."""
    import shutil

    from_what = f"from warehouse version {stamp.version}"
    if fmt in ("csv", "parquet", "xlsx"):
        from cpmonitor.exchange.tabular import export_tabular

        with console.status(f"Writing {fmt} ..."):
            done = export_tabular(
                con, role, fmt, target, threshold=threshold, period_types=period_types
            )
        return (
            f"Wrote {target}: {done.rows:,} values for {role.name}, {done.suppressed:,} not "
            f"shown, {from_what}."
        )
    if fmt == "sdmx-structure":
        from cpmonitor.exchange.sdmx import write_structure

        write_structure(con, target)
        return f"Wrote the SDMX data structure definition to {target} ({from_what})."
    if fmt.startswith("sdmx-csv"):
        from cpmonitor.exchange.sdmx import validate_sdmx_csv, write_sdmx_csv

        with console.status("Writing SDMX-CSV ..."):
            done = write_sdmx_csv(
                con, role, target, sdmx_version="1.0" if fmt.endswith("1.0") else "2.1"
            )
            problems = validate_sdmx_csv(target, con)
        if problems:
            raise ValueError(
                f"{target} does not validate against the published structure: "
                + "; ".join(problems[:5])
            )
        return (
            f"Wrote {target}: {done.rows:,} observations for {role.name}, "
            f"{done.confidential:,} confidential, valid against the published structure, "
            f"{from_what}."
        )
    from cpmonitor.core.settings import EXCHANGE_DIR
    from cpmonitor.exchange import dhis2

    last = settings.state_dir / "exports" / f"dhis2-{role.name}.{EXPORT_FORMATS[fmt]}"
    against = previous if previous is not None else (last if last.exists() else None)
    chosen = dhis2.load_mapping(mapping or EXCHANGE_DIR / "dhis2" / "demo_mapping.yml")
    values = dhis2.build_values(con, role, chosen)
    if dry_run:
        return dhis2.plan(values, against).summary()
    write = dhis2.write_data_value_sets if fmt == "dhis2-json" else dhis2.write_adx
    done = write(values, target, previous=against, stamp=stamp)
    last.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(target, last)  # the next export's "previous"
    lines = [
        f"Wrote {target}: {done.sent:,} values, {done.deleted:,} explicit deletes "
        f"({'against ' + str(against) if against else 'no previous export'}), {from_what}."
    ]
    if done.deletes_output is not None:
        lines.append(f"Deletes to post with importStrategy=DELETE: {done.deletes_output}")
    if done.skipped_total:
        lines.append(
            f"Not in the mapping, not sent: {done.skipped_total:,} values "
            f"({', '.join(f'{k}: {v:,}' for k, v in sorted(done.skipped.items()))})."
        )
    return "\n".join(lines)


@app.command("sync-sources", hidden=True)
def sync_sources_command() -> None:
    """Regenerate the dbt staging layer (sources, staging models and their tests) from the data
    contracts (for developers)."""
    from cpmonitor.dbt_sources import sync_sources

    changed = sync_sources()
    for path in changed:
        console.print(f"{'wrote' if path.exists() else 'removed'} {path}")
    if not changed:
        console.print("dbt staging already matches the contracts")


if __name__ == "__main__":
    app()
