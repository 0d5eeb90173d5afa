"""POST /api/ask and GET /api/search on the bundled corpus, and their bad-input answers."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.service.helpers import SOURCE_003

CONTRACT_FIELDS = {
    "source",
    "title",
    "path",
    "text",
    "lead_units",
    "units",
    "deadline",
    "deadline_date",
    "score",
    "start",
    "end",
    "headings",
    "highlights",
}


def test_healthz_reports_the_loaded_corpus(client: TestClient) -> None:
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["documents"] == 5
    assert body["clauses"] > 1000


def test_ask_names_the_lead_unit_and_deadline(client: TestClient) -> None:
    response = client.post("/api/ask", json={"question": "岳阳片区谁牵头企业开办一网通办？", "top_k": 3})
    assert response.status_code == 200
    record = response.json()
    assert record["question"] == "岳阳片区谁牵头企业开办一网通办？"
    assert record["no_answer"] is False
    assert "市市场监管局" in record["answer"]
    assert 1 <= len(record["results"]) <= 3
    best = record["results"][0]
    assert best.keys() >= CONTRACT_FIELDS
    assert best["source"] == SOURCE_003
    assert best["lead_units"] == ["市市场监管局"]
    assert best["deadline"] == "2023年8月底前"
    assert best["deadline_date"] == "2023-08-31"
    for start, end in best["highlights"]:
        assert 0 <= start < end <= len(best["text"])


def test_ask_default_top_k_is_five(client: TestClient) -> None:
    record = client.post("/api/ask", json={"question": "企业开办时间压缩"}).json()
    assert 1 <= len(record["results"]) <= 5


def test_list_question_returns_every_matching_task(client: TestClient) -> None:
    record = client.post("/api/ask", json={"question": "市场监管局牵头的任务有哪些？"}).json()
    ledger = client.get("/api/tasks", params={"unit": "市场监管局", "lead_only": True}).json()
    assert len(record["results"]) == ledger["count"] > 5


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"question": ""}, "问题不能为空 / question must not be empty"),
        ({"question": "   \n\t "}, "问题不能为空 / question must not be empty"),
        ({"question": "问" * 513}, "question is 513 characters"),
        ({}, "缺少必填字段"),
        ({"question": None}, "应为字符串"),
        ({"question": 42}, "应为字符串"),
        ({"question": "谁牵头？", "top_k": 0}, "top_k"),
        ({"question": "谁牵头？", "top_k": 51}, "top_k"),
        ({"question": "谁牵头？", "top_k": "many"}, "应为整数"),
        ({"question": "谁牵头？", "extra": 1}, "extra"),
        (["谁牵头？"], "应为 JSON 对象"),
        ("谁牵头？", "应为 JSON 对象"),
    ],
)
def test_bad_ask_bodies_are_422_with_bilingual_detail(client: TestClient, body: Any, fragment: str) -> None:
    response = client.post("/api/ask", json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert isinstance(detail, str)
    assert fragment in detail
    assert " / " in detail  # Chinese / English


def test_question_of_exactly_512_characters_is_accepted(client: TestClient) -> None:
    assert client.post("/api/ask", json={"question": "企业开办" * 128}).status_code == 200


@pytest.mark.parametrize("raw", [b"{bad json", b"", b'{"question": "a"', b"\xff\xfe"])
def test_malformed_json_is_422(client: TestClient, raw: bytes) -> None:
    response = client.post("/api/ask", content=raw, headers={"Content-Type": "application/json"})
    assert response.status_code == 422
    assert "JSON" in response.json()["detail"]


@pytest.mark.parametrize("mode", ["bm25", "dense", "hybrid"])
def test_search_each_mode(client: TestClient, mode: str) -> None:
    response = client.get("/api/search", params={"q": "企业开办一网通办", "mode": mode, "top_k": 4})
    assert response.status_code == 200
    body = response.json()
    assert body["mode"] == mode
    assert 1 <= len(body["results"]) <= 4
    first = body["results"][0]
    assert {"source", "path", "text", "score", "bm25_rank", "dense_rank", "highlights"} <= first.keys()
    if mode == "bm25":
        assert first["dense_rank"] is None and first["bm25_rank"] == 1


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"q": "   "}, 422),
        ({}, 422),
        ({"q": "一网通办", "mode": "fuzzy"}, 422),
        ({"q": "一网通办", "top_k": 0}, 422),
        ({"q": "一网通办", "top_k": 51}, 422),
        ({"q": "问" * 513}, 422),
    ],
)
def test_bad_search_parameters(client: TestClient, params: dict[str, Any], status: int) -> None:
    response = client.get("/api/search", params=params)
    assert response.status_code == status
    assert " / " in response.json()["detail"]


def test_search_ranks_like_ask_by_default(client: TestClient) -> None:
    """/api/search fuses as /api/ask does: weighted z-scores, 0.3 BM25 / 0.7 dense (not RRF)."""
    query = "企业开办一网通办"
    body = client.get("/api/search", params={"q": query, "top_k": 8}).json()
    index = client.app.state.service.index  # type: ignore[attr-defined]
    product = index.search(query, top_k=8, fusion="weighted", weights=(0.3, 0.7), norm="zscore")
    rrf = index.search(query, top_k=8, fusion="rrf")
    assert [(r["source"], r["path"]) for r in body["results"]] == [(h.clause.source, h.clause.path) for h in product]
    assert [r["score"] for r in body["results"]] == pytest.approx([h.score for h in product])
    assert [h.score for h in rrf] != pytest.approx([h.score for h in product])


def test_history_makes_a_follow_up(client: TestClient) -> None:
    """The web page sends the earlier questions; the record says what the follow-up was read as."""
    body = {"question": "第二条什么时候完成？", "history": ["岳阳片区谁牵头企业开办一网通办？"]}
    record = client.post("/api/ask", json=body).json()
    assert record["followup"]["mode"] == "reference"
    assert record["followup"]["understood"] == "岳阳片区 企业开办一网通办"
    assert record["answer"].startswith("（接上一问：岳阳片区 企业开办一网通办）完成时限：")
    assert len(record["results"]) == 1
    fresh = client.post("/api/ask", json={"question": "第二条什么时候完成？", "history": []}).json()
    assert fresh["followup"] is None  # a question without history starts afresh


def test_history_is_bounded(client: TestClient) -> None:
    body = {"question": "那什么时候完成？", "history": ["问"] * 9}
    response = client.post("/api/ask", json=body)
    assert response.status_code == 422
