"""``GET /``: the Chinese web page (static HTML, JS and CSS served from ``service/static``).

Nothing is loaded from a CDN and there is no build step. The page is served with a strict
Content-Security-Policy (scripts only from this origin, no inline script), a second line of
defence behind the page's rule of inserting document text with ``textContent`` only.
"""

from __future__ import annotations

import os
from os import PathLike
from pathlib import Path

from fastapi import APIRouter, FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from starlette.responses import Response
from starlette.types import Scope

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

#: Security headers of the page and its assets.
PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

router = APIRouter(tags=["web"])


@router.get("/", include_in_schema=False)
def index_page() -> FileResponse:
    """The question box, result cards, document viewer and task ledger (政策文件问答)."""
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html; charset=utf-8", headers=PAGE_HEADERS)


class _StaticWithHeaders(StaticFiles):
    """Static files with :data:`PAGE_HEADERS` added."""

    def file_response(
        self,
        full_path: PathLike[str] | str,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        """The file, with the page's security headers."""
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers.update(PAGE_HEADERS)
        return response


def mount_static(app: FastAPI) -> None:
    """Serve ``service/static`` under ``/static``."""
    app.mount("/static", _StaticWithHeaders(directory=STATIC_DIR), name="static")
