"""GET /api/tasks: the ledger's filters and its CSV / Excel downloads."""

from __future__ import annotations

import csv
import io
from typing import Any
from urllib.parse import unquote

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from corpus import BUNDLED_CORPUS_DIR
from corpus.ledger import TaskFilter, filter_tasks
from corpus.reader import read_corpus
from tests.service.helpers import SOURCE_003


def _cli_count(**filters: Any) -> int:
    """What the ledger library (the CLI's code path) finds for the same filters."""
    return len(filter_tasks(read_corpus([BUNDLED_CORPUS_DIR]).documents, TaskFilter(**filters)))


@pytest.mark.parametrize(
    "filters",
    [
        {},
        {"unit": "市场监管局"},
        {"unit": "市场监管局", "lead_only": True},
        {"due_before": "2023-08-31"},
        {"due_after": "2023-01-01", "due_before": "2023-12-31"},
        {"ongoing": True},
        {"source": SOURCE_003, "unit": "市市场监管局"},
    ],
)
def test_filters_match_the_cli_ledger(client: TestClient, filters: dict[str, Any]) -> None:
    response = client.get("/api/tasks", params=filters)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == len(body["tasks"]) == _cli_count(**filters)


def test_task_records_have_the_ledger_fields(client: TestClient) -> None:
    params: dict[str, str | bool] = {"source": SOURCE_003, "unit": "市市场监管局", "lead_only": True}
    body = client.get("/api/tasks", params=params).json()
    assert body["count"] > 0
    assert all("市市场监管局" in t["lead_units"] for t in body["tasks"])
    assert {"source", "path", "text", "lead_units", "units", "deadline", "deadline_date", "start", "end"} <= (
        body["tasks"][0].keys()
    )


def test_csv_download(client: TestClient) -> None:
    response = client.get("/api/tasks", params={"unit": "市场监管局", "lead_only": True, "format": "csv"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    assert 'filename="tasks.csv"' in disposition
    assert unquote(disposition.split("filename*=UTF-8''")[1]) == "任务台账.csv"
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["文件", "文件标题", "条款编号"]
    json_count = client.get("/api/tasks", params={"unit": "市场监管局", "lead_only": True}).json()["count"]
    assert len(rows) - 1 == json_count


def test_xlsx_download(client: TestClient) -> None:
    response = client.get("/api/tasks", params={"source": SOURCE_003, "format": "xlsx"})
    assert response.status_code == 200
    assert response.headers["content-type"] == ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert 'filename="tasks.xlsx"' in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None and sheet.title == "任务台账"
    json_count = client.get("/api/tasks", params={"source": SOURCE_003}).json()["count"]
    assert sheet.max_row - 1 == json_count


@pytest.mark.parametrize(
    ("params", "status", "fragment"),
    [
        ({"source": "nope.txt"}, 404, "找不到文件"),
        ({"due_before": "2023-13-01"}, 422, "due_before"),
        ({"due_after": "tomorrow"}, 422, "due_after"),
        ({"lead_only": True}, 422, "lead_only"),
        ({"format": "pdf"}, 422, "format"),
        ({"ongoing": "perhaps"}, 422, "ongoing"),
    ],
)
def test_bad_ledger_queries(client: TestClient, params: dict[str, Any], status: int, fragment: str) -> None:
    response = client.get("/api/tasks", params=params)
    assert response.status_code == status
    detail = response.json()["detail"]
    assert fragment in detail and " / " in detail
