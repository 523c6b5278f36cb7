"""The sentences of a progress report, written from numbers (pure functions, no I/O).

``content.build_report`` works out the figures and formats them; these functions only put
already-formatted figures into plain English, so no figure is ever typed by hand and a hidden
value never reaches a sentence (its callers pass the hidden-value words instead, or leave it out).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Movement:
    """One indicator's change between two periods, already formatted."""

    name: str
    before: str  # "9.1%"
    after: str  # "13.6%"


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``1 indicator``, ``3 indicators``."""
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def verb(n: int, singular: str, plural: str) -> str:
    """``is``/``are`` for ``n`` things."""
    return singular if n == 1 else plural


def join_words(parts: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    parts = list(parts)
    if not parts:
        return ""
    if len(parts) == 1:
        return parts[0]
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def scope_sentence(
    n_indicators: int, n_sectors: int, n_with_value: int, n_current: int, period_label: str
) -> str:
    """What the report covers and how much of it has data."""
    text = (
        f"This report follows the {count(n_indicators, 'indicator')} of the national child "
        f"protection monitoring framework in {count(n_sectors, 'sector')}. "
        f"{count(n_with_value, 'indicator').capitalize()} {verb(n_with_value, 'has', 'have')} a "
        f"national value to report"
    )
    older = n_with_value - n_current
    if older > 0:
        text += (
            f", {n_current:,} of them for {period_label} itself and {older:,} from an earlier "
            "period (survey years and yearly collections)"
        )
    return text + "."


def status_sentence(
    *,
    with_target: int,
    on_track: int,
    achieved: int,
    off_track: int,
    not_reached: int,
    not_shown: int,
    no_value: int,
    period_label: str,
) -> str:
    """How many indicators with a target are on and off track (``achieved``: of the on-track
    ones, those whose target year has ended; ``not_reached``: the same of the off-track ones)."""
    if with_target == 0:
        return "No indicator of the framework has a target."
    judged = []
    still = on_track - achieved
    if still:
        judged.append(f"{still:,} {verb(still, 'is', 'are')} on track")
    if achieved:
        judged.append(
            f"{achieved:,} {verb(achieved, 'has', 'have')} reached {verb(achieved, 'its', 'their')}"
            " target"
        )
    behind = off_track - not_reached
    if behind:
        judged.append(f"{behind:,} {verb(behind, 'is', 'are')} off track")
    if not_reached:
        judged.append(
            f"{not_reached:,} did not reach {verb(not_reached, 'its', 'their')} target by "
            f"{verb(not_reached, 'its', 'their')} target year"
        )
    if not judged:
        judged.append("none can be judged")
    text = f"Of the {count(with_target, 'indicator')} with a target, {join_words(judged)}"
    rest = []
    if not_shown:
        rest.append(f"{not_shown:,} {verb(not_shown, 'is', 'are')} not shown to protect privacy")
    if no_value:
        rest.append(f"{no_value:,} {verb(no_value, 'has', 'have')} no value for {period_label}")
    if rest:
        text += "; " + join_words(rest)
    return text + "."


def _movements(items: Sequence[Movement]) -> str:
    return join_words([f"{m.name} ({m.before} to {m.after})" for m in items])


def changes_sentences(
    improved: Sequence[Movement],
    worsened: Sequence[Movement],
    *,
    compared: int,
    before_label: str,
) -> tuple[str, ...]:
    """Which indicators improved and worsened most against the same period a year before."""
    if compared == 0:
        return (f"No indicator with a preferred direction can be compared with {before_label}.",)
    head = (
        f"Compared with {before_label} ({count(compared, 'indicator')} with a preferred "
        "direction and a value in both periods)"
    )
    if improved:
        noun = "improvement was" if len(improved) == 1 else "improvements were"
        first = f"{head}, the largest {noun} in {_movements(improved)}."
    else:
        first = f"{head}, none improved."
    if worsened:
        noun = "setback was" if len(worsened) == 1 else "setbacks were"
        second = f"The largest {noun} in {_movements(worsened)}."
    else:
        second = "None worsened."
    return first, second


def care_reform_sentence(
    *,
    value: str | None,
    hidden_words: str | None,
    baseline_label: str,
    period_label: str,
    target: str | None,
    target_year: str | None,
    status_label: str,
    achievement: str | None,
) -> str:
    """Reintegration (AC07) against the care-reform target."""
    against = f", against the target of {target} by {target_year}" if target else ""
    if hidden_words:
        return (
            f"Care reform: the share of the children in residential care on {baseline_label} who "
            f"have since been reintegrated with their families is not shown for {period_label} "
            f"({hidden_words})."
        )
    if value is None:
        return f"Care reform: there is no value of reintegration for {period_label}{against}."
    way = f" ({achievement} of the way from the baseline)" if achievement else ""
    return (
        f"Care reform: {value} of the children living in residential care on {baseline_label} "
        f"had been reintegrated with their families by the end of {period_label}{against}: "
        f"{status_label.lower()}{way}."
    )


def stock_sentence(
    *, what: str, latest: str, latest_label: str, first: str | None, first_label: str | None,
    change: str | None,
) -> str:  # fmt: skip
    """``At the end of 2018, 2,142 children lived in residential care institutions, 504 fewer
    (-19.0%) than at the end of 2015 (2,646).``"""
    text = f"At the end of {latest_label}, {latest} {what}"
    if first is not None and first_label is not None and change:
        text += f", {change} than at the end of {first_label} ({first})"
    return text + "."


def provinces_sentence(
    *, what: str, lowest: tuple[str, str], highest: tuple[str, str], hidden: int, period_label: str
) -> str:
    """``By province in 2018, reintegration ranged from 11.4% (Southhill) to 14.8% (Northlake).``"""
    text = (
        f"By province in {period_label}, {what} ranged from {lowest[1]} ({lowest[0]}) to "
        f"{highest[1]} ({highest[0]})"
    )
    if hidden:
        text += f"; {count(hidden, 'province')} not shown to protect privacy"
    return text + "."


def sector_sentence(
    *, n: int, with_value: int, on_track: int, off_track: int, with_target: int
) -> str:
    """One line under a sector's title."""
    text = f"{count(n, 'indicator')}, {with_value:,} with a national value to report"
    if with_target and on_track + off_track == 0:
        text += f"; none of the {count(with_target, 'indicator')} with a target has a value"
    elif with_target:
        text += (
            f"; of the {with_target:,} with a target, {on_track:,} on track or reached and "
            f"{off_track:,} off track"
        )
    return text + "."


def completeness_sentence(*, expected: int, received: int, on_time: int, period_label: str) -> str:
    """Deliveries expected in the period and how many arrived."""
    if expected == 0:
        return f"No delivery was expected for {period_label}."
    share = 100.0 * received / expected
    timely = 100.0 * on_time / expected
    return (
        f"Of the {count(expected, 'delivery', 'deliveries')} expected from the reporting "
        f"entities for {period_label}, {received:,} arrived ({share:.1f}%) and {on_time:,} on "
        f"time ({timely:.1f}%)."
    )
