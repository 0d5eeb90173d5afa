"""What a loader returns when it has more to say than the text (OCR'd pages, notes)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Extracted:
    """A loader's text with what the extraction report should name.

    Attributes:
        text: the document's text, lines separated by ``"\\n"``.
        notes: remarks for the extraction report, e.g. "pages 2, 5 read by OCR (Tesseract chi_sim)".
        ocr_pages: 1-based numbers of the pages whose text came from OCR.
    """

    text: str
    notes: tuple[str, ...] = ()
    ocr_pages: tuple[int, ...] = ()
