"""Task status on a reference date: the rule, the counts at two dates, the per-unit view and its exports."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from corpus import BUNDLED_CORPUS_DIR
from corpus.errors import InvalidQueryError
from corpus.export import sheet_name
from corpus.ledger import TaskFilter, filter_tasks, status_counts, task_record
from corpus.model import Deadline, DeadlineKind, Document
from corpus.parser import parse_text
from corpus.reader import read_corpus
from corpus.status import STATUS_LABELS, TaskStatus, parse_statuses, reference_date, task_status
from corpus.timeline import timeline_svg
from corpus.unitview import unit_names, unit_view
from service.cli import main

PLAN = """某市关于推进营商环境改革的工作方案
一、重点任务
(一)推行企业开办一网通办。(牵头单位:市市场监管局 责任单位:市商务局 完成时限:2020年6月30日前)
(二)建设国际贸易单一窗口。(牵头单位:市商务局 完成时限:2020年12月底前)
(三)开展政务服务第三方评估。(牵头单位:市政务服务中心 责任单位:市商务局 完成时限:2021年8月底前)
(四)优化跨境贸易通关流程。(牵头单位:市商务局 完成时限:持续推进)
(五)定期发布营商环境报告。(牵头单位:市发改委 完成时限:每季度)
(六)完善企业诉求响应机制。(牵头单位:市商务局)
(七)自2020年9月1日起实行涉企收费清单公示。(牵头单位:市发展和改革委员会)
"""


@pytest.fixture(scope="module")
def plan() -> Document:
    return parse_text(PLAN, "plan.txt")


def _by_date(day: str) -> Deadline:
    return Deadline(day, day, DeadlineKind.BY_DATE)


@pytest.mark.parametrize(
    ("deadline", "status"),
    [
        (_by_date("2020-12-14"), TaskStatus.OVERDUE),  # the day before the reference date
        (_by_date("2020-12-15"), TaskStatus.DUE_SOON),  # due on the reference date itself
        (_by_date("2021-01-14"), TaskStatus.DUE_SOON),  # 30 days on
        (_by_date("2021-01-15"), TaskStatus.LATER),  # 31 days on
        (Deadline("持续实施,2020年底前组织检查", "2020-12-31", DeadlineKind.ONGOING), TaskStatus.ONGOING),
        (Deadline("每年", None, DeadlineKind.RECURRING), TaskStatus.RECURRING),
        (Deadline("自2021年1月1日起", "2021-01-01", DeadlineKind.FROM_DATE), TaskStatus.LATER),
        (Deadline("自2020年1月1日起", "2020-01-01", DeadlineKind.FROM_DATE), TaskStatus.ONGOING),
        (Deadline("尽快", None, DeadlineKind.UNKNOWN), TaskStatus.NO_DEADLINE),
        (None, TaskStatus.NO_DEADLINE),
    ],
)
def test_status_rule(deadline: Deadline | None, status: TaskStatus) -> None:
    assert task_status(deadline, date(2020, 12, 15)) == status


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        # 2020-08-15: (一) is past; (二)(三) and (七), which starts on 09-01, are later.
        ("2020-08-15", {"overdue": 1, "due_soon": 0, "later": 3, "ongoing": 1, "recurring": 1, "no_deadline": 1}),
        # 2020-12-10: (二) is due within 30 days; (七) has started, so it is ongoing.
        ("2020-12-10", {"overdue": 1, "due_soon": 1, "later": 1, "ongoing": 2, "recurring": 1, "no_deadline": 1}),
    ],
)
def test_counts_match_the_deadlines_at_two_dates(plan: Document, as_of: str, expected: dict[str, int]) -> None:
    assert status_counts(plan.tasks, date.fromisoformat(as_of)) == expected
    for code, count in expected.items():
        flt = TaskFilter(statuses=(TaskStatus(code),), as_of=as_of)
        assert len(filter_tasks([plan], flt)) == count


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        # Sums of the bundled deadlines by date (docs/fields.md's normalisation): overdue = the
        # 25 by-date tasks of 2020-03-31 … 2020-10-31; due soon = the 21 of 2020-11-30;
        # ongoing = 74 持续 (two of them dated) + the 2020-08-01 from-date task.
        ("2020-11-15", {"overdue": 25, "due_soon": 21, "later": 419, "ongoing": 75, "recurring": 0}),
        # overdue = 25 + 21 + 62 (2020-12-31) + 1 (2021-01-31); due soon = the 224 of 2021-08-31.
        ("2021-08-01", {"overdue": 109, "due_soon": 224, "later": 132, "ongoing": 75, "recurring": 0}),
    ],
)
def test_bundled_corpus_counts_at_two_dates(as_of: str, expected: dict[str, int]) -> None:
    tasks = [c for d in read_corpus([BUNDLED_CORPUS_DIR]).documents for c in d.tasks]
    counts = status_counts(tasks, date.fromisoformat(as_of))
    assert {k: v for k, v in counts.items() if k != "no_deadline"} == expected
    assert counts["no_deadline"] == len(tasks) - sum(expected.values())


def test_status_names_and_errors() -> None:
    assert STATUS_LABELS[TaskStatus.OVERDUE] == "已逾期" and STATUS_LABELS[TaskStatus.DUE_SOON] == "30天内到期"
    assert parse_statuses(["overdue,已逾期", "due_soon"]) == (TaskStatus.OVERDUE, TaskStatus.DUE_SOON)
    with pytest.raises(InvalidQueryError, match=r"unknown status 'late'; allowed: overdue \(已逾期\)"):
        parse_statuses(["late"])
    with pytest.raises(InvalidQueryError, match="as_of must be an ISO date"):
        reference_date("2021/01/01")
    with pytest.raises(InvalidQueryError, match="as_of must be an ISO date"):
        TaskFilter(as_of="20210101")


def test_record_carries_status(plan: Document) -> None:
    record = task_record(plan.tasks[1], date(2020, 12, 10))
    assert (record["status"], record["status_label"]) == ("due_soon", "30天内到期")


def test_unit_view_lead_and_participating_alias_aware(plan: Document) -> None:
    view = unit_view(plan.clauses, "商务局", date(2020, 12, 10))
    assert len(view.tasks) == 5 and view.lead_count == 3
    assert view.counts() == {
        "overdue": 1,
        "due_soon": 1,
        "later": 1,
        "ongoing": 1,
        "recurring": 0,
        "no_deadline": 1,
    }
    assert [s for s, _ in view.groups()] == [
        TaskStatus.OVERDUE,
        TaskStatus.DUE_SOON,
        TaskStatus.LATER,
        TaskStatus.ONGOING,
        TaskStatus.NO_DEADLINE,
    ]
    roles = {t.clause.path: t.role for t in view.tasks}
    assert roles["一、(一)"] == "participating" and roles["一、(二)"] == "lead"
    reform = unit_view(plan.clauses, "市发展改革委", date(2020, 12, 10))  # 市发改委 = 市发展和改革委员会
    assert set(reform.names) == {"市发改委", "市发展和改革委员会"} and len(reform.tasks) == 2
    assert len({"市发改委", "市发展和改革委员会"} & set(unit_names(plan.clauses))) == 1  # one unit, one name
    with pytest.raises(InvalidQueryError, match="unit must not be empty"):
        unit_view(plan.clauses, " ", date(2020, 12, 10))


def test_timeline_svg_marks_the_reference_date_and_escapes_names(plan: Document) -> None:
    view = unit_view(plan.clauses, "市商务局", date(2020, 12, 10))
    svg = timeline_svg(view)
    assert svg.startswith("<svg") and svg.rstrip().endswith("</svg>")
    assert "基准日 2020-12-10" in svg and 'class="as-of"' in svg
    assert svg.count('class="deadline"') == 3  # (一)(二)(三); 持续推进 and the undated one have no date
    odd = unit_view(parse_text(PLAN.replace("市商务局", "市<商务>&局"), "x.txt").clauses, "市<商务>&局", view.as_of)
    assert "市&lt;商务&gt;&amp;局" in timeline_svg(odd) and "<商务>" not in timeline_svg(odd)


def test_excel_by_unit_and_cli(plan: Document, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert sheet_name("a[b]:c*?/\\" + "长" * 40, set()) == "a_b__c____" + "长" * 21
    taken: set[str] = set()
    assert [sheet_name("市商务局", taken) for _ in range(2)] == ["市商务局", "市商务局~2"]
    source = tmp_path / "plan.txt"
    source.write_text(PLAN, encoding="utf-8")
    out = tmp_path / "units.xlsx"
    assert main(["tasks", str(source), "--by-unit", "--as-of", "2020-12-10", "--xlsx", str(out)]) == 0
    book = load_workbook(out)
    assert book.sheetnames[0] == "汇总" and {"市商务局", "市市场监管局"} <= set(book.sheetnames)
    assert len(book.sheetnames) == 5  # 汇总 + four units (市发改委 and 市发展和改革委员会 are one)
    sheet = book["市商务局"]
    assert sheet.cell(row=1, column=1).value == "状态（截至2020-12-10）"
    assert [sheet.cell(row=r, column=1).value for r in range(2, 7)] == [
        "已逾期",
        "30天内到期",
        "未到期",
        "持续推进",
        "无明确时限",
    ]
    capsys.readouterr()
    assert main(["tasks", str(source), "--as-of", "2020-12-10", "--status", "overdue,due_soon", "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert [r["status"] for r in records] == ["overdue", "due_soon"]
    assert main(["tasks", str(source), "--status", "late"]) == 2
    assert "allowed: overdue (已逾期)" in capsys.readouterr().err
    assert main(["tasks", str(source), "--by-unit", "--unit", "商务局", "--lead-only", "--json"]) == 0
    (view,) = json.loads(capsys.readouterr().out)
    assert view["count"] == view["lead"] == 3
    assert main(["tasks", str(source), "--by-unit", "--unit", "火星局"]) == 2
    assert "no task names the unit '火星局'" in capsys.readouterr().err


def test_timeline_of_a_unit_without_dated_tasks(plan: Document) -> None:
    view = unit_view(plan.clauses, "市发改委", date(2020, 12, 10))  # 每季度 + a started 自…起 task
    svg = timeline_svg(view)
    assert "基准日 2020-12-10" in svg and "定期开展 1" in svg


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=30))
def test_status_and_date_inputs_fail_only_with_a_clear_error(value: str) -> None:
    try:
        parse_statuses([value])
    except InvalidQueryError as exc:
        assert "allowed: overdue (已逾期)" in str(exc)
    try:
        reference_date(value)
    except InvalidQueryError as exc:
        assert f"as_of must be an ISO date YYYY-MM-DD, got {value!r}" == str(exc)
