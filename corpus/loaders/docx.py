"""Word (.docx) files: body paragraphs and tables, in document order.

The body XML is walked child by child, so a table stands where it stands in
the document (python-docx's ``doc.paragraphs`` and ``doc.tables`` would lose
that order). Tables go through :mod:`corpus.loaders.tables`, which turns task
tables into numbered items with 牵头单位/责任单位/完成时限 label lines.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import docx
from docx.oxml.ns import qn
from lxml import etree

from corpus.errors import CorruptDocumentError, DocumentError
from corpus.limits import DEFAULT_LIMITS, ReadLimits
from corpus.loaders.archive import check_zip
from corpus.loaders.docx_numbering import Numbering
from corpus.loaders.tables import GridCell, render_table

# A cell may span at most this many grid columns (a forged gridSpan must not eat memory).
_MAX_SPAN = 64

_NS = {
    "w": "http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    "mc": "http://schemas.openxmlformats.org/markup-compatibility/2006",
}
# The text-bearing children of runs that count: not deleted or moved-away revisions, not text
# boxes (drawn shapes, whose Fallback copy would repeat the text), not tab-stop definitions.
_RUN_CONTENT = etree.XPath(
    ".//w:r[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::w:txbxContent"
    " or ancestor::mc:Fallback)]/*[self::w:t or self::w:tab or self::w:br or self::w:cr]",
    namespaces=_NS,
)
_P, _TBL, _TR, _TC = qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc")
_SDT, _SDT_CONTENT, _CUSTOM_XML = qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml")
_T, _TAB, _BR, _VAL, _TYPE = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:val"), qn("w:type")


def load_docx(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> str:
    """Extract the body text of a .docx file.

    Args:
        data: the file's bytes.
        name: the file name, for error messages.
        limits: ``max_unpacked_bytes`` bounds what the archive may unpack to.

    Returns:
        Paragraphs and rendered tables in document order, one blank line at most between
        blocks; may be blank (the caller rejects blank text).

    Raises:
        CorruptDocumentError: not a ZIP archive, an old binary .doc, a ZIP that is not a Word
            document, or XML that python-docx cannot read.
        UnpackedSizeError: the archive unpacks to more than ``limits.max_unpacked_bytes``.
    """
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        raise CorruptDocumentError(f"{name} is an old binary Word (.doc) file; save it as .docx and retry")
    # Every member is streamed and counted first, so python-docx never unpacks more than the bound.
    check_zip(data, name, limits, "DOCX")
    try:
        document = docx.Document(io.BytesIO(data))
        numbering = Numbering.from_document(document)
        lines = list(_block_lines(document.element.body, numbering))
    except DocumentError:
        raise
    except Exception as exc:  # python-docx, lxml and zipfile raise many types for broken files
        raise CorruptDocumentError(f"cannot read DOCX {name}: {type(exc).__name__}: {exc}") from exc
    return _tidy(lines)


def _block_lines(parent: Any, numbering: Numbering) -> Iterator[str]:
    """Lines of the paragraphs and tables directly inside ``parent`` (the body, a content control)."""
    for child in parent.iterchildren():
        if child.tag == _P:
            yield numbering.label(child) + _paragraph_text(child)
        elif child.tag == _TBL:
            yield ""
            yield from render_table(_grid(child))
            yield ""
        elif child.tag == _SDT:
            content = child.find(_SDT_CONTENT)
            if content is not None:
                yield from _block_lines(content, numbering)
        elif child.tag == _CUSTOM_XML:
            yield from _block_lines(child, numbering)


def _paragraph_text(p: Any) -> str:
    """The visible text of one ``w:p``: runs, hyperlinks, insertions and content controls."""
    parts: list[str] = []
    for el in _RUN_CONTENT(p):
        if el.tag == _T:
            parts.append(el.text or "")
        elif el.tag == _TAB:
            parts.append("\t")
        elif el.tag == _BR and el.get(_TYPE) in ("page", "column"):
            continue  # a page break ends no line of text
        else:
            parts.append("\n")  # w:br (line break) or w:cr
    return "".join(parts)


def _grid(tbl: Any) -> list[list[GridCell]]:
    """The table's layout grid; a spanned or vertically merged cell repeats its ``w:tc``."""
    rows: list[list[GridCell]] = []
    above: list[GridCell] = []
    for tr in tbl.iterchildren(_TR):
        row = [GridCell(object(), "") for _ in range(_int_prop(tr, "w:trPr/w:gridBefore", 0))]
        for tc in tr.iterchildren(_TC):
            span = max(1, _int_prop(tc, "w:tcPr/w:gridSpan", 1))
            vmerge = tc.find("w:tcPr/w:vMerge", _NS)
            column = len(row)
            if vmerge is not None and vmerge.get(_VAL, "continue") == "continue" and column < len(above):
                cell = above[column]  # continues the cell above: same element, same text
            else:
                cell = GridCell(tc, _cell_text(tc))
            row.extend([cell] * span)
        rows.append(row)
        above = row
    return rows


def _cell_text(tc: Any) -> str:
    """A cell's paragraphs (nested tables included) on one line, joined by spaces."""
    texts = (_paragraph_text(p).strip() for p in tc.iter(_P))
    return " ".join(" ".join(t.split("\n")) for t in texts if t)


def _int_prop(el: Any, path: str, default: int) -> int:
    """An integer ``w:val`` (gridSpan, gridBefore) clamped to 0..64, or ``default``."""
    prop = el.find(path, _NS)
    value = prop.get(_VAL) if prop is not None else None
    if value is None or not re.fullmatch(r"\s*[0-9]{1,6}\s*", value):
        return default
    return min(int(value), _MAX_SPAN)


def _tidy(lines: list[str]) -> str:
    """Join lines, dropping trailing spaces and keeping at most one blank line in a row."""
    text = "\n".join(line.rstrip() for chunk in lines for line in chunk.split("\n"))
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")
