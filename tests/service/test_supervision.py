"""Status questions and badges in answers; document identity and validity in the list and in answers."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.service.helpers import SOURCE_003, upload_and_wait


def test_status_question_is_answered_from_the_ledger(client: TestClient) -> None:
    body = {"question": "市商务局有哪些任务已经逾期？", "as_of": "2023-01-01"}
    record = client.post("/api/ask", json=body).json()
    ledger = client.get("/api/tasks", params={"unit": "市商务局", "status": "overdue", "as_of": "2023-01-01"}).json()
    assert record["intent"]["kind"] == "list" and record["intent"]["statuses"] == ["overdue"]
    assert record["answer"] == f"截至2023-01-01，共找到{ledger['count']}项市商务局相关的已逾期任务。"
    assert {r["id"] for r in record["results"]} == {t["id"] for t in ledger["tasks"]}
    assert {r["status_label"] for r in record["results"]} == {"已逾期"}
    none = client.post("/api/ask", json={**body, "as_of": "2021-01-19"}).json()
    assert none["answer"] == "截至2021-01-19，没有市商务局相关的已逾期任务。" and not none["no_answer"]


def test_this_month_question_uses_the_reference_date(client: TestClient) -> None:
    record = client.post("/api/ask", json={"question": "这个月到期的任务有哪些？", "as_of": "2020-11-15"}).json()
    ledger = client.get("/api/tasks", params={"due_after": "2020-11-01", "due_before": "2020-11-30"}).json()
    assert record["as_of"] == "2020-11-15" and len(record["results"]) == ledger["count"] > 0
    assert all("2020-11-01" <= r["deadline_date"] <= "2020-11-30" for r in record["results"])


def test_answers_carry_the_task_status_and_the_documents_validity(client: TestClient) -> None:
    body = {"question": "岳阳片区谁牵头企业开办一网通办？", "as_of": "2023-08-15"}
    top = client.post("/api/ask", json=body).json()["results"][0]
    assert top["source"] == SOURCE_003 and top["deadline_date"] == "2023-08-31"
    assert (top["status"], top["status_label"]) == ("due_soon", "30天内到期")
    assert (top["document_validity"], top["document_validity_label"]) == ("draft", "征求意见稿")
    late = client.post("/api/ask", json={**body, "as_of": "2023-09-01"}).json()["results"][0]
    assert late["status_label"] == "已逾期"
    bad = client.post("/api/ask", json={**body, "as_of": "2023/09/01"})
    assert bad.status_code == 422 and "as_of must be an ISO date" in bad.text


def test_document_list_shows_identity_and_validity(client: TestClient) -> None:
    documents = {d["source"]: d for d in client.get("/api/documents").json()["documents"]}
    draft = documents[SOURCE_003]
    assert (draft["validity"], draft["validity_label"], draft["draft"]) == ("draft", "征求意见稿", "征求意见稿")
    assert draft["issuer"] == "岳阳市商务粮食局" and draft["date"] == "2021-01-19"
    in_force = documents["004_e4086131eff9af3a.txt"]
    assert in_force["validity"] == "in_force" and in_force["doc_number"] == "鄂发〔2020〕6号"


OLD = """某县优化营商环境十条措施
一、推行企业开办全程网办,压缩企业开办时间至1个工作日。(牵头单位:县市场监管局 完成时限:2020年12月底前)
"""
NEW = """某县优化营商环境十条措施(2021年修订)
一、推行企业开办全程网办,压缩企业开办时间至0.5个工作日。(牵头单位:县市场监管局 完成时限:2021年6月底前)
二、本措施自印发之日起施行,原《某县优化营商环境十条措施》同时废止。
"""


def test_a_repealing_upload_supersedes_the_old_document(writable_client: TestClient, admin: dict[str, str]) -> None:
    for name, text in (("old.txt", OLD), ("new.txt", NEW)):
        job = upload_and_wait(writable_client, name, text.encode(), admin)
        assert job["status"] == "done", job
    assert job["document"]["supersedes"] == ["old.txt"]
    documents = {d["source"]: d for d in writable_client.get("/api/documents").json()["documents"]}
    assert documents["old.txt"]["validity"] == "superseded" and documents["old.txt"]["superseded_by"] == ["new.txt"]
    record = writable_client.post("/api/ask", json={"question": "某县企业开办全程网办压缩到几个工作日？"}).json()
    sources = [r["source"] for r in record["results"]]
    assert sources.index("new.txt") < sources.index("old.txt")
    old = next(r for r in record["results"] if r["source"] == "old.txt")
    assert old["document_validity_label"] == "已被替代"
