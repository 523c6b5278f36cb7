"""Ledger and delivery statuses: the one set that ingest, checks, the CLI and the dashboard read.

A delivered file gets one ledger status:

- ``loaded``: every row used;
- ``loaded_with_rejections``: the good rows used, ``rows_rejected`` rows set aside in quarantine;
- ``quarantined``: refused whole (the reason is in the ledger and the quarantine folder);
- ``superseded``: was loaded, then a newer delivery for the same entity, feed and period replaced it;
- ``skipped``: not a delivery (e.g. a stray file), recorded so it is not looked at again.
"""

from __future__ import annotations

from typing import Literal

import pyarrow as pa

LedgerStatus = Literal["loaded", "loaded_with_rejections", "quarantined", "superseded", "skipped"]

LOADED: LedgerStatus = "loaded"
LOADED_WITH_REJECTIONS: LedgerStatus = "loaded_with_rejections"
QUARANTINED: LedgerStatus = "quarantined"
SUPERSEDED: LedgerStatus = "superseded"
SKIPPED: LedgerStatus = "skipped"
LEDGER_STATUSES: tuple[LedgerStatus, ...] = (
    LOADED,
    LOADED_WITH_REJECTIONS,
    QUARANTINED,
    SUPERSEDED,
    SKIPPED,
)

# A delivery whose rows are used for computation now.
USED_STATUSES: tuple[LedgerStatus, ...] = (LOADED, LOADED_WITH_REJECTIONS)
# A delivery whose rows are, or were before a newer delivery replaced them, used.
ACCEPTED_STATUSES: tuple[LedgerStatus, ...] = (*USED_STATUSES, SUPERSEDED)
# A delivery refused whole.
REFUSED_STATUSES = frozenset({QUARANTINED})
# Rows of the ledger that are not deliveries at all.
IGNORED_STATUSES = frozenset({SKIPPED})

# Reporting status of a feed's expected period (completeness): received on time, late, or not.
PeriodStatus = Literal["on_time", "late", "missing", "refused"]
RECEIVED = frozenset({"on_time", "late"})

# What dbt reads of reporting completeness (``ingested/_delivery_status/*.parquet``): one row per
# contract feed and expected period, written by the pipeline before each build from
# ``expectations.completeness`` (``_empty.parquet`` keeps the glob readable before that).
DELIVERY_STATUS_DIR = "_delivery_status"
DELIVERY_STATUS_SCHEMA = pa.schema(
    [
        pa.field("entity", pa.string()),
        pa.field("entity_name", pa.string()),
        pa.field("feed", pa.string()),
        pa.field("feed_title", pa.string()),
        pa.field("unit_code", pa.string()),
        pa.field("period", pa.string()),
        pa.field("period_start", pa.date32()),
        pa.field("period_end", pa.date32()),
        pa.field("status", pa.string()),
        pa.field("received", pa.bool_()),
        pa.field("files_accepted", pa.int64()),
        pa.field("periodic", pa.bool_()),
        pa.field("feed_first_period_start", pa.date32()),
    ]
)
