"""Typed JSON records of answers and cited clauses: the contract of ``/api/ask``, ``/api/search``,
the CLI's ``--json``, the MCP tools and the chat / IM replies.

Example:
    >>> record = AnswerRecord.of(Answerer(index).ask("谁牵头企业开办一网通办？"))
    >>> record.results[0].lead_units, record.model_dump(mode="json")["results"][0]["highlights"][:1]
    (['市市场监管局'], [[14, 18]])
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from corpus.model import FieldSource
from corpus.records import ClauseRecord
from index.types import Hit
from qa.answer import Answer, Result
from qa.intent import Kind


class ResultRecord(ClauseRecord):
    """A cited clause: its ledger record plus how well it matched the question."""

    score: float = Field(description="排序分数 / ranking score (higher is better)")
    similarity: float | None = Field(
        description="问题与条款的语义相似度 / cosine similarity of question and clause, when the dense side found it"
    )
    highlights: list[tuple[int, int]] = Field(
        description="问题词语在条款原文中的位置 / [start, end) spans of the question's terms in text"
    )
    deadline_inherited: bool = Field(description="完成时限来自上级条款或全文 / the deadline is the section's or plan's")

    @classmethod
    def of_result(cls, result: Result) -> ResultRecord:
        """The record of ``result``."""
        return cls.model_validate(_result_fields(result))


class SearchHitRecord(ResultRecord):
    """A clause found by ``/api/search``: the cited-clause record plus its rank on either side."""

    bm25_rank: int | None = Field(description="rank among the BM25 candidates, null when BM25 did not find it")
    dense_rank: int | None = Field(description="rank among the dense candidates, null likewise")

    @classmethod
    def of_hit(cls, hit: Hit, highlights: tuple[tuple[int, int], ...] = ()) -> SearchHitRecord:
        """The record of search ``hit`` with the question terms' ``highlights`` in its text."""
        fields = _result_fields(Result(hit.clause, hit.score, highlights))
        return cls.model_validate({**fields, "bm25_rank": hit.bm25_rank, "dense_rank": hit.dense_rank})


class IntentRecord(BaseModel):
    """What the question was read as asking."""

    kind: Kind = Field(description="who / when / what / number / list")
    units: list[str] = Field(description="units the question names (canonical form)")
    lead_only: bool = Field(description="the unit is asked as the lead (X牵头的任务)")
    sources: list[str] = Field(description="documents the question's place names point to")
    due_before: str | None = Field(description="ISO date of a time phrase (2020年底前要完成的)")
    ongoing: bool = Field(description="the question asks for ongoing tasks (持续推进)")


class AnswerRecord(BaseModel):
    """``POST /api/ask``: the answer sentence and the cited clauses, best first."""

    question: str
    answer: str = Field(description="答案，仅由被引条款的字段组成 / built only from the cited clause's fields")
    no_answer: bool = Field(description="nothing relevant enough was found")
    intent: IntentRecord
    results: list[ResultRecord]

    @classmethod
    def of(cls, answer: Answer) -> AnswerRecord:
        """The record of ``answer``."""
        intent = answer.intent
        return cls(
            question=answer.question,
            answer=answer.answer,
            no_answer=answer.no_answer,
            intent=IntentRecord(
                kind=intent.kind,
                units=list(intent.units),
                lead_only=intent.lead_only,
                sources=sorted(intent.sources),
                due_before=intent.due_before,
                ongoing=intent.ongoing,
            ),
            results=[ResultRecord.of_result(r) for r in answer.results],
        )


class SearchResponse(BaseModel):
    """``GET /api/search``: the clauses found for a query in one retrieval mode."""

    query: str
    mode: str = Field(description="bm25, dense or hybrid")
    results: list[SearchHitRecord]


def _result_fields(result: Result) -> dict[str, object]:
    clause = result.clause
    return {
        **dict(ClauseRecord.of(clause)),
        "score": round(result.score, 6),
        "similarity": None if result.similarity is None else round(result.similarity, 6),
        "highlights": [tuple(span) for span in result.highlights],
        "deadline_inherited": clause.deadline_source in (FieldSource.INHERITED, FieldSource.PLAN),
    }
