"""Uploads of the new formats: a task list in Excel becomes answerable; hostile files fail their job
naming the bound."""

from __future__ import annotations

import io

import openpyxl
from fastapi.testclient import TestClient

from tests.corpus.test_loaders_bounds import _docx_with_body
from tests.service.helpers import upload_and_wait


def _task_list() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "冷链物流重点任务"
    sheet.append(["序号", "重点任务", "牵头单位", "完成时限"])
    sheet.append([1, "建设冷链物流公共信息平台", "市冷链物流中心", "2022年9月底前"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_task_list_upload_is_answerable_with_unit_and_deadline(
    writable_client: TestClient, admin: dict[str, str]
) -> None:
    job = upload_and_wait(writable_client, "冷链任务.xlsx", _task_list(), admin)
    assert job["status"] == "done", job
    answer = writable_client.post("/api/ask", json={"question": "冷链物流公共信息平台由谁牵头？"}).json()
    top = answer["results"][0]
    assert top["source"] == "冷链任务.xlsx"
    assert top["lead_units"] == ["市冷链物流中心"] and top["deadline_date"] == "2022-09-30"


def test_zip_bomb_upload_is_413_naming_the_bound(writable_client: TestClient, admin: dict[str, str]) -> None:
    bomb = _docx_with_body(80 * 1024 * 1024)  # under 200 kB on the wire, 80 MiB unpacked
    assert len(bomb) < 200_000
    job = upload_and_wait(writable_client, "bomb.docx", bomb, admin)  # refused by the job, bound named
    assert job["status"] == "failed" and job["error"]["status"] == 413, job
    assert "max_unpacked_bytes=67108864" in job["error"]["detail"]


def test_garbled_text_upload_is_422(writable_client: TestClient, admin: dict[str, str]) -> None:
    garble = bytes(b for i in range(300) for b in (0x81 + i % 32, 0x40 + i % 63))
    job = upload_and_wait(writable_client, "乱码.txt", garble, admin)
    assert job["status"] == "failed" and job["error"]["status"] == 422, job
    assert "plausible Chinese" in job["error"]["detail"]
