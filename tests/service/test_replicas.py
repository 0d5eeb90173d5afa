"""Two service replicas sharing one PostgreSQL: writes on one are answered by the other, and a
replica killed with SIGKILL in the middle of an upload leaves no half-indexed document.

Each replica is a real ``uvicorn`` process on 127.0.0.1; the database is the session's local
PostgreSQL 18 + pgvector (tests/conftest.py), loaded once from the bundled corpus with the
embeddings of the session's built index.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest

from corpus import BUNDLED_CORPUS_DIR
from devtools.pgserver import free_port
from index.embed.cache import EmbeddingCache
from index.pgstore import SCHEMA, PgIndex
from qa.library import open_pg_library
from tests.service.helpers import ADMIN_TOKEN, big_plan, wait_for_job

pytestmark = pytest.mark.postgres

ROOT = Path(__file__).resolve().parents[2]
ADMIN = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
PLAN = (
    "临湘市低空经济发展行动方案\n"
    "一、重点任务\n"
    "(一)建设低空飞行服务站，开通无人机物流配送航线。"
    "(牵头单位:市交通运输局 责任单位:市发改委、市财政局 完成时限:2027年6月底前)\n"
    "(二)建设通用机场应急救援基地。(牵头单位:市应急管理局 完成时限:持续推进)\n"
)


class Replica:
    """``uvicorn service.app:create_app`` in its own process group, on a free loopback port."""

    def __init__(self, database_url: str, workdir: Path) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {
            **os.environ,
            "POLICYQA_DATABASE_URL": database_url,
            "POLICYQA_ADMIN_TOKEN": ADMIN_TOKEN,
            "POLICYQA_ENVIRONMENT": "development",
            "HF_HUB_OFFLINE": "1",
            # A job whose replica stopped sending heartbeats shows as interrupted after 3 s.
            "POLICYQA_JOB_STALE_SECONDS": "3",
            "PYTHONPATH": str(ROOT),
        }
        workdir.mkdir(parents=True, exist_ok=True)
        self.log = (workdir / f"replica-{self.port}.log").open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "uvicorn", "--factory", "service.app:create_app",
             "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"],
            cwd=workdir, env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        self._wait_ready()

    def _wait_ready(self, timeout: float = 180.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"replica exited with {self.process.returncode}: {self.log.name}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"replica not ready after {timeout} s: {self.log.name}")

    def kill(self, sig: int = signal.SIGKILL) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, sig)
            self.process.wait(timeout=30)
        self.log.close()


@pytest.fixture
def database(pg_url: str, built_index: Path) -> str:
    """``pg_url`` loaded with the bundled corpus (embeddings reused from the session's index)."""
    cache = EmbeddingCache.load(built_index / "embeddings")
    open_pg_library(pg_url, [BUNDLED_CORPUS_DIR], progress=False, cache=cache).close()
    return pg_url


@pytest.fixture
def replicas(database: str, tmp_path: Path) -> Iterator[list[Replica]]:
    started: list[Replica] = []
    try:
        for name in ("a", "b"):
            started.append(Replica(database, tmp_path / name))
        yield started
    finally:
        for replica in started:
            replica.kill(signal.SIGTERM)


def upload(replica: Replica, name: str, text: str) -> httpx.Response:
    files = {"file": (name, text.encode("utf-8"), "text/plain")}
    return httpx.post(f"{replica.url}/api/documents", files=files, headers=ADMIN, timeout=120)


def upload_done(replica: Replica, name: str, text: str) -> dict[str, Any]:
    """Upload through ``replica`` and follow the job to its end (202, then the job record)."""
    response = upload(replica, name, text)
    assert response.status_code == 202, response.text
    with httpx.Client(base_url=replica.url, timeout=60) as client:
        return wait_for_job(client, response.headers["location"])


def sources(replica: Replica) -> dict[str, int]:
    documents = httpx.get(f"{replica.url}/api/documents", timeout=30).json()["documents"]
    return {d["source"]: d["clauses"] for d in documents}


def eventually(check: Callable[[], None], timeout: float = 10.0) -> None:
    """Retry ``check()`` (replicas look for other replicas' writes twice a second)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            check()
            return
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


def test_upload_on_one_replica_is_answered_by_the_other(replicas: list[Replica]) -> None:
    a, b = replicas
    job = upload_done(a, "低空经济方案.txt", PLAN)
    assert job["status"] == "done", job["error"]
    assert job["document"]["clauses"] == 3 and job["document"]["tasks"] == 2
    # The job is recorded in the database: the other replica reports it too.
    assert httpx.get(f"{b.url}{job['location']}", timeout=30).json()["status"] == "done"

    def answered_by_b() -> None:
        response = httpx.post(
            f"{b.url}/api/ask", json={"question": "谁牵头建设低空飞行服务站？什么时候完成？"}, timeout=60
        )
        assert response.status_code == 200, response.text
        body = response.json()
        assert body["results"], body
        top = body["results"][0]
        assert top["source"] == "低空经济方案.txt", body
        assert top["lead_units"] == ["市交通运输局"]
        assert top["deadline"] == "2027年6月底前" and top["deadline_date"] == "2027-06-30"

    eventually(answered_by_b)
    document = httpx.get(f"{b.url}/api/documents/低空经济方案.txt", timeout=30).json()
    assert document["uploaded"] is True and document["text"].startswith("临湘市低空经济发展行动方案")

    deleted = httpx.delete(f"{b.url}/api/documents/低空经济方案.txt", headers=ADMIN, timeout=60)
    assert deleted.status_code == 200 and deleted.json()["file_deleted"] is True
    eventually(lambda: _assert_absent(a, "低空经济方案.txt"))


def _assert_absent(replica: Replica, source: str) -> None:
    assert source not in sources(replica)


def _assert_intact(database: str, expected: dict[str, int]) -> None:
    """The stored documents are exactly ``expected`` (name -> clause count) and consistent."""
    pool = PgIndex.connect(database, max_size=2)
    try:
        with pool.connection() as conn:
            rows = conn.execute(f"SELECT source, count(*) FROM {SCHEMA}.clauses GROUP BY source").fetchall()
        assert dict(rows) == expected
        assert PgIndex.open(pool).check() == []
    finally:
        pool.close()


def _wait_for_lock_waiter(database: str, timeout: float = 60.0) -> None:
    """Block until some session waits on a row lock of the ``meta`` table."""
    deadline = time.monotonic() + timeout
    with psycopg.connect(database, autocommit=True) as conn:
        while time.monotonic() < deadline:
            found = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE %s",
                [f"%{SCHEMA}%meta%"],
            ).fetchone()
            if found and found[0]:
                return
            time.sleep(0.05)
    raise AssertionError("no upload reached the end of its transaction")


def test_replica_killed_during_upload_loses_nothing(replicas: list[Replica], database: str, tmp_path: Path) -> None:
    a, b = replicas
    assert upload_done(a, "低空经济方案.txt", PLAN)["status"] == "done"  # acknowledged: must survive
    eventually(lambda: _assert_present(b, "低空经济方案.txt"))  # B looks for A's writes twice a second
    expected = sources(a)  # a wrote it

    # Hold the row the upload's transaction updates last, so the replica is killed with every
    # row of the new document written but not committed.
    blocker = psycopg.connect(database)
    blocker.execute(f"SELECT * FROM {SCHEMA}.meta WHERE key = 'stats' FOR UPDATE")
    second = PLAN.replace("低空飞行服务站", "直升机起降点")
    accepted = upload(a, "第二方案.txt", second)
    assert accepted.status_code == 202, accepted.text
    _wait_for_lock_waiter(database)
    a.kill()
    blocker.rollback()
    blocker.close()

    _assert_intact(database, expected)
    eventually(lambda: _assert_absent(b, "第二方案.txt"))

    # The other replica reports the job as interrupted once the dead one's heartbeat is stale.
    eventually(lambda: _assert_interrupted(b, accepted.headers["location"]), timeout=30)

    # Killed while still parsing and embedding, before any transaction: same outcome.
    c = Replica(database, tmp_path / "c")
    # Every clause text new, so the job is still embedding when killed (a repeated text is embedded once).
    accepted = upload(c, "第二方案.txt", big_plan(300))
    assert accepted.status_code == 202
    time.sleep(0.3)
    c.kill()
    _assert_intact(database, expected)
    # Until then an upload of the same name is refused (409): the job might still be running.
    eventually(lambda: _assert_interrupted(b, accepted.headers["location"]), timeout=30)

    # A replacement replica takes the same upload again.
    d = Replica(database, tmp_path / "d")
    try:
        assert upload_done(d, "第二方案.txt", second)["status"] == "done"
        eventually(lambda: _assert_present(b, "第二方案.txt"))
    finally:
        d.kill(signal.SIGTERM)


def _assert_interrupted(replica: Replica, location: str) -> None:
    job = httpx.get(f"{replica.url}{location}", timeout=30).json()
    assert job["status"] == "interrupted" and "upload it again" in job["error"]["detail"], job


def _assert_present(replica: Replica, source: str) -> None:
    assert source in sources(replica)
