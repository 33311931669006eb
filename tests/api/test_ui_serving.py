"""The built UI: assets gzip-compressed, plain-path deep links answered by the app's index.html,
and the API (its JSON, its 404s, its streams) left as it was."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession
from tests.conftest import app_client

from tunix_rt.api import app as app_module
from tunix_rt.api.ui import is_page
from tunix_rt.settings import Settings

INDEX = "<!doctype html><html><body><div id=root></div><script src=/assets/app.js></script>"
SCRIPT = "console.log('tunix rt');\n" * 2000  # ~50 KB, as compressible as a real bundle


@pytest.fixture
async def ui(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    settings: Settings,
    engine: AsyncEngine,
    session: AsyncSession,
    admin_token: str,
) -> AsyncIterator[httpx.AsyncClient]:
    """A client on an app serving a built UI from a scratch directory."""
    static = tmp_path / "static"
    (static / "assets").mkdir(parents=True)
    (static / "index.html").write_text(INDEX)
    (static / "assets" / "app.js").write_text(SCRIPT)
    monkeypatch.setattr(app_module, "STATIC_DIR", static)
    async with app_client(settings, engine, session, token=admin_token) as http:
        yield http


async def test_the_script_is_served_gzip_compressed(ui: httpx.AsyncClient) -> None:
    response = await ui.get("/assets/app.js", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["content-encoding"] == "gzip"
    assert int(response.headers["content-length"]) < len(SCRIPT) / 10
    assert response.text == SCRIPT  # httpx decodes it
    plain = await ui.get("/assets/app.js", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in plain.headers


@pytest.mark.parametrize(
    "path", ["/runs/5d0c1d47-0000-4000-8000-000000000000", "/leaderboard", "/"]
)
async def test_a_plain_path_deep_link_gets_the_app(ui: httpx.AsyncClient, path: str) -> None:
    response = await ui.get(path, headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text == INDEX


@pytest.mark.parametrize("path", ["/assets/missing.js", "/api/tunix/nothing-here", "/favicon.ico"])
async def test_missing_files_and_api_paths_stay_404(ui: httpx.AsyncClient, path: str) -> None:
    response = await ui.get(path)
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/json")


async def test_the_api_is_not_compressed_and_still_answers_json(ui: httpx.AsyncClient) -> None:
    response = await ui.get("/api/tunix/runs", headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert "content-encoding" not in response.headers
    assert response.json()["data"] == []


@pytest.mark.parametrize(
    ("path", "page"),
    [("", True), ("runs/abc", True), ("api/x", False), ("assets/a.js", False), ("x.png", False)],
)
def test_is_page(path: str, page: bool) -> None:
    assert is_page(path) is page
