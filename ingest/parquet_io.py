"""Atomic writes for ingest, reusing the project's one Parquet writer (zstd, statistics, fsync).

The writer lives in ``cpmonitor.synthetic.parquet_io`` for now; when it moves to a shared module,
only this import changes.
"""

from __future__ import annotations

from pathlib import Path

from cpmonitor.synthetic.parquet_io import write_bytes_atomic, write_parquet_atomic

__all__ = ["write_parquet_atomic", "write_text_atomic"]


def write_text_atomic(text: str, path: Path) -> None:
    """Write a small UTF-8 text file so readers see the old file or the whole new one."""
    write_bytes_atomic(text.encode("utf-8"), path)
