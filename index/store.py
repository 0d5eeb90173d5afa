"""What the answerer and the service need of a clause store, whichever backend holds it.

Two backends implement it: :class:`index.hybrid.HybridIndex` (files + FAISS, the embedded
default) and :class:`index.pgstore.PgIndex` (PostgreSQL + pgvector, shared by replicas). The
contract tests in ``tests/index/test_store_contract.py`` run against both. The types it speaks
(``Hit``, ``SearchMode``, ``FusionName``, ``StoredDocument``) live beside it in :mod:`index.types`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from corpus.model import Clause
from index.embed.cache import EmbeddingCache
from index.embed.protocol import Embedder
from index.fusion import Norm
from index.manifest import IndexParams
from index.tokenize import Tokenizer
from index.types import FusionName, Hit, PreparedChange, SearchMode, StoredDocument

__all__ = ["ClauseStore", "FusionName", "Hit", "PreparedChange", "SearchMode", "StoredDocument"]


class ClauseStore(Protocol):
    """Clauses indexed for hybrid search, changeable one document at a time."""

    tokenizer: Tokenizer
    embedder: Embedder

    @property
    def clauses(self) -> tuple[Clause, ...]:
        """Every stored clause, in insertion order (also the task ledger)."""
        ...

    @property
    def params(self) -> IndexParams:
        """The chunking, BM25 and FAISS parameters the store was built with."""
        ...

    @property
    def count(self) -> int:
        """Number of stored clauses."""
        ...

    @property
    def generation(self) -> int:
        """A number that changes whenever the stored documents change."""
        ...

    def search(
        self,
        query: str,
        mode: SearchMode = "hybrid",
        top_k: int = 10,
        fusion: FusionName = "rrf",
        weights: Sequence[float] | None = None,
        *,
        depth: int = 50,
        rrf_k: int = 60,
        norm: Norm = "minmax",
    ) -> list[Hit]:
        """The ``top_k`` clauses for ``query``, best first."""
        ...

    def add_documents(
        self,
        clauses: Sequence[Clause],
        progress: bool = False,
        *,
        documents: Mapping[str, StoredDocument] | None = None,
        cache: EmbeddingCache | None = None,
    ) -> None:
        """Add (or replace) the documents ``clauses`` come from.

        Args:
            clauses: every clause of the documents to add.
            progress: show a progress bar while embedding.
            documents: title, text and uploaded file bytes per document, for a store that keeps
                them (PostgreSQL keeps them in the same transaction; the embedded index leaves
                them to the service's upload folder).
            cache: embeddings computed beforehand (e.g. by a background job), not computed again.
        """
        ...

    def prepare_add(
        self,
        clauses: Sequence[Clause],
        progress: bool = False,
        *,
        documents: Mapping[str, StoredDocument] | None = None,
        cache: EmbeddingCache | None = None,
    ) -> PreparedChange:
        """:meth:`add_documents` without the swap: searches see the change once :meth:`adopt` gets it.

        The slow part (embedding, building, writing) runs here, so a writer holds the readers'
        lock only around :meth:`adopt`. Writers must be serialised by the caller.
        """
        ...

    def prepare_remove(self, source: str, progress: bool = False) -> PreparedChange:
        """:meth:`remove_document` without the swap (see :meth:`prepare_add`).

        Raises:
            InvalidQueryError: no clause comes from ``source``.
        """
        ...

    def adopt(self, change: PreparedChange) -> None:
        """Make searches see ``change`` (from :meth:`prepare_add` / :meth:`prepare_remove`)."""
        ...

    def stored_embeddings(self, texts: Sequence[str]) -> EmbeddingCache:
        """Embeddings the store already holds, at least those of ``texts`` it has."""
        ...

    def remove_document(self, source: str, progress: bool = False) -> None:
        """Remove every clause of document ``source``.

        Raises:
            InvalidQueryError: no clause comes from ``source``.
        """
        ...

    def keeps_documents(self) -> bool:
        """True when the store itself keeps the documents' texts and uploaded files (``documents=``)."""
        ...

    def document(self, source: str, *, with_file: bool = False) -> tuple[StoredDocument, bool] | None:
        """The kept document ``source`` and whether it was uploaded; None when not kept.

        A store that does not keep documents (:meth:`keeps_documents` False) always answers None.
        The uploaded file's bytes are read only ``with_file``.
        """
        ...

    def close(self) -> None:
        """Release what the store holds open (connections); it is not used afterwards."""
        ...
