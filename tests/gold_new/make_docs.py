"""Write the second gold set: the documents in tests/gold_new/docs and tests/gold_new/fields.jsonl.

Deterministic: running it twice gives byte-identical files (fixed zip timestamps, fixed document
properties, reportlab's invariant mode). Run from the repository root:

    python tests/gold_new/make_docs.py
"""

from __future__ import annotations

import html
import io
import json
import re
import sys
import zipfile
from datetime import datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import spec_a  # noqa: E402
import spec_b  # noqa: E402
import spec_c  # noqa: E402
import spec_tables  # noqa: E402
from gen_core import G, TextDoc, with_prefixes  # noqa: E402
from spec_tables import Table, TableDoc  # noqa: E402

DOCS = HERE / "docs"
FIXED = datetime(2024, 1, 1, 0, 0, 0)


def _fixed_zip(data: bytes) -> bytes:
    """Rewrite a zip (docx / xlsx) with a fixed timestamp on every member, so the bytes are stable."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            member = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            member.compress_type = zipfile.ZIP_DEFLATED
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                # openpyxl stamps the save time into dcterms:modified whatever the properties say.
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2024-01-01T00:00:00Z", data)
            dst.writestr(member, data)
    return out.getvalue()


def write_txt(doc: TextDoc) -> bytes:
    return doc.text().encode("utf-8")


def _docx_core(document: object) -> None:
    props = document.core_properties  # type: ignore[attr-defined]
    props.created = FIXED
    props.modified = FIXED
    props.last_modified_by = "gold"
    props.author = "gold"


def write_docx_paragraphs(doc: TextDoc) -> bytes:
    import docx

    document = docx.Document()
    _docx_core(document)
    for line in doc.lines:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return _fixed_zip(buf.getvalue())


def _docx_table(document: object, t: Table) -> None:
    ncols = len(t.header)
    table = document.add_table(rows=0, cols=ncols)  # type: ignore[attr-defined]
    table.style = "Table Grid"
    body_rows: list[object] = []
    for entry in [("header",), *t.body]:
        cells = table.add_row().cells
        if entry[0] == "header":
            for c, h in zip(cells, t.header, strict=True):
                c.text = h
        elif entry[0] == "cat":
            merged = cells[0].merge(cells[-1])
            merged.text = str(entry[1])
        else:
            values = entry[1]
            assert isinstance(values, list)
            for c, v in zip(cells, values, strict=True):
                c.text = str(v)
            body_rows.append(table.rows[-1])
    # Vertical merges: keep the text in the first row only, then merge the column down.
    for col, first, last in t.vmerge:
        top = body_rows[first].cells[col]  # type: ignore[attr-defined]
        for i in range(first + 1, last + 1):
            body_rows[i].cells[col].text = ""  # type: ignore[attr-defined]
        merged = top.merge(body_rows[last].cells[col])  # type: ignore[attr-defined]
        # python-docx keeps the emptied cells' paragraphs; Word's own merge leaves one paragraph.
        for para in merged.paragraphs[1:]:
            if not para.text:
                para._element.getparent().remove(para._element)


def write_docx_tables(doc: TableDoc) -> bytes:
    import docx

    document = docx.Document()
    _docx_core(document)
    for line in doc.before:
        document.add_paragraph(line)
    for t in doc.tables:
        _docx_table(document, t)
    for line, _ in doc.after:
        document.add_paragraph(line)
    buf = io.BytesIO()
    document.save(buf)
    return _fixed_zip(buf.getvalue())


def write_xlsx(doc: TableDoc) -> bytes:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for n, t in enumerate(doc.tables):
        ws = wb.create_sheet(t.title)
        ncols = len(t.header)
        if n == 0:
            for line in doc.before:
                ws.append([line] + [None] * (ncols - 1))
                ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=ncols)
        ws.append(t.header)
        for entry in t.body:
            if entry[0] == "cat":
                ws.append([entry[1]] + [None] * (ncols - 1))
                ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=ncols)
            elif entry[0] == "row":
                values = entry[1]
                assert isinstance(values, list)
                ws.append([int(v) if v.isdigit() else v for v in values])
    wb.properties.created = FIXED
    wb.properties.modified = FIXED
    wb.properties.creator = "gold"
    buf = io.BytesIO()
    wb.save(buf)
    return _fixed_zip(buf.getvalue())


def write_pdf(doc: TextDoc) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    body = ParagraphStyle("body", fontName="STSong-Light", fontSize=12, leading=20, wordWrap="CJK", spaceAfter=4)
    title = ParagraphStyle("title", parent=body, fontSize=16, leading=26, alignment=1)
    buf = io.BytesIO()
    pdf = SimpleDocTemplate(buf, pagesize=A4, invariant=1, title="gold", author="gold")
    story = [Paragraph(html.escape(line), title if i == 0 else body) for i, line in enumerate(doc.lines)]
    pdf.build(story)
    return buf.getvalue()


LINK2 = '<a href="/a/2.html">关于做好2024年老年人助餐服务工作的通知</a>'
TOOLS = '<a href="javascript:window.print()">打印本页</a>　<a href="javascript:window.close()">关闭窗口</a>'


def write_html(doc: TextDoc) -> bytes:
    """The document inside typical site chrome: breadcrumbs, meta line, related links, share, footer."""
    paras = "\n".join(f"<p>{html.escape(line)}</p>" for line in doc.lines[1:])
    page = f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>{html.escape(doc.lines[0])}_栖凤区人民政府</title></head>
<body>
<div class="header"><a href="/">栖凤区人民政府</a> <a href="/zwgk/">政务公开</a> <a href="/hdjl/">互动交流</a></div>
<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; 政策文件</div>
<div class="article">
<h1>{html.escape(doc.lines[0])}</h1>
<div class="meta">发布时间：2024-07-10　来源：区政府办公室　浏览次数：1268　字号：【大 中 小】</div>
<div class="content">
{paras}
</div>
<div class="related"><p>相关链接：<a href="/a/1.html">栖凤区“十四五”养老服务体系规划</a>　{LINK2}</p>
<p>政策解读：<a href="/a/3.html">一图读懂《关于加快推进养老服务体系建设的实施意见》</a></p></div>
<div class="tools">分享到：微信 微博 QQ空间　{TOOLS}</div>
</div>
<div class="footer"><p>主办：栖凤区人民政府办公室　承办：栖凤区大数据中心</p>
<p>网站标识码：3301990001　浙ICP备12345678号-1　浙公网安备33019902000123号</p></div>
</body></html>
"""
    return page.encode("utf-8")


def _chrome_gold(name: str) -> list[dict[str, object]]:
    """Site chrome of the HTML page must not become tasks (short prefixes: the loader may drop or respace it)."""
    chrome = [
        "当前位置",
        "相关链接",
        "政策解读",
        "分享到",
        "打印本页",
        "关闭窗口",
        "主办：栖凤区人民政府办公室",
        "网站标识码",
    ]
    note = "page chrome, not a task; prefix kept short on purpose"
    return [G(note=note).record(name, text, "h,m", task=False) for text in chrome]


def text_docs() -> list[TextDoc]:
    return [
        spec_a.doc01(),
        spec_a.doc02(),
        spec_a.doc03(),
        spec_a.doc04(),
        spec_c.doc09(),
        spec_c.doc10(),
        spec_b.doc11(),
        spec_b.doc12(),
        spec_b.doc13(),
        spec_b.doc14(),
        spec_c.doc15(),
        spec_b.doc16(),
        spec_b.doc17(),
    ]


def table_docs() -> list[TableDoc]:
    return [spec_tables.doc05(), spec_tables.doc06(), spec_tables.doc07(), spec_tables.doc08()]


def _check_text_doc(doc: TextDoc) -> None:
    """Every annotated text occurs in the document as the start of a line after its marker."""
    for rec in doc.gold:
        text = str(rec["text"])
        if not any(line.endswith(text) or text in line for line in doc.lines):
            raise SystemExit(f"{doc.name}: annotated text not in the document: {text}")


def build() -> tuple[dict[str, bytes], list[dict[str, object]]]:
    """Every document's bytes by file name, and the gold rows in file order."""
    files: dict[str, bytes] = {}
    records: list[dict[str, object]] = []
    for doc in text_docs():
        _check_text_doc(doc)
        suffix = Path(doc.name).suffix
        writer = {".txt": write_txt, ".docx": write_docx_paragraphs, ".pdf": write_pdf, ".html": write_html}[suffix]
        files[doc.name] = writer(doc)
        records.extend(doc.gold)
        if suffix == ".html":
            records.extend(_chrome_gold(doc.name))
    for tdoc in table_docs():
        writer2 = write_xlsx if tdoc.name.endswith(".xlsx") else write_docx_tables
        files[tdoc.name] = writer2(tdoc)
        records.extend(tdoc.gold())
    records.sort(key=lambda r: str(r["source"])[:2])
    return files, with_prefixes(records)


def main() -> None:
    files, rows = build()
    DOCS.mkdir(exist_ok=True)
    for name, data in files.items():
        (DOCS / name).write_bytes(data)
    with (HERE / "fields.jsonl").open("w", encoding="utf-8") as f:
        for row in rows:
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    tasks = sum(1 for r in rows if r["task"])
    print(f"{len(files)} documents, {tasks} task clauses, {len(rows) - tasks} non-task entries")


if __name__ == "__main__":
    main()
