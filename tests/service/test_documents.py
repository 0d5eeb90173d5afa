"""/api/documents: list, read, and the admin-only upload / delete round trip with its failure modes."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from corpus.reader import read_corpus
from tests.service.helpers import ADMIN_TOKEN, SOURCE_003, upload_and_wait

DOCX_LINES = [
    "临湘市关于建设智慧口岸样板工程的实施方案",
    "一、重点任务",
    "(一)建设智慧口岸样板工程，推行无纸化通关。(牵头单位:市口岸办 责任单位:市商务局、市税务局 完成时限:2024年6月底前)",
    "(二)完善冷链查验设施。(牵头单位:市商务局 完成时限:持续推进)",
]
DOCX_NAME = "智慧口岸方案.docx"


def _state(client: TestClient) -> tuple[int, list[str]]:
    """(clause count, document names) as the API reports them."""
    health = client.get("/healthz").json()
    docs = client.get("/api/documents").json()["documents"]
    return health["clauses"], [d["source"] for d in docs]


def test_list_documents(client: TestClient) -> None:
    body = client.get("/api/documents").json()
    assert body["count"] == 5
    by_source = {d["source"]: d for d in body["documents"]}
    doc = by_source[SOURCE_003]
    assert doc["title"].startswith("中国(湖南)自由贸易试验区岳阳片区")
    assert doc["clauses"] > doc["tasks"] > 0
    assert doc["uploaded"] is False


def test_document_text_and_clause_spans(client: TestClient) -> None:
    response = client.get(f"/api/documents/{SOURCE_003}")
    assert response.status_code == 200
    body = response.json()
    text = body["text"]
    assert isinstance(text, str) and len(text) > 10_000
    assert len(body["clause_list"]) == body["clauses"]
    for clause in body["clause_list"]:
        assert 0 <= clause["start"] <= clause["end"] <= len(text)
        # The span starts with the clause's text (a table's cells are joined, so compare without spaces).
        span = re.sub(r"\s+", "", text[clause["start"] : clause["end"]])
        assert span.startswith(re.sub(r"\s+", "", clause["text"])[:8]), clause["path"]


def test_unknown_document_is_404(client: TestClient) -> None:
    response = client.get("/api/documents/nope.txt")
    assert response.status_code == 404
    assert "找不到文件" in response.json()["detail"]


def test_upload_ask_delete_round_trip(
    writable_client: TestClient, admin: dict[str, str], make_docx: Callable[[list[str]], bytes], tmp_path: Any
) -> None:
    client = writable_client
    clauses_before, sources_before = _state(client)
    data = make_docx(DOCX_LINES)
    job = upload_and_wait(client, DOCX_NAME, data, admin)
    assert job["status"] == "done", job
    assert job["clauses_total"] == job["clauses_embedded"] == 3 and job["error"] is None
    summary = job["document"]
    assert summary["source"] == DOCX_NAME
    assert summary["title"] == DOCX_LINES[0]
    assert summary["clauses"] == 3 and summary["tasks"] == 2
    assert summary["uploaded"] is True and summary["replaced"] is False

    clauses_after, sources_after = _state(client)
    assert clauses_after == clauses_before + 3
    assert sources_after == [*sources_before, DOCX_NAME]
    saved = tmp_path / "uploads" / DOCX_NAME
    assert saved.read_bytes() == data
    # A full rebuild reads the corpus and the upload folder: the upload would be indexed again.
    rebuild = read_corpus(client.app.state.service.settings.source_paths)  # type: ignore[attr-defined]
    assert rebuild.failures == []
    assert DOCX_NAME in [d.source for d in rebuild.documents]

    record = client.post("/api/ask", json={"question": "谁牵头建设智慧口岸样板工程？"}).json()
    best = record["results"][0]
    assert best["source"] == DOCX_NAME
    assert best["lead_units"] == ["市口岸办"] and best["deadline_date"] == "2024-06-30"
    tasks = client.get("/api/tasks", params={"source": DOCX_NAME}).json()
    assert tasks["count"] == 2
    doc = client.get(f"/api/documents/{DOCX_NAME}").json()
    assert DOCX_LINES[2][:10] in doc["text"]

    again = upload_and_wait(client, DOCX_NAME, data, admin)
    assert again["status"] == "done" and again["document"]["replaced"] is True
    listed = client.get("/api/jobs").json()["jobs"]
    assert [j["id"] for j in listed[:2]] == [again["id"], job["id"]]
    assert _state(client)[0] == clauses_after

    deleted = client.delete(f"/api/documents/{DOCX_NAME}", headers=admin)
    assert deleted.status_code == 200
    assert deleted.json() == {"deleted": DOCX_NAME, "clauses": 3, "file_deleted": True}
    assert _state(client) == (clauses_before, sources_before)
    assert not saved.exists()
    assert client.get(f"/api/documents/{DOCX_NAME}").status_code == 404
    assert client.delete(f"/api/documents/{DOCX_NAME}", headers=admin).status_code == 404


def test_deleting_a_bundled_document_keeps_its_file(writable_client: TestClient, admin: dict[str, str]) -> None:
    response = writable_client.delete(f"/api/documents/{SOURCE_003}", headers=admin)
    assert response.status_code == 200
    assert response.json()["file_deleted"] is False
    assert SOURCE_003 not in _state(writable_client)[1]
    assert writable_client.get("/api/tasks", params={"source": SOURCE_003}).status_code == 404
    # Its name stays reserved: an upload under it would clash with the corpus file on a rebuild.
    body = "一、重点任务\n(一)测试。(牵头单位:市商务局)".encode()
    again = writable_client.post("/api/documents", files={"file": (SOURCE_003, body)}, headers=admin)
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("name", "payload", "status", "fragment"),
    [
        ("virus.exe", b"MZ\x90\x00", 415, ".exe"),
        ("slides.pptx", b"PK\x03\x04", 415, ".pptx"),
        ("noext", b"hello", 415, "无后缀"),
        (".hidden.txt", "一、任务".encode(), 400, "文件名无效"),
    ],
    ids=["exe", "pptx", "no-suffix", "hidden-name"],
)
def test_rejected_uploads_leave_the_index_unchanged(
    writable_client: TestClient,
    admin: dict[str, str],
    tmp_path: Any,
    name: str,
    payload: bytes,
    status: int,
    fragment: str,
) -> None:
    before = _state(writable_client)
    response = writable_client.post("/api/documents", files={"file": (name, payload)}, headers=admin)
    assert response.status_code == status, response.text
    detail = response.json()["detail"]
    assert fragment in detail and " / " in detail
    assert _state(writable_client) == before
    assert list((tmp_path / "uploads").iterdir()) == []
    assert writable_client.get("/api/jobs").json()["count"] == 0  # refused before any job


@pytest.mark.parametrize(
    ("name", "payload", "status", "fragment"),
    [
        ("broken.docx", b"PK\x03\x04 this is not really a zip", 400, "DOCX"),
        ("broken.pdf", b"%PDF-1.7 garbage without objects", 400, "PDF"),
        ("binary.txt", bytes(range(256)) * 4, 400, "binary.txt"),
        ("blank.txt", b"   \n\n  ", 400, "blank.txt"),
    ],
    ids=["docx", "pdf", "binary-txt", "blank-txt"],
)
def test_unreadable_uploads_fail_their_job_and_leave_the_index_unchanged(
    writable_client: TestClient,
    admin: dict[str, str],
    tmp_path: Any,
    name: str,
    payload: bytes,
    status: int,
    fragment: str,
) -> None:
    before = _state(writable_client)
    job = upload_and_wait(writable_client, name, payload, admin)
    assert job["status"] == "failed", job
    assert job["error"]["status"] == status
    assert fragment in job["error"]["detail"] and " / " in job["error"]["detail"]
    assert job["document"] is None
    assert _state(writable_client) == before
    assert list((tmp_path / "uploads").iterdir()) == []


def test_upload_with_a_bundled_name_is_409(writable_client: TestClient, admin: dict[str, str]) -> None:
    body = "一、重点任务\n(一)测试。(牵头单位:市商务局)".encode()
    response = writable_client.post("/api/documents", files={"file": (SOURCE_003, body)}, headers=admin)
    assert response.status_code == 409


def test_oversized_upload_is_413(writable_client: TestClient, admin: dict[str, str]) -> None:
    before = _state(writable_client)
    big = ("一、重点任务\n" + "推进改革试点。" * 20_000).encode()  # > 200 kB limit of writable_client
    response = writable_client.post("/api/documents", files={"file": ("big.txt", big)}, headers=admin)
    assert response.status_code == 413
    assert "文件过大" in response.json()["detail"]
    assert _state(writable_client) == before


def test_oversized_by_declared_length_is_413_before_reading(writable_client: TestClient) -> None:
    headers = {
        "Authorization": f"Bearer {ADMIN_TOKEN}",
        "Content-Type": "multipart/form-data; boundary=x",
        "Content-Length": str(50_000_000),
    }
    response = writable_client.post("/api/documents", content=b"--x--\r\n", headers=headers)
    assert response.status_code == 413


def test_upload_just_under_the_limit_is_accepted(writable_client: TestClient, admin: dict[str, str]) -> None:
    text = "某市关于推进测试工作的方案\n一、重点任务\n(一)推进改革试点。(牵头单位:市商务局)\n"
    # Padded with blank lines: near the limit in bytes, but only three clauses to embed.
    body = text.encode() + b"\n" * (199_900 - len(text.encode()))
    assert 199_000 < len(body) <= 200_000
    job = upload_and_wait(writable_client, "limit.txt", body, admin)
    assert job["status"] == "done", job


def test_upload_without_file_field_is_422(writable_client: TestClient, admin: dict[str, str]) -> None:
    response = writable_client.post("/api/documents", data={"name": "x"}, headers=admin)
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({}, 401),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, 401),
        ({"Authorization": "Bearer "}, 401),
        ({"Authorization": "Bearer wrong-token"}, 403),
        ({"Authorization": f"Bearer {ADMIN_TOKEN}x"}, 403),
    ],
)
def test_writes_need_the_admin_token(writable_client: TestClient, headers: dict[str, str], status: int) -> None:
    before = _state(writable_client)
    upload = writable_client.post(
        "/api/documents", files={"file": ("a.txt", "一、任务\n(一)测试。".encode())}, headers=headers
    )
    assert upload.status_code == status
    delete = writable_client.delete(f"/api/documents/{SOURCE_003}", headers=headers)
    assert delete.status_code == status
    assert " / " in delete.json()["detail"]
    if status == 401:
        assert upload.headers["www-authenticate"] == "Bearer"
    assert _state(writable_client) == before
