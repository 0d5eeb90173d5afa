"""sentence-transformers: any model directory on disk, or a model already in the local HF cache."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from index.embed.protocol import Vectors, as_unit_rows

_INSTALL = "pip install 'sentence-transformers>=3' torch==2.13.0"
# Files that define what a model computes; weights are fingerprinted by name and size only.
_CONFIG_SUFFIXES = (".json", ".txt", ".model", ".py")
_WEIGHT_SUFFIXES = (".safetensors", ".bin", ".pt", ".onnx")


class SentenceTransformerEmbedder:
    """A sentence-transformers model loaded from local files only (never the network).

    Queries and passages go through ``encode_query`` / ``encode_document``, so a model that
    defines "query"/"document" prompts (e5, bge …) gets them; others encode both alike.

    Args:
        model: a model directory, or the name of a model already in the local Hugging Face cache.
        batch_size: texts per forward pass.

    Raises:
        ImportError: sentence-transformers is not installed (the message gives the pip command).
        ValueError: ``model`` is neither a directory nor a cached model name.

    Example:
        >>> e = SentenceTransformerEmbedder("/models/bge-small-zh")
        >>> e.id
        'st:bge-small-zh#3f1c2a9b0d4e'
    """

    def __init__(self, model: str | Path, batch_size: int = 32) -> None:
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as e:
            raise ImportError(f"the sentence-transformers embedder needs it: {_INSTALL}") from e
        directory = _resolve_local(str(model))
        self._model: Any = SentenceTransformer(str(directory), device="cpu", local_files_only=True)
        dim = self._model.get_embedding_dimension()
        if not dim:
            raise ValueError(f"model at {directory} does not report an embedding dimension")
        self.dim: int = int(dim)
        self.batch_size = batch_size
        self.id = f"st:{directory.name}#{config_digest(directory)}"
        self.spec = f"st:{model}"

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Encode questions (the model's "query" prompt, if it has one)."""
        if not texts:
            return as_unit_rows([], self.dim)
        out = self._model.encode_query(list(texts), batch_size=self.batch_size, normalize_embeddings=True)
        return as_unit_rows(out, self.dim)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Encode clause texts (the model's "document" prompt, if it has one)."""
        if not texts:
            return as_unit_rows([], self.dim)
        out = self._model.encode_document(list(texts), batch_size=self.batch_size, normalize_embeddings=True)
        return as_unit_rows(out, self.dim)


def config_digest(directory: Path) -> str:
    """12 hex chars of SHA-256 over a model directory's config files and weight file sizes."""
    digest = hashlib.sha256()
    for f in sorted(p for p in directory.rglob("*") if p.is_file()):
        rel = f.relative_to(directory).as_posix()
        if f.suffix in _CONFIG_SUFFIXES:
            digest.update(f"{rel}\0".encode() + f.read_bytes())
        elif f.suffix in _WEIGHT_SUFFIXES:
            digest.update(f"{rel}\0{f.stat().st_size}".encode())
    return digest.hexdigest()[:12]


def _resolve_local(model: str) -> Path:
    """The directory holding ``model``: itself, or its snapshot in the local HF cache."""
    path = Path(model).expanduser()
    if path.is_dir():
        return path
    try:
        from huggingface_hub import snapshot_download

        return Path(snapshot_download(model, local_files_only=True))
    except Exception as e:  # LocalEntryNotFoundError, HFValidationError for a bad name …
        raise ValueError(
            f"sentence-transformers model {model!r} is neither a directory nor in the local "
            "Hugging Face cache (nothing is downloaded at run time)"
        ) from e
