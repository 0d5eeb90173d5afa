"""Write the blind gold documents and fields.jsonl from the annotated specs.

Run from the repository root: ``python tests/gold_blind/make_gold.py``. It rewrites the files in
``tests/gold_blind/docs/`` and ``tests/gold_blind/fields.jsonl``. The annotation lives beside the text
in ``docs_*.py`` (each paragraph written together with what a reader takes from it).
"""

from __future__ import annotations

import html
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import docx  # noqa: E402
import openpyxl  # noqa: E402
from docs_extra import doc_m  # noqa: E402
from docs_pdf_html import doc_i, doc_j  # noqa: E402
from docs_prose import doc_d, doc_k, doc_l  # noqa: E402
from docs_sheets import doc_h  # noqa: E402
from docs_tables import Table, doc_e, doc_f, doc_g  # noqa: E402
from docs_text import doc_a, doc_b, doc_c  # noqa: E402
from reportlab.pdfbase import pdfmetrics  # noqa: E402
from reportlab.pdfbase.cidfonts import UnicodeCIDFont  # noqa: E402
from reportlab.pdfgen import canvas  # noqa: E402
from spec import Doc, Item  # noqa: E402

OUT = HERE / "docs"


def paragraphs(doc: Doc) -> list[str]:
    """The document's paragraphs in order (label lines split off)."""
    out: list[str] = []
    for line in doc.lines:
        out.extend((line.rendered() if isinstance(line, Item) else line).split("\n"))
    return out


def write_txt(doc: Doc) -> None:
    (OUT / doc.name).write_text("\n".join(paragraphs(doc)) + "\n", encoding="utf-8")


def _docx_table(document: docx.document.Document, table: Table) -> None:
    ncol = len(table.header)
    t = document.add_table(rows=1, cols=ncol)
    t.style = "Table Grid"
    for j, h in enumerate(table.header):
        t.rows[0].cells[j].text = h
    for r in table.rows:
        cells = t.add_row().cells
        if isinstance(r, str):
            # a category row: one cell merged across the whole table
            merged = cells[0].merge(cells[-1])
            merged.text = r
            continue
        for j, value in enumerate(r.cells):
            cells[j].text = value or ""
    # vertical merges: a run of None cells joins the filled cell above it (one merge per run)
    for j in range(ncol):
        i = 1
        while i <= len(table.rows):
            r = table.rows[i - 1]
            end = i
            while end < len(table.rows) and _is_none(table.rows[end], j):
                end += 1
            if end > i:
                merged = t.cell(i, j).merge(t.cell(end, j))
                for para in merged.paragraphs[1:]:
                    if not para.text:
                        para._element.getparent().remove(para._element)
            i = end + 1 if end > i else i + 1
            del r


def _is_none(r: Item | str, j: int) -> bool:
    return isinstance(r, Item) and r.cells[j] is None


def write_docx(doc: Doc, tables: list[Table]) -> None:
    document = docx.Document()
    queue = list(tables)
    for p in paragraphs(doc):
        if p == "__TABLE__":
            _docx_table(document, queue.pop(0))
        else:
            document.add_paragraph(p)
    document.save(str(OUT / doc.name))


def write_xlsx(name: str, tables: list[Table]) -> None:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for table in tables:
        ws = wb.create_sheet(table.sheet)
        ncol = len(table.header)
        ws.cell(1, 1, table.title)
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=ncol)
        for j, h in enumerate(table.header, start=1):
            ws.cell(2, j, h)
        for i, r in enumerate(table.rows, start=3):
            assert isinstance(r, Item)
            for j, value in enumerate(r.cells, start=1):
                if value:
                    ws.cell(i, j, value)
    wb.save(str(OUT / name))


def _wrap(text: str, width: int) -> list[str]:
    """Cut a paragraph into lines; closing punctuation never opens a line (Chinese typesetting)."""
    lines: list[str] = []
    rest = text
    while len(rest) > width:
        cut = width
        while cut < len(rest) and rest[cut] in "，。；、：）》”！？":
            cut += 1
        lines.append(rest[:cut])
        rest = rest[cut:]
    return [*lines, rest] if rest or not lines else lines


def write_pdf(doc: Doc, header: str, width: int = 36) -> None:
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    c = canvas.Canvas(str(OUT / doc.name))
    page = [1]
    y = [780.0]

    def chrome() -> None:
        c.setFont("STSong-Light", 9)
        c.drawString(60, 810, header)
        c.drawCentredString(297, 30, f"— {page[0]} —")
        c.setFont("STSong-Light", 12)

    chrome()
    for p in paragraphs(doc):
        # wrap long paragraphs as a typeset page does; the first line is indented by position
        lines = _wrap(p, width)
        for n, line in enumerate(lines):
            if y[0] < 60:
                c.showPage()
                page[0] += 1
                y[0] = 780.0
                chrome()
            c.drawString(84 if n == 0 else 60, y[0], line)
            y[0] -= 20
        y[0] -= 4
    c.save()


def write_html(doc: Doc) -> None:
    paras = paragraphs(doc)
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paras[1:])
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{paras[0]}_西城镇人民政府</title></head>
<body>
<div class="header"><a href="/">首页</a> <a href="/zwgk">政务公开</a>
<a href="/bsfw">办事服务</a> <a href="/hdjl">互动交流</a></div>
<div class="position">当前位置：首页 &gt; 政务公开 &gt; 计划总结</div>
<div class="article">
<h1>{paras[0]}</h1>
<div class="info">发布时间：2024-03-18 来源：西城镇人民政府 浏览次数：126</div>
<div class="content">
{body}
</div>
<div class="share">分享到：微信 微博</div>
<div class="tools">【打印本页】【关闭窗口】</div>
</div>
<div class="links">相关链接：<a href="#">国务院</a> <a href="#">省人民政府</a></div>
<div class="footer">版权所有：西城镇人民政府 主办单位：西城镇党政办 备案号：某ICP备12345678号</div>
</body></html>
"""
    (OUT / doc.name).write_text(page, encoding="utf-8")


def gold_lines(name: str, layout: str, items: list[Item]) -> list[str]:
    """One JSON line per annotated paragraph or row, checking each prefix finds its own item."""
    out = []
    for k, item in enumerate(items):
        prefix = item.prefix()
        first = next(i for i, other in enumerate(items) if other.body.startswith(prefix))
        if first != k:
            raise SystemExit(f"{name}: prefix {prefix!r} also starts an earlier item")
        record: dict[str, object] = {
            "source": name,
            "prefix": prefix,
            "lead_units": list(item.lead),
            "units": list(item.units),
            "deadline": item.due.text if item.due else None,
            "deadline_date": item.due.date if item.due else None,
            "kind": item.due.kind if item.due else None,
            "layout": item.layout or layout,
            "task": item.task,
        }
        if item.note:
            record["note"] = item.note
        out.append(json.dumps(record, ensure_ascii=False))
    return out


def main() -> None:
    OUT.mkdir(exist_ok=True)
    records: list[str] = []
    for doc in (doc_a(), doc_b(), doc_c(), doc_d(), doc_l(), doc_k()):
        write_txt(doc)
        records += gold_lines(doc.name, doc.layout, [x for x in doc.lines if isinstance(x, Item)])
    for doc, tables in (doc_e(), doc_f(), doc_g()):
        write_docx(doc, tables)
        items = [x for x in doc.lines if isinstance(x, Item)]
        rows = [r for t in tables for r in t.rows if isinstance(r, Item)]
        records += gold_lines(doc.name, doc.layout, rows + items)
    plain = doc_m()
    write_docx(plain, [])
    records += gold_lines(plain.name, plain.layout, [x for x in plain.lines if isinstance(x, Item)])
    name, sheets = doc_h()
    write_xlsx(name, sheets)
    records += gold_lines(name, "H", [r for t in sheets for r in t.rows if isinstance(r, Item)])
    pdf = doc_i()
    write_pdf(pdf, "兴安县人民政府办公室 兴政办发〔2024〕15号")
    records += gold_lines(pdf.name, pdf.layout, [x for x in pdf.lines if isinstance(x, Item)])
    page = doc_j()
    write_html(page)
    records += gold_lines(page.name, page.layout, [x for x in page.lines if isinstance(x, Item)])
    (HERE / "fields.jsonl").write_text("\n".join(records) + "\n", encoding="utf-8")
    print(f"{len(records)} gold entries written")


if __name__ == "__main__":
    main()
