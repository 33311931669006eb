"""Serving the built UI: gzip-compressed assets, and the app's own paths as deep links.

The UI is mounted last, under every API route, so the API (its streamed logs and SSE
included) never passes through the compression here. A browser opening a plain path such as
``/runs/<id>`` gets ``index.html`` (the app routes it), while a missing asset (a path with a file
extension) and anything under ``/api/`` stay a 404 in the API's error model.
"""

from __future__ import annotations

from pathlib import Path, PurePosixPath

from fastapi import FastAPI
from starlette.exceptions import HTTPException
from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

# Smaller bodies gain nothing from compression.
GZIP_MIN_BYTES = 1024
# Top-level paths that are never the app's pages.
NOT_PAGES = ("api", "assets")


def is_page(path: str) -> bool:
    """Whether ``path`` (relative, no leading slash) names a page of the app, not a file."""
    parts = PurePosixPath(path).parts
    if not parts:
        return True
    return parts[0] not in NOT_PAGES and "." not in parts[-1]


class UiFiles(StaticFiles):
    """Static files whose missing pages answer with ``index.html``."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        """The file, else ``index.html`` for a page path, else the 404."""
        try:
            return await super().get_response(path, scope)
        except HTTPException as exc:
            if exc.status_code != 404 or not is_page(path):
                raise
        response = await super().get_response("index.html", scope)
        # A deep link's page must not be cached as if it were a file at that path.
        response.headers["Cache-Control"] = "no-cache"
        return response


def mount_ui(app: FastAPI, directory: Path) -> None:
    """Serve the built UI in ``directory`` at ``/`` (after every API route), gzip-compressed."""
    files = UiFiles(directory=directory, html=True)
    app.mount("/", GZipMiddleware(files, minimum_size=GZIP_MIN_BYTES), name="ui")
