"""The web page in headless Chromium (Playwright): ask, read the card, open the document, escape text.

Needs Debian's Chromium at /usr/bin/chromium (``apt-get install -y chromium fonts-noto-cjk``; the
CI script installs it). Playwright's own browser download is never used.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import openpyxl
import pytest

from tests.service.helpers import ADMIN_TOKEN, ROOT, wait_for_job

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "artifacts"
XSS_NAME = "茶叶出口基地方案.txt"
XSS_TEXT = (
    "临湘市关于建设茶叶出口示范基地的工作方案\n"
    "一、重点任务\n"
    "(一)建设黑茶出口示范基地<script>alert(1)</script>，培育茶叶出口龙头企业。"
    "(牵头单位:市农业农村局 责任单位:市商务局 完成时限:2024年10月底前)\n"
    '(二)举办黑茶出口推介会<img src=x onerror="alert(2)">。(牵头单位:市商务局 完成时限:持续推进)\n'
)

if not CHROMIUM.exists():
    pytest.skip(
        "Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium fonts-noto-cjk)",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, FilePayload, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(90_000)
    yield page
    context.close()


def _dialogs(page: Page) -> list[str]:
    """Record every alert/confirm/prompt the page opens (there must be none)."""
    seen: list[str] = []

    def on_dialog(dialog: object) -> None:
        seen.append(getattr(dialog, "message", "?"))
        dialog.dismiss()  # type: ignore[attr-defined]

    page.on("dialog", on_dialog)
    return seen


def _ask(page: Page, question: str) -> None:
    page.fill("#question", question)
    page.click("#ask-button")
    expect(page.locator("#answer")).to_be_visible()
    expect(page.locator(".card").first).to_be_visible()


def test_ask_shows_unit_and_deadline_and_opens_the_document(page: Page, live_server: str) -> None:
    dialogs = _dialogs(page)
    page.goto(live_server)
    expect(page).to_have_title("政策文件问答")
    _ask(page, "岳阳片区谁牵头企业开办一网通办？")

    card = page.locator(".card").first
    expect(card.locator(".badge-lead")).to_contain_text("市市场监管局")
    expect(card.locator(".badge-deadline")).to_contain_text("2023年8月底前")
    expect(card.locator(".badge-deadline")).to_contain_text("2023-08-31")
    expect(card.locator(".badge-deadline .badge-inherited")).to_have_text("继承")
    expect(card.locator(".card-path")).to_have_text("四、(一) 1.(1)")
    assert card.locator("mark.hit").count() >= 1
    expect(page.locator("#answer")).to_contain_text("市市场监管局")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "screenshot.png"), full_page=True)

    card.locator(".open-doc").click()
    viewer = page.locator("#viewer")
    expect(viewer).to_be_visible()
    clause = page.locator("#current-clause")
    expect(clause).to_contain_text("一网通办")
    expect(clause).to_be_in_viewport()
    page.screenshot(path=str(ARTIFACTS / "screenshot-document.png"))
    page.keyboard.press("Escape")
    expect(viewer).to_be_hidden()
    assert dialogs == []


def test_follow_up_keeps_the_context_until_new_question(page: Page, live_server: str) -> None:
    page.goto(live_server)
    _ask(page, "岳阳片区谁牵头企业开办一网通办？")
    expect(page.locator("#context")).to_be_visible()
    first_answer = page.locator("#answer").inner_text()
    page.fill("#question", "那什么时候完成？")
    page.click("#ask-button")
    expect(page.locator("#answer")).to_contain_text("（接上一问：岳阳片区 企业开办一网通办）完成时限：2023年8月底前")
    expect(page.locator("#context")).to_contain_text("接上一问")
    assert page.locator("#answer").inner_text() != first_answer
    page.click("#new-question")
    expect(page.locator("#context")).to_be_hidden()
    page.fill("#question", "那什么时候完成？")
    page.click("#ask-button")
    expect(page.locator("#answer")).not_to_contain_text("接上一问")


def test_no_answer_message(page: Page, live_server: str) -> None:
    page.route(
        "**/api/ask",
        lambda route: route.fulfill(
            status=200,
            content_type="application/json",
            body='{"question": "x", "answer": "未找到相关条款", "no_answer": true, "intent": {}, "results": []}',
        ),
    )
    page.goto(live_server)
    page.fill("#question", "火星基地的建设预算是多少？")
    page.click("#ask-button")
    expect(page.locator("#answer")).to_contain_text("未找到相关条款")
    assert page.locator(".card").count() == 0


def test_ledger_tab_filters_and_download_links(page: Page, live_server: str) -> None:
    page.goto(live_server)
    page.click("#tab-tasks")
    page.fill("#f-unit", "市场监管局")
    page.check("#f-lead")
    page.click("#task-form button[type=submit]")
    expect(page.locator("#task-status")).to_contain_text("项任务")
    params = {"unit": "市场监管局", "lead_only": "true"}
    expected = httpx.get(f"{live_server}/api/tasks", params=params).json()
    expect(page.locator("#task-table tbody tr")).to_have_count(expected["count"])
    csv_href = page.get_attribute("#dl-csv", "href") or ""
    xlsx_href = page.get_attribute("#dl-xlsx", "href") or ""
    assert "format=csv" in csv_href and "lead_only=true" in csv_href
    assert "format=xlsx" in xlsx_href
    download = httpx.get(f"{live_server}{xlsx_href}")
    assert download.status_code == 200 and download.content[:2] == b"PK"
    page.screenshot(path=str(ARTIFACTS / "screenshot-ledger.png"))


def test_document_text_with_markup_is_shown_as_text(page: Page, live_server: str) -> None:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    uploaded = httpx.post(
        f"{live_server}/api/documents",
        files={"file": (XSS_NAME, XSS_TEXT.encode())},
        headers=admin,
        timeout=300,
    )
    assert uploaded.status_code == 202, uploaded.text
    with httpx.Client(base_url=live_server, timeout=60) as client:
        assert wait_for_job(client, uploaded.headers["location"])["status"] == "done"
    try:
        dialogs = _dialogs(page)
        page.goto(live_server)
        _ask(page, "谁牵头建设黑茶出口示范基地？")
        card = page.locator(".card", has_text="黑茶出口示范基地").first
        expect(card.locator(".card-text")).to_contain_text("<script>alert(1)</script>")
        expect(card.locator(".badge-lead")).to_contain_text("市农业农村局")
        assert page.locator(".card script, .card img").count() == 0

        card.locator(".open-doc").click()
        text = page.locator("#viewer-text")
        expect(text).to_contain_text('<img src=x onerror="alert(2)">')
        expect(text).to_contain_text("<script>alert(1)</script>")
        assert page.locator("#viewer-text script, #viewer-text img").count() == 0

        page.keyboard.press("Escape")
        page.click("#tab-docs")
        expect(page.locator("#doc-list")).to_contain_text(XSS_NAME)
        page.wait_for_timeout(300)  # give any injected handler a chance to fire
        assert dialogs == []
    finally:
        httpx.delete(f"{live_server}/api/documents/{XSS_NAME}", headers=admin, timeout=300)


UPLOAD_NAME = "低空经济行动方案.txt"
UPLOAD_TEXT = (
    "临湘市低空经济发展行动方案\n一、重点任务\n"
    "(一)建设低空飞行服务站。(牵头单位:市交通运输局 完成时限:2027年6月底前)\n"
    "(二)开通无人机物流配送航线。(责任单位:市邮政管理局)\n"
)


def test_upload_shows_progress_then_the_report(page: Page, live_server: str) -> None:
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    try:
        page.goto(live_server)
        page.click("#tab-docs")
        page.fill("#u-token", ADMIN_TOKEN)
        files: list[FilePayload] = [
            {"name": UPLOAD_NAME, "mimeType": "text/plain", "buffer": UPLOAD_TEXT.encode()},
            {"name": "幻灯片.pptx", "mimeType": "application/octet-stream", "buffer": b"PK\x03\x04"},
        ]
        page.set_input_files("#u-files", files=files)
        page.click("#upload-button")
        row = page.locator(".upload-item", has_text=UPLOAD_NAME)
        expect(row.locator("progress.upload-bar")).to_be_visible()
        expect(row).to_have_attribute("data-status", "done")
        expect(row.locator(".upload-status")).to_contain_text("已处理 3 / 3 条")
        expect(row.locator(".upload-summary")).to_contain_text("2 项任务")
        job = httpx.get(f"{live_server}/api/jobs").json()["jobs"][0]
        assert job["report"]["tasks"] == 2  # the extraction report, rendered as counts and flagged lists
        expect(row.locator(".report-count").first).to_be_visible()
        expect(row.locator(".job-report")).to_contain_text("任务")
        refused = page.locator(".upload-item", has_text="幻灯片.pptx")
        expect(refused).to_contain_text("未接受")
        expect(refused).to_contain_text(".pptx")
        expect(page.locator("#doc-list")).to_contain_text("临湘市低空经济发展行动方案")
        page.screenshot(path=str(ARTIFACTS / "screenshot-upload.png"))
    finally:
        httpx.delete(f"{live_server}/api/documents/{UPLOAD_NAME}", headers=admin, timeout=300)


XLSX_NAME = "冷库建设任务.xlsx"


def _xlsx_task_list() -> bytes:
    """An Excel task list as offices keep them: a sheet per plan, header row, one task per row."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "冷库建设"
    sheet.append(["序号", "重点任务", "牵头单位", "配合单位", "完成时限"])
    sheet.append([1, "建设县域冷库集配中心三座", "县供销社", "县商务局、县财政局", "2026年第三季度"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_xlsx_uploaded_through_the_page_is_answered_with_unit_and_deadline(page: Page, live_server: str) -> None:
    """Issue 11's acceptance in a browser: an Excel task list in, its task asked for and cited."""
    admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    try:
        page.goto(live_server)
        page.click("#tab-docs")
        page.fill("#u-token", ADMIN_TOKEN)
        xlsx_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        files: list[FilePayload] = [{"name": XLSX_NAME, "mimeType": xlsx_type, "buffer": _xlsx_task_list()}]
        page.set_input_files("#u-files", files=files)
        page.click("#upload-button")
        row = page.locator(".upload-item", has_text=XLSX_NAME)
        expect(row).to_have_attribute("data-status", "done")
        expect(row.locator(".upload-summary")).to_contain_text("1 项任务")
        expect(row.locator(".report-count").first).to_be_visible()  # the extraction report is shown

        page.click("#tab-ask")
        _ask(page, "县域冷库集配中心由谁牵头？什么时候完成？")
        card = page.locator(".card").first
        expect(card).to_contain_text(XLSX_NAME)
        expect(card.locator(".badge-lead")).to_contain_text("县供销社")
        expect(card.locator(".badge-deadline")).to_contain_text("2026年第三季度")
        expect(card.locator(".badge-deadline")).to_contain_text("2026-09-30")
        page.screenshot(path=str(ARTIFACTS / "screenshot-xlsx-upload.png"))
    finally:
        httpx.delete(f"{live_server}/api/documents/{XLSX_NAME}", headers=admin, timeout=300)
