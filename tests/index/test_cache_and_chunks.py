from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corpus.errors import IndexStateError
from index.chunks import chunk_clause, split_sentences
from index.embed.cache import EmbeddingCache, text_key
from tests.index.helpers import HashEmbedder, make_clause


def test_cache_returns_hits_and_lists_misses(tmp_path: Path) -> None:
    emb = HashEmbedder(dim=8)
    cache = EmbeddingCache(emb.id, 8)
    cache.add(["甲", "乙", "甲"], emb.embed_passages(["甲", "乙", "甲"]))
    assert len(cache) == 2
    vectors, missing = cache.lookup(["乙", "丙", "甲"])
    assert missing == [1]
    np.testing.assert_allclose(vectors[[0, 2]], emb.embed_passages(["乙", "甲"]))
    assert not vectors[1].any()

    cache.restricted_to(["甲", "丁"]).save(tmp_path)
    again = EmbeddingCache.load(tmp_path)
    assert (again.embedder_id, again.dim, len(again)) == (emb.id, 8, 1)
    assert again.lookup(["甲"])[1] == []
    assert again.lookup(["乙"])[1] == [0]


def test_cache_keys_are_text_sha256() -> None:
    # printf '一网通办' | sha256sum
    assert text_key("一网通办") == "4ea34fdfadd34bf44bb71d12d852c8282ca8d17129ca5c0c0bfaa8ca417eca07"
    assert text_key("甲") != text_key("乙")


def test_cache_load_refuses_mismatched_files(tmp_path: Path) -> None:
    cache = EmbeddingCache("x", 4)
    cache.add(["甲"], np.ones((1, 4), dtype=np.float32))
    cache.save(tmp_path)
    np.save(tmp_path / "vectors.npy", np.ones((2, 4), dtype=np.float32))
    with pytest.raises(IndexStateError, match="for 1 keys"):
        EmbeddingCache.load(tmp_path)


def test_short_clause_is_one_chunk_with_heading_path() -> None:
    clause = make_clause("推进企业开办。", headings=["一、优化营商环境", "(一)企业开办"])
    (chunk,) = chunk_clause(clause)
    assert chunk.id == f"{clause.id}#0"
    assert chunk.clause_id == clause.id
    assert chunk.text == "测试方案 / 一、优化营商环境 / (一)企业开办 推进企业开办。"  # title first
    assert chunk_clause(clause, prefix="headings")[0].text == "一、优化营商环境 / (一)企业开办 推进企业开办。"
    assert chunk_clause(clause, prefix="none")[0].text == "推进企业开办。"


def test_long_clause_splits_at_sentence_ends_and_keeps_its_id() -> None:
    text = "推进企业开办全程网上办理。" * 20 + "压缩审批时间；" * 30  # 260 + 210 chars
    clause = make_clause(text, headings=["一、总体要求"])
    chunks = chunk_clause(clause, max_chars=200, prefix="headings")
    assert [c.id for c in chunks] == [f"{clause.id}#{i}" for i in range(len(chunks))]
    assert {c.clause_id for c in chunks} == {clause.id}
    pieces = [c.text.removeprefix("一、总体要求 ") for c in chunks]
    assert "".join(pieces) == text
    assert all(len(p) <= 200 and p[-1] in "。；" for p in pieces)


def test_split_sentences_cuts_an_overlong_sentence() -> None:
    assert split_sentences("甲" * 5, max_chars=2) == ["甲甲", "甲甲", "甲"]
    with pytest.raises(ValueError, match="max_chars must be >= 1"):
        split_sentences("甲", max_chars=0)
