"""Write ledger records as a terminal table, CSV (UTF-8 with BOM, opens in Excel) or .xlsx."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, BinaryIO

from corpus.errors import InvalidQueryError
from corpus.ledger import COLUMNS
from corpus.status import STATUS_LABELS
from corpus.unitview import UnitView

_HEADERS_ZH = {
    "source": "文件",
    "title": "文件标题",
    "path": "条款编号",
    "text": "条款内容",
    "lead_units": "牵头单位",
    "units": "责任/配合单位",
    "deadline": "完成时限",
    "deadline_date": "截止日期",
    "deadline_kind": "时限类型",
    "status_label": "状态",
    "lead_source": "牵头单位来源",
    "units_source": "责任单位来源",
    "deadline_source": "时限来源",
    "start": "起始位置",
    "end": "结束位置",
    "id": "条款ID",
}
_WIDTHS = {"text": 60, "title": 30, "lead_units": 24, "units": 36, "deadline": 18, "id": 18}


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return "、".join(value)
    return "" if value is None else value


def headers(as_of: date | None = None) -> list[str]:
    """The Chinese column headers; the status column names its reference date when given."""
    names = [_HEADERS_ZH[c] for c in COLUMNS]
    if as_of is not None:
        names[COLUMNS.index("status_label")] = f"状态（截至{as_of.isoformat()}）"
    return names


def to_csv_bytes(records: Sequence[dict[str, Any]], as_of: date | None = None) -> bytes:
    """CSV with Chinese headers, UTF-8 with BOM so Excel opens it correctly.

    ``as_of``: the reference date the records' statuses were computed on, shown in the header.
    """
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(headers(as_of))
    for rec in records:
        writer.writerow([_cell(rec.get(c)) for c in COLUMNS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def write_xlsx(records: Sequence[dict[str, Any]], out: str | Path | BinaryIO, as_of: date | None = None) -> None:
    """An Excel workbook: one sheet 任务台账, frozen bold header, column widths, wrapped text.

    ``as_of``: the reference date the records' statuses were computed on, shown in the header.
    """
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook always has an active sheet
    ws.title = "任务台账"
    fill_sheet(ws, records, as_of)
    wb.save(out)


def fill_sheet(ws: Any, records: Sequence[dict[str, Any]], as_of: date | None = None) -> None:
    """Write the ledger ``records`` into the openpyxl worksheet ``ws`` (header, widths, filter)."""
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    ws.append(headers(as_of))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for rec in records:
        ws.append([_cell(rec.get(c)) for c in COLUMNS])
    for i, col in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(i)].width = _WIDTHS.get(col, 14)
        if col in ("text", "units", "lead_units", "title"):
            for row in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                row[0].alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = ws.dimensions


def render_table(records: Sequence[dict[str, Any]], text_width: int = 36) -> str:
    """A readable fixed-width table for the terminal (CJK characters count double)."""
    cols = [
        ("文件", "source", 10),
        ("编号", "path", 16),
        ("条款", "text", text_width),
        ("牵头单位", "lead_units", 18),
        ("责任/配合单位", "units", 24),
        ("完成时限", "deadline", 14),
        ("状态", "status_label", 10),
    ]
    lines = [" ".join(_pad(h, w) for h, _, w in cols), " ".join("-" * w for _, _, w in cols)]
    for rec in records:
        lines.append(" ".join(_pad(str(_cell(rec.get(k))), w) for _, k, w in cols))
    lines.append(f"共 {len(records)} 条任务")
    return "\n".join(lines)


def _display_width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    out, used = "", 0
    for ch in text.replace("\n", " "):
        w = _display_width(ch)
        if used + w > width - 1 and _display_width(text) > width:
            out += "…"
            used += 1
            break
        out += ch
        used += w
    return out + " " * max(0, width - used)


#: Columns of a unit's sheet: status and role first, then the ledger's fields.
_UNIT_COLUMNS = (
    ("status_label", "状态", 12),
    ("role_label", "角色", 8),
    ("title", "文件标题", 30),
    ("path", "条款编号", 14),
    ("text", "条款内容", 60),
    ("lead_units", "牵头单位", 24),
    ("units", "责任/配合单位", 36),
    ("deadline", "完成时限", 18),
    ("deadline_date", "截止日期", 12),
    ("source", "文件", 14),
)
# Characters Excel refuses in a sheet name, and its length limit.
_BAD_SHEET_CHARS = str.maketrans({c: "_" for c in "[]:*?/\\"})
_SHEET_NAME_MAX = 31


def sheet_name(name: str, taken: set[str]) -> str:
    """A valid, unused Excel sheet name for ``name`` (31 characters, no ``[]:*?/\\``); adds it to ``taken``.

    Example:
        >>> sheet_name("市商务局(口岸办)", set())
        '市商务局(口岸办)'
    """
    base = name.translate(_BAD_SHEET_CHARS).strip("'") or "单位"
    candidate, n = base[:_SHEET_NAME_MAX], 1
    while candidate.lower() in {t.lower() for t in taken}:
        n += 1
        suffix = f"~{n}"
        candidate = base[: _SHEET_NAME_MAX - len(suffix)] + suffix
    taken.add(candidate)
    return candidate


def write_units_xlsx(views: Sequence[UnitView], out: str | Path | BinaryIO) -> None:
    """An Excel workbook with a summary sheet 汇总 and one sheet per unit (tasks by status).

    Args:
        views: the units' views, all on one reference date (the first one's is shown).
        out: a file path or a binary stream.

    Raises:
        InvalidQueryError: ``views`` is empty.
    """
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    if not views:
        raise InvalidQueryError("no unit to export: the filters match no task")
    wb = Workbook()
    summary = wb.active
    assert summary is not None  # a new workbook always has an active sheet
    summary.title = "汇总"
    as_of = views[0].as_of.isoformat()
    labels = list(STATUS_LABELS.values())
    summary.append(["单位", "工作表", "任务数", "牵头", "配合", *labels, "截至"])
    taken = {"汇总"}
    for view in views:
        name = sheet_name(view.unit, taken)
        counts = view.counts()
        lead = view.lead_count
        summary.append([view.unit, name, len(view.tasks), lead, len(view.tasks) - lead, *counts.values(), as_of])
        ws = wb.create_sheet(name)
        ws.append([f"{header}（截至{as_of}）" if key == "status_label" else header for key, header, _ in _UNIT_COLUMNS])
        for task in view.tasks:
            record = task.record(view.as_of)
            ws.append([_cell(record.get(key)) for key, _, _ in _UNIT_COLUMNS])
        for i, (key, _, width) in enumerate(_UNIT_COLUMNS, start=1):
            ws.column_dimensions[get_column_letter(i)].width = width
            if key in ("text", "units", "lead_units", "title"):
                for row in ws.iter_rows(min_row=2, min_col=i, max_col=i):
                    row[0].alignment = Alignment(wrap_text=True, vertical="top")
        for cell in ws[1]:
            cell.font = Font(bold=True)
        ws.freeze_panes = "A2"
        ws.auto_filter.ref = ws.dimensions
    for cell in summary[1]:
        cell.font = Font(bold=True)
    summary.column_dimensions["A"].width = 28
    summary.freeze_panes = "A2"
    wb.save(out)
