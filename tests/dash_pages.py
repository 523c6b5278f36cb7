"""Pages in tests: the page registry belongs to each app (``dashboards.pages``), never to Dash's
process-global one, so tests read the pages of the app they built."""

from __future__ import annotations

from collections.abc import Callable

import dash

from dashboards.app import app_pages
from dashboards.pages import page_at


def reset_pages() -> None:
    """Forget every page registered in Dash's global registry and its pages config (the app does
    not use them; kept so a test can prove that building an app leaves them empty)."""
    dash._pages.PAGE_REGISTRY.clear()
    dash._pages.CONFIG.clear()
    dash._pages.CONFIG.__dict__.clear()


def page_layout(app: dash.Dash, path: str) -> Callable:
    """The ``layout`` function of ``app``'s page at ``path``."""
    page = page_at(app_pages(app), path)
    if page is None:
        raise AssertionError(f"no page at {path}")
    return page.layout
