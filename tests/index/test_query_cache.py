"""The LRU of query vectors, and hybrid search embedding the question while BM25 runs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from index.embed.query_cache import QueryVectorCache
from index.hybrid import HybridIndex
from index.tokenize import Tokenizer
from tests.index.helpers import HashEmbedder, toy_clauses


def test_lru_keeps_the_most_recent_questions() -> None:
    emb = HashEmbedder(dim=8)
    cache = QueryVectorCache(emb, size=2)
    first = cache("企业开办")
    np.testing.assert_array_equal(first, emb.embed_queries(["企业开办"])[0])
    cache("工程审批")
    assert cache.cached("企业开办") is not None  # now the most recent
    cache("不动产登记")  # evicts 工程审批
    assert cache.cached("工程审批") is None
    assert cache.cached("企业开办") is first
    assert not first.flags.writeable
    assert (cache.hits, cache.misses) == (2, 3)


def test_negative_size_is_refused() -> None:
    with pytest.raises(ValueError, match="size must be >= 0"):
        QueryVectorCache(HashEmbedder(), size=-1)


def test_hybrid_search_with_and_without_a_cached_vector_agree(tmp_path: Path) -> None:
    index = HybridIndex.build(toy_clauses(), HashEmbedder(), Tokenizer(), tmp_path / "idx", progress=False)
    cold = index.search("企业开办时间", mode="hybrid", top_k=3)
    assert index.query_vectors.misses == 1
    warm = index.search("企业开办时间", mode="hybrid", top_k=3)
    assert index.query_vectors.hits >= 1 and index.query_vectors.misses == 1
    assert [(h.clause.id, h.score) for h in cold] == [(h.clause.id, h.score) for h in warm]
