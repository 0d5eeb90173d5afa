"""PDF files: the text layer of every page, scanned pages OCR'd, page numbers stripped, lines rejoined.

The text layer is read with pdfplumber. A page without one that shows something (an image,
drawn shapes: a scan, or text turned into outlines), or whose few characters of text lie over a
page-sized image (a scan stamped with a watermark), is rendered and read by Tesseract
(:mod:`.ocr`); the numbers of those pages are returned for the extraction report. The work is
bounded while reading: page count, characters per page, OCR seconds per page.

A PDF stores visual lines, while the clause parser reads one paragraph per line; see
:mod:`.pdf_lines` for how wrapped lines are rejoined.
"""

from __future__ import annotations

import io

import pdfplumber
import pypdfium2

from corpus.errors import CorruptDocumentError, EmptyDocumentError, PageCountError, PageTextError
from corpus.limits import DEFAULT_LIMITS, ReadLimits
from corpus.loaders.ocr import LANGUAGE, check_tesseract, ocr_page
from corpus.loaders.pdf_lines import UNMAPPED_GLYPH, Line, reflow, strip_page_numbers
from corpus.loaders.result import Extracted

# A page with fewer characters than this in its text layer, and an image covering at least this
# share of it, is a scan with a stamp or watermark in text: it is OCR'd.
_FEW_CHARS = 40
_SCAN_IMAGE_SHARE = 0.5


def load_pdf(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> Extracted:
    """Extract the text of a PDF as one line per paragraph, OCR'ing pages without a text layer.

    Args:
        data: the file's bytes.
        name: the file name, for error messages.
        limits: ``max_pages``, ``max_chars_per_page`` and ``ocr_seconds_per_page`` apply.

    Returns:
        The text of all pages (page-number headers and footers removed, wrapped lines
        joined), the numbers of the OCR'd pages and a note naming them.

    Raises:
        CorruptDocumentError: the bytes are not a readable PDF (damaged, encrypted).
        EmptyDocumentError: no page has text, by its text layer or by OCR.
        PageCountError, PageTextError, OcrTimeoutError: a bound was passed.
        ConverterUnavailableError: a page needs OCR and Tesseract is not installed.
    """
    rendered = _pdfium(data)
    try:
        if rendered is not None:
            _check_bounds(rendered, name, limits)
        return _read(data, name, limits, rendered)
    finally:
        if rendered is not None:
            rendered.close()


def _pdfium(data: bytes) -> pypdfium2.PdfDocument | None:
    """The PDF opened by pdfium (C, fast), or None when pdfium refuses it (pdfplumber may not)."""
    try:
        return pypdfium2.PdfDocument(data)
    except Exception:  # PdfiumError for damaged or encrypted files: pdfplumber reports those
        return None


def _check_bounds(document: pypdfium2.PdfDocument, name: str, limits: ReadLimits) -> None:
    """Refuse too many pages, or a page with too many characters, before pdfplumber lays them out.

    pdfium counts a page's characters about five times faster than pdfminer interprets it, so
    a 29 KB PDF holding one page of 100,000 characters is refused in about a second.
    """
    if len(document) > limits.max_pages:
        raise PageCountError(
            f"{name} has {len(document)} pages, more than {limits.describe('max_pages')}",
            "max_pages",
            limits.max_pages,
        )
    for number in range(len(document)):
        try:
            page = document[number]
            chars = page.get_textpage().count_chars()
            page.close()
        except Exception:  # a page pdfium cannot read: pdfplumber reports it, or reads it
            continue
        if chars > limits.max_chars_per_page:
            raise PageTextError(
                f"page {number + 1} of {name} holds {chars} characters, more than "
                f"{limits.describe('max_chars_per_page')}",
                "max_chars_per_page",
                limits.max_chars_per_page,
            )


def _read(data: bytes, name: str, limits: ReadLimits, rendered: pypdfium2.PdfDocument | None) -> Extracted:
    """The text layer by pdfplumber, pages without one OCR'd from pdfium's rendering."""
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            if len(pdf.pages) > limits.max_pages:
                raise PageCountError(
                    f"{name} has {len(pdf.pages)} pages, more than {limits.describe('max_pages')}",
                    "max_pages",
                    limits.max_pages,
                )
            pages: list[list[Line]] = []
            scanned: list[int] = []  # 0-based pages with no text but something drawn on them
            for number, page in enumerate(pdf.pages):
                lines = _page_lines(page, name, number + 1, limits)
                if _needs_ocr(page, lines):
                    scanned.append(number)
                pages.append(lines)
                page.close()  # pdfplumber caches each page's layout; a long PDF would keep them all
    except (PageCountError, PageTextError):
        raise
    except Exception as exc:  # pdfminer raises many types (PDFSyntaxError, PSEOF, ...) for broken files
        raise CorruptDocumentError(f"cannot read PDF {name}: {type(exc).__name__}: {exc}") from exc
    if not pages:
        raise EmptyDocumentError(f"PDF has no pages: {name}")
    notes: tuple[str, ...] = ()
    if scanned:
        for number, lines in _ocr(rendered, name, scanned, limits).items():
            pages[number] = lines
        shown = ", ".join(str(n + 1) for n in scanned)
        notes = (f"page{'s' if len(scanned) > 1 else ''} {shown} read by OCR (Tesseract {LANGUAGE})",)
    text = "\n".join(reflow([strip_page_numbers(page) for page in pages]))
    if not text.strip():
        raise EmptyDocumentError(
            f"PDF has no readable text: {name} (no text layer, or only glyphs without a Unicode mapping, "
            f"and OCR found none)"
        )
    return Extracted(text, notes, tuple(n + 1 for n in scanned))


def _needs_ocr(page: pdfplumber.page.Page, lines: list[Line]) -> bool:
    """True for a scanned page: no text but something drawn, or little text over a big image.

    Scans published online often carry a small text layer of their own (a page number, a
    "仅供参考" watermark, the site's address) over the image of the page; that text alone must
    not make the page count as read.
    """
    text = sum(len(UNMAPPED_GLYPH.sub("", line.text).strip()) for line in strip_page_numbers(lines))
    if text == 0:
        return bool(page.images or page.rects or page.curves or page.lines)
    return text < _FEW_CHARS and _image_share(page) >= _SCAN_IMAGE_SHARE


def _image_share(page: pdfplumber.page.Page) -> float:
    """The share of the page's area covered by its largest image."""
    area = float(page.width) * float(page.height)
    largest = max(
        (float(i["x1"] - i["x0"]) * float(i["bottom"] - i["top"]) for i in page.images),
        default=0.0,
    )
    return largest / area if area > 0 else 0.0


def _ocr(
    document: pypdfium2.PdfDocument | None, name: str, numbers: list[int], limits: ReadLimits
) -> dict[int, list[Line]]:
    """The OCR'd lines of the 0-based pages ``numbers``."""
    program = check_tesseract()
    if document is None:
        raise CorruptDocumentError(f"cannot render PDF {name} for OCR: pdfium cannot open it")
    pages: dict[int, list[Line]] = {}
    for n in numbers:
        try:
            page = document[n]
        except Exception as exc:  # PdfiumError: a page pdfplumber read but pdfium cannot load
            raise CorruptDocumentError(f"cannot render page {n + 1} of {name} for OCR: {exc}") from exc
        pages[n] = ocr_page(page, name, n + 1, limits, program)
    return pages


def _page_lines(page: pdfplumber.page.Page, name: str, number: int, limits: ReadLimits) -> list[Line]:
    """The page's visual lines, top to bottom; a page with too many characters is refused."""
    # Counted before the lines are laid out: that is the costly step on an enormous page.
    if len(page.chars) > limits.max_chars_per_page:
        raise PageTextError(
            f"page {number} of {name} holds {len(page.chars)} characters, more than "
            f"{limits.describe('max_chars_per_page')}",
            "max_chars_per_page",
            limits.max_chars_per_page,
        )
    return [
        Line(
            str(line["text"]).strip(),
            float(line["x1"]),
            float(line["bottom"]) - float(line["top"]),
            float(line["x0"]),
        )
        for line in page.extract_text_lines(return_chars=False)
    ]
