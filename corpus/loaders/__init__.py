"""Loaders: the bytes of a policy file -> its plain text.

One module per format (``txt``, ``docx``, ``pdf``, ``html``, ``sheets``, ``office``,
``ofd``); this module only dispatches on the file suffix. Every loader returns text
with lines separated by ``"\\n"`` and raises a :class:`~corpus.errors.DocumentError`
subclass for anything it cannot read, never a raw library exception and never blank
text. The work of reading is bounded by :class:`~corpus.limits.ReadLimits`.

Example:
    >>> loaded = load_bytes("一、总体要求\\r\\n牵头单位：市商务局".encode(), "plan.TXT")
    >>> loaded.format, loaded.text
    ('txt', '一、总体要求\\n牵头单位：市商务局')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath

from corpus.errors import EmptyDocumentError, PageTextError, UnsupportedFormatError
from corpus.limits import DEFAULT_LIMITS, ReadLimits
from corpus.loaders import docx, html, ofd, office, pdf, sheets, txt
from corpus.loaders.result import Extracted

Loader = Callable[[bytes, str, ReadLimits], "str | Extracted"]

# suffix -> (format name, loader taking (data, file name, limits) and returning the text)
_LOADERS: dict[str, tuple[str, Loader]] = {
    ".txt": ("txt", txt.load_txt),
    ".docx": ("docx", docx.load_docx),
    ".pdf": ("pdf", pdf.load_pdf),
    ".html": ("html", lambda data, name, _limits: html.load_html(data, name)),
    ".htm": ("html", lambda data, name, _limits: html.load_html(data, name)),
    ".xlsx": ("xlsx", sheets.load_sheets),
    ".xls": ("xls", sheets.load_sheets),
    ".et": ("et", sheets.load_sheets),
    ".doc": ("doc", office.load_legacy_word),
    ".wps": ("wps", office.load_legacy_word),
    ".rtf": ("rtf", office.load_legacy_word),
    ".ofd": ("ofd", ofd.load_ofd),
}

#: File suffixes the loaders read (compared case-insensitively).
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_LOADERS)


@dataclass(frozen=True, slots=True)
class LoadedText:
    """The plain text of one file.

    Attributes:
        source: the file name (no directory), the document's id across the product.
        text: the full text, lines separated by ``"\\n"``; never blank.
        format: which loader read it: "txt", "docx", "pdf", "html", "xlsx", "xls", "et", "doc",
            "wps", "rtf" or "ofd".
        notes: remarks for the document's extraction report (e.g. which pages were OCR'd).
        ocr_pages: 1-based numbers of the pages whose text was recognised by OCR.
    """

    source: str
    text: str
    format: str
    notes: tuple[str, ...] = ()
    ocr_pages: tuple[int, ...] = ()


def load_bytes(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> LoadedText:
    """Read a file's bytes into plain text, choosing the loader by the suffix of ``name``.

    Args:
        data: the file's content.
        name: the file name (a path is allowed; only its last part is kept as ``source``).
            Its suffix, compared case-insensitively, picks the format.
        limits: bounds on the work of reading (unpacked bytes, pages, characters, OCR time).

    Returns:
        The file's text with its name and format.

    Raises:
        UnsupportedFormatError: the suffix is not one of :data:`SUPPORTED_SUFFIXES`.
        CorruptDocumentError: the bytes cannot be read as the format the suffix claims.
        EmptyDocumentError: the file holds no text (e.g. a blank page, a scan OCR finds no text in).
        DocumentTooLargeError: a bound of ``limits`` was passed (a subclass names which).
        ConverterUnavailableError: LibreOffice or Tesseract, needed for this file, is missing.

    Example:
        >>> load_bytes(b"<p>\\xe7\\xac\\xac\\xe4\\xb8\\x80\\xe6\\x9d\\xa1</p>", "a.htm").text
        '第一条'
    """
    source, fmt, loader = _loader_for(name)
    result = loader(data, source, limits)
    extracted = result if isinstance(result, Extracted) else Extracted(result)
    if not extracted.text.strip():
        raise EmptyDocumentError(f"{fmt} file holds no text: {source}")
    if len(extracted.text) > limits.max_chars:
        raise PageTextError(
            f"{source} holds {len(extracted.text)} characters, more than {limits.describe('max_chars')}",
            "max_chars",
            limits.max_chars,
        )
    return LoadedText(source, extracted.text, fmt, extracted.notes, extracted.ocr_pages)


def load_path(path: str | Path, limits: ReadLimits = DEFAULT_LIMITS) -> LoadedText:
    """Read a file from disk into plain text; see :func:`load_bytes`.

    The suffix is checked before the file is read, so an unsupported file is
    rejected without reading it.

    Args:
        path: the file to read.
        limits: as :func:`load_bytes`.

    Returns:
        The file's text, with ``source`` set to the file name.

    Raises:
        UnsupportedFormatError, CorruptDocumentError, EmptyDocumentError: as :func:`load_bytes`.
        OSError: the file cannot be opened (missing, a directory, no permission).
    """
    path = Path(path)
    _loader_for(path.name)
    return load_bytes(path.read_bytes(), path.name, limits)


def _loader_for(name: str) -> tuple[str, str, Loader]:
    """Return (file name, format, loader) for ``name``, or raise UnsupportedFormatError."""
    source = PurePath(name).name
    suffix = PurePath(source).suffix.lower()
    if suffix not in _LOADERS:
        shown = repr(suffix) if suffix else "no suffix"
        raise UnsupportedFormatError(
            f"cannot load {source!r}: file type {shown} is not supported; use one of {', '.join(SUPPORTED_SUFFIXES)}"
        )
    fmt, loader = _LOADERS[suffix]
    return source, fmt, loader


__all__ = ["SUPPORTED_SUFFIXES", "Extracted", "LoadedText", "ReadLimits", "load_bytes", "load_path"]
