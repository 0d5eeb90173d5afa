"""``GET /healthz``: 200 once the index is loaded and questions can be answered."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter

from service.state import State

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="健康检查 / health check")
def healthz(state: State) -> dict[str, Any]:
    """``{"status": "ok", "clauses": N, "documents": M}`` (503 while the index is loading)."""
    with state.reading() as index:
        return {"status": "ok", "clauses": index.count, "documents": len(state.sources())}
