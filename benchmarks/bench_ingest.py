"""Ingest benchmark: clauses/s per document format, OCR pages/s, and the cost of refusing zip bombs.

One task plan of N items (sentences of the bundled documents, each with 牵头单位 and 完成时限)
is written in every format the loaders read: txt (UTF-8, Big5), docx, xlsx, html, pdf, ofd,
and through LibreOffice doc, rtf and xls. Each file is read and parsed with
``corpus.reader.read_bytes`` (load + clause parse, no embedding) ``--repeat`` times; the median
is printed. OCR: an image-only PDF of ``--ocr-pages`` pages. Prints markdown, asserts nothing.

Run:  python -m benchmarks.bench_ingest            (about 2 minutes here)
      python -m benchmarks.bench_ingest --items 100 --ocr-pages 2 --repeat 1
"""

from __future__ import annotations

import argparse
import io
import os
import platform
import shutil
import statistics
import subprocess
import tempfile
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path

import docx
import openpyxl
from PIL import Image, ImageDraw, ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfgen import canvas

from benchmarks.synthetic import UNITS, template_sentences
from corpus.errors import DocumentError
from corpus.model import Document
from corpus.reader import read_bytes
from corpus.simplify import to_simplified

FONT = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")


def task_rows(n: int) -> list[tuple[str, str, str]]:
    """(task, lead unit, deadline) rows from the bundled documents' sentences."""
    sentences = [s for s in template_sentences() if 12 <= len(s) <= 60]
    return [
        (sentences[i % len(sentences)], UNITS[i % len(UNITS)], f"{2021 + i % 4}年{1 + i % 12}月底前") for i in range(n)
    ]


def plan_lines(rows: list[tuple[str, str, str]]) -> list[str]:
    lines = ["关于推进重点任务的实施方案", "一、重点任务"]
    for i, (task, lead, due) in enumerate(rows, start=1):
        lines += [f"（{i}）{task}", f"牵头单位：{lead}", f"完成时限：{due}"]
    return lines


def as_docx(lines: list[str]) -> bytes:
    document = docx.Document()
    for line in lines:
        document.add_paragraph(line)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def as_xlsx(rows: list[tuple[str, str, str]]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "重点任务"
    sheet.append(["序号", "重点任务", "牵头单位", "完成时限"])
    for i, row in enumerate(rows, start=1):
        sheet.append([i, *row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_pdf(lines: list[str]) -> bytes:
    out = io.BytesIO()
    pdf = canvas.Canvas(out)
    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    for start in range(0, len(lines), 40):
        pdf.setFont("STSong-Light", 10)
        for j, line in enumerate(lines[start : start + 40]):
            pdf.drawString(40, 800 - 19 * j, line[:52])
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def as_ofd(lines: list[str]) -> bytes:
    ns = "http://www.ofdspec.org/2016"
    pages = []
    for start in range(0, len(lines), 40):
        objects = "".join(
            f'<ofd:TextObject Boundary="20 {20 + 6 * j} 170 5" Size="3.5"><ofd:TextCode X="0" Y="4">{line}'
            "</ofd:TextCode></ofd:TextObject>"
            for j, line in enumerate(lines[start : start + 40])
        )
        pages.append(
            f'<ofd:Page xmlns:ofd="{ns}"><ofd:Content><ofd:Layer>{objects}</ofd:Layer></ofd:Content></ofd:Page>'
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "OFD.xml",
            f'<ofd:OFD xmlns:ofd="{ns}"><ofd:DocBody><ofd:DocRoot>Doc_0/Document.xml</ofd:DocRoot>'
            "</ofd:DocBody></ofd:OFD>",
        )
        listed = "".join(f'<ofd:Page BaseLoc="Pages/Page_{i}/Content.xml"/>' for i in range(len(pages)))
        archive.writestr(
            "Doc_0/Document.xml", f'<ofd:Document xmlns:ofd="{ns}"><ofd:Pages>{listed}</ofd:Pages></ofd:Document>'
        )
        for i, page in enumerate(pages):
            archive.writestr(f"Doc_0/Pages/Page_{i}/Content.xml", page)
    return out.getvalue()


def libreoffice(data: bytes, suffix: str, target: str) -> bytes | None:
    """``data`` converted by LibreOffice to ``target``, or None without it."""
    soffice = shutil.which("soffice")
    if soffice is None:
        return None
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"in{suffix}"
        source.write_bytes(data)
        profile = (Path(tmp) / "profile").as_uri()
        subprocess.run(
            [soffice, f"-env:UserInstallation={profile}", "--headless", "--convert-to", target,
             "--outdir", tmp, str(source)],
            check=True, capture_output=True, timeout=300,
        )  # fmt: skip
        return (Path(tmp) / f"in.{target}").read_bytes()


def timed(fn: Callable[[], Document], repeat: int) -> tuple[float, Document]:
    """Median seconds of ``repeat`` calls, and the last call's document."""
    times: list[float] = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def scan_pdf(pages: int, lines: list[str]) -> bytes:
    font = ImageFont.truetype(str(FONT), 36)
    images = []
    for p in range(pages):
        image = Image.new("L", (1654, 2339), 255)  # A4 at 200 dpi
        draw = ImageDraw.Draw(image)
        for j, line in enumerate(lines[p * 30 : p * 30 + 30]):
            draw.text((120, 120 + 70 * j), line[:36], font=font, fill=0)
        images.append(image)
    out = io.BytesIO()
    images[0].save(out, "PDF", resolution=200, save_all=True, append_images=images[1:])
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=500, help="task items in the plan (3 lines each)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--ocr-pages", type=int, default=4)
    args = parser.parse_args()
    rows = task_rows(args.items)
    lines = plan_lines(rows)
    text = "\n".join(lines)
    traditional = __import__("opencc").OpenCC("s2t").convert(text)
    files: dict[str, tuple[str, bytes | None]] = {
        "txt (UTF-8)": ("plan.txt", text.encode()),
        "txt (Big5, detected)": ("plan.txt", traditional.encode("cp950", errors="replace")),
        "html": (
            "plan.html",
            ("<html><body>" + "".join(f"<p>{line}</p>" for line in lines) + "</body></html>").encode(),
        ),
        "docx": ("plan.docx", as_docx(lines)),
        "xlsx": ("plan.xlsx", as_xlsx(rows)),
        "pdf (text layer)": ("plan.pdf", as_pdf(lines)),
        "ofd": ("plan.ofd", as_ofd(lines)),
        "doc (LibreOffice)": ("plan.doc", libreoffice(as_docx(lines), ".docx", "doc")),
        "rtf (LibreOffice)": ("plan.rtf", libreoffice(as_docx(lines), ".docx", "rtf")),
        "xls": ("plan.xls", libreoffice(as_xlsx(rows), ".xlsx", "xls")),
    }
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
          f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print(f"\n## Ingest (load + parse, no embedding): a plan of {args.items} task items, median of {args.repeat}\n")
    print("| format | file size | clauses | seconds | clauses/s |\n|---|---|---|---|---|")
    for label, (name, data) in files.items():
        if data is None:
            print(f"| {label} | — | — | LibreOffice not installed | — |")
            continue
        try:
            seconds, document = timed(partial(read_bytes, data, name), args.repeat)
        except DocumentError as exc:
            print(f"| {label} | {len(data) // 1024} KiB | refused: {exc} | | |")
            continue
        clauses = len(document.clauses)
        print(f"| {label} | {len(data) // 1024} KiB | {clauses} | {seconds:.3f} | {clauses / seconds:,.0f} |")
    start = time.perf_counter()
    converted = to_simplified(traditional)
    seconds = time.perf_counter() - start
    print(
        f"\nOpenCC t2s on the Big5 plan's {len(traditional):,} characters: {seconds:.4f} s "
        f"({len(traditional) / seconds / 1e6:.1f} M chars/s); equal to the original: {converted == text}"
    )
    if shutil.which("tesseract") and FONT.is_file():
        scan = scan_pdf(args.ocr_pages, lines)
        seconds, scanned = timed(lambda: read_bytes(scan, "scan.pdf"), 1)
        print(f"\n## OCR: image-only PDF, {args.ocr_pages} A4 pages of 30 lines at 200 dpi (Tesseract chi_sim)\n")
        clauses = len(scanned.clauses)
        print(f"{seconds:.1f} s, **{args.ocr_pages / seconds:.2f} pages/s**; {clauses} clauses read")
    bomb_report()


def bomb_report() -> None:
    """Time and peak Python memory to refuse a 1 GiB zip bomb .docx (about 1 MiB on the wire)."""
    from tests.corpus.test_loaders_bounds import _docx_with_body

    bomb = _docx_with_body(1024 * 1024 * 1024)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        read_bytes(bomb, "bomb.docx")
        outcome = "accepted (!)"
    except DocumentError as exc:
        outcome = type(exc).__name__
    seconds = time.perf_counter() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    print(f"\n## Zip bomb: {len(bomb) // 1024} KiB .docx declaring and unpacking to 1 GiB\n")
    print(f"{outcome} after {seconds:.2f} s; peak traced Python memory {peak / 1024 / 1024:.1f} MiB")


if __name__ == "__main__":
    main()
