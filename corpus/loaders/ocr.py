"""OCR of scanned PDF pages: pypdfium2 renders the page, Tesseract (chi_sim) reads it.

Tesseract is Debian's ``tesseract-ocr`` with the ``tesseract-ocr-chi-sim`` language data;
nothing is downloaded at run time. It runs as a child process in its own process group with
a time limit per page (``ReadLimits.ocr_seconds_per_page``); the group is killed when the
limit passes. Its TSV output gives each line's box, so OCR'd lines are rejoined like a text
layer's (:func:`corpus.loaders.pdf.reflow`), in PDF points.

Example:
    >>> lines = ocr_page(pdf_document[0], "scan.pdf", 1, DEFAULT_LIMITS)
    >>> lines[0].text
    '一、总体要求'
"""

from __future__ import annotations

import io
import os
import re
import shutil
import subprocess
from typing import Any

from corpus.errors import ConverterUnavailableError, CorruptDocumentError, OcrTimeoutError
from corpus.limits import ReadLimits
from corpus.loaders.pdf_lines import Line
from corpus.loaders.process import run_bounded

#: Tesseract's language: simplified Chinese, which also reads the Latin letters and digits in it.
LANGUAGE = "chi_sim"
#: Debian packages that provide Tesseract and its Chinese data.
PACKAGES = "tesseract-ocr tesseract-ocr-chi-sim"
# Render at this resolution (Tesseract reads 300 dpi best) but never beyond this many pixels,
# so a page that declares itself 5 metres wide cannot exhaust memory.
_DPI = 300
_MAX_PIXELS = 40_000_000
# Tesseract puts spaces between Chinese characters; none belong there.
_CJK = r"[\u3000-\u303f\u3400-\u9fff\uff00-\uffef]"
_CJK_SPACE = re.compile(rf"(?<={_CJK})\s+|\s+(?={_CJK})")


def check_tesseract() -> str:
    """The path of the ``tesseract`` program, once its Chinese data is known to be installed.

    Raises:
        ConverterUnavailableError: Tesseract or its chi_sim data is missing (the message names
            the Debian packages).
    """
    program = shutil.which("tesseract")
    if program is None:
        raise ConverterUnavailableError(f"OCR of scanned pages needs Tesseract: apt-get install {PACKAGES}")
    listed = subprocess.run([program, "--list-langs"], capture_output=True, text=True, timeout=30, check=False)
    if LANGUAGE not in listed.stdout.split():
        raise ConverterUnavailableError(
            f"Tesseract has no {LANGUAGE} language data: apt-get install tesseract-ocr-chi-sim"
        )
    return program


def ocr_page(page: Any, name: str, number: int, limits: ReadLimits, program: str) -> list[Line]:
    """Render one ``pypdfium2.PdfPage`` and recognise its text lines.

    Args:
        page: the page, from ``pypdfium2.PdfDocument``.
        name: the file name, for error messages.
        number: the 1-based page number, for error messages.
        limits: ``ocr_seconds_per_page`` bounds Tesseract's time on this page.
        program: the ``tesseract`` path from :func:`check_tesseract`.

    Returns:
        The page's lines top to bottom, positions in PDF points.

    Raises:
        OcrTimeoutError: Tesseract took longer than ``limits.ocr_seconds_per_page``.
        CorruptDocumentError: the page cannot be rendered, or Tesseract failed on it.
    """
    try:
        width, height = page.get_size()
        scale = min(_DPI / 72, (_MAX_PIXELS / max(width * height, 1.0)) ** 0.5)
        image = page.render(scale=scale, grayscale=True).to_pil()
    except Exception as exc:  # pypdfium2 raises PdfiumError and others for broken pages
        raise CorruptDocumentError(f"cannot render page {number} of {name} for OCR: {exc}") from exc
    png = io.BytesIO()
    image.save(png, format="PNG")
    tsv = _run(program, png.getvalue(), limits, name, number)
    return _lines(tsv, 1 / scale)


def _run(program: str, image: bytes, limits: ReadLimits, name: str, number: int) -> str:
    """Run Tesseract on an image given on stdin; its TSV on stdout."""
    command = [program, "stdin", "stdout", "-l", LANGUAGE, "--psm", "3", "-c", "preserve_interword_spaces=1", "tsv"]
    # One thread: the machine's cores serve questions too; OCR is bounded by time, not sped up.
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    try:
        code, out, err = run_bounded(command, timeout=limits.ocr_seconds_per_page, env=env, data=image)
    except subprocess.TimeoutExpired:
        raise OcrTimeoutError(
            f"OCR of page {number} of {name} took longer than {limits.describe('ocr_seconds_per_page')} seconds",
            "ocr_seconds_per_page",
            limits.ocr_seconds_per_page,
        ) from None
    if code != 0:
        detail = err.decode("utf-8", "replace").strip().splitlines()
        raise CorruptDocumentError(f"Tesseract failed on page {number} of {name}: {detail[-1] if detail else code}")
    return out.decode("utf-8", "replace")


def _lines(tsv: str, points_per_pixel: float) -> list[Line]:
    """Tesseract TSV -> lines: words (level 5) grouped by block, paragraph and line number."""
    words: dict[tuple[str, str, str], list[tuple[int, int, int, int, str]]] = {}
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < 12 or cells[0] != "5" or not cells[11].strip():
            continue
        left, top, width, height = (int(v) for v in cells[6:10])
        words.setdefault((cells[2], cells[3], cells[4]), []).append((top, left, width, height, cells[11]))
    lines: list[tuple[int, Line]] = []
    for group in words.values():
        text = _CJK_SPACE.sub("", " ".join(w[4] for w in sorted(group, key=lambda w: w[1]))).strip()
        if text:
            right = max(w[1] + w[2] for w in group)
            tall = max(w[3] for w in group)
            lines.append((min(w[0] for w in group), Line(text, right * points_per_pixel, tall * points_per_pixel)))
    return [line for _, line in sorted(lines, key=lambda item: item[0])]
