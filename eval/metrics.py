"""Scores of one system on a judged set: ranx ranking metrics, field accuracy, list recall, no-answer.

Ranking metrics come from ranx; this module only decides which questions each figure is
computed over and counts exact field matches.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from ranx import Qrels, Run, evaluate

from corpus.ledger import TaskFilter
from corpus.model import Clause
from eval.judged import Question

#: ranx metric names, in report order.
RANK_METRICS = ("hit_rate@1", "mrr@10", "ndcg@10", "recall@5", "recall@10")
FIELD_NAMES = ("lead_units", "units", "deadline")


@dataclass(frozen=True, slots=True)
class SystemOutput:
    """What a system returned for one question.

    Attributes:
        ranked: clause ids, best first.
        fields: per returned clause id, its lead_units / units / deadline as the system gave them.
        no_answer: the system said it found nothing relevant.
        units: per returned id that cites a citation unit (a title and its body paragraphs),
            the ids of every member; a judged member counts as found at the unit's rank.
    """

    ranked: tuple[str, ...]
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    no_answer: bool = False
    similarity: float | None = None  # the best result's similarity, for choosing the no-answer threshold
    units: dict[str, tuple[str, ...]] = field(default_factory=dict)


def unit_qrels(judged: dict[str, int], output: SystemOutput) -> dict[str, int]:
    """``judged`` with each clause cited inside a returned unit replaced by the unit's id (best grade kept).

    Example:
        >>> unit_qrels({"body": 2}, SystemOutput(("title",), units={"title": ("title", "body")}))
        {'title': 2}
    """
    member_of = {m: head for head, members in output.units.items() for m in members}
    out: dict[str, int] = {}
    for cid, grade in judged.items():
        key = member_of.get(cid, cid)
        out[key] = max(grade, out.get(key, 0))
    return out


@dataclass(slots=True)
class Scores:
    """All figures for one system; ``by_kind`` holds the ranking metrics per question kind."""

    overall: dict[str, float]
    by_kind: dict[str, dict[str, float]]
    counts: dict[str, int]


def score(
    questions: Sequence[Question],
    qrels: dict[str, dict[str, int]],
    outputs: dict[str, SystemOutput],
    clauses: Sequence[Clause],
) -> Scores:
    """Score a system's outputs against the judged set.

    Figures:
        hit_rate@1, mrr@10, ndcg@10, recall@5, recall@10 (ranx) over answerable questions;
        field_acc_found: lead_units, units and deadline all exact, over who/when questions whose
            grade-2 clause came first;
        field_acc_top1: the same, comparing the first result's fields whatever clause it is;
        list_recall / list_precision: over list questions, against the ledger filter's tasks;
        noanswer_acc: share of unanswerable questions answered "未找到相关条款";
        false_noanswer: share of answerable questions wrongly answered that way.
    """
    ranked_q = [q for q in questions if qrels.get(q.qid)]
    overall = _rank_metrics(ranked_q, qrels, outputs)
    by_kind: dict[str, dict[str, float]] = {}
    for kind in sorted({q.kind for q in ranked_q}):
        by_kind[kind] = _rank_metrics([q for q in ranked_q if q.kind == kind], qrels, outputs)

    found_ok = found_n = top_ok = top_n = 0
    for q in questions:
        if q.kind not in ("who", "when") or not q.expect:
            continue
        out = outputs[q.qid]
        best = next((cid for cid, g in unit_qrels(qrels[q.qid], out).items() if g == 2), None)
        if out.ranked:
            top_n += 1
            top_ok += _fields_equal(out.fields.get(out.ranked[0], {}), q.expect)
            if out.ranked[0] == best:
                found_n += 1
                found_ok += _fields_equal(out.fields.get(best, {}), q.expect)
        else:
            top_n += 1
    overall["field_acc_found"] = found_ok / found_n if found_n else 0.0
    overall["field_acc_top1"] = top_ok / top_n if top_n else 0.0

    recalls, precisions = [], []
    tasks = [c for c in clauses if c.is_task]
    for q in questions:
        if q.kind != "list" or not q.list_filter:
            continue
        flt = TaskFilter(**{k: v for k, v in q.list_filter.items() if v is not None})
        expected = {c.id for c in tasks if flt.matches(c)}
        out = outputs[q.qid]
        got = set(out.ranked).union(*out.units.values())  # a cited unit cites its body paragraphs too
        recalls.append(len(expected & got) / len(expected) if expected else 1.0)
        precisions.append(len(expected & got) / len(got) if got else 0.0)
    overall["list_recall"] = sum(recalls) / len(recalls) if recalls else 0.0
    overall["list_precision"] = sum(precisions) / len(precisions) if precisions else 0.0

    unanswerable = [q for q in questions if q.kind == "noanswer"]
    answerable = [q for q in questions if q.kind != "noanswer"]
    overall["noanswer_acc"] = (
        sum(outputs[q.qid].no_answer for q in unanswerable) / len(unanswerable) if unanswerable else 0.0
    )
    overall["false_noanswer"] = (
        sum(outputs[q.qid].no_answer for q in answerable) / len(answerable) if answerable else 0.0
    )
    counts = {
        "questions": len(questions),
        "ranked": len(ranked_q),
        "field_questions": top_n,
        "list_questions": len(recalls),
        "noanswer_questions": len(unanswerable),
    }
    return Scores(overall, by_kind, counts)


def _rank_metrics(
    questions: Sequence[Question], qrels: dict[str, dict[str, int]], outputs: dict[str, SystemOutput]
) -> dict[str, float]:
    if not questions:
        return dict.fromkeys(RANK_METRICS, 0.0)
    q_dict = {q.qid: unit_qrels(qrels[q.qid], outputs[q.qid]) for q in questions}
    r_dict: dict[str, dict[str, float]] = {}
    for q in questions:
        ranked = outputs[q.qid].ranked[:100]
        # ranx needs a score per document; the rank order is what counts
        r_dict[q.qid] = {cid: float(len(ranked) - i) for i, cid in enumerate(ranked)} or {"__none__": 0.0}
    result = evaluate(Qrels(q_dict), Run(r_dict), list(RANK_METRICS), make_comparable=True)
    return {m: float(result[m]) for m in RANK_METRICS}


def _fields_equal(got: dict[str, Any], expect: dict[str, Any]) -> bool:
    return all(_norm(got.get(name)) == _norm(expect.get(name)) for name in FIELD_NAMES)


def _norm(value: Any) -> Any:
    if isinstance(value, (list, tuple)):
        return list(value)
    return value or None
