"""Spreadsheets (.xlsx, .xls, .et, .ods): each sheet a section, rows through the table grammar.

Task lists often live in Excel: 序号 | 重点任务 | 牵头单位 | 责任单位 | 完成时限. Each sheet is
read with python-calamine (xlsx, xls, ods; a WPS .et is an xls or xlsx container, recognised by
its content) and its rows go through :func:`corpus.loaders.tables.render_table`, the grammar
the .docx tables use. Merged ranges (calamine reports them for xlsx and xls) share one
:class:`GridCell` key, so a lead unit merged down several rows applies to each of them, as in
Word. A sheet's name becomes a heading line unless it is a default name ("Sheet1", "工作表1").
A .et that calamine cannot read is converted to .xlsx by LibreOffice when it is installed.

Example:
    >>> print(load_sheets(xlsx_bytes, "任务清单.xlsx"))
    重点任务
    1.优化企业开办
    牵头单位：市市场监管局
"""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
from typing import Any

import python_calamine

from corpus.errors import CorruptDocumentError, DocumentError, PageCountError, PageTextError
from corpus.limits import DEFAULT_LIMITS, ReadLimits
from corpus.loaders.archive import BoundedZip, scan_member
from corpus.loaders.office import OLE_MAGIC, ZIP_MAGIC, convert
from corpus.loaders.tables import GridCell, render_table

# Names spreadsheet programs give new sheets: "Sheet" (openpyxl), "Sheet1", "sheet 2", "工作表1", "Feuil1".
# An .xlsx worksheet part, and a cell or row reference in it: <c r="B12" s="3">, <row r="12">.
_WORKSHEET = re.compile(r"^xl/worksheets/[^/]+\.xml$")
_CELL_REF = re.compile(rb"<(?:c|row)\s[^>]*?\br=\"([A-Z]{0,3}[0-9]{1,7})\"")
_DEFAULT_SHEET = re.compile(r"^(?:sheet|工作表|表|feuil|tabelle|hoja|foglio)\s*\d*$", re.IGNORECASE)


def load_sheets(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> str:
    """Read every visible worksheet of a spreadsheet as text.

    Args:
        data: the file's bytes.
        name: the file name, for error messages.
        limits: ``max_pages`` bounds the sheets, ``max_sheet_cells`` each sheet's extent,
            ``max_unpacked_bytes`` what a ZIP-based workbook may unpack to (a sheet is not a
            page: a 500-row task list holds 30,000 characters; the document's ``max_chars`` applies).

    Returns:
        The sheets' text, a blank line between sheets; may be blank.

    Raises:
        CorruptDocumentError: not a spreadsheet calamine (or LibreOffice) can read.
        UnpackedSizeError, PageCountError, PageTextError: a bound was passed.
    """
    if data.startswith(ZIP_MAGIC):
        _check_workbook_zip(data, name, limits)
    try:
        workbook = python_calamine.CalamineWorkbook.from_filelike(io.BytesIO(data))
    except BaseException as exc:  # CalamineError, XmlError, ZipError, PasswordError, a Rust panic
        _reraise_interrupts(exc)
        if name.lower().endswith(".et") and data.startswith(OLE_MAGIC) and shutil.which("soffice"):
            # a WPS .et in a layout of its own, which calamine does not know: LibreOffice may
            return load_sheets(convert(data, name, "xlsx", limits), name, limits)
        raise CorruptDocumentError(f"cannot read spreadsheet {name}: {type(exc).__name__}: {exc}") from exc
    sheets = [
        m.name
        for m in workbook.sheets_metadata
        if m.typ == python_calamine.SheetTypeEnum.WorkSheet and m.visible == python_calamine.SheetVisibleEnum.Visible
    ]
    if len(sheets) > limits.max_pages:
        raise PageCountError(
            f"{name} has {len(sheets)} sheets, more than {limits.describe('max_pages')}", "max_pages", limits.max_pages
        )
    blocks: list[str] = []
    for sheet_name in sheets:
        try:
            sheet = workbook.get_sheet_by_name(sheet_name)
            _check_cells(sheet.height * sheet.width, f"sheet {sheet_name!r} of {name}", limits)
            rows = sheet.to_python(skip_empty_area=True)  # from the first used cell, not A1
            merged = sheet.merged_cell_ranges or []
            origin = sheet.start or (0, 0)
        except DocumentError:
            raise
        except BaseException as exc:  # calamine raises its own types for damaged sheets, or panics
            _reraise_interrupts(exc)
            raise CorruptDocumentError(f"cannot read sheet {sheet_name!r} of {name}: {exc}") from exc
        grid = [row for row in _grid(rows, merged, origin) if any(cell.text for cell in row)]
        # empty rows dropped: a blank row between caption and header must not hide the header
        lines = render_table(grid)
        if lines and not _DEFAULT_SHEET.match(sheet_name.strip()):
            lines.insert(0, sheet_name.strip())
        text = "\n".join(lines)
        if text:
            blocks.append(text)
    return "\n\n".join(blocks)


def _reraise_interrupts(exc: BaseException) -> None:
    """Re-raise ``exc`` unless it is an error of calamine's.

    A damaged .xls can make calamine's Rust code panic, which pyo3 raises as a
    ``PanicException`` deriving from BaseException; that is a damaged file, not an interrupt.
    """
    if not isinstance(exc, Exception) and type(exc).__name__ != "PanicException":
        raise exc


def _check_workbook_zip(data: bytes, name: str, limits: ReadLimits) -> None:
    """Stream an .xlsx's members within the byte bound; refuse a sheet whose cells reach too far.

    The extent comes from the cell references actually written (``<c r="XFD1048576">``), not
    from the sheet's declared ``<dimension>``: calamine lays a sheet out as a dense grid up to
    its farthest cell, so that cell alone decides the memory it takes.
    """
    with BoundedZip(data, name, limits, "spreadsheet") as archive:
        for member in archive.names():
            if not _WORKSHEET.match(member):
                archive.read(member, keep=False)
                continue
            rows = cols = 0
            for ref in scan_member(archive, member, _CELL_REF, tail=256):
                letters = ref.rstrip(b"0123456789")
                rows = max(rows, int(ref[len(letters) :] or 0))
                cols = max(cols, _column_number(letters))
            _check_cells(rows * max(cols, 1), f"{member} of {name}", limits)


def _column_number(letters: bytes) -> int:
    """b"A" -> 1, b"Z" -> 26, b"AA" -> 27."""
    number = 0
    for ch in letters:
        number = number * 26 + ch - 64
    return number


def _check_cells(cells: int, where: str, limits: ReadLimits) -> None:
    if cells > limits.max_sheet_cells:
        raise PageTextError(
            f"{where} spans {cells} cells, more than {limits.describe('max_sheet_cells')}",
            "max_sheet_cells",
            limits.max_sheet_cells,
        )


def _grid(
    rows: list[list[Any]], merged: list[tuple[tuple[int, int], tuple[int, int]]], origin: tuple[int, int]
) -> list[list[GridCell]]:
    """The sheet's layout grid; every position of a merged range holds the range's one cell.

    ``rows`` start at ``origin`` (the first used cell); merged ranges are in sheet coordinates.
    """
    grid = [[GridCell(object(), _cell_text(value)) for value in row] for row in rows]
    for (top, left), (bottom, right) in merged:
        top, left = max(top - origin[0], 0), max(left - origin[1], 0)
        bottom, right = bottom - origin[0], right - origin[1]
        if top >= len(grid) or left >= len(grid[top]) or bottom < top or right < left:
            continue
        cell = grid[top][left]
        for r in range(top, min(bottom, len(grid) - 1) + 1):
            for c in range(left, min(right, len(grid[r]) - 1) + 1):
                grid[r][c] = cell
    return grid


def _cell_text(value: Any) -> str:
    """A cell value as the text a reader sees: 1.0 -> "1", a date -> "2020年12月31日"."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime) and value.time() == dt.time():
        value = value.date()
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return f"{value.year}年{value.month}月{value.day}日"
    if isinstance(value, bool):
        return "是" if value else "否"
    return " ".join(str(value).split())
