"""Spreadsheets (.xlsx, .xls, .et): sheets as sections, task rows through the docx table grammar."""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from corpus.errors import CorruptDocumentError, PageTextError
from corpus.limits import ReadLimits
from corpus.loaders import load_bytes
from corpus.reader import read_bytes

SOFFICE = shutil.which("soffice")
needs_soffice = pytest.mark.skipif(SOFFICE is None, reason="LibreOffice (soffice) is not installed")


def _task_workbook() -> bytes:
    """A task list: a named sheet with a lead unit and deadline merged down two rows, a default sheet."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "重点任务清单"
    sheet.append(["序号", "重点任务", "牵头单位", "责任单位", "完成时限"])
    sheet.append([1, "推行企业开办全程网办", "市市场监管局", "市税务局", "2021年6月底前"])
    sheet.append([2, "推进证照分离改革", None, "市人社局", None])
    sheet.merge_cells("C2:C3")
    sheet.merge_cells("E2:E3")
    other = book.create_sheet("Sheet2")
    other["B2"] = "附：各区同步推进"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


EXPECTED = [
    "重点任务清单",
    "1.推行企业开办全程网办",
    "牵头单位：市市场监管局",
    "责任单位：市税务局",
    "完成时限：2021年6月底前",
    "2.推进证照分离改革",
    "牵头单位：市市场监管局",  # merged down from the row above, as in a Word table
    "责任单位：市人社局",
    "完成时限：2021年6月底前",
    "",
    "附：各区同步推进",  # "Sheet2" is a default name: no heading line
]


def test_xlsx_sheets_become_sections_and_merged_cells_apply_to_each_row() -> None:
    loaded = load_bytes(_task_workbook(), "任务清单.xlsx")
    assert loaded.format == "xlsx"
    assert loaded.text.split("\n") == EXPECTED


def test_xlsx_task_list_parses_into_tasks_with_units_and_deadline() -> None:
    document = read_bytes(_task_workbook(), "任务清单.xlsx")
    task = next(c for c in document.clauses if c.text.startswith("推进证照分离改革"))
    assert task.lead_units == ("市市场监管局",)
    assert task.deadline is not None and task.deadline.date == "2021-06-30"


def test_dates_and_numbers_read_as_people_write_them() -> None:
    import datetime as dt

    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["任务", "牵头单位", "完成时限"])
    sheet.append(["建设单一窗口", "市口岸办", dt.datetime(2021, 12, 31)])
    sheet.append(["推广经验", "市商务局", 2022.0])
    out = io.BytesIO()
    book.save(out)
    lines = load_bytes(out.getvalue(), "t.xlsx").text.split("\n")
    assert "完成时限：2021年12月31日" in lines and "完成时限：2022" in lines


def _convert(data: bytes, suffix: str, target: str, tmp_path: Path) -> bytes:
    source = tmp_path / f"in{suffix}"
    source.write_bytes(data)
    profile = (tmp_path / "profile").as_uri()
    subprocess.run(
        [
            str(SOFFICE),
            f"-env:UserInstallation={profile}",
            "--headless",
            "--convert-to",
            target,
            "--outdir",
            str(tmp_path),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return (tmp_path / f"in.{target}").read_bytes()


@needs_soffice
def test_xls_and_et_read_like_xlsx_merged_cells_included(tmp_path: Path) -> None:
    xls = _convert(_task_workbook(), ".xlsx", "xls", tmp_path)
    assert xls.startswith(b"\xd0\xcf\x11\xe0")
    assert load_bytes(xls, "清单.xls").text.split("\n") == EXPECTED
    # A WPS .et is an xls (or xlsx) container under another name: read by its content.
    loaded = load_bytes(xls, "清单.et")
    assert (loaded.format, loaded.text.split("\n")) == ("et", EXPECTED)


def test_sheet_with_one_cell_far_away_is_refused_before_it_is_laid_out() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["A1"] = "任务"
    sheet["XFD1048576"] = "远"  # calamine would lay out 17 billion cells
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(PageTextError, match=r"max_sheet_cells=2000000") as err:
        load_bytes(out.getvalue(), "far.xlsx")
    assert err.value.bound == "max_sheet_cells"


def test_too_many_sheets_are_refused() -> None:
    book = openpyxl.Workbook()
    for i in range(3):
        book.create_sheet(f"表{i}")["A1"] = "文字"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(Exception, match=r"4 sheets, more than max_pages=2"):
        load_bytes(out.getvalue(), "s.xlsx", ReadLimits(max_pages=2))


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".et"])
def test_not_a_spreadsheet_is_corrupt(suffix: str) -> None:
    with pytest.raises(CorruptDocumentError, match=r"bad\."):
        load_bytes(b"just some text, not a workbook", "bad" + suffix)


def test_a_long_task_list_is_not_held_to_a_page_bound() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["序号", "重点任务", "牵头单位", "完成时限"])
    for i in range(1, 601):
        sheet.append([i, f"推进第{i}项政务服务改革任务，实现企业开办全程网办和证照分离", "市市场监管局", "2021年底前"])
    out = io.BytesIO()
    book.save(out)
    text = load_bytes(out.getvalue(), "long.xlsx", ReadLimits(max_chars_per_page=2000)).text
    assert text.count("牵头单位：") == 600


def test_table_away_from_a1_with_a_caption_and_blank_rows_is_found() -> None:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet["C3"] = "2021年重点任务清单"
    sheet.merge_cells("C3:E3")
    for r, row in enumerate(
        [["重点任务", "牵头单位", "完成时限"], ["建设单一窗口", "市口岸办", "2021年底前"]], start=6
    ):
        for c, value in enumerate(row, start=3):
            sheet.cell(row=r, column=c, value=value)
    out = io.BytesIO()
    book.save(out)
    assert load_bytes(out.getvalue(), "t.xlsx").text.split("\n") == [
        "2021年重点任务清单",
        "1.建设单一窗口",
        "牵头单位：市口岸办",
        "完成时限：2021年底前",
    ]
