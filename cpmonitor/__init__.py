"""cpmonitor: national child protection indicators warehouse and dashboard."""

__version__ = "0.1.0"
