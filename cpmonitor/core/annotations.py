"""Notes on a trend: a planner marks a point of an indicator's trend ("new gatekeeping policy").

An annotation belongs to one view: an indicator, a place (``geo_code``; None for the nation) and a
period (``2019-03``, ``2019-Q1`` or ``2019``). It is kept with its author and the time it was
written in the installation's writable state, the ``annotations`` table of
``<data dir>/state/access.sqlite`` (``cpmonitor.core.users``, same owner-only file and connection);
never in the published warehouse, which stays read-only. A deleted note is kept with
``deleted_at`` set and no longer shown. The table is created on first use, so an access database
made before annotations existed keeps working unchanged.

Who:

- writing needs the power ``annotate`` (``access.yml``);
- the author may delete their own note, an admin any note;
- reading (``for_view``): a role that may open the indicator page sees the notes of the views it may
  see. A note on a place of a level the role does not see (a district, for a donor) is never
  returned. A note on a month or a quarter is shown on a coarser trend (the quarter or year that
  holds it) and labelled with that coarser period only, so a year-only role sees it on its year and
  learns nothing finer than a year from the label (the text itself is written by planners to be
  shared). A note on a coarser period than the trend (a year, on a monthly trend) is shown on the
  year itself, when the role sees years.

Text is one line (whitespace runs become one space), stripped, 1 to ``TEXT_MAX`` characters, and
always shown as text (never as HTML or Plotly markup: see ``plain``).
"""

from __future__ import annotations

import datetime as dt
import html
import re
import sqlite3
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from cpmonitor.core import periods
from cpmonitor.core.access import Role
from cpmonitor.core.settings import Settings
from cpmonitor.core.users import _connect

TEXT_MAX = 280
ANNOTATE = "annotate"
PAGE = "indicator"
NATIONAL_CODES = ("NAT",)
_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
_PERIOD_TYPE = {"monthly": "month", "quarterly": "quarter", "yearly": "year"}
_FREQUENCY = {kind: frequency for frequency, kind in _PERIOD_TYPE.items()}
_RANK = {"year": 0, "quarter": 1, "month": 2}  # coarse to fine

_SCHEMA = (
    """
    CREATE TABLE IF NOT EXISTS annotations (
        id             INTEGER PRIMARY KEY AUTOINCREMENT,
        indicator_code TEXT NOT NULL,
        geo_code       TEXT,
        period_id      TEXT NOT NULL,
        text           TEXT NOT NULL,
        author         TEXT NOT NULL,
        created_at     REAL NOT NULL,
        deleted_at     REAL
    )
    """,
    "CREATE INDEX IF NOT EXISTS annotations_view ON annotations (indicator_code, geo_code)",
)
_COLUMNS = "id, indicator_code, geo_code, period_id, text, author, created_at, deleted_at"


class AnnotationError(ValueError):
    """A note that cannot be written or deleted (empty or too long text, bad period, unknown id)."""


class AnnotationRefused(PermissionError):
    """The role may not write this note, or the user may not delete it."""


@dataclass(frozen=True)
class Annotation:
    id: int
    indicator_code: str
    geo_code: str | None  # None: the nation
    period_id: str
    text: str
    author: str
    created_at: float
    deleted_at: float | None

    @property
    def period_type(self) -> str:
        return period_type_of(self.period_id)

    @property
    def when(self) -> dt.datetime:
        return dt.datetime.fromtimestamp(self.created_at, tz=dt.UTC)


@dataclass(frozen=True)
class Shown:
    """A note as one trend shows it: on ``period_id`` (of ``period_type``), labelled ``label``."""

    annotation: Annotation
    period_id: str
    period_type: str
    label: str
    start: dt.date
    end: dt.date

    @property
    def middle(self) -> dt.date:
        return self.start + (self.end - self.start) / 2

    def hover(self) -> str:
        """``text — author, date`` (the date the note was written)."""
        note = self.annotation
        return f"{note.text} — {note.author}, {note.when.strftime('%-d %b %Y')}"


def _now(now: float | None) -> float:
    return time.time() if now is None else now


@contextmanager
def _connect_notes(settings: Settings) -> Iterator[sqlite3.Connection]:
    """The access database in a write transaction, with the annotations table made if missing."""
    with _connect(settings) as conn:
        for statement in _SCHEMA:
            conn.execute(statement)
        yield conn


def period_type_of(period_id: str) -> str:
    """``month``, ``quarter`` or ``year`` for ``2019-03``, ``2019-Q1`` or ``2019``."""
    return _PERIOD_TYPE[periods.frequency_of(period_id)]


def period_label(period_id: str) -> str:
    """``Mar 2019``, ``2019 Q1`` or ``2019`` (the warehouse's labels)."""
    kind = period_type_of(period_id)
    if kind == "month":
        return periods.period_start(period_id).strftime("%b %Y")
    return period_id.replace("-", " ") if kind == "quarter" else period_id


def national(geo_code: str | None) -> str | None:
    """The stored place: None for the nation (``NAT`` or nothing), else the code."""
    return None if geo_code is None or geo_code in NATIONAL_CODES or geo_code == "" else geo_code


def clean_text(text: str) -> str:
    """One line, stripped; ``AnnotationError`` when empty or longer than ``TEXT_MAX``."""
    line = " ".join(str(text or "").split())
    if not line:
        raise AnnotationError("write a note first")
    if len(line) > TEXT_MAX:
        raise AnnotationError(f"a note has at most {TEXT_MAX} characters (this one {len(line)})")
    return line


def plain(text: str) -> str:
    """``text`` safe inside a Plotly label or hover text, which read a few HTML tags (``<b>``,
    ``<a href>``) and entities: every ``<``, ``>`` and ``&`` is escaped, so it shows as typed."""
    return html.escape(text, quote=False)


def _check_view(indicator_code: str, geo_code: str | None, period_id: str) -> None:
    if not _CODE.match(indicator_code or ""):
        raise AnnotationError(f"not an indicator code: {indicator_code!r}")
    if geo_code is not None and not _CODE.match(geo_code):
        raise AnnotationError(f"not a place code: {geo_code!r}")
    if not any(pattern.match(period_id or "") for pattern in periods.PERIOD_PATTERNS.values()):
        raise AnnotationError(f"not a period: {period_id!r} (2019-03, 2019-Q1 or 2019)")


def add_annotation(
    settings: Settings,
    *,
    indicator_code: str,
    geo_code: str | None,
    period_id: str,
    text: str,
    author: str,
    role: Role,
    now: float | None = None,
) -> Annotation:
    """Store a note by ``author`` (whose role must hold ``annotate``) and return it."""
    if not role.may(ANNOTATE):
        raise AnnotationRefused(f"the role {role.name!r} may not write notes")
    geo = national(geo_code)
    _check_view(indicator_code, geo, period_id)
    line = clean_text(text)
    if not author:
        raise AnnotationError("a note needs its author")
    at = _now(now)
    with _connect_notes(settings) as conn:
        cursor = conn.execute(
            "INSERT INTO annotations (indicator_code, geo_code, period_id, text, author, "
            "created_at) VALUES (?, ?, ?, ?, ?, ?)",
            (indicator_code, geo, period_id, line, author, at),
        )
        note_id = int(cursor.lastrowid or 0)
    return Annotation(note_id, indicator_code, geo, period_id, line, author, at, None)


def get_annotation(settings: Settings, annotation_id: int) -> Annotation | None:
    """The note ``annotation_id`` (deleted or not), or None."""
    with _connect_notes(settings) as conn:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM annotations WHERE id = ?", (int(annotation_id),)
        ).fetchone()
    return Annotation(*row) if row else None


def may_delete(note: Annotation, username: str | None, role: Role) -> bool:
    """The author may delete their own note; an admin any."""
    return role.name == "admin" or (username is not None and note.author == username)


def delete_annotation(
    settings: Settings,
    annotation_id: int,
    *,
    username: str | None,
    role: Role,
    now: float | None = None,
) -> Annotation:
    """Mark the note deleted (``deleted_at``) and return it as it was."""
    at = _now(now)
    with _connect_notes(settings) as conn:
        row = conn.execute(
            f"SELECT {_COLUMNS} FROM annotations WHERE id = ? AND deleted_at IS NULL",
            (int(annotation_id),),
        ).fetchone()
        if row is None:
            raise AnnotationError(f"no note {annotation_id}")
        note = Annotation(*row)
        if not may_delete(note, username, role):
            raise AnnotationRefused("only its author or an admin may delete a note")
        conn.execute("UPDATE annotations SET deleted_at = ? WHERE id = ?", (at, note.id))
    return note


def list_annotations(
    settings: Settings, indicator_code: str, geo_code: str | None
) -> list[Annotation]:
    """The notes (not deleted) of one indicator and place, by period then time written."""
    geo = national(geo_code)
    with _connect_notes(settings) as conn:
        rows = conn.execute(
            f"SELECT {_COLUMNS} FROM annotations WHERE indicator_code = ? "
            "AND geo_code IS ? AND deleted_at IS NULL ORDER BY created_at, id",
            (indicator_code, geo),
        ).fetchall()
    notes = [Annotation(*row) for row in rows]
    return sorted(notes, key=lambda n: (periods.period_start(n.period_id), n.created_at, n.id))


def place_on_trend(
    notes: Iterable[Annotation], role: Role, *, geo_level: str, period_type: str
) -> list[Shown]:
    """The notes ``role`` may see on the trend of ``period_type`` of a place of ``geo_level``
    (see the module's docstring), each on the period of that trend that holds it."""
    if not role.may_open(PAGE) or not role.sees_level(geo_level):
        return []
    trend = role.period_or_nearest(period_type)
    shown: list[Shown] = []
    for note in notes:
        kind = note.period_type
        if _RANK[kind] >= _RANK[trend]:
            start = periods.period_start(note.period_id)
            period_id, kind = periods.period_of(start, _FREQUENCY[trend]), trend
        elif role.sees_period(kind):
            period_id = note.period_id
        else:
            continue
        shown.append(
            Shown(
                note,
                period_id,
                kind,
                period_label(period_id),
                periods.period_start(period_id),
                periods.period_end(period_id),
            )
        )
    return sorted(shown, key=lambda s: (s.start, s.annotation.created_at, s.annotation.id))


def for_view(
    settings: Settings,
    role: Role,
    *,
    indicator_code: str,
    geo_code: str | None,
    geo_level: str,
    period_type: str,
) -> list[Shown]:
    """The notes of one trend (indicator, place of ``geo_level``, period type) as ``role`` may see
    them; nothing is read for a role that may not see the place."""
    if not role.may_open(PAGE) or not role.sees_level(geo_level):
        return []
    notes = list_annotations(settings, indicator_code, geo_code)
    return place_on_trend(notes, role, geo_level=geo_level, period_type=period_type)
