"""The Child Protection Monitor dashboard (Plotly Dash), built by ``create_app(settings)``."""

from dashboards.app import create_app

__all__ = ["create_app"]
