"""Build tests/gold_blind3/docs from src/d*.py and write fields.jsonl from their hand annotation.

Usage: ``python tests/gold_blind3/make_docs.py``. Word files via python-docx (automatic numbering
through the 'List Number' style, so the number is not in the paragraph text), Excel via openpyxl,
HTML written by hand around the content, one .txt in GB18030. The annotation is the Entry written
next to each line in src/; this script only checks that each prefix occurs in its document and is
unique there, and never derives a field from the text.
"""

from __future__ import annotations

import html
import importlib
import json
import sys
from pathlib import Path
from types import ModuleType

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "src"))

from blocks import Item, Row, Table  # noqa: E402
from common import DL25, Entry  # noqa: E402

DOCS = HERE / "docs"
MODULES = [f"d{i:02d}" for i in range(1, 12)]


def _lines(blocks: list[object]) -> list[str]:
    out: list[str] = []
    for b in blocks:
        if isinstance(b, Item):
            out.extend(b.line.split("\n"))
        elif isinstance(b, str):
            out.append(b)
    return out


def write_txt(m: ModuleType, path: Path, encoding: str) -> str:
    text = "\n".join(_lines(m.BLOCKS)) + "\n"
    path.write_bytes(text.encode(encoding))
    return text


def _docx_table(doc: object, t: Table) -> None:
    ncol = len(t.header)
    table = doc.add_table(rows=1 + len(t.rows), cols=ncol)  # type: ignore[attr-defined]
    table.style = "Table Grid"
    for c, h in enumerate(t.header):
        table.cell(0, c).text = h
    for r, rw in enumerate(t.rows, start=1):
        if isinstance(rw, str):
            merged = table.cell(r, 0).merge(table.cell(r, ncol - 1))
            merged.text = rw
            continue
        for c, v in enumerate(rw.cells):
            if v:
                table.cell(r, c).text = v
    for r, rw in enumerate(t.rows, start=1):
        if isinstance(rw, Row):
            for c, k in rw.span.items():
                table.cell(r, c).merge(table.cell(r + k - 1, c))


def write_docx(m: ModuleType, path: Path) -> str:
    import docx

    doc = docx.Document()
    for b in m.BLOCKS:
        if isinstance(b, Table):
            _docx_table(doc, b)
        elif isinstance(b, Item):
            first, *rest = b.line.split("\n")
            doc.add_paragraph(first, style="List Number" if b.marker == "#" else None)
            for line in rest:
                doc.add_paragraph(line)
        else:
            doc.add_paragraph(b)
    doc.save(str(path))
    return "\n".join(_lines(m.BLOCKS) + [c for t in m.BLOCKS if isinstance(t, Table) for c in _cells(t)])


def _cells(t: Table) -> list[str]:
    return [c for rw in t.rows if isinstance(rw, Row) for c in rw.cells] + [rw for rw in t.rows if isinstance(rw, str)]


def _html_table(t: Table) -> str:
    ncol = len(t.header)
    out = [
        '<table border="1" cellspacing="0" cellpadding="4" class="MsoTableGrid">',
        "<tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in t.header) + "</tr>",
    ]
    skip: dict[int, int] = {}
    for rw in t.rows:
        if isinstance(rw, str):
            out.append(f'<tr><td colspan="{ncol}"><strong>{html.escape(rw)}</strong></td></tr>')
            continue
        cells = []
        for c, v in enumerate(rw.cells):
            if skip.get(c, 0) > 0:
                skip[c] -= 1
                continue
            span = rw.span.get(c)
            attr = f' rowspan="{span}"' if span else ""
            if span:
                skip[c] = span - 1
            cells.append(f"<td{attr}>{'<br/>'.join(html.escape(x) for x in v.split(chr(10)))}</td>")
        out.append("<tr>" + "".join(cells) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def write_html(m: ModuleType, path: Path) -> str:
    body = []
    for b in m.BLOCKS:
        if isinstance(b, Table):
            body.append(_html_table(b))
        else:
            for line in (b.line if isinstance(b, Item) else b).split("\n"):
                body.append(f'<p style="text-indent:2em">{html.escape(line)}</p>')
    top = "\n".join(f'<div class="nav">{html.escape(x)}</div>' for x in m.CHROME_TOP)
    bottom = "\n".join(f'<div class="footer-line">{html.escape(x)}</div>' for x in m.CHROME_BOTTOM)
    title = html.escape(_lines(m.BLOCKS)[0])
    page = (
        f'<!DOCTYPE html>\n<html lang="zh-CN"><head><meta charset="utf-8"><title>{title}</title></head>\n<body>\n'
        f'<div class="header">\n{top}\n</div>\n<div class="main"><div class="article-content" id="zoom">\n'
        + "\n".join(body)
        + f'\n</div></div>\n<div class="footer">\n{bottom}\n</div>\n</body></html>\n'
    )
    path.write_text(page, encoding="utf-8")
    return page.replace("<br/>", "\n")


def write_xlsx(m: ModuleType, path: Path) -> str:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "任务台账"
    t: Table = m.TABLE
    ncol = len(t.header)
    ws.append([m.TITLE] + [None] * (ncol - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
    ws.append(t.header)
    for rw in t.rows:
        r = ws.max_row + 1
        if isinstance(rw, str):
            ws.cell(r, 1, rw)
            ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=ncol)
            continue
        for c, v in enumerate(rw.cells, start=1):
            if v:
                ws.cell(r, c, int(v) if c == 1 else v)
    r = 3
    for rw in t.rows:
        if isinstance(rw, Row):
            for c, k in rw.span.items():
                ws.merge_cells(start_row=r, start_column=c + 1, end_row=r + k - 1, end_column=c + 1)
        r += 1
    wb.save(str(path))
    return m.TITLE + "\n" + "\n".join(_cells(t))


def entries(m: ModuleType) -> list[Entry]:
    out: list[Entry] = []
    for b in m.BLOCKS:
        if isinstance(b, Item) and b.entry is not None:
            out.append(b.entry)
        elif isinstance(b, Table):
            out.extend(rw.entry for rw in b.rows if isinstance(rw, Row) and rw.entry is not None)
    return out


def main() -> None:
    DOCS.mkdir(exist_ok=True)
    rows: list[dict[str, object]] = []
    for name in MODULES:
        m = importlib.import_module(name)
        path = DOCS / m.NAME
        fmt = m.FMT
        if fmt == "txt":
            text = write_txt(m, path, "utf-8")
        elif fmt == "txt-gb18030":
            text = write_txt(m, path, "gb18030")
        elif fmt == "docx":
            text = write_docx(m, path)
        elif fmt == "html":
            text = html.unescape(write_html(m, path))
        elif fmt == "xlsx":
            text = write_xlsx(m, path)
        else:
            raise ValueError(f"unknown format {fmt!r}; allowed: txt, txt-gb18030, docx, html, xlsx")
        seen: set[str] = set()
        for e in entries(m):
            assert e.prefix in text, (m.NAME, e.prefix)
            assert e.prefix not in seen, (m.NAME, e.prefix)
            seen.add(e.prefix)
            starts = [
                ln
                for ln in _lines(m.BLOCKS)
                if ln.lstrip("0123456789.．、（）()一二三四五六七八九十").startswith(e.prefix)
            ]
            if len(starts) > 1:
                print(f"warning: {m.NAME}: prefix {e.prefix!r} starts {len(starts)} lines")
            rows.append(e.row(m.NAME, m.LAYOUT, DL25))
    with (HERE / "fields.jsonl").open("w", encoding="utf-8") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    tasks = sum(bool(r["task"]) for r in rows)
    print(f"{len(MODULES)} documents, {len(rows)} entries, {tasks} tasks, {len(rows) - tasks} not-task")


if __name__ == "__main__":
    main()
