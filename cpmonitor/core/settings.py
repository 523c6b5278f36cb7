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

Modes: landing, archive, ingested, quarantine, state and builds hold raw or row-level data and are
the owner's only (folders ``0700``, files ``0600``, archived deliveries ``0400``); the published
warehouse and ``versions/`` hold aggregates for the analyst group (``0640`` files in ``0750``
folders; give the data directory the analysts' group). ``ensure_dirs`` creates them so and
tightens an older installation's modes.
"""

from __future__ import annotations

import os
import secrets
import stat
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

from cpmonitor.core.parquet_io import (
    ARCHIVE_FILE_MODE,
    PRIVATE_DIR_MODE,
    PRIVATE_FILE_MODE,
    PUBLISHED_DIR_MODE,
    PUBLISHED_FILE_MODE,
    make_dirs,
)

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
EXCHANGE_DIR = PROJECT_ROOT / "exchange"  # the published SDMX structure, DHIS2 mappings

# Debian's Chromium (`make chromium` installs it) and the flags of every headless run of it: the
# browser tests and the benchmark's first page load.
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

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

    @property
    def private_dirs(self) -> tuple[Path, ...]:
        """The folders holding raw or row-level data and state: the owner's only."""
        return (
            self.landing_dir,
            self.archive_dir,
            self.ingested_dir,
            self.quarantine_dir,
            self.state_dir,
            self.builds_dir,
        )

    def ensure_dirs(self) -> None:
        """Create the layout with its modes (see the module docstring); tighten the modes of an
        installation made before them."""
        make_dirs(self.data_dir, PUBLISHED_DIR_MODE)
        for path in self.private_dirs:
            make_dirs(path, PRIVATE_DIR_MODE)
        make_dirs(self.versions_dir, PUBLISHED_DIR_MODE)
        self.tighten_modes()

    def tighten_modes(self) -> None:
        """Give every folder and file its mode: private trees owner-only, archived deliveries
        read-only, the published warehouse and versions readable by the group and no one else.

        Only modes are changed, never content; symbolic links are not followed, and an entry this
        user may not change (e.g. a landing file owned by the uploader) is left as it is.
        """
        for root in self.private_dirs:
            file_mode = ARCHIVE_FILE_MODE if root == self.archive_dir else PRIVATE_FILE_MODE
            _set_modes(root, PRIVATE_DIR_MODE, file_mode)
        _set_modes(self.versions_dir, PUBLISHED_DIR_MODE, PUBLISHED_FILE_MODE)
        _set_mode(self.warehouse_file, PUBLISHED_FILE_MODE, stat.S_ISREG)

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
            make_dirs(self.state_dir)
            fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_hex(32))
        return key_file.read_text().strip().encode()


def _set_modes(root: Path, dir_mode: int, file_mode: int) -> None:
    """``dir_mode`` on ``root`` and every folder under it, ``file_mode`` on every regular file."""
    if not _set_mode(root, dir_mode, stat.S_ISDIR):
        return
    for folder, dirnames, filenames in os.walk(root, followlinks=False):
        base = Path(folder)
        for name in dirnames:
            _set_mode(base / name, dir_mode, stat.S_ISDIR)
        for name in filenames:
            _set_mode(base / name, file_mode, stat.S_ISREG)


def _set_mode(path: Path, mode: int, kind: Callable[[int], bool]) -> bool:
    """Set ``mode`` on ``path`` if it is of ``kind`` (not a link) and has another mode; whether it
    is of ``kind``."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return False
    if not kind(info.st_mode):
        return False
    if stat.S_IMODE(info.st_mode) != mode:
        with suppress(PermissionError):
            os.chmod(path, mode)
    return True
