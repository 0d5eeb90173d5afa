"""Fusion against numbers worked out by hand (the arithmetic is written next to each)."""

from __future__ import annotations

import math

import pytest

from corpus.errors import InvalidQueryError
from index.fusion import rrf, weighted

BM25 = {"a": 12.0, "b": 7.0, "c": 3.0}  # ranks a=1, b=2, c=3
DENSE = {"c": 0.9, "d": 0.8, "a": 0.5}  # ranks c=1, d=2, a=3


def test_rrf_by_hand() -> None:
    fused = rrf([BM25, DENSE], k=60)
    assert fused == pytest.approx(
        {
            "a": 1 / 61 + 1 / 63,  # 0.016393 + 0.015873 = 0.032266
            "c": 1 / 63 + 1 / 61,  # same ranks swapped: 0.032266
            "b": 1 / 62,  # 0.016129
            "d": 1 / 62,  # 0.016129
        }
    )
    assert list(fused) == ["a", "c", "b", "d"]  # ties broken by id


def test_rrf_weights_and_k_by_hand() -> None:
    fused = rrf([BM25, DENSE], k=1, weights=[2.0, 1.0])
    assert fused == pytest.approx(
        {
            "a": 2 / 2 + 1 / 4,  # 1.25
            "c": 2 / 4 + 1 / 2,  # 1.0
            "b": 2 / 3,  # 0.6667
            "d": 1 / 3,  # 0.3333
        }
    )
    assert list(fused) == ["a", "c", "b", "d"]


def test_weighted_minmax_by_hand() -> None:
    # BM25 min-max: a=(12-3)/9=1, b=(7-3)/9=0.4444, c=0.
    # dense min-max: c=(0.9-0.5)/0.4=1, d=(0.8-0.5)/0.4=0.75, a=0.
    fused = weighted([BM25, DENSE], weights=[0.3, 0.7], norm="minmax")
    assert fused == pytest.approx(
        {
            "a": 0.3 * 1 + 0.7 * 0,  # 0.3
            "b": 0.3 * 4 / 9,  # 0.1333
            "c": 0.3 * 0 + 0.7 * 1,  # 0.7
            "d": 0.7 * 0.75,  # 0.525
        }
    )
    assert list(fused) == ["c", "d", "a", "b"]


def test_weighted_zscore_by_hand() -> None:
    # BM25: mean 22/3 = 7.3333; deviations 4.6667, -0.3333, -4.3333;
    #   population std = sqrt((21.7778 + 0.1111 + 18.7778) / 3) = sqrt(13.5556) = 3.6818
    # dense: mean 2.2/3 = 0.7333; deviations 0.1667, 0.0667, -0.2333;
    #   population std = sqrt((0.027778 + 0.004444 + 0.054444) / 3) = sqrt(0.028889) = 0.16997
    sb, sd = math.sqrt(122 / 9), math.sqrt(0.26 / 9)
    fused = weighted([BM25, DENSE], norm="zscore")
    assert fused == pytest.approx(
        {
            "a": (12 - 22 / 3) / sb + (0.5 - 2.2 / 3) / sd,  # 1.2675 - 1.3728 = -0.1053
            "b": (7 - 22 / 3) / sb,  # -0.0905
            "c": (3 - 22 / 3) / sb + (0.9 - 2.2 / 3) / sd,  # -1.1770 + 0.9806 = -0.1964
            "d": (0.8 - 2.2 / 3) / sd,  # 0.3922
        }
    )
    assert list(fused) == ["d", "b", "a", "c"]


def test_degenerate_runs() -> None:
    assert rrf([]) == {}
    assert rrf([{}, {"x": 1.0}]) == pytest.approx({"x": 1 / 61})
    assert weighted([{"x": 5.0, "y": 5.0}], norm="minmax") == {"x": 1.0, "y": 1.0}
    assert weighted([{"x": 5.0, "y": 5.0}], norm="zscore") == {"x": 0.0, "y": 0.0}


def test_bad_parameters_name_the_problem() -> None:
    with pytest.raises(InvalidQueryError, match="2 runs, 1 weights"):
        rrf([BM25, DENSE], weights=[1.0])
    with pytest.raises(InvalidQueryError, match="k must be >= 0"):
        rrf([BM25], k=-1)
    with pytest.raises(InvalidQueryError, match="minmax, zscore"):
        weighted([BM25], norm="softmax")  # type: ignore[arg-type]
    with pytest.raises(InvalidQueryError, match="finite and >= 0"):
        weighted([BM25], weights=[float("nan")])
