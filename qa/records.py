"""Typed JSON records of answers and cited clauses: the contract of ``/api/ask``, ``/api/search``,
the CLI's ``--json``, the MCP tools and the chat / IM replies.

Example:
    >>> record = AnswerRecord.of(Answerer(index).ask("谁牵头企业开办一网通办？"))
    >>> record.results[0].lead_units, record.model_dump(mode="json")["results"][0]["highlights"][:1]
    (['市市场监管局'], [[14, 18]])
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from corpus.model import FieldSource
from corpus.records import ClauseRecord
from corpus.status import TaskStatus
from corpus.validity import ValidityStatus
from index.types import Hit
from qa.answer import Answer, Result
from qa.dialogue import Turn
from qa.followup import Mode
from qa.intent import Kind
from qa.units import fields_clause


class BodyRecord(BaseModel):
    """One body paragraph of a citation unit, shown under its title (qa/units.py)."""

    id: str = Field(description="条款编号（内容哈希）/ clause id, a content hash")
    path: str = Field(description="编号路径 / number path")
    text: str = Field(description="段落原文 / the paragraph's text")
    start: int = Field(description="起始字符 / character offset in the document")
    end: int = Field(description="结束字符（不含）/ end offset, exclusive")


class ResultRecord(ClauseRecord):
    """A cited clause: its ledger record plus how well it matched the question.

    A citation unit is recorded by its title clause, with ``body`` (its paragraphs) and
    ``unit_ids`` (title and body ids); its fields are those of :func:`qa.units.fields_clause`
    (the title's, or else the body's).
    """

    score: float = Field(description="排序分数 / ranking score (higher is better)")
    similarity: float | None = Field(
        description="问题与条款的语义相似度 / cosine similarity of question and clause, when the dense side found it"
    )
    highlights: list[tuple[int, int]] = Field(
        description="问题词语在条款原文中的位置 / [start, end) spans of the question's terms in text"
    )
    deadline_inherited: bool = Field(description="完成时限来自上级条款或全文 / the deadline is the section's or plan's")
    document_validity: ValidityStatus | None = Field(
        description="文件效力 / in_force, draft or superseded (corpus/validity.py); null when not judged"
    )
    document_validity_label: str | None = Field(description="文件效力（中文）/ 现行有效, 征求意见稿, 已被替代")
    body: list[BodyRecord] = Field(description="引用单元的正文段落 / the citation unit's body paragraphs, in order")
    unit_ids: list[str] = Field(description="引用单元的条款编号 / ids of the unit's title and body clauses")

    @classmethod
    def of_result(cls, result: Result, as_of: date | None = None) -> ResultRecord:
        """The record of ``result``, the task's status on ``as_of`` (default today)."""
        return cls.model_validate(_result_fields(result, as_of))


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
    due_after: str | None = Field(description="ISO date; with due_before a period's deadlines (这个月到期的)")
    ongoing: bool = Field(description="the question asks for ongoing tasks (持续推进)")
    statuses: list[TaskStatus] = Field(description="task statuses asked for (已经逾期 -> overdue), on as_of")


class AnswerRecord(BaseModel):
    """``POST /api/ask``: the answer sentence and the cited clauses, best first."""

    question: str
    answer: str = Field(description="答案，仅由被引条款的字段组成 / built only from the cited clause's fields")
    no_answer: bool = Field(description="nothing relevant enough was found")
    intent: IntentRecord
    as_of: str | None = Field(description="状态的基准日 / reference date of the statuses and of 这个月, YYYY-MM-DD")
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
                due_after=intent.due_after,
                ongoing=intent.ongoing,
                statuses=list(intent.statuses),
            ),
            as_of=answer.as_of.isoformat() if answer.as_of else None,
            results=[ResultRecord.of_result(r, answer.as_of) for r in answer.results],
        )


class FollowupRecord(BaseModel):
    """How a follow-up turn was read against the conversation's earlier questions."""

    mode: Mode = Field(description="clause, reference, subset, swap or topic (qa/followup.py)")
    understood: str = Field(description="所接的上一问 / what the turn was taken to follow (the 接上一问 note)")
    question: str = Field(description="the question the turn is understood as, which the next turn leans on")


class TurnRecord(AnswerRecord):
    """``POST /api/ask`` and the chat / IM replies: an answer record plus how the turn was read."""

    followup: FollowupRecord | None = Field(
        default=None, description="接上一问：how a follow-up was read; null for a question that starts afresh"
    )

    @classmethod
    def of_turn(cls, turn: Turn) -> TurnRecord:
        """The record of a conversation's answered ``turn``."""
        reading = turn.reading
        followup = (
            None
            if reading.mode == "new"
            else FollowupRecord(mode=reading.mode, understood=turn.understood, question=turn.context)
        )
        return cls.model_validate({**dict(AnswerRecord.of(turn.answer)), "followup": followup})


class SearchResponse(BaseModel):
    """``GET /api/search``: the clauses found for a query in one retrieval mode."""

    query: str
    mode: str = Field(description="bm25, dense or hybrid")
    results: list[SearchHitRecord]


#: The fields a citation unit takes from :func:`qa.units.fields_clause` rather than its title.
_UNIT_FIELDS = (
    "lead_units",
    "units",
    "deadline",
    "deadline_date",
    "deadline_kind",
    "status",
    "status_label",
    "lead_source",
    "units_source",
    "deadline_source",
)


def _result_fields(result: Result, as_of: date | None = None) -> dict[str, object]:
    clause = result.clause
    document = result.document
    record = dict(ClauseRecord.of(clause, as_of))
    source = fields_clause(clause, result.body)
    if source is not clause:
        fields = dict(ClauseRecord.of(source, as_of))
        record.update({key: fields[key] for key in _UNIT_FIELDS})
    body = [BodyRecord(id=b.id, path=b.path, text=b.text, start=b.start, end=b.end) for b in result.body]
    return {
        **record,
        "score": round(result.score, 6),
        "similarity": None if result.similarity is None else round(result.similarity, 6),
        "highlights": [tuple(span) for span in result.highlights],
        "deadline_inherited": source.deadline_source in (FieldSource.INHERITED, FieldSource.PLAN),
        "document_validity": document.status if document else None,
        "document_validity_label": document.label if document else None,
        "body": body,
        "unit_ids": [clause.id, *(b.id for b in result.body)],
    }
