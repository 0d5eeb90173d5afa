"""``POST /api/ask`` (question -> answer with cited clauses) and ``GET /api/search`` (raw retrieval)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from index.types import PRODUCT_FUSION
from qa.answer import MAX_QUESTION_CHARS, MAX_TOP_K, highlight_spans, validate_question
from qa.records import SearchHitRecord, SearchResponse, TurnRecord
from service.schemas import AskRequest, SearchModeParam
from service.state import State

router = APIRouter(prefix="/api", tags=["ask"])


@router.post("/ask", summary="问答 / answer a question", response_model=TurnRecord)
def ask(body: AskRequest, state: State) -> TurnRecord:
    """Answer a question: one sentence built from the best clause's fields, and the cited clauses.

    Returns ``{"question", "answer", "no_answer", "intent", "as_of", "results": [...], "followup"}``; each
    result has source, title, path, text, start, end, lead_units, units, deadline, deadline_date,
    status / status_label on ``as_of`` (default today), its document's validity, score and
    highlights (spans of the question's terms in ``text``).

    With ``history`` (the conversation's earlier questions) a follow-up such as 「那什么时候完成？」
    is read against them; ``followup`` says how ({"mode", "understood", "question"}), null for a
    question that starts afresh (always without ``history``).
    """
    with state.reading():
        turn = state.dialogue.ask([*body.history, body.question], top_k=body.top_k, as_of=body.reference())
    return TurnRecord.of_turn(turn)


@router.get("/search", summary="检索条款 / search clauses", response_model=SearchResponse)
def search(
    state: State,
    q: Annotated[
        str, Query(max_length=MAX_QUESTION_CHARS, description="查询 / query", json_schema_extra={"pattern": r"\S"})
    ],
    mode: Annotated[SearchModeParam, Query(description="bm25, dense or hybrid")] = "hybrid",
    top_k: Annotated[int, Query(ge=1, le=MAX_TOP_K)] = 10,
) -> SearchResponse:
    """The ``top_k`` clauses for ``q`` in one retrieval mode, without answer logic or boosts.

    A hybrid search fuses as ``/api/ask`` does (``index.types.PRODUCT_FUSION``: weighted z-scores, 0.3/0.7).

    Each result is the clause record plus ``score``, ``bm25_rank`` and ``dense_rank``.
    """
    query = validate_question(q)
    with state.reading() as index:
        fusion = PRODUCT_FUSION
        hits = index.search(query, mode=mode, top_k=top_k, fusion=fusion.name, weights=fusion.weights, norm=fusion.norm)
        results = []
        for hit in hits:
            # The answerer's highlighter marks the same terms the web page marks for /api/ask.
            spans = highlight_spans(index.tokenizer, query, hit.clause.text)
            results.append(SearchHitRecord.of_hit(hit, spans))
    return SearchResponse(query=query, mode=mode, results=results)
