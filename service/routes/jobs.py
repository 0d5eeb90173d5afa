"""``/api/jobs``: the upload jobs ``POST /api/documents`` starts — status, progress, outcome.

Example:
    $ curl -s localhost:8000/api/jobs/3f2a…
    {"id":"3f2a…","status":"running","source":"方案.docx","clauses_total":539,"clauses_embedded":120,…}
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Request
from pydantic import BaseModel, Field

from service.errors import http_error
from service.jobs import JobRunner
from service.jobstore import Job

router = APIRouter(prefix="/api/jobs", tags=["jobs"])


class JobErrorRecord(BaseModel):
    """Why a job failed or was interrupted."""

    status: int = Field(description="HTTP status a synchronous upload would have got, e.g. 400, 413, 503")
    detail: str = Field(description="<中文> / <English>")


class JobRecord(BaseModel):
    """An upload job as the API shows it."""

    id: str = Field(description="任务编号 / job id (32 hex digits)")
    status: Literal["queued", "running", "done", "failed", "interrupted"] = Field(
        description="queued / running / done / failed / interrupted (the server stopped: upload again)"
    )
    source: str = Field(description="文件名 / the document's file name")
    size: int = Field(description="bytes uploaded")
    location: str = Field(description="this job's URL")
    created_at: str = Field(description="ISO 8601, UTC")
    started_at: str | None = None
    finished_at: str | None = None
    clauses_total: int = Field(description="条款总数 / clauses of the document (0 until parsed)")
    clauses_embedded: int = Field(description="已向量化条款数 / clauses whose embeddings are ready")
    error: JobErrorRecord | None = None
    document: dict[str, Any] | None = Field(
        default=None,
        description="once done: source, title, clauses, tasks, uploaded, replaced, identity, validity",
    )
    report: dict[str, Any] | None = Field(default=None, description="once done: the extraction report")


class JobList(BaseModel):
    """Recent jobs, newest first."""

    count: int
    queued: int = Field(description="uploads of this server waiting for the worker")
    jobs: list[JobRecord]


def _iso(t: float | None) -> str | None:
    return None if t is None else datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds")


def job_record(job: Job) -> JobRecord:
    """The API form of ``job``."""
    error = JobErrorRecord(status=job.error.status, detail=job.error.detail) if job.error else None
    return JobRecord(
        id=job.id,
        status=job.status,
        source=job.source,
        size=job.size,
        location=f"/api/jobs/{job.id}",
        created_at=_iso(job.created_at) or "",
        started_at=_iso(job.started_at),
        finished_at=_iso(job.finished_at),
        clauses_total=job.clauses_total,
        clauses_embedded=job.clauses_embedded,
        error=error,
        document=job.document,
        report=job.report,
    )


def get_runner(request: Request) -> JobRunner:
    """FastAPI dependency: the app's :class:`JobRunner`.

    Raises:
        HTTPException: 503 while the service is starting.
    """
    runner = getattr(request.app.state, "jobs", None)
    if not isinstance(runner, JobRunner):
        raise http_error(503, "服务正在启动，索引尚未就绪", "the service is starting; the index is not ready")
    return runner


Runner = Annotated[JobRunner, Depends(get_runner)]


@router.get("", summary="上传任务列表 / recent upload jobs", response_model=JobList)
def list_jobs(
    runner: Runner, limit: Annotated[int, Query(ge=1, le=200, description="最多返回几条 / most jobs")] = 50
) -> JobList:
    """The most recent upload jobs, newest first."""
    jobs = [job_record(j) for j in runner.recent(limit)]
    return JobList(count=len(jobs), queued=runner.queued, jobs=jobs)


@router.get(
    "/{job_id}",
    summary="上传任务进度 / an upload job's progress and outcome",
    response_model=JobRecord,
    responses={404: {"description": "no such job"}},
)
def get_job(
    runner: Runner,
    job_id: Annotated[str, Path(description="任务编号 / job id", max_length=64)],
) -> JobRecord:
    """Status, clauses embedded of total, the error (failed / interrupted), and once done the
    document summary and its extraction report."""
    job = runner.get(job_id)
    if job is None:
        raise http_error(404, f"找不到任务 {job_id}", f"no job {job_id!r}; GET /api/jobs lists recent ones")
    return job_record(job)
