"""BM25Index against the oracle: rank_bm25.BM25Okapi on the same tokens."""

from __future__ import annotations

import random
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from corpus.errors import IndexStateError
from index.bm25 import BM25Index, top_k_positive
from index.tokenize import Tokenizer
from tests.index.helpers import toy_clauses

SMALL = [
    ["推进", "一网通办", "企业", "开办"],
    ["企业", "开办", "压缩", "3", "工作日", "企业"],
    ["多评合一", "多审合一", "联合", "验收"],
    ["双随机一公开", "联合", "抽查", "企业"],
    ["银税互动", "融资", "企业", "企业", "企业"],
]


def _index(docs: list[list[str]]) -> BM25Index:
    bm = BM25Index()
    bm.index(docs, [f"d{i}" for i in range(len(docs))])
    return bm


@pytest.mark.parametrize(
    "query",
    [["企业"], ["企业", "开办"], ["联合", "联合", "抽查"], ["一网通办", "未知词"], ["未知词"], []],
)
def test_scores_equal_rank_bm25_on_small_corpus(query: list[str]) -> None:
    # "企业" is in 4 of 5 documents: its idf is negative and floored at epsilon * mean idf.
    np.testing.assert_allclose(_index(SMALL).scores(query), BM25Okapi(SMALL).get_scores(query), atol=1e-6)


def test_scores_equal_rank_bm25_on_jieba_tokens_of_clauses() -> None:
    tok = Tokenizer(mode="search")
    docs = [tok(" ".join(c.headings) + " " + c.text) for c in toy_clauses()]
    query = tok("请问企业开办和联合验收由哪个部门负责？")
    np.testing.assert_allclose(_index(docs).scores(query), BM25Okapi(docs).get_scores(query), atol=1e-6)


def test_scores_equal_rank_bm25_on_seeded_random_corpus() -> None:
    rng = random.Random(7)
    vocab = [f"词{i}" for i in range(300)]
    weights = [1 / (i + 1) for i in range(300)]  # Zipf-like: some terms in most documents
    docs = [rng.choices(vocab, weights, k=rng.randint(0, 60)) for _ in range(400)]
    bm, oracle = _index(docs), BM25Okapi(docs)
    for _ in range(30):
        query = rng.choices(vocab, weights, k=rng.randint(1, 8))
        np.testing.assert_allclose(bm.scores(query), oracle.get_scores(query), atol=1e-6)


@settings(max_examples=60, deadline=None)
@given(
    docs=st.lists(st.lists(st.sampled_from("甲乙丙丁戊己庚辛"), max_size=12), min_size=1, max_size=25).filter(
        lambda docs: any(docs)
    ),
    query=st.lists(st.sampled_from("甲乙丙丁戊己庚辛壬"), max_size=6),
)
def test_scores_equal_rank_bm25_property(docs: list[list[str]], query: list[str]) -> None:
    np.testing.assert_allclose(_index(docs).scores(query), BM25Okapi(docs).get_scores(query), atol=1e-6)


def test_search_returns_positive_scores_best_first() -> None:
    bm = _index(SMALL)
    hits = bm.search(["企业", "开办"], k=3)
    oracle = BM25Okapi(SMALL).get_scores(["企业", "开办"])
    assert [h[0] for h in hits] == [f"d{i}" for i in np.argsort(-oracle, kind="stable")[:3]]
    assert [h[1] for h in hits] == pytest.approx(sorted(oracle, reverse=True)[:3])
    assert bm.search(["未知词"], k=3) == []


def test_top_k_breaks_ties_by_index() -> None:
    scores = np.array([0.0, 2.0, 1.0, 2.0, 2.0, -1.0])
    assert top_k_positive(scores, 2) == [1, 3]
    assert top_k_positive(scores, 10) == [1, 3, 4, 2]


def test_empty_index_and_empty_documents() -> None:
    empty = BM25Index()
    empty.index([], [])
    assert empty.count == 0
    assert empty.search(["企业"], k=5) == []
    bm = _index([[], ["企业"], []])
    assert bm.search(["企业"], k=5)[0][0] == "d1"


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError, match="2 items but 1 ids"):
        BM25Index().index([["a"], ["b"]], ["x"])
    with pytest.raises(ValueError, match="repeated"):
        BM25Index().index([["a"], ["b"]], ["x", "x"])
    with pytest.raises(ValueError, match="k must be >= 1"):
        _index(SMALL).search(["企业"], k=0)
    with pytest.raises(ValueError, match="0 <= b <= 1"):
        BM25Index(b=2.0)


def test_load_refuses_missing_or_corrupt_files(tmp_path: Path) -> None:
    _index(SMALL).save(tmp_path / "bm25")
    (tmp_path / "bm25" / "vocab.json").unlink()
    with pytest.raises(IndexStateError, match=r"missing vocab\.json"):
        BM25Index.load(tmp_path / "bm25")
    _index(SMALL).save(tmp_path / "bm25")
    np.save(tmp_path / "bm25" / "indptr.npy", np.array([0, 1]))
    with pytest.raises(IndexStateError, match="do not fit together"):
        BM25Index.load(tmp_path / "bm25")
