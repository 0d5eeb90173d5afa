"""Read bounds, enforced while reading: zip bombs, lying zips, pages, characters, clauses."""

from __future__ import annotations

import io
import struct
import tracemalloc
import zipfile

import docx
import pytest
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from corpus.errors import (
    ClauseCountError,
    CorruptDocumentError,
    DocumentTooLargeError,
    PageCountError,
    PageTextError,
    UnpackedSizeError,
)
from corpus.limits import DEFAULT_LIMITS, ReadLimits
from corpus.loaders import load_bytes
from corpus.reader import read_bytes

MIB = 1024 * 1024


def _docx_with_body(body_size: int) -> bytes:
    """A real .docx whose document.xml is a paragraph and ``body_size`` spaces (deflates ~1000:1)."""
    template = io.BytesIO()
    docx.Document().save(template)
    head = b'<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
    para = b"<w:p><w:r><w:t>" + "政策".encode() * 40 + b"</w:t></w:r></w:p>"
    tail = b"</w:body></w:document>"
    out = io.BytesIO()
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename != "word/document.xml":
                dst.writestr(info, src.read(info))
        with dst.open("word/document.xml", "w") as stream:
            stream.write(head + para)
            for _ in range(body_size // MIB):
                stream.write(b" " * MIB)  # whitespace between elements: valid XML, no text
            stream.write(tail)
    return out.getvalue()


def test_zip_bomb_docx_is_refused_with_bounded_memory() -> None:
    bomb = _docx_with_body(200 * MIB)
    assert len(bomb) < 250_000  # about 1000:1
    tracemalloc.start()
    try:
        with pytest.raises(
            UnpackedSizeError, match=r"bomb\.docx unpacks to more than max_unpacked_bytes=67108864"
        ) as err:
            load_bytes(bomb, "bomb.docx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert err.value.bound == "max_unpacked_bytes" and err.value.limit == 64 * MIB
    assert peak < 16 * MIB  # chunks are counted and dropped, never the whole member


def _lie_about_sizes(data: bytes, member: str, size: int) -> bytes:
    """Rewrite ``member``'s uncompressed size in its local header and the central directory."""
    patched = bytearray(data)
    name = member.encode()
    local = patched.find(b"PK\x03\x04")
    while local != -1:
        name_len = struct.unpack_from("<H", patched, local + 26)[0]
        if patched[local + 30 : local + 30 + name_len] == name:
            struct.pack_into("<I", patched, local + 22, size)
        local = patched.find(b"PK\x03\x04", local + 4)
    central = patched.find(b"PK\x01\x02")
    while central != -1:
        name_len = struct.unpack_from("<H", patched, central + 28)[0]
        if patched[central + 46 : central + 46 + name_len] == name:
            struct.pack_into("<I", patched, central + 24, size)
        central = patched.find(b"PK\x01\x02", central + 4)
    return bytes(patched)


def test_zip_that_declares_small_sizes_but_inflates_more_is_refused() -> None:
    small = _lie_about_sizes(_docx_with_body(200 * MIB), "word/document.xml", 1000)
    with zipfile.ZipFile(io.BytesIO(small)) as archive:
        assert archive.getinfo("word/document.xml").file_size == 1000  # the lie is what the directory says
    tracemalloc.start()
    try:
        with pytest.raises(CorruptDocumentError, match=r"lie\.docx: member 'word/document\.xml' is damaged"):
            load_bytes(small, "lie.docx")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * MIB


def test_a_lower_unpacked_bound_applies_to_honest_files_too() -> None:
    with pytest.raises(UnpackedSizeError, match=r"max_unpacked_bytes=1000"):
        load_bytes(_docx_with_body(2 * MIB), "a.docx", ReadLimits(max_unpacked_bytes=1000))


def _pdf(pages: list[str]) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    for text in pages:
        pdf.setFont("STSong-Light", 12)
        pdf.drawString(72, 760, text)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def test_pdf_page_count_is_bounded() -> None:
    with pytest.raises(PageCountError, match=r"p\.pdf has 3 pages, more than max_pages=2"):
        load_bytes(_pdf(["第一条", "第二条", "第三条"]), "p.pdf", ReadLimits(max_pages=2))


def test_pdf_characters_per_page_are_bounded() -> None:
    with pytest.raises(PageTextError, match=r"page 2 of p\.pdf holds 12 characters, more than max_chars_per_page=10"):
        load_bytes(_pdf(["第一条", "第二条规定了十个以上的字"]), "p.pdf", ReadLimits(max_chars_per_page=10))


def test_document_characters_are_bounded() -> None:
    with pytest.raises(PageTextError, match=r"max_chars=5"):
        load_bytes("一、总体要求".encode(), "t.txt", ReadLimits(max_chars=5))


def test_clauses_per_document_are_bounded() -> None:
    text = "\n".join(f"{i}.推进第{i}项工作。" for i in range(1, 31))
    assert len(read_bytes(text.encode(), "t.txt").clauses) >= 30
    with pytest.raises(ClauseCountError, match=r"t\.txt has \d+ clauses, more than max_clauses=20"):
        read_bytes(text.encode(), "t.txt", ReadLimits(max_clauses=20))


def test_every_bound_refusal_is_a_document_too_large_error_naming_a_limits_field() -> None:
    for cls in (UnpackedSizeError, PageCountError, PageTextError, ClauseCountError):
        assert issubclass(cls, DocumentTooLargeError)
    with pytest.raises(ValueError, match=r"ReadLimits\.max_pages must be positive; got 0"):
        ReadLimits(max_pages=0)
    assert DEFAULT_LIMITS.describe("max_clauses") == "max_clauses=5000"
