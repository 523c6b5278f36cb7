"""Route ``/``: the care reform page (content in ``dashboards.care``)."""

from typing import Any

import dash
from dash import html

from dashboards.care import page_layout
from dashboards.context import current_warehouse

dash.register_page(
    __name__, path="/", name="Care reform", title="Care reform · Child Protection Monitor", order=0
)


def layout(province: str | None = None, **_query: Any) -> html.Div:
    """Fresh on every visit; ``?province=<code>`` preselects a province."""
    return page_layout(current_warehouse(), province)
