"""Read the shape of a policy text line by line: numbering markers, label lines, titles, chrome.

Everything here looks at one line (or a few neighbouring lines) at a time; assembling the
clause tree and the fields is :mod:`corpus.parser`'s job.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.grammar import CHROME_RE, LABEL_RE, UNKNOWN_LABEL_RE
from corpus.text import fold

_CN_NUM = "一二三四五六七八九十百零〇两"

# Numbering styles, outermost first. Each regex runs on the folded line (full-width -> ASCII)
# and captures the marker and its number; the rank orders styles from outer to inner.
#   第一章 / 第二节 / 第三条 | 一、 | (一) | 1. 1、 | (1) | 一是 | ① | 案例1: | 2.4 / 2.4.1
_STYLES: tuple[tuple[str, float, re.Pattern[str]], ...] = (
    ("chapter", 0.0, re.compile(rf"^(第(?P<n>[{_CN_NUM}\d]+)章)\s*")),
    ("section", 1.0, re.compile(rf"^(第(?P<n>[{_CN_NUM}\d]+)节)\s*")),
    ("article", 2.0, re.compile(rf"^(第(?P<n>[{_CN_NUM}\d]+)条)\s*")),
    # "2.4.1 案例", "1.1推进…" (no space before Chinese text, but not "2.5亿元")
    (
        "decimal",
        2.5,
        re.compile(
            r"^((?P<n>\d{1,2}(?:\.\d{1,2}){1,3}))(?:\s+(?=\D)|(?=[\u4e00-\u9fff“])(?![亿万千百倍元个月年日号季周天时]))"
        ),
    ),
    ("cn", 3.0, re.compile(rf"^((?P<n>[{_CN_NUM}]{{1,4}})\s*、)\s*")),
    ("cn_paren", 4.0, re.compile(rf"^(\(\s*(?P<n>[{_CN_NUM}]{{1,4}})\s*\))\s*")),
    ("cn_compound", 4.0, re.compile(rf"^([{_CN_NUM}]{{1,3}}\(\s*(?P<n>[{_CN_NUM}]{{1,4}})\s*\))\s*")),  # 一(一)
    ("case", 5.0, re.compile(r"^(案例\s*(?P<n>\d{1,3})\s*:)\s*")),
    ("num", 5.0, re.compile(r"^((?P<n>\d{1,3})\s*[、.](?!\d))\s*")),
    # a task code from a ledger: "MS-01.", "RW2024-03、", "A3." (the number is its last digits)
    ("code", 5.0, re.compile(r"^((?P<code>[A-Za-z]{1,6}[-_]?(?:\d{1,4}[-_.])*?(?P<n>\d{1,4}))\s*[、.](?!\d))\s*")),
    ("dash", 5.5, re.compile(r"^(\(?\s*\d{1,2}\s*-\s*(?P<n>\d{1,2})\s*\)?)[、.\s]*(?=[\u4e00-\u9fff“])")),  # 1-1, (1-2)
    ("num_paren", 6.0, re.compile(r"^(\(?\s*(?P<n>\d{1,3})\s*\))\s*")),  # (1) and 1)
    ("shi", 6.5, re.compile(rf"^((?P<n>[{_CN_NUM}]{{1,3}})是)\s*(?=[\u4e00-\u9fff“])")),  # 一是… 二是…
    ("circled", 7.0, re.compile(r"^((?P<n>[①-⑳]))\s*")),
)

# Conversion debris such as "[bookmark: _GoBack]" left by a .doc -> .txt export.
DEBRIS_RE = re.compile(r"\[bookmark:[^\]]*\]\s*")
# "主要措施:" opens a measure block whose closing label block belongs to the enclosing section.
MEASURE_MARKER_RE = re.compile(r"^(?:主要措施|具体措施|工作措施)\s*:\s*")
# The document's own lead rule, e.g. "(排第一的为牵头单位,下同)".
LEAD_RULE_RE = re.compile(r"(?:排|列)(?:在)?(?:第一|首位)(?:位)?的?(?:为|是)牵头单位")
# A title block's last line: "…的实施方案", "…工作方案", "…的通知", "…实施方案(征求意见稿)".
# A title may close with a short bracket: its status, its period or its place.
TITLE_END_RE = re.compile(
    r"(?:方案|通知|意见|办法|规划|清单|计划|汇编|要点|细则|台账|[^附]表)"
    r"(?:\([^()]{1,16}\))?$"  # "(征求意见稿)", "(试行)", "(2024—2026年)", "(西山县)"
)
_SENTENCE_PUNCT = re.compile(r"[。;:,!?]")
_DATE_LINE = re.compile(r"^\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日$")


@dataclass(frozen=True, slots=True)
class Marker:
    """A numbering marker at the start of a line.

    Attributes:
        style: one of the style names in ``_STYLES``.
        rank: nesting order of the style (smaller is outer).
        number: the marker's number as an int (一 -> 1, ③ -> 3, 2.4.1 -> 1).
        label: the marker normalised for the number path: "四、", "(一)", "1.", "(3)", "案例1".
        length: characters the marker (and the spaces after it) take in the line.
    """

    style: str
    rank: float
    number: int
    label: str
    length: int


def read_marker(folded_line: str) -> Marker | None:
    """The numbering marker at the start of a folded line, or None.

    Example:
        >>> read_marker("(一)开展优化营商环境改革举措先行先试。").label
        '(一)'
        >>> read_marker("2.4.1 第一批8个最佳实践案例").style
        'decimal'
        >>> read_marker("2020年港口集装箱吞吐量") is None
        True
    """
    for style, rank, pattern in _STYLES:
        m = pattern.match(folded_line)
        if not m:
            continue
        raw_n = m.group("n")
        number = _to_int(raw_n)
        if number is None:
            continue
        if style == "decimal":
            rank += raw_n.count(".") * 0.1
            label = raw_n
        elif style == "num":
            label = f"{number}."
        elif style == "case":
            label = f"案例{number}"
        elif style in ("dash", "cn_compound"):
            label = re.sub(r"\s+", "", m.group(1))
        elif style == "code":
            label = m.group("code")
        elif style == "num_paren":
            label = f"({number})"  # "1)" is written for "(1)"
        else:
            label = re.sub(r"\s+", "", m.group(1))
        return Marker(style, rank, number, label, m.end())
    return None


def is_label_line(folded_line: str) -> bool:
    """True for a line that only carries labels: "牵头单位:X  责任单位:Y" or "(责任单位:… 落实时间:…)".

    Example:
        >>> is_label_line("(责任单位:市市场监管局 落实时间:持续推进)")
        True
        >>> is_label_line("(1)全面落实公平竞争审查制度。(牵头单位:市市场监管局)")
        False
    """
    line = folded_line.strip()
    if LABEL_RE.match(line) or (len(line) <= 60 and UNKNOWN_LABEL_RE.match(line)):
        return True
    if line[:1] in "(〔【[〖" and line.rstrip("。")[-1:] in ")〕】]〗":
        return bool(LABEL_RE.match(line[1:].lstrip()))
    return False


def is_chrome(folded_line: str) -> bool:
    """True for web-page chrome lines that are not document content."""
    return bool(CHROME_RE.match(folded_line.strip()))


def is_title_end(folded_line: str) -> bool:
    """True for a line that can end a (sub-)document title block: "…的实施方案"."""
    line = folded_line.strip()
    return (
        len(line) <= 60
        and not line.startswith("附件")
        and read_marker(line) is None
        and not _SENTENCE_PUNCT.search(_unquoted(line))
        and bool(TITLE_END_RE.search(line))
    )


def can_continue_title(folded_line: str) -> bool:
    """True for a short line that may be the first or middle line of a title block."""
    line = folded_line.strip()
    return (
        0 < len(line) <= 32
        and not line.startswith("附件")
        and read_marker(line) is None
        and not _DATE_LINE.match(line)
        and not LABEL_RE.match(line)
        and not _SENTENCE_PUNCT.search(_unquoted(line))
    )


def is_short_heading(folded_line: str, limit: int = 30) -> bool:
    """True for a short line with no sentence punctuation: a theme heading or a table cell."""
    line = folded_line.strip()
    return 0 < len(line) <= limit and not _SENTENCE_PUNCT.search(_unquoted(line)) and not LABEL_RE.search(line)


def _unquoted(text: str) -> str:
    return re.sub(r"“[^”]*”|《[^》]*》|\([^()]*\)", "", text)


def _to_int(raw: str) -> int | None:
    if raw[0] in "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳":
        return ord(raw[0]) - ord("①") + 1
    if raw[0].isdigit():
        return int(raw.split(".")[-1])
    return cn_to_int(raw)


def cn_to_int(raw: str) -> int | None:
    """Read a Chinese numeral up to the hundreds: "八十四" -> 84, "十" -> 10, "一百零二" -> 102."""
    digits = dict(zip("零〇一二两三四五六七八九", (0, 0, 1, 2, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))
    total, current = 0, 0
    for ch in raw:
        if ch in digits:
            current = digits[ch]
        elif ch == "十":
            total += (current or 1) * 10
            current = 0
        elif ch == "百":
            total += (current or 1) * 100
            current = 0
        else:
            return None
    total += current
    return total or None


__all__ = [
    "CHROME_RE",
    "DEBRIS_RE",
    "LEAD_RULE_RE",
    "MEASURE_MARKER_RE",
    "Marker",
    "can_continue_title",
    "cn_to_int",
    "fold",
    "is_chrome",
    "is_label_line",
    "is_short_heading",
    "is_title_end",
    "read_marker",
]
