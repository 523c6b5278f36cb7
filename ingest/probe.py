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

A request may name several files (``ProbeServer.prefetch``): one child then reads them one after
another, since a fresh fork reads a small file several times slower than a warm one. Each file
still gets its own limits: before each file the child sets ``RLIMIT_AS`` to what it maps then plus
``memory_bytes`` and ``RLIMIT_CPU`` to its CPU time then plus ``cpu_seconds``, exactly as a fresh
child would, and the server waits at most ``wall_seconds`` for each file's answer. The hard limits
of such a child stay bounded (``BATCH_MEMORY_HEADROOM``; the CPU seconds of its files); a file
that would need more is read by a fresh child. A file that stops the child (a limit, a crash) gets
its reason and the files after it are read by a fresh child, so one hostile file is refused on its
own and never costs the others theirs.
"""

from __future__ import annotations

import json
import os
import resource
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType

GIB = 1 << 30
PACKAGE_ROOT = Path(__file__).resolve().parent.parent
SERVER_GRACE_SECONDS = 30.0
MAX_FILES_PER_CHILD = 64
# A child reading several files may map this much more than its first file's limit (memory kept by
# the allocator between files); a file whose own limit would not fit is read by a fresh child.
BATCH_MEMORY_HEADROOM = 0.25
RESTART = "restart"  # a child's answer: the next file needs a fresh child


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
    killed, restarted on the next probe, and the file gets a reason. ``prefetch`` probes several
    files in one round trip; ``probe`` then answers those from what was found.
    """

    def __init__(self) -> None:
        self._process: subprocess.Popen[bytes] | None = None
        self._found: dict[tuple[str, ParseLimits], ProbeResult] = {}

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
        found = self._found.pop((str(path), limits), None)
        if found is not None:
            return found
        return self._probe_many([path], limits)[0]

    def prefetch(self, paths: list[Path], limits: ParseLimits) -> None:
        """Probe ``paths`` now, in as few children as their limits allow; ``probe`` of one of
        them then returns its result at once. Only for files that are not changed afterwards
        (the archived copies, named by their content)."""
        paths = list(dict.fromkeys(p for p in paths if (str(p), limits) not in self._found))
        for start in range(0, len(paths), MAX_FILES_PER_CHILD):
            chunk = paths[start : start + MAX_FILES_PER_CHILD]
            for path, result in zip(chunk, self._probe_many(chunk, limits), strict=True):
                self._found[(str(path), limits)] = result

    def _probe_many(self, paths: list[Path], limits: ParseLimits) -> list[ProbeResult]:
        results: dict[int, ProbeResult] = {}
        asked: list[int] = []
        for index, path in enumerate(paths):
            size = path.stat().st_size
            if size == 0:
                results[index] = ProbeResult(None, "is empty (0 bytes): not a Parquet file")
            elif size > limits.max_file_bytes:
                results[index] = ProbeResult(
                    None,
                    f"is {_size(size)}, more than the limit of {_size(limits.max_file_bytes)}",
                    "size",
                )
            else:
                asked.append(index)
        if asked:
            for index, result in zip(
                asked, self._ask([paths[i] for i in asked], limits), strict=True
            ):
                results[index] = result
        return [results[i] for i in range(len(paths))]

    def _ask(self, paths: list[Path], limits: ParseLimits) -> list[ProbeResult]:
        """One request for ``paths``; the server answers one line per file, in order (read from
        its unbuffered stdout, so answers that arrive together are all seen)."""
        process = self._server()
        request = json.dumps({"paths": [str(p) for p in paths], "limits": asdict(limits)}) + "\n"
        assert process.stdin is not None and process.stdout is not None
        answers: list[ProbeResult] = []
        buffer = b""
        try:
            process.stdin.write(request.encode())
            process.stdin.flush()
            fd = process.stdout.fileno()
            while len(answers) < len(paths):
                ready, _, _ = select.select(
                    [fd], [], [], limits.wall_seconds + SERVER_GRACE_SECONDS
                )
                chunk = os.read(fd, 1 << 16) if ready else b""
                if not chunk:
                    break
                *lines, buffer = (buffer + chunk).split(b"\n")
                answers += [ProbeResult(**json.loads(line)) for line in lines]
        except OSError:
            pass
        if len(answers) < len(paths):
            self._kill()
            stopped = ProbeResult(None, "could not be read: the file reader stopped answering")
            answers += [stopped] * (len(paths) - len(answers))
        return answers

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
    """The server loop: one JSON request per stdin line, one JSON answer line per file asked.

    Single-threaded on purpose: each file is read in a child forked from here, never here.
    """
    import pyarrow.parquet  # noqa: F401  (loaded once, shared by every forked child)

    for line in sys.stdin:
        request = json.loads(line)
        paths = request["paths"]
        limits = ParseLimits(**request["limits"])
        done = 0
        while done < len(paths):
            for answer in _probe_in_child(paths[done:], limits):
                sys.stdout.write(json.dumps(asdict(answer)) + "\n")
                sys.stdout.flush()
                done += 1


def _probe_in_child(paths: list[str], limits: ParseLimits) -> Iterator[ProbeResult]:
    """Fork a child that reads ``paths`` in order, each under its own limits, and yield each
    file's answer, waiting at most ``wall_seconds`` for it. Ends early (the caller forks a fresh
    child for the rest) after the answer for a file that stopped the child (a limit, a crash), or
    when the child asks for a fresh one."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        code = 0
        try:
            _read_in_child(paths, limits, write_end)
        except BaseException:  # noqa: BLE001
            code = 1
        finally:
            os._exit(code)
    os.close(write_end)
    answered = 0
    closed = restart = timed_out = False
    buffer = b""
    try:
        deadline = time.monotonic() + limits.wall_seconds
        while not (closed or restart) and answered < len(paths):
            ready, _, _ = select.select([read_end], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:
                timed_out = True
                break
            chunk = os.read(read_end, 1 << 16)
            closed = not chunk
            *lines, buffer = (buffer + chunk).split(b"\n")
            for line in lines:
                answer = json.loads(line)
                if answer == RESTART:
                    restart = True
                    break
                answered += 1
                deadline = time.monotonic() + limits.wall_seconds
                yield ProbeResult(**answer)
    finally:
        os.close(read_end)
        if not closed:  # timed out, or the caller stopped listening: the child may still run
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    if timed_out:
        yield ProbeResult(
            None,
            f"could not be read within the time limit of {limits.wall_seconds:g} s",
            "wall_clock",
        )
    elif closed and answered < len(paths):  # ended without answering for the file it was reading
        yield _died(status, limits)


def _read_in_child(paths: list[str], limits: ParseLimits, out: int) -> None:
    """In the child: each file under its own limits (as a fresh child would have them: address
    space on top of what the child maps now, CPU seconds from now), one JSON line written per file.

    The hard limits are set with the first file's: ``BATCH_MEMORY_HEADROOM`` more address space
    (none for a single file), and the CPU seconds of every file; a later file whose own limits
    would pass them is left to a fresh child (``RESTART``)."""
    cpu_seconds = max(1, int(limits.cpu_seconds))
    hard: tuple[int, int] | None = None
    for path in paths:
        memory, cpu = _mapped_bytes() + limits.memory_bytes, _cpu_seconds() + cpu_seconds
        if hard is None:
            headroom = int(limits.memory_bytes * BATCH_MEMORY_HEADROOM) if len(paths) > 1 else 0
            hard = (memory + headroom, cpu - cpu_seconds + len(paths) * (cpu_seconds + 1))
        elif memory > hard[0] or cpu + 1 > hard[1]:
            os.write(out, json.dumps(RESTART).encode() + b"\n")
            return
        resource.setrlimit(resource.RLIMIT_AS, (memory, hard[0]))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, hard[1]))
        answer = _inspect_guarded(path, limits)
        os.write(out, json.dumps(asdict(answer)).encode() + b"\n")


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


def _cpu_seconds() -> int:
    """CPU seconds the process has used, rounded up (as ``RLIMIT_CPU`` counts them)."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    return int(used.ru_utime + used.ru_stime) + 1


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
