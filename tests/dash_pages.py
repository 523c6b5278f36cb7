"""Dash pages in tests: Dash keeps a global page registry (see plotly/dash tests'
``clear_pages_state``), so each app built in a test starts from a clean one."""

from __future__ import annotations

from collections.abc import Callable

import dash


def reset_pages() -> None:
    """Forget every registered page and the pages config."""
    dash._pages.PAGE_REGISTRY.clear()
    dash._pages.CONFIG.clear()
    dash._pages.CONFIG.__dict__.clear()


def page_layout(path: str) -> Callable:
    """The ``layout`` function of the registered page at ``path``."""
    for page in dash.page_registry.values():
        if page["path"] == path:
            return page["layout"]
    raise AssertionError(f"no page at {path}")
