"""The FastAPI application: routes, error handlers, and a lifespan that opens the index once.

Example:
    $ policyqa serve --port 8000          # or: uvicorn --factory service.app:create_app
    $ curl -s localhost:8000/healthz
    {"status":"ok","clauses":1234,"documents":5}
    $ curl -s localhost:8000/api/ask -H 'content-type: application/json' \\
        -d '{"question": "岳阳片区谁牵头企业开办一网通办？"}'
    {"question":"岳阳片区谁牵头企业开办一网通办？","answer":"由市市场监管局牵头，…","results":[…]}
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi_offline import FastAPIOffline
from starlette.concurrency import run_in_threadpool

from qa.answer import Answerer
from service.errors import install_error_handlers
from service.foreground import Foreground, ForegroundMiddleware
from service.jobs import JobRunner
from service.jobstore import JobStore, PgJobStore, SqliteJobStore
from service.routes import ask, chat, documents, feishu, health, jobs, tasks, units, web, webhook, wecom
from service.settings import Settings, get_settings
from service.state import ServiceState
from service.store import document_files, open_store

log = logging.getLogger(__name__)

DESCRIPTION = """政策文件问答：每个回答都引用条款原文、牵头单位、责任单位和完成时限。

Semantic search and question answering over Chinese policy documents. Every answer cites the
clause (document, number path, character span) with its lead units, other units and deadline.
Writes (`POST`/`DELETE /api/documents`) need `Authorization: Bearer <admin token>`.
"""


def open_state(settings: Settings) -> ServiceState:
    """Open the clause store (:func:`service.store.open_store`; built on first run only) and the answerer.

    Raises:
        PolicyQAError: the store cannot be opened as it is (the message names the fix), or a first
            build cannot read the documents.
    """
    index = open_store(settings)
    files = document_files(settings, index)
    log.info("index ready: %s", index)
    answerer = Answerer(index, document_text=files.text)  # full texts: issuer, 文号, date, repeals
    return ServiceState(settings=settings, index=index, answerer=answerer, files=files)


def open_jobs(state: ServiceState) -> JobRunner:
    """The upload-job runner of ``state``, with jobs a previous server left unfinished settled, started."""
    settings = state.settings
    # PostgreSQL: a table every replica reads; embedded index: SQLite beside it.
    store: JobStore
    if settings.backend == "postgres":
        store = PgJobStore.connect(settings.database_url.get_secret_value())
    else:
        store = SqliteJobStore(settings.job_dir / "jobs.sqlite3")
    runner = JobRunner(state, store)
    runner.recover()
    runner.start()
    return runner


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service application; the index is opened when the app starts (its lifespan).

    Args:
        settings: configuration; default :func:`service.settings.get_settings` (environment).

    Returns:
        The FastAPI app. ``app.state.service`` holds the :class:`ServiceState` once started.
    """
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state = await run_in_threadpool(open_state, settings)
        runner = await run_in_threadpool(open_jobs, state)
        app.state.service, app.state.jobs = state, runner
        foreground.register(runner.worker)
        try:
            yield
        finally:
            foreground.unregister(runner.worker)
            app.state.service = app.state.jobs = None
            # Shutdown (SIGTERM) does not wait for a long upload: the job stops at its next batch.
            await run_in_threadpool(runner.stop)
            runner.store.close()
            state.index.close()

    # FastAPIOffline serves the Swagger UI / ReDoc assets from the package, not a CDN, so
    # /docs works on a network with no way out.
    app = FastAPIOffline(
        title="policy-qa 政策文件问答",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.service = None
    app.state.jobs = None
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "DELETE"],
            allow_headers=["Authorization", "Content-Type"],
        )
    # Requests first: the upload job's worker process is paused while a request is answered.
    foreground = Foreground()
    app.add_middleware(ForegroundMiddleware, foreground=foreground)
    install_error_handlers(app)
    for module in (health, ask, tasks, units, documents, jobs, chat, webhook, wecom, feishu, web):
        app.include_router(module.router)
    web.mount_static(app)
    return app
