"""What `cpmonitor status` says about the disclosure stage of the last run."""

from __future__ import annotations

from cpmonitor.status import protection_lines

FIGURES = {
    "levels": "national, province",
    "periods": "year",
    "cells": 63_589,
    "primary": 10_221,
    "secondary": 6_794,
    "suppressed_share": 0.2676,
    "recoverable": 0,
}


def test_audiences_sharing_one_protection_read_as_one_line() -> None:
    run = {
        "protection": {
            "passed": True,
            "protect_seconds": 0.92,
            "audit_seconds": 4.2,
            "audiences": {"donor": FIGURES, "public": FIGURES},
        }
    }
    assert protection_lines(run) == [
        "Disclosure control: audit passed (0.9 s to protect, 4.2 s to audit)",
        "donor and public (national, province; year): 63,589 cells, 10,221 small counts hidden "
        "and 6,794 more that would give them away (26.8% hidden)",
    ]


def test_a_failed_audit_says_so_and_a_run_without_the_stage_says_nothing() -> None:
    run = {
        "protection": {
            "passed": False,
            "protect_seconds": 1.0,
            "audit_seconds": 2.0,
            "audiences": {"donor": {**FIGURES, "recoverable": 2}},
        }
    }
    assert protection_lines(run)[0].startswith("Disclosure control: audit FAILED")
    assert protection_lines(run)[1].endswith("(26.8% hidden); 2 could still be worked out")
    assert protection_lines({"status": "failed"}) == []
    assert protection_lines(None) == []
