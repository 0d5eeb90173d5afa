"""Titles of a document and of the plans bundled in it, and the issuers a plan title names."""

from __future__ import annotations

import re

from corpus.structure import can_continue_title, is_title_end
from corpus.text import fold
from corpus.units import LABEL_RE, split_units


def find_title_blocks(lines: list[tuple[int, int, str]]) -> dict[int, int]:
    """Map first line index -> last line index of each title block ("省XX关于…\\n…的实施方案")."""
    blocks: dict[int, int] = {}
    taken: set[int] = set()
    for j, (_, _, raw) in enumerate(lines):
        if not is_title_end(fold(raw)):
            continue
        k = j
        while k > 0 and j - k < 2 and (k - 1) not in taken and can_continue_title(fold(lines[k - 1][2])):
            k -= 1
        blocks[k] = j
        taken.update(range(k, j + 1))
    return blocks


# A document without a title block that names itself in its opening sentence:
# "…高质量推进中国(广西)自由贸易试验区钦州港片区(以下简称钦州港片区)建设,制定本实施方案。"
_STATED_TITLE = re.compile(
    r"推进([^,。;]{4,40}?)(?:\(以下简称[^()]*\))?(建设|工作)?\s*,\s*(?:特)?制定本(实施方案|工作方案|方案)"
)


def stated_title(text: str) -> str | None:
    """The title a document gives itself in its first paragraph, or None."""
    m = _STATED_TITLE.search(fold(text[:1500]))
    if not m:
        return None
    start, end = m.span(1)
    return text[start:end] + (m.group(2) or "") + m.group(3)


def known_units(text: str) -> set[str]:
    """Unit names written in the document's labels, used to split "省商务厅武汉海关"."""
    names: set[str] = set()
    folded = fold(text)
    for m in LABEL_RE.finditer(folded):
        value = text[m.end() : m.end() + 200].split("\n", 1)[0]
        value = re.split(r"[)〕】]|(?:" + LABEL_RE.pattern + ")", fold(value), maxsplit=1)[0]
        names.update(split_units(value))
    return names


def title_issuer(title_lines: list[str]) -> str | None:
    """The issuer a (sub-)plan title names before its 关于, on the 关于 line or the line above it.

    ["省财政厅关于…", "…的实施方案"] -> "省财政厅"; ["XX汇编", "区市场监管局关于…的实施方案"] ->
    "区市场监管局" (a line above the 关于 line is the issuer only when 关于 opens its line).
    """
    for k, line in enumerate(title_lines):
        pos = line.find("关于")
        if pos > 0:
            return line[:pos]
        if pos == 0 and k > 0:
            return title_lines[k - 1]
    return None


def segment_issuers(issuer: str, known: set[str]) -> list[str]:
    """Split back-to-back issuers using unit names the document spells out elsewhere."""
    issuer = issuer.strip()
    best: dict[int, list[str]] = {0: []}
    for end in range(1, len(issuer) + 1):
        for start in list(best):
            piece = issuer[start:end]
            if start < end and piece in known and end not in best:
                best[end] = [*best[start], piece]
    parts = best.get(len(issuer))
    return parts if parts and len(parts) > 1 else [issuer]
