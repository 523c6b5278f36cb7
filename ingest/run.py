"""Ingest the landing zone: check each delivered file against its contract, pseudonymise and write
the accepted ones for dbt, quarantine the others with every reason, and record all in the ledger.

The landing originals are never moved, modified or deleted. One bad file never stops the others.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from cpmonitor.parquet_io import write_parquet_atomic, write_text_atomic
from cpmonitor.settings import Settings
from expectations.feeds import (
    describe_outcome,
    feed_expectations,
    feed_suite_name,
    outcome_columns,
)
from expectations.results import CheckResult, utc_now
from expectations.runner import SuiteRunner
from ingest.contracts import ARROW_TYPES, PERIOD_EXAMPLES, Contract, load_contracts
from ingest.ledger import append_rows, ledger_frame, read_ledger_table, row_to_json, write_ledger
from ingest.schema import (
    blank_strings_to_null,
    ingested_schema,
    schema_problems,
    to_ingested,
)

Status = Literal["loaded", "quarantined", "skipped"]
Progress = Callable[[str, int, int], None]
LOCATION_HINT = "<entity>/<feed>/<period>/<file>.parquet"
PERIOD_FORMATS = {"monthly": "YYYY-MM", "quarterly": "YYYY-Qn", "yearly": "YYYY"}


@dataclass(frozen=True)
class FileResult:
    """What happened to one delivered file. ``reason`` is empty when it loaded."""

    source_file: str
    entity: str | None
    feed: str | None
    period: str | None
    sha256: str
    size_bytes: int
    rows: int | None
    status: Status
    reason: str


@dataclass(frozen=True)
class IngestReport:
    """Summary of one ingest run: counts, one result per file seen, and the feed check results."""

    files_seen: int
    files_loaded: int
    files_quarantined: int
    files_skipped: int
    results: list[FileResult] = field(default_factory=list)
    check_results: list[CheckResult] = field(default_factory=list)


@dataclass(frozen=True)
class _Checked:
    """A file after its checks: its rows, problems, check results and, when clean, the table."""

    rows: int | None
    problems: list[str]
    checks: list[CheckResult]
    table: pa.Table | None


def ingest_landing(
    settings: Settings,
    *,
    run_id: str,
    contracts: dict[str, Contract] | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Process every file in the landing zone not already in the ledger; return what happened."""
    settings.ensure_dirs()
    contracts = load_contracts() if contracts is None else contracts
    write_empty_feed_files(settings.ingested_dir, contracts)
    ledger = read_ledger_table(settings.ledger_file)
    loaded, processed = _ledger_index(ledger)
    files = landing_files(settings.landing_dir)
    runner: list[SuiteRunner] = []  # created on first use, once per run

    def get_runner() -> SuiteRunner:
        if not runner:
            runner.append(_feed_runner(contracts))
        return runner[0]

    results: list[FileResult] = []
    checks: list[CheckResult] = []
    new_rows: list[dict[str, Any]] = []
    key: bytes | None = None
    try:
        for done, path in enumerate(files, start=1):
            source_file = path.relative_to(settings.landing_dir).as_posix()
            entity, feed, period = _location_parts(source_file)
            try:
                sha256, size = file_sha256(path), path.stat().st_size
            except OSError as exc:  # e.g. no permission: recorded, and tried again next run
                row = _unreadable_row(source_file, exc)
                results.append(FileResult(**{k: row[k] for k in FileResult.__dataclass_fields__}))
                new_rows.append(row)
            else:
                if skip_reason := _skip_reason(source_file, sha256, loaded, processed):
                    results.append(
                        FileResult(
                            source_file=source_file,
                            entity=entity,
                            feed=feed,
                            period=period,
                            sha256=sha256,
                            size_bytes=size,
                            rows=None,
                            status="skipped",
                            reason=skip_reason,
                        )
                    )
                else:
                    key = settings.pseudonym_key() if key is None else key
                    result, file_checks, row = _ingest_file(
                        path, source_file, sha256, settings, contracts, get_runner, key, run_id
                    )
                    processed.add((source_file, sha256))
                    if result.status == "loaded":
                        loaded[sha256] = source_file
                    results.append(result)
                    checks.extend(file_checks)
                    new_rows.append(row)
            if progress is not None:
                progress(source_file, done, len(files))
    finally:
        if new_rows:
            write_ledger(append_rows(ledger, new_rows), settings.ledger_file)
    return IngestReport(
        files_seen=len(results),
        files_loaded=sum(r.status == "loaded" for r in results),
        files_quarantined=sum(r.status == "quarantined" for r in results),
        files_skipped=sum(r.status == "skipped" for r in results),
        results=results,
        check_results=checks,
    )


def read_ledger(settings: Settings) -> pd.DataFrame:
    """The ledger (``audit.ingest_files`` columns); an empty, typed frame when there is none yet."""
    return ledger_frame(read_ledger_table(settings.ledger_file))


def landing_files(landing_dir: Path) -> list[Path]:
    """Every delivered file under the landing dir, sorted. Hidden files and folders (names starting
    with a dot, e.g. uploads in progress) are left alone."""
    found = []
    for path in landing_dir.rglob("*"):
        relative = path.relative_to(landing_dir)
        if path.is_file() and not any(part.startswith(".") for part in relative.parts):
            found.append(path)
    return sorted(found)


def file_sha256(path: Path) -> str:
    """SHA-256 hex of a file, read in chunks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def write_empty_feed_files(ingested_dir: Path, contracts: dict[str, Contract]) -> None:
    """Ensure ``ingested/<feed>/_empty.parquet`` (zero rows, full schema) for every contract feed,
    so dbt can read each feed's glob before its first accepted delivery."""
    for contract in contracts.values():
        path = ingested_dir / contract.feed / "_empty.parquet"
        schema = ingested_schema(contract)
        if path.exists() and pq.read_schema(path).remove_metadata().equals(schema):
            continue
        write_parquet_atomic(schema.empty_table(), path)


def location_problems(source_file: str, contracts: dict[str, Contract]) -> list[str]:
    """Problems with where a file was delivered: layout, feed, owner, period format."""
    parts = source_file.split("/")
    if len(parts) != 4:
        return [f"unexpected location; deliveries go in {LOCATION_HINT}"]
    entity, feed, period, name = parts
    problems = []
    if not name.lower().endswith(".parquet"):
        problems.append(f"is not a .parquet file; deliveries go in {LOCATION_HINT}")
    contract = contracts.get(feed)
    if contract is None:
        known = ", ".join(sorted(contracts))
        return problems + [f"unknown feed '{feed}': no data contract (known feeds: {known})"]
    if entity != contract.owner:
        problems.append(
            f"feed '{feed}' is delivered by '{contract.owner}' ({contract.owner_name}), "
            f"not by '{entity}'"
        )
    if not contract.period_is_valid(period):
        problems.append(
            f"period folder '{period}' does not match the {contract.frequency} format "
            f"{PERIOD_FORMATS[contract.frequency]} (e.g. {PERIOD_EXAMPLES[contract.frequency]})"
        )
    return problems


def check_table(
    table: pa.Table,
    contract: Contract,
    runner: SuiteRunner,
    *,
    source_file: str,
    run_id: str,
) -> tuple[list[str], list[CheckResult]]:
    """Schema problems (plain Python) then row-level rules (the feed's GX suite) of a read table.

    Rules on missing or mistyped columns are not run, so each fault is reported once.
    """
    suite = feed_suite_name(contract.feed)
    problems, bad_columns = schema_problems(contract, table.schema)
    checked_at = utc_now()
    checks = [
        CheckResult(
            run_id=run_id,
            checked_at=checked_at,
            suite=suite,
            target=source_file,
            expectation="columns_match_contract",
            column_name=None,
            success=not problems,
            severity="error",
            unexpected_count=len(problems),
            details="; ".join(problems),
        )
    ]
    good = [
        c for c in contract.columns if c.name in table.column_names and c.name not in bad_columns
    ]
    frame = pa.Table.from_arrays(
        [_plain(table.column(c.name)).cast(ARROW_TYPES[c.type]) for c in good],
        names=[c.name for c in good],
    ).to_pandas()
    for outcome in runner.validate(suite, frame):
        if set(outcome_columns(outcome)) & bad_columns:
            continue
        details = "" if outcome.success else describe_outcome(outcome)
        if not outcome.success:
            problems.append(details)
        checks.append(
            CheckResult(
                run_id=run_id,
                checked_at=checked_at,
                suite=suite,
                target=source_file,
                expectation=outcome.expectation,
                column_name=outcome.column_name,
                success=outcome.success,
                severity="error",
                unexpected_count=outcome.unexpected_count,
                details=details,
            )
        )
    return problems, checks


def _ingest_file(
    path: Path,
    source_file: str,
    sha256: str,
    settings: Settings,
    contracts: dict[str, Contract],
    get_runner: Callable[[], SuiteRunner],
    key: bytes,
    run_id: str,
) -> tuple[FileResult, list[CheckResult], dict[str, Any]]:
    """Check one new file and load or quarantine it; never raises for a bad file."""
    entity, feed, period = _location_parts(source_file)
    stat = path.stat()
    received_at = dt.datetime.fromtimestamp(stat.st_mtime, dt.UTC).replace(tzinfo=None)
    try:
        checked = _check_file(path, source_file, contracts, get_runner, run_id)
        problems, checks = checked.problems, checked.checks
        if not problems and checked.table is not None:
            contract = contracts[feed or ""]
            metadata = {
                "_entity": entity,
                "_feed": feed,
                "_period": period,
                "_source_file": source_file,
                "_source_sha256": sha256,
                "_received_at": received_at,
                "_ingested_at": utc_now(),
            }
            out = to_ingested(contract, checked.table, key, metadata)
            target = (
                settings.ingested_dir / contract.feed / f"{entity}__{period}__{sha256[:12]}.parquet"
            )
            write_parquet_atomic(out, target)
        rows = checked.rows
    except Exception as exc:  # one bad file must never stop the run
        problems = [f"could not be processed ({type(exc).__name__}: {exc})"]
        checks, rows = [], None
    status: Status = "quarantined" if problems else "loaded"
    reason = f"{source_file}: {'; '.join(problems)}" if problems else ""
    row = {
        "source_file": source_file,
        "entity": entity,
        "feed": feed,
        "period": period,
        "sha256": sha256,
        "size_bytes": stat.st_size,
        "rows": rows,
        "status": status,
        "reason": reason,
        "received_at": received_at,
        "ingested_at": utc_now(),
    }
    if problems:
        document = {"run_id": run_id, **row_to_json(row), "problems": problems}
        target = settings.quarantine_dir / f"{sha256[:12]}__{path.name}.json"
        write_text_atomic(json.dumps(document, indent=2, ensure_ascii=False) + "\n", target)
    result = FileResult(
        source_file, entity, feed, period, sha256, stat.st_size, rows, status, reason
    )
    return result, checks, row


def _check_file(
    path: Path,
    source_file: str,
    contracts: dict[str, Contract],
    get_runner: Callable[[], SuiteRunner],
    run_id: str,
) -> _Checked:
    """Every problem of one file, in order: location, readability, schema, row-level rules."""
    problems = location_problems(source_file, contracts)
    _, feed, _ = _location_parts(source_file)
    contract = contracts.get(feed or "")
    if contract is None:
        return _Checked(None, problems, [], None)
    try:
        table = pq.read_table(path)
    except (pa.ArrowException, OSError) as exc:
        detail = str(exc).replace(str(path), source_file)
        problems.append(f"is not a readable Parquet file ({detail})")
        return _Checked(None, problems, [], None)
    table = blank_strings_to_null(table)
    runner = get_runner()
    content, checks = check_table(table, contract, runner, source_file=source_file, run_id=run_id)
    problems += content
    return _Checked(table.num_rows, problems, checks, None if problems else table)


def _ledger_index(ledger: pa.Table) -> tuple[dict[str, str], set[tuple[str, str]]]:
    """Content already loaded (sha256 -> source file) and every (source file, sha256) processed."""
    rows = [
        r for r in ledger.select(["source_file", "sha256", "status"]).to_pylist() if r["sha256"]
    ]
    loaded = {r["sha256"]: r["source_file"] for r in rows if r["status"] == "loaded"}
    return loaded, {(r["source_file"], r["sha256"]) for r in rows}


def _unreadable_row(source_file: str, exc: OSError) -> dict[str, Any]:
    """Ledger row of a file that could not even be opened (no hash, so it is retried next run)."""
    entity, feed, period = _location_parts(source_file)
    return {
        "source_file": source_file,
        "entity": entity,
        "feed": feed,
        "period": period,
        "sha256": "",
        "size_bytes": 0,
        "rows": None,
        "status": "quarantined",
        "reason": f"{source_file}: could not be opened ({type(exc).__name__}: {exc.strerror or exc})",
        "received_at": None,
        "ingested_at": utc_now(),
    }


def _skip_reason(
    source_file: str, sha256: str, loaded: dict[str, str], processed: set[tuple[str, str]]
) -> str:
    """Why a file needs no processing ("" when it does).

    Content already loaded is never loaded twice, wherever it is delivered; a quarantined file is
    looked at again only when it comes back changed or at another place (e.g. moved to the right folder).
    """
    if sha256 in loaded:
        return f"already ingested (same content as {loaded[sha256]})"
    if (source_file, sha256) in processed:
        return "already quarantined, unchanged since"
    return ""


def _feed_runner(contracts: dict[str, Contract]) -> SuiteRunner:
    runner = SuiteRunner()
    for contract in contracts.values():
        runner.add_suite(feed_suite_name(contract.feed), feed_expectations(contract))
    return runner


def _location_parts(source_file: str) -> tuple[str | None, str | None, str | None]:
    parts = source_file.split("/")
    if len(parts) != 4:
        return None, None, None
    return parts[0], parts[1], parts[2]


def _plain(values: pa.ChunkedArray) -> pa.ChunkedArray:
    if pa.types.is_dictionary(values.type):
        return values.cast(values.type.value_type)
    return values
