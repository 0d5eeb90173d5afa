"""Bounds on the work of reading one document, enforced while reading.

One dataclass shared by the loaders (``corpus.loaders.load_bytes(..., limits=)``) and the
service settings, so a bound is named the same everywhere: the refusal's message names the
field, e.g. ``max_unpacked_bytes=67108864``.

Example:
    >>> ReadLimits().max_pages
    2000
    >>> ReadLimits(max_pages=10).describe("max_pages")
    'max_pages=10'
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from corpus.errors import ClauseCountError
from corpus.model import Document


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """How much one document may make the reader do.

    Attributes:
        max_unpacked_bytes: bytes a ZIP-based file (docx, xlsx, ofd) may unpack to, counted
            as its members stream out (a zip bomb, or a zip whose sizes lie, stops here).
        max_pages: PDF pages, spreadsheet sheets or OFD pages.
        max_chars_per_page: characters of one PDF or OFD page (a dense A4 page has
            about 2,000; a 29 KB PDF can hold one page of 100,000).
        max_sheet_cells: rows × columns of one sheet's used area (a sheet with one cell in
            its far corner would otherwise be laid out as billions of empty cells).
        max_chars: characters of the whole document's text.
        max_clauses: clauses one document may parse into.
        ocr_seconds_per_page: time Tesseract may take for one scanned page.
        convert_seconds: time LibreOffice may take to convert one .doc/.wps/.rtf file.
    """

    max_unpacked_bytes: int = 64 * 1024 * 1024
    max_pages: int = 2000
    max_chars_per_page: int = 20_000
    max_sheet_cells: int = 2_000_000
    max_chars: int = 5_000_000
    max_clauses: int = 5000
    ocr_seconds_per_page: float = 60.0
    convert_seconds: float = 120.0

    def __post_init__(self) -> None:
        for f in fields(self):
            value = getattr(self, f.name)
            if not value > 0:
                raise ValueError(f"ReadLimits.{f.name} must be positive; got {value!r}")

    def describe(self, bound: str) -> str:
        """``"name=value"`` of one bound, as refusals quote it."""
        return f"{bound}={getattr(self, bound)}"


#: The bounds used when a caller gives none.
DEFAULT_LIMITS = ReadLimits()


def check_clauses(document: Document, limits: ReadLimits = DEFAULT_LIMITS) -> Document:
    """Return ``document`` unless it has more clauses than ``limits.max_clauses``.

    Raises:
        ClauseCountError: too many clauses; the message names the bound.
    """
    if len(document.clauses) > limits.max_clauses:
        raise ClauseCountError(
            f"{document.source} has {len(document.clauses)} clauses, more than "
            f"{limits.describe('max_clauses')} allowed per document",
            "max_clauses",
            limits.max_clauses,
        )
    return document
