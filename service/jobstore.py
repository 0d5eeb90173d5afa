"""Upload jobs, recorded so their outcome survives the server: SQLite beside the embedded index,
a table in PostgreSQL (shared by replicas, so any replica answers ``GET /api/jobs/{id}``).

A job is one JSON object (:class:`Job`) kept by id; the server running it updates it after each
batch and touches a heartbeat (``updated_at``) every few seconds while it waits or works. A job
still queued or running whose heartbeat is older than the stale limit belonged to a server that
died (kill -9, power loss): it is shown, and rewritten, as ``interrupted``.

Example:
    >>> store = SqliteJobStore(Path("var/jobs/jobs.sqlite3"))
    >>> store.put(Job.new("方案.docx", 1234, owner="host:1"))
    >>> [j.source for j in store.recent(5)]
    ['方案.docx']
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, Literal, Protocol

from psycopg_pool import ConnectionPool

from corpus.errors import IndexStateError

JobStatus = Literal["queued", "running", "done", "failed", "interrupted"]
UNFINISHED: tuple[JobStatus, ...] = ("queued", "running")


@dataclass(frozen=True, slots=True)
class JobError:
    """Why a job did not finish: the HTTP status a synchronous upload would have got, and the
    bilingual detail (``"<中文> / <English>"``) like every error body of the API."""

    status: int
    detail: str


@dataclass(frozen=True, slots=True)
class Job:
    """One upload being (or having been) parsed, embedded and added to the index.

    Attributes:
        id: 32 hex digits.
        source: the document's file name.
        size: the uploaded file's bytes.
        status: queued, running, done, failed or interrupted (the server stopped; upload again).
        owner: the server process running it (``host:pid:token``).
        created_at, updated_at, started_at, finished_at: Unix times (``updated_at`` is the heartbeat).
        clauses_total: clauses of the document once parsed (0 before).
        clauses_embedded: clauses whose embeddings are ready (reused ones count as ready).
        error: why it failed or was interrupted.
        document: the document summary once done (source, title, clauses, tasks, uploaded, replaced).
        report: the extraction report once done (``corpus.report``), None without one.
        clause_hash: hash of the parsed clause ids, to recognise a commit cut short by a crash.
    """

    id: str
    source: str
    size: int
    status: JobStatus
    owner: str
    created_at: float
    updated_at: float
    started_at: float | None = None
    finished_at: float | None = None
    clauses_total: int = 0
    clauses_embedded: int = 0
    error: JobError | None = None
    document: dict[str, Any] | None = None
    report: dict[str, Any] | None = None
    clause_hash: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def new(cls, source: str, size: int, owner: str) -> Job:
        """A queued job for upload ``source`` of ``size`` bytes."""
        now = time.time()
        return cls(uuid.uuid4().hex, source, size, "queued", owner, now, now)

    @property
    def finished(self) -> bool:
        """True once done, failed or interrupted."""
        return self.status not in UNFINISHED

    def to_json(self) -> str:
        """The job as one JSON object (the stored form)."""
        return json.dumps(asdict(self), ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Job:
        """Read a job written by :meth:`to_json`."""
        data = json.loads(text)
        error = data.pop("error", None)
        return cls(**data, error=JobError(**error) if error else None)

    def stale(self, now: float, limit: float) -> bool:
        """True when unfinished and its server has not touched it for ``limit`` seconds."""
        return not self.finished and now - self.updated_at > limit

    def interrupted(self, reason: JobError) -> Job:
        """This job marked interrupted with ``reason`` (uploading again retries it)."""
        now = time.time()
        return replace(self, status="interrupted", error=reason, finished_at=now, updated_at=now)


#: Why a job whose server vanished did not finish.
DIED = JobError(
    503,
    "服务在任务完成前停止（被终止或重启），文件未加入索引，请重新上传"
    " / the server stopped before the job finished (killed or restarted); the document was not added, upload it again",
)


class JobStore(Protocol):
    """Where jobs are kept: put (insert or replace), get, recent, touch (heartbeat)."""

    def put(self, job: Job) -> None:
        """Insert or replace ``job``."""
        ...

    def get(self, job_id: str) -> Job | None:
        """The job ``job_id``, or None."""
        ...

    def recent(self, limit: int) -> list[Job]:
        """The ``limit`` most recently created jobs, newest first."""
        ...

    def unfinished(self) -> list[Job]:
        """Every queued or running job."""
        ...

    def touch(self, owner: str) -> None:
        """Heartbeat: set ``updated_at`` of ``owner``'s unfinished jobs to now."""
        ...

    def prune(self, keep: int) -> None:
        """Forget finished jobs beyond the ``keep`` most recent ones."""
        ...

    def close(self) -> None:
        """Release the store's connection (if it has its own)."""
        ...


class _SqlJobStore:
    """The SQL both stores share; subclasses run it (``?`` placeholders)."""

    _CREATE = (
        "CREATE TABLE IF NOT EXISTS {t} (id TEXT PRIMARY KEY, created_at DOUBLE PRECISION NOT NULL, "
        "status TEXT NOT NULL, owner TEXT NOT NULL, data TEXT NOT NULL)"
    )
    table = "jobs"

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def put(self, job: Job) -> None:
        """Insert or replace ``job``."""
        self._run(
            f"INSERT INTO {self.table} (id, created_at, status, owner, data) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET status = excluded.status, owner = excluded.owner, data = excluded.data",
            (job.id, job.created_at, job.status, job.owner, job.to_json()),
        )

    def get(self, job_id: str) -> Job | None:
        """The job ``job_id``, or None."""
        rows = self._run(f"SELECT data FROM {self.table} WHERE id = ?", (job_id,))
        return Job.from_json(rows[0][0]) if rows else None

    def recent(self, limit: int) -> list[Job]:
        """The ``limit`` most recently created jobs, newest first."""
        rows = self._run(f"SELECT data FROM {self.table} ORDER BY created_at DESC LIMIT ?", (limit,))
        return [Job.from_json(r[0]) for r in rows]

    def unfinished(self) -> list[Job]:
        """Every queued or running job."""
        rows = self._run(f"SELECT data FROM {self.table} WHERE status IN ('queued', 'running')")
        return [Job.from_json(r[0]) for r in rows]

    def touch(self, owner: str) -> None:
        """Heartbeat: set ``updated_at`` of ``owner``'s unfinished jobs to now."""
        for job in self.unfinished():
            if job.owner == owner:
                current = self.get(job.id)  # re-read: the worker may have just finished it
                if current is not None and not current.finished:
                    self.put(replace(current, updated_at=time.time()))

    def prune(self, keep: int) -> None:
        """Forget finished jobs beyond the ``keep`` most recent ones."""
        self._run(
            f"DELETE FROM {self.table} WHERE status NOT IN ('queued', 'running') AND id NOT IN "
            f"(SELECT id FROM {self.table} ORDER BY created_at DESC LIMIT ?)",
            (keep,),
        )


class SqliteJobStore(_SqlJobStore):
    """Jobs in a SQLite file (the embedded index: one server owns its index directory).

    Args:
        path: the database file; its folder is created.
    """

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        # One connection shared by the request threads and the worker, serialised by a lock.
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        # WAL with synchronous=NORMAL survives a killed process (kill -9 loses nothing committed);
        # only a power cut can lose the last progress updates. No fsync per progress update.
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._lock = threading.Lock()
        self._run(self._CREATE.format(t=self.table))

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._conn.execute(sql, params).fetchall()

    def close(self) -> None:
        """Close the database file."""
        with self._lock:
            self._conn.close()


class PgJobStore(_SqlJobStore):
    """Jobs in a table of the service's PostgreSQL database (its own schema: a corpus rebuild
    drops the corpus schema, not the jobs).

    Args:
        pool: connections to the primary.
    """

    table = "policyqa_jobs.jobs"

    def __init__(self, pool: ConnectionPool, *, owns_pool: bool = False) -> None:
        self.pool = pool
        self._owns_pool = owns_pool
        with pool.connection() as conn, conn.transaction():
            # Replicas starting together: the lock keeps two CREATEs from colliding.
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('policyqa_jobs'))")
            conn.execute("CREATE SCHEMA IF NOT EXISTS policyqa_jobs")
            conn.execute(self._CREATE.format(t=self.table))

    def _run(self, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self.pool.connection() as conn:
            cursor = conn.execute(sql.replace("?", "%s"), params)
            return list(cursor.fetchall()) if cursor.description else []

    @classmethod
    def connect(cls, url: str) -> PgJobStore:
        """A job store on its own small pool of connections to ``url`` (closed by :meth:`close`).

        Raises:
            IndexStateError: the database cannot be reached.
        """
        pool = ConnectionPool(url, min_size=1, max_size=2, open=False)
        try:
            pool.open(wait=True, timeout=30)
        except Exception as exc:
            pool.close()
            raise IndexStateError(f"cannot connect to the jobs database: {type(exc).__name__}") from None
        try:
            return cls(pool, owns_pool=True)
        except Exception:
            pool.close()
            raise

    def close(self) -> None:
        """Close the pool when this store opened it (:meth:`connect`); else it is the caller's."""
        if self._owns_pool:
            self.pool.close()
