"""Route ``/scorecard``: every indicator against its target (content in ``dashboards.scorecard``)."""

from typing import Any

import dash
from dash import html

from dashboards.context import current_warehouse
from dashboards.scorecard import page_layout

dash.register_page(
    __name__,
    path="/scorecard",
    name="Scorecard",
    title="Scorecard · Child Protection Monitor",
    order=1,
)


def layout(sector: str | None = None, **_query: Any) -> html.Div:
    """Fresh on every visit; ``?sector=<code>`` preselects a sector."""
    return page_layout(current_warehouse(), sector)
