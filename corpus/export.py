"""Write ledger records as a terminal table, CSV (UTF-8 with BOM, opens in Excel) or .xlsx."""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any, BinaryIO

from corpus.ledger import COLUMNS

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


def to_csv_bytes(records: Sequence[dict[str, Any]]) -> bytes:
    """CSV with Chinese headers, UTF-8 with BOM so Excel opens it correctly."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow([_HEADERS_ZH[c] for c in COLUMNS])
    for rec in records:
        writer.writerow([_cell(rec.get(c)) for c in COLUMNS])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def write_xlsx(records: Sequence[dict[str, Any]], out: str | Path | BinaryIO) -> None:
    """An Excel workbook: one sheet 任务台账, frozen bold header, column widths, wrapped text."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    assert ws is not None  # a new workbook always has an active sheet
    ws.title = "任务台账"
    ws.append([_HEADERS_ZH[c] for c in COLUMNS])
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
    wb.save(out)


def render_table(records: Sequence[dict[str, Any]], text_width: int = 36) -> str:
    """A readable fixed-width table for the terminal (CJK characters count double)."""
    cols = [
        ("文件", "source", 10),
        ("编号", "path", 16),
        ("条款", "text", text_width),
        ("牵头单位", "lead_units", 18),
        ("责任/配合单位", "units", 24),
        ("完成时限", "deadline", 14),
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
