"""Route ``/indicator``: one indicator in detail (content in ``dashboards.indicator``)."""

from typing import Any

import dash
from dash import html

from dashboards.context import current_warehouse
from dashboards.indicator import page_layout

dash.register_page(
    __name__,
    path="/indicator",
    name="Indicators",
    title="Indicator · Child Protection Monitor",
    order=2,
)


def layout(code: str | None = None, geo: str | None = None, **_query: Any) -> html.Div:
    """Fresh on every visit; ``?code=AC06&geo=01`` preselects the indicator and the place."""
    return page_layout(current_warehouse(), code, geo)
