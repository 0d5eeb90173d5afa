"""``POST /api/ask`` (question -> answer with cited clauses) and ``GET /api/search`` (raw retrieval)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from qa.answer import (
    MAX_QUESTION_CHARS,
    MAX_TOP_K,
    Result,
    answer_record,
    highlight_spans,
    result_record,
    validate_question,
)
from qa.dialogue import turn_record
from service.schemas import AskRequest, SearchModeParam
from service.state import State

router = APIRouter(prefix="/api", tags=["ask"])


@router.post("/ask", summary="问答 / answer a question")
def ask(body: AskRequest, state: State) -> dict[str, Any]:
    """Answer a question: one sentence built from the best clause's fields, and the cited clauses.

    Returns ``{"question", "answer", "no_answer", "intent", "results": [...]}``; each result has
    source, title, path, text, start, end, lead_units, units, deadline, deadline_date, score and
    highlights (spans of the question's terms in ``text``).

    With ``history`` (the conversation's earlier questions) a follow-up such as 「那什么时候完成？」
    is read against them, and the record gains ``followup`` ({"mode", "understood", "question"},
    null for a question that starts afresh).
    """
    with state.reading():
        if body.history:
            return turn_record(state.dialogue.ask([*body.history, body.question], top_k=body.top_k))
        answer = state.answerer.ask(body.question, top_k=body.top_k)
    return answer_record(answer)


@router.get("/search", summary="检索条款 / search clauses")
def search(
    state: State,
    q: Annotated[
        str, Query(max_length=MAX_QUESTION_CHARS, description="查询 / query", json_schema_extra={"pattern": r"\S"})
    ],
    mode: Annotated[SearchModeParam, Query(description="bm25, dense or hybrid")] = "hybrid",
    top_k: Annotated[int, Query(ge=1, le=MAX_TOP_K)] = 10,
) -> dict[str, Any]:
    """The ``top_k`` clauses for ``q`` in one retrieval mode, without answer logic or boosts.

    Each result is the clause record plus ``score``, ``bm25_rank`` and ``dense_rank``.
    """
    query = validate_question(q)
    with state.reading() as index:
        hits = index.search(query, mode=mode, top_k=top_k)
        results = []
        for hit in hits:
            # The answerer's highlighter marks the same terms the web page marks for /api/ask.
            spans = highlight_spans(index.tokenizer, query, hit.clause.text)
            record = result_record(Result(hit.clause, hit.score, spans))
            record["bm25_rank"] = hit.bm25_rank
            record["dense_rank"] = hit.dense_rank
            results.append(record)
    return {"query": query, "mode": mode, "results": results}
