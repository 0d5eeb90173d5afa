"""One contract every search backend passes: index -> search -> save -> load -> same results."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from index.bm25 import BM25Index
from index.dense import DenseStore
from index.protocol import SearchBackend
from index.tokenize import Tokenizer
from tests.index.helpers import HashEmbedder, toy_clauses


@dataclass
class Case:
    make: Callable[[], Any]
    load: Callable[[Path], Any]
    items: list[Any]
    queries: list[Any]


def _bm25_case() -> Case:
    tok = Tokenizer(mode="precise")
    texts = [c.text for c in toy_clauses()]
    return Case(
        BM25Index,
        BM25Index.load,
        [tok(t) for t in texts],
        [tok("企业开办"), tok("联合验收"), tok("通关时间")],
    )


def _dense_case(flat_threshold: int, ivf_threshold: int = 500_000) -> Case:
    emb = HashEmbedder(dim=32)
    texts = [c.text for c in toy_clauses()]
    return Case(
        lambda: DenseStore(32, flat_threshold=flat_threshold, ivf_threshold=ivf_threshold),
        DenseStore.load,
        list(emb.embed_passages(texts)),
        list(emb.embed_queries(["企业开办", "联合验收", "通关时间"])),
    )


CASES = {
    "bm25": _bm25_case,
    "dense-flat": lambda: _dense_case(50_000),
    "dense-hnsw": lambda: _dense_case(1),
    "dense-ivf": lambda: _dense_case(1, ivf_threshold=1),
}


@pytest.fixture(params=sorted(CASES))
def case(request: pytest.FixtureRequest) -> Case:
    return CASES[request.param]()


def test_backend_contract(case: Case, tmp_path: Path) -> None:
    backend: SearchBackend[Any, Any] = case.make()
    assert backend.count == 0
    ids = [f"c{i}" for i in range(len(case.items))]
    backend.index(case.items, ids)
    assert backend.count == len(ids)

    results = [backend.search(q, 3) for q in case.queries]
    for hits in results:
        assert 1 <= len(hits) <= 3
        assert {i for i, _ in hits} <= set(ids)
        scores = [s for _, s in hits]
        assert scores == sorted(scores, reverse=True)
    assert [hits[0][0] for hits in results] == ["c0", "c1", "c4"]

    backend.save(tmp_path / "saved")
    loaded = case.load(tmp_path / "saved")
    assert type(loaded) is type(backend)
    assert loaded.count == backend.count
    for q, hits in zip(case.queries, results, strict=True):
        again = loaded.search(q, 3)
        assert [i for i, _ in again] == [i for i, _ in hits]
        np.testing.assert_allclose([s for _, s in again], [s for _, s in hits], rtol=1e-6)

    backend.index(case.items[:2], ids[:2])  # index() replaces, never appends
    assert backend.count == 2
