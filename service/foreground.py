"""Requests first: background work pauses while the server is answering a request.

The upload job's worker process runs at the lowest CPU priority (SCHED_IDLE), which gives
requests the cores but not the shared cache and memory bandwidth: a question embedded while the
worker embeds took up to twice as long (docs/benchmarks.md). :class:`Foreground` counts the
requests in progress; the first one to start pauses every registered background worker and the
last one to finish lets them go on. Pausing and resuming cost a signal each (microseconds).

Under a saturating load the worker progresses only between requests, which SCHED_IDLE already
implies; the job's seconds bound (``job_max_seconds``) ends a job that could not finish.

Example:
    >>> foreground = Foreground()
    >>> foreground.register(worker)            # has pause() and resume()
    >>> with foreground.busy():
    ...     answer = answerer.ask(question)    # the worker is stopped meanwhile
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol

from starlette.types import ASGIApp, Receive, Scope, Send

#: Writes to the documents (uploads, deletions) are not foreground work (see :class:`ForegroundMiddleware`).
DOCUMENTS_PATH = "/api/documents"


class Pausable(Protocol):
    """Background work that can be stopped and continued at any instant."""

    def pause(self) -> None: ...

    def resume(self) -> None: ...


class Foreground:
    """Counts requests in progress and pauses the registered workers while there is one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._busy = 0
        self._workers: list[Pausable] = []

    def register(self, worker: Pausable) -> None:
        """Pause ``worker`` whenever a request is in progress (from now on)."""
        with self._lock:
            self._workers.append(worker)
            if self._busy:
                worker.pause()

    def unregister(self, worker: Pausable) -> None:
        """Stop pausing ``worker``; it is resumed."""
        with self._lock:
            if worker in self._workers:
                self._workers.remove(worker)
                worker.resume()

    @contextmanager
    def busy(self) -> Iterator[None]:
        """Hold the workers paused for the duration of the block."""
        with self._lock:
            self._busy += 1
            if self._busy == 1:
                for worker in self._workers:
                    worker.pause()
        try:
            yield
        finally:
            with self._lock:
                self._busy -= 1
                if self._busy == 0:
                    for worker in self._workers:
                        worker.resume()


class ForegroundMiddleware:
    """ASGI middleware: every HTTP request but a write to the documents is foreground work
    (:meth:`Foreground.busy`).

    An upload's body arrives at the client's pace, and a deletion waits for the running job to
    finish its commit: neither may hold the job's worker. (A worker also pauses at most
    ``IngestWorker.max_pause`` seconds at a time, whatever keeps requests coming.)
    """

    def __init__(self, app: ASGIApp, foreground: Foreground) -> None:
        self.app = app
        self.foreground = foreground

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (
            scope["method"] not in ("GET", "HEAD") and scope["path"].startswith(DOCUMENTS_PATH)
        ):
            await self.app(scope, receive, send)
            return
        with self.foreground.busy():
            await self.app(scope, receive, send)
