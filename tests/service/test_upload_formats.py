"""Uploads of the new formats: a task list in Excel becomes answerable; hostile files fail their job
naming the bound."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import docx
import openpyxl
import pytest
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


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_doc_upload_is_answerable_with_unit_and_deadline(
    writable_client: TestClient, admin: dict[str, str], tmp_path: Path
) -> None:
    document = docx.Document()
    for line in ["关于建设跨境电商综合试验区的实施方案", "一、主要任务", "（一）建设跨境电商线上综合服务平台。",
                 "牵头单位：市跨境电商服务中心", "完成时限：2022年3月底前"]:  # fmt: skip
        document.add_paragraph(line)
    document.save(str(tmp_path / "plan.docx"))
    subprocess.run(
        [str(shutil.which("soffice")), f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless",
         "--convert-to", "doc", "--outdir", str(tmp_path), str(tmp_path / "plan.docx")],
        check=True, capture_output=True, timeout=120,
    )  # fmt: skip
    body = (tmp_path / "plan.doc").read_bytes()
    job = upload_and_wait(writable_client, "跨境电商方案.doc", body, admin)
    assert job["status"] == "done", job
    top = writable_client.post("/api/ask", json={"question": "跨境电商线上综合服务平台谁牵头？"}).json()["results"][0]
    assert top["source"] == "跨境电商方案.doc"
    assert top["lead_units"] == ["市跨境电商服务中心"] and top["deadline_date"] == "2022-03-31"


@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed")
def test_scanned_pdf_upload_is_answerable(writable_client: TestClient, admin: dict[str, str]) -> None:
    from tests.corpus.test_loaders_ocr import _scan

    lines = ["一、主要任务", "（一）建设冷链物流公共信息平台。", "牵头单位：市冷链物流中心", "完成时限：2022年9月底前"]
    out = io.BytesIO()
    _scan(lines).convert("1").save(out, "PDF", resolution=200)  # a bilevel scan, a few kB
    job = upload_and_wait(writable_client, "扫描件.pdf", out.getvalue(), admin)
    assert job["status"] == "done", job
    top = writable_client.post("/api/ask", json={"question": "冷链物流公共信息平台由谁牵头？"}).json()["results"][0]
    assert top["source"] == "扫描件.pdf"
    assert top["lead_units"] == ["市冷链物流中心"] and top["deadline_date"] == "2022-09-30"
