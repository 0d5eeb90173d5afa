"""What the running service holds (index, answerer, document files) and the dependencies reading it.

The lifespan in :mod:`service.app` creates one :class:`ServiceState` and puts it on
``app.state.service``; route functions get it with ``Depends(get_state)``.
"""

from __future__ import annotations

import hmac
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from typing import Annotated

from fastapi import Depends, Header, Request

from corpus.model import Document
from index.store import ClauseStore
from index.types import StoredDocument
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
        lock: held while reading or changing the index, so a search never sees an index
            halfway through an upload or a deletion (in this process; writers on several
            replicas are serialised by the database).
        conversations: recent questions per IM conversation id (DingTalk, WeCom).
    """

    settings: Settings
    index: ClauseStore
    answerer: Answerer
    files: DocumentFiles | DatabaseFiles
    lock: threading.RLock = field(default_factory=threading.RLock)
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

    def add_upload(self, document: Document, data: bytes) -> None:
        """Index an uploaded document and keep its file, replacing an upload of the same name.

        With PostgreSQL the file bytes are stored in the same transaction as the clauses; with
        the embedded index the file is written to the upload folder once the index holds it.
        """
        with self.lock:
            stored = StoredDocument(document.title, document.text, data)
            self.index.add_documents(list(document.clauses), documents={document.source: stored})
            if isinstance(self.files, DocumentFiles):
                self.files.save_upload(document.source, data)
            self.answerer.refresh()

    def delete(self, source: str) -> bool:
        """Remove document ``source`` from the index; True when an uploaded file went with it."""
        with self.lock:
            uploaded = self.files.is_upload(source)
            self.index.remove_document(source)
            if isinstance(self.files, DocumentFiles):
                self.files.delete_upload(source)
            self.answerer.refresh()
        return uploaded


def get_state(request: Request) -> ServiceState:
    """FastAPI dependency: the :class:`ServiceState` of the running app.

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
