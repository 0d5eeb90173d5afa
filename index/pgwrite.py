"""Writes of the PostgreSQL clause store: locks, bulk inserts (COPY), term statistics.

Each write runs in one transaction under :func:`writing`'s advisory lock, so a replica killed
halfway leaves the database as it was.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np
from psycopg import Connection
from psycopg.rows import tuple_row
from psycopg_pool import ConnectionPool

from corpus.model import Clause
from index.chunks import Chunk
from index.embed.cache import EmbeddingCache, text_key
from index.embed.protocol import Embedder
from index.pgsql import BUILD_LOCK, SCHEMA, WRITE_LOCK, read_config
from index.tokenize import Tokenizer
from index.types import StoredDocument


@contextmanager
def writing(pool: ConnectionPool) -> Iterator[Connection[Any]]:
    """A transaction holding the corpus-wide write lock (one writer at a time, across replicas)."""
    with pool.connection() as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [WRITE_LOCK])
        yield conn


@contextmanager
def build_lock(pool: ConnectionPool) -> Iterator[None]:
    """Hold the database's build lock (a session advisory lock) for the ``with`` block."""
    with pool.connection() as conn:
        conn.execute("SELECT pg_advisory_lock(%s)", [BUILD_LOCK])
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(%s)", [BUILD_LOCK])


def check_unique(clauses: Sequence[Clause]) -> None:
    repeated = [cid for cid, n in Counter(c.id for c in clauses).items() if n > 1]
    if repeated:
        raise ValueError(f"clause ids must be unique; repeated: {repeated[:5]}")


def stored_embeddings(pool: ConnectionPool, embedder: Embedder, texts: Sequence[str]) -> EmbeddingCache:
    """The stored embeddings of those ``texts`` the database already has."""
    cache = EmbeddingCache(embedder.id, embedder.dim)
    config = read_config(pool)
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


def insert(
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


def terms_of(conn: Connection[Any], sources: Sequence[str]) -> set[str]:
    rows = conn.execute(
        f"SELECT DISTINCT p.term FROM {SCHEMA}.postings p JOIN {SCHEMA}.chunks k ON k.seq = p.chunk "
        f"JOIN {SCHEMA}.clauses c ON c.id = k.clause_id WHERE c.source = ANY(%s)",
        [list(sources)],
    ).fetchall()
    return {r[0] for r in rows}


def refresh_terms(conn: Connection[Any], terms: set[str] | None) -> None:
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


def analyze(pool: ConnectionPool) -> None:
    """Refresh the planner's statistics after a write: without them a freshly loaded table is
    planned as if empty, and the HNSW plan chosen for it returned too few neighbours."""
    with pool.connection() as conn:
        conn.execute(f"ANALYZE {SCHEMA}.chunks, {SCHEMA}.postings, {SCHEMA}.terms, {SCHEMA}.clauses")


def bump_generation(conn: Connection[Any]) -> None:
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
