"""Choose the no-answer threshold: the similarity below which "未找到相关条款" is answered.

The threshold trades two errors: answering an unanswerable question with noise, and refusing
an answerable one. We take the highest share of refused unanswerable questions that keeps
wrong refusals of answerable ones at or under ``max_false`` (2% by default).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eval.judged import Question
from eval.metrics import SystemOutput


@dataclass(frozen=True, slots=True)
class ThresholdPoint:
    """Refusal rates at one threshold."""

    threshold: float
    noanswer_acc: float
    false_noanswer: float


def sweep(
    questions: Sequence[Question],
    outputs: dict[str, SystemOutput],
    lo: float = 0.70,
    hi: float = 0.95,
    step: float = 0.005,
) -> list[ThresholdPoint]:
    """Refusal rates for thresholds from ``lo`` to ``hi`` on a run made without a threshold."""
    unanswerable = [q for q in questions if q.kind == "noanswer"]
    answerable = [q for q in questions if q.kind not in ("noanswer", "list")]
    points = []
    steps = round((hi - lo) / step)
    for i in range(steps + 1):
        t = round(lo + i * step, 4)
        refused = {q.qid for q in questions if _refused(outputs[q.qid], t)}
        points.append(
            ThresholdPoint(
                t,
                sum(q.qid in refused for q in unanswerable) / len(unanswerable) if unanswerable else 0.0,
                sum(q.qid in refused for q in answerable) / len(answerable) if answerable else 0.0,
            )
        )
    return points


def choose(points: Sequence[ThresholdPoint], max_false: float = 0.02) -> ThresholdPoint:
    """The threshold refusing most unanswerable questions with at most ``max_false`` wrong refusals."""
    allowed = [p for p in points if p.false_noanswer <= max_false]
    if not allowed:
        return ThresholdPoint(0.0, 0.0, 0.0)
    return max(allowed, key=lambda p: (p.noanswer_acc, -p.false_noanswer, -p.threshold))


def with_threshold(outputs: dict[str, SystemOutput], threshold: float) -> dict[str, SystemOutput]:
    """The outputs a system refusing below ``threshold`` would have given."""
    return {
        qid: SystemOutput((), {}, True, o.similarity) if _refused(o, threshold) else o for qid, o in outputs.items()
    }


def _refused(output: SystemOutput, threshold: float) -> bool:
    return output.no_answer or (output.similarity is not None and output.similarity < threshold)


def sweep_table(points: Sequence[ThresholdPoint], chosen: ThresholdPoint, every: int = 4) -> str:
    """A Markdown table of every ``every``-th point and the chosen one (marked ★)."""
    rows = ["| threshold | unanswerable refused | answerable refused |", "|---:|---:|---:|"]
    for i, p in enumerate(points):
        if i % every and p != chosen:
            continue
        mark = " ★" if p == chosen else ""
        rows.append(f"| {p.threshold:.3f}{mark} | {p.noanswer_acc:.3f} | {p.false_noanswer:.3f} |")
    return "\n".join(rows)
