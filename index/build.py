"""Build an index directory from clauses: chunk, tokenise, BM25, embed (cached), FAISS, manifest.

Everything is written into a staging directory next to the target and swapped in at the end
(:mod:`index.atomic`), so a crash at any point leaves the previous index loadable.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from corpus.errors import PolicyQAError
from corpus.model import Clause
from corpus.simplify import to_simplified
from index.atomic import discard, publish, readable_dir, staging_dir
from index.bm25 import BM25Index
from index.chunks import Chunk, chunk_clauses
from index.dense import DenseStore
from index.embed.cache import EmbeddingCache
from index.embed.protocol import Embedder, Vectors
from index.embed.shipped import with_shipped
from index.manifest import DEFAULT_PARAMS, IndexParams, Manifest, corpus_hash, now_iso, package_versions
from index.tokenize import Tokenizer

log = logging.getLogger(__name__)
CLAUSES_FILE = "clauses.jsonl"


@dataclass(frozen=True, slots=True)
class BuiltIndex:
    """What a build produced, already written to ``path``."""

    clauses: tuple[Clause, ...]
    bm25: BM25Index
    dense: DenseStore
    manifest: Manifest
    path: Path


def build_index(
    clauses: Sequence[Clause],
    embedder: Embedder,
    tokenizer: Tokenizer,
    path: Path,
    *,
    params: IndexParams = DEFAULT_PARAMS,
    progress: bool = True,
    cache: EmbeddingCache | None = None,
    batch_size: int = 32,
) -> BuiltIndex:
    """Index ``clauses`` into directory ``path``, replacing any index there only when complete.

    Args:
        clauses: the clauses to index (ids unique).
        embedder: encodes chunk texts; its id is recorded and checked on load.
        tokenizer: cuts chunk texts for BM25; its config is saved with the index.
        path: the index directory.
        params: BM25, chunking and FAISS parameters.
        progress: show tqdm bars (tokenising, embedding) on stderr.
        cache: known embeddings; default the cache of the index already at ``path``, if it
            was built with the same embedder.
        batch_size: chunks per embedder call.

    Returns:
        The built components and manifest.

    Raises:
        ValueError: two clauses share an id, or the embedder returns vectors of the wrong shape.
        IndexStateError: ``path`` exists and is not an index directory.
    """
    repeated = [cid for cid, n in Counter(c.id for c in clauses).items() if n > 1]
    if repeated:
        raise ValueError(f"clause ids must be unique; repeated: {repeated[:5]}")
    path = Path(path)
    staging = staging_dir(path)
    try:
        built = _build_into(
            staging,
            list(clauses),
            embedder,
            tokenizer,
            params,
            progress,
            cache if cache is not None else previous_cache(path, embedder.id),
            batch_size,
        )
        publish(staging, path)
    except BaseException:
        discard(staging)
        raise
    return BuiltIndex(built.clauses, built.bm25, built.dense, built.manifest, path)


def _build_into(
    staging: Path,
    clauses: list[Clause],
    embedder: Embedder,
    tokenizer: Tokenizer,
    params: IndexParams,
    progress: bool,
    cache: EmbeddingCache | None,
    batch_size: int,
) -> BuiltIndex:
    chunks = chunk_clauses(clauses, params.max_chunk_chars, params.prefix, params.units)
    with (staging / CLAUSES_FILE).open("w", encoding="utf-8") as f:
        f.writelines(json.dumps(c.to_dict(), ensure_ascii=False) + "\n" for c in clauses)

    bar = tqdm(chunks, desc=f"tokenising {len(clauses)} clauses", unit="chunk", disable=not progress)
    bm25 = BM25Index(k1=params.k1, b=params.b, epsilon=params.epsilon)
    bm25.index([tokenizer(c.text) for c in bar], [c.id for c in chunks])
    bm25.save(staging / "bm25")

    # The vectors shipped with the package fill in what the previous index lacks, so a fresh
    # checkout or a new evaluation variant embeds only the chunk texts nobody has embedded yet.
    cache = with_shipped(cache, embedder.id, embedder.dim)
    vectors, embedded = embed_chunks(chunks, embedder, cache, progress, batch_size)
    dense = dense_store(embedder.dim, params)
    dense.index(vectors, [c.id for c in chunks])
    dense.save(staging / "dense")
    cache.restricted_to([c.text for c in chunks]).save(staging / "embeddings")

    manifest = Manifest(
        embedder_id=embedder.id,
        embedder_spec=embedder.spec,
        embedder_dim=embedder.dim,
        tokenizer=tokenizer.to_config(),
        tokenizer_fingerprint=tokenizer.fingerprint(),
        parameters=params,
        corpus_hash=corpus_hash(c.id for c in clauses),
        counts={
            "clauses": len(clauses),
            "chunks": len(chunks),
            "documents": len({c.source for c in clauses}),
            "embedded": embedded,
            "embeddings_reused": len(chunks) - embedded,
            "bm25_terms": bm25.vocab_size,
            "dense_kind": dense.kind,
        },
        packages=package_versions(embedder.spec),
        built_at=now_iso(),
    )
    manifest.write(staging)  # written last: a directory without it is not an index
    return BuiltIndex(tuple(clauses), bm25, dense, manifest, staging)


def dense_store(dim: int, params: IndexParams) -> DenseStore:
    """An empty :class:`DenseStore` with the FAISS parameters of ``params``."""
    return DenseStore(
        dim,
        flat_threshold=params.flat_threshold,
        hnsw_m=params.hnsw_m,
        ef_construction=params.ef_construction,
        ef_search=params.ef_search,
        ivf_threshold=params.ivf_threshold,
        nprobe=params.nprobe,
    )


def embed_chunks(
    chunks: Sequence[Chunk], embedder: Embedder, cache: EmbeddingCache, progress: bool, batch_size: int
) -> tuple[Vectors, int]:
    """Vectors of every chunk: cached ones looked up, the rest embedded and added to ``cache``.

    Returns:
        The (len(chunks), dim) vectors and how many chunks were embedded (cache misses).

    Raises:
        ValueError: the embedder returned an array of the wrong shape.
    """
    texts = [to_simplified(c.text) for c in chunks]  # a traditional clause is embedded as simplified
    vectors, missing = cache.lookup(texts)
    n_clauses = len({chunks[i].clause_id for i in missing})
    desc = f"embedding {n_clauses} new clauses ({len(texts) - len(missing)} chunks cached)"
    with tqdm(total=len(missing), desc=desc, unit="chunk", disable=not progress) as bar:
        for start in range(0, len(missing), batch_size):
            rows = missing[start : start + batch_size]
            batch = [texts[i] for i in rows]
            out = np.asarray(embedder.embed_passages(batch), dtype=np.float32)
            if out.shape != (len(batch), embedder.dim):
                raise ValueError(
                    f"embedder {embedder.id} returned shape {out.shape} for {len(batch)} texts, "
                    f"expected ({len(batch)}, {embedder.dim})"
                )
            vectors[rows] = out
            cache.add(batch, out)
            bar.update(len(batch))
    return vectors, len(missing)


def previous_cache(path: Path, embedder_id: str) -> EmbeddingCache | None:
    """The embedding cache of the index at ``path`` if it was built by ``embedder_id``, else None.

    A missing or unreadable previous index only means nothing can be reused; it is logged.
    """
    directory = readable_dir(Path(path))
    if not directory.exists():
        return None
    try:
        manifest = Manifest.read(directory)
        if manifest.embedder_id != embedder_id:
            return None
        return EmbeddingCache.load(directory / "embeddings")
    except PolicyQAError as e:
        log.warning("not reusing embeddings from %s: %s", directory, e)
        return None
