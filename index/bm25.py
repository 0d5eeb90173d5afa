"""Okapi BM25 over a sparse matrix of precomputed term weights.

Scores equal ``rank_bm25.BM25Okapi(corpus).get_scores(query)`` (same k1, b, and the same
epsilon floor for negative idf), but a query costs one ``np.bincount`` over the postings of
its terms instead of a Python loop over every document.

Example:
    >>> bm = BM25Index()
    >>> bm.index([["牵头", "市发改委"], ["市财政局", "资金"], ["资金", "保障"]], ["a", "b", "c"])
    >>> bm.search(["市发改委"], k=2)
    [('a', 0.5108256237659907)]
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from corpus.errors import IndexStateError
from index.files import check_ids, read_json, require_files, write_json

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
RowArray = npt.NDArray[np.int32]
_FILES = ("data.npy", "indices.npy", "indptr.npy", "vocab.json", "ids.json", "params.json")


class BM25Index:
    """BM25 (Okapi variant of ``rank_bm25``) stored as a CSC doc × term weight matrix.

    Column ``t`` holds ``idf(t) * tf * (k1 + 1) / (tf + k1 * (1 - b + b * dl / avgdl))`` for
    every document containing term ``t``, so a query score is the sum of its terms' columns.

    Args:
        k1: term-frequency saturation.
        b: document-length normalisation.
        epsilon: idf floor, as a fraction of the mean idf, for terms in more than half the
            documents (whose Robertson idf is negative).

    Raises:
        ValueError: a parameter is out of range.
    """

    def __init__(self, k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25) -> None:
        if k1 < 0 or not 0 <= b <= 1 or epsilon < 0:
            raise ValueError(f"need k1 >= 0, 0 <= b <= 1, epsilon >= 0; got k1={k1}, b={b}, epsilon={epsilon}")
        self.k1, self.b, self.epsilon = k1, b, epsilon
        self._ids: list[str] = []
        self._vocab: dict[str, int] = {}
        # CSC arrays of the doc x term weight matrix: column t's rows are indices[indptr[t]:indptr[t+1]].
        self._data: FloatArray = np.zeros(0, dtype=np.float64)
        self._indices: RowArray = np.zeros(0, dtype=np.int32)
        self._indptr: IntArray = np.zeros(1, dtype=np.int64)

    @property
    def count(self) -> int:
        """Number of indexed documents."""
        return len(self._ids)

    @property
    def vocab_size(self) -> int:
        """Number of distinct terms."""
        return len(self._vocab)

    @property
    def ids(self) -> list[str]:
        """Document ids in index order."""
        return list(self._ids)

    def index(self, items: Sequence[Sequence[str]], ids: Sequence[str]) -> None:
        """Replace the index with documents ``items`` (token lists) known by ``ids``.

        Raises:
            ValueError: ``items`` and ``ids`` differ in length or ``ids`` repeat.
        """
        from scipy import sparse  # imported here: loading and querying an index never need it

        check_ids(ids, len(items))
        vocab: dict[str, int] = {}
        term_ids = np.fromiter((vocab.setdefault(t, len(vocab)) for doc in items for t in doc), dtype=np.int64)
        doc_len = np.fromiter((len(doc) for doc in items), dtype=np.int64, count=len(items))
        rows = np.repeat(np.arange(len(items), dtype=np.int64), doc_len)
        # Duplicate (doc, term) entries are summed on conversion: the result holds term frequencies.
        tf = sparse.csc_matrix(
            (np.ones(len(term_ids)), (rows, term_ids)), shape=(len(items), len(vocab)), dtype=np.float64
        )
        tf.sum_duplicates()
        n_docs = len(items)
        avgdl = float(doc_len.sum()) / n_docs if n_docs else 0.0
        df = np.diff(tf.indptr).astype(np.float64)
        idf = np.log(n_docs - df + 0.5) - np.log(df + 0.5)
        if len(idf):
            idf[idf < 0] = self.epsilon * (idf.sum() / len(idf))
        doc_norm = self.k1 * (1 - self.b + self.b * doc_len / avgdl) if avgdl else np.full(n_docs, self.k1)
        term_of_entry = np.repeat(np.arange(len(vocab)), np.diff(tf.indptr))
        freq = tf.data
        self._data = idf[term_of_entry] * freq * (self.k1 + 1) / (freq + doc_norm[tf.indices])
        self._indices = tf.indices.astype(np.int32)
        self._indptr = tf.indptr.astype(np.int64)
        self._vocab, self._ids = vocab, list(ids)

    def scores(self, query: Sequence[str]) -> FloatArray:
        """BM25 score of every document for ``query`` tokens (repeats count), in index order."""
        counts = Counter(t for t in query if t in self._vocab)
        scores = np.zeros(self.count, dtype=np.float64)
        if not counts:
            return scores
        spans = [(self._indptr[c], self._indptr[c + 1]) for c in map(self._vocab.__getitem__, counts)]
        rows = np.concatenate([self._indices[s:e] for s, e in spans])
        weights = np.concatenate([self._data[s:e] * counts[t] for (s, e), t in zip(spans, counts, strict=True)])
        scores += np.bincount(rows, weights=weights, minlength=self.count)
        return scores

    def search(self, query: Sequence[str], k: int) -> list[tuple[str, float]]:
        """The ``k`` best-scoring documents with a positive score, best first (ties by index order).

        Raises:
            ValueError: ``k`` < 1.
        """
        if k < 1:
            raise ValueError(f"k must be >= 1; got {k}")
        scores = self.scores(query)
        return [(self._ids[i], float(scores[i])) for i in top_k_positive(scores, k)]

    def save(self, path: Path) -> None:
        """Write ``data/indices/indptr.npy`` and ``vocab/ids/params.json`` into directory ``path``."""
        path.mkdir(parents=True, exist_ok=True)
        np.save(path / "data.npy", self._data)
        np.save(path / "indices.npy", self._indices)
        np.save(path / "indptr.npy", self._indptr)
        vocab = sorted(self._vocab, key=self._vocab.__getitem__)
        write_json(path / "vocab.json", vocab)
        write_json(path / "ids.json", self._ids)
        write_json(path / "params.json", {"k1": self.k1, "b": self.b, "epsilon": self.epsilon})

    @classmethod
    def load(cls, path: Path) -> BM25Index:
        """Read an index written by :meth:`save`.

        Raises:
            IndexStateError: a file is missing or the arrays do not fit together.
        """
        require_files(path, _FILES, "BM25 index")
        params = read_json(path / "params.json")
        bm = cls(k1=params["k1"], b=params["b"], epsilon=params["epsilon"])
        vocab: list[str] = read_json(path / "vocab.json")
        ids: list[str] = read_json(path / "ids.json")
        data, indices, indptr = (np.load(path / f, allow_pickle=False) for f in _FILES[:3])
        if len(indptr) != len(vocab) + 1 or len(data) != len(indices) or indptr[-1] != len(data):
            raise IndexStateError(f"BM25 arrays at {path} do not fit together (corrupt index)")
        if len(indices) and (indices.min() < 0 or indices.max() >= len(ids)):
            raise IndexStateError(f"BM25 arrays at {path} point past its {len(ids)} documents (corrupt)")
        bm._data, bm._indices, bm._indptr = data, indices, indptr
        bm._vocab = {t: i for i, t in enumerate(vocab)}
        bm._ids = ids
        return bm

    def __repr__(self) -> str:
        return f"BM25Index(count={self.count}, vocab={len(self._vocab)}, nnz={len(self._data)})"


def top_k_positive(scores: FloatArray, k: int) -> list[int]:
    """Indices of the ``k`` highest positive scores, best first, ties broken by lower index."""
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > k:
        # np.partition finds the k-th best score; keep every candidate at least that good
        # so that ties at the boundary are resolved by index, not by partition order.
        kth = np.partition(scores[candidates], len(candidates) - k)[len(candidates) - k]
        candidates = candidates[scores[candidates] >= kth]
    order = np.lexsort((candidates, -scores[candidates]))
    return [int(i) for i in candidates[order][:k]]
