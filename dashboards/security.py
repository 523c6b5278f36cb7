"""Sign-in and the protections around every request of the dashboard (``install_security``).

- **Who**: Flask-Login, with users and server-side sessions in ``cpmonitor.core.users``. The
  browser's session cookie (signed, HttpOnly, SameSite=Lax, Secure unless the app is built with
  ``insecure_cookies=True`` for plain-http demos) holds only the server-side session id and the
  CSRF secret; signing out or expiry (idle and absolute, from ``access.yml``) ends the session on the
  server, so an old cookie is refused. Every request but the static files and ``/login`` needs a
  live session (pages: redirect to ``/login``; Dash's JSON endpoints: 401), unless the policy turns
  the public view on: then visitors get the public role. ``flask.g.cp_role`` is set before any page
  or callback runs (``dashboards.context.current_role``).
- **CSRF**: Flask-WTF's CSRFProtect on every POST, Dash's callbacks included: dash-renderer sends
  the cookie ``_csrf_token`` back as the header ``X-CSRFToken`` (dash.Dash ``csrf_token_name`` /
  ``csrf_header_name``), and the cookie is set here from ``generate_csrf()``. A new sign-in starts a
  new Flask session, hence a new CSRF secret: tokens from before are refused.
- **Brute force**: Flask-Limiter on ``POST /login`` per client address, at the policy's
  ``sign_in_limit``; over it, a plain 429 page.
- **Host allow-list** (default 127.0.0.1 and localhost): any other ``Host`` gets 400.
- **Headers** on every response: a CSP without inline scripts (Dash's own inline scripts by hash,
  ``app.csp_hashes()``), no framing, nosniff, no referrer, no caching.
- **Audit**: sign_in, sign_in_failed, sign_out (here), page_view and access_denied (the router).
- **Language** (``dashboards.i18n``): chosen for every request after sign-in (``?lang=``, the
  user's stored choice, the ``cp_lang`` cookie, ``Accept-Language``); ``POST /language`` (the
  account menu's picker, CSRF-checked) stores a signed-in user's choice, or the cookie's.
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import dash
import flask
from flask_limiter import Limiter
from flask_limiter.errors import RateLimitExceeded
from flask_login import LoginManager, UserMixin
from flask_wtf.csrf import CSRFError, CSRFProtect, generate_csrf

from cpmonitor.core import preferences, users
from cpmonitor.core.access import AccessPolicy, Role, load_access
from cpmonitor.core.settings import Settings
from dashboards import i18n
from dashboards.context import POLICY_KEY, ROLE_KEY, SETTINGS_KEY
from dashboards.i18n import _

CLOCK_KEY = "CPMONITOR_CLOCK"
"""Server config: the clock sessions are timed with (``time.time``; tests move it on)."""
USER_KEY = "cp_user"
"""``flask.g`` attribute: the signed-in ``users.User`` (None for the public view)."""
SESSION_ID = "sid"
CSRF_COOKIE = "_csrf_token"
CSRF_HEADER = "X-CSRFToken"
SESSION_COOKIE = "cpmonitor_session"
SECRET_FILE = "dashboard_secret.key"
DEFAULT_ALLOWED_HOSTS = ("127.0.0.1", "localhost")
STATIC_PREFIXES = ("/assets/", "/_dash-component-suites/")
OPEN_PATHS = ("/login", "/logout", "/favicon.ico", "/_favicon.ico")
LOGIN_PATH = "/login"
LANGUAGE_PATH = "/language"
LANG_COOKIE_SET = "cp_lang_set"
"""``flask.g`` attribute: a language to remember in the cookie when answering."""


def secret_key(settings: Settings) -> bytes:
    """The key signing the session cookie: made once into ``state/`` (0600), then reused, so a
    restart does not sign everybody out and two workers agree."""
    path = settings.state_dir / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


class SignedIn(UserMixin):
    """The Flask-Login user of a request: the stored user and their live session."""

    def __init__(self, user: users.User, session: users.Session) -> None:
        self.user = user
        self.session = session

    def get_id(self) -> str:
        return self.user.username


@dataclass(frozen=True)
class Security:
    """What ``install_security`` set up (kept on the server's extensions for tests and the CLI)."""

    policy: AccessPolicy
    allowed_hosts: frozenset[str]
    secure_cookies: bool
    limiter: Limiter
    csrf: CSRFProtect


def _settings() -> Settings:
    return flask.current_app.config[SETTINGS_KEY]


def _policy() -> AccessPolicy:
    return flask.current_app.config[POLICY_KEY]


def _now() -> float:
    return flask.current_app.config[CLOCK_KEY]()


def client_address() -> str | None:
    return flask.request.remote_addr if flask.has_request_context() else None


def signed_in_user() -> users.User | None:
    """The signed-in user of the current request, if any."""
    return flask.g.get(USER_KEY) if flask.has_app_context() else None


def audit(event: str, detail: str | None = None, *, username: str | None = None) -> None:
    """Append ``event`` to the audit log, with the request's user, role and client address."""
    user = signed_in_user()
    role: Role | None = flask.g.get(ROLE_KEY)
    users.record_event(
        _settings(),
        event,
        username=username or (user.username if user else None),
        role=role.name if role else None,
        address=client_address(),
        detail=detail,
        now=_now(),
    )


def _is_static(path: str) -> bool:
    return path.startswith(STATIC_PREFIXES)


def _wants_json(path: str) -> bool:
    return path.startswith("/_") or flask.request.method != "GET" or flask.request.is_json


def _load_signed_in() -> SignedIn | None:
    session_id = flask.session.get(SESSION_ID)
    if not isinstance(session_id, str):
        return None
    policy = _policy()
    live = users.touch_session(
        _settings(),
        session_id,
        idle_minutes=policy.idle_minutes,
        absolute_hours=policy.absolute_hours,
        now=_now(),
    )
    user = users.get_user(_settings(), live.username) if live else None
    if live is None or user is None:
        flask.session.clear()
        return None
    return SignedIn(user, live)


def _check_host() -> flask.Response | None:
    host = urlsplit("//" + (flask.request.host or "")).hostname or ""
    if host.lower() not in flask.current_app.extensions["cpmonitor_security"].allowed_hosts:
        return _plain(400, _("Bad request"), _("This server does not answer for that host name."))
    return None


def _authenticate() -> flask.Response | None:
    """Set ``g.cp_user`` and ``g.cp_role`` for the request, or refuse it."""
    from flask_login import current_user

    path = flask.request.path
    setattr(flask.g, USER_KEY, None)
    if _is_static(path) or path in OPEN_PATHS:
        return None
    if current_user.is_authenticated:
        user = current_user.user
        try:
            role = _policy().role(user.role)
        except ValueError:
            role = None
        if role is not None and role.name != "public":
            setattr(flask.g, USER_KEY, user)
            setattr(flask.g, ROLE_KEY, role)
            return None
    public = _policy().public_role
    if public is not None:
        setattr(flask.g, ROLE_KEY, public)
        return None
    if _wants_json(path):
        return flask.Response(
            '{"error": "sign-in required"}', status=401, mimetype="application/json"
        )
    target = quote(_safe_next(flask.request.full_path), safe="/")
    return flask.redirect(f"{LOGIN_PATH}?next={target}")


def _choose_language() -> None:
    """Set the request's language (``i18n.LANG_KEY``): ``?lang=`` (remembered: in the cookie, and
    for a signed-in user in the access database), the signed-in user's stored choice, the cookie,
    the browser's ``Accept-Language``, English."""
    request = flask.request
    setattr(flask.g, i18n.LANG_KEY, i18n.DEFAULT_LANGUAGE)
    if _is_static(request.path):
        return
    user = flask.g.get(USER_KEY)
    asked = i18n.normalise(request.args.get("lang"))
    if asked:
        if user is not None:
            preferences.set_language(_settings(), user.username, asked, now=_now())
        setattr(flask.g, LANG_COOKIE_SET, asked)
        setattr(flask.g, i18n.LANG_KEY, asked)
        return
    stored = preferences.language_of(_settings(), user.username) if user is not None else None
    chosen = (
        i18n.normalise(stored)
        or i18n.normalise(request.cookies.get(i18n.COOKIE))
        or i18n.from_accept_language(request.headers.get("Accept-Language"))
        or i18n.DEFAULT_LANGUAGE
    )
    setattr(flask.g, i18n.LANG_KEY, chosen)


def change_language() -> flask.Response:
    """POST (CSRF-checked): the account menu's language picker. Stores the choice for a signed-in
    user (it follows them to every browser and session), remembers it in the cookie, and goes back
    to the page it was made on (``next``), which is then shown in the new language."""
    request = flask.request
    language = i18n.normalise(request.form.get("lang"))
    if language is None:
        return _plain(400, _("Bad request"), _("That language is not available."))
    user = flask.g.get(USER_KEY)
    if user is not None:
        preferences.set_language(_settings(), user.username, language, now=_now())
    setattr(flask.g, LANG_COOKIE_SET, language)
    setattr(flask.g, i18n.LANG_KEY, language)
    return flask.redirect(_safe_next(request.form.get("next")))


def _safe_next(target: str | None) -> str:
    """Only a local path (never ``//host`` or a scheme) is followed after sign-in."""
    target = (target or "/").rstrip("?") or "/"
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    if target.startswith(LOGIN_PATH):
        return "/"
    return target


LOGIN_PAGE = """<!doctype html>
<html lang="{{ lang }}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ t.sign_in }} · {{ product }}</title>
<link rel="stylesheet" href="/assets/bootstrap.min.css">
<link rel="stylesheet" href="/assets/cpmonitor.css">
</head>
<body class="bg-light">
<main class="container" style="max-width: 26rem; margin-top: 8vh;">
  <h1 class="h4 mb-1">{{ product }}</h1>
  <p class="text-muted mb-4">{{ t.lead }}</p>
  {% if error %}<div class="alert alert-danger" role="alert" id="login-error">{{ error }}</div>{% endif %}
  {% if notice %}<div class="alert alert-info" role="status" id="login-notice">{{ notice }}</div>{% endif %}
  <form method="post" action="/login" id="login-form">
    <input type="hidden" name="csrf_token" value="{{ csrf_token }}">
    <input type="hidden" name="next" value="{{ next }}">
    <div class="mb-3">
      <label class="form-label" for="username">{{ t.username }}</label>
      <input class="form-control" id="username" name="username" autocomplete="username"
             required autofocus value="{{ username }}">
    </div>
    <div class="mb-3">
      <label class="form-label" for="password">{{ t.password }}</label>
      <input class="form-control" id="password" name="password" type="password"
             autocomplete="current-password" required>
    </div>
    <button class="btn btn-primary w-100" type="submit" id="login-submit">{{ t.sign_in }}</button>
  </form>
  <p class="mt-4 small" id="login-languages">{% for code, name in languages %}{% if code != lang %}<a href="/login?lang={{ code }}{% if next != '/' %}&amp;next={{ next|urlencode }}{% endif %}" lang="{{ code }}" hreflang="{{ code }}" class="me-3">{{ name }}</a>{% endif %}{% endfor %}</p>
</main>
</body>
</html>
"""

PLAIN_PAGE = """<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/assets/bootstrap.min.css"></head>
<body><main class="container" style="max-width: 32rem; margin-top: 8vh;">
<h1 class="h4">{{ title }}</h1><p>{{ message }}</p><p><a href="/login">{{ sign_in }}</a></p>
</main></body></html>
"""


def _plain(status: int, title: str, message: str) -> flask.Response:
    body = flask.render_template_string(
        PLAIN_PAGE,
        title=title,
        message=message,
        sign_in=_("Sign in"),
        lang=i18n.current_language(),
    )
    return flask.Response(body, status=status, mimetype="text/html")


def _login_form(
    status: int = 200, *, error: str = "", notice: str = "", username: str = "", next_: str = "/"
) -> flask.Response:
    from dashboards.app import PRODUCT_NAME

    body = flask.render_template_string(
        LOGIN_PAGE,
        product=_(PRODUCT_NAME),
        t={
            "sign_in": _("Sign in"),
            "lead": _("Sign in to see the indicators."),
            "username": _("Username"),
            "password": _("Password"),
        },
        lang=i18n.current_language(),
        languages=list(i18n.LANGUAGES.items()),
        csrf_token=generate_csrf(),
        error=error,
        notice=notice,
        username=username,
        next=_safe_next(next_),
    )
    return flask.Response(body, status=status, mimetype="text/html")


def login() -> flask.Response:
    """GET: the sign-in form. POST: check the password, start a server-side session."""
    request = flask.request
    if request.method == "GET":
        from flask_login import current_user

        if current_user.is_authenticated:
            return flask.redirect(_safe_next(request.args.get("next")))
        notice = _("You have been signed out.") if request.args.get("signed_out") else ""
        return _login_form(notice=notice, next_=request.args.get("next", "/"))
    username = (request.form.get("username") or "").strip()[: users.USERNAME_MAX + 1]
    password = request.form.get("password") or ""
    target = _safe_next(request.form.get("next"))
    settings = _settings()
    user = users.verify_password(settings, username, password, now=_now()) if username else None
    if user is None or user.role not in _policy().roles or user.role == "public":
        users.record_event(
            settings,
            "sign_in_failed",
            username=username or None,
            address=client_address(),
            now=_now(),
        )
        return _login_form(
            401, error=_("Wrong username or password."), username=username, next_=target
        )
    old = flask.session.get(SESSION_ID)
    if isinstance(old, str):
        users.end_session(settings, old, now=_now())
    flask.session.clear()  # a new Flask session: new CSRF secret, nothing carried over
    flask.session[SESSION_ID] = users.start_session(settings, user.username, now=_now())
    flask.session.permanent = True
    users.record_event(
        settings,
        "sign_in",
        username=user.username,
        role=user.role,
        address=client_address(),
        now=_now(),
    )
    return flask.redirect(target)


def logout() -> flask.Response:
    """POST only (CSRF-checked): end the server-side session and forget the cookie."""
    settings = _settings()
    session_id = flask.session.get(SESSION_ID)
    if isinstance(session_id, str):
        from flask_login import current_user

        user = current_user.user if current_user.is_authenticated else None
        if users.end_session(settings, session_id, now=_now()):
            users.record_event(
                settings,
                "sign_out",
                username=user.username if user else None,
                role=user.role if user else None,
                address=client_address(),
                now=_now(),
            )
    flask.session.clear()
    response = flask.redirect(f"{LOGIN_PATH}?signed_out=1")
    response.delete_cookie(CSRF_COOKIE, path="/")
    return response


def content_security_policy(app: dash.Dash) -> str:
    """The CSP of every response: scripts only from this server, plus Dash's own inline scripts
    (its renderer start-up and clientside callbacks) by hash."""
    hashes = " ".join(app.csp_hashes())
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' {hashes}".strip(),
            "style-src 'self' 'unsafe-inline'",
            "img-src 'self' data:",
            "font-src 'self' data:",
            "connect-src 'self'",
            "frame-ancestors 'none'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
        ]
    )


def install_security(
    app: dash.Dash,
    settings: Settings,
    *,
    insecure_cookies: bool = False,
    allowed_hosts: Iterable[str] | None = None,
    clock: Callable[[], float] = time.time,
) -> Security:
    """Put sign-in, CSRF, rate limiting, the host allow-list and the headers on ``app``'s server.

    Call after every callback is registered (the CSP hashes Dash's inline scripts lazily, on the
    first response, so later ones are covered too).
    """
    server = app.server
    policy = load_access(settings)
    server.config[POLICY_KEY] = policy
    server.config[CLOCK_KEY] = clock
    server.secret_key = secret_key(settings)
    server.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not insecure_cookies,
        PERMANENT_SESSION_LIFETIME=policy.absolute_hours * 3600,
        SESSION_REFRESH_EACH_REQUEST=False,
        WTF_CSRF_TIME_LIMIT=None,  # the token lives as long as the session it belongs to
        WTF_CSRF_HEADERS=[CSRF_HEADER],
        # The strict-referrer check of Flask-WTF on https needs a Referer, which this site never
        # sends (Referrer-Policy: no-referrer); SameSite=Lax and the token do the work.
        WTF_CSRF_SSL_STRICT=False,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
    )
    hosts = frozenset(h.lower() for h in (allowed_hosts or DEFAULT_ALLOWED_HOSTS))

    login_manager = LoginManager()
    login_manager.session_protection = None  # the server-side session is the protection
    login_manager.request_loader(lambda _request: _load_signed_in())
    login_manager.init_app(server)

    limiter = Limiter(
        key_func=client_address,
        app=server,
        storage_uri="memory://",
        default_limits=[],
        headers_enabled=False,
    )
    csrf = CSRFProtect()
    security = Security(policy, hosts, not insecure_cookies, limiter, csrf)
    server.extensions["cpmonitor_security"] = security

    # Order of the before-request hooks: Dash's own set-up (registered by dash.Dash), the host
    # check, sign-in, then CSRF, so an anonymous callback gets 401 rather than a CSRF error.
    server.before_request(_check_host)
    server.before_request(_authenticate)
    server.before_request(_choose_language)
    csrf.init_app(server)

    login_view = limiter.limit(
        policy.sign_in_limit,
        methods=["POST"],
        error_message="Too many sign-in attempts",
    )(login)
    server.add_url_rule(LOGIN_PATH, "cp_login", login_view, methods=["GET", "POST"])
    server.add_url_rule("/logout", "cp_logout", logout, methods=["POST"])
    server.add_url_rule(LANGUAGE_PATH, "cp_language", change_language, methods=["POST"])

    @server.errorhandler(RateLimitExceeded)
    def _too_many(_error: RateLimitExceeded) -> flask.Response:
        users.record_event(
            _settings(), "sign_in_rate_limited", address=client_address(), now=_now()
        )
        return _plain(
            429,
            _("Too many sign-in attempts"),
            _("Too many attempts from your address. Wait a few minutes before trying again."),
        )

    @server.errorhandler(CSRFError)
    def _csrf_refused(error: CSRFError) -> flask.Response:
        if flask.request.path.startswith("/_"):
            return flask.Response(
                '{"error": "CSRF check failed"}', status=400, mimetype="application/json"
            )
        if flask.request.path == LOGIN_PATH:
            return _login_form(400, error=_("The form had expired. Please sign in again."))
        return _plain(
            400,
            _("Bad request"),
            _("The request was refused: {reason}").format(reason=error.description),
        )

    csp_cache: dict[str, str] = {}

    @server.after_request
    def _headers(response: flask.Response) -> flask.Response:
        if "csp" not in csp_cache:
            csp_cache["csp"] = content_security_policy(app)
        response.headers["Content-Security-Policy"] = csp_cache["csp"]
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["Cache-Control"] = "no-store"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        if not insecure_cookies:
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        remembered = flask.g.get(LANG_COOKIE_SET)
        if remembered:
            response.set_cookie(
                i18n.COOKIE,
                remembered,
                max_age=365 * 24 * 3600,
                secure=not insecure_cookies,
                httponly=True,
                samesite="Lax",
                path="/",
            )
        path = flask.request.path
        if (
            flask.g.get(ROLE_KEY) is not None
            and not _is_static(path)
            and path not in OPEN_PATHS
            and response.status_code < 400
        ):
            response.set_cookie(
                CSRF_COOKIE,
                generate_csrf(),
                secure=not insecure_cookies,
                httponly=False,  # dash-renderer reads it to send X-CSRFToken
                samesite="Lax",
                path="/",
            )
        return response

    return security


def role_may_open(page_name: str) -> bool:
    """True when the current request's role may open the page ``page_name``."""
    role = flask.g.get(ROLE_KEY)
    return isinstance(role, Role) and role.may_open(page_name)
