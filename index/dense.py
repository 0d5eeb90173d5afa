"""FAISS vector store: exact search for small corpora, HNSW for large, IVF for very large.

Vectors are L2-normalised, so inner product is cosine similarity. The kind of index is chosen
from the number of vectors when :meth:`DenseStore.index` is called:

    n < flat_threshold (50k)          IndexFlatIP    exact, ~5 ms per query at 50k x 384-d
    n < ivf_threshold (500k)          IndexHNSWFlat  M=32, efConstruction=80, efSearch=128
    n >= ivf_threshold                IndexIVFFlat   nlist = 2 sqrt(n), nprobe=32

IVF at the top because building HNSW over 1M vectors takes tens of minutes on 2 cores
(docs/benchmarks.md), an IVF index a couple of minutes. Files: ``faiss.index``
(``faiss.write_index``), ``ids.json`` (row -> id) and ``params.json``.

Example:
    >>> store = DenseStore(dim=2)
    >>> store.index(np.array([[1, 0], [0, 1]], dtype=np.float32), ["a", "b"])
    >>> store.kind, store.search(np.array([1, 0], dtype=np.float32), k=1)
    ('flat', [('a', 1.0)])
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import faiss
import numpy as np
import numpy.typing as npt

from corpus.errors import IndexStateError
from index.files import check_ids, read_json, require_files, write_json

Kind = Literal["flat", "hnsw", "ivf"]
FLAT_THRESHOLD = 50_000
IVF_THRESHOLD = 500_000


class DenseStore:
    """Top-k inner-product search over unit vectors with FAISS.

    Args:
        dim: vector length.
        flat_threshold: below this many vectors use exact ``IndexFlatIP``.
        ivf_threshold: from this many vectors use ``IndexIVFFlat``; between the two, HNSW.
        hnsw_m: HNSW neighbours per node.
        ef_construction: HNSW build-time beam width.
        ef_search: HNSW query-time beam width (raised to ``k`` when a query asks for more).
        nprobe: IVF lists scanned per query.

    Raises:
        ValueError: a parameter is out of range.
    """

    def __init__(
        self,
        dim: int,
        flat_threshold: int = FLAT_THRESHOLD,
        hnsw_m: int = 32,
        ef_construction: int = 80,
        ef_search: int = 128,
        ivf_threshold: int = IVF_THRESHOLD,
        nprobe: int = 32,
    ) -> None:
        if dim < 1 or min(flat_threshold, ivf_threshold) < 0 or hnsw_m < 2:
            raise ValueError(
                f"need dim >= 1, thresholds >= 0, hnsw_m >= 2; got dim={dim}, flat_threshold="
                f"{flat_threshold}, ivf_threshold={ivf_threshold}, hnsw_m={hnsw_m}"
            )
        if min(ef_construction, ef_search, nprobe) < 1:
            raise ValueError(
                f"need ef_construction, ef_search, nprobe >= 1; got {ef_construction}, {ef_search}, {nprobe}"
            )
        self.dim = dim
        self.flat_threshold = flat_threshold
        self.ivf_threshold = ivf_threshold
        self.hnsw_m = hnsw_m
        self.ef_construction = ef_construction
        self.ef_search = ef_search
        self.nprobe = nprobe
        self._ids: list[str] = []
        self._index: Any = faiss.IndexFlatIP(dim)

    @property
    def count(self) -> int:
        """Number of indexed vectors."""
        return len(self._ids)

    @property
    def kind(self) -> Kind:
        """ "flat" (exact), "hnsw" or "ivf" (approximate), as chosen by :meth:`index`."""
        if isinstance(self._index, faiss.IndexHNSWFlat):
            return "hnsw"
        return "ivf" if isinstance(self._index, faiss.IndexIVFFlat) else "flat"

    def index(self, items: Sequence[npt.ArrayLike] | npt.NDArray[np.float32], ids: Sequence[str]) -> None:
        """Replace the store with ``items`` (an (n, dim) array or n vectors) known by ``ids``.

        Raises:
            ValueError: shapes or ids do not fit.
        """
        vectors = np.ascontiguousarray(np.asarray(items, dtype=np.float32).reshape(-1, self.dim))
        check_ids(ids, len(vectors))
        n = len(vectors)
        index: Any
        if n >= self.ivf_threshold and n > 0:
            index = self._trained_ivf(vectors)
        elif n >= self.flat_threshold and n > 0:
            index = faiss.IndexHNSWFlat(self.dim, self.hnsw_m, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = self.ef_construction
        else:
            index = faiss.IndexFlatIP(self.dim)
        index.add(vectors)
        self._index, self._ids = index, list(ids)

    def _trained_ivf(self, vectors: npt.NDArray[np.float32]) -> Any:
        nlist = max(1, min(len(vectors) // 39, int(2 * math.sqrt(len(vectors)))))
        quantizer = faiss.IndexFlatIP(self.dim)
        index = faiss.IndexIVFFlat(quantizer, self.dim, nlist, faiss.METRIC_INNER_PRODUCT)
        index.cp.niter = 10
        index.cp.min_points_per_centroid = 1  # small stores (tests) train without a warning
        # k-means on 32 points per list is enough for centroids; all vectors would take minutes.
        sample = np.random.default_rng(0).choice(len(vectors), min(len(vectors), 32 * nlist), replace=False)
        index.train(vectors[np.sort(sample)])
        return index  # faiss's wrapper keeps a reference to the quantizer

    def search(self, query: npt.ArrayLike, k: int) -> list[tuple[str, float]]:
        """The ``k`` vectors with the highest inner product with ``query``, best first.

        Raises:
            ValueError: ``k`` < 1 or the query has the wrong length.
        """
        return self.search_many(np.asarray(query, dtype=np.float32).reshape(1, -1), k)[0]

    def search_many(self, queries: npt.ArrayLike, k: int) -> list[list[tuple[str, float]]]:
        """:meth:`search` for each row of ``queries`` in one FAISS call.

        Raises:
            ValueError: ``k`` < 1 or the queries have the wrong width.
        """
        q = np.ascontiguousarray(np.asarray(queries, dtype=np.float32))
        if k < 1:
            raise ValueError(f"k must be >= 1; got {k}")
        if q.ndim != 2 or q.shape[1] != self.dim:
            raise ValueError(f"queries must have shape (n, {self.dim}); got {q.shape}")
        if not self._ids:
            return [[] for _ in q]
        k = min(k, self.count)
        if self.kind == "hnsw":
            self._index.hnsw.efSearch = max(self.ef_search, k)
        elif self.kind == "ivf":
            self._index.nprobe = self.nprobe
        scores, rows = self._index.search(q, k)
        return [
            [(self._ids[r], float(s)) for s, r in zip(srow, rrow, strict=True) if r >= 0]
            for srow, rrow in zip(scores, rows, strict=True)
        ]

    def save(self, path: Path) -> None:
        """Write ``faiss.index``, ``ids.json`` and ``params.json`` into directory ``path``."""
        path.mkdir(parents=True, exist_ok=True)
        faiss.write_index(self._index, str(path / "faiss.index"))
        write_json(path / "ids.json", self._ids)
        write_json(path / "params.json", {"kind": self.kind, **self._params()})

    def _params(self) -> dict[str, int]:
        return {
            "dim": self.dim,
            "flat_threshold": self.flat_threshold,
            "hnsw_m": self.hnsw_m,
            "ef_construction": self.ef_construction,
            "ef_search": self.ef_search,
            "ivf_threshold": self.ivf_threshold,
            "nprobe": self.nprobe,
        }

    @classmethod
    def load(cls, path: Path) -> DenseStore:
        """Read a store written by :meth:`save`.

        Raises:
            IndexStateError: a file is missing or unreadable, or ids and vectors disagree.
        """
        require_files(path, ("faiss.index", "ids.json", "params.json"), "dense store")
        p = read_json(path / "params.json")
        try:
            store = cls(**{k: v for k, v in p.items() if k != "kind"})
        except TypeError as e:
            raise IndexStateError(f"unexpected dense store parameters in {path / 'params.json'}: {e}") from None
        try:
            store._index = faiss.read_index(str(path / "faiss.index"))
        except RuntimeError as e:
            raise IndexStateError(f"cannot read {path / 'faiss.index'}: {e}") from None
        store._ids = read_json(path / "ids.json")
        if store._index.ntotal != len(store._ids) or store._index.d != store.dim:
            raise IndexStateError(
                f"dense store at {path} has {store._index.ntotal} vectors of dim {store._index.d} "
                f"but {len(store._ids)} ids of dim {store.dim}"
            )
        return store

    def __repr__(self) -> str:
        return f"DenseStore(kind={self.kind}, count={self.count}, dim={self.dim})"
