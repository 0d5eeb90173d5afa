"""Task status in the API (filter, counts, exports) and the per-unit view (/api/units)."""

from __future__ import annotations

import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from corpus import BUNDLED_CORPUS_DIR
from corpus.ledger import TaskFilter, filter_tasks
from corpus.reader import read_corpus
from corpus.status import TaskStatus
from corpus.unitview import unit_view


@pytest.mark.parametrize("as_of", ["2020-11-15", "2021-08-01"])
def test_status_counts_and_filter_match_the_ledger(client: TestClient, as_of: str) -> None:
    body = client.get("/api/tasks", params={"as_of": as_of}).json()
    assert body["as_of"] == as_of and sum(body["status_counts"].values()) == body["count"]
    docs = read_corpus([BUNDLED_CORPUS_DIR]).documents
    for code, count in body["status_counts"].items():
        flt = TaskFilter(statuses=(TaskStatus(code),), as_of=as_of)
        assert count == len(filter_tasks(docs, flt))
        chosen = client.get("/api/tasks", params={"as_of": as_of, "status": code}).json()
        assert chosen["count"] == count and {t["status"] for t in chosen["tasks"]} <= {code}
        assert chosen["status_counts"] == body["status_counts"]  # chips count before the status filter
    both = client.get("/api/tasks", params=[("as_of", as_of), ("status", "overdue"), ("status", "due_soon")])
    assert both.json()["count"] == body["status_counts"]["overdue"] + body["status_counts"]["due_soon"]


def test_bad_status_and_date_name_the_choices(client: TestClient) -> None:
    response = client.get("/api/tasks", params={"status": "late"})
    assert response.status_code == 422 and "allowed: overdue (已逾期)" in response.text
    response = client.get("/api/tasks", params={"as_of": "2021-02-30"})
    assert response.status_code == 422 and "as_of must be an ISO date" in response.text


def test_exports_have_a_status_column(client: TestClient) -> None:
    params = {"as_of": "2020-11-15", "status": "due_soon", "format": "xlsx"}
    sheet = load_workbook(io.BytesIO(client.get("/api/tasks", params=params).content))["任务台账"]
    headers = [c.value for c in sheet[1]]
    column = headers.index("状态（截至2020-11-15）") + 1
    assert {sheet.cell(row=r, column=column).value for r in range(2, sheet.max_row + 1)} == {"30天内到期"}
    csv_text = client.get("/api/tasks", params={**params, "format": "csv"}).content.decode("utf-8-sig")
    assert "状态（截至2020-11-15）" in csv_text.splitlines()[0] and "30天内到期" in csv_text


def test_unit_view_matches_the_library(client: TestClient) -> None:
    body = client.get("/api/units/市商务局", params={"as_of": "2021-01-19"}).json()
    clauses = [c for d in read_corpus([BUNDLED_CORPUS_DIR]).documents for c in d.clauses]
    expected = unit_view(clauses, "市商务局", date(2021, 1, 19))
    assert body["count"] == len(expected.tasks) and body["lead"] == expected.lead_count
    assert body["counts"] == expected.counts()
    assert sum(g["count"] for g in body["groups"]) == body["count"]
    roles = {t["role"] for g in body["groups"] for t in g["tasks"]}
    assert roles <= {"lead", "participating"} and body["names"]


def test_unit_list_timeline_and_excel(client: TestClient) -> None:
    units = client.get("/api/units").json()
    assert units["count"] == len(units["units"]) > 20
    svg = client.get("/api/units/市场监管局/timeline.svg", params={"as_of": "2020-11-15"})
    assert svg.status_code == 200 and svg.headers["content-type"].startswith("image/svg+xml")
    assert "基准日 2020-11-15" in svg.text and 'class="deadline"' in svg.text
    one = client.get("/api/units/市场监管局", params={"format": "xlsx", "as_of": "2020-11-15"})
    assert one.status_code == 200 and load_workbook(io.BytesIO(one.content)).sheetnames == ["汇总", "市场监管局"]
    every = client.get("/api/units", params={"format": "xlsx"})
    book = load_workbook(io.BytesIO(every.content))
    assert book.sheetnames[0] == "汇总" and len(book.sheetnames) == units["count"] + 1
    assert "filename*=UTF-8''" in every.headers["content-disposition"]


def test_unknown_unit_is_404(client: TestClient) -> None:
    response = client.get("/api/units/火星开发局")
    assert response.status_code == 404 and "火星开发局" in response.text
