"""What the answerer and the service need of a clause store, whichever backend holds it.

Two backends implement it: :class:`index.hybrid.HybridIndex` (files + FAISS, the embedded
default) and :class:`index.pgstore.PgIndex` (PostgreSQL + pgvector, shared by replicas). The
contract tests in ``tests/index/test_store_contract.py`` run against both.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from corpus.model import Clause
from index.embed.cache import EmbeddingCache
from index.embed.protocol import Embedder
from index.fusion import Norm
from index.hybrid import FusionName, Hit, SearchMode
from index.manifest import IndexParams
from index.tokenize import Tokenizer


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
        self, clauses: Sequence[Clause], progress: bool = False, *, cache: EmbeddingCache | None = None
    ) -> None:
        """Add (or replace) the documents ``clauses`` come from (``cache``: embeddings computed beforehand)."""
        ...

    def stored_embeddings(self, texts: Sequence[str]) -> EmbeddingCache:
        """Embeddings the store already holds, at least those of ``texts`` it has."""
        ...

    def remove_document(self, source: str, progress: bool = False) -> None:
        """Remove every clause of document ``source``."""
        ...
