"""Write files the same way everywhere: Parquet with zstd and statistics, atomic replace, stable bytes.

Used by the generator (landing files), ingest (ingested files, ledger) and the pipeline (state).
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


def parquet_bytes(table: pa.Table) -> bytes:
    """Serialise ``table`` to Parquet bytes (zstd, column statistics).

    The same table always gives the same bytes with the same pyarrow version: no timestamps are
    written, so a file's sha256 identifies its content.
    """
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", write_statistics=True)
    return sink.getvalue().to_pybytes()


def write_bytes_atomic(data: bytes, path: Path) -> None:
    """Write ``data`` to ``path`` so readers see either the old file or the whole new one.

    A temporary file in the same directory is written, flushed to disk and renamed over ``path``
    with ``os.replace`` (atomic on one filesystem). Its name starts with a dot and does not end in
    ``.parquet``, so a half-written file is never picked up by a ``*.parquet`` glob.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def write_parquet_atomic(table: pa.Table, path: Path) -> None:
    """Write ``table`` as a zstd Parquet file at ``path`` atomically (see ``write_bytes_atomic``)."""
    write_bytes_atomic(parquet_bytes(table), path)


def write_text_atomic(text: str, path: Path) -> None:
    """Write a small UTF-8 text file so readers see the old file or the whole new one."""
    write_bytes_atomic(text.encode("utf-8"), path)
