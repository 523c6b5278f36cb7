"""The interface in French: a complete catalogue, pages rendered in French, the choice stored per
user and the browser's language for visitors (``dashboards.i18n``)."""

from __future__ import annotations

import json
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from auth_helpers import PLANNER, client_for, dash_headers
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po

from cpmonitor.core import preferences, users
from cpmonitor.core import words as core_words
from cpmonitor.core.settings import Settings
from dashboards import i18n, queries, words
from dashboards.app import create_app
from dashboards.pages import indicator, scorecard

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_POLICY = ROOT / "access.yml"
PLACEHOLDER = re.compile(r"\{[a-z_]*\}|%\([a-z_]+\)[sd]|%[sd]")
# English interface words that must not be left on a page shown in French.
ENGLISH_UI = (
    "Scorecard",
    "All sectors",
    "Latest national value",
    "Change over a year",
    "Recent trend",
    "On track",
    "Off track",
    "No target",
    "National trend",
    "Sector page",
    "of the way",
    "Sources:",
    "Published ",
    "Download",
    "Counted (numerator)",
    "Out of (denominator)",
    "How it is counted",
    "By group",
    "by month",
    "Latest:",
    "Not shown",
)
ROUTE_BODY = {
    "output": "..cp-page-content.children...cp-page-title.data..",
    "outputs": [
        {"id": "cp-page-content", "property": "children"},
        {"id": "cp-page-title", "property": "data"},
    ],
    "inputs": [
        {"id": "cp-location", "property": "pathname", "value": "/scorecard"},
        {"id": "cp-location", "property": "search", "value": ""},
    ],
    "changedPropIds": ["cp-location.pathname"],
    "state": [],
}


def _settings(warehouse: Path, tmp_path: Path, *, public: bool = False) -> Settings:
    settings = Settings.from_env(tmp_path / "data")
    settings.warehouse_file.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(warehouse, settings.warehouse_file)
    if public:
        text = DEFAULT_POLICY.read_text().replace("enabled: false", "enabled: true")
        (settings.data_dir / "access.yml").write_text(text)
    return settings


def _texts(node: Any) -> list[str]:
    """Every piece of text a component tree shows or says: children, labels, titles, alt texts,
    placeholders and aria-labels (figures: their titles, axis titles, annotations and names)."""
    found: list[str] = []
    if node is None:
        return found
    if isinstance(node, str):
        return [node]
    if isinstance(node, list | tuple):
        for item in node:
            found += _texts(item)
        return found
    if isinstance(node, dict):
        for key, value in node.items():
            if key in ("label", "title", "text", "name") and isinstance(value, str):
                found.append(value)
            elif isinstance(value, dict | list | tuple):
                found += _texts(value)
        return found
    if hasattr(node, "to_plotly_json") and not hasattr(node, "_prop_names"):
        return _texts(node.to_plotly_json())  # a plotly figure
    props = node.to_plotly_json().get("props", {}) if hasattr(node, "to_plotly_json") else {}
    for key, value in props.items():
        if key in ("title", "alt", "placeholder", "aria-label") and isinstance(value, str):
            found.append(value)
        elif key == "options" and isinstance(value, list):
            found += [str(o.get("label", "")) for o in value if isinstance(o, dict)]
        elif key == "figure":
            found += _texts(value.to_plotly_json() if hasattr(value, "to_plotly_json") else value)
        elif key == "children" or hasattr(value, "to_plotly_json"):
            found += _texts(value)
    return found


# --- the catalogue ------------------------------------------------------------------------------


def _extracted() -> dict[Any, list[str]]:
    """Every message of the dashboard's source, as Babel's extractor finds it (``make messages``)."""
    keywords = {**DEFAULT_KEYWORDS, "lazy_gettext": None}
    found: dict[Any, list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(ROOT / "dashboards"), method_map=[("**.py", "python")], keywords=keywords
    ):
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


def _catalogue(path: Path):
    with path.open("rb") as handle:
        return read_po(handle, locale="fr")


def test_every_message_has_a_complete_french_translation() -> None:
    catalogue = _catalogue(i18n.po_file("fr"))
    extracted = _extracted()
    assert len(extracted) > 300  # the whole interface, not a sample
    problems = []
    for message, where in extracted.items():
        entry = catalogue.get(message[0] if isinstance(message, tuple) else message)
        if entry is None:
            problems.append(f"missing: {message!r} ({where[0]})")
            continue
        if entry.fuzzy:
            problems.append(f"fuzzy: {message!r}")
        ids = message if isinstance(message, tuple) else (message,)
        strings = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        if not all(s and s.strip() for s in strings):
            problems.append(f"empty: {message!r}")
            continue
        for source in ids:
            wanted = sorted(PLACEHOLDER.findall(source))
            for translated in strings:
                if sorted(PLACEHOLDER.findall(translated)) != wanted:
                    problems.append(f"placeholders differ: {source!r} -> {translated!r}")
    assert problems == []


def test_the_template_is_up_to_date_with_the_source() -> None:
    # `make messages` re-extracts it; a message added without it fails here.
    with i18n.TRANSLATIONS_DIR.joinpath("messages.pot").open("rb") as handle:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    source = {m[0] if isinstance(m, tuple) else m for m in _extracted()}
    assert source - template == set()
    assert template - source == set()


def test_the_catalogue_is_read_from_the_po_file_without_compiling() -> None:
    assert not list(i18n.TRANSLATIONS_DIR.rglob("*.mo"))
    with i18n.use_language("fr"):
        assert i18n._("Scorecard") == "Tableau de suivi"
        assert i18n.ngettext("{n} year", "{n} years", 1).format(n=1) == "1 an"
        assert i18n.ngettext("{n} year", "{n} years", 5).format(n=5) == "5 ans"
        assert i18n.current_language() == "fr"
    assert i18n._("Scorecard") == "Scorecard"
    assert i18n.current_language() == "en"


def test_dashboard_words_in_english_are_the_core_words() -> None:
    # The reports and exports use the core's words; the dashboard's English must not drift.
    assert words.not_shown_other() == core_words.NOT_SHOWN_OTHER
    assert words.protects_another_why() == core_words.PROTECTS_ANOTHER_WHY
    assert words.exact_note() == core_words.EXACT_NOTE
    assert words.not_shown_small() == core_words.not_shown_small(5)
    assert words.privacy_note() == core_words.privacy_note(5)
    assert words.gaps_note() == core_words.gaps_note(5)
    assert words.hidden_series() == core_words.hidden_series(5)
    assert words.small_count_why() == core_words.small_count_why(5)
    assert words.every_group_hidden("By sex") == core_words.every_group_hidden("By sex", 5)


def test_numbers_and_dates_follow_the_language() -> None:
    from dashboards import kpis
    from dashboards.components import format_timestamp

    assert kpis.format_value(12345.6, ",.1f", "%") == "12,345.6%"
    assert format_timestamp("2019-01-15T06:30:00+00:00") == "15 Jan 2019, 06:30 UTC"
    with i18n.use_language("fr"):
        assert kpis.format_value(12345.6, ",.1f", "%") == "12\u202f345,6%"
        assert format_timestamp("2019-01-15T06:30:00+00:00") == "15 janv. 2019, 06:30 UTC"


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("fr-FR,fr;q=0.9,en;q=0.8", "fr"),
        ("en-GB,en;q=0.9,fr;q=0.8", "en"),
        ("de-DE,fr-BE;q=0.5", "fr"),
        ("fr;q=0.2,en;q=0.7", "en"),
        ("de, es", None),
        ("", None),
        ("fr;q=0", None),
    ],
)
def test_accept_language_picks_the_preferred_available_language(header, expected) -> None:
    assert i18n.from_accept_language(header) == expected


# --- pages in French ----------------------------------------------------------------------------


def test_the_scorecard_in_french(warehouse: Path) -> None:
    with i18n.use_language("fr"):
        page = scorecard.page_layout(warehouse, role=PLANNER)
    texts = _texts(page)
    joined = "\n".join(texts)
    assert "Tableau de suivi" in texts  # the heading
    assert "Tous les secteurs" in texts  # the sector picker
    assert "Dernière valeur nationale" in texts and "Évolution sur un an" in texts
    assert "En bonne voie" in texts and "Cible non atteinte" in joined
    assert "Tendance nationale" in joined  # the sparklines' alternative text
    for english in ENGLISH_UI:
        assert english not in joined, english
    # the same page in English still reads as before
    english_texts = _texts(scorecard.page_layout(warehouse, role=PLANNER))
    assert "Scorecard" in english_texts and "Latest national value" in english_texts


def test_the_indicator_page_in_french(warehouse: Path) -> None:
    with i18n.use_language("fr"):
        content = indicator.indicator_content(
            warehouse, "AC07", queries.NATIONAL, "month", role=PLANNER
        )
    texts = _texts(content)
    joined = "\n".join(texts)
    assert "Compté (numérateur)" in texts and "Mode de calcul" in texts
    assert "Cible" in texts
    assert any(t.endswith("par mois") for t in texts)  # the trend chart's title
    for english in ENGLISH_UI:
        assert english not in joined, english


# --- the choice of language ---------------------------------------------------------------------


def _route(client, headers, pathname: str = "/scorecard"):
    body = json.loads(json.dumps(ROUTE_BODY))
    body["inputs"][0]["value"] = pathname
    return client.post("/_dash-update-component", data=json.dumps(body), headers=headers)


def _decoded(response) -> str:
    """A JSON response as text with its non-ASCII letters as themselves (not ``\u00e9``)."""
    return json.dumps(json.loads(response.get_data(as_text=True)), ensure_ascii=False)


def _choose(client, language: str, next_: str = "/scorecard?sector=JC"):
    token = client.get_cookie("_csrf_token").value
    return client.post("/language", data={"lang": language, "next": next_, "csrf_token": token})


def test_a_users_language_is_stored_and_survives_a_new_session(
    warehouse: Path, tmp_path: Path
) -> None:
    settings = _settings(warehouse, tmp_path)
    app = create_app(settings)
    client, headers = client_for(app, "planner", "amina")
    assert '<html lang="en">' in client.get("/scorecard").get_data(as_text=True)
    chosen = _choose(client, "fr")
    assert chosen.status_code == 302 and chosen.headers["Location"] == "/scorecard?sector=JC"
    assert preferences.language_of(settings, "amina") == "fr"
    # the page, the navbar and the <html lang> are French at once
    assert '<html lang="fr">' in client.get("/scorecard").get_data(as_text=True)
    assert "Tableau de suivi" in client.get("/_dash-layout").get_data(as_text=True)
    assert "Tableau de suivi" in _route(client, headers).get_data(as_text=True)
    # signed out, then in again from another browser (no cookie): still French
    client.post("/logout", data={"csrf_token": client.get_cookie("_csrf_token").value})
    again, again_headers = client_for(app, "planner", "amina")
    assert again.get_cookie(i18n.COOKIE) is None
    layout = _decoded(again.get("/_dash-layout"))
    assert "Tableau de suivi" in layout and "Se déconnecter" in layout
    assert "Tableau de suivi" in _route(again, again_headers).get_data(as_text=True)
    # another user is not affected
    other, other_headers = client_for(app, "planner", "bertrand")
    assert "Scorecard" in _route(other, other_headers).get_data(as_text=True)
    # back to English
    _choose(again, "en")
    assert preferences.language_of(settings, "amina") == "en"
    assert "Scorecard" in _route(again, again_headers).get_data(as_text=True)


def test_the_language_form_refuses_an_unknown_language_and_a_missing_token(
    warehouse: Path, tmp_path: Path
) -> None:
    app = create_app(_settings(warehouse, tmp_path))
    client, _headers = client_for(app, "planner")
    assert _choose(client, "xx").status_code == 400
    assert client.post("/language", data={"lang": "fr"}).status_code == 400  # no CSRF token
    assert _choose(client, "fr", next_="//elsewhere.example/").headers["Location"] == "/"


def test_lang_in_the_link_sets_the_language(warehouse: Path, tmp_path: Path) -> None:
    settings = _settings(warehouse, tmp_path)
    app = create_app(settings)
    client, headers = client_for(app, "planner", "chloe")
    assert '<html lang="fr">' in client.get("/scorecard?lang=fr").get_data(as_text=True)
    assert preferences.language_of(settings, "chloe") == "fr"
    assert "Tableau de suivi" in _route(client, headers).get_data(as_text=True)


def test_an_access_database_from_before_preferences_keeps_working(
    warehouse: Path, tmp_path: Path
) -> None:
    settings = _settings(warehouse, tmp_path)
    users.add_user(settings, "dana", "planner", "test-password-1")
    with sqlite3.connect(users.access_db(settings)) as conn:
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
    assert "user_preferences" not in tables
    assert preferences.language_of(settings, "dana") is None
    app = create_app(settings)
    client, headers = client_for(app, "planner", "dana")
    assert "Scorecard" in _route(client, headers).get_data(as_text=True)


def test_the_public_view_follows_the_browser_and_then_the_cookie(
    warehouse: Path, tmp_path: Path
) -> None:
    app = create_app(_settings(warehouse, tmp_path, public=True))
    french = {"Accept-Language": "fr-FR,fr;q=0.9,en;q=0.5"}
    visitor = app.server.test_client()
    index = visitor.get("/", headers=french).get_data(as_text=True)
    assert '<html lang="fr">' in index
    layout = _decoded(visitor.get("/_dash-layout", headers=french))
    assert "Se connecter" in layout and '"Public"' in layout
    page = _route(visitor, {**dash_headers(visitor), **french}).get_data(as_text=True)
    assert "Tableau de suivi" in page
    # the visitor picks English: the cookie wins over the browser's language from then on
    assert _choose(visitor, "en").status_code == 302
    assert visitor.get_cookie(i18n.COOKIE).value == "en"
    assert "Scorecard" in _route(visitor, {**dash_headers(visitor), **french}).get_data(
        as_text=True
    )
    # an English browser gets English; its sign-in page too, and French when the browser is French
    newcomer = app.server.test_client()
    assert '<html lang="en">' in newcomer.get("/").get_data(as_text=True)
    login = newcomer.get("/login", headers=french).get_data(as_text=True)
    assert '<html lang="fr">' in login and "Mot de passe" in login
