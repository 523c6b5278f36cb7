"""Which installation the current request belongs to.

``create_app`` stores its ``Settings`` on the Flask server's config; pages and callbacks read them per
request, so two apps in one process never share state.
"""

from __future__ import annotations

from pathlib import Path

import flask

from cpmonitor.core.settings import Settings

SETTINGS_KEY = "CPMONITOR_SETTINGS"


def current_settings() -> Settings:
    """Settings of the app serving the current request."""
    return flask.current_app.config[SETTINGS_KEY]


def current_warehouse() -> Path:
    """The published warehouse of the app serving the current request."""
    return current_settings().warehouse_file
