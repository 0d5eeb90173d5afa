"""Judged question sets: JSONL questions with expectations, resolved to clause ids; TREC qrels.

A set is one JSON object per line:
    {"qid": "q001", "question": "…谁牵头？", "kind": "who",
     "relevant": [{"source": "000_….txt", "prefix": "“退更免”业务全程电子化。实现从", "grade": 2}],
     "expect": {"lead_units": [...], "units": [...], "deadline": "…" | null},
     "list_filter": {"unit": "…", "lead_only": true, "source": null, "due_before": null}}   # list only
Clauses are named by document and the start of their text, so a set survives re-parsing; the
qrels file (TREC format, clause ids) is derived from it for a given parse.

Example:
    >>> questions = load_questions(DEFAULT_SET)
    >>> qrels = resolve_qrels(questions, clauses)
    >>> write_trec_qrels(qrels, Path("out/qrels.txt"))
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.errors import EvalSetError
from corpus.model import Clause

DEFAULT_SET = Path(__file__).parent / "data" / "questions.jsonl"
KINDS = ("who", "when", "what", "number", "list", "paraphrase", "noanswer")


@dataclass(frozen=True, slots=True)
class Judgement:
    """One relevant clause of a question: its document, text prefix and grade (1 or 2)."""

    source: str
    prefix: str
    grade: int


@dataclass(frozen=True, slots=True)
class Question:
    """One judged question.

    Attributes:
        qid: question id.
        question: the question text.
        kind: who / when / what / number / list / paraphrase / noanswer.
        relevant: judged relevant clauses (empty for noanswer).
        expect: expected lead_units / units / deadline of the grade-2 clause (who/when).
        list_filter: ledger filter whose tasks answer a list question completely.
        line: line number in the file (for error messages).
    """

    qid: str
    question: str
    kind: str
    relevant: tuple[Judgement, ...]
    expect: dict[str, Any] = field(default_factory=dict)
    list_filter: dict[str, Any] | None = None
    line: int = 0


def read_objects(path: Path, what: str) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """The JSON objects of a JSONL file as (line number, "file, line N", object); blank lines skipped.

    Raises:
        EvalSetError: the file is missing, or a line is not a JSON object; the message names where.
    """
    if not path.is_file():
        raise EvalSetError(f"no {what} at {path}")
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}, line {number}"
        try:
            raw = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvalSetError(f"{where}: not valid JSON ({exc.msg})") from exc
        if not isinstance(raw, dict):
            raise EvalSetError(f"{where}: expected a JSON object, got {type(raw).__name__}")
        yield number, where, raw


def load_questions(path: Path) -> list[Question]:
    """Read a judged set.

    Raises:
        EvalSetError: the file is missing, or a line is not valid JSON or lacks a field; the
            message names the file, the line number and the problem.
    """
    questions: list[Question] = []
    seen: set[str] = set()
    for number, where, raw in read_objects(path, "question set"):
        questions.append(_question(raw, where, number))
        if questions[-1].qid in seen:
            raise EvalSetError(f"{where}: qid {questions[-1].qid!r} repeats")
        seen.add(questions[-1].qid)
    if not questions:
        raise EvalSetError(f"{path}: no questions")
    return questions


def _question(raw: dict[str, Any], where: str, number: int) -> Question:
    for key, kind in (("qid", str), ("question", str), ("kind", str), ("relevant", list)):
        if not isinstance(raw.get(key), kind):
            raise EvalSetError(f"{where}: field {key!r} must be a {kind.__name__}")
    if raw["kind"] not in KINDS:
        raise EvalSetError(f"{where}: kind {raw['kind']!r} is not one of {', '.join(KINDS)}")
    judgements = []
    for item in raw["relevant"]:
        if not (
            isinstance(item, dict)
            and isinstance(item.get("source"), str)
            and isinstance(item.get("prefix"), str)
            and item.get("grade") in (1, 2)
        ):
            raise EvalSetError(f"{where}: each relevant item needs source, prefix and grade 1 or 2")
        judgements.append(Judgement(item["source"], item["prefix"], item["grade"]))
    if raw["kind"] != "noanswer" and not judgements and not raw.get("list_filter"):
        raise EvalSetError(f"{where}: an answerable question needs at least one relevant clause")
    list_filter = raw.get("list_filter")
    if raw["kind"] == "list" and not isinstance(list_filter, dict):
        raise EvalSetError(f"{where}: a list question needs a list_filter object")
    expect = raw.get("expect") or {}
    if not isinstance(expect, dict):
        raise EvalSetError(f"{where}: expect must be an object")
    return Question(raw["qid"], raw["question"], raw["kind"], tuple(judgements), expect, list_filter, number)


def resolve_qrels(questions: Sequence[Question], clauses: Sequence[Clause]) -> dict[str, dict[str, int]]:
    """Relevance judgements as {qid: {clause id: grade}} for the given parse.

    Raises:
        EvalSetError: a judged prefix matches no clause of its document (the message names the
            question's line), so a changed parse never silently drops a judgement.
    """
    by_source: dict[str, list[Clause]] = {}
    for clause in clauses:
        by_source.setdefault(clause.source, []).append(clause)
    qrels: dict[str, dict[str, int]] = {}
    for q in questions:
        judged: dict[str, int] = {}
        for j in q.relevant:
            match = next((c for c in by_source.get(j.source, []) if c.text.startswith(j.prefix)), None)
            if match is None:
                raise EvalSetError(f"line {q.line} ({q.qid}): no clause of {j.source} starts with {j.prefix!r}")
            judged[match.id] = max(j.grade, judged.get(match.id, 0))
        qrels[q.qid] = judged
    return qrels


def write_trec_qrels(qrels: dict[str, dict[str, int]], path: Path) -> None:
    """Write qrels in TREC format: ``qid 0 docid grade`` per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [f"{qid} 0 {doc} {grade}" for qid, docs in qrels.items() for doc, grade in docs.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def write_trec_run(run: dict[str, dict[str, float]], path: Path, tag: str) -> None:
    """Write a run in TREC format: ``qid Q0 docid rank score tag`` per line."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines: list[str] = []
    for qid, docs in run.items():
        ranked = sorted(docs.items(), key=lambda kv: -kv[1])
        lines.extend(f"{qid} Q0 {doc} {rank} {score:.6f} {tag}" for rank, (doc, score) in enumerate(ranked, 1))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
