"""Embedders (one module per backend), the factory that picks one by name, and the vector cache."""

from __future__ import annotations

from index.embed.cache import EmbeddingCache, text_key
from index.embed.factory import CHOICES, make_embedder
from index.embed.protocol import Embedder, Vectors, as_unit_rows

__all__ = ["CHOICES", "Embedder", "EmbeddingCache", "Vectors", "as_unit_rows", "make_embedder", "text_key"]
