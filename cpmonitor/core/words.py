"""What a hidden value reads, for a given disclosure threshold: one home for the words.

The dashboard (``dashboards/words.py``, with the threshold of the app serving the request), the
reports and the exports all take their words from here, so an installation with a threshold of 10
never tells its donors "fewer than 5".
"""

from __future__ import annotations

import re
from typing import Any

# The words every hidden value starts with (alone where a table's status column gives the reason).
NOT_SHOWN = "Not shown"
NOT_SHOWN_OTHER = f"{NOT_SHOWN} (protects another figure)"
PROTECTS_ANOTHER_WHY = (
    "Not shown so that a small count elsewhere (another place, group or period) cannot be worked "
    "out by subtraction"
)
EXACT_NOTE = (
    "Exact figures, small counts included: for use within the ministry. Donors and the public "
    "see these values with small counts protected."
)


def fewer_than(threshold: int) -> str:
    """``fewer than 5``."""
    return f"fewer than {threshold}"


def not_shown_small(threshold: int) -> str:
    """A small count, or a rate or median resting on one: ``Not shown (fewer than 5)``."""
    return f"{NOT_SHOWN} ({fewer_than(threshold)})"


def hidden_words(reason: Any, threshold: int) -> str:
    """``NOT_SHOWN_OTHER`` for a value hidden to protect another (``protects_another``), else
    ``not_shown_small``."""
    return NOT_SHOWN_OTHER if reason == "protects_another" else not_shown_small(threshold)


def small_count_why(threshold: int) -> str:
    """``Fewer than 5 children or events``."""
    return f"Fewer than {threshold} children or events"


def privacy_note(threshold: int) -> str:
    """The note under every view, table or file a protected audience sees."""
    return (
        f"Values based on {fewer_than(threshold)} children or events are not shown to protect "
        "privacy, nor are the values that would let them be worked out (marked “not shown”)."
    )


def gaps_note(threshold: int) -> str:
    """Under a trend with hidden values."""
    return (
        f"Gaps: values not shown ({fewer_than(threshold)} children or events, or to protect "
        "another figure)"
    )


def hidden_series(threshold: int) -> str:
    """Instead of a trend whose every value is hidden."""
    return (
        f"Every value here is hidden: {fewer_than(threshold)} children or events, or it would let "
        "one be worked out"
    )


def every_group_hidden(group_title: str, threshold: int) -> str:
    """Instead of a breakdown whose every group is hidden."""
    return f"{group_title}: {fewer_than(threshold)} children or events in every group (not shown)."


# A whole number standing alone in free text: not part of a date, a decimal, a code or a percentage.
_LONE_NUMBER = re.compile(r"(?<![\w.\-/:])(\d+)(?![\w.\-/:%]|\.\d)")


def redact_small_counts(text: Any, threshold: int) -> Any:
    """``text`` with every lone whole number from 1 to ``threshold - 1`` written ``<threshold``
    (check details and refusal reasons shown to a protected audience); anything but a string is
    returned as it is."""
    if not isinstance(text, str):
        return text

    def swap(match: re.Match[str]) -> str:
        number = int(match.group(1))
        return f"<{threshold}" if 0 < number < threshold else match.group(1)

    return _LONE_NUMBER.sub(swap, text)
