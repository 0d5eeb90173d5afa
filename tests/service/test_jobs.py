"""Upload jobs in process: bounds named in refusals, a full queue, unknown jobs, and the recovery
of jobs a killed server left behind (the subprocess tests are in test_job_signals.py)."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path

from fastapi.testclient import TestClient

from service.app import create_app
from service.jobs import JobRunner, QueueFull
from service.jobstore import Job, SqliteJobStore
from service.state import ServiceState
from tests.service.conftest import make_settings
from tests.service.helpers import upload_and_wait

PLAN = (
    "临湘市数据要素市场建设方案\n一、重点任务\n"
    "(一)建设公共数据授权运营平台。(牵头单位:市数据局 责任单位:市财政局 完成时限:2025年12月底前)\n"
    "(二)培育数据经纪人队伍。(牵头单位:市商务局 完成时限:持续推进)\n"
)
NAME = "数据要素方案.txt"


def test_clause_bound_is_named_in_the_refusal(built_index: Path, tmp_path: Path, admin: dict[str, str]) -> None:
    settings = make_settings(tmp_path, built_index, job_max_clauses=2)
    with TestClient(create_app(settings)) as client:
        job = upload_and_wait(client, NAME, PLAN.encode(), admin)
        assert job["status"] == "failed" and job["error"]["status"] == 413
        assert "POLICYQA_JOB_MAX_CLAUSES" in job["error"]["detail"] and "3" in job["error"]["detail"]
        assert job["clauses_total"] == 0 and job["document"] is None
        assert NAME not in [d["source"] for d in client.get("/api/documents").json()["documents"]]


def test_seconds_bound_is_named_in_the_refusal(built_index: Path, tmp_path: Path, admin: dict[str, str]) -> None:
    settings = make_settings(tmp_path, built_index, job_max_seconds=1e-6)
    with TestClient(create_app(settings)) as client:
        job = upload_and_wait(client, NAME, PLAN.encode(), admin)
        assert job["status"] == "failed" and job["error"]["status"] == 413, job
        assert "POLICYQA_JOB_MAX_SECONDS" in job["error"]["detail"]


def test_full_queue_is_503_with_retry_after(writable_client: TestClient, admin: dict[str, str], tmp_path: Path) -> None:
    app = writable_client.app
    running = app.state.jobs  # type: ignore[attr-defined]
    # A runner whose worker is not started: its one queue slot stays taken.
    idle = JobRunner(_with_queue_size(app.state.service, 1), SqliteJobStore(tmp_path / "idle.sqlite3"))  # type: ignore[attr-defined]
    app.state.jobs = idle  # type: ignore[attr-defined]
    try:
        first = writable_client.post("/api/documents", files={"file": (NAME, PLAN.encode())}, headers=admin)
        assert first.status_code == 202
        same = writable_client.post("/api/documents", files={"file": (NAME, PLAN.encode())}, headers=admin)
        assert same.status_code == 409 and same.headers["location"] == first.headers["location"]
        other = writable_client.post("/api/documents", files={"file": ("其他.txt", PLAN.encode())}, headers=admin)
        assert other.status_code == 503 and other.headers["retry-after"] == "30"
        assert "POLICYQA_JOB_QUEUE_SIZE" in other.json()["detail"]
        assert writable_client.get(first.headers["location"]).json()["status"] == "queued"
    finally:
        app.state.jobs = running  # type: ignore[attr-defined]
        idle.store.close()


def test_queue_full_raised_by_the_runner(writable_client: TestClient, tmp_path: Path) -> None:
    state = writable_client.app.state.service  # type: ignore[attr-defined]
    runner = JobRunner(_with_queue_size(state, 2), SqliteJobStore(tmp_path / "q.sqlite3"))
    runner.submit("a.txt", b"x")
    runner.submit("b.txt", b"x")
    try:
        runner.submit("c.txt", b"x")
    except QueueFull:
        pass
    else:
        raise AssertionError("a third job fitted in a queue of two")


def _with_queue_size(state: ServiceState, size: int) -> ServiceState:
    return replace(state, settings=state.settings.model_copy(update={"job_queue_size": size}))


def test_unknown_job_is_404(writable_client: TestClient) -> None:
    response = writable_client.get("/api/jobs/0123456789abcdef")
    assert response.status_code == 404 and " / " in response.json()["detail"]


def test_restart_settles_unfinished_jobs(built_index: Path, tmp_path: Path, admin: dict[str, str]) -> None:
    """A job whose server died mid-commit is finished on restart when the index was written; others are
    marked interrupted, and uploading again works."""
    settings = make_settings(tmp_path, built_index)
    with TestClient(create_app(settings)) as client:
        done = upload_and_wait(client, NAME, PLAN.encode(), admin)
        assert done["status"] == "done"
    store = SqliteJobStore(settings.job_dir / "jobs.sqlite3")
    finished = store.get(done["id"])
    assert finished is not None and finished.clause_hash
    # As if killed after writing the index and before saving the file: the bytes wait in "pending".
    (settings.upload_dir / NAME).unlink()
    cut_short = replace(finished, status="running", document=None, finished_at=None)
    pending = settings.job_dir / "pending" / cut_short.id
    pending.parent.mkdir(parents=True, exist_ok=True)
    pending.write_bytes(PLAN.encode())
    store.put(cut_short)
    # And one killed while embedding: no pending file.
    lost = replace(Job.new("丢失.txt", 10, owner="dead:1:x"), status="running", started_at=time.time())
    store.put(lost)
    store.close()

    with TestClient(create_app(settings)) as client:
        recovered = client.get(f"/api/jobs/{cut_short.id}").json()
        assert recovered["status"] == "done" and recovered["document"]["clauses"] == 3
        assert (settings.upload_dir / NAME).read_bytes() == PLAN.encode() and not pending.exists()
        interrupted = client.get(f"/api/jobs/{lost.id}").json()
        assert interrupted["status"] == "interrupted" and "upload it again" in interrupted["error"]["detail"]
        again = upload_and_wait(client, "丢失.txt", PLAN.encode(), admin)
        assert again["status"] == "done" and again["document"]["replaced"] is False


def test_store_forgets_old_finished_jobs_only(tmp_path: Path) -> None:
    store = SqliteJobStore(tmp_path / "jobs.sqlite3")
    running = replace(Job.new("a.txt", 1, owner="me"), status="running", created_at=1.0)
    store.put(running)
    for i in range(5):
        store.put(replace(Job.new(f"{i}.txt", 1, owner="me"), status="done", created_at=10.0 + i))
    store.prune(2)
    assert [j.source for j in store.recent(10)] == ["4.txt", "3.txt", "a.txt"]
    store.close()
