"""What the running service holds (index, answerer, document files) and the dependencies reading it.

The lifespan in :mod:`service.app` creates one :class:`ServiceState` and puts it on
``app.state.service``; route functions get it with ``Depends(get_state)``.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Header, Request

from corpus.model import Clause, Document
from index.embed.cache import EmbeddingCache
from index.store import ClauseStore
from index.types import PreparedChange, StoredDocument
from qa.answer import Answerer
from qa.dialogue import Dialogue
from service.conversations import ConversationStore
from service.errors import http_error
from service.files import DatabaseFiles, DocumentFiles
from service.settings import Settings


@dataclass
class ServiceState:
    """The loaded index and everything built on it, shared by all requests.

    Attributes:
        settings: the service's settings.
        index: the clause store, files + FAISS or PostgreSQL (its clauses are also the task ledger).
        answerer: answers questions from ``index``; refreshed after documents change.
        files: the texts and uploaded files behind the indexed documents.
        lock: held while reading the index, and by a writer only for the moment it swaps the
            new index in, so a search never sees an index halfway through an upload or a
            deletion, and is never kept waiting by parsing or embedding (in this process;
            writers on several replicas are serialised by the database).
        write_lock: held by a writer (upload job, deletion) for its whole change: one at a time.
        conversations: recent questions per IM conversation id (DingTalk, WeCom).
    """

    settings: Settings
    index: ClauseStore
    answerer: Answerer
    files: DocumentFiles | DatabaseFiles
    lock: threading.RLock = field(default_factory=threading.RLock)
    write_lock: threading.RLock = field(default_factory=threading.RLock)
    conversations: ConversationStore = field(default_factory=ConversationStore)

    @cached_property
    def dialogue(self) -> Dialogue:
        """Answers a conversation's last turn, reading follow-ups against the turns before it."""
        return Dialogue(self.answerer)

    @contextmanager
    def reading(self) -> Iterator[ClauseStore]:
        """Hold the lock while using the index: ``with state.reading() as index: …``."""
        with self.lock:
            yield self.index

    def sources(self) -> dict[str, int]:
        """Indexed document names with their clause counts, in index order."""
        counts: dict[str, int] = {}
        for clause in self.index.clauses:
            counts[clause.source] = counts.get(clause.source, 0) + 1
        return counts

    def add_upload(
        self,
        document: Document,
        data: bytes,
        cache: EmbeddingCache | None = None,
        pending: Path | None = None,
        prepare: Callable[[list[Clause]], PreparedChange] | None = None,
    ) -> bool:
        """Index an uploaded document and keep its file, replacing an upload of the same name.

        With PostgreSQL the file bytes are stored in the same transaction as the clauses. With
        the embedded index the new index is written to disk first (readers keep the current
        one), then the file is saved, then the new index is swapped in under :attr:`lock`.

        Args:
            document: the parsed upload.
            data: its file's bytes.
            cache: embeddings of its chunk texts computed beforehand (the rest are embedded here).
            pending: embedded index only: where to keep ``data`` until the file is saved, so a
                server killed between writing the index and saving the file can finish on restart.
            prepare: writes the index with the clauses added and returns the change to adopt
                (the upload job's worker process); default ``index.prepare_add``.

        Returns:
            True when an indexed document of the same name was replaced.
        """
        clauses = list(document.clauses)
        stored = StoredDocument(document.title, document.text, data)
        with self.write_lock:
            replaced = document.source in self.sources()
            # A store that keeps documents (PostgreSQL) has the bytes in its own transaction.
            if pending is not None and not self.index.keeps_documents():
                pending.parent.mkdir(parents=True, exist_ok=True)
                pending.write_bytes(data)
            if prepare is not None:
                change = prepare(clauses)
            else:
                change = self.index.prepare_add(clauses, documents={document.source: stored}, cache=cache)
            if isinstance(self.files, DocumentFiles):
                self.files.save_upload(document.source, data)
            if pending is not None:
                pending.unlink(missing_ok=True)
            with self.lock:
                self.index.adopt(change)
            self.answerer.refresh()  # outside the readers' lock: see Answerer.refresh
        return replaced

    def delete(self, source: str) -> bool:
        """Remove document ``source`` from the index; True when an uploaded file went with it.

        Raises:
            InvalidQueryError: no document ``source`` is indexed.
        """
        with self.write_lock:
            uploaded = self.files.is_upload(source)
            change = self.index.prepare_remove(source)
            with self.lock:
                self.index.adopt(change)
            if isinstance(self.files, DocumentFiles):
                self.files.delete_upload(source)
            self.answerer.refresh()
        return uploaded


async def get_state(request: Request) -> ServiceState:
    """FastAPI dependency: the :class:`ServiceState` of the running app (``async``: a plain
    attribute read, so FastAPI runs it on the event loop instead of handing it to a thread).

    Raises:
        HTTPException: 503 while the service is starting (no index yet).
    """
    state = getattr(request.app.state, "service", None)
    if not isinstance(state, ServiceState):
        raise http_error(503, "服务正在启动，索引尚未就绪", "the service is starting; the index is not ready")
    return state


State = Annotated[ServiceState, Depends(get_state)]


def require_admin(
    state: State,
    authorization: Annotated[str | None, Header(description="Bearer <admin token>")] = None,
) -> None:
    """FastAPI dependency guarding writes: ``Authorization: Bearer <admin token>``.

    Raises:
        HTTPException: 401 without a bearer token, 403 with a wrong one (or when the service has
            no admin token configured).
    """
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise http_error(
            401,
            "需要管理员令牌",
            "missing admin token: send 'Authorization: Bearer <token>'",
            headers={"WWW-Authenticate": "Bearer"},
        )
    expected = state.settings.admin_token.get_secret_value()
    if not expected or not hmac.compare_digest(token.strip().encode(), expected.encode()):
        raise http_error(403, "管理员令牌无效", "invalid admin token")
