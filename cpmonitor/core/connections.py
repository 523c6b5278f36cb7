"""The one read-only connection configuration for a published warehouse.

Readers (the CLI's ``status`` and ``sql``, the dashboard, the pipeline's own look at what is served)
open the file read-only, with no access to other files and a configuration they cannot change.
"""

from __future__ import annotations

from pathlib import Path

import duckdb

READ_ONLY_CONFIG = {"enable_external_access": False, "lock_configuration": True}


def connect_read_only(path: Path) -> duckdb.DuckDBPyConnection:
    """A read-only connection to a warehouse file that cannot read or write other files."""
    return duckdb.connect(str(path), read_only=True, config=READ_ONLY_CONFIG)
