"""A measure's name, and how much of it a question says: staff ask for a measure by its name.

A policy measure usually opens with its name and a full stop — 「提升海事服务便利化水平。在自贸试验区设立…」 —
and a heading is all name. A question that repeats the name almost verbatim (「岳阳片区提升海事服务便利化水平谁牵头」)
is about that measure, even when another clause shares more of the question's words in its body or sits
closer in embedding space. :func:`name_coverage` measures that: the share of the name's characters that
lie in a stretch of at least two characters the question also has.

Example:
    >>> measure_name("（三）提升海事服务便利化水平。在自贸试验区设立海事政务服务办事机构。")
    '提升海事服务便利化水平'
    >>> name_coverage("岳阳片区提升海事服务便利化水平谁牵头", "提升海事服务便利化水平")
    1.0
    >>> round(name_coverage("岳阳片区提升海事服务便利化水平谁牵头", "增强港航服务能力"), 2)
    0.25
"""

from __future__ import annotations

import re

#: A name ends at the first of these (「名称。正文」, 「名称:正文」, 「名称;」).
_NAME_END = re.compile(r"[。：:；;！？!?]")
_NUMBERING = re.compile(r"^\s*(?:[（(][0-9一二三四五六七八九十]+[)）]|[0-9一二三四五六七八九十]+[、.．]\s*)+")
_BRACKETED = re.compile(r"[（(][^（()）]*[)）]")
_PUNCT = re.compile(r"[\s，,、“”‘’\"'《》〈〉【】\[\]—\-·…]")
#: Names shorter than this say too little to match a question by (「总体要求」 is in many questions' words).
MIN_NAME_CHARS = 4
#: Names longer than this are sentences, not names.
MAX_NAME_CHARS = 40


def measure_name(text: str) -> str | None:
    """The name a clause opens with: its words before the first 。/：/；, numbering and bracketed
    notes removed; None when that is shorter than 4 or longer than 40 characters."""
    text = _NUMBERING.sub("", text)
    match = _NAME_END.search(text)
    name = _BRACKETED.sub("", text[: match.start()] if match else text).strip()
    if len(name) > MAX_NAME_CHARS:  # 「完善外商投资信息报告制度,推进部门数据共享,实行…」: its first phrase
        name = re.split(r"[,，]", name, maxsplit=1)[0]
    return name if MIN_NAME_CHARS <= len(name) <= MAX_NAME_CHARS else None


def name_coverage(question: str, name: str) -> float:
    """Share of ``name``'s characters (punctuation aside) inside a two-character stretch ``question`` has too."""
    bigrams = {question[i : i + 2] for i in range(len(question) - 1)}
    chars = _PUNCT.sub("", name)
    if not chars:
        return 0.0
    covered = [False] * len(chars)
    for i in range(len(chars) - 1):
        if chars[i : i + 2] in bigrams:
            covered[i] = covered[i + 1] = True
    return sum(covered) / len(chars)
