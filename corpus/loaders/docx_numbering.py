"""Word's automatic list numbering, rendered back into the text.

In a .docx the "一、" or "(1)" before an auto-numbered paragraph is not in the
paragraph's text: Word draws it from numbering.xml. The clause parser needs it,
so this module replays the counters in document order and renders each level's
pattern, e.g. ``lvlText="（%1）"`` with ``numFmt="chineseCounting"`` -> "（三）".

Simplifications: counters are kept per abstract list (lists that share one
continue each other unless a ``startOverride`` restarts them); bullets and
unknown formats render as nothing or as decimals.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_NS = {"w": _W[1:-1]}
_MAX_START = 10_000  # a forged start value must not produce a huge label

_DIGITS = "〇一二三四五六七八九"
_HEAVENLY_STEMS = "甲乙丙丁戊己庚辛壬癸"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_ROMAN = (
    *((1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"), (50, "l")),
    *((40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")),
)


@dataclass(frozen=True, slots=True)
class _Level:
    start: int
    fmt: str  # w:numFmt, e.g. "decimal", "chineseCounting", "bullet"
    text: str  # w:lvlText, e.g. "%1、", "（%1）", "%1.%2"
    legal: bool  # w:isLgl: every level shown as a decimal


class Numbering:
    """Counters of a document's numbered lists; :meth:`label` renders one paragraph's number."""

    def __init__(
        self,
        levels: dict[str, dict[int, _Level]],
        abstract_of: dict[str, str],
        overrides: dict[str, dict[int, int]],
        style_num: dict[str, tuple[str, int | None]],
        based_on: dict[str, str],
    ) -> None:
        """Build from parsed numbering.xml and styles.xml; use :meth:`from_document`."""
        self._levels = levels
        self._abstract_of = abstract_of
        self._overrides = overrides
        self._style_num = style_num
        self._based_on = based_on
        self._counters: dict[str, dict[int, int]] = {}
        self._started: set[str] = set()

    @classmethod
    def from_document(cls, document: Any) -> Numbering:
        """Read the numbering and style definitions of a python-docx ``Document``."""
        levels: dict[str, dict[int, _Level]] = {}
        abstract_of: dict[str, str] = {}
        overrides: dict[str, dict[int, int]] = {}
        numbering = _part_element(document, "numbering_part")
        if numbering is not None:
            for abstract in numbering.iterfind("w:abstractNum", _NS):
                levels[abstract.get(_W + "abstractNumId", "")] = {
                    _int(lvl.get(_W + "ilvl"), 0): _read_level(lvl) for lvl in abstract.iterfind("w:lvl", _NS)
                }
            for num in numbering.iterfind("w:num", _NS):
                num_id = num.get(_W + "numId", "")
                abstract_of[num_id] = _val(num.find("w:abstractNumId", _NS)) or ""
                overrides[num_id] = {
                    _int(o.get(_W + "ilvl"), 0): _clamp(_int(_val(o.find("w:startOverride", _NS)), 1))
                    for o in num.iterfind("w:lvlOverride", _NS)
                    if o.find("w:startOverride", _NS) is not None
                }
        style_num: dict[str, tuple[str, int | None]] = {}
        based_on: dict[str, str] = {}
        styles = _part_element(document, "_styles_part")
        if styles is not None:
            for style in styles.iterfind("w:style", _NS):
                style_id = style.get(_W + "styleId", "")
                parent = _val(style.find("w:basedOn", _NS))
                if parent:
                    based_on[style_id] = parent
                num_pr = style.find("w:pPr/w:numPr", _NS)
                if num_pr is not None:
                    num_id = _val(num_pr.find("w:numId", _NS)) or ""
                    ilvl = _val(num_pr.find("w:ilvl", _NS))
                    style_num[style_id] = (num_id, _int(ilvl, 0) if ilvl else None)
        return cls(levels, abstract_of, overrides, style_num, based_on)

    def label(self, p: Any) -> str:
        """Advance the counters for paragraph ``p`` (a ``w:p``) and return its number, or "".

        Example: the third paragraph of a list whose level 0 reads ``%1、`` in
        ``chineseCounting`` gets "三、".
        """
        num_id, ilvl = self._num_pr(p)
        abstract = self._abstract_of.get(num_id)
        level = self._levels.get(abstract or "", {}).get(ilvl)
        if abstract is None or level is None:
            return ""
        levels = self._levels[abstract]
        counters = self._counters.setdefault(abstract, {})
        if num_id not in self._started:
            self._started.add(num_id)
            for lvl, start in self._overrides.get(num_id, {}).items():
                counters[lvl] = start - 1
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]  # a new item restarts its sub-lists
        if level.fmt in ("bullet", "none"):
            return ""

        def placeholder(match: re.Match[str]) -> str:
            k = int(match.group(1)) - 1
            shown = levels.get(k)
            if shown is None:
                return ""
            fmt = "decimal" if level.legal else shown.fmt
            return format_number(counters.get(k, shown.start), fmt)

        return re.sub(r"%([1-9])", placeholder, level.text)

    def _num_pr(self, p: Any) -> tuple[str, int]:
        """(numId, ilvl) from the paragraph's own properties or its style's; ("", 0) if none."""
        num_pr = p.find("w:pPr/w:numPr", _NS)
        style = _val(p.find("w:pPr/w:pStyle", _NS))
        style_num_id, style_ilvl = self._style_numbering(style)
        if num_pr is None:
            return style_num_id, style_ilvl or 0
        ilvl = _val(num_pr.find("w:ilvl", _NS))
        num_id = _val(num_pr.find("w:numId", _NS)) or style_num_id
        return num_id, _int(ilvl, style_ilvl or 0) if ilvl else (style_ilvl or 0)

    def _style_numbering(self, style: str | None) -> tuple[str, int | None]:
        seen: set[str] = set()
        while style and style not in seen:  # basedOn chains may loop in broken files
            seen.add(style)
            if style in self._style_num:
                return self._style_num[style]
            style = self._based_on.get(style)
        return "", None


def format_number(n: int, fmt: str) -> str:
    """Render counter ``n`` in a Word number format.

    Example:
        >>> [format_number(12, f) for f in ("decimal", "chineseCounting", "lowerRoman", "upperLetter")]
        ['12', '十二', 'xii', 'L']
    """
    if fmt in ("chineseCounting", "chineseCountingThousand", "taiwaneseCounting", "ideographDigital"):
        return _chinese(n) if fmt != "ideographDigital" else "".join(_DIGITS[int(d)] for d in str(n))
    if fmt == "ideographTraditional" and 1 <= n <= len(_HEAVENLY_STEMS):
        return _HEAVENLY_STEMS[n - 1]
    if fmt.startswith("decimalEnclosedCircle") and 1 <= n <= len(_CIRCLED):
        return _CIRCLED[n - 1]
    if fmt in ("lowerLetter", "upperLetter") and n >= 1:
        letter = chr(ord("a") + (n - 1) % 26) * ((n - 1) // 26 + 1)
        return letter if fmt == "lowerLetter" else letter.upper()
    if fmt in ("lowerRoman", "upperRoman") and 1 <= n < 4000:
        roman = ""
        for value, digits in _ROMAN:
            count, n = divmod(n, value)
            roman += digits * count
        return roman if fmt == "lowerRoman" else roman.upper()
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(d) + 0xFEE0) if d.isdigit() else d for d in str(n))
    return str(n)


def _chinese(n: int) -> str:
    """1 -> 一, 10 -> 十, 21 -> 二十一, 105 -> 一百零五 (for 0 <= n < 10000)."""
    if n <= 0 or n >= 10_000:
        return str(n)
    out = ""
    zero = False
    for value, unit in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit, n = divmod(n, value)
        if digit:
            out += ("零" if zero and out else "") + _DIGITS[digit] + unit
            zero = False
        else:
            zero = True
    return out[1:] if out.startswith("一十") else out


def _read_level(lvl: Any) -> _Level:
    return _Level(
        start=_clamp(_int(_val(lvl.find("w:start", _NS)), 1)),
        fmt=_val(lvl.find("w:numFmt", _NS)) or "decimal",
        text=_val(lvl.find("w:lvlText", _NS)) or "",
        legal=lvl.find("w:isLgl", _NS) is not None,
    )


def _part_element(document: Any, attribute: str) -> Any:
    """The XML root of a document part (numbering, styles), or None when the file has none."""
    try:
        return getattr(document.part, attribute).element
    except (KeyError, NotImplementedError, AttributeError):
        return None


def _val(el: Any) -> str | None:
    return None if el is None else el.get(_W + "val")


def _int(value: str | None, default: int) -> int:
    return int(value) if value is not None and re.fullmatch(r"-?[0-9]{1,6}", value.strip()) else default


def _clamp(n: int) -> int:
    return max(0, min(n, _MAX_START))
