"""What a hidden value reads on the dashboard: ``cpmonitor.core.words`` with the installation's
disclosure threshold.

The threshold is ``access.yml``'s (``disclosure.threshold``, read by the sign-in layer into the
app's config); outside a request (a test building a figure) it is ``DEFAULT_THRESHOLD``. Every page,
figure and table takes its words from here.
"""

from __future__ import annotations

from typing import Any

import flask

from cpmonitor.core import words
from cpmonitor.core.words import EXACT_NOTE, NOT_SHOWN_OTHER, PROTECTS_ANOTHER_WHY

__all__ = ["EXACT_NOTE", "NOT_SHOWN_OTHER", "PROTECTS_ANOTHER_WHY"]

POLICY_KEY = "CPMONITOR_ACCESS"
"""Flask config key of the installation's ``AccessPolicy`` (set by the sign-in layer)."""
DEFAULT_THRESHOLD = 5


def threshold() -> int:
    """The disclosure threshold of the app serving this request."""
    if flask.has_app_context():
        policy = flask.current_app.config.get(POLICY_KEY)
        if policy is not None:
            return int(policy.threshold)
    return DEFAULT_THRESHOLD


def fewer_than() -> str:
    return words.fewer_than(threshold())


def not_shown_small() -> str:
    return words.not_shown_small(threshold())


def hidden_words(reason: Any) -> str:
    return words.hidden_words(reason, threshold())


def small_count_why() -> str:
    return words.small_count_why(threshold())


def privacy_note() -> str:
    return words.privacy_note(threshold())


def gaps_note() -> str:
    return words.gaps_note(threshold())


def hidden_series() -> str:
    return words.hidden_series(threshold())


def every_group_hidden(group_title: str) -> str:
    return words.every_group_hidden(group_title, threshold())
