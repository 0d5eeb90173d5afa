"""DenseStore against the oracle: numpy brute-force top-k."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from corpus.errors import IndexStateError
from index.dense import DenseStore


def _unit(rng: np.random.Generator, n: int, dim: int) -> np.ndarray:
    x = rng.standard_normal((n, dim)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def _brute_force(vectors: np.ndarray, queries: np.ndarray, k: int) -> np.ndarray:
    return np.argsort(-(queries @ vectors.T), axis=1, kind="stable")[:, :k]


def test_flat_equals_numpy_brute_force() -> None:
    rng = np.random.default_rng(0)
    vectors, queries = _unit(rng, 2000, 48), _unit(rng, 50, 48)
    store = DenseStore(48)
    store.index(vectors, [str(i) for i in range(len(vectors))])
    assert store.kind == "flat"
    expected = _brute_force(vectors, queries, 10)
    for q, want in zip(queries, expected, strict=True):
        hits = store.search(q, k=10)
        assert [int(i) for i, _ in hits] == want.tolist()
        np.testing.assert_allclose([s for _, s in hits], vectors[want] @ q, atol=1e-5)


def _recall_at_10(found: list[list[tuple[str, float]]], expected: np.ndarray) -> float:
    """Mean share of the true top 10 that the store returned."""
    return float(
        np.mean(
            [
                len({int(i) for i, _ in hits} & set(want)) / 10
                for hits, want in zip(found, expected.tolist(), strict=True)
            ]
        )
    )


def test_hnsw_above_threshold_has_high_recall() -> None:
    rng = np.random.default_rng(1)
    vectors, queries = _unit(rng, 3000, 32), _unit(rng, 100, 32)
    store = DenseStore(32, flat_threshold=1000)
    store.index(vectors, [str(i) for i in range(len(vectors))])
    assert store.kind == "hnsw"
    expected = _brute_force(vectors, queries, 10)
    found = store.search_many(queries, k=10)
    recall = _recall_at_10(found, expected)
    assert recall >= 0.95


def test_ivf_above_its_threshold_has_high_recall_on_clustered_data(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    centres = _unit(rng, 40, 32)
    points = centres[rng.integers(0, 40, 4000)] + rng.standard_normal((4000, 32)).astype(np.float32) * 0.15
    vectors = points / np.linalg.norm(points, axis=1, keepdims=True)
    queries = vectors[rng.choice(4000, 100, replace=False)]
    store = DenseStore(32, flat_threshold=100, ivf_threshold=2000, nprobe=16)
    store.index(vectors, [str(i) for i in range(len(vectors))])
    assert store.kind == "ivf"
    expected = _brute_force(vectors, queries, 10)
    found = store.search_many(queries, k=10)
    recall = _recall_at_10(found, expected)
    assert recall >= 0.95
    store.save(tmp_path)
    again = DenseStore.load(tmp_path)
    assert (again.kind, again.nprobe) == ("ivf", 16)
    assert again.search_many(queries, k=10) == found


def test_hnsw_survives_save_and_load(tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    vectors = _unit(rng, 600, 16)
    store = DenseStore(16, flat_threshold=500, ef_search=64)
    store.index(vectors, [f"v{i}" for i in range(600)])
    store.save(tmp_path)
    again = DenseStore.load(tmp_path)
    assert again.kind == "hnsw"
    assert again.ef_search == 64
    assert again.search(vectors[3], 5) == store.search(vectors[3], 5)


def test_k_larger_than_store_and_empty_store() -> None:
    store = DenseStore(4)
    assert store.search(np.ones(4, dtype=np.float32), 3) == []
    store.index(np.eye(4, dtype=np.float32)[:2], ["a", "b"])
    assert [i for i, _ in store.search(np.array([0, 1, 0, 0], dtype=np.float32), 10)] == ["b", "a"]


def test_bad_input_is_refused() -> None:
    store = DenseStore(4)
    with pytest.raises(ValueError, match="3 items but 2 ids"):
        store.index(np.zeros((3, 4), dtype=np.float32), ["a", "b"])
    store.index(np.eye(4, dtype=np.float32), list("abcd"))
    with pytest.raises(ValueError, match=r"shape \(n, 4\)"):
        store.search(np.ones(5, dtype=np.float32), 1)
    with pytest.raises(ValueError, match="k must be >= 1"):
        store.search(np.ones(4, dtype=np.float32), 0)


def test_load_refuses_ids_that_do_not_match_vectors(tmp_path: Path) -> None:
    store = DenseStore(4)
    store.index(np.eye(4, dtype=np.float32), list("abcd"))
    store.save(tmp_path)
    (tmp_path / "ids.json").write_text('["a", "b"]', encoding="utf-8")
    with pytest.raises(IndexStateError, match="4 vectors of dim 4 but 2 ids"):
        DenseStore.load(tmp_path)
