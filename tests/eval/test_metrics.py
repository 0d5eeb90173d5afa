"""Metrics on a three-question example worked out by hand."""

from __future__ import annotations

import pytest

from corpus.model import Clause, ClauseKind, Deadline, DeadlineKind
from eval.judged import Judgement, Question
from eval.metrics import SystemOutput, score
from eval.threshold import choose, sweep


def _clause(cid: str, lead: tuple[str, ...] = ()) -> Clause:
    return Clause(
        cid,
        "d.txt",
        "t",
        "一、",
        (),
        cid,
        0,
        1,
        ClauseKind.ITEM,
        lead_units=lead,
        deadline=Deadline("2020年底前", "2020-12-31", DeadlineKind.BY_DATE) if lead else None,
    )


CLAUSES = [_clause("a", ("市司法局",)), _clause("b", ("市司法局",)), _clause("c")]
QUESTIONS = [
    Question(
        "q1",
        "谁牵头a",
        "who",
        (Judgement("d.txt", "a", 2),),
        {"lead_units": ["市司法局"], "units": [], "deadline": "2020年底前"},
    ),
    Question("q2", "b是什么", "what", (Judgement("d.txt", "b", 2),)),
    Question(
        "q3",
        "司法局牵头的任务有哪些",
        "list",
        (Judgement("d.txt", "a", 2),),
        list_filter={"unit": "市司法局", "lead_only": True},
    ),
    Question("q4", "医保", "noanswer", ()),
]
QRELS = {"q1": {"a": 2}, "q2": {"b": 2}, "q3": {"a": 2}, "q4": {}}
FIELDS = {"a": {"lead_units": ["市司法局"], "units": [], "deadline": "2020年底前"}}


def test_worked_example() -> None:
    outputs = {
        "q1": SystemOutput(("a", "c"), FIELDS, similarity=0.9),  # right clause first
        "q2": SystemOutput(("c", "b"), similarity=0.85),  # right clause second: RR 1/2
        "q3": SystemOutput(("a",), FIELDS),  # list: 1 of the 2 led tasks
        "q4": SystemOutput(("c",), similarity=0.8),
    }
    s = score(QUESTIONS, QRELS, outputs, CLAUSES)
    # hit@1 over q1..q3: q1 yes, q2 no, q3 yes -> 2/3; MRR: (1 + 1/2 + 1) / 3
    assert s.overall["hit_rate@1"] == pytest.approx(2 / 3)
    assert s.overall["mrr@10"] == pytest.approx((1 + 0.5 + 1) / 3)
    assert s.overall["field_acc_found"] == 1.0 and s.overall["field_acc_top1"] == 1.0
    assert s.overall["list_recall"] == pytest.approx(0.5) and s.overall["list_precision"] == 1.0
    assert s.overall["noanswer_acc"] == 0.0 and s.overall["false_noanswer"] == 0.0
    assert s.by_kind["what"]["mrr@10"] == pytest.approx(0.5)
    # a threshold of 0.82 refuses q4 (0.80) and nothing answerable (0.85, 0.90)
    points = sweep(QUESTIONS, outputs, lo=0.78, hi=0.92, step=0.02)
    best = choose(points, max_false=0.0)
    assert best.noanswer_acc == 1.0 and best.false_noanswer == 0.0 and 0.8 < best.threshold <= 0.85


def test_wrong_fields_count_against_top1() -> None:
    wrong = {"a": {"lead_units": ["市财政局"], "units": [], "deadline": "2020年底前"}}
    outputs = {q.qid: SystemOutput(("a",), wrong) for q in QUESTIONS}
    s = score(QUESTIONS, QRELS, outputs, CLAUSES)
    assert s.overall["field_acc_found"] == 0.0 and s.overall["field_acc_top1"] == 0.0
