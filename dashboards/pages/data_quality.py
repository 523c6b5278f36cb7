"""Route ``/data-quality``: deliveries, refused files and failed checks (content in ``dashboards.data_quality``)."""

from typing import Any

import dash
from dash import html

from dashboards.context import current_warehouse
from dashboards.data_quality import page_layout

dash.register_page(
    __name__,
    path="/data-quality",
    name="Data quality",
    title="Data quality · Child Protection Monitor",
    order=3,
)


def layout(**_query: Any) -> html.Div:
    """Fresh on every visit."""
    return page_layout(current_warehouse())
