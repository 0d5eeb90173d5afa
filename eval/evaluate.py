"""Evaluate variants (or a running service) on a judged set and write runs, report and plots.

Example:
    >>> results = evaluate(load_questions(DEFAULT_SET), variants_by_name(["bm25", "hybrid-rrf"]),
    ...                    work_dir=Path("var/eval"))
    >>> round(results.scores["hybrid-rrf"].overall["mrr@10"], 2)   # doctest: +SKIP
    0.8
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from corpus import BUNDLED_CORPUS_DIR
from corpus.model import Clause
from eval.judged import Question, resolve_qrels, write_trec_qrels, write_trec_run
from eval.metrics import Scores, SystemOutput, score
from eval.runner import run_inprocess, run_remote
from eval.variants import IndexConfig, Variant
from index.embed.cache import EmbeddingCache
from index.embed.factory import make_embedder
from index.hybrid import HybridIndex
from index.lexicon import POLICY_TERMS, QUESTION_STOPWORDS
from index.tokenize import Tokenizer, units_from_clauses
from qa.answer import Answerer
from qa.library import read_clauses


@dataclass(slots=True)
class Evaluation:
    """Scores per system, and the runs and judgements they came from."""

    scores: dict[str, Scores]
    outputs: dict[str, dict[str, SystemOutput]]
    qrels: dict[str, dict[str, int]]
    clauses: list[Clause]


def build_variant_index(config: IndexConfig, clauses: Sequence[Clause], work_dir: Path) -> HybridIndex:
    """The index of one configuration under ``work_dir``, built once and then reused.

    Embeddings are shared between configurations with the same embedder through the
    embedding cache, so BM25-only changes (jieba mode, lexicon, stopwords) embed nothing.
    """
    path = work_dir / "indexes" / config.key
    embedder = make_embedder(config.embedder)
    if (path / "manifest.json").exists():
        index = HybridIndex.load(path, embedder=embedder)
        if {c.id for c in index.clauses} == {c.id for c in clauses}:
            return index
    units = units_from_clauses(clauses) if config.lexicon else []
    tokenizer = Tokenizer(
        mode=config.jieba_mode,  # type: ignore[arg-type]
        lexicon=POLICY_TERMS if config.lexicon else (),
        units=units,
        stopwords=QUESTION_STOPWORDS if config.stopwords else (),
    )
    cache = _shared_cache(work_dir, embedder.id)
    return HybridIndex.build(clauses, embedder, tokenizer, path, params=config.params(), progress=True, cache=cache)


def _shared_cache(work_dir: Path, embedder_id: str) -> EmbeddingCache | None:
    """Merged embedding caches of the indexes already built with ``embedder_id``."""
    merged: EmbeddingCache | None = None
    for directory in sorted((work_dir / "indexes").glob("*")):
        cache_dir = directory / "embeddings"
        if not cache_dir.exists():
            continue
        cache = EmbeddingCache.load(cache_dir)
        if cache.embedder_id != embedder_id:
            continue
        if merged is None:
            merged = cache
        else:
            merged.merge(cache)
    return merged


def evaluate(
    questions: Sequence[Question],
    variants: Sequence[Variant],
    work_dir: Path,
    sources: Sequence[Path] = (BUNDLED_CORPUS_DIR,),
    top_k: int = 10,
    url: str | None = None,
) -> Evaluation:
    """Run every variant (or the service at ``url``) over the questions and score them."""
    clauses = read_clauses(sources)
    qrels = resolve_qrels(questions, clauses)
    outputs: dict[str, dict[str, SystemOutput]] = {}
    if url:
        outputs["service"] = run_remote(url, questions, top_k=top_k)
    else:
        indexes: dict[str, HybridIndex] = {}
        for variant in variants:
            key = variant.index.key
            if key not in indexes:
                indexes[key] = build_variant_index(variant.index, clauses, work_dir)
            answerer = Answerer(indexes[key], variant.ranking)
            outputs[variant.name] = run_inprocess(answerer, questions, top_k=top_k)
    scores = {name: score(questions, qrels, out, clauses) for name, out in outputs.items()}
    return Evaluation(scores, outputs, qrels, clauses)


def write_runs(evaluation: Evaluation, out: Path) -> None:
    """TREC qrels and one TREC run file per system into ``out``."""
    write_trec_qrels(evaluation.qrels, out / "qrels.txt")
    for name, outputs in evaluation.outputs.items():
        run = {qid: {cid: float(len(o.ranked) - i) for i, cid in enumerate(o.ranked)} for qid, o in outputs.items()}
        write_trec_run(run, out / "runs" / f"{name}.trec", tag=name)
