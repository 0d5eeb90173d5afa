"""Run a system over a judged set: the in-process answerer, or a running service over HTTP."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from corpus.errors import PolicyQAError
from eval.judged import Question
from eval.metrics import SystemOutput
from qa.answer import Answerer
from qa.records import AnswerRecord


def _output(record: dict[str, Any]) -> SystemOutput:
    results = record.get("results") or []
    ranked = tuple(r["id"] for r in results)
    fields = {
        r["id"]: {"lead_units": r.get("lead_units", []), "units": r.get("units", []), "deadline": r.get("deadline")}
        for r in results
    }
    sims = [r["similarity"] for r in results if r.get("similarity") is not None]
    units = {r["id"]: tuple(r["unit_ids"]) for r in results if len(r.get("unit_ids") or ()) > 1}
    return SystemOutput(ranked, fields, bool(record.get("no_answer")), max(sims) if sims else None, units)


def run_inprocess(answerer: Answerer, questions: Sequence[Question], top_k: int = 10) -> dict[str, SystemOutput]:
    """Ask every question of the set in this process."""
    return {
        q.qid: _output(AnswerRecord.of(answerer.ask(q.question, top_k=top_k)).model_dump(mode="json"))
        for q in questions
    }


def run_remote(
    url: str, questions: Sequence[Question], top_k: int = 10, timeout: float = 30.0
) -> dict[str, SystemOutput]:
    """Ask every question through a running service's ``POST /api/ask``.

    Raises:
        PolicyQAError: the service cannot be reached or answers with an error status.
    """
    import httpx

    outputs: dict[str, SystemOutput] = {}
    endpoint = url.rstrip("/") + "/api/ask"
    with httpx.Client(timeout=timeout) as client:
        for q in questions:
            try:
                response = client.post(endpoint, json={"question": q.question, "top_k": top_k})
            except httpx.HTTPError as exc:
                raise PolicyQAError(f"cannot reach {endpoint}: {exc}") from exc
            if response.status_code != 200:
                raise PolicyQAError(f"{endpoint} answered {response.status_code} for {q.qid}: {response.text[:200]}")
            outputs[q.qid] = _output(response.json())
    return outputs
