"""Embedding cache: vectors keyed by (embedder id, SHA-256 of the text), kept in the index dir.

An incremental rebuild looks every chunk text up here and sends only the misses to the model.
Files: ``vectors.npy`` (float32, or float16 for the shipped cache; one row per key) and ``keys.json``
(``{"embedder": id, "dim": d, "keys": [sha256, …]}``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from corpus.errors import IndexStateError
from index.embed.protocol import Vectors
from index.files import read_json, require_files, write_json


def text_key(text: str) -> str:
    """SHA-256 hex digest of the UTF-8 text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors of one embedder, found by text hash.

    Args:
        embedder_id: the ``Embedder.id`` every vector here came from.
        dim: vector length.
    """

    def __init__(self, embedder_id: str, dim: int) -> None:
        self.embedder_id = embedder_id
        self.dim = dim
        self._rows: dict[str, int] = {}
        self._vectors: Vectors = np.zeros((0, dim), dtype=np.float32)

    def __len__(self) -> int:
        return len(self._rows)

    def lookup(self, texts: Sequence[str]) -> tuple[Vectors, list[int]]:
        """Vectors for ``texts`` (zero rows where missing) and the positions of the misses."""
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        rows = [self._rows.get(text_key(t), -1) for t in texts]
        hits = [i for i, r in enumerate(rows) if r >= 0]
        out[hits] = self._vectors[[rows[i] for i in hits]]
        return out, [i for i, r in enumerate(rows) if r < 0]

    def add(self, texts: Sequence[str], vectors: Vectors) -> None:
        """Remember ``vectors[i]`` as the embedding of ``texts[i]``."""
        fresh: dict[str, int] = {}
        for i, text in enumerate(texts):
            key = text_key(text)
            if key not in self._rows:
                fresh.setdefault(key, i)
        if not fresh:
            return
        start = len(self._vectors)
        self._vectors = np.concatenate([self._vectors, vectors[list(fresh.values())]])
        for offset, key in enumerate(fresh):
            self._rows[key] = start + offset

    def merge(self, other: EmbeddingCache) -> None:
        """Add the entries of ``other`` (same embedder) that this cache lacks.

        Raises:
            ValueError: ``other`` holds another embedder's vectors.
        """
        if other.embedder_id != self.embedder_id or other.dim != self.dim:
            raise ValueError(f"cannot merge {other.embedder_id!r} vectors into a {self.embedder_id!r} cache")
        fresh = [(k, r) for k, r in other._rows.items() if k not in self._rows]
        if not fresh:
            return
        start = len(self._vectors)
        self._vectors = np.concatenate([self._vectors, other._vectors[[r for _, r in fresh]]])
        for offset, (key, _) in enumerate(fresh):
            self._rows[key] = start + offset

    def restricted_to(self, texts: Sequence[str]) -> EmbeddingCache:
        """A copy holding only the entries of ``texts`` (drops vectors no chunk uses any more)."""
        keep = sorted({self._rows[k] for k in map(text_key, texts) if k in self._rows})
        out = EmbeddingCache(self.embedder_id, self.dim)
        out._vectors = self._vectors[keep]
        by_row = {r: k for k, r in self._rows.items()}
        out._rows = {by_row[r]: i for i, r in enumerate(keep)}
        return out

    def save(self, path: Path, dtype: type[np.floating[Any]] = np.float32) -> None:
        """Write ``vectors.npy`` and ``keys.json`` into directory ``path``.

        Args:
            path: the directory (created if missing).
            dtype: how the vectors are stored; float16 halves the size (cosine error ~1e-4)
                and is read back as float32.
        """
        path.mkdir(parents=True, exist_ok=True)
        keys = sorted(self._rows, key=self._rows.__getitem__)
        np.save(path / "vectors.npy", self._vectors.astype(dtype, copy=False))
        write_json(path / "keys.json", {"embedder": self.embedder_id, "dim": self.dim, "keys": keys})

    @classmethod
    def load(cls, path: Path) -> EmbeddingCache:
        """Read a cache written by :meth:`save`.

        Raises:
            IndexStateError: a file is missing or keys and vectors disagree.
        """
        require_files(path, ("vectors.npy", "keys.json"), "embedding cache")
        meta = read_json(path / "keys.json")
        vectors = np.load(path / "vectors.npy", allow_pickle=False)
        if vectors.shape != (len(meta["keys"]), meta["dim"]):
            raise IndexStateError(
                f"embedding cache at {path} holds {vectors.shape} vectors for {len(meta['keys'])} keys"
            )
        cache = cls(meta["embedder"], meta["dim"])
        cache._vectors = vectors.astype(np.float32, copy=False)
        cache._rows = {k: i for i, k in enumerate(meta["keys"])}
        return cache
