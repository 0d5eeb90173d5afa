"""Rank fusion as pure functions over runs ``{id: score}`` (higher score = better).

Both return a dict ordered best first (ties by id), so ``list(fused)[:k]`` is the top k.

Example:
    >>> rrf([{"a": 9.0, "b": 3.0}, {"b": 0.8, "c": 0.5}], k=60)
    {'b': 0.03252247488101534, 'a': 0.01639344262295082, 'c': 0.016129032258064516}
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from corpus.errors import InvalidQueryError

Run = dict[str, float]
Norm = Literal["minmax", "zscore"]
NORMS: tuple[Norm, ...] = ("minmax", "zscore")


def rrf(runs: Sequence[Run], k: int = 60, weights: Sequence[float] | None = None) -> Run:
    """Reciprocal rank fusion: ``score(d) = sum_i w_i / (k + rank_i(d))``, ranks from 1.

    Args:
        runs: one ``{id: score}`` per retriever; only the order of scores matters.
        k: damping constant (60 in Cormack et al. 2009).
        weights: one weight per run, default all 1.

    Returns:
        ``{id: fused score}``, best first.

    Raises:
        InvalidQueryError: ``k`` < 0, or the weights do not match the runs.
    """
    if k < 0:
        raise InvalidQueryError(f"rrf k must be >= 0; got {k}")
    w = _weights(runs, weights)
    fused: Run = {}
    for run, weight in zip(runs, w, strict=True):
        for rank, doc in enumerate(_ranked(run), start=1):
            fused[doc] = fused.get(doc, 0.0) + weight / (k + rank)
    return _sorted(fused)


def weighted(runs: Sequence[Run], weights: Sequence[float] | None = None, norm: Norm = "minmax") -> Run:
    """Weighted sum of normalised scores; an id missing from a run gets 0 from it.

    Normalisation per run: "minmax" maps scores to [0, 1] (all equal -> 1); "zscore" maps to
    ``(s - mean) / std`` with the population std (all equal -> 0).

    Args:
        runs: one ``{id: score}`` per retriever.
        weights: one weight per run, default all 1.
        norm: "minmax" or "zscore".

    Returns:
        ``{id: fused score}``, best first.

    Raises:
        InvalidQueryError: unknown ``norm``, or the weights do not match the runs.
    """
    if norm not in NORMS:
        raise InvalidQueryError(f"norm must be one of {', '.join(NORMS)}; got {norm!r}")
    w = _weights(runs, weights)
    fused: Run = {}
    for run, weight in zip(runs, w, strict=True):
        for doc, score in _normalise(run, norm).items():
            fused[doc] = fused.get(doc, 0.0) + weight * score
    return _sorted(fused)


def _normalise(run: Run, norm: Norm) -> Run:
    if not run:
        return {}
    values = list(run.values())
    if norm == "minmax":
        lo, hi = min(values), max(values)
        return {d: (s - lo) / (hi - lo) if hi > lo else 1.0 for d, s in run.items()}
    mean = sum(values) / len(values)
    std = math.sqrt(sum((v - mean) ** 2 for v in values) / len(values))
    return {d: (s - mean) / std if std > 0 else 0.0 for d, s in run.items()}


def _weights(runs: Sequence[Run], weights: Sequence[float] | None) -> list[float]:
    return run_weights(len(runs), weights)


def run_weights(n_runs: int, weights: Sequence[float] | None) -> list[float]:
    """The weights of ``n_runs`` runs as floats (default all 1).

    Raises:
        InvalidQueryError: not one weight per run, or a weight negative or not finite.
    """
    if weights is None:
        return [1.0] * n_runs
    if len(weights) != n_runs:
        raise InvalidQueryError(f"need one weight per run: {n_runs} runs, {len(weights)} weights")
    if any(not math.isfinite(x) or x < 0 for x in weights):
        raise InvalidQueryError(f"weights must be finite and >= 0; got {list(weights)}")
    return [float(x) for x in weights]


def _ranked(run: Run) -> list[str]:
    return sorted(run, key=lambda d: (-run[d], d))


def _sorted(fused: Run) -> Run:
    return {d: fused[d] for d in _ranked(fused)}
