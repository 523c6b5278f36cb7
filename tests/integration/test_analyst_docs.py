"""`cpmonitor docs` on the fixture warehouse: one page with the public schema's models and column
descriptions, nothing remote to load, rendered by headless Chromium with the network off, and
the served warehouse file untouched.

The screenshot goes to pytest's tmp dir, and also to ``$CPMONITOR_SCREENSHOT_DIR`` when it is set.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import threading
import urllib.request
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from cpmonitor.analyst.docs import TRACKER_SCRIPT, docs_server, generate_docs, remote_references
from cpmonitor.cli import app
from cpmonitor.core.settings import CHROMIUM, CHROMIUM_ARGS, PROJECT_ROOT, Settings

# The published models analysts read: the public schema, every column described.
PUBLIC_MODELS_YML = PROJECT_ROOT / "models" / "analysis" / "_analysis__models.yml"
PUBLIC_SCHEMA = "analysis"
EVERY_COLUMN_DESCRIBED = True
# No network at all: file:// needs none, and every other request goes to a closed proxy port.
OFFLINE_ARGS = [*CHROMIUM_ARGS, "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>"]
LOCAL_SCHEMES = {"file", "data", "blob", "about"}


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def public_models() -> dict[str, dict]:
    """The public schema's models by name, as their YAML documents them."""
    return {m["name"]: m for m in yaml.safe_load(PUBLIC_MODELS_YML.read_text())["models"]}


def plain_column_description() -> tuple[str, str, str]:
    """(model, column, description) of a public column whose description is plain words (no
    Markdown to render differently), for the DOM check."""
    for name, model in public_models().items():
        for column in model.get("columns", []):
            words = " ".join(str(column.get("description") or "").split())
            if len(words) > 30 and not set(words) & set("`*_[]<>|#"):
                return name, column["name"], words
    raise AssertionError(f"no public column of {PUBLIC_MODELS_YML} has a plain description")


@pytest.fixture(scope="module")
def docs(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The documentation of the fixture warehouse, generated once, and the file's hash around it."""
    before = _sha256(warehouse)
    page = generate_docs(Settings.from_env(warehouse.parent), tmp_path_factory.mktemp("docs"))
    return {"page": page, "html": page.read_text(encoding="utf-8"), "before": before}


def test_the_page_loads_nothing_remote(docs: dict) -> None:
    assert docs["page"].name == "index.html"
    assert remote_references(docs["html"]) == []
    assert TRACKER_SCRIPT not in docs["html"]


def test_the_served_warehouse_is_untouched(docs: dict, warehouse: Path) -> None:
    """dbt read a copy: the served file is byte for byte what it was, and no WAL appeared."""
    assert _sha256(warehouse) == docs["before"]
    assert not warehouse.with_name(warehouse.name + ".wal").exists()


def test_the_page_documents_every_public_model_and_its_columns(docs: dict) -> None:
    html = docs["html"]
    models = public_models()
    assert models, f"{PUBLIC_MODELS_YML} lists no model"
    for name, model in models.items():
        assert f'"model.cpmonitor.{name}": {{' in html, name
        assert f'"schema": "{PUBLIC_SCHEMA}", "name": "{name}"' in html, name
        for column in model.get("columns", []):
            description = str(column.get("description") or "").strip()
            assert description or not EVERY_COLUMN_DESCRIBED, f"{name}.{column['name']}"
            if not description:
                continue
            escaped = {
                json.dumps(description)[1:-1],
                json.dumps(description, ensure_ascii=False)[1:-1],
            }
            assert any(text in html for text in escaped), f"{name}.{column['name']}"


def test_the_page_carries_the_schema_changelog_of_the_version_in_force(docs: dict) -> None:
    from cpmonitor.analyst.schema import schema_version

    assert "Changes to the analysis schema" in docs["html"]
    assert f"## {schema_version()}" in docs["html"]


def test_the_page_is_served_on_localhost_only(docs: dict) -> None:
    server = docs_server(docs["page"].parent, port=0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=10) as response:
            assert response.status == 200
            assert response.read() == docs["page"].read_bytes()
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def test_the_command_without_a_warehouse_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["docs", "--data-dir", str(tmp_path), "--no-serve"])
    assert result.exit_code == 1
    assert "No documentation" in result.output and "cpmonitor run" in result.output
    assert not (tmp_path / "docs").exists()


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="needs Debian's Chromium at /usr/bin/chromium")
def test_chromium_offline_renders_the_public_models(docs: dict, tmp_path: Path) -> None:
    """The page of a public model shows its name, schema and a column's description, with
    networking off (offline context, closed proxy) and no request but the local file."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="needs the playwright package")
    model, column, description = plain_column_description()
    requests: list[str] = []
    with sync_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=OFFLINE_ARGS)
        try:
            context = chromium.new_context(viewport={"width": 1400, "height": 1000}, offline=True)
            page = context.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.goto(f"{docs['page'].as_uri()}#!/model/model.cpmonitor.{model}")
            page.wait_for_function(
                "words => document.body.innerText.replace(/\\s+/g, ' ').includes(words)",
                arg=description,
                timeout=30_000,
            )
            text = page.inner_text("body")
            target = tmp_path / "analyst-docs.png"
            page.screenshot(path=str(target))
        finally:
            chromium.close()
    assert f"{PUBLIC_SCHEMA}.{model}" in text, "the relation name of the model"
    assert column in text
    squeezed = "".join(text.split())  # the selected model's name may be split by the highlight
    for name in public_models():
        assert name in squeezed, f"{name} missing from the navigation"
    remote = [url for url in requests if url.split(":", 1)[0] not in LOCAL_SCHEMES]
    assert remote == []
    extra = os.environ.get("CPMONITOR_SCREENSHOT_DIR")
    if extra:
        Path(extra).mkdir(parents=True, exist_ok=True)
        shutil.copy(target, Path(extra) / target.name)
