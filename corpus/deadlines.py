"""Read deadlines: normalise "2023年8月底前" to a date and find dated "…前" phrases in prose."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable
from datetime import date

from corpus.model import Deadline, DeadlineKind

# One dated phrase. Matches "2020年底", "2023年8月底", "2020年6月30日", "6月20日", "年底", "8月底",
# "2020年6月" (year, month, day and 底 each optional, but at least a month or 年底).
_DATE = re.compile(
    r"(?:(?P<year>\d{4})\s*年\s*)?"
    r"(?:(?P<month>\d{1,2})\s*月份?\s*(?:(?P<day>\d{1,2})\s*日)?(?P<month_end>底|末)?"
    r"|(?P<year_end>底|末))"
)
# A year on its own followed by 底/末 is handled above; "年底前" without a year needs the
# document's year: "年底前上线全省…" -> the 年 is the start of the match.
_BARE_YEAR_END = re.compile(r"(?<!\d)年(?:底|末)")

_RANGE = re.compile(r"^(.*?\d\s*[月日])\s*(?:-|—|–|~|至|到)\s*(\d.*)$")
# Ongoing and recurring words, allowed after a short qualifier: "汛期持续开展", "汛期每日".
_ONGOING = re.compile(r"^[^,，;；。\d]{0,4}?(?:持续|长期|常态化|逐步|常年|按时序|按进度)")
_RECURRING = re.compile(
    r"^[^,，;；。\d]{0,4}?(?:每年|每季度|每半年|每月|每周|每季|每旬|每日|每天|按月|按季度|按季|按年|按周|定期)"
)
_FROM = re.compile(r"^自?\s*(?P<d>.+?)(?:起|开始)")

# Prose deadlines: a dated phrase directly followed by 前 ("于6月20日前制定", "8月底前录制",
# "年底前上线", "2020年9月底前,实现…"), or "自2020年8月1日开始/起". "到2020年12月,…" and
# "2025年达到800万标箱" are targets and do not match.
_PROSE_BY = re.compile(
    r"(?:每(?:月|年|季度|周)\s*)?"  # "每月5日前报送": recurring
    r"(?:(?:(?:\d{4}|[今明次])\s*年\s*)?(?:\d{1,2}\s*月\s*(?:\d{1,2}\s*日|底|末|[上中下]旬)?|\d{1,2}\s*日)"
    r"|(?:\d{4}\s*|[今明次])?年\s*(?:底|末)"
    r"|(?:\d{4}\s*年\s*)?(?:第?[一二三四1-4]季度(?:末)?|[上下]半年))"
    r"(?<=[日底末旬月度年])\s*(?:之|以)?前"
)
_PROSE_FROM = re.compile(r"自\s*\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?\s*(?:起|开始)")


def normalize_deadline(text: str, doc_year: int | None = None, doc_date: str | None = None) -> Deadline:
    """Read a deadline as written into a :class:`Deadline`.

    Args:
        text: the deadline without its label, e.g. "2023年8月底前", "持续推进", "6月20日前".
        doc_year: year of the document, used when the text names no year ("6月20日前").
        doc_date: the document's issue date (ISO), the start of "即日起" and "自印发之日起".

    Returns:
        A Deadline whose ``date`` is the last day the text allows (ISO) or None.

    Example:
        >>> normalize_deadline("2023年8月底前")
        Deadline(text='2023年8月底前', date='2023-08-31', kind=<DeadlineKind.BY_DATE: 'by_date'>)
        >>> normalize_deadline("持续实施,2020年底前组织联合检查").date
        '2020-12-31'
    """
    clean = re.sub(r"[\xa0\u2002\u2003\u2009\u3000]", " ", text).strip()  # odd spaces seen in 004
    shown, clean = clean, _absolute_years(clean, doc_year)
    if _FROM_ISSUE.match(clean):
        return Deadline(shown, doc_date, DeadlineKind.FROM_DATE)
    first_date = _first_date(_arabic(clean), doc_year)
    span = _RANGE.search(clean)
    if span:  # "2020年6月-11月", "2020年3月31日至12月31日": the range ends at its last date
        start_year = _first_date(span.group(1), doc_year)
        year = int(start_year[:4]) if start_year else doc_year
        first_date = _first_date(span.group(2), year) or first_date
    if _ONGOING.match(clean):
        return Deadline(shown, first_date, DeadlineKind.ONGOING)
    if _RECURRING.match(clean):  # "每年8月底前": a date in every year, so no one date
        return Deadline(shown, None, DeadlineKind.RECURRING)
    m = _FROM.match(clean)
    if m and not re.search(r"前", m.group("d")):
        start = _first_date(m.group("d"), doc_year, start_of_period=True)
        if start:
            return Deadline(shown, start, DeadlineKind.FROM_DATE)
    if first_date:
        return Deadline(shown, first_date, DeadlineKind.BY_DATE)
    return Deadline(shown, None, DeadlineKind.UNKNOWN)


# A verb that makes a dated phrase a due date, and an ongoing phrase with nothing else in it.
_DUE_VERB = re.compile(r"前|完成|办结|到位|上线|建成|完工|竣工|投用|投运")
# A closing phrase that opens with its recurrence: "每月报送监测结果", "每年12月开展考核评估".
_RECURRING_PHRASE = re.compile(
    r"^(?:每(?:年|季度|半年|月|周|旬)|按(?:月|季度?|年))(?:\d{1,2}月(?:\d{1,2}日)?(?:底|末)?)?"
)
# A phrase ending in who is responsible ("市疾控中心牵头", "各县疾控中心配合").
_RESPONSIBILITY = re.compile(r"(?:牵头|配合|负责|参与|协助)$")
_BARE_ONGOING = re.compile(r"(?:持续|长期|常态化|常年|按时序|按进度)(?:推进|开展|坚持|实施)?")


def find_prose_deadline(text: str, doc_year: int | None = None) -> Deadline | None:
    """The deadline a clause's prose states, normalised, or None.

    In order: the first dated "…前" (or "自…起") phrase; else a closing phrase that is a deadline
    and nothing else, with a due verb or a bare ongoing word ("…，年内完成。", "…，常态化推进。");
    else a phrase opening with a period and 完成 ("第一季度完成自查" -> "第一季度"). A date that
    opens a narrative ("2015年11月,国务院…") and targets ("到2025年…达到…") are not deadlines.

    Example:
        >>> find_prose_deadline("武汉市、襄阳市于6月20日前制定工作方案", doc_year=2020).date
        '2020-06-20'
        >>> find_prose_deadline("新建乡镇商贸中心3个，年内完成。", doc_year=2024).text
        '年内完成'
        >>> find_prose_deadline("统筹做好考核迎检工作，第一季度完成自查。", doc_year=2024).text
        '第一季度'
        >>> find_prose_deadline("2025年达到800万标箱") is None
        True
    """
    hits = [m for m in (_PROSE_BY.search(text), _PROSE_FROM.search(text)) if m]
    if hits:
        m = min(hits, key=lambda h: h.start())
        deadline = normalize_deadline(re.sub(r"\s+", "", m.group(0)), doc_year)
        return deadline if deadline.date or deadline.kind == DeadlineKind.RECURRING else None
    phrases = [p.strip() for p in re.split(r"[,;。，；]", text) if p.strip()]
    last = phrases[-1] if phrases else ""
    # the closing phrase, when it is a deadline that says so: "…，年内完成。", "…，常态化推进。"
    if looks_like_deadline(last, allow_object=False) and (_DUE_VERB.search(last) or _BARE_ONGOING.fullmatch(last)):
        return normalize_deadline(last, doc_year)
    recurring = _RECURRING_PHRASE.match(last)
    if recurring and len(phrases) > 1 and _RESPONSIBILITY.search(phrases[-2]):
        # "…牵头，…配合，每月报送监测结果。": a schedule after the responsibilities (not a recurring
        # action inside the measure's description: "…建设，每年向民间资本推介一批优质项目。")
        return normalize_deadline(recurring.group(0), doc_year)
    for phrase in phrases:
        found = _first_period(_arabic(phrase), doc_year, start_of_period=False)
        if found and found[0] == 0 and phrase.startswith("完成", found[1]) and _arabic(phrase) == phrase:
            return normalize_deadline(phrase[: found[1]], doc_year)
    return None


def _first_date(text: str, doc_year: int | None, start_of_period: bool = False) -> str | None:
    """The first date the text names (its period's last day, or first with ``start_of_period``)."""
    found = _first_period(text, doc_year, start_of_period)
    return found[2] if found else None


def _first_period(text: str, doc_year: int | None, start_of_period: bool) -> tuple[int, int, str] | None:
    """(start, end, ISO date) of the earliest dated phrase; the longest wins a tie."""
    best: tuple[int, int, str] | None = None
    for pattern, read in _PERIODS:
        for m in pattern.finditer(text):
            if best is not None and (m.start(), -m.end()) >= (best[0], -best[1]):
                break
            iso = read(m, text, doc_year, start_of_period)
            if iso is not None:
                best = (m.start(), m.end(), iso)
                break
    return best


def _year(m: re.Match[str], doc_year: int | None) -> int | None:
    return int(m.group("year")) if m.groupdict().get("year") else doc_year


def _day(year: int, month: int, day: int | None, start: bool) -> str | None:
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    day = day if day is not None else (1 if start else last)
    return date(year, month, day).isoformat() if 1 <= day <= last else None


def _read_date(m: re.Match[str], text: str, doc_year: int | None, start: bool) -> str | None:
    year = int(m.group("year")) if m.group("year") else None
    # "年底" with no digits: only a real match when the text says 年底/年末 here.
    if m.group("year_end") is not None and year is None and not _BARE_YEAR_END.match(text, max(m.start() - 1, 0)):
        return None
    year = year or doc_year
    if year is None:
        return None
    if m.group("year_end") is not None:
        return date(year, 1, 1).isoformat() if start else date(year, 12, 31).isoformat()
    return _day(year, int(m.group("month")), int(m.group("day")) if m.group("day") else None, start)


def _read_quarter(m: re.Match[str], text: str, doc_year: int | None, start: bool) -> str | None:
    year = _year(m, doc_year)
    if year is None:
        return None
    quarter = "一二三四1234".index(m.group("q")) % 4 + 1
    return _day(year, quarter * 3 - (2 if start else 0), None, start)


def _read_half(m: re.Match[str], text: str, doc_year: int | None, start: bool) -> str | None:
    year = _year(m, doc_year)
    if year is None:
        return None
    first = m.group("h") == "上"
    return _day(year, (1 if first else 7) if start else (6 if first else 12), None, start)


def _read_xun(m: re.Match[str], text: str, doc_year: int | None, start: bool) -> str | None:
    year = _year(m, doc_year)
    if year is None:
        return None
    month = int(m.group("month"))
    xun = "上中下".index(m.group("x"))
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    day = (1, 11, 21)[xun] if start else (10, 20, last)[xun]
    return _day(year, month, day, start)


def _read_year(m: re.Match[str], text: str, doc_year: int | None, start: bool) -> str | None:
    year = _year(m, doc_year)
    if year is None:
        return None
    return date(year, 1, 1).isoformat() if start else date(year, 12, 31).isoformat()


def _read_mid_year(m: re.Match[str], text: str, doc_year: int | None, start: bool) -> str | None:
    year = _year(m, doc_year)
    return None if year is None else date(year, 6, 1 if start else 30).isoformat()


def _read_numeric(m: re.Match[str], text: str, doc_year: int | None, start: bool) -> str | None:
    year = _year(m, doc_year)
    if year is None:
        return None
    return _day(year, int(m.group("month")), int(m.group("day")) if m.groupdict().get("day") else None, start)


def _read_year_range(m: re.Match[str], text: str, doc_year: int | None, start: bool) -> str | None:
    year = int(m.group("first") if start else m.group("last"))
    return date(year, 1, 1).isoformat() if start else date(year, 12, 31).isoformat()


_YEAR = r"(?:(?P<year>\d{4})\s*年\s*)?"
_Reader = Callable[[re.Match[str], str, "int | None", bool], "str | None"]
# Dated phrases and the day each stands for, one line each; the earliest in the text wins, the
# longest at one position ("2024年第三季度" over "2024年").
_PERIODS: tuple[tuple[re.Pattern[str], _Reader], ...] = (
    (re.compile(r"(?P<first>\d{4})\s*年?\s*(?:-|—|–|~|～|至|到|、|和)\s*(?P<last>\d{4})\s*年"), _read_year_range),
    (re.compile(_YEAR + r"第?(?P<q>[一二三四1-4])\s*季度(?:末|底)?"), _read_quarter),
    (re.compile(_YEAR + r"(?P<h>[上下])半年"), _read_half),
    (re.compile(_YEAR + r"(?P<month>\d{1,2})\s*月\s*[上中]?(?P<x>[上中下])旬"), _read_xun),  # "9月中下旬": 下旬
    (_DATE, _read_date),
    (re.compile(r"(?:(?P<year>\d{4})\s*)?(?:年内|全年)"), _read_year),
    (re.compile(r"(?:(?P<year>\d{4})\s*)?年中"), _read_mid_year),
    (re.compile(r"(?:(?P<year>\d{4})\s*年?\s*)?[Qq](?P<q>[1-4])"), _read_quarter),  # "2025年Q3"
    # numeric dates: "2025.06.30", "2025-06-30", "2025/6/30"; "2025.6"; "6.30前" (month.day before 前)
    (re.compile(r"(?P<year>\d{4})\s*[.\-/]\s*(?P<month>\d{1,2})\s*[.\-/]\s*(?P<day>\d{1,2})(?!\d)"), _read_numeric),
    (re.compile(r"(?P<year>\d{4})\s*[.\-/]\s*(?P<month>\d{1,2})(?![\d.\-/])"), _read_numeric),
    (re.compile(r"(?<![\d.])(?P<year>)(?P<month>\d{1,2})\.(?P<day>\d{1,2})(?=\s*[日号]?\s*[之以]?前)"), _read_numeric),
    # a year alone: "2024年", "2024年完成" (not "2025年春节前": an event, no date)
    (re.compile(r"(?P<year>\d{4})\s*年(?=\s*(?:$|[,，;；。)）]|完成|前|以前|之前|度|起|开始|全面|基本))"), _read_year),
)


# Words that may stand around a date in a deadline phrase: "于8月底前完成", "力争年内建成".
_DEADLINE_BEFORE = re.compile(r"^(?:于|在|力争|确保|争取|计划|预计)?")
_DEADLINE_AFTER = re.compile(
    r"^度?(?:以?前|之前)?(?:全面|基本|全部|主体)?"
    # a due verb, with a short object after it: "年内完成规划", "6月底前开工", "年内主体完工"
    r"(?P<verb>(?:完成|办结|到位|上线|建成|落实|实现|启动|出台|印发|制定|完工|竣工|投用|投运|见效|开工|投产|通车|开业)"
    r"(?P<object>[\u4e00-\u9fff]{0,4}?))?"
    r"(?:并(?:长效|持续|长期)(?:推进|坚持|开展))?"  # "2025年底前完成并长效推进"
    r"(?:前|以前|起|开始|以后)?$"
)


# Years named relative to the document's: "今年底", "明年3月", "次年一季度", "去年".
_RELATIVE_YEAR = {"今年": 0, "本年": 0, "当年": 0, "明年": 1, "次年": 1, "去年": -1}
_RELATIVE_YEAR_RE = re.compile("|".join(_RELATIVE_YEAR))
# Deadlines that name no date: kept as written, kind unknown ("完成时限：立行立改").
_UNDATED = re.compile(
    r"^(?:及时|立行立改|立即(?:整改|办理|落实)?|即时(?:办结|办理)?|马上办|尽快|随时"
    r"|\d+个(?:月|工作日|日)内(?:完成)?"  # "3个月内": counted from a start the text does not date
    r"|(?:\d{4}年)?(?:春节|元旦|国庆节?|中秋节?|五一|汛期|汛前|春耕|秋收|开学|年度考核)(?:前|之前|以前)(?:完成)?)$"
)
# From the document's own date: "即日起", "自印发之日起" (dated with the issue date when known).
_FROM_ISSUE = re.compile(r"^(?:自|从)?(?:即日|印发之日|发布之日|公布之日)起")


def _absolute_years(text: str, doc_year: int | None) -> str:
    """ "今年底" -> "2025年底" in a 2025 document; unchanged without a document year."""
    if doc_year is None or not _RELATIVE_YEAR_RE.search(text):
        return text
    return _RELATIVE_YEAR_RE.sub(lambda m: f"{doc_year + _RELATIVE_YEAR[m.group(0)]}年", text)


# Chinese numerals of a month or day: "六月底前", "十二月三十一日前", "二〇二四年六月".
_CN_DATE_PART = re.compile(r"([〇○零一二三四五六七八九十]{1,4})(?=\s*[年月日])")
_CN_DIGIT = dict(zip("〇○零一二三四五六七八九", (0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9), strict=True))


def _arabic(text: str) -> str:
    """Chinese numerals before 年/月/日 as Arabic digits, so one date grammar reads both."""

    def convert(m: re.Match[str]) -> str:
        raw = m.group(1)
        if "十" not in raw:
            return "".join(str(_CN_DIGIT[c]) for c in raw)
        tens, _, ones = raw.partition("十")
        return str((_CN_DIGIT[tens] if tens else 1) * 10 + (_CN_DIGIT[ones] if ones else 0))

    return _CN_DATE_PART.sub(convert, text) if _CN_DATE_PART.search(text) else text


def looks_like_deadline(phrase: str, allow_object: bool = True) -> bool:
    """True for a phrase that is a deadline and nothing else.

    Used where a deadline hides among units ("区财政局、区人社局,8月底完成") or stands in a
    bracket ("(6月15日前完成)", "(2025年6月底前开工)"). A date inside other words ("2020年以来",
    "2019年版") is not one. ``allow_object=False`` refuses a verb with an object after the date
    ("第一季度完成自查"), as prose wants.

    Example:
        >>> [looks_like_deadline(p) for p in ("8月底完成", "年底前", "持续推进", "2024年第三季度", "区财政局")]
        [True, True, True, True, False]
        >>> looks_like_deadline("2020年以来")
        False
    """
    text = _arabic(_absolute_years(re.sub(r"\s+", "", phrase).strip("。.;,"), 2000))
    if not text or len(text) > 30:
        return False
    if _UNDATED.match(text) or _FROM_ISSUE.match(text):
        return True
    if _ONGOING.match(text) or _RECURRING.match(text):
        return len(text) <= 12
    lead = _DEADLINE_BEFORE.match(text)
    rest = text[lead.end() if lead else 0 :]
    span = _RANGE.match(rest)
    if span and _first_period(span.group(1), 2000, start_of_period=True):
        rest = span.group(2)  # "7月至9月", "2020年6月-11月": the range's end decides
    found = _first_period(rest, 2000, start_of_period=False)
    # a bare "年底" matches from its 底: the 年 before it belongs to the phrase
    starts_here = found is not None and (found[0] == 0 or (found[0] == 1 and rest[0] == "年"))
    after = _DEADLINE_AFTER.match(rest[found[1] :]) if found is not None and starts_here else None
    return after is not None and (allow_object or not after.group("object"))
