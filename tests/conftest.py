"""Shared pytest set-up: nothing phones home, and every test gets its own data directory."""

from __future__ import annotations

import os

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("DBT_SEND_ANONYMOUS_USAGE_STATS", "false")
# A fixed key so pseudonyms are stable within the test run; never a production key.
os.environ.setdefault("CPMONITOR_PSEUDONYM_KEY", "test-only-key-not-secret")
