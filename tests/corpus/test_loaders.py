"""Loaders: real files of each format, written by the tests, read back into text."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml import parse_xml
from docx.table import Table
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from corpus import BUNDLED_CORPUS_DIR
from corpus.errors import CorruptDocumentError, DocumentError, EmptyDocumentError, UnsupportedFormatError
from corpus.loaders import SUPPORTED_SUFFIXES, LoadedText, load_bytes, load_path
from corpus.loaders.tables import GridCell, render_table

BUNDLED = sorted(BUNDLED_CORPUS_DIR.glob("*.txt"))

# ---------------------------------------------------------------- dispatch


def test_bundled_corpus_has_five_files() -> None:
    assert len(BUNDLED) == 5


@pytest.mark.parametrize("path", BUNDLED, ids=lambda p: p.name)
def test_bundled_txt_loads_identical_to_its_utf8_decoding(path: Path) -> None:
    # clause character spans refer to this text, so not one character may change
    loaded = load_path(path)
    assert loaded == LoadedText(source=path.name, text=path.read_bytes().decode("utf-8"), format="txt")


@pytest.mark.parametrize("name", ["plan.pages", "plan.numbers", "plan", "plan.txt.bak"])
def test_unsupported_suffix_names_it_and_the_allowed_ones(name: str) -> None:
    with pytest.raises(UnsupportedFormatError) as err:
        load_bytes("一、总体要求".encode(), name)
    message = str(err.value)
    assert name in message
    assert all(suffix in message for suffix in SUPPORTED_SUFFIXES)


def test_load_path_rejects_an_unsupported_suffix_before_reading(tmp_path: Path) -> None:
    with pytest.raises(UnsupportedFormatError, match=r"'\.pages'"):
        load_path(tmp_path / "missing.pages")  # does not exist: the suffix is checked first


def test_suffix_is_case_insensitive_and_source_is_the_file_name() -> None:
    loaded = load_bytes("一、总体要求".encode(), "uploads/2020/方案.TXT")
    assert (loaded.source, loaded.format, loaded.text) == ("方案.TXT", "txt", "一、总体要求")
    assert load_bytes(b"<p>ok</p>", "page.HtM").format == "html"


# ---------------------------------------------------------------- txt


def test_txt_bom_and_line_endings() -> None:
    data = b"\xef\xbb\xbf" + "一、总体要求\r\n（一）目标\r牵头单位：市商务局\n".encode()
    assert load_bytes(data, "a.txt").text == "一、总体要求\n（一）目标\n牵头单位：市商务局\n"


def test_txt_keeps_spacing_and_blank_lines() -> None:
    text = "　　为认真贯彻落实，制定本方案。\n\n牵头单位：市科技局  责任单位：市公安局 \n"
    assert load_bytes(text.encode(), "a.txt").text == text


def test_gbk_txt(tmp_path: Path) -> None:
    text = "咸宁市复制推广工作方案\n牵头单位：市发改委\n完成时限：2020年底前"
    path = tmp_path / "gbk.txt"
    path.write_bytes(text.encode("gbk"))
    assert load_path(path).text == text


def test_txt_with_one_stray_control_character_is_text() -> None:
    text = "一、总体要求\n" + "为认真贯彻落实，制定本方案。" * 100 + "\x08\n"  # pasted from a word processor
    assert load_bytes(text.encode(), "a.txt").text == text


def test_gbk_txt_cut_in_the_middle_of_a_character_keeps_its_text() -> None:
    text = BUNDLED[0].read_text(encoding="utf-8")[:3000]
    loaded = load_bytes(text.encode("gbk")[:-1], "cut.txt").text  # last character loses a byte
    assert loaded == text[:-1] + "\ufffd"


def test_gb18030_only_characters() -> None:
    text = "𠮷野家与㐀字的方案"  # outside GBK: only GB18030 encodes them
    assert load_bytes(text.encode("gb18030"), "a.txt").text == text


@pytest.mark.parametrize(
    "data",
    [b"\x00\x01\x02\x03binary", "正文\x00正文".encode(), b"abc\x01\x02def", b"\xef\xbb\xbf\xff\xfe"],
    ids=["nul", "nul-in-utf8", "control", "bom-then-junk"],
)
def test_binary_txt_is_corrupt(data: bytes) -> None:
    with pytest.raises(CorruptDocumentError, match=r"a\.txt"):
        load_bytes(data, "a.txt")


@pytest.mark.parametrize("data", [b"", b"   \n\r\n\t", "　\n".encode()])
def test_blank_txt_is_empty(data: bytes) -> None:
    with pytest.raises(EmptyDocumentError, match=r"a\.txt"):
        load_bytes(data, "a.txt")


# ---------------------------------------------------------------- docx


def _docx_bytes(document: docx.document.Document) -> bytes:
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _task_table(document: docx.document.Document) -> Table:
    header = ["序 号", "重点任务", "具体措施", "牵头单位", "配合单位", "完成时限"]
    rows = [
        ["一、优化企业开办", "", "", "", "", ""],  # a section row, merged across the table below
        ["1", "优化企业开办", "推行全程网办。", "市市场监管局", "市税务局", "2020年底前"],
        ["2", "", "压缩开办时间", "同上", "市人社局、市公安局", "同上。"],
        ["", "", "", "", "", ""],
        ["3", "提升跨境贸易便利化", "", "武汉海关", "", "持续推进"],
    ]
    table = document.add_table(rows=1 + len(rows), cols=len(header))
    for cell, text in zip(table.rows[0].cells, header, strict=True):
        cell.text = text
    for row, values in zip(table.rows[1:], rows, strict=True):
        for cell, text in zip(row.cells, values, strict=True):
            cell.text = text
    table.cell(1, 0).merge(table.cell(1, 5))  # section row spans all columns
    table.cell(2, 1).merge(table.cell(3, 1))  # the task spans items 1 and 2 (vertical merge)
    table.cell(5, 1).merge(table.cell(5, 2))  # task and measure in one cell (horizontal merge)
    return table


def test_docx_paragraphs_and_task_table_in_document_order() -> None:
    document = docx.Document()
    document.add_paragraph("岳阳市优化营商环境工作方案")
    document.add_paragraph("")
    document.add_paragraph("一、主要任务")
    _task_table(document)
    document.add_paragraph("二、保障措施")
    text = load_bytes(_docx_bytes(document), "plan.docx").text
    assert text == (
        "岳阳市优化营商环境工作方案\n"
        "\n"
        "一、主要任务\n"
        "\n"
        "一、优化企业开办\n"
        "1.优化企业开办。推行全程网办。\n"
        "牵头单位：市市场监管局\n"
        "配合单位：市税务局\n"
        "完成时限：2020年底前\n"
        "2.优化企业开办。压缩开办时间\n"
        "牵头单位：市市场监管局\n"
        "配合单位：市人社局、市公安局\n"
        "完成时限：2020年底前\n"
        "3.提升跨境贸易便利化\n"
        "牵头单位：武汉海关\n"
        "完成时限：持续推进\n"
        "\n"
        "二、保障措施"
    )


def test_docx_table_without_header_keeps_every_cell() -> None:
    document = docx.Document()
    table = document.add_table(rows=2, cols=3)
    values = [["名称", "地址", "电话"], ["市商务局", "岳阳大道1号", "8888"]]
    for row, texts in zip(table.rows, values, strict=True):
        for cell, text in zip(row.cells, texts, strict=True):
            cell.text = text
    table.cell(0, 1).merge(table.cell(0, 2))
    text = load_bytes(_docx_bytes(document), "t.docx").text
    assert text == "名称  地址 电话\n市商务局  岳阳大道1号  8888"  # merging joins the two paragraphs


def test_docx_row_index_numbers_items_without_number_column() -> None:
    document = docx.Document()
    table = document.add_table(rows=3, cols=3)
    values = [
        ["工作任务", "责任部门", "时间节点"],
        ["建设单一窗口", "市口岸办", "6月底前"],
        ["推广电子退税", "市税务局", ""],
    ]
    for row, texts in zip(table.rows, values, strict=True):
        for cell, text in zip(row.cells, texts, strict=True):
            cell.text = text
    text = load_bytes(_docx_bytes(document), "t.docx").text
    assert text == "1.建设单一窗口\n责任部门：市口岸办\n时间节点：6月底前\n2.推广电子退税\n责任部门：市税务局"


def test_docx_automatic_numbering_is_written_out() -> None:
    document = docx.Document()
    numbering = document.part.numbering_part.element
    numbering.insert(
        0,
        parse_xml(
            '<w:abstractNum xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
            ' w:abstractNumId="90"><w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/>'
            '<w:lvlText w:val="%1、"/></w:lvl><w:lvl w:ilvl="1"><w:start w:val="1"/>'
            '<w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/></w:lvl></w:abstractNum>'
        ),
    )
    numbering.append(
        parse_xml(
            '<w:num xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" w:numId="90">'
            '<w:abstractNumId w:val="90"/></w:num>'
        )
    )
    for text, level in [("总体要求", 0), ("主要任务", 0), ("优化审批", 1), ("强化监管", 1), ("保障措施", 0)]:
        p = document.add_paragraph(text)
        p._p.get_or_add_pPr().append(
            parse_xml(
                '<w:numPr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
                f'<w:ilvl w:val="{level}"/><w:numId w:val="90"/></w:numPr>'
            )
        )
    text = load_bytes(_docx_bytes(document), "n.docx").text
    assert text == "一、总体要求\n二、主要任务\n（一）优化审批\n（二）强化监管\n三、保障措施"


def test_docx_without_text_is_empty() -> None:
    document = docx.Document()
    document.add_paragraph("  ")
    with pytest.raises(EmptyDocumentError, match=r"empty\.docx"):
        load_bytes(_docx_bytes(document), "empty.docx")


def _zip_bytes(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    return out.getvalue()


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"this is not a zip archive", "not a ZIP"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, r"old binary Word \(\.doc\)"),
        (_zip_bytes({"hello.txt": b"hi"}), "cannot read DOCX"),
        (_zip_bytes({"[Content_Types].xml": b"<Types"}), "cannot read DOCX"),
    ],
    ids=["not-zip", "old-doc", "zip-not-docx", "broken-xml"],
)
def test_corrupt_docx(data: bytes, reason: str) -> None:
    with pytest.raises(CorruptDocumentError, match=reason) as err:
        load_bytes(data, "bad.docx")
    assert "bad.docx" in str(err.value)


def test_truncated_docx_is_corrupt() -> None:
    document = docx.Document()
    document.add_paragraph("一、总体要求")
    data = _docx_bytes(document)
    with pytest.raises(CorruptDocumentError, match=r"cut\.docx"):
        load_bytes(data[: len(data) // 2], "cut.docx")


# ---------------------------------------------------------------- html

PAGE = """<!DOCTYPE html>
<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312">
<title>实施方案_通知公告_岳阳市人民政府</title><style>p {{ color: red }}</style></head>
<body>
<div class="top">网站首页 | 政务公开 | 办事服务</div>
<nav><a href="/">首页</a> <a href="/zwgk">政务公开</a><script>alert(1)</script></nav>
<div class="main-box">
  <div class="crumb">当前位置: 首页 &gt; 政务公开 &gt; 通知公告</div>
  <h1>中国(湖南)自由贸易试验区岳阳片区实施方案</h1>
  <div class="info">编稿时间: 2021-01-19 19:28 来源: 岳阳市商务粮食局 浏览: <span id="n">128</span></div>
  <div class="font">【字体：<a>大</a> <a>中</a> <a>小</a>】</div>
  <div id="zoom" class="TRS_Editor">
    <p>&nbsp;&nbsp;为认真贯彻落实《总体方案》(国发〔2020〕10号)，制定本实施方案。</p>
    <p>一、总体目标</p><!-- a comment is not text -->
    <p>示例代码 &lt;script&gt;alert(1)&lt;/script&gt; 只是文字。</p>
    <p>(一)加快<b>通关</b>便利化<br>牵头单位:市商务粮食局&nbsp;&nbsp;责任单位:岳阳海关</p>
    {table}
  </div>
  <div class="tools">[打印本页] [关闭窗口]</div>
  <div>上一篇：关于开展评估的通知</div>
</div>
<footer>主办单位：岳阳市人民政府办公室</footer>
</body></html>
"""

TABLE = """<table border="1">
  <tr><th>序号</th><th>改革事项</th><th>主要措施</th><th>牵头部门</th><th>协办单位</th><th>完成时间</th></tr>
  <tr><td>1</td><td rowspan="2">企业开办</td><td>全程网办</td><td>市市场监管局</td><td>市税务局</td>
      <td>2021年6月底前</td></tr>
  <tr><td>2</td><td>一窗通办</td><td>同上</td><td>市公安局</td><td>持续推进</td></tr>
  <tr><td colspan="6">二、便利通关</td></tr>
  <tr><td>3</td><td colspan="2">推广提前申报</td><td>岳阳海关</td><td></td><td>同上</td></tr>
</table>"""


def test_html_keeps_content_drops_chrome_and_decodes_gb2312() -> None:
    data = PAGE.format(table=TABLE).encode("gbk")
    text = load_bytes(data, "yueyang.html").text
    assert text == (
        "中国(湖南)自由贸易试验区岳阳片区实施方案\n"
        "编稿时间: 2021-01-19 19:28 来源: 岳阳市商务粮食局\n"
        "为认真贯彻落实《总体方案》(国发〔2020〕10号)，制定本实施方案。\n"
        "一、总体目标\n"
        "示例代码 <script>alert(1)</script> 只是文字。\n"
        "(一)加快通关便利化\n"
        "牵头单位:市商务粮食局  责任单位:岳阳海关\n"
        "1.企业开办。全程网办\n"
        "牵头部门：市市场监管局\n"
        "协办单位：市税务局\n"
        "完成时间：2021年6月底前\n"
        "2.企业开办。一窗通办\n"
        "牵头部门：市市场监管局\n"
        "协办单位：市公安局\n"
        "完成时间：持续推进\n"
        "二、便利通关\n"
        "3.推广提前申报\n"
        "牵头部门：岳阳海关\n"
        "完成时间：持续推进"
    )


def test_html_script_in_page_is_dropped_escaped_script_in_content_is_text() -> None:
    text = load_bytes(PAGE.format(table="").encode("gbk"), "p.htm").text
    assert text.count("alert(1)") == 1
    assert "<script>alert(1)</script>" in text
    assert "color: red" not in text and "<p>" not in text and "首页" not in text


def test_html_without_content_container_reads_the_body() -> None:
    page = "<head><title>标题</title></head><p>第一条 总则</p><div>第二条 范围<br/>适用全市</div>"
    assert load_bytes(page.encode(), "b.html").text == "第一条 总则\n第二条 范围\n适用全市"


def test_html_title_outside_the_content_box_and_source_line_breaks() -> None:
    page = """<body><div class="head">市政府门户网站</div>
    <h1>关于优化营商环境的通知</h1>
    <div class="menu-main">首页 | 政务公开</div>
    <div id="zoom"><p>为认真贯彻
        落实省委部署，制定本方案。</p>
    <table><tr><td><table><tr><td>一、总体要求</td></tr></table></td><td><p>正文一</p></td></tr></table>
    </div></body>"""
    text = load_bytes(page.encode(), "t.html").text
    assert text == "关于优化营商环境的通知\n为认真贯彻落实省委部署，制定本方案。\n一、总体要求\n正文一"


def test_html_utf8_page_wrongly_declaring_gbk_still_reads() -> None:
    page = '<meta charset="gbk"><p>牵头单位：市商务局</p>'
    assert load_bytes(page.encode("utf-8"), "u.html").text == "牵头单位：市商务局"


def test_html_with_only_chrome_is_empty() -> None:
    page = "<body><nav>首页</nav><div>当前位置：首页 > 通知</div><div>【打印本页】【关闭窗口】</div></body>"
    with pytest.raises(EmptyDocumentError, match=r"chrome\.html"):
        load_bytes(page.encode(), "chrome.html")


# ---------------------------------------------------------------- pdf


def _cjk_font() -> str:
    """Register reportlab's built-in CID font (no system font needed) and return its name."""
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


def _pdf_bytes(pages: list[list[str]], footer: str = "- {n} -") -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    font = _cjk_font()
    for n, lines in enumerate(pages, start=1):
        pdf.setFont(font, 12)
        pdf.drawCentredString(297, 810, f"第{n}页")
        for i, line in enumerate(lines):
            pdf.drawString(72, 760 - 20 * i, line)
        pdf.drawCentredString(297, 40, footer.format(n=n))
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def test_pdf_text_layer_without_page_numbers_and_wrapped_lines_joined() -> None:
    full_lines = [  # 29 full-width characters each: these lines reach the right margin
        "为认真贯彻落实国务院关于自由贸易试验区建设的战略部署，结合",
        "（一）推行企业开办全程网办，压缩开办时间至三个工作日以内。",
        "（二）推进证照分离改革，实行告知承诺制，企业开办全流程实现",
    ]
    pages = [
        ["一、总体要求", full_lines[0], "实际，制定本方案。", "二、主要任务", full_lines[1], full_lines[2]],
        ["网上办理。", "牵头单位：市市场监管局", "完成时限：2020年底前", "三、保障措施"],
    ]
    text = load_bytes(_pdf_bytes(pages), "plan.pdf").text
    assert text == (
        "一、总体要求\n"
        "为认真贯彻落实国务院关于自由贸易试验区建设的战略部署，结合实际，制定本方案。\n"
        "二、主要任务\n"
        "（一）推行企业开办全程网办，压缩开办时间至三个工作日以内。\n"  # ends a sentence: kept
        "（二）推进证照分离改革，实行告知承诺制，企业开办全流程实现网上办理。\n"  # across the page break
        "牵头单位：市市场监管局\n"
        "完成时限：2020年底前\n"
        "三、保障措施"
    )


def test_pdf_bare_page_number_footer_is_dropped() -> None:
    text = load_bytes(_pdf_bytes([["第一条 总则"], ["第二条 范围"]], footer="{n}"), "p.pdf").text
    assert text == "第一条 总则\n第二条 范围"


def test_scanned_pdf_whose_ocr_finds_no_text_is_empty() -> None:
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdf.setFillGray(0.2)
    pdf.rect(72, 300, 400, 400, fill=1)  # a "scan": marks on the page, no text
    pdf.showPage()
    pdf.save()
    with pytest.raises(EmptyDocumentError, match=r"PDF has no readable text: scan\.pdf .*OCR found none"):
        load_bytes(out.getvalue(), "scan.pdf")


@pytest.mark.parametrize("data", [b"%PDF-1.4\n garbage", b"not a pdf", b""], ids=["junk", "text", "empty"])
def test_corrupt_pdf(data: bytes) -> None:
    with pytest.raises(CorruptDocumentError, match=r"bad\.pdf"):
        load_bytes(data, "bad.pdf")


# ---------------------------------------------------------------- tables


def _grid(rows: list[list[str]]) -> list[list[GridCell]]:
    return [[GridCell(object(), text) for text in row] for row in rows]


def test_table_header_with_notes_and_extra_columns() -> None:
    rows = [
        ["重点任务 ", "完成时限（年）：", "备注"],
        ["建设国际贸易单一窗口；", "2020年", "试点"],
    ]
    assert render_table(_grid(rows)) == ["1.建设国际贸易单一窗口；备注：试点", "完成时限：2020年"]


@pytest.mark.parametrize(("number", "mark"), [("3", "3."), ("三", "三、"), ("（一）", "（一）"), ("2、", "2、")])
def test_table_number_column_keeps_or_adds_its_mark(number: str, mark: str) -> None:
    rows = [["序号", "事项", "责任单位"], [number, "推广经验", "市商务局"]]
    assert render_table(_grid(rows))[0] == f"{mark}推广经验"


def test_table_two_row_header_and_ragged_rows() -> None:
    page = """<table>
    <tr><th rowspan="2">序号</th><th rowspan="2">重点任务</th><th colspan="2">责任单位</th><th>时限</th></tr>
    <tr><th>牵头单位</th><th>配合单位</th></tr>
    <tr><td>1</td><td>建设单一窗口</td><td>市口岸办</td><td>市商务局</td><td>2020年底前</td></tr>
    <tr><td>2</td><td>推广电子退税</td><td>市税务局</td><td></td><td></td><td>试点</td></tr>
    </table>"""
    assert load_bytes(page.encode(), "t.html").text.split("\n") == [
        "1.建设单一窗口",
        "牵头单位：市口岸办",
        "配合单位：市商务局",
        "时限：2020年底前",
        "2.推广电子退税。试点",  # a cell past the header's last column is kept
        "牵头单位：市税务局",
    ]


def test_table_caption_row_above_the_header_is_kept() -> None:
    caption = GridCell(object(), "2020年重点任务清单")
    rows = [[caption, caption], *_grid([["任务", "牵头单位"], ["推广经验", "市商务局"]])]
    assert render_table(rows) == ["2020年重点任务清单", "1.推广经验", "牵头单位：市商务局"]


# ---------------------------------------------------------------- untrusted input


def _valid_files() -> dict[str, bytes]:
    document = docx.Document()
    document.add_paragraph("一、总体要求")
    _task_table(document)
    return {
        ".docx": _docx_bytes(document),
        ".pdf": _pdf_bytes([["一、总体要求", "牵头单位：市商务局"]]),
        ".html": PAGE.format(table=TABLE).encode("gbk"),
    }


VALID = _valid_files()


def _check_contract(data: bytes, suffix: str) -> None:
    """load_bytes returns non-blank text or raises a DocumentError, never anything else."""
    try:
        loaded = load_bytes(data, "fuzz" + suffix)
    except DocumentError:
        return
    assert loaded.text.strip()
    assert loaded.format == {".htm": "html"}.get(suffix, suffix[1:])


@pytest.mark.parametrize("suffix", SUPPORTED_SUFFIXES)
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.binary(max_size=2048))
def test_arbitrary_bytes_load_or_raise_a_document_error(suffix: str, data: bytes) -> None:
    _check_contract(data, suffix)


@pytest.mark.parametrize("suffix", sorted(VALID))
@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.floats(0, 1, exclude_max=True), st.binary(min_size=1, max_size=8)), max_size=4))
def test_damaged_files_load_or_raise_a_document_error(suffix: str, edits: list[tuple[float, bytes]]) -> None:
    data = bytearray(VALID[suffix])
    for where, junk in edits:
        at = int(where * len(data))
        data[at : at + len(junk)] = junk
    _check_contract(bytes(data), suffix)
