"""Write files the same way everywhere: Parquet with zstd and statistics, atomic replace, stable bytes,
owner-only modes.

Used by the generator (landing files), ingest (ingested files, ledger) and the pipeline (state).
Everything written here holds (pseudonymised) row-level data or the state that describes it, so
files are created ``0600`` and missing folders ``0700``: no other local user can read them, from
the moment they exist.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TextIO

import pyarrow as pa
import pyarrow.parquet as pq

# Raw and row-level data, state: the owner only. Archived raw deliveries are also read-only.
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600
ARCHIVE_FILE_MODE = 0o400
# The published warehouse and its kept versions: the owner writes, the analyst group reads.
PUBLISHED_DIR_MODE = 0o750
PUBLISHED_FILE_MODE = 0o640


def make_dirs(path: Path, mode: int = PRIVATE_DIR_MODE) -> Path:
    """Create ``path`` and each missing parent with ``mode`` (the umask can only narrow it); folders
    that exist are left as they are. Returns ``path``."""
    missing = []
    folder = path
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for folder in reversed(missing):
        with suppress(FileExistsError):  # created meanwhile by another process
            folder.mkdir(mode=mode)
    return path


@contextmanager
def private_umask() -> Iterator[None]:
    """Files and folders created meanwhile by this process and its children (dbt, DuckDB) are
    owner-only: ``0600`` and ``0700`` at most."""
    previous = os.umask(0o077)
    try:
        yield
    finally:
        os.umask(previous)


def parquet_bytes(table: pa.Table) -> bytes:
    """Serialise ``table`` to Parquet bytes (zstd, column statistics).

    The same table always gives the same bytes with the same pyarrow version: no timestamps are
    written, so a file's sha256 identifies its content.
    """
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, compression="zstd", write_statistics=True)
    return sink.getvalue().to_pybytes()


def write_bytes_atomic(data: bytes, path: Path, mode: int = PRIVATE_FILE_MODE) -> None:
    """Write ``data`` to ``path`` so readers see either the old file or the whole new one.

    A temporary file in the same directory is written, flushed to disk and renamed over ``path``
    with ``os.replace`` (atomic on one filesystem). Its name starts with a dot and does not end in
    ``.parquet``, so a half-written file is never picked up by a ``*.parquet`` glob. The file is
    created with ``mode`` (default owner-only), missing folders ``0700``.
    """
    make_dirs(path.parent)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)  # mkstemp creates 0600
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise


def write_parquet_atomic(table: pa.Table, path: Path, mode: int = PRIVATE_FILE_MODE) -> None:
    """Write ``table`` as a zstd Parquet file at ``path`` atomically (see ``write_bytes_atomic``)."""
    write_bytes_atomic(parquet_bytes(table), path, mode)


def write_text_atomic(text: str, path: Path, mode: int = PRIVATE_FILE_MODE) -> None:
    """Write a small UTF-8 text file so readers see the old file or the whole new one."""
    write_bytes_atomic(text.encode("utf-8"), path, mode)


def open_private_append(path: Path) -> TextIO:
    """Open a text file for appending, creating it (and missing folders) owner-only."""
    make_dirs(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE_FILE_MODE)
    return os.fdopen(fd, "a", encoding="utf-8")
