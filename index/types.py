"""The types every clause store shares: search modes, fusion names, a search hit, a stored document.

Both backends (:mod:`index.hybrid`, :mod:`index.pgstore`) and the :class:`index.store.ClauseStore`
protocol import them from here, so neither backend depends on the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from corpus.errors import InvalidQueryError
from corpus.model import Clause
from index.fusion import Norm, Run

SearchMode = Literal["bm25", "dense", "hybrid"]
FusionName = Literal["rrf", "weighted"]
MODES: tuple[str, ...] = get_args(SearchMode)
FUSIONS: tuple[str, ...] = get_args(FusionName)


@dataclass(frozen=True, slots=True)
class Fusion:
    """How a hybrid search fuses its BM25 and dense runs.

    Attributes:
        name: "rrf" or "weighted".
        weights: (bm25, dense) weights, None for equal.
        norm: score normalisation of the weighted fusion, "minmax" or "zscore".
    """

    name: FusionName
    weights: tuple[float, float] | None
    norm: Norm


#: The product's ranking: what ``/api/ask``, ``/api/search`` and ``policyqa search`` fuse with,
#: chosen by the evaluation (docs/evaluation.md): z-scored scores weighted 0.3 BM25 / 0.7 dense.
PRODUCT_FUSION = Fusion(name="weighted", weights=(0.3, 0.7), norm="zscore")


@dataclass(frozen=True, slots=True)
class Hit:
    """One clause found for a query.

    Attributes:
        clause: the clause (cite it by ``clause.source`` and ``clause.start``/``end``).
        score: BM25 score, cosine similarity, or fused score, depending on the mode.
        bm25_rank: 1-based rank among the BM25 candidates, None if BM25 did not find it or was not asked.
        dense_rank: 1-based rank among the dense candidates, None likewise.
        bm25_score: the clause's BM25 score when BM25 found it, else None.
        dense_score: the clause's cosine similarity to the query when the dense side found it,
            else None (a low value means nothing in the index is about the question).
    """

    clause: Clause
    score: float
    bm25_rank: int | None
    dense_rank: int | None
    bm25_score: float | None = None
    dense_score: float | None = None


@dataclass(frozen=True, slots=True)
class StoredDocument:
    """What a store keeps of a document besides its clauses.

    Attributes:
        title: the document's title.
        text: the full text the clause spans refer to (the viewer shows it).
        data: the uploaded file's bytes; None for documents of the base corpus (or not asked for).
    """

    title: str
    text: str
    data: bytes | None = None


@dataclass(frozen=True, slots=True)
class PreparedChange:
    """A change a store has written but searches do not see until ``store.adopt(change)``.

    Splitting a write this way lets the slow part (embedding, building, writing) run without
    the lock readers take; only :meth:`ClauseStore.adopt` needs it.

    Attributes:
        built: the backend's new state (the embedded index: the index written beside the live
            one); None when the change is live already (PostgreSQL commits it in one transaction).
    """

    built: object | None = None


def check_search_args(query: str, mode: str, fusion: str, top_k: int, depth: int) -> None:
    """Raise :class:`InvalidQueryError` for an empty query or a parameter out of range."""
    if not query.strip():
        raise InvalidQueryError("query is empty")
    if mode not in MODES:
        raise InvalidQueryError(f"mode must be one of {', '.join(MODES)}; got {mode!r}")
    if fusion not in FUSIONS:
        raise InvalidQueryError(f"fusion must be one of {', '.join(FUSIONS)}; got {fusion!r}")
    if top_k < 1 or depth < 1:
        raise InvalidQueryError(f"top_k and depth must be >= 1; got top_k={top_k}, depth={depth}")


def hits_from_runs(by_id: dict[str, Clause], scores: Run, bm25_run: Run, dense_run: Run, top_k: int) -> list[Hit]:
    """The first ``top_k`` of ``scores`` as hits, with each clause's rank and score on either side."""
    bm25_ranks = {cid: r for r, cid in enumerate(bm25_run, start=1)}
    dense_ranks = {cid: r for r, cid in enumerate(dense_run, start=1)}
    return [
        Hit(
            by_id[cid],
            score,
            bm25_ranks.get(cid),
            dense_ranks.get(cid),
            bm25_run.get(cid),
            dense_run.get(cid),
        )
        for cid, score in list(scores.items())[:top_k]
    ]
