"""Read deadlines: normalise "2023年8月底前" to a date and find dated "…前" phrases in prose."""

from __future__ import annotations

import calendar
import re
from datetime import date

from corpus.model import Deadline, DeadlineKind

# One dated phrase. Matches "2020年底", "2023年8月底", "2020年6月30日", "6月20日", "年底", "8月底",
# "2020年6月" (year, month, day and 底 each optional, but at least a month or 年底).
_DATE = re.compile(
    r"(?:(?P<year>\d{4})\s*年\s*)?"
    r"(?:(?P<month>\d{1,2})\s*月\s*(?:(?P<day>\d{1,2})\s*日)?(?P<month_end>底|末)?"
    r"|(?P<year_end>底|末))"
)
# A year on its own followed by 底/末 is handled above; "年底前" without a year needs the
# document's year: "年底前上线全省…" -> the 年 is the start of the match.
_BARE_YEAR_END = re.compile(r"(?<!\d)年(?:底|末)")

_RANGE = re.compile(r"^(.*?\d\s*[月日])\s*(?:-|—|–|~|至|到)\s*(\d.*)$")
_ONGOING = re.compile(r"^(?:持续|长期|常态化|逐步)")
_RECURRING = re.compile(r"^(?:每年|每季度|每半年|每月|每周|每季|按月|按季度|按年|定期)")
_FROM = re.compile(r"^自?\s*(?P<d>.+?)(?:起|开始)")

# Prose deadlines: a dated phrase directly followed by 前 ("于6月20日前制定", "8月底前录制",
# "年底前上线", "2020年9月底前,实现…"), or "自2020年8月1日开始/起". "到2020年12月,…" and
# "2025年达到800万标箱" are targets and do not match.
_PROSE_BY = re.compile(r"(?:(?:\d{4}\s*年\s*)?\d{1,2}\s*月\s*(?:\d{1,2}\s*日|底|末)?|(?:\d{4}\s*)?年\s*(?:底|末))\s*前")
_PROSE_FROM = re.compile(r"自\s*\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?\s*(?:起|开始)")


def normalize_deadline(text: str, doc_year: int | None = None) -> Deadline:
    """Read a deadline as written into a :class:`Deadline`.

    Args:
        text: the deadline without its label, e.g. "2023年8月底前", "持续推进", "6月20日前".
        doc_year: year of the document, used when the text names no year ("6月20日前").

    Returns:
        A Deadline whose ``date`` is the last day the text allows (ISO) or None.

    Example:
        >>> normalize_deadline("2023年8月底前")
        Deadline(text='2023年8月底前', date='2023-08-31', kind=<DeadlineKind.BY_DATE: 'by_date'>)
        >>> normalize_deadline("持续实施,2020年底前组织联合检查").date
        '2020-12-31'
    """
    clean = re.sub(r"[\xa0\u2002\u2003\u2009\u3000]", " ", text).strip()  # odd spaces seen in 004
    first_date = _first_date(clean, doc_year)
    span = _RANGE.search(clean)
    if span:  # "2020年6月-11月", "2020年3月31日至12月31日": the range ends at its last date
        start_year = _first_date(span.group(1), doc_year)
        year = int(start_year[:4]) if start_year else doc_year
        first_date = _first_date(span.group(2), year) or first_date
    if _ONGOING.match(clean):
        return Deadline(clean, first_date, DeadlineKind.ONGOING)
    if _RECURRING.match(clean):
        return Deadline(clean, first_date, DeadlineKind.RECURRING)
    m = _FROM.match(clean)
    if m and not re.search(r"前", m.group("d")):
        start = _first_date(m.group("d"), doc_year, start_of_period=True)
        if start:
            return Deadline(clean, start, DeadlineKind.FROM_DATE)
    if first_date:
        return Deadline(clean, first_date, DeadlineKind.BY_DATE)
    return Deadline(clean, None, DeadlineKind.UNKNOWN)


def find_prose_deadline(text: str, doc_year: int | None = None) -> Deadline | None:
    """The first dated "…前" (or "自…起") phrase in a clause's prose, normalised, or None.

    Example:
        >>> find_prose_deadline("武汉市、襄阳市于6月20日前制定工作方案", doc_year=2020).date
        '2020-06-20'
        >>> find_prose_deadline("2025年达到800万标箱") is None
        True
    """
    hits = [m for m in (_PROSE_BY.search(text), _PROSE_FROM.search(text)) if m]
    if not hits:
        return None
    m = min(hits, key=lambda h: h.start())
    phrase = re.sub(r"\s+", "", m.group(0))
    deadline = normalize_deadline(phrase, doc_year)
    return deadline if deadline.date else None


def _first_date(text: str, doc_year: int | None, start_of_period: bool = False) -> str | None:
    for m in _DATE.finditer(text):
        year = int(m.group("year")) if m.group("year") else None
        # "年底" with no digits: only a real match when the text says 年底/年末 here.
        bare = m.group("year_end") is not None and year is None
        if bare and not _BARE_YEAR_END.match(text, m.start() - 1 if m.start() else 0):
            continue
        year = year or doc_year
        if year is None:
            continue
        if m.group("year_end") is not None:
            return date(year, 1 if start_of_period else 12, 1 if start_of_period else 31).isoformat()
        month = int(m.group("month"))
        if not 1 <= month <= 12:
            continue
        last = calendar.monthrange(year, month)[1]
        if m.group("day"):
            day = int(m.group("day"))
            if not 1 <= day <= last:
                continue
        else:
            day = 1 if start_of_period else last
        return date(year, month, day).isoformat()
    return None
