"""Visual lines of a fixed-layout page (PDF, OFD, OCR) -> one line per paragraph.

A PDF stores visual lines, while the clause parser reads one paragraph per
line. A line that runs to the right margin without ending a sentence is a
wrapped line, so it is joined with the next one (across a page break too). In
a document whose paragraphs open with an indent (the Chinese 2-character
首行缩进), a line starting at the left margin continues the line before it
even when the right edge is ragged. Every other line break is kept.
Page-number lines and running headers or footers (the same line at the top or
bottom of several pages) are dropped.

Example:
    >>> reflow([[Line("为认真贯彻落实", 500.0, 12.0), Line("部署。", 100.0, 12.0)]])
    ['为认真贯彻落实', '部署。']
"""

from __future__ import annotations

import bisect
import re
import statistics
from dataclasses import dataclass

# A page-number line in a page header or footer, e.g. "- 3 -", "— 12 —", "第3页", "第 3 页 共 10 页",
# "共10页 第3页", "3/10", "Page 3 of 10".
_PAGE_NUMBER = re.compile(
    r"""^(?:
        [-－—–~～]+\s*\d{1,4}\s*[-－—–~～]+
      | 第\s*\d{1,4}\s*页(?:\s*[,，/／]?\s*共\s*\d{1,4}\s*页)?
      | 共\s*\d{1,4}\s*页\s*[,，/／]?\s*第\s*\d{1,4}\s*页
      | \d{1,4}\s*[/／]\s*\d{1,4}
      | (?i:page)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?
    )$""",
    re.VERBOSE,
)
# A bare number is a page number only as the last line of a page ("3"); at the top it may be
# the number column of a table continued from the page before.
_BARE_NUMBER = re.compile(r"^\d{1,4}$")
# A glyph without a Unicode mapping, as pdfminer writes it: "(cid:1234)".
UNMAPPED_GLYPH = re.compile(r"\(cid:\d+\)")
# A line ending like this ends its paragraph even when it reaches the margin.
_PARAGRAPH_END = re.compile(r"[。；;！!？?：:]$")
# A line ending within this many line heights of the right margin reaches it; the margin is an
# edge that at least _MIN_LINES_AT_MARGIN lines reach.
_MARGIN_TOLERANCE = 1.5
_MIN_LINES_AT_MARGIN = 3


# A paragraph's first line is indented by at least this many line heights (2 characters is usual).
_MIN_INDENT = 1.2
# How many lines must show the indent (and how many start at the margin) to trust the pattern.
_MIN_INDENTED_LINES = 3


@dataclass(frozen=True, slots=True)
class Line:
    """One visual line of a page: its text, right edge, height and left edge (in points).

    ``x0`` is None where the source does not give it; the indent rule is then not used.
    """

    text: str
    x1: float  # right edge, in points
    height: float
    x0: float | None = None


def strip_page_numbers(lines: list[Line]) -> list[Line]:
    """Drop page-number lines at the top and bottom of a page, and unmapped glyphs.

    Example: ["第3页", "一、总体要求", "- 3 -"] -> ["一、总体要求"].
    """
    lines = [Line(UNMAPPED_GLYPH.sub("", line.text).strip(), line.x1, line.height, line.x0) for line in lines]
    while lines and (not lines[0].text or _PAGE_NUMBER.match(lines[0].text)):
        lines.pop(0)
    while lines and (not lines[-1].text or _PAGE_NUMBER.match(lines[-1].text) or _BARE_NUMBER.match(lines[-1].text)):
        lines.pop()
    return lines


def reflow(pages: list[list[Line]]) -> list[str]:
    """Join each wrapped line with the next: it reaches the right margin without ending a sentence,
    or (in an indented document) the next line starts at the left margin."""
    lines = [line for page in _drop_running_lines(pages) for line in page if line.text]
    margin = _right_margin(lines)
    left = _left_margin(lines)
    out: list[str] = []
    wrapped = False
    for line in lines:
        continues = left is not None and line.x0 is not None and line.x0 < left + line.height * 0.5
        if out and (wrapped or continues):
            # Chinese runs on without a space; two Latin words or numbers need one
            space = " " if out[-1][-1].isascii() and out[-1][-1].isalnum() and line.text[0].isascii() else ""
            out[-1] += space + line.text
        else:
            out.append(line.text)
        wrapped = (line.x1 >= margin and not _PARAGRAPH_END.search(line.text)) or _opens_bracket(out[-1])
    return out


def _opens_bracket(text: str) -> bool:
    """True when a bracket opened in the paragraph so far is still open: "(牵头单位:X;完成时限:" goes on."""
    return sum(text.count(c) for c in "(（【〔[") > sum(text.count(c) for c in ")）】〕]")


def _left_margin(lines: list[Line]) -> float | None:
    """The left margin of a document whose paragraphs open indented, or None when it is not one.

    Such a document has several lines at the margin (continuations) and several indented by about
    two characters (paragraph starts); headings and signatures are elsewhere and do not count.
    """
    edges = [line.x0 for line in lines if line.x0 is not None]
    if len(edges) < 2 * _MIN_INDENTED_LINES:
        return None
    left = min(edges)
    height = statistics.median(line.height for line in lines)
    at_margin = sum(1 for x in edges if x < left + height * 0.5)
    indented = sum(1 for x in edges if left + height * _MIN_INDENT <= x <= left + height * 3)
    return left if at_margin >= _MIN_INDENTED_LINES and indented >= _MIN_INDENTED_LINES else None


def _drop_running_lines(pages: list[list[Line]]) -> list[list[Line]]:
    """Drop a later page's first or last line when the same text opens or closes another page too."""
    if len(pages) < 2:
        return pages
    seen: dict[str, int] = {}
    for page in pages:
        for text in {page[0].text, page[-1].text} if page else set():
            seen[text] = seen.get(text, 0) + 1
    running = {text for text, count in seen.items() if count >= 2}
    kept = [pages[0]]  # the first page keeps it: a header there may be the document's own 文号 line
    for page in pages[1:]:
        page = page[1:] if page and page[0].text in running else page
        page = page[:-1] if page and page[-1].text in running else page
        kept.append(page)
    return kept


def _right_margin(lines: list[Line]) -> float:
    """Where full lines end: the rightmost edge shared by several lines, less a tolerance.

    A widest line that no other line reaches (a wide table row) is not the margin. Returns
    infinity when no edge is shared by enough lines, so nothing is joined.
    """
    if len(lines) < _MIN_LINES_AT_MARGIN:
        return float("inf")
    tolerance = _MARGIN_TOLERANCE * statistics.median(line.height for line in lines)
    edges = sorted(line.x1 for line in lines)
    for i in range(len(edges) - 1, _MIN_LINES_AT_MARGIN - 2, -1):
        near = i - bisect.bisect_left(edges, edges[i] - tolerance) + 1
        if near >= _MIN_LINES_AT_MARGIN:
            return edges[i] - tolerance
    return float("inf")
