"""Data exchange (``cpmonitor export``): the indicator values of a published warehouse, as one
audience may read them, written as tidy CSV, Parquet, Excel, SDMX-CSV and DHIS2 payloads. Every file
names the warehouse version it came from, and the same version gives the same bytes.
"""
