"""The PostgreSQL layout of a clause store: tables, the one-round-trip search query, connections.

Used by :mod:`index.pgstore` (the :class:`~index.pgstore.PgIndex` store), :mod:`index.pgread`
and :mod:`index.pgwrite`.
"""

from __future__ import annotations

import hashlib
from typing import Any

from psycopg import Connection
from psycopg_pool import ConnectionPool

from corpus.errors import IndexStateError

#: Version of the table layout below; a database with another one must be rebuilt (`policyqa index --rebuild`).
SCHEMA_VERSION = 1
SCHEMA = "policyqa"
# pg_advisory_xact_lock key serialising writers across replicas ("policyqa" as a number).
WRITE_LOCK = int.from_bytes(hashlib.sha256(b"policyqa-write").digest()[:7], "big")
BUILD_LOCK = WRITE_LOCK + 1


def tables(dim: int) -> str:
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
SEARCH_SQL = f"""
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


def configure(conn: Connection[Any]) -> None:
    from pgvector.psycopg import register_vector

    register_vector(conn)
    conn.autocommit = True


def ensure_extension(url: str) -> None:
    import psycopg

    try:
        with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
            conn.execute("CREATE EXTENSION IF NOT EXISTS vector")
    except psycopg.Error as exc:
        raise IndexStateError(f"cannot prepare the database {safe_url(url)}: {exc}".strip()) from None


def safe_url(url: str) -> str:
    """``url`` without its password, for messages and logs."""
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url)
    except Exception:
        return "(unparsable database URL)"
    return f"{parts.get('host', 'localhost')}:{parts.get('port', 5432)}/{parts.get('dbname', '')}"


def read_config(pool: ConnectionPool, *, any_version: bool = False) -> dict[str, Any] | None:
    """The stored ``config`` (embedder, tokenizer, parameters), None without a corpus of this schema version
    (of any version with ``any_version``)."""
    with pool.connection() as conn:
        found = conn.execute("SELECT to_regclass(%s)", [f"{SCHEMA}.meta"]).fetchone()
        if found is None or found[0] is None:
            return None
        row = conn.execute(f"SELECT value FROM {SCHEMA}.meta WHERE key = 'config'").fetchone()
    if row is None or (row[0].get("schema_version") != SCHEMA_VERSION and not any_version):
        return None
    config: dict[str, Any] = row[0]
    return config
