"""Build tests/gold_blind2/docs/ from the UTF-8 sources in tests/gold_blind2/src/.

Usage (from the repository root; needs LibreOffice for the .doc and the Noto CJK font for the scan)::

    python tests/gold_blind2/make_docs.py

Source markup: a plain line is a paragraph; ``|a|b|c`` is a table row (the first row of a block is the
header); ``#|text`` is a category row merged across the table; a cell ``^`` is merged with the cell
above it (vertical merge). Each source becomes one document whose format is set in ``FORMATS``.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

import docx
import openpyxl
from PIL import Image, ImageDraw, ImageFont

HERE = Path(__file__).resolve().parent
SRC = HERE / "src"
DOCS = HERE / "docs"
FONT = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"

# source stem -> output format
FORMATS = {
    "d01_fengong_fangan": "txt",
    "d02_gongzuo_yaodian": "docx",
    "d03_fengong_biao": "docx",
    "d04_zeren_qingdan": "docx",
    "d05_dudu_taizhang": "xlsx",
    "d06_ducha_tongbao": "doc",
    "d07_saomiao": "pdf",
    "d08_fanti_big5": "big5",
    "d09_tiaokuan_cengji": "txt",
    "d10_huitong_yaodian": "txt",
    "d11_buwei_fengong": "txt",
}


def blocks(lines: list[str]) -> list[tuple[str, object]]:
    """Group source lines into ("p", text) paragraphs and ("t", rows) tables."""
    out: list[tuple[str, object]] = []
    for line in lines:
        if line.startswith(("|", "#|")):
            row = line.split("|")[1:]
            if line.startswith("#|"):
                row = ["#", *row]
            if out and out[-1][0] == "t":
                rows = out[-1][1]
                assert isinstance(rows, list)
                rows.append(row)
            else:
                out.append(("t", [row]))
        elif line.strip():
            out.append(("p", line))
    return out


def write_docx(lines: list[str], path: Path) -> None:
    """Paragraphs and tables; merged category rows and vertical merges as real merged cells."""
    document = docx.Document()
    for kind, value in blocks(lines):
        if kind == "p":
            document.add_paragraph(str(value))
            continue
        assert isinstance(value, list)
        ncols = max(len(r) for r in value if r[0] != "#")
        table = document.add_table(rows=len(value), cols=ncols)
        table.style = "Table Grid"
        for i, row in enumerate(value):
            cells = table.rows[i].cells
            if row[0] == "#":
                merged = cells[0].merge(cells[ncols - 1])
                merged.text = row[1]
                continue
            for j, text in enumerate(row):
                if text == "^":
                    above = table.cell(i - 1, j)
                    above.merge(table.cell(i, j))
                else:
                    cells[j].text = text
    document.save(str(path))


def write_xlsx(lines: list[str], path: Path) -> None:
    """One sheet; a ``#|`` title row merged across the table's width."""
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "台账"
    rows = [r for _, v in blocks(lines) if isinstance(v, list) for r in v]
    width = max(len(r) for r in rows if r[0] != "#")
    for i, row in enumerate(rows, start=1):
        if row[0] == "#":
            sheet.cell(row=i, column=1, value=row[1])
            sheet.merge_cells(start_row=i, start_column=1, end_row=i, end_column=width)
            continue
        for j, text in enumerate(row, start=1):
            sheet.cell(row=i, column=j, value=int(text) if text.isdigit() and j == 1 else (text or None))
    book.save(str(path))


def write_doc(lines: list[str], path: Path) -> None:
    """A legacy Word .doc: write the .docx, then convert it with LibreOffice."""
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / (path.stem + ".docx")
        write_docx(lines, source)
        subprocess.run(
            [
                "soffice",
                "-env:UserInstallation=file:///tmp/lo_gold3",
                "--headless",
                "--convert-to",
                "doc",
                "--outdir",
                tmp,
                str(source),
            ],
            check=True,
            capture_output=True,
            timeout=180,
        )
        shutil.copy(Path(tmp) / (path.stem + ".doc"), path)


def wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Break a line into pieces no wider than ``width`` pixels (characters, no hyphenation)."""
    out, current = [], ""
    for ch in text:
        if font.getlength(current + ch) > width:
            out.append(current)
            current = ch
        else:
            current += ch
    return [*out, current] if current else out


def write_scan(lines: list[str], path: Path) -> None:
    """An image-only PDF: text rendered at 200 dpi on A4 pages, no text layer."""
    dpi, size = 200, (1654, 2339)
    font = ImageFont.truetype(FONT, 44)
    title_font = ImageFont.truetype(FONT, 56)
    margin, step = 150, 76
    pages: list[Image.Image] = []
    page = Image.new("L", size, 255)
    draw = ImageDraw.Draw(page)
    y = margin
    for n, line in enumerate(lines):
        use = title_font if n == 0 else font
        for piece in wrap(line, use, size[0] - 2 * margin):
            if y + step > size[1] - margin:
                pages.append(page)
                page = Image.new("L", size, 255)
                draw = ImageDraw.Draw(page)
                y = margin
            draw.text((margin, y), piece, font=use, fill=0)
            y += step
        y += 12
    pages.append(page)
    pages[0].save(str(path), "PDF", resolution=float(dpi), save_all=True, append_images=pages[1:])


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    for old in DOCS.iterdir():
        old.unlink()
    for stem, fmt in FORMATS.items():
        text = (SRC / f"{stem}.txt").read_text(encoding="utf-8")
        lines = text.splitlines()
        if fmt == "txt":
            (DOCS / f"{stem}.txt").write_text(text, encoding="utf-8")
        elif fmt == "big5":
            (DOCS / f"{stem}.txt").write_bytes(text.encode("big5"))
        elif fmt == "docx":
            write_docx(lines, DOCS / f"{stem}.docx")
        elif fmt == "xlsx":
            write_xlsx(lines, DOCS / f"{stem}.xlsx")
        elif fmt == "doc":
            write_doc(lines, DOCS / f"{stem}.doc")
        elif fmt == "pdf":
            write_scan(lines, DOCS / f"{stem}.pdf")
        else:
            raise ValueError(f"unknown format {fmt!r} for {stem}; allowed: txt big5 docx xlsx doc pdf")
    print("\n".join(sorted(p.name for p in DOCS.iterdir())))


if __name__ == "__main__":
    main()
