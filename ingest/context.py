"""What one ingest run shares between its files (created per run, never module-level)."""

from __future__ import annotations

from dataclasses import dataclass, field

from cpmonitor.core.contracts import Contract
from cpmonitor.core.settings import Settings
from expectations.runner import SuiteRunner
from ingest.probe import ParseLimits, ProbeServer
from ingest.references import ReferenceLookup


@dataclass
class RunContext:
    """Settings, contracts and limits of the run, its probe server, the reference codes read so
    far, and (made when first needed) its one GX context and the pseudonymisation key."""

    settings: Settings
    contracts: dict[str, Contract]
    limits: ParseLimits
    run_id: str
    server: ProbeServer
    references: ReferenceLookup = field(init=False)
    _runner: SuiteRunner | None = field(default=None, init=False)
    _key: bytes | None = field(default=None, init=False)

    def __post_init__(self) -> None:
        self.references = ReferenceLookup(self.settings.ingested_dir, self.contracts)

    def runner(self) -> SuiteRunner:
        """The run's one GX context (creating it imports GX: only when a file needs its rules);
        each feed's suites are added when first needed."""
        if self._runner is None:
            self._runner = SuiteRunner()
        return self._runner

    def key(self) -> bytes:
        if self._key is None:
            self._key = self.settings.pseudonym_key()
        return self._key
