"""Supervision in headless Chromium: status chips with counts, answer badges, the unit view and its chart.

Screenshots go to docs/screenshots/ (they document the feature). Needs Debian's Chromium at
/usr/bin/chromium, like tests/service/test_browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.service.helpers import ROOT

pytestmark = pytest.mark.browser

CHROMIUM = Path("/usr/bin/chromium")
SCREENSHOTS = ROOT / "docs" / "screenshots"
AS_OF = "2020-11-15"

if not CHROMIUM.exists():
    pytest.skip(
        "Chromium is not installed at /usr/bin/chromium (apt-get install -y chromium fonts-noto-cjk)",
        allow_module_level=True,
    )

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


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
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def _set_as_of(page: Page, day: str) -> None:
    page.fill("#as-of", day)
    page.dispatch_event("#as-of", "change")


def test_status_chips_count_and_filter_the_ledger(page: Page, live_server: str) -> None:
    page.goto(live_server)
    _set_as_of(page, AS_OF)
    page.click("#tab-tasks")
    expect(page.locator("#task-status")).to_contain_text(f"截至 {AS_OF}")
    expected = httpx.get(f"{live_server}/api/tasks", params={"as_of": AS_OF}).json()["status_counts"]
    for code, count in expected.items():
        chip = page.locator(f'.status-chip[data-status="{code}"]')
        expect(chip.locator(".chip-count")).to_have_text(str(count))
    page.click('.status-chip[data-status="overdue"]')
    expect(page.locator('.status-chip[data-status="overdue"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator("#task-table tbody tr")).to_have_count(expected["overdue"])
    expect(page.locator("#task-table .col-status .badge-status").first).to_have_text("已逾期")
    assert "status=overdue" in (page.get_attribute("#dl-xlsx", "href") or "")
    page.click('.status-chip[data-status="due_soon"]')  # a second chip adds its tasks
    expect(page.locator("#task-table tbody tr")).to_have_count(expected["overdue"] + expected["due_soon"])
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "ledger-status-chips.png"))
    page.click('.status-chip[data-status=""]')
    expect(page.locator("#task-status")).to_contain_text(f"共 {sum(expected.values())} 项任务")
    # A unit name in the ledger opens that unit's view.
    link = page.locator("#task-table .col-lead .unit-link").first
    unit = link.inner_text()
    link.click()
    expect(page.locator("#panel-units")).to_be_visible()
    expect(page.locator("#unit-summary")).to_contain_text(unit)


def test_answer_cards_show_status_and_draft_badges(page: Page, live_server: str) -> None:
    page.goto(live_server)
    _set_as_of(page, "2023-08-15")
    page.fill("#question", "岳阳片区谁牵头企业开办一网通办？")
    page.click("#ask-button")
    card = page.locator(".card").first
    expect(card.locator(".badge-status")).to_have_text("30天内到期")
    expect(card.locator(".badge-validity")).to_have_text("征求意见稿")
    page.fill("#question", "市场监管局有哪些任务已经逾期？")
    _set_as_of(page, AS_OF)
    page.click("#ask-button")
    expect(page.locator("#answer")).to_contain_text(f"截至{AS_OF}")
    expect(page.locator(".card .badge-status").first).to_have_text("已逾期")
    page.screenshot(path=str(SCREENSHOTS / "answer-status-badges.png"))


def test_unit_view_with_timeline_chart(page: Page, live_server: str) -> None:
    page.goto(live_server)
    _set_as_of(page, AS_OF)
    page.click("#tab-units")
    page.fill("#u-unit", "市场监管局")
    page.click("#unit-form button[type=submit]")
    view = httpx.get(f"{live_server}/api/units/市场监管局", params={"as_of": AS_OF}).json()
    expect(page.locator("#unit-summary")).to_contain_text(f"共 {view['count']} 项任务，牵头 {view['lead']} 项")
    groups = page.locator(".unit-group")
    expect(groups).to_have_count(len(view["groups"]))
    for i, group in enumerate(view["groups"]):
        expect(groups.nth(i).locator(".unit-group-count")).to_have_text(f"{group['count']} 项")
        expect(groups.nth(i).locator("tbody tr")).to_have_count(group["count"])
    chart = page.locator("#unit-chart")
    expect(chart).to_be_visible()
    page.wait_for_function("document.getElementById('unit-chart').complete")
    assert page.evaluate("document.getElementById('unit-chart').naturalWidth") >= 400  # the SVG rendered
    assert f"as_of={AS_OF}" in (chart.get_attribute("src") or "")
    assert "format=xlsx" in (page.get_attribute("#dl-unit-xlsx", "href") or "")
    page.screenshot(path=str(SCREENSHOTS / "unit-view.png"), full_page=False)
    chart.screenshot(path=str(SCREENSHOTS / "unit-timeline.png"))
    # The view has a link of its own.
    assert "#unit=" in page.url
    page.goto(page.url)
    expect(page.locator("#unit-summary")).to_contain_text(view["unit"])


def test_document_list_marks_the_draft(page: Page, live_server: str) -> None:
    page.goto(live_server)
    page.click("#tab-docs")
    draft = page.locator(".doc-item", has_text="岳阳片区实施方案")
    expect(draft.locator(".badge-validity")).to_have_text("征求意见稿")
    expect(draft.locator(".doc-identity")).to_contain_text("岳阳市商务粮食局")
    in_force = page.locator(".doc-item", has_text="重点任务清单和工作方案")
    expect(in_force.locator(".badge-validity")).to_have_text("现行有效")
    page.screenshot(path=str(SCREENSHOTS / "documents-validity.png"))
