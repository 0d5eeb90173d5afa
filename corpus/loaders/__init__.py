"""Loaders: the bytes of a policy file -> its plain text.

One module per format (``txt``, ``docx``, ``pdf``, ``html``); this module only
dispatches on the file suffix. Every loader returns text with lines separated
by ``"\\n"`` and raises a :class:`~corpus.errors.DocumentError` subclass for
anything it cannot read, never a raw library exception and never blank text.

Example:
    >>> loaded = load_bytes("一、总体要求\\r\\n牵头单位：市商务局".encode(), "plan.TXT")
    >>> loaded.format, loaded.text
    ('txt', '一、总体要求\\n牵头单位：市商务局')
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePath

from corpus.errors import EmptyDocumentError, UnsupportedFormatError
from corpus.loaders import docx, html, pdf, txt

#: File suffixes the loaders read (compared case-insensitively).
SUPPORTED_SUFFIXES: tuple[str, ...] = (".txt", ".docx", ".pdf", ".html", ".htm")

# suffix -> (format name, loader taking (data, file name) and returning the text)
_LOADERS: dict[str, tuple[str, Callable[[bytes, str], str]]] = {
    ".txt": ("txt", txt.load_txt),
    ".docx": ("docx", docx.load_docx),
    ".pdf": ("pdf", pdf.load_pdf),
    ".html": ("html", html.load_html),
    ".htm": ("html", html.load_html),
}


@dataclass(frozen=True, slots=True)
class LoadedText:
    """The plain text of one file.

    Attributes:
        source: the file name (no directory), the document's id across the product.
        text: the full text, lines separated by ``"\\n"``; never blank.
        format: which loader read it: "txt", "docx", "pdf" or "html".
    """

    source: str
    text: str
    format: str


def load_bytes(data: bytes, name: str) -> LoadedText:
    """Read a file's bytes into plain text, choosing the loader by the suffix of ``name``.

    Args:
        data: the file's content.
        name: the file name (a path is allowed; only its last part is kept as ``source``).
            Its suffix, compared case-insensitively, picks the format.

    Returns:
        The file's text with its name and format.

    Raises:
        UnsupportedFormatError: the suffix is not one of :data:`SUPPORTED_SUFFIXES`.
        CorruptDocumentError: the bytes cannot be read as the format the suffix claims.
        EmptyDocumentError: the file holds no text (e.g. a scanned PDF without a text layer).

    Example:
        >>> load_bytes(b"<p>\\xe7\\xac\\xac\\xe4\\xb8\\x80\\xe6\\x9d\\xa1</p>", "a.htm").text
        '第一条'
    """
    source, fmt, loader = _loader_for(name)
    text = loader(data, source)
    if not text.strip():
        raise EmptyDocumentError(f"{fmt} file holds no text: {source}")
    return LoadedText(source=source, text=text, format=fmt)


def load_path(path: str | Path) -> LoadedText:
    """Read a file from disk into plain text; see :func:`load_bytes`.

    The suffix is checked before the file is read, so an unsupported file is
    rejected without reading it.

    Args:
        path: the file to read.

    Returns:
        The file's text, with ``source`` set to the file name.

    Raises:
        UnsupportedFormatError, CorruptDocumentError, EmptyDocumentError: as :func:`load_bytes`.
        OSError: the file cannot be opened (missing, a directory, no permission).
    """
    path = Path(path)
    _loader_for(path.name)
    return load_bytes(path.read_bytes(), path.name)


def _loader_for(name: str) -> tuple[str, str, Callable[[bytes, str], str]]:
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


__all__ = ["SUPPORTED_SUFFIXES", "LoadedText", "load_bytes", "load_path"]
