"""The benchmark (issue 12): how long the whole pipeline takes on a country, stage by stage, against
the floor of simply reading every delivered file once, and how much memory it needs.

    make bench                      # the national country (scale 1), seed 2016
    make bench SCALE=0.1            # or any scale
    .venv/bin/python -m benchmarks.bench --sweep 0.1,0.3,1,3

One run measures, for the main scale:

- the **floor**: DuckDB reading every landing file once into tables (one table per feed);
- a **full build** from an empty state: ``cpmonitor run`` in a child process, its wall time, the
  seconds of each stage from the run log (ingest, build, protect, checks, publish) and the peak
  memory of the whole process tree (the sum of the resident sizes of every process, sampled every
  0.1 s with psutil);
- an **incremental refresh**: the latest month's deliveries are held back, the rest is built, then
  the held-back month is delivered and ``cpmonitor run`` runs again; its time as a share of the
  full build;
- the **pandas baseline** (``benchmarks.pandas_baseline``): ten indicators at district x month
  computed with pandas from the same landing files, and its time against the warehouse's;
- the **dashboard** (``benchmarks.dashboard_timing``): callback server time (p50, p95) and the
  first page load in headless Chromium on the built warehouse;

and, with ``--sweep``, a full build at each listed scale, from which the growth exponent of each
stage (the slope of log seconds against log rows delivered) is fitted.

Results go to ``benchmarks/results/``: ``<UTC time>-seed<seed>.json`` (everything) and
``latest.md`` (the table the README carries). Nothing here asserts a time: the figures are
reported, and the targets of issue 12 are printed beside them.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import math
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import duckdb
import psutil
import pyarrow.parquet as pq

from cpmonitor.core.settings import QUIET_ENV, Settings
from cpmonitor.runlog import read_runs

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
CPMONITOR = Path(sys.executable).with_name("cpmonitor")
STAGES = ("ingest", "build", "protect", "checks", "publish")
QUIET = dict(QUIET_ENV)
# Issue 12's targets, printed beside the figures (never asserted).
TARGETS = {
    "pipeline_seconds": 120,
    "floor_ratio": 8,
    "peak_memory_gb": 4,
    "incremental_share": 0.25,
    "callback_p95_ms": 150,
    "first_load_ms": 1500,
}


def log(message: str) -> None:
    print(f"[{dt.datetime.now():%H:%M:%S}] {message}", flush=True)


# --- the country -------------------------------------------------------------------------------


def landing_figures(landing: Path) -> dict[str, Any]:
    """Files, rows (from the Parquet footers) and bytes delivered."""
    files = sorted(landing.rglob("*.parquet"))
    rows = sum(pq.ParquetFile(f).metadata.num_rows for f in files)
    return {
        "files": len(files),
        "rows": rows,
        "megabytes": round(sum(f.stat().st_size for f in files) / 1e6, 1),
    }


def generate(data_dir: Path, scale: float, seed: int) -> float:
    """The demo country at ``scale`` into ``data_dir/landing`` (kept between benchmark runs: the
    same seed and scale give the same files). Seconds, 0 when it was there already."""
    marker = data_dir / ".bench-generated"
    wanted = f"seed={seed} scale={scale}"
    if marker.exists() and marker.read_text() == wanted:
        return 0.0
    shutil.rmtree(data_dir, ignore_errors=True)
    log(f"generating the country: seed {seed}, scale {scale}")
    started = time.perf_counter()
    _cpmonitor("generate", "--data-dir", data_dir, "--seed", seed, "--scale", scale)
    marker.write_text(wanted)
    return round(time.perf_counter() - started, 1)


def reset_state(data_dir: Path) -> None:
    """Everything but the landing zone removed: the next run is a full build from nothing."""
    for child in data_dir.iterdir():
        if child.name not in ("landing", ".bench-generated"):
            if child.is_dir():
                shutil.rmtree(child)
            else:
                child.unlink()


def _cpmonitor(*args: object) -> None:
    subprocess.run(
        [str(CPMONITOR), *map(str, args)],
        check=True,
        cwd=ROOT,
        env={**os.environ, **QUIET},
        stdout=subprocess.DEVNULL,
    )


# --- measuring ---------------------------------------------------------------------------------


class TreeMemory:
    """Peak resident memory of a process and all its descendants, summed, sampled every 0.1 s."""

    def __init__(self, pid: int) -> None:
        self.root = psutil.Process(pid)
        self.peak = 0
        self.samples: list[tuple[float, int]] = []  # (seconds since start, bytes)
        self._started = time.perf_counter()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            total = 0
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.Error:
                processes = []
            for process in processes:
                with suppress(psutil.Error):
                    total += process.memory_info().rss
            self.peak = max(self.peak, total)
            self.samples.append((time.perf_counter() - self._started, total))
            self._stop.wait(0.1)

    def __enter__(self) -> TreeMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def pipeline_run(data_dir: Path) -> dict[str, Any]:
    """``cpmonitor run`` in a child process: wall seconds, peak tree memory, the run log's stage
    seconds and status."""
    started = time.perf_counter()
    process = subprocess.Popen(
        [str(CPMONITOR), "run", "--data-dir", str(data_dir)],
        cwd=ROOT,
        env={**os.environ, **QUIET},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    with TreeMemory(process.pid) as memory:
        output, _ = process.communicate()
    seconds = time.perf_counter() - started
    record = _last_run(data_dir)
    if process.returncode != 0 or record.get("status") != "published":
        raise RuntimeError(f"cpmonitor run failed in {data_dir}:\n{output[-3000:]}")
    stages = record.get("stage_seconds", {})
    return {
        "seconds": round(seconds, 1),
        "peak_memory_gb": round(memory.peak / 1e9, 2),
        "peak_memory_gb_by_stage": peaks_by_stage(memory.samples, stages, seconds),
        "stages": {k: round(v, 1) for k, v in stages.items()},
        "indicator_values_sha256": record.get("indicator_values_sha256"),
        "files_loaded": record.get("files_loaded"),
    }


def peaks_by_stage(
    samples: list[tuple[float, int]], stages: dict[str, float], wall: float
) -> dict[str, float]:
    """Peak tree memory (GB) within each stage's window. The run log gives each stage's length,
    in order; the time before the first stage (start-up, lock, recovery) is the wall time they
    leave over, so the windows are placed from there: close to, not exactly, the stage bounds."""
    peaks: dict[str, float] = {}
    start = max(wall - sum(stages.values()), 0.0)
    for name, length in stages.items():
        inside = [rss for at, rss in samples if start <= at <= start + length]
        peaks[name] = round(max(inside, default=0) / 1e9, 2)
        start += length
    return peaks


def _last_run(data_dir: Path) -> dict[str, Any]:
    runs = read_runs(Settings.from_env(data_dir))
    return runs[-1] if runs else {}


def floor(landing: Path, work: Path) -> float:
    """Seconds for DuckDB to read every landing file once into a table per feed (a file database,
    as the build writes one)."""
    target = work / "floor.duckdb"
    target.unlink(missing_ok=True)
    feeds: dict[str, list[str]] = {}
    for file in sorted(landing.rglob("*.parquet")):
        entity, feed = file.relative_to(landing).parts[:2]
        feeds.setdefault(f"{entity}__{feed}", []).append(str(file))
    started = time.perf_counter()
    with duckdb.connect(str(target)) as con:
        for name, files in feeds.items():
            con.execute(
                f'CREATE TABLE "{name}" AS SELECT * FROM read_parquet($files, union_by_name = true)',
                {"files": files},
            )
        con.execute("CHECKPOINT")
    seconds = time.perf_counter() - started
    target.unlink(missing_ok=True)
    return round(seconds, 1)


@contextmanager
def held_back_month(landing: Path, work: Path):
    """The latest month's deliveries (every ``<entity>/<feed>/<YYYY-MM>`` folder of the last
    month) moved out of the landing zone for the duration; yields the month and its file count."""
    months = sorted(
        {
            p.name
            for p in landing.glob("*/*/*")
            if p.is_dir() and re.fullmatch(r"\d{4}-\d{2}", p.name)
        }
    )
    month = months[-1]
    folders = [p for p in landing.glob(f"*/*/{month}") if p.is_dir()]
    store = work / "held-back"
    shutil.rmtree(store, ignore_errors=True)
    moved = []
    try:
        for folder in folders:
            target = store / folder.relative_to(landing)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.move(folder, target)
            moved.append((target, folder))
        yield month, sum(1 for _ in store.rglob("*.parquet"))
    finally:
        for target, folder in moved:
            if target.exists():
                shutil.move(target, folder)


def incremental(data_dir: Path, work: Path) -> dict[str, Any]:
    """Build without the latest month, then deliver it and run again (the measured refresh)."""
    reset_state(data_dir)
    with held_back_month(data_dir / "landing", work) as (month, files):
        log(f"incremental: building without {month} ({files} files held back)")
        before = pipeline_run(data_dir)
    log(f"incremental: delivering {month} and running again")
    after = pipeline_run(data_dir)
    return {"month": month, "files": files, "base_build": before, "refresh": after}


def optional_part(module: str, data_dir: Path) -> dict[str, Any] | None:
    """``benchmarks.<module>.run(data_dir)``; its error recorded, never fatal to the benchmark."""
    try:
        part = importlib.import_module(f"benchmarks.{module}")
    except ImportError as exc:
        return {"error": f"benchmarks.{module} is not available ({exc})"}
    try:
        return part.run(data_dir)
    except Exception as exc:  # a part that fails is reported, the rest still measured
        return {"error": f"{type(exc).__name__}: {exc}"}


def growth_exponents(sweep: list[dict[str, Any]]) -> dict[str, float]:
    """Per stage (and the total): the least-squares slope of log seconds against log rows."""
    out: dict[str, float] = {}
    for stage in (*STAGES, "total"):
        points = [
            (math.log(s["landing"]["rows"]), math.log(v))
            for s in sweep
            if (v := s["full"]["seconds"] if stage == "total" else s["full"]["stages"].get(stage))
        ]
        if len(points) < 2:
            continue
        mean_x = sum(x for x, _ in points) / len(points)
        mean_y = sum(y for _, y in points) / len(points)
        spread = sum((x - mean_x) ** 2 for x, _ in points)
        if spread:
            slope = sum((x - mean_x) * (y - mean_y) for x, y in points) / spread
            out[stage] = round(slope, 2)
    return out


# --- one scale ---------------------------------------------------------------------------------


def measure_scale(
    scale: float, seed: int, work: Path, *, full_only: bool, parts: set[str]
) -> dict[str, Any]:
    data_dir = work / f"seed{seed}-scale{scale:g}"
    data_dir.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"scale": scale, "seed": seed}
    result["generate_seconds"] = generate(data_dir, scale, seed)
    result["landing"] = landing_figures(data_dir / "landing")
    log(f"scale {scale:g}: {result['landing']}")
    result["floor_seconds"] = floor(data_dir / "landing", work)
    log(f"floor: {result['floor_seconds']} s")
    if not full_only and "incremental" in parts:
        result["incremental"] = incremental(data_dir, work)
    reset_state(data_dir)
    log("full build from an empty state")
    full = pipeline_run(data_dir)
    result["full"] = full
    result["floor_ratio"] = round(full["seconds"] / result["floor_seconds"], 1)
    log(f"full build: {full['seconds']} s {full['stages']}, peak {full['peak_memory_gb']} GB")
    if "incremental" in result:
        refresh = result["incremental"]["refresh"]["seconds"]
        result["incremental"]["share_of_full"] = round(refresh / full["seconds"], 3)
    if not full_only:
        for part in ("pandas_baseline", "dashboard_timing"):
            if part in parts:
                log(f"{part}")
                result[part] = optional_part(part, data_dir)
        baseline = result.get("pandas_baseline") or {}
        if isinstance(baseline.get("seconds"), (int, float)):
            result["pandas_ratio"] = round(baseline["seconds"] / full["seconds"], 2)
    return result


# --- the report --------------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    memory = psutil.virtual_memory().total
    return {
        "cores": os.cpu_count(),
        "memory_gb": round(memory / 2**30),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "platform": platform.platform(terse=True),
    }


def markdown(report: dict[str, Any]) -> str:
    main = report["main"]
    full = main["full"]
    land = main["landing"]
    m = report["machine"]
    lines = [
        f"Measured {report['measured_at']} on {m['cores']} cores, {m['memory_gb']} GB "
        f"(Python {m['python']}, DuckDB {m['duckdb']}), commit {report['commit']}: scale "
        f"{main['scale']:g}, seed {main['seed']}, {land['files']:,} files, {land['rows']:,} rows, "
        f"{land['megabytes']:,} MB of Parquet.",
        "",
        "| measure | figure | target |",
        "|---|---|---|",
        f"| floor: DuckDB reads every landing file once | {main['floor_seconds']} s | |",
    ]
    by_stage = full.get("peak_memory_gb_by_stage", {})
    for stage in STAGES:
        if stage in full["stages"]:
            peak = f" (peak {by_stage[stage]} GB)" if stage in by_stage else ""
            lines.append(f"| {stage} | {full['stages'][stage]} s{peak} | |")
    lines += [
        f"| **pipeline total** (`cpmonitor run`, wall) | **{full['seconds']} s** | "
        f"≤ {TARGETS['pipeline_seconds']} s |",
        f"| ratio to the floor | {main['floor_ratio']}× | ≤ {TARGETS['floor_ratio']}× |",
        f"| peak memory, whole process tree | {full['peak_memory_gb']} GB | "
        f"≤ {TARGETS['peak_memory_gb']} GB |",
    ]
    if inc := main.get("incremental"):
        lines.append(
            f"| incremental month ({inc['month']}, {inc['files']} files) | "
            f"{inc['refresh']['seconds']} s = {inc['share_of_full']:.0%} of a full build | "
            f"≤ {TARGETS['incremental_share']:.0%} |"
        )
    baseline = main.get("pandas_baseline")
    if baseline and "seconds" in baseline:
        agree = baseline.get("indicators", {})
        cells = sum(v.get("cells", 0) for v in agree.values())
        same = sum(v.get("agree", 0) for v in agree.values())
        lines.append(
            f"| pandas baseline, {len(agree)} indicators at district × month | "
            f"{baseline['seconds']} s ({main.get('pandas_ratio')}× the pipeline; "
            f"{same:,} of {cells:,} cells agree) | slower than the warehouse |"
        )
    elif baseline:
        lines.append(f"| pandas baseline | not measured: {baseline.get('error')} | |")
    dash = main.get("dashboard_timing")
    if dash and "callback_ms" in dash:
        cb, first = dash["callback_ms"], dash.get("first_load_ms", {})
        lines.append(
            f"| dashboard callbacks, server time, first request of each combination "
            f"(n={cb.get('n')}) | p50 {cb.get('p50')} ms, p95 {cb.get('p95')} ms | "
            f"p95 ≤ {TARGETS['callback_p95_ms']} ms |"
        )
        if repeated := cb.get("repeated"):
            lines.append(
                f"| dashboard callbacks, repeated (answers remembered, n={repeated.get('n')}) | "
                f"p50 {repeated.get('p50')} ms, p95 {repeated.get('p95')} ms | |"
            )
        if first:
            lines.append(
                f"| first page load, headless Chromium | {first.get('median')} ms (median) | "
                f"≤ {TARGETS['first_load_ms']} ms |"
            )
    elif dash:
        lines.append(f"| dashboard | not measured: {dash.get('error')} | |")
    if report.get("sweep"):
        lines += ["", "Scale sweep (full builds):", "", "| scale | rows | " + " | ".join(STAGES)
                  + " | total |", "|---|---|" + "---|" * (len(STAGES) + 1)]  # fmt: skip
        for s in report["sweep"]:
            stages = " | ".join(f"{s['full']['stages'].get(k, '')}" for k in STAGES)
            lines.append(
                f"| {s['scale']:g} | {s['landing']['rows']:,} | {stages} | {s['full']['seconds']} |"
            )
        exp = report.get("growth_exponents", {})
        lines.append(
            "| growth exponent | | "
            + " | ".join(str(exp.get(k, "")) for k in STAGES)
            + f" | {exp.get('total', '')} |"
        )
    return "\n".join(lines) + "\n"


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
    except OSError:
        return "unknown"


def _exit_on_terminate(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)  # so the held-back month goes back into the landing zone


def main(argv: list[str] | None = None) -> int:
    signal.signal(signal.SIGTERM, _exit_on_terminate)
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--scale", type=float, default=1.0, help="the country's size (1 = national)"
    )
    parser.add_argument("--seed", type=int, default=2016)
    parser.add_argument(
        "--sweep", default="", help="also full builds at these scales, e.g. 0.1,0.3,1,3"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=Path(os.environ.get("CPMONITOR_BENCH_DIR", Path.home() / ".cache/cpmonitor-bench")),
        help="where the generated countries are kept between runs",
    )
    parser.add_argument("--results", type=Path, default=RESULTS)
    parser.add_argument(
        "--skip",
        action="append",
        default=[],
        choices=["incremental", "pandas_baseline", "dashboard_timing"],
        help="leave a part out (repeatable)",
    )
    args = parser.parse_args(argv)
    parts = {"incremental", "pandas_baseline", "dashboard_timing"} - set(args.skip)
    args.work.mkdir(parents=True, exist_ok=True)
    report: dict[str, Any] = {
        "measured_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": _commit(),
        "machine": machine(),
        "targets": TARGETS,
    }
    report["main"] = measure_scale(args.scale, args.seed, args.work, full_only=False, parts=parts)
    sweep_scales = [float(s) for s in args.sweep.split(",") if s.strip()]
    if sweep_scales:
        sweep = []
        for scale in sweep_scales:
            if scale == args.scale:
                sweep.append(report["main"])
            else:
                sweep.append(
                    measure_scale(scale, args.seed, args.work, full_only=True, parts=parts)
                )
        report["sweep"] = sweep
        report["growth_exponents"] = growth_exponents(sweep)
    args.results.mkdir(parents=True, exist_ok=True)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    (args.results / f"{stamp}-seed{args.seed}.json").write_text(json.dumps(report, indent=2) + "\n")
    table = markdown(report)
    (args.results / "latest.md").write_text(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
