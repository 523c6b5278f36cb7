"""The bottom layer: settings, Parquet I/O, periods, connections, ledger statuses, contracts, catalogue.

Nothing here imports a first-party module outside ``cpmonitor.core`` (import-linter checks it).
"""
