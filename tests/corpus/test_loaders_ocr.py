"""Scanned and mixed PDFs: pages without a text layer are read by Tesseract."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from corpus.errors import ConverterUnavailableError, OcrTimeoutError
from corpus.limits import ReadLimits
from corpus.loaders import load_bytes

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
pytestmark = [
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr is not installed"),
    pytest.mark.skipif(not FONT.is_file(), reason="fonts-noto-cjk is not installed"),
]

LINES = ["一、总体要求", "推行企业开办全程网办。", "牵头单位：市市场监管局", "完成时限：2021年6月底前"]


def _scan(lines: list[str]) -> Image.Image:
    """A page image (A4 at 200 dpi) with the lines drawn in a CJK font: a scan with no text layer."""
    image = Image.new("L", (1654, 2339), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(FONT), 44)
    for i, line in enumerate(lines):
        draw.text((160, 220 + 90 * i), line, font=font, fill=0)
    return image


def _image_pdf(*pages: Image.Image) -> bytes:
    out = io.BytesIO()
    pages[0].save(out, "PDF", resolution=200, save_all=True, append_images=list(pages[1:]))
    return out.getvalue()


def test_image_only_pdf_is_read_by_ocr_and_its_page_named() -> None:
    loaded = load_bytes(_image_pdf(_scan(LINES)), "scan.pdf")
    for words in ("总体要求", "企业开办", "全程网办", "牵头单位", "市市场监管", "2021年6月底前"):
        assert words in loaded.text
    assert loaded.ocr_pages == (1,)
    assert loaded.notes == ("page 1 read by OCR (Tesseract chi_sim)",)


def test_mixed_pdf_ocrs_only_the_page_without_a_text_layer(tmp_path: Path) -> None:
    scan = tmp_path / "scan.png"
    _scan(["二、保障措施", "加强组织领导。"]).save(scan)
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf.setFont("STSong-Light", 12)
    pdf.drawString(72, 760, "一、总体要求")  # page 1: a text layer
    pdf.showPage()
    pdf.drawImage(str(scan), 0, 0, width=595, height=842)  # page 2: a scanned image only
    pdf.showPage()
    pdf.save()
    loaded = load_bytes(out.getvalue(), "mixed.pdf")
    assert loaded.text.startswith("一、总体要求")  # the text layer, in page order
    assert loaded.text.index("保障措施") < loaded.text.index("组织领导")
    assert loaded.ocr_pages == (2,)


def test_ocr_time_limit_per_page_is_a_named_refusal() -> None:
    with pytest.raises(OcrTimeoutError, match=r"page 1 of slow\.pdf .*ocr_seconds_per_page=0\.001") as err:
        load_bytes(_image_pdf(_scan(LINES)), "slow.pdf", ReadLimits(ocr_seconds_per_page=0.001))
    assert err.value.bound == "ocr_seconds_per_page"


def test_missing_tesseract_names_the_debian_packages(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(ConverterUnavailableError, match=r"apt-get install tesseract-ocr tesseract-ocr-chi-sim"):
        load_bytes(_image_pdf(_scan(LINES)), "scan.pdf")


def test_scanned_page_with_a_small_text_stamp_is_still_ocrd(tmp_path: Path) -> None:
    scan = tmp_path / "scan.png"
    _scan(LINES).save(scan)
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    pdf.drawImage(str(scan), 0, 0, width=595, height=842)
    pdf.setFont("STSong-Light", 9)
    pdf.drawString(400, 20, "本文件仅供参考 www.example.gov.cn")  # the site's stamp: a text layer of 27 characters
    pdf.showPage()
    pdf.save()
    loaded = load_bytes(out.getvalue(), "stamped.pdf")
    assert loaded.ocr_pages == (1,)
    assert "牵头单位" in loaded.text and "企业开办" in loaded.text
