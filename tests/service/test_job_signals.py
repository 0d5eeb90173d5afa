"""A real ``uvicorn`` server during an upload job: it keeps answering, stops within seconds on
SIGTERM, and after SIGKILL + restart the job shows as interrupted, the document is absent and
uploading again works."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from corpus import BUNDLED_CORPUS_DIR
from devtools.pgserver import free_port
from tests.service.helpers import ADMIN_TOKEN, ROOT, big_plan, wait_for_job

ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
BIG = "综合改革任务清单.txt"


class Server:
    """``uvicorn --factory service.app:create_app`` on the index copy in ``root`` (own process group)."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "POLICYQA_INDEX_DIR": str(root / "index"),
            "POLICYQA_UPLOAD_DIR": str(root / "uploads"),
            "POLICYQA_CORPUS_PATHS": f'["{BUNDLED_CORPUS_DIR}"]',
            "POLICYQA_ADMIN_TOKEN": ADMIN_TOKEN,
            "POLICYQA_ENVIRONMENT": "development",
            "POLICYQA_JOB_BATCH_SIZE": "4",
            "PYTHONPATH": str(ROOT),
        }
        self.log = (root / f"server-{self.port}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "service.app:create_app",
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
            cwd=root, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self.client = httpx.Client(base_url=self.url, timeout=60)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"server exited with {self.process.returncode}: {self.log.name}"
            try:
                if self.client.get("/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.3)
        raise AssertionError(f"server not ready after 180 s: {self.log.name}")

    def signal(self, sig: int) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)

    def close(self) -> None:
        self.signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.client.close()
        self.log.close()


@pytest.fixture
def root(built_index: Path, tmp_path: Path) -> Path:
    shutil.copytree(built_index, tmp_path / "index")
    return tmp_path


@pytest.fixture
def servers() -> Iterator[list[Server]]:
    started: list[Server] = []
    yield started
    for server in started:
        server.close()


def _start_big_job(server: Server) -> str:
    """Upload a 300-clause plan and wait until its job has embedded some clauses; its location."""
    response = server.client.post("/api/documents", files={"file": (BIG, big_plan(300).encode())}, headers=ADMIN)
    assert response.status_code == 202, response.text
    location = response.headers["location"]
    deadline = time.monotonic() + 120
    while True:
        job = server.client.get(location).json()
        assert job["status"] in ("queued", "running"), job
        if job["status"] == "running" and job["clauses_embedded"] > 0:
            assert job["clauses_total"] == 301 and job["clauses_embedded"] < job["clauses_total"]
            return location
        assert time.monotonic() < deadline, f"no progress: {job}"
        time.sleep(0.1)


def _assert_retry_works(server: Server, location: str, reason: str) -> None:
    job = server.client.get(location).json()
    assert job["status"] == "interrupted", job
    assert reason in job["error"]["detail"] and job["document"] is None
    documents = server.client.get("/api/documents").json()["documents"]
    assert BIG not in [d["source"] for d in documents]  # absent, not half there
    again = server.client.post("/api/documents", files={"file": (BIG, big_plan(3).encode())}, headers=ADMIN)
    assert again.status_code == 202, again.text
    done = wait_for_job(server.client, again.headers["location"])
    assert done["status"] == "done" and done["document"]["clauses"] == 4, done
    answer = server.client.post("/api/ask", json={"question": "谁牵头建设智慧口岸通关系统第1期工程？"}).json()
    assert answer["results"][0]["source"] == BIG, answer


def test_answers_during_a_job_and_sigkill_then_restart(root: Path, servers: list[Server]) -> None:
    servers.append(server := Server(root))
    location = _start_big_job(server)
    # The index stays readable while the job embeds: health, the ledger and questions answer.
    assert server.client.get("/healthz", timeout=10).json()["documents"] == 5
    asked = server.client.post("/api/ask", json={"question": "谁牵头企业开办一网通办？"}, timeout=30)
    assert asked.status_code == 200 and asked.json()["results"]
    assert server.client.get(location).json()["status"] == "running"  # still working meanwhile

    server.signal(signal.SIGKILL)
    server.process.wait(timeout=30)
    assert not (root / "uploads" / BIG).exists()
    servers.append(restarted := Server(root))
    _assert_retry_works(restarted, location, "killed or restarted")


def test_sigterm_stops_the_server_within_seconds_during_a_job(root: Path, servers: list[Server]) -> None:
    servers.append(server := Server(root))
    location = _start_big_job(server)
    server.signal(signal.SIGTERM)
    started = time.monotonic()
    server.process.wait(timeout=30)
    stopped_after = time.monotonic() - started
    assert stopped_after < 15, f"took {stopped_after:.1f} s to stop"
    assert server.process.returncode is not None
    servers.append(restarted := Server(root))
    _assert_retry_works(restarted, location, "shutting down")
