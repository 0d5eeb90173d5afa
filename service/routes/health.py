"""``GET /healthz``: 200 once the index is loaded and questions can be answered."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.concurrency import run_in_threadpool

from service.state import ServiceState, State

router = APIRouter(tags=["health"])


@router.get("/healthz", summary="健康检查 / health check")
async def healthz(state: State) -> dict[str, Any]:
    """``{"status": "ok", "clauses": N, "documents": M}`` (503 while the index is loading).

    The embedded index is answered on the event loop from one snapshot of its clauses (an upload
    swaps them in with one assignment), so a probe waits for no thread and no lock. PostgreSQL
    may look at the database first: that runs in a thread.
    """
    if state.settings.backend == "postgres":
        return await run_in_threadpool(_counts, state)
    return _counts(state)


def _counts(state: ServiceState) -> dict[str, Any]:
    clauses = state.index.clauses
    return {"status": "ok", "clauses": len(clauses), "documents": len({c.source for c in clauses})}
