"""Ingest: validate delivered feed files against their data contracts, pseudonymise, quarantine."""
