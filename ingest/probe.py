"""Read a delivered Parquet file in a child process with hard limits, before ingest trusts it.

A hostile or broken file (not Parquet, truncated footer, corrupt page, decompression bomb) must cost
bounded time and memory and never take the pipeline down. Each file is read by a child process that:

1. reads only the footer and refuses a file whose declared rows, values or uncompressed size exceed
   ``ParseLimits`` (a bomb is refused before a single page is decompressed);
2. then decodes every column chunk under ``RLIMIT_AS`` (address space) and ``RLIMIT_CPU``, so a
   file that lies in its footer hits the limit in the child, not in the pipeline;
3. is killed after ``wall_seconds``.

Children are forked by a small single-threaded probe server (``python -m ingest.probe``, started once
per ingest run, pyarrow already imported), so a probe costs milliseconds, not an interpreter start.
Requests and answers are JSON lines on the server's stdin and stdout.
"""

from __future__ import annotations

import json
import os
import resource
import select
import signal
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType

GIB = 1 << 30
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
SERVER_GRACE_SECONDS = 30.0


@dataclass(frozen=True)
class ParseLimits:
    """Limits on reading one delivered file (the defaults suit national monthly extracts)."""

    max_file_bytes: int = 4 * GIB
    max_rows: int = 50_000_000
    max_values: int = 1_000_000_000
    max_uncompressed_bytes: int = 4 * GIB
    memory_bytes: int = 6 * GIB
    cpu_seconds: int = 300
    wall_seconds: float = 600.0


@dataclass(frozen=True)
class ProbeResult:
    """Outcome of probing one file: ``rows`` when it decoded, else ``problem`` (a phrase for people,
    e.g. ``is not a readable Parquet file (...)``) and ``limit`` naming the bound that triggered
    (``size``, ``rows``, ``values``, ``uncompressed_bytes``, ``memory``, ``cpu``, ``wall_clock``)."""

    rows: int | None
    problem: str = ""
    limit: str = ""


class ProbeServer:
    """The probe server process; use as a context manager, one per ingest run.

    ``probe(path, limits)`` never raises for a bad file: a server that dies or stops answering is
    killed, restarted on the next probe, and the file gets a reason.
    """

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> ProbeServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stop the server (it exits when its stdin closes)."""
        process, self._process = self._process, None
        if process is None:
            return
        try:
            if process.stdin:
                process.stdin.close()
            process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            process.kill()
            process.wait()
        finally:
            if process.stdout:
                process.stdout.close()

    def probe(self, path: Path, limits: ParseLimits) -> ProbeResult:
        """Check that ``path`` is a Parquet file within ``limits`` that decodes completely."""
        size = path.stat().st_size
        if size == 0:
            return ProbeResult(None, "is empty (0 bytes): not a Parquet file")
        if size > limits.max_file_bytes:
            return ProbeResult(
                None,
                f"is {_size(size)}, more than the limit of {_size(limits.max_file_bytes)}",
                "size",
            )
        process = self._server()
        request = json.dumps({"path": str(path), "limits": asdict(limits)}) + "\n"
        assert process.stdin is not None and process.stdout is not None
        try:
            process.stdin.write(request.encode())
            process.stdin.flush()
            ready, _, _ = select.select(
                [process.stdout], [], [], limits.wall_seconds + SERVER_GRACE_SECONDS
            )
            line = process.stdout.readline() if ready else b""
        except OSError:
            line = b""
        if not line:
            self._kill()
            return ProbeResult(None, "could not be read: the file reader stopped answering")
        return ProbeResult(**json.loads(line))

    def _server(self) -> subprocess.Popen[bytes]:
        if self._process is None or self._process.poll() is not None:
            env = dict(os.environ)
            env["PYTHONPATH"] = os.pathsep.join(
                p for p in (str(PACKAGE_ROOT), env.get("PYTHONPATH", "")) if p
            )
            self._process = subprocess.Popen(
                [sys.executable, "-m", "ingest.probe"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                cwd=PACKAGE_ROOT,
                env=env,
            )
        return self._process

    def _kill(self) -> None:
        if self._process is not None:
            self._process.kill()
            self.close()


def serve() -> None:
    """The server loop: one JSON request per stdin line, one JSON answer per stdout line.

    Single-threaded on purpose: each file is read in a child forked from here, never here.
    """
    import pyarrow.parquet  # noqa: F401  (loaded once, shared by every forked child)

    for line in sys.stdin:
        request = json.loads(line)
        answer = _probe_in_child(request["path"], ParseLimits(**request["limits"]))
        sys.stdout.write(json.dumps(asdict(answer)) + "\n")
        sys.stdout.flush()


def _probe_in_child(path: str, limits: ParseLimits) -> ProbeResult:
    """Fork a child with the limits applied, wait at most ``wall_seconds`` for its answer."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        code = 0
        try:
            _apply_limits(limits)
            answer = _inspect_guarded(path, limits)
            os.write(write_end, json.dumps(asdict(answer)).encode())
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    chunks: list[bytes] = []
    timed_out = False
    try:
        while True:
            ready, _, _ = select.select([read_end], [], [], limits.wall_seconds)
            if not ready:
                timed_out = True
                os.kill(pid, signal.SIGKILL)
                break
            chunk = os.read(read_end, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_end)
        _, status = os.waitpid(pid, 0)
    if timed_out:
        return ProbeResult(
            None,
            f"could not be read within the time limit of {limits.wall_seconds:g} s",
            "wall_clock",
        )
    if chunks:
        return ProbeResult(**json.loads(b"".join(chunks)))
    return _died(status, limits)


def _inspect_guarded(path: str, limits: ParseLimits) -> ProbeResult:
    """``inspect_parquet`` with allocation failures turned into the memory-limit reason."""
    try:
        return inspect_parquet(path, limits)
    except MemoryError:
        return _memory_answer(limits)
    except Exception as exc:  # noqa: BLE001  (pyarrow raises ArrowMemoryError on a failed allocation)
        if "memory" in type(exc).__name__.lower() or "malloc" in str(exc).lower():
            return _memory_answer(limits)
        return ProbeResult(None, f"could not be read ({type(exc).__name__}: {_clean(exc, path)})")


def inspect_parquet(path: str, limits: ParseLimits) -> ProbeResult:
    """Footer checks then a full decode, column chunk by column chunk (runs in the child)."""
    import pyarrow as pa  # lazy: already loaded by ``serve`` before the fork; keeps the module light
    import pyarrow.parquet as pq

    try:
        parquet = pq.ParquetFile(path)
        metadata = parquet.metadata
    except (pa.ArrowException, OSError, ValueError) as exc:
        return ProbeResult(None, f"is not a readable Parquet file ({_clean(exc, path)})")
    rows = metadata.num_rows
    values = uncompressed = 0
    for group in range(metadata.num_row_groups):
        row_group = metadata.row_group(group)
        for column in range(row_group.num_columns):
            chunk = row_group.column(column)
            values += max(chunk.num_values, 0)
            uncompressed += max(chunk.total_uncompressed_size, 0)
    if rows > limits.max_rows:
        return ProbeResult(
            None, f"declares {rows:,} rows, more than the limit of {limits.max_rows:,}", "rows"
        )
    if values > limits.max_values:
        return ProbeResult(
            None,
            f"declares {values:,} values, more than the limit of {limits.max_values:,}",
            "values",
        )
    if uncompressed > limits.max_uncompressed_bytes:
        return ProbeResult(
            None,
            f"declares {_size(uncompressed)} of uncompressed data, more than the limit of "
            f"{_size(limits.max_uncompressed_bytes)} (a decompression bomb?)",
            "uncompressed_bytes",
        )
    decoded = []  # kept, so the memory limit covers the whole table as ingest will hold it
    names = parquet.schema_arrow.names
    for group in range(metadata.num_row_groups):
        for name in names:
            try:
                decoded.append(parquet.read_row_group(group, columns=[name], use_threads=False))
            except (MemoryError, pa.ArrowMemoryError):
                raise
            except (pa.ArrowException, OSError, ValueError) as exc:
                return ProbeResult(
                    None,
                    f"has a corrupt data page: column '{name}' in row group {group + 1} could not "
                    f"be decoded ({_clean(exc, path)})",
                )
    return ProbeResult(rows)


def _apply_limits(limits: ParseLimits) -> None:
    """Address-space limit on top of what the forked child already maps; CPU seconds from now."""
    mapped = _mapped_bytes()
    resource.setrlimit(resource.RLIMIT_AS, (mapped + limits.memory_bytes,) * 2)
    used = resource.getrusage(resource.RUSAGE_SELF)
    cpu_now = int(used.ru_utime + used.ru_stime) + 1
    soft = cpu_now + max(1, int(limits.cpu_seconds))
    resource.setrlimit(resource.RLIMIT_CPU, (soft, soft + 1))


def _mapped_bytes() -> int:
    """Virtual memory the process maps now (Linux ``/proc/self/statm``; 0 elsewhere)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


def _died(status: int, limits: ParseLimits) -> ProbeResult:
    """Reason for a child that ended without answering (stopped by a limit, or crashed)."""
    code = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    if code in (-signal.SIGXCPU, -signal.SIGKILL):
        return ProbeResult(
            None, f"could not be read within the CPU time limit of {limits.cpu_seconds} s", "cpu"
        )
    if code in (-signal.SIGSEGV, -signal.SIGABRT, -signal.SIGBUS):
        return ProbeResult(
            None,
            f"made the Parquet reader fail (signal {-code}) under the memory limit of "
            f"{_size(limits.memory_bytes)}: a corrupt or hostile file",
            "memory",
        )
    return ProbeResult(None, f"made the Parquet reader stop unexpectedly (exit code {code})")


def _memory_answer(limits: ParseLimits) -> ProbeResult:
    return ProbeResult(
        None, f"needs more memory than the limit of {_size(limits.memory_bytes)} to read", "memory"
    )


def _clean(exc: Exception, path: str) -> str:
    """An exception message on one line, printable, without server paths."""
    text = str(exc).replace(path, "the file")
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    return " ".join(text.split())


def _size(count: int) -> str:
    for unit, factor in (("GiB", GIB), ("MiB", 1 << 20), ("KiB", 1 << 10)):
        if count >= factor:
            return f"{count / factor:.1f} {unit}"
    return f"{count} bytes"


if __name__ == "__main__":
    serve()
