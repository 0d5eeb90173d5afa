"""Reads of the PostgreSQL clause store: the clause list, one search round trip, documents, checks."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np
from psycopg_pool import ConnectionPool

from corpus.errors import IndexStateError
from corpus.model import Clause
from index.manifest import IndexParams
from index.pgsql import SCHEMA, SEARCH_SQL
from index.types import StoredDocument


@dataclass(frozen=True, slots=True)
class Live:
    """What a replica holds in memory of the stored corpus, replaced whole when the generation changes.

    Attributes:
        generation: the write counter these values were read at.
        clauses: every stored clause, in insertion order.
        by_id: the clauses by id.
        n_chunks, avgdl, avg_idf: the corpus statistics BM25 needs.
    """

    generation: int
    clauses: tuple[Clause, ...]
    by_id: dict[str, Clause]
    n_chunks: int
    avgdl: float
    avg_idf: float


EMPTY = Live(-1, (), {}, 0, 0.0, 0.0)


def _stats(conn: Any) -> dict[str, Any]:
    row = conn.execute(f"SELECT value FROM {SCHEMA}.meta WHERE key = 'stats'").fetchone()
    if row is None:
        raise IndexStateError("the database holds no corpus statistics; rebuild it with `policyqa index --rebuild`")
    stats: dict[str, Any] = row[0]
    return stats


def read_generation(pool: ConnectionPool) -> int:
    """The stored corpus's write counter.

    Raises:
        IndexStateError: the database holds no corpus statistics.
    """
    with pool.connection() as conn:
        return int(_stats(conn)["generation"])


def load_live(pool: ConnectionPool) -> Live:
    """The stored clauses and corpus statistics, read in one transaction (a consistent snapshot)."""
    with pool.connection() as conn, conn.transaction():
        stats = _stats(conn)
        rows = conn.execute(f"SELECT data FROM {SCHEMA}.clauses ORDER BY seq").fetchall()
    clauses = tuple(Clause.from_dict(r[0]) for r in rows)
    return Live(
        stats["generation"],
        clauses,
        {c.id: c for c in clauses},
        stats["n_chunks"],
        stats["avgdl"],
        stats["avg_idf"],
    )


def search_rows(
    pool: ConnectionPool,
    params: IndexParams,
    live: Live,
    counts: Counter[str],
    vector: Any,
    mode: str,
    n: int,
    k_dense: int,
    rrf_k: int,
    weights: tuple[float, float],
) -> list[tuple[Any, ...]]:
    """One round trip of :data:`index.pgsql.SEARCH_SQL`.

    Returns:
        Rows ``(clause_id, bm25_score, bm25_pos, dense_score, dense_pos, rrf)``.
    """
    values = {
        "terms": list(counts),
        "qtfs": list(counts.values()),
        "n": float(live.n_chunks),
        "floor": params.epsilon * live.avg_idf,
        "k1": params.k1,
        # an empty corpus has avgdl 0: no length normalisation then, as in BM25Index
        "b": params.b if live.avgdl else 0.0,
        "avgdl": live.avgdl or 1.0,
        "use_bm25": mode != "dense",
        "n_bm25": n if mode != "dense" else 0,
        "vector": np.asarray(vector, dtype=np.float32),
        "use_dense": mode != "bm25",
        "k_dense": k_dense if mode != "bm25" else 0,
        "n_dense": n if mode != "bm25" else 0,
        "rrf_k": float(rrf_k),
        "w_bm25": weights[0],
        "w_dense": weights[1],
    }
    with pool.connection() as conn, conn.transaction():
        ef_search = min(1000, max(k_dense, params.ef_search))
        conn.execute("SELECT set_config('hnsw.ef_search', %s, true)", [str(ef_search)])
        return conn.execute(SEARCH_SQL, values).fetchall()


def read_document(pool: ConnectionPool, source: str, *, with_file: bool = False) -> tuple[StoredDocument, bool] | None:
    """The stored document ``source`` and whether it was uploaded, or None.

    The uploaded file's bytes are read only ``with_file``; otherwise ``data`` is None.
    """
    with pool.connection() as conn:
        row = conn.execute(
            f"SELECT title, text, file IS NOT NULL, CASE WHEN %s THEN file END "
            f"FROM {SCHEMA}.documents WHERE source = %s",
            [with_file, source],
        ).fetchone()
    if row is None:
        return None
    data = bytes(row[3]) if row[3] is not None else None
    return StoredDocument(row[0], row[1], data), bool(row[2])


def uploaded_files(pool: ConnectionPool) -> dict[str, bytes]:
    """The uploaded files stored in the database (any schema version with a documents table)."""
    with pool.connection() as conn:
        found = conn.execute("SELECT to_regclass(%s)", [f"{SCHEMA}.documents"]).fetchone()
        if found is None or found[0] is None:
            return {}
        rows = conn.execute(
            f"SELECT source, file FROM {SCHEMA}.documents WHERE file IS NOT NULL ORDER BY seq"
        ).fetchall()
    return {source: bytes(data) for source, data in rows}


#: Consistency checks of the stored corpus: each query counts the rows with that problem.
CHECKS = {
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


def check_problems(pool: ConnectionPool) -> list[str]:
    """Consistency problems of the stored corpus (empty when sound): orphans and stale statistics."""
    problems = []
    with pool.connection() as conn:
        for name, query in CHECKS.items():
            row = conn.execute(query).fetchone()
            if row is not None and row[0]:
                problems.append(f"{name}: {row[0]}")
    return problems
