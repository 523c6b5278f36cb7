"""`cpmonitor docs`: dbt's documentation of the warehouse as one page that opens offline.

``dbt docs generate --static`` writes one self-contained HTML file (the docs app with the manifest
and the catalog inlined). Its catalog step reads the tables' columns from a database: here a
private copy of the published warehouse, so dbt never opens the served file (DuckDB would lock it,
and dbt may write to what it opens). dbt's page carries one remote script, the usage tracker, that
it only loads when tracking is on; it is replaced by an empty inline script all the same, and the
page is refused if anything else it would load is remote.
"""

from __future__ import annotations

import functools
import re
import shutil
import tempfile
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from cpmonitor.core.settings import Settings
from cpmonitor.dbt_runner import run_dbt

DEFAULT_PORT = 8060
LOCALHOST = "127.0.0.1"
PAGE_NAME = "index.html"
STATIC_PAGE = "static_index.html"  # what `dbt docs generate --static` writes in its target dir
TRACKER_SCRIPT = "//d1fc8wv8zag5ca.cloudfront.net/2.9.0/sp.js"  # snowplow, in dbt's docs app
EMPTY_SCRIPT = "data:text/javascript,"

# What a browser would fetch by itself: a src (HTML attribute or script property), a CSS url() or
# @import, a <link href>. Plain links (<a href>, an anchor's .href in script) load nothing.
_REMOTE = r"""["']?\s*((?:https?:)?//[^"'\s)>]+)"""
LOADED_URL = re.compile(
    rf"""(?:\bsrc\s*=\s*{_REMOTE}|url\(\s*{_REMOTE}|@import\s+(?:url\()?{_REMOTE}"""
    rf"""|<link\b[^>]*?\bhref\s*=\s*{_REMOTE})""",
    re.IGNORECASE,
)


class DocsError(RuntimeError):
    """The documentation could not be generated (no warehouse, dbt failed, a remote reference)."""


def remote_references(html: str) -> list[str]:
    """The remote URLs ``html`` would make a browser load (scripts, images, styles, fonts)."""
    return sorted(
        {next(url for url in match.groups() if url) for match in LOADED_URL.finditer(html)}
    )


def make_offline(html: str) -> str:
    """dbt's page with its tracker script replaced by an empty one; ``DocsError`` naming what is
    still remote, if anything."""
    offline = html.replace(f'"{TRACKER_SCRIPT}"', f'"{EMPTY_SCRIPT}"')
    remote = remote_references(offline)
    if remote:
        raise DocsError(f"the generated documentation still loads remote files: {remote}")
    return offline


def generate_docs(settings: Settings, output_dir: Path | None = None) -> Path:
    """Write the documentation of the published warehouse of ``settings`` to
    ``output_dir/index.html`` (default ``<data dir>/docs``) and return its path.

    dbt reads the catalog from a copy of the served file in a private temporary folder; its
    compiled files and logs go there too and are removed with it.
    """
    served = settings.warehouse_file
    if not served.is_file():
        raise DocsError(f"no published warehouse at {served}; run `cpmonitor run` first")
    output_dir = Path(output_dir or settings.data_dir / "docs").expanduser().resolve()
    with tempfile.TemporaryDirectory(prefix="cpmonitor-docs-") as work:
        work_dir = Path(work)
        copy = work_dir / served.name  # same name: the docs call the database as analysts do
        with served.open("rb") as source, copy.open("wb") as target:
            # An open handle keeps reading the same file even if a publish replaces it meanwhile.
            shutil.copyfileobj(source, target, length=16 * 1024 * 1024)
        result = run_dbt(
            ["docs", "generate", "--static"],
            build_db=copy,
            settings=settings,
            log_dir=work_dir / "dbt",
        )
        page = work_dir / "dbt" / "target" / STATIC_PAGE
        if not result.ok or not page.is_file():
            output = result.output_path.read_text(errors="replace").splitlines()
            raise DocsError("dbt docs generate failed:\n" + "\n".join(output[-15:]))
        html = make_offline(page.read_text(encoding="utf-8"))
    output_dir.mkdir(parents=True, exist_ok=True)
    target_page = output_dir / PAGE_NAME
    temporary = target_page.with_name(f".{PAGE_NAME}.tmp")
    temporary.write_text(html, encoding="utf-8")
    temporary.replace(target_page)
    return target_page


class _QuietHandler(SimpleHTTPRequestHandler):
    """Serves the docs folder without a log line per request."""

    def log_message(self, format: str, *args: object) -> None:
        pass


def docs_server(folder: Path, port: int = DEFAULT_PORT) -> ThreadingHTTPServer:
    """An HTTP server of ``folder`` on 127.0.0.1 only (port 0: any free one); the caller runs
    ``serve_forever`` and closes it. ``OSError`` when the port is taken."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    return ThreadingHTTPServer((LOCALHOST, port), handler)
