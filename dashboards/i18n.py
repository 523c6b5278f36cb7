"""The interface in more than one language: gettext catalogues read at run time.

Every piece of interface text of the dashboard goes through ``_()`` (or ``ngettext()``); a
module-level constant is marked with ``N_()`` (no translation at import, only a marker for the
extractor) and translated where it is shown, ``_(LEAD)``, or made a ``lazy_gettext`` string.
Data from the warehouse (indicator names and definitions, place names) is never translated.

The catalogues are text only: ``translations/messages.pot`` (extracted from the source, ``make
messages``) and ``translations/<lang>/LC_MESSAGES/messages.po``, read at run time with Babel's
``read_po`` into gettext ``Translations`` (nothing compiled, no build step; a fuzzy entry is left
out and shows in English).

The language of a request is on ``flask.g`` (``LANG_KEY``), chosen by the sign-in layer
(``dashboards.security``): ``?lang=``, then the signed-in user's stored choice
(``cpmonitor.core.preferences``), then the ``cp_lang`` cookie, then the browser's
``Accept-Language``, then English. Outside a request (a test building a layout) it is English,
or the one set by ``use_language``.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path
from typing import Any

import flask
from babel import Locale, dates, numbers
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import LazyProxy, Translations

LANGUAGES = {"en": "English", "fr": "Français"}
"""The languages of the interface, each named in itself (as the picker shows them)."""
DEFAULT_LANGUAGE = "en"
LANG_KEY = "cp_lang"
"""``flask.g`` attribute holding the request's language."""
COOKIE = "cp_lang"
"""Cookie remembering the choice of a visitor who is not signed in."""
TRANSLATIONS_DIR = Path(__file__).resolve().parent / "translations"
DOMAIN = "messages"

_forced: ContextVar[str | None] = ContextVar("cp_forced_language", default=None)


def po_file(language: str) -> Path:
    return TRANSLATIONS_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@cache
def translations(language: str) -> gettext.NullTranslations:
    """The catalogue of ``language`` (English: the source text itself)."""
    path = po_file(language)
    if language == DEFAULT_LANGUAGE or not path.exists():
        return gettext.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog, use_fuzzy=False)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def normalise(language: Any) -> str | None:
    """``fr`` for ``fr``, ``FR``, ``fr-BE`` or ``fr_CA``; None for a language the app does not
    have."""
    if not isinstance(language, str):
        return None
    base = language.strip().replace("_", "-").split("-", 1)[0].lower()
    return base if base in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The language of the app that an ``Accept-Language`` header prefers most, or None."""
    wanted = []
    for index, part in enumerate((header or "").split(",")):
        tag, _sep, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            name, _eq, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        language = normalise(tag)
        if language and quality > 0:
            wanted.append((-quality, index, language))
    return min(wanted)[2] if wanted else None


def current_language() -> str:
    """The language of the text being built now."""
    forced = _forced.get()
    if forced:
        return forced
    if flask.has_app_context():
        language = flask.g.get(LANG_KEY)
        if language in LANGUAGES:
            return language
    return DEFAULT_LANGUAGE


@contextmanager
def use_language(language: str) -> Iterator[None]:
    """Build text in ``language`` inside the block (tests, a report, a background job)."""
    token = _forced.set(normalise(language) or DEFAULT_LANGUAGE)
    try:
        yield
    finally:
        _forced.reset(token)


def _(message: str) -> str:
    """``message`` in the current language."""
    return translations(current_language()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """``singular`` or ``plural`` for ``n``, in the current language (French: 0 and 1 singular)."""
    return translations(current_language()).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for the extractor only; translate it where it is shown: ``_(CONSTANT)``."""
    return message


def lazy_gettext(message: str) -> LazyProxy:
    """``message`` translated when it is used as text, in the language of that moment."""
    return LazyProxy(_, message, enable_cache=False)


def locale() -> Locale:
    return Locale.parse(current_language())


def format_number(value: float | int, digits: int = 0) -> str:
    """``12,345`` in English, ``12 345`` in French."""
    pattern = "#,##0" + ("." + "0" * digits if digits > 0 else "")
    return numbers.format_decimal(value, format=pattern, locale=locale())


def format_day(value: dt.date | dt.datetime) -> str:
    """``15 Jan 2019`` in English, ``15 janv. 2019`` in French."""
    return dates.format_date(value, format="d MMM y", locale=locale())


def format_month(value: dt.date | dt.datetime) -> str:
    """``Jan 2019`` in English, ``janv. 2019`` in French."""
    return dates.format_date(value, format="MMM y", locale=locale())


def language_names() -> dict[str, str]:
    return dict(LANGUAGES)
