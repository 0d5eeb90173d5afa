"""Background ingestion: an upload becomes a job that one worker thread runs, while the service
keeps answering from the current index.

- ``submit`` queues the upload (bounded queue: full -> :class:`QueueFull`, a 503) and records
  the job (:mod:`service.jobstore`); ``get``/``recent`` read it back.
- The CPU work runs in a child process at low priority (:mod:`service.ingest_worker`): it parses
  the file, embeds the chunk texts the index does not hold yet in batches of ``job_batch_size``
  (progress after each batch) and, for the embedded index, writes the new index beside the live
  one. The worker thread refuses documents over the clause bound and hands the result to
  :meth:`ServiceState.add_upload`, whose only step under the readers' lock is the swap.
- ``stop`` (server shutdown, SIGTERM) sets an event the worker thread checks every 0.1 s while it
  waits for the child: the child is killed, the job is marked interrupted (upload again to
  retry) and the server exits within seconds. Past ``job_max_seconds`` the child is killed too.
- ``recover`` (startup) marks jobs a dead server left queued or running as interrupted, and
  finishes a commit that was cut short between writing the index and saving the file.

Example:
    >>> runner = JobRunner(state, SqliteJobStore(Path("var/jobs/jobs.sqlite3")))
    >>> runner.start()
    >>> job = runner.submit("方案.docx", data)
    >>> runner.get(job.id).status
    'running'
"""

from __future__ import annotations

import logging
import os
import queue
import secrets
import socket
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from corpus.errors import PolicyQAError
from corpus.model import Clause, Document
from corpus.simplify import to_simplified
from index.chunks import chunk_clauses
from index.embed.cache import EmbeddingCache
from index.embed.protocol import Vectors
from index.hybrid import HybridIndex
from index.manifest import corpus_hash
from index.types import PreparedChange
from service.errors import bilingual, domain_status
from service.files import DocumentFiles
from service.ingest_worker import IngestWorker, WorkerConfig, WorkerDied
from service.jobstore import DIED, Job, JobError, JobStore
from service.state import ServiceState

log = logging.getLogger(__name__)

_STOPPED = JobError(
    503,
    "服务正在停止，任务已中断，文件未加入索引，请重新上传"
    " / the server is shutting down; the job was interrupted and the document not added, upload it again",
)


#: Seconds between two progress records of a running job (the web page asks every 0.5 s).
PROGRESS_SECONDS = 0.25

#: Finished jobs remembered (older ones are forgotten as new ones arrive).
KEEP_JOBS = 1000


class QueueFull(Exception):
    """The ingestion queue holds ``job_queue_size`` uploads already."""


class JobConflict(Exception):
    """An upload of the same name is queued or running."""

    def __init__(self, job: Job) -> None:
        super().__init__(job.id)
        self.job = job


class _Interrupted(Exception):
    """The server is stopping: leave the job between two batches."""


class _Refused(Exception):
    """The job cannot finish: carries the error the job records."""

    def __init__(self, error: JobError) -> None:
        super().__init__(error.detail)
        self.error = error


def summary(source: str, clauses: list[Clause], uploaded: bool) -> dict[str, Any]:
    """The document summary ``/api/documents`` lists: source, title, clauses, tasks, uploaded."""
    return {
        "source": source,
        "title": clauses[0].title if clauses else source,
        "clauses": len(clauses),
        "tasks": sum(1 for c in clauses if c.is_task),
        "uploaded": uploaded,
    }


def document_summary(state: ServiceState, source: str, clauses: list[Clause]) -> dict[str, Any]:
    """:func:`summary` plus the document's identity and validity (issuer, 文号, date, draft marker,
    which documents it replaces or is replaced by), as the answerer judges them now."""
    record = summary(source, clauses, state.files.is_upload(source))
    validity = state.answerer.documents().get(source)
    return {**record, **validity.to_dict()} if validity else record


class JobRunner:
    """Runs upload jobs one at a time in a worker thread and records them in ``store``.

    Args:
        state: the running service (index, files, settings).
        store: where jobs are recorded.
    """

    def __init__(self, state: ServiceState, store: JobStore) -> None:
        self.state = state
        self.store = store
        self.settings = state.settings
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self._queue: queue.Queue[tuple[Job, bytes]] = queue.Queue(maxsize=self.settings.job_queue_size)
        self._stop = threading.Event()
        # One writer of this process's job records at a time: the worker and the heartbeat.
        self._write = threading.Lock()
        self._submit = threading.Lock()
        self._threads: list[threading.Thread] = []
        #: The child process that does the CPU work (:mod:`service.ingest_worker`).
        self.worker = IngestWorker(
            WorkerConfig(
                embedder=state.index.embedder.spec,
                nice=self.settings.job_nice,
                threads=self.settings.job_threads or os.cpu_count() or 1,
                model_dir=str(Path("var/models").absolute()),
                memory_mib=self.settings.job_max_memory_mib,
            ),
            idle_seconds=self.settings.job_worker_idle_seconds,
        )

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> None:
        """Start the worker and the heartbeat threads (daemons: they never hold the process up)."""
        for target, name in ((self._work, "policyqa-ingest"), (self._beat, "policyqa-job-heartbeat")):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        """Interrupt the running job at its next batch boundary and every queued one; wait at
        most ``job_stop_seconds`` for the worker."""
        self._stop.set()
        deadline = time.monotonic() + self.settings.job_stop_seconds
        for thread in self._threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        self.worker.close()
        self._drain()

    def recover(self) -> None:
        """Settle jobs a previous server left unfinished (call before :meth:`start`).

        Embedded index: every unfinished job is from a dead server (one server owns the index
        directory). A job whose index was written but whose file was not yet saved is finished;
        the others are marked interrupted. PostgreSQL: only jobs with a stale heartbeat.
        """
        now = time.time()
        for job in self.store.unfinished():
            if self.state.settings.backend == "postgres":
                if job.stale(now, self.settings.job_stale_seconds):
                    self.store.put(job.interrupted(DIED))
                continue
            pending = self.pending_path(job)
            if pending.is_file() and self._committed(job):
                if isinstance(self.state.files, DocumentFiles):
                    self.state.files.save_upload(job.source, pending.read_bytes())
                clauses = [c for c in self.state.index.clauses if c.source == job.source]
                done = replace(job, status="done", finished_at=now, updated_at=now, clauses_embedded=job.clauses_total)
                self.store.put(replace(done, document=document_summary(self.state, job.source, clauses)))
                log.info("job %s: finished the commit a stopped server had begun", job.id)
            else:
                self.store.put(job.interrupted(DIED))
            pending.unlink(missing_ok=True)

    def pending_path(self, job: Job) -> Path:
        """Where the embedded index keeps an upload's bytes while committing it."""
        return self.settings.job_dir / "pending" / job.id

    def _committed(self, job: Job) -> bool:
        ids = [c.id for c in self.state.index.clauses if c.source == job.source]
        return job.clause_hash is not None and bool(ids) and corpus_hash(ids) == job.clause_hash

    # -- requests ----------------------------------------------------------------------------

    def submit(self, source: str, data: bytes) -> Job:
        """Queue upload ``source``; returns the queued job.

        Raises:
            JobConflict: an upload of that name is queued or running.
            QueueFull: ``job_queue_size`` uploads are waiting already.
        """
        with self._submit:
            for other in self.store.unfinished():
                if other.source == source and not other.stale(time.time(), self.settings.job_stale_seconds):
                    raise JobConflict(other)
            if self._queue.full():
                raise QueueFull()
            job = Job.new(source, len(data), self.owner)
            self._put(job)
            self._queue.put_nowait((job, data))
            self.store.prune(KEEP_JOBS)
        return job

    def get(self, job_id: str) -> Job | None:
        """The job ``job_id`` (an unfinished one whose server died shows as interrupted), or None."""
        job = self.store.get(job_id)
        if job is not None and job.stale(time.time(), self.settings.job_stale_seconds):
            job = job.interrupted(DIED)
            self.store.put(job)
        return job

    def recent(self, limit: int) -> list[Job]:
        """The ``limit`` most recent jobs, newest first (dead servers' jobs as interrupted)."""
        now, stale = time.time(), self.settings.job_stale_seconds
        return [j.interrupted(DIED) if j.stale(now, stale) else j for j in self.store.recent(limit)]

    @property
    def queued(self) -> int:
        """Uploads waiting for the worker."""
        return self._queue.qsize()

    # -- worker ------------------------------------------------------------------------------

    def _put(self, job: Job) -> None:
        with self._write:
            self.store.put(replace(job, updated_at=time.time()))

    def _beat(self) -> None:
        interval = max(0.5, self.settings.job_stale_seconds / 4)
        while not self._stop.wait(interval):
            try:
                with self._write:
                    self.store.touch(self.owner)
            except Exception:  # a database hiccup must not end the heartbeat
                log.exception("job heartbeat failed")

    def _work(self) -> None:
        while not self._stop.is_set():
            try:
                job, data = self._queue.get(timeout=0.5)
            except queue.Empty:
                self.worker.close_if_idle()
                continue
            try:
                self._put(self._run(job, data))
            except Exception:
                log.exception("job %s crashed", job.id)

    def _drain(self) -> None:
        while True:
            try:
                job, _ = self._queue.get_nowait()
            except queue.Empty:
                return
            self._put(job.interrupted(_STOPPED))

    def _run(self, job: Job, data: bytes) -> Job:
        """Process one job; returns its final record (done, failed or interrupted)."""
        if self._stop.is_set():
            return job.interrupted(_STOPPED)
        job = replace(job, status="running", started_at=time.time())
        self._put(job)
        # The job's own steps in this process (reading the worker's results back, the swap, the
        # answerer's refresh) are short Python; a request thread waiting for the GIL gets it after
        # the switch interval (5 ms by default). 1 ms while a job runs keeps those waits short.
        switch = sys.getswitchinterval()
        sys.setswitchinterval(min(switch, self.settings.job_switch_interval))
        try:
            return self._ingest(job, data)
        except _Interrupted:
            log.info("job %s interrupted: the server is stopping", job.id)
            return job_latest(self.store, job).interrupted(_STOPPED)
        except WorkerDied as died:
            if self._stop.is_set():  # a signal to the process group reached the worker first
                return job_latest(self.store, job).interrupted(_STOPPED)
            log.error("job %s: %s", job.id, died)
            detail = bilingual("处理进程意外退出（例如内存不足），文件未加入索引，可重新上传", str(died))
            return _failed(job_latest(self.store, job), JobError(500, detail))
        except _Refused as refused:
            return _failed(job_latest(self.store, job), refused.error)
        except PolicyQAError as exc:
            status, detail = domain_status(exc)
            return _failed(job_latest(self.store, job), JobError(status, detail))
        except Exception as exc:
            log.exception("job %s failed", job.id)
            error = JobError(500, bilingual("处理文件时出错", f"{type(exc).__name__}: {exc}"))
            return _failed(job_latest(self.store, job), error)
        finally:
            sys.setswitchinterval(switch)

    def _ingest(self, job: Job, data: bytes) -> Job:
        deadline = time.monotonic() + self.settings.job_max_seconds
        # DocumentError: failed with the status it would have had; the bounds are the settings'.
        parsed = self._call("parse", data, job.source, self.settings.read_limits, deadline=deadline)
        document: Document = parsed[0]
        report: dict[str, Any] = parsed[1]
        clauses = list(document.clauses)
        if not clauses:
            raise _Refused(
                JobError(400, bilingual("文件中没有可识别的条款", f"no clauses could be read from {job.source!r}"))
            )
        limit = self.settings.job_max_clauses
        if len(clauses) > limit:
            raise _Refused(
                JobError(
                    413,
                    bilingual(
                        f"文件条款过多（{len(clauses)} 条，上限 {limit} 条，设置项 POLICYQA_JOB_MAX_CLAUSES）",
                        f"{job.source!r} has {len(clauses)} clauses, more than job_max_clauses={limit} "
                        "(POLICYQA_JOB_MAX_CLAUSES)",
                    ),
                )
            )
        job = replace(job, clauses_total=len(clauses), clause_hash=corpus_hash(c.id for c in clauses))
        self._put(job)
        texts, vectors = self._embed(job, clauses, deadline)
        cache = EmbeddingCache(self.state.index.embedder.id, self.state.index.embedder.dim)
        if texts:
            cache.add(texts, vectors)
        index = self.state.index
        prepare = None
        if isinstance(index, HybridIndex):  # the new index is written by the child, read back here

            def prepare(clauses: list[Clause]) -> PreparedChange:
                return self._prepare_in_worker(index, clauses, texts, vectors)

        replaced = self.state.add_upload(document, data, cache, pending=self._pending_for(job), prepare=prepare)
        now = time.time()
        return replace(
            job,
            status="done",
            finished_at=now,
            clauses_embedded=len(clauses),
            document={**document_summary(self.state, job.source, clauses), "replaced": replaced},
            report=report,
        )

    def _call(self, method: str, *args: Any, deadline: float | None) -> Any:
        """``method`` run by the ingestion worker process; it is killed if the server stops
        (:class:`_Interrupted`) or the job passes ``deadline`` (:class:`_Refused` naming the bound)."""

        def should_stop() -> BaseException | None:
            if self._stop.is_set():
                return _Interrupted()
            if deadline is not None and time.monotonic() > deadline:
                return _Refused(self._seconds_error())
            return None

        return self.worker.call(method, *args, should_stop=should_stop)

    def _seconds_error(self) -> JobError:
        limit = self.settings.job_max_seconds
        return JobError(
            413,
            bilingual(
                f"处理时间超过上限 {limit:g} 秒（设置项 POLICYQA_JOB_MAX_SECONDS）",
                f"the job took longer than job_max_seconds={limit:g} (POLICYQA_JOB_MAX_SECONDS)",
            ),
        )

    def _pending_for(self, job: Job) -> Path | None:
        return None if self.settings.backend == "postgres" else self.pending_path(job)

    def _embed(self, job: Job, clauses: list[Clause], deadline: float) -> tuple[list[str], Vectors]:
        """Embed the chunk texts the index does not hold, batch by batch, recording progress.

        Returns:
            The texts embedded (as the index keys them: simplified) and their vectors, one row each.

        Raises:
            _Interrupted: the server is stopping.
            _Refused: the job ran past ``job_max_seconds``.
        """
        index = self.state.index
        chunks = chunk_clauses(clauses, index.params.max_chunk_chars, index.params.prefix, index.params.units)
        texts = [to_simplified(c.text) for c in chunks]  # as the index build looks them up
        _, missing = index.stored_embeddings(texts).lookup(texts)
        left: dict[str, int] = {}  # clause id -> chunks still to embed
        for i in missing:
            left[chunks[i].clause_id] = left.get(chunks[i].clause_id, 0) + 1
        job = replace(job, clauses_embedded=len(clauses) - len(left))
        self._put(job)
        embedded: list[str] = []
        vectors: list[Vectors] = []
        size = self.settings.job_batch_size
        recorded = time.monotonic()
        for start in range(0, len(missing), size):
            rows = missing[start : start + size]
            batch = [texts[i] for i in rows]
            vectors.append(self._call("embed", batch, deadline=deadline))
            embedded.extend(batch)
            for i in rows:
                left[chunks[i].clause_id] -= 1
            # Progress is recorded at most every PROGRESS_SECONDS (and after the last batch).
            if time.monotonic() - recorded >= PROGRESS_SECONDS or start + size >= len(missing):
                job = replace(job, clauses_embedded=len(clauses) - sum(1 for n in left.values() if n > 0))
                self._put(job)
                recorded = time.monotonic()
        stacked = np.concatenate(vectors) if vectors else np.zeros((0, index.embedder.dim), dtype=np.float32)
        return embedded, stacked

    def _prepare_in_worker(
        self, index: HybridIndex, clauses: list[Clause], texts: list[str], vectors: Vectors
    ) -> PreparedChange:
        """The worker process writes the index with ``clauses`` added; it is read back here.

        No seconds bound here: a build cut short is harmless, but the job is past its slow part.
        If the worker died, it may have published the new index just before: read back if so.
        """
        try:
            self._call("prepare_add", str(index.path), clauses, texts, vectors, deadline=None)
        except WorkerDied as died:
            try:
                return index.read_prepared(clauses)
            except PolicyQAError:
                raise died from None
        return index.read_prepared(clauses)


def job_latest(store: JobStore, job: Job) -> Job:
    """The stored version of ``job`` (with its latest progress), or ``job`` itself."""
    return store.get(job.id) or job


def _failed(job: Job, error: JobError) -> Job:
    now = time.time()
    return replace(job, status="failed", error=error, finished_at=now, updated_at=now)
