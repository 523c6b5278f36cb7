"""Run dbt as a subprocess against a build database and summarise the outcome for people.

dbt runs in a child process, never in-process: dbt's in-process runner keeps the DuckDB file
locked until the Python process exits (dbt-core issue 11980), which would block publishing.
Each run writes its compiled files, ``run_results.json`` and logs under its own ``log_dir``, so
concurrent runs never share dbt's target directory (partial parse files included).
"""

from __future__ import annotations

import ctypes
import json
import os
import signal
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from cpmonitor.core.settings import PROJECT_ROOT, QUIET_ENV, Settings

OUTPUT_FILE_NAME = "dbt_output.log"
PARSE_OUTPUT_FILE_NAME = "dbt_parse.log"
FAILED_STATUSES = ("error", "fail", "runtime error")
MAX_LISTED_PROBLEMS = 20


@dataclass(frozen=True)
class DbtResult:
    """Outcome of one dbt invocation."""

    ok: bool
    returncode: int
    summary: str
    run_results_path: Path | None
    output_path: Path


def dbt_executable() -> Path:
    """The dbt command installed next to the running Python interpreter."""
    candidate = Path(sys.executable).parent / ("dbt.exe" if os.name == "nt" else "dbt")
    if not candidate.exists():
        raise FileNotFoundError(f"dbt is not installed next to {sys.executable}: {candidate}")
    return candidate


def dbt_environment(build_db: Path, settings: Settings) -> dict[str, str]:
    """Environment of the dbt process: the two absolute paths plus the no-telemetry switches."""
    env = dict(os.environ)
    env.update(QUIET_ENV)
    env.update(
        {
            "CPMONITOR_BUILD_DB": str(Path(build_db).expanduser().resolve()),
            "CPMONITOR_DATA_DIR": str(Path(settings.data_dir).expanduser().resolve()),
            "DO_NOT_TRACK": "1",
            "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
            "DBT_VERSION_CHECK": "false",
        }
    )
    return env


def dbt_command(args: list[str], log_dir: Path) -> list[str]:
    """``dbt <args>`` on this project, its target and log directories under ``log_dir``."""
    return [
        str(dbt_executable()),
        *args,
        "--project-dir",
        str(PROJECT_ROOT),
        "--profiles-dir",
        str(PROJECT_ROOT),
        "--target-path",
        str(log_dir / "target"),
        "--log-path",
        str(log_dir / "logs"),
    ]


def run_dbt(args: list[str], *, build_db: Path, settings: Settings, log_dir: Path) -> DbtResult:
    """Run ``dbt <args>`` (e.g. ``["build"]``) from the project root against ``build_db``.

    Output goes to ``log_dir/dbt_output.log``; dbt's target and log directories live under
    ``log_dir`` too. Returns whether dbt succeeded and a short summary naming what failed.
    """
    log_dir = Path(log_dir).expanduser().resolve()
    log_dir.mkdir(parents=True, exist_ok=True)
    target_dir = log_dir / "target"
    run_results = target_dir / "run_results.json"
    run_results.unlink(missing_ok=True)  # never report a previous run's results
    output_path = log_dir / OUTPUT_FILE_NAME

    command = dbt_command(args, log_dir)
    with output_path.open("w") as output:
        completed = subprocess.run(
            command,
            cwd=PROJECT_ROOT,
            env=dbt_environment(build_db, settings),
            stdout=output,
            stderr=subprocess.STDOUT,
            check=False,
            preexec_fn=_die_with_parent,
        )

    results_path = run_results if run_results.exists() else None
    ok = completed.returncode == 0
    summary = summarise(results_path, output_path, ok=ok, returncode=completed.returncode)
    return DbtResult(
        ok=ok,
        returncode=completed.returncode,
        summary=summary,
        run_results_path=results_path,
        output_path=output_path,
    )


def start_parse(*, build_db: Path, settings: Settings, log_dir: Path) -> subprocess.Popen:
    """Start ``dbt parse`` in the background, with the environment and target directory a later
    ``run_dbt(..., build_db=build_db, log_dir=log_dir)`` uses: that build then reads the saved
    manifest (dbt's partial parsing) instead of parsing the project again. Parsing never touches
    the database. Output goes to ``log_dir/dbt_parse.log``; wait for the process before the build.
    """
    log_dir = Path(log_dir).expanduser().resolve()
    log_dir.mkdir(parents=True, exist_ok=True)
    command = dbt_command(["parse"], log_dir)
    with (log_dir / PARSE_OUTPUT_FILE_NAME).open("w") as output:
        return subprocess.Popen(
            command,
            cwd=PROJECT_ROOT,
            env=dbt_environment(build_db, settings),
            stdout=output,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,
        )


def _node_name(unique_id: str) -> str:
    """``test.cpmonitor.not_null_x.abc123`` -> ``not_null_x``; ``model.cpmonitor.x`` -> ``x``."""
    parts = unique_id.split(".")
    if parts[0] == "test" and len(parts) > 3:
        return parts[2]
    return ".".join(parts[2:]) if len(parts) > 2 else unique_id


def summarise(results_path: Path | None, output_path: Path, *, ok: bool, returncode: int) -> str:
    """Short human text: counts on success, failing nodes and their messages on failure."""
    if results_path is None:
        return _summary_from_output(output_path, ok=ok, returncode=returncode)

    data = json.loads(results_path.read_text())
    results = data.get("results", [])
    elapsed = data.get("elapsed_time")
    counts: Counter[str] = Counter()
    problems: list[str] = []
    warnings: list[str] = []
    for result in results:
        unique_id = result.get("unique_id", "?")
        kind = unique_id.split(".")[0]
        status = str(result.get("status", "")).lower()
        counts[f"{kind} {status}"] += 1
        message = " ".join(str(result.get("message") or "").split())
        name = f"{kind} {_node_name(unique_id)}"
        if status in FAILED_STATUSES:
            failures = result.get("failures")
            detail = f" ({failures} failing rows)" if failures else ""
            problems.append(f"{status.upper()} {name}{detail}: {message}"[:400])
        elif status == "warn":
            warnings.append(f"WARN {name}: {message}"[:400])

    tally = ", ".join(f"{n} {key}" for key, n in sorted(counts.items()))
    timing = f" in {elapsed:.1f} s" if isinstance(elapsed, int | float) else ""
    lines = [
        f"dbt {'succeeded' if ok else f'failed (exit {returncode})'}{timing}: {tally or 'nothing ran'}"
    ]
    lines += problems[:MAX_LISTED_PROBLEMS]
    if len(problems) > MAX_LISTED_PROBLEMS:
        lines.append(f"... and {len(problems) - MAX_LISTED_PROBLEMS} more failures")
    lines += warnings[:MAX_LISTED_PROBLEMS]
    if not ok and not problems:
        lines.append(_summary_from_output(output_path, ok=ok, returncode=returncode))
    return "\n".join(lines)


def _summary_from_output(output_path: Path, *, ok: bool, returncode: int) -> str:
    """Fallback when dbt wrote no run results (e.g. a parse or profile error): its error lines."""
    head = f"dbt {'succeeded' if ok else f'failed (exit {returncode})'}"
    if ok or not output_path.exists():
        return head
    lines = [line.strip() for line in output_path.read_text(errors="replace").splitlines()]
    errors = [line for line in lines if "error" in line.lower()]
    tail = (errors or lines)[-10:]
    return "\n".join([head + "; see " + str(output_path), *tail])


def _die_with_parent() -> None:
    """In the dbt child: ask Linux to kill it if cpmonitor dies (e.g. a killed `cpmonitor run`),
    so no orphan dbt keeps writing a build nobody will publish."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the next run's clean-up removes what an orphan leaves
