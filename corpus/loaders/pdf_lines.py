"""Visual lines of a fixed-layout page (PDF, OFD, OCR) -> one line per paragraph.

A PDF stores visual lines, while the clause parser reads one paragraph per
line. A line that runs to the right margin without ending a sentence is a
wrapped line, so it is joined with the next one (across a page break too);
every other line break is kept. Page-number headers and footers are dropped.

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


@dataclass(frozen=True, slots=True)
class Line:
    """One visual line of a page: its text, right edge and height (both in points)."""

    text: str
    x1: float  # right edge, in points
    height: float


def strip_page_numbers(lines: list[Line]) -> list[Line]:
    """Drop page-number lines at the top and bottom of a page, and unmapped glyphs.

    Example: ["第3页", "一、总体要求", "- 3 -"] -> ["一、总体要求"].
    """
    lines = [Line(UNMAPPED_GLYPH.sub("", line.text).strip(), line.x1, line.height) for line in lines]
    while lines and (not lines[0].text or _PAGE_NUMBER.match(lines[0].text)):
        lines.pop(0)
    while lines and (not lines[-1].text or _PAGE_NUMBER.match(lines[-1].text) or _BARE_NUMBER.match(lines[-1].text)):
        lines.pop()
    return lines


def reflow(pages: list[list[Line]]) -> list[str]:
    """Join each wrapped line (reaching the right margin, no sentence end) with the next line."""
    lines = [line for page in pages for line in page if line.text]
    margin = _right_margin(lines)
    out: list[str] = []
    wrapped = False
    for line in lines:
        if wrapped and out:
            # Chinese runs on without a space; two Latin words or numbers need one
            space = " " if out[-1][-1].isascii() and out[-1][-1].isalnum() and line.text[0].isascii() else ""
            out[-1] += space + line.text
        else:
            out.append(line.text)
        wrapped = line.x1 >= margin and not _PARAGRAPH_END.search(line.text)
    return out


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
