"""OFD files (GB/T 33190, China's fixed-layout e-document format): the text layer of every page.

An OFD is a ZIP of XML parts: ``OFD.xml`` names the document (``DocBody/DocRoot``, e.g.
``Doc_0/Document.xml``), which lists its pages (``Pages/Page/@BaseLoc``), each a
``Content.xml`` whose ``TextObject`` elements hold ``TextCode`` runs placed on the page::

    <ofd:TextObject ID="5" Boundary="25 40 160 6" Font="3" Size="4.2">
      <ofd:TextCode X="0" Y="4.5" DeltaX="g 12 4.2">一、总体要求</ofd:TextCode>
    </ofd:TextObject>

No maintained PyPI reader of OFD works without pulling in a PDF renderer (easyofd needs
PyMuPDF and onnxruntime), so this module reads that text layer with the standard ZIP reader
(members counted as they stream, :mod:`.archive`) and lxml with entities off. Runs are
grouped into lines by their vertical position and lines are rejoined like a PDF's. An OFD
whose pages are scanned images has no text layer and is refused as empty.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from lxml import etree

from corpus.errors import CorruptDocumentError, PageCountError, PageTextError
from corpus.limits import DEFAULT_LIMITS, ReadLimits
from corpus.loaders.archive import BoundedZip
from corpus.loaders.pdf_lines import Line, reflow, strip_page_numbers

# No entity expansion, no network, no huge text nodes: the XML comes from an untrusted file.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False, remove_comments=True)


@dataclass(frozen=True, slots=True)
class _Run:
    top: float  # baseline position from the page top, in millimetres
    left: float
    right: float
    height: float
    text: str


def load_ofd(data: bytes, name: str, limits: ReadLimits = DEFAULT_LIMITS) -> str:
    """Extract the text layer of an OFD file as one line per paragraph.

    Args:
        data: the file's bytes.
        name: the file name, for error messages.
        limits: unpacked bytes, page count and characters per page are bounded.

    Returns:
        The text of every page of the first document in the file; may be blank.

    Raises:
        CorruptDocumentError: not a ZIP, no ``OFD.xml``, a missing part or broken XML.
        UnpackedSizeError, PageCountError, PageTextError: a bound was passed.
    """
    with BoundedZip(data, name, limits, "OFD") as archive:
        root = _xml(archive, "OFD.xml", name)
        doc_root = _first_text(root, "DocBody", "DocRoot")
        if not doc_root:
            raise CorruptDocumentError(f"{name} is not an OFD file: OFD.xml names no DocRoot")
        doc_path = _resolve("", doc_root)
        document = _xml(archive, doc_path, name)
        pages = [p.get("BaseLoc", "") for p in document.iter() if _local(p.tag) == "Page" and p.get("BaseLoc")]
        if len(pages) > limits.max_pages:
            raise PageCountError(
                f"{name} has {len(pages)} pages, more than {limits.describe('max_pages')}",
                "max_pages",
                limits.max_pages,
            )
        page_lines: list[list[Line]] = []
        for number, location in enumerate(pages, start=1):
            lines = _page_lines(_xml(archive, _resolve(posixpath.dirname(doc_path), location), name))
            if sum(len(line.text) for line in lines) > limits.max_chars_per_page:
                raise PageTextError(
                    f"page {number} of {name} holds more than {limits.describe('max_chars_per_page')} characters",
                    "max_chars_per_page",
                    limits.max_chars_per_page,
                )
            page_lines.append(strip_page_numbers(lines))
    return "\n".join(reflow(page_lines))


def _xml(archive: BoundedZip, member: str, name: str) -> Any:
    """Parse one XML part of the archive."""
    data = archive.read(member)
    try:
        return etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise CorruptDocumentError(f"cannot read OFD {name}: {member} is not well-formed XML: {exc}") from exc


def _resolve(base: str, location: str) -> str:
    """A part's path inside the archive: absolute ("/Doc_0/…") or relative to ``base``."""
    location = location.strip().replace("\\", "/")
    joined = location.lstrip("/") if location.startswith("/") else posixpath.join(base, location)
    return posixpath.normpath(joined)


def _local(tag: object) -> str:
    """The tag name without its namespace ("{http://www.ofdspec.org/2016}Page" -> "Page")."""
    return str(tag).rsplit("}", 1)[-1]


def _first_text(root: Any, *path: str) -> str:
    """The text of the first element reached by the local tag names ``path``."""
    node = root
    for tag in path:
        node = next((child for child in node.iter() if _local(child.tag) == tag), None)
        if node is None:
            return ""
    return str(node.text or "").strip()


def _page_lines(content: Any) -> list[Line]:
    """The page's text runs grouped into lines, top to bottom, each line's runs left to right."""
    runs: list[_Run] = []
    for obj in content.iter():
        if _local(obj.tag) != "TextObject":
            continue
        box = _numbers(obj.get("Boundary", ""))
        x, y, width, height = ([*box, 0.0, 0.0, 0.0, 0.0])[:4]
        size = _numbers(obj.get("Size", "")) or [height or 3.5]
        for code in obj:
            # text nodes only: an unexpanded entity reference ("&a;") is not text
            text = "".join(code.xpath("text()")) if _local(code.tag) == "TextCode" else ""
            if not text.strip():
                continue
            left = x + (_numbers(code.get("X", "")) or [0.0])[0]
            top = y + (_numbers(code.get("Y", "")) or [height])[0]
            # The run ends where its glyphs do (DeltaX advances), not where its box does: a box
            # may span the whole text width, and the margin test needs where the text stops.
            right = left + _advance(code.get("DeltaX", ""), len(text), size[0]) + size[0]
            runs.append(_Run(top, left, min(right, x + width) if width else right, size[0], text))
    runs.sort(key=lambda r: (r.top, r.left))
    lines: list[list[_Run]] = []
    for run in runs:
        if lines and abs(run.top - lines[-1][0].top) <= run.height / 2:
            lines[-1].append(run)
        else:
            lines.append([run])
    return [
        Line(
            "".join(r.text for r in sorted(line, key=lambda r: r.left)).strip(),
            max(r.right for r in line),
            max(r.height for r in line),
        )
        for line in lines
    ]


def _advance(delta_x: str, chars: int, size: float) -> float:
    """Distance from the first glyph to the last: the sum of ``DeltaX`` ("g 12 4.2" = 12 × 4.2).

    Without DeltaX each of the ``chars - 1`` advances is taken as ``size`` (full-width CJK).
    """
    parts = delta_x.split()
    total, count, i = 0.0, 0, 0
    try:
        while i < len(parts) and count < chars - 1:
            if parts[i] == "g" and i + 2 < len(parts):
                repeat = min(int(parts[i + 1]), chars - 1 - count)
                total += repeat * float(parts[i + 2])
                count, i = count + repeat, i + 3
            else:
                total += float(parts[i])
                count, i = count + 1, i + 1
    except ValueError:
        return (chars - 1) * size
    return total + (chars - 1 - count) * size


def _numbers(value: str) -> list[float]:
    """Space-separated numbers of an attribute ("25 40 160 6"); none when malformed."""
    try:
        return [float(part) for part in value.split()]
    except ValueError:
        return []
