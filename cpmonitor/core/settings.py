"""Where everything lives. One setting moves all data: ``CPMONITOR_DATA_DIR``.

Layout under the data directory (default ``<project>/data``)::

    landing/<entity>/<feed>/<period>/<file>.parquet   files as ministries deliver them (never modified)
    archive/<sha[:2]>/<sha256>.parquet                an immutable copy of every delivered file
    ingested/<feed>/<entity>__<period>__<sha12>.parquet  validated, pseudonymised copies read by dbt
    quarantine/<sha12>__<file name>.json              why a delivered file was refused
    state/ingest_ledger.parquet                       one row per delivered file (hash, rows, status, reason)
    state/runs.jsonl                                  one line per pipeline run
    state/pseudonym.key                               secret for keyed hashing (created on first use, 0600)
    builds/<run id>.duckdb                            warehouses being built and checked
    versions/<run id>.duckdb                          the last published warehouses, for rollback
    cpmonitor.duckdb                                  the published warehouse (swapped in atomically)
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

PROJECT_DIR_ENV = "CPMONITOR_PROJECT_DIR"


def _project_root() -> Path:
    """The folder holding ``dbt_project.yml``, ``data_contracts/``, ``models/`` and ``seeds/``.

    ``CPMONITOR_PROJECT_DIR`` points an installed (non-editable) package at them; by default they
    are found beside the package in the source tree. This is the only place that looks.
    """
    chosen = os.environ.get(PROJECT_DIR_ENV)
    return Path(chosen).expanduser().resolve() if chosen else Path(__file__).resolve().parents[2]


PROJECT_ROOT = _project_root()
CONTRACTS_DIR = PROJECT_ROOT / "data_contracts"
CATALOGUE_FILE = PROJECT_ROOT / "seeds" / "indicator_catalogue.csv"

# Nothing may phone home: set before dbt or Great Expectations is imported or started.
QUIET_ENV = {
    "GX_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
}
for _key, _value in QUIET_ENV.items():
    os.environ.setdefault(_key, _value)


@dataclass(frozen=True)
class Settings:
    """Paths of one installation, all derived from ``data_dir``."""

    data_dir: Path

    @classmethod
    def from_env(cls, data_dir: str | Path | None = None) -> Settings:
        chosen = data_dir or os.environ.get("CPMONITOR_DATA_DIR") or PROJECT_ROOT / "data"
        return cls(data_dir=Path(chosen).expanduser().resolve())

    @property
    def landing_dir(self) -> Path:
        return self.data_dir / "landing"

    @property
    def archive_dir(self) -> Path:
        """Every delivered file, content-addressed by SHA-256, read-only: nothing is ever lost."""
        return self.data_dir / "archive"

    @property
    def ingested_dir(self) -> Path:
        return self.data_dir / "ingested"

    @property
    def quarantine_dir(self) -> Path:
        return self.data_dir / "quarantine"

    @property
    def state_dir(self) -> Path:
        return self.data_dir / "state"

    @property
    def ledger_file(self) -> Path:
        return self.state_dir / "ingest_ledger.parquet"

    @property
    def runs_file(self) -> Path:
        return self.state_dir / "runs.jsonl"

    @property
    def builds_dir(self) -> Path:
        return self.data_dir / "builds"

    @property
    def versions_dir(self) -> Path:
        """The last few published warehouses (hard links), for `cpmonitor rollback`."""
        return self.data_dir / "versions"

    @property
    def warehouse_file(self) -> Path:
        return self.data_dir / "cpmonitor.duckdb"

    def ensure_dirs(self) -> None:
        for path in (
            self.landing_dir,
            self.ingested_dir,
            self.quarantine_dir,
            self.state_dir,
            self.builds_dir,
        ):
            path.mkdir(parents=True, exist_ok=True)

    def pseudonym_key(self) -> bytes:
        """Secret for keyed hashing of record identifiers.

        Taken from ``CPMONITOR_PSEUDONYM_KEY`` when set; otherwise a random key is created once in
        ``state/pseudonym.key`` (outside the repository, readable by the owner only).
        """
        from_env = os.environ.get("CPMONITOR_PSEUDONYM_KEY")
        if from_env:
            return from_env.encode()
        key_file = self.state_dir / "pseudonym.key"
        if not key_file.exists():
            self.state_dir.mkdir(parents=True, exist_ok=True)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
        return key_file.read_text().strip().encode()
