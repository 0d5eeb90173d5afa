"""The service on PostgreSQL answers exactly as on the embedded index: same answers, citations,
ledger and document views for the bundled corpus; uploads keep their files in the database."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from corpus import BUNDLED_CORPUS_DIR
from index.embed.cache import EmbeddingCache
from qa.library import open_pg_library
from service.app import create_app
from service.settings import Settings
from tests.service.helpers import ADMIN_TOKEN, ROOT, SOURCE_003, upload_and_wait

pytestmark = pytest.mark.postgres
QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "eval/data/questions.jsonl").open(encoding="utf-8")][::8]


@pytest.fixture
def pg_client(pg_url: str, built_index: Path, tmp_path: Path) -> Iterator[TestClient]:
    """An app on ``pg_url``, loaded from the bundled corpus with the session index's embeddings."""
    open_pg_library(
        pg_url, [BUNDLED_CORPUS_DIR], progress=False, cache=EmbeddingCache.load(built_index / "embeddings")
    ).close()
    settings = Settings(
        database_url=pg_url,  # type: ignore[arg-type]
        corpus_paths=[BUNDLED_CORPUS_DIR],
        upload_dir=tmp_path / "unused-uploads",
        admin_token=ADMIN_TOKEN,  # type: ignore[arg-type]
    )
    with TestClient(create_app(settings)) as client:
        yield client


def _citations(record: dict[str, object]) -> list[tuple[object, ...]]:
    results = record["results"]
    assert isinstance(results, list)
    return [(r["id"], r["lead_units"], r["units"], r["deadline"], r["deadline_date"]) for r in results]


def test_answers_match_the_embedded_index(client: TestClient, pg_client: TestClient) -> None:
    for question in QUESTIONS:
        a, b = (c.post("/api/ask", json={"question": question}).json() for c in (client, pg_client))
        assert b["answer"] == a["answer"], question
        assert _citations(b) == _citations(a), question


def test_ledger_and_documents_match(client: TestClient, pg_client: TestClient) -> None:
    for url in ("/api/tasks?unit=市市场监管局", "/api/documents", f"/api/documents/{SOURCE_003}", "/healthz"):
        a, b = (c.get(url) for c in (client, pg_client))
        assert b.status_code == a.status_code == 200, url
        assert b.json() == a.json(), url


def test_upload_is_kept_in_the_database(pg_client: TestClient, tmp_path: Path) -> None:
    text = (
        "临湘市低空经济发展行动方案\n一、重点任务\n"
        "(一)建设低空飞行服务站。(牵头单位:市交通运输局 完成时限:2027年6月底前)\n"
    )
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    job = upload_and_wait(pg_client, "低空.txt", text.encode(), headers)
    assert job["status"] == "done", job["error"]
    assert not (tmp_path / "unused-uploads").exists() or not any((tmp_path / "unused-uploads").iterdir())
    document = pg_client.get("/api/documents/低空.txt").json()
    assert document["uploaded"] is True and document["text"] == text
    again = pg_client.post("/api/documents", files={"file": (SOURCE_003, b"x")}, headers=headers)
    assert again.status_code == 409  # names of the base corpus stay reserved
    deleted = pg_client.delete("/api/documents/低空.txt", headers=headers).json()
    assert deleted == {"deleted": "低空.txt", "clauses": 2, "file_deleted": True}


def test_mcp_and_cli_open_the_database_of_the_settings(
    pg_url: str, built_index: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """POLICYQA_DATABASE_URL is honoured by the MCP server's library and the CLI (service.store.open_store)."""
    from service.cli import main
    from service.mcp_server import Library

    open_pg_library(
        pg_url, [BUNDLED_CORPUS_DIR], progress=False, cache=EmbeddingCache.load(built_index / "embeddings")
    ).close()
    unused = tmp_path / "no-index-here"
    settings = Settings(database_url=pg_url, index_dir=unused, upload_dir=tmp_path / "up", admin_token=ADMIN_TOKEN)  # type: ignore[arg-type]
    library = Library(settings)
    record = library.search_policy("岳阳片区谁牵头企业开办一网通办？")
    assert record.results and record.results[0].lead_units == ["市市场监管局"]
    library.open()[0].close()
    monkeypatch.setenv("POLICYQA_DATABASE_URL", pg_url)
    assert main(["search", "企业开办一网通办", "--index-dir", str(unused), "--top-k", "3", "--json"]) == 0
    from_database = [(r["source"], r["path"]) for r in json.loads(capsys.readouterr().out)]
    assert not unused.exists()  # neither built an embedded index
    monkeypatch.delenv("POLICYQA_DATABASE_URL")
    assert main(["search", "企业开办一网通办", "--index-dir", str(built_index), "--top-k", "3", "--json"]) == 0
    assert from_database == [(r["source"], r["path"]) for r in json.loads(capsys.readouterr().out)]
