"""Great Expectations suites: feed suites built from the data contracts, and the mart suite.

GX is imported lazily (it takes seconds to import) and always validates pandas DataFrames: its SQL
path does not work with DuckDB.
"""
