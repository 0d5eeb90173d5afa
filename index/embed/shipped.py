"""Embeddings shipped with the package, so a fresh checkout answers without embedding the bundled corpus.

``index/data/embeddings/<embedder id>/`` holds an :class:`~index.embed.cache.EmbeddingCache`
(float16 ``vectors.npy`` + ``keys.json``) of the bundled corpus's chunk texts. Every build
looks chunk texts up there after its own cache, so only texts that changed (an edited document,
a new chunking) are embedded. Regenerate after changing the default chunking::

    python -m index.embed.shipped var/index     # copies that index's cache into the package
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import numpy as np

from corpus.errors import PolicyQAError
from index.embed.cache import EmbeddingCache

log = logging.getLogger(__name__)
SHIPPED_DIR = Path(__file__).resolve().parent.parent / "data" / "embeddings"


def shipped_dir(embedder_id: str, root: Path = SHIPPED_DIR) -> Path:
    """The directory the shipped vectors of ``embedder_id`` live in (":" and "/" become "_")."""
    return root / embedder_id.replace(":", "_").replace("/", "_")


def shipped_cache(embedder_id: str, root: Path = SHIPPED_DIR) -> EmbeddingCache | None:
    """The shipped cache of ``embedder_id``, or None when the package ships none for it.

    A shipped cache that cannot be read is logged and ignored: it only saves time.
    """
    directory = shipped_dir(embedder_id, root)
    if not (directory / "keys.json").is_file():
        return None
    try:
        cache = EmbeddingCache.load(directory)
    except PolicyQAError as e:
        log.warning("ignoring the shipped embeddings at %s: %s", directory, e)
        return None
    if cache.embedder_id != embedder_id:
        log.warning("ignoring %s: it holds %r vectors, not %r", directory, cache.embedder_id, embedder_id)
        return None
    return cache


def with_shipped(cache: EmbeddingCache | None, embedder_id: str, dim: int, root: Path = SHIPPED_DIR) -> EmbeddingCache:
    """``cache`` (or a new empty one) completed with the shipped vectors of ``embedder_id``."""
    out = cache if cache is not None and cache.embedder_id == embedder_id else EmbeddingCache(embedder_id, dim)
    shipped = shipped_cache(embedder_id, root)
    if shipped is not None and shipped.dim == dim:
        out.merge(shipped)
    return out


def write_shipped(cache: EmbeddingCache, root: Path = SHIPPED_DIR) -> Path:
    """Save ``cache`` as the shipped vectors of its embedder (float16, merged with what is there).

    Returns:
        The directory written.
    """
    directory = shipped_dir(cache.embedder_id, root)
    previous = shipped_cache(cache.embedder_id, root)
    if previous is not None:
        cache.merge(previous)
    cache.save(directory, dtype=np.float16)
    return directory


def main(argv: list[str]) -> int:
    """``python -m index.embed.shipped INDEX_DIR``: ship the embeddings of that index."""
    if len(argv) != 1:
        print("usage: python -m index.embed.shipped INDEX_DIR", file=sys.stderr)
        return 2
    cache = EmbeddingCache.load(Path(argv[0]) / "embeddings")
    directory = write_shipped(cache)
    size = sum(f.stat().st_size for f in directory.iterdir())
    print(f"{len(cache)} vectors of {cache.embedder_id} -> {directory} ({size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
