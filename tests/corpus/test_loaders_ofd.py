"""OFD (GB/T 33190) files: the text layer of each page, built in the test as the standard lays it out."""

from __future__ import annotations

import io
import zipfile

import pytest

from corpus.errors import CorruptDocumentError, EmptyDocumentError, PageCountError
from corpus.limits import ReadLimits
from corpus.loaders import load_bytes

NS = "http://www.ofdspec.org/2016"


def _page(lines: list[tuple[float, list[tuple[float, str]]]]) -> str:
    """A Content.xml: per line (y in mm, runs of (x, text)), one TextObject per run."""
    objects = []
    for y, runs in lines:
        for x, text in runs:
            objects.append(
                f'<ofd:TextObject ID="1" Boundary="{x} {y} {len(text) * 4.2} 6" Font="1" Size="4.2">'
                f'<ofd:TextCode X="0" Y="4.5" DeltaX="g {len(text) - 1} 4.2">{text}</ofd:TextCode></ofd:TextObject>'
            )
    layer = f'<ofd:Layer ID="0">{"".join(objects)}</ofd:Layer>'
    return f'<ofd:Page xmlns:ofd="{NS}"><ofd:Content>{layer}</ofd:Content></ofd:Page>'


def _ofd(pages: list[str], doc_root: str = "Doc_0/Document.xml") -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "OFD.xml",
            f'<ofd:OFD xmlns:ofd="{NS}" Version="1.0" DocType="OFD"><ofd:DocBody>'
            "<ofd:DocInfo><ofd:DocID>x</ofd:DocID></ofd:DocInfo>"
            f"<ofd:DocRoot>{doc_root}</ofd:DocRoot></ofd:DocBody></ofd:OFD>",
        )
        listed = "".join(f'<ofd:Page ID="{i}" BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages)))
        archive.writestr(
            "Doc_0/Document.xml", f'<ofd:Document xmlns:ofd="{NS}"><ofd:Pages>{listed}</ofd:Pages></ofd:Document>'
        )
        for i, page in enumerate(pages):
            archive.writestr(f"Doc_0/Pages/Page_{i}/Content.xml", page)
    return out.getvalue()


def test_ofd_text_layer_in_reading_order_runs_of_a_line_joined() -> None:
    page1 = _page(
        [
            (40, [(25, "一、总体要求")]),
            (60, [(60, "全程网办。"), (25, "推行企业开办")]),  # two runs of one line, written right first
            (80, [(25, "牵头单位：市市场监管局")]),
        ]
    )
    page2 = _page([(40, [(25, "完成时限：2021年6月底前")]), (280, [(100, "- 2 -")])])
    loaded = load_bytes(_ofd([page1, page2]), "通知.ofd")
    assert loaded.format == "ofd"
    assert loaded.text == "一、总体要求\n推行企业开办全程网办。\n牵头单位：市市场监管局\n完成时限：2021年6月底前"


def test_ofd_without_text_layer_is_empty() -> None:
    with pytest.raises(EmptyDocumentError, match=r"scan\.ofd"):
        load_bytes(_ofd([_page([])]), "scan.ofd")


def test_ofd_page_count_is_bounded() -> None:
    pages = [_page([(40, [(25, "第一条")])])] * 3
    with pytest.raises(PageCountError, match=r"max_pages=2"):
        load_bytes(_ofd(pages), "p.ofd", ReadLimits(max_pages=2))


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"not a zip", "not a ZIP archive"),
        (_ofd([], doc_root="/Doc_9/Document.xml"), "no 'Doc_9/Document.xml'"),
        (_ofd(["<ofd:Page"]), "Content.xml is not well-formed XML"),
    ],
)
def test_broken_ofd_is_corrupt(data: bytes, reason: str) -> None:
    with pytest.raises(CorruptDocumentError, match=reason):
        load_bytes(data, "bad.ofd")


def test_xml_entities_are_not_expanded() -> None:
    bomb = (
        f'<?xml version="1.0"?><!DOCTYPE p [<!ENTITY a "一二三四五六七八九十">]>'
        f'<ofd:Page xmlns:ofd="{NS}"><ofd:Content><ofd:Layer>'
        '<ofd:TextObject Boundary="25 40 100 6"><ofd:TextCode X="0" Y="4">&a;正文</ofd:TextCode></ofd:TextObject>'
        "</ofd:Layer></ofd:Content></ofd:Page>"
    )
    assert load_bytes(_ofd([bomb]), "e.ofd").text == "正文"


def test_ofd_lines_that_run_to_the_margin_are_rejoined_where_the_glyphs_end() -> None:
    full = "为认真贯彻落实国务院关于自由贸易试验区建设的战略部署结合本地实际推进改革"  # 37 characters
    lines: list[tuple[float, list[tuple[float, str]]]] = [(40.0 + 7 * i, [(25.0, full)]) for i in range(3)]
    lines += [(61.0, [(25.0, "制定本方案。")]), (68.0, [(25.0, "二、主要任务")])]
    loaded = load_bytes(_ofd([_page(lines)]), "wrap.ofd")
    assert loaded.text == full * 3 + "制定本方案。\n二、主要任务"
