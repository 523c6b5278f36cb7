"""What a hidden value reads, in one place, with the installation's disclosure threshold.

The threshold is ``access.yml``'s (``disclosure.threshold``, read by the sign-in layer into the
app's config); outside a request (a test building a figure) it is ``DEFAULT_THRESHOLD``. Every page,
figure and table takes its words from here, so an installation with a threshold of 10 never tells
its donors "fewer than 5".
"""

from __future__ import annotations

from typing import Any

import flask

POLICY_KEY = "CPMONITOR_ACCESS"
"""Flask config key of the installation's ``AccessPolicy`` (set by the sign-in layer)."""
DEFAULT_THRESHOLD = 5
NOT_SHOWN_OTHER = "Not shown (protects another figure)"
PROTECTS_ANOTHER_WHY = (
    "Not shown so that a small count elsewhere (another place, group or period) cannot be worked "
    "out by subtraction"
)
EXACT_NOTE = (
    "Exact figures, small counts included: for use within the ministry. Donors and the public "
    "see these values with small counts protected."
)


def threshold() -> int:
    """The disclosure threshold of the app serving this request."""
    if flask.has_app_context():
        policy = flask.current_app.config.get(POLICY_KEY)
        if policy is not None:
            return int(policy.threshold)
    return DEFAULT_THRESHOLD


def fewer_than() -> str:
    """``fewer than 5`` (the threshold)."""
    return f"fewer than {threshold()}"


def not_shown_small() -> str:
    """A small count, or a rate or median resting on one: ``Not shown (fewer than 5)``."""
    return f"Not shown ({fewer_than()})"


def hidden_words(reason: Any) -> str:
    """``NOT_SHOWN_OTHER`` for a value hidden to protect another (``protects_another``), else
    ``not_shown_small()``."""
    return NOT_SHOWN_OTHER if reason == "protects_another" else not_shown_small()


def small_count_why() -> str:
    """The tooltip of a small count: ``Fewer than 5 children or events``."""
    return f"Fewer than {threshold()} children or events"


def privacy_note() -> str:
    """The footnote under every view a protected role sees."""
    return (
        f"Values based on {fewer_than()} children or events are not shown to protect privacy, "
        "nor are the values that would let them be worked out (marked “not shown”)."
    )


def gaps_note() -> str:
    """Under a trend with hidden values."""
    return (
        f"Gaps: values not shown ({fewer_than()} children or events, or to protect another figure)"
    )


def hidden_series() -> str:
    """Instead of a trend whose every value is hidden."""
    return (
        f"Every value here is hidden: {fewer_than()} children or events, or it would let one be "
        "worked out"
    )


def every_group_hidden(group_title: str) -> str:
    """Instead of a breakdown whose every group is hidden."""
    return f"{group_title}: {fewer_than()} children or events in every group (not shown)."
