"""What a hidden value reads on the dashboard: ``cpmonitor.core.words`` with the installation's
disclosure threshold, in the request's language (``dashboards.i18n``).

The threshold is ``access.yml``'s (``disclosure.threshold``, read by the sign-in layer into the
app's config); outside a request (a test building a figure) it is ``DEFAULT_THRESHOLD``. Every page,
figure and table takes its words from here. In English the words are exactly the core's (the
reports and exports use those); ``tests/unit/test_i18n.py`` holds the two together.
"""

from __future__ import annotations

from typing import Any

import flask

from cpmonitor.core.words import EXACT_NOTE, NOT_SHOWN_OTHER, PROTECTS_ANOTHER_WHY
from dashboards.i18n import _

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


def not_shown() -> str:
    return _("Not shown")


def not_shown_other() -> str:
    """``NOT_SHOWN_OTHER`` in the request's language."""
    return _("Not shown (protects another figure)")


def protects_another_why() -> str:
    """``PROTECTS_ANOTHER_WHY`` in the request's language."""
    return _(
        "Not shown so that a small count elsewhere (another place, group or period) cannot be "
        "worked out by subtraction"
    )


def exact_note() -> str:
    """``EXACT_NOTE`` in the request's language."""
    return _(
        "Exact figures, small counts included: for use within the ministry. Donors and the public "
        "see these values with small counts protected."
    )


def fewer_than() -> str:
    return _("fewer than {threshold}").format(threshold=threshold())


def not_shown_small() -> str:
    return _("Not shown ({fewer_than})").format(fewer_than=fewer_than())


def hidden_words(reason: Any) -> str:
    return not_shown_other() if reason == "protects_another" else not_shown_small()


def small_count_why() -> str:
    return _("Fewer than {threshold} children or events").format(threshold=threshold())


def privacy_note() -> str:
    return _(
        "Values based on {fewer_than} children or events are not shown to protect privacy, nor "
        "are the values that would let them be worked out (marked “not shown”)."
    ).format(fewer_than=fewer_than())


def gaps_note() -> str:
    return _(
        "Gaps: values not shown ({fewer_than} children or events, or to protect another figure)"
    ).format(fewer_than=fewer_than())


def hidden_series() -> str:
    return _(
        "Every value here is hidden: {fewer_than} children or events, or it would let one be "
        "worked out"
    ).format(fewer_than=fewer_than())


def every_group_hidden(group_title: str) -> str:
    return _("{group}: {fewer_than} children or events in every group (not shown).").format(
        group=group_title, fewer_than=fewer_than()
    )
