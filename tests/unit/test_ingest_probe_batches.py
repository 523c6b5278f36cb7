"""Several files probed in one child (``ProbeServer.prefetch``) get exactly the answers each gets on
its own: each file under its own limits, a file that stops the child refused alone, and every file
after it still read (by a fresh child)."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from ingest.probe import ParseLimits, ProbeResult, ProbeServer


def _write(path: Path, data: pa.Table, **options: object) -> Path:
    pq.write_table(data, path, **options)
    return path


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("probe")
    good = pa.table({"a": pa.array(range(50)), "b": pa.array([str(i) for i in range(50)])})
    bomb = pa.table({"notes": pa.array(["x" * 1000] * 20_000)})  # 19.2 MiB once decoded
    slow = pa.table({"x": pa.array(range(100_000), pa.int64()), "y": pa.array(range(100_000))})
    corrupt = bytearray(_write(root / "c.parquet", good, compression="zstd").read_bytes())
    for index in range(4, 40):
        corrupt[index] ^= 0x5A
    (root / "corrupt.parquet").write_bytes(bytes(corrupt))
    (root / "not_parquet.parquet").write_bytes(b"PK\x03\x04 not parquet")
    (root / "zero.parquet").write_bytes(b"")
    return {
        "good1": _write(root / "good1.parquet", good),
        "bomb": _write(root / "bomb.parquet", bomb, compression="zstd", use_dictionary=False),
        "good2": _write(root / "good2.parquet", good.slice(0, 7)),
        "corrupt": root / "corrupt.parquet",
        "not_parquet": root / "not_parquet.parquet",
        "zero": root / "zero.parquet",
        "slow": _write(
            root / "slow.parquet",
            slow,
            row_group_size=1,
            compression="none",
            write_statistics=False,
        ),
        "good3": _write(root / "good3.parquet", good.slice(0, 3)),
    }


def _alone(paths: list[Path], limits: ParseLimits) -> list[ProbeResult]:
    answers = []
    for path in paths:
        with ProbeServer() as server:
            answers.append(server.probe(path, limits))
    return answers


@pytest.mark.parametrize(
    "limits",
    [
        ParseLimits(memory_bytes=8 << 20),  # the bomb's decode does not fit; the others do
        ParseLimits(wall_seconds=1.0),  # the slow file is stopped; the child is killed
        ParseLimits(max_uncompressed_bytes=1 << 20),  # the bomb is refused by its footer
    ],
)
def test_a_batch_answers_as_each_file_alone(files: dict[str, Path], limits: ParseLimits) -> None:
    paths = list(files.values())
    with ProbeServer() as server:
        server.prefetch(paths, limits)
        batched = [server.probe(p, limits) for p in paths]
        assert server.probe(files["good1"], limits).rows == 50  # answered once, then probed again
    alone = _alone(paths, limits)
    assert batched == alone
    by_name = dict(zip(files, batched, strict=True))
    assert [by_name[g].rows for g in ("good1", "good2", "good3")] == [50, 7, 3]
    assert by_name["zero"].problem == "is empty (0 bytes): not a Parquet file"
    assert by_name["corrupt"].problem.startswith("has a corrupt data page")


def test_the_wall_clock_stops_the_slow_file_only(files: dict[str, Path]) -> None:
    limits = ParseLimits(wall_seconds=1.0)
    paths = [files["good1"], files["slow"], files["good2"], files["slow"], files["good3"]]
    with ProbeServer() as server:
        server.prefetch(paths, limits)
        answers = [server.probe(p, limits) for p in paths]
    assert [a.rows for a in answers] == [50, None, 7, None, 3]
    assert answers[1].limit == "wall_clock"


def test_the_cpu_limit_is_each_files_own(files: dict[str, Path]) -> None:
    """A CPU limit of one second per file: files that each take a fraction of it all decode,
    however many share the child (their seconds add up to more than one)."""
    path = files["good1"].parent / "busy.parquet"
    busy = pa.table({"x": pa.array(range(5_000), pa.int64())})  # ~0.2 s of decoding
    _write(path, busy, row_group_size=1, compression="none", write_statistics=False)
    limits = ParseLimits(cpu_seconds=1)
    with ProbeServer() as server:
        answers = server._probe_many([path] * 16, limits)
    assert [a.rows for a in answers] == [5_000] * 16


def test_answers_that_arrive_together_are_all_read(tmp_path: Path) -> None:
    """A stand-in server writing two answers at once (then waiting, as a server does): both are
    read, none waited for."""
    answer = '{"rows": 1, "problem": "", "limit": ""}'
    code = f"import sys; sys.stdin.readline(); sys.stdout.write('{answer}\\n' * 2); sys.stdout.flush(); sys.stdin.readline()"
    server = ProbeServer()
    server._process = subprocess.Popen(
        [sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE
    )
    started = time.monotonic()
    with server:
        answers = server._ask([tmp_path / "a.parquet", tmp_path / "b.parquet"], ParseLimits())
    assert answers == [ProbeResult(1), ProbeResult(1)]
    assert time.monotonic() - started < 10  # a missed answer would wait 630 s
