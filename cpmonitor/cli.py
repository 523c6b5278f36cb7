"""`cpmonitor`: the command-line tool that runs the warehouse.

cpmonitor demo       generate the demo country, run the pipeline, serve the dashboard
cpmonitor generate   write synthetic ministry feeds into the landing zone
cpmonitor run        ingest -> dbt build -> checks -> publish
cpmonitor serve      serve the dashboard on the published warehouse
cpmonitor status     what was ingested, quarantined and published, and when
cpmonitor sql        query the published warehouse read-only
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from cpmonitor.settings import Settings

app = typer.Typer(
    help="National child protection indicators warehouse and dashboard.",
    no_args_is_help=True,
    add_completion=False,
)
console = Console()

DataDir = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        envvar="CPMONITOR_DATA_DIR",
        help="Where landing zone, state and warehouse live (default: ./data in the project).",
        show_default=False,
    ),
]


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
    scale: Annotated[float, typer.Option(help="1.0 is the demo country's full size.")] = 1.0,
) -> None:
    """Write the synthetic demo country's ministry feeds into the landing zone."""
    from cpmonitor.synthetic import generate as generate_country

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

    settings = Settings.from_env(data_dir)
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


@app.command()
def serve(
    data_dir: DataDir = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8050,
    debug: Annotated[bool, typer.Option(help="Dash debug mode (development only).")] = False,
) -> None:
    """Serve the dashboard on the published warehouse."""
    from dashboards.app import create_app

    settings = Settings.from_env(data_dir)
    if not settings.warehouse_file.exists():
        console.print(
            "[yellow]No warehouse has been published yet[/]: the dashboard will say so. "
            "Run `cpmonitor run` (or `cpmonitor demo`)."
        )
    console.print(f"Dashboard at [bold]http://{host}:{port}[/]  (Ctrl+C to stop)")
    create_app(settings).run(host=host, port=port, debug=debug)


@app.command()
def demo(
    data_dir: DataDir = None,
    seed: Annotated[int, typer.Option(help="Random seed of the demo country.")] = 2016,
    scale: Annotated[float, typer.Option(help="Size of the demo country (1.0 = full).")] = 1.0,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8050,
    no_serve: Annotated[bool, typer.Option("--no-serve", help="Stop after publishing.")] = False,
) -> None:
    """Generate the demo country, run the whole pipeline and serve the dashboard."""
    generate(data_dir=data_dir, seed=seed, scale=scale)
    run(data_dir=data_dir)
    if not no_serve:
        serve(data_dir=data_dir, host=host, port=port, debug=False)


@app.command()
def status(data_dir: DataDir = None) -> None:
    """What was received, ingested, quarantined and published, and when."""
    from cpmonitor.status import collect_status

    info = collect_status(Settings.from_env(data_dir))
    if info.published is None:
        console.print("[yellow]No warehouse published yet.[/] Run `cpmonitor run`.")
    else:
        console.print(
            f"[green]Live warehouse[/]: {info.published['path']}  "
            f"(run {info.published['run_id']}, published {info.published['published_at']}, "
            f"{info.published['size_mb']:.1f} MB)"
        )
    if info.last_run:
        colour = "green" if info.last_run["status"] == "published" else "red"
        console.print(
            f"Last run: [{colour}]{info.last_run['status']}[/] {info.last_run['run_id']} "
            f"at {info.last_run['finished_at']}: {info.last_run['message']}"
        )
        for line in info.last_run.get("details") or []:
            console.print(f"  {line}")

    feeds = Table(title="Deliveries by entity and feed", title_justify="left")
    for column in (
        "entity",
        "feed",
        "files",
        "loaded",
        "quarantined",
        "periods",
        "latest period",
        "last received",
    ):
        feeds.add_column(
            column, justify="right" if column in {"files", "loaded", "quarantined"} else "left"
        )
    for row in info.feeds:
        feeds.add_row(
            *[
                str(row[k])
                for k in (
                    "entity",
                    "feed",
                    "files",
                    "loaded",
                    "quarantined",
                    "periods",
                    "latest_period",
                    "last_received",
                )
            ]
        )
    console.print(feeds if info.feeds else "No files ingested yet.")

    if info.quarantined:
        table = Table(title="Quarantined files", title_justify="left", show_lines=True)
        table.add_column("file", overflow="fold")
        table.add_column("reason", overflow="fold")
        for row in info.quarantined:
            table.add_row(row["source_file"], row["reason"])
        console.print(table)


@app.command()
def sql(
    query: Annotated[str, typer.Argument(help="SQL to run on the published warehouse.")],
    data_dir: DataDir = None,
    limit: Annotated[int, typer.Option(help="Rows to show at most.")] = 50,
) -> None:
    """Query the published warehouse read-only (no access to other files)."""
    import duckdb

    from cpmonitor.status import open_published

    settings = Settings.from_env(data_dir)
    if not settings.warehouse_file.exists():
        console.print("[red]No warehouse published yet.[/] Run `cpmonitor run`.")
        raise typer.Exit(1)
    try:
        with open_published(settings) as con:
            cursor = con.execute(query)
            columns = [d[0] for d in cursor.description or []]
            rows = cursor.fetchall()
    except duckdb.Error as exc:
        console.print(f"[red]Query failed:[/] {exc}")
        raise typer.Exit(1) from exc
    table = Table(show_edge=False)
    for column in columns:
        table.add_column(str(column))
    for row in rows[:limit]:
        table.add_row(*["" if v is None else str(v) for v in row])
    console.print(table)
    if len(rows) > limit:
        console.print(f"... {len(rows) - limit} more row(s); use --limit")


@app.command("sync-sources", hidden=True)
def sync_sources_command() -> None:
    """Regenerate dbt source files from the data contracts (for developers)."""
    from cpmonitor.dbt_sources import sync_sources

    changed = sync_sources()
    for path in changed:
        console.print(f"wrote {path}")
    if not changed:
        console.print("dbt sources already match the contracts")


if __name__ == "__main__":
    app()
