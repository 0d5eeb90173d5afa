"""One contract for both clause stores: the embedded index (files + FAISS) and PostgreSQL + pgvector.

Every test runs once per backend; ``test_backends_rank_alike`` checks the two give the same
rankings and scores. The PostgreSQL cases carry the ``postgres`` marker and use a real server
(``pg_url`` in tests/conftest.py).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from corpus.errors import InvalidQueryError
from corpus.model import Clause
from index.chunks import chunk_clauses
from index.hybrid import HybridIndex
from index.pgstore import PgIndex
from index.store import ClauseStore
from index.tokenize import Tokenizer
from index.types import StoredDocument
from tests.index.helpers import HashEmbedder, make_clause

BACKENDS = ["files", pytest.param("postgres", marks=pytest.mark.postgres)]
QUERIES = ["企业开办", "联合验收 图审", "通关时间", "减税降费 银税互动", "双随机 监管 抽查"]


class DenseHashEmbedder(HashEmbedder):
    """Few buckets, so every pair of texts has some non-zero similarity: no exact ties to order."""

    def __init__(self) -> None:
        super().__init__(dim=12, tag="-dense")


def open_store(
    backend: str,
    clauses: list[Clause],
    tokenizer: Tokenizer,
    tmp_path: Path,
    request: pytest.FixtureRequest,
    embedder: HashEmbedder | None = None,
) -> ClauseStore:
    embedder = embedder or HashEmbedder()
    if backend == "files":
        return HybridIndex.build(clauses, embedder, tokenizer, tmp_path / "index", progress=False)
    pool = PgIndex.connect(request.getfixturevalue("pg_url"))
    request.addfinalizer(pool.close)
    store = PgIndex.build(clauses, embedder, tokenizer, pool, progress=False)
    store.sync_seconds = 0.0
    return store


@pytest.fixture(params=BACKENDS)
def store(
    request: pytest.FixtureRequest, clauses: list[Clause], tokenizer: Tokenizer, tmp_path: Path
) -> Iterator[ClauseStore]:
    yield open_store(request.param, clauses, tokenizer, tmp_path, request)


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_search_finds_the_measure(store: ClauseStore, mode: str) -> None:
    hits = store.search("企业开办一网通办", mode=mode, top_k=3)  # type: ignore[arg-type]
    assert hits[0].clause.lead_units == ("市市场监管局",)
    assert "企业开办" in hits[0].clause.text
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    assert (hits[0].bm25_rank is not None) == (mode != "dense")
    assert (hits[0].dense_rank is not None) == (mode != "bm25")


def test_store_holds_the_clauses(store: ClauseStore, clauses: list[Clause]) -> None:
    assert store.count == len(clauses)
    assert [c.id for c in store.clauses] == [c.id for c in clauses]
    assert store.clauses[1].units == ("市自然资源和规划局", "市发改委")


def test_add_replace_and_remove_a_document(store: ClauseStore) -> None:
    before = store.generation
    added = [make_clause("建设低空飞行服务站，开通无人机物流航线。", source="doc_b.txt", lead_units=["市交通运输局"])]
    store.add_documents(added)
    assert store.generation != before
    assert store.count == 6
    assert store.search("无人机物流", mode="bm25", top_k=1)[0].clause.source == "doc_b.txt"

    edited = [make_clause("建设通用机场，开通短途运输航线。", source="doc_b.txt", lead_units=["市交通运输局"])]
    store.add_documents(edited)  # same document again: replaced, not duplicated
    assert store.count == 6
    assert all("无人机" not in h.clause.text for h in store.search("无人机物流", mode="bm25", top_k=6))

    store.remove_document("doc_b.txt")
    assert store.count == 5
    assert {c.source for c in store.clauses} == {"doc_a.txt"}
    with pytest.raises(InvalidQueryError, match=r"doc_b\.txt"):
        store.remove_document("doc_b.txt")


def test_a_prepared_change_is_searched_once_adopted(store: ClauseStore) -> None:
    added = [make_clause("建设低空飞行服务站，开通无人机物流航线。", source="doc_b.txt", lead_units=["市交通运输局"])]
    p = store.params
    texts = [c.text for c in chunk_clauses(added, p.max_chunk_chars, p.prefix, p.units)]
    _, missing = store.stored_embeddings(texts).lookup(texts)
    assert missing == [0]  # a new text: a job embeds it before the change
    change = store.prepare_add(added)
    store.adopt(change)
    assert store.count == 6
    assert store.search("无人机物流", mode="bm25", top_k=1)[0].clause.source == "doc_b.txt"
    _, missing = store.stored_embeddings(texts).lookup(texts)
    assert missing == []

    store.adopt(store.prepare_remove("doc_b.txt"))
    assert {c.source for c in store.clauses} == {"doc_a.txt"}
    with pytest.raises(InvalidQueryError, match=r"doc_b\.txt"):
        store.prepare_remove("doc_b.txt")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"query": "  "}, "empty"),
        ({"query": "企业", "mode": "both"}, "mode"),
        ({"query": "企业", "fusion": "max"}, "fusion"),
        ({"query": "企业", "top_k": 0}, "top_k"),
        ({"query": "企业", "weights": [1.0]}, "one weight per run"),
        ({"query": "企业", "weights": [1.0, -1.0]}, ">= 0"),
    ],
)
def test_bad_search_arguments_are_refused(store: ClauseStore, kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidQueryError, match=message):
        store.search(**kwargs)  # type: ignore[arg-type]


@pytest.mark.postgres
@pytest.mark.parametrize(
    ("mode", "fusion", "norm"),
    [
        ("bm25", "rrf", "minmax"),
        ("dense", "rrf", "minmax"),
        ("hybrid", "rrf", "minmax"),
        ("hybrid", "weighted", "zscore"),
        ("hybrid", "weighted", "minmax"),
    ],
)
def test_backends_rank_alike(
    request: pytest.FixtureRequest,
    clauses: list[Clause],
    tokenizer: Tokenizer,
    tmp_path: Path,
    mode: str,
    fusion: str,
    norm: str,
) -> None:
    files = open_store("files", clauses, tokenizer, tmp_path, request, DenseHashEmbedder())
    database = open_store("postgres", clauses, tokenizer, tmp_path, request, DenseHashEmbedder())
    for query in QUERIES:
        a, b = (
            s.search(query, mode=mode, fusion=fusion, norm=norm, top_k=5, weights=(0.3, 0.7))  # type: ignore[arg-type]
            for s in (files, database)
        )
        dense = sorted(h.dense_score for h in a if h.dense_score is not None)
        assert all(y - x > 1e-6 for x, y in itertools.pairwise(dense)), "tied scores: order undefined"
        assert [h.clause.id for h in a] == [h.clause.id for h in b], query
        assert [h.score for h in a] == pytest.approx([h.score for h in b], rel=1e-5, abs=1e-6)
        assert [h.bm25_rank for h in a] == [h.bm25_rank for h in b]
        assert [h.dense_rank for h in a] == [h.dense_rank for h in b]


def test_documents_are_kept_where_the_store_says(store: ClauseStore) -> None:
    """``documents=`` reaches a store that keeps documents; one that does not answers None, never a guess."""
    added = [make_clause("建设低空飞行服务站。", source="doc_b.txt", lead_units=["市交通运输局"])]
    stored = StoredDocument("低空经济方案", "全文：建设低空飞行服务站。", b"file bytes")
    store.add_documents(added, documents={"doc_b.txt": stored})
    found = store.document("doc_b.txt", with_file=True)
    if store.keeps_documents():
        assert found == (stored, True)
        assert store.document("doc_b.txt") == (StoredDocument(stored.title, stored.text), True)
    else:
        assert found is None
    assert store.document("no-such.txt") is None
    store.close()
