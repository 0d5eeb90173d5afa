"""Document metadata read from the text itself: title, issuer, 文号 and date.

Example:
    >>> meta = read_meta("关于印发实施方案的通知\\n\\n正文。鄂政发〔2018〕50号\\n湖北省政府\\n2020年6月23日")
    >>> meta.title, meta.issuer, meta.doc_number, meta.date
    ('关于印发实施方案的通知', '湖北省政府', '鄂政发〔2018〕50号', '2020-06-23')
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from corpus.loaders.html import is_crumb


@dataclass(frozen=True, slots=True)
class DocMeta:
    """What a document says about itself.

    Attributes:
        title: the title block at the top (up to 3 short lines joined), or "" when the text
            opens with a sentence instead of a title (e.g. a news lead: "钦州发布讯 为…").
        issuer: the issuing body: the signature line above the date, or a page's "来源:", else None.
        doc_number: the first 文号 in the text, e.g. "鄂政发〔2018〕50号", else None.
        date: ISO date ``YYYY-MM-DD`` of the signature date or a page's "编稿时间:", else None.
    """

    title: str
    issuer: str | None
    doc_number: str | None
    date: str | None


_MAX_TITLE_LINES = 3
_MAX_TITLE_LINE_LENGTH = 60
_MAX_ISSUER_LENGTH = 40
# A title line has no sentence punctuation ("、" and brackets occur in titles, "。，：" do not).
_SENTENCE_PUNCTUATION = re.compile(r"[。，,；;：:！!？?]")
# Lines above a title that are not part of it: "附件1", a red-header "湖北省人民政府文件", a 文号.
_ABOVE_TITLE = re.compile(r"^(?:附件\s*\d*|\S{2,30}文件)$")
# A numbered heading ("一、", "(一)", "1.", "第一条") starts the body, so it ends the title block.
_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|\d+[.、．]\D|第\S{1,4}[条章])"
)
# 文号: issuer abbreviation, year in 〔〕 [] 【】 () and a number: "鄂政发〔2018〕50号", "国发[2019]16号"
_DOC_NUMBER = re.compile(r"([\u4e00-\u9fff]{1,8})([〔\[［【(（]\s*(?:19|20)\d{2}\s*[〕\]］】)）]\s*第?\s*\d{1,5}\s*号)")
# Words that can run into an abbreviation from the left with no punctuation between: the
# abbreviation starts after the last of them. "依据鄂政办发" -> "鄂政办发", "号文件和湘财金" -> "湘财金"
_BEFORE_ABBREVIATION = re.compile(
    r"落实|贯彻|印发|转发|依照|执行|结合|关于|精神|通知|文件|[和及与见据照号的在按并以即]"
)
# A signature date on its own line: "2020年6月23日", "二〇二〇年六月二十三日"
_SIGNATURE_DATE = re.compile(
    r"^([0-9]{4}|[〇○零一二三四五六七八九]{4})\s*年\s*([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*月"
    r"\s*([0-9]{1,2}|[一二三四五六七八九十]{1,3})\s*日$"
)
# A web page's date label: "编稿时间: 2021-01-19 19:28", "发布日期：2021年1月19日"
_LABELLED_DATE = re.compile(
    r"(?:编稿时间|发布时间|发布日期|成文日期|印发日期)\s*[:：]\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})"
)
# A web page's source label: "来源: 岳阳市商务粮食局"
_SOURCE = re.compile(r"(?:来源|发布机构|发文机关)\s*[:：]\s*([^\s:：]{2,40})")
# A signature line is an organisation: it ends with one of these words.
_ORGANISATION = re.compile(r"(?:政府|委员会|委|小组|办公室|办|局|厅|院|部|署|会|中心|处|室|所|站|司|行|组)$")
_CHINESE_DIGITS = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "零": 0}


def read_meta(text: str) -> DocMeta:
    """Read title, issuer, 文号 and date from a document's text.

    Args:
        text: the document's full text, as a loader returns it.

    Returns:
        The metadata; fields the text does not give are None ("" for the title).
    """
    lines = [line.strip() for line in text.split("\n")]
    issuer: str | None = None
    date: str | None = None
    for i, line in enumerate(lines):
        signature = _SIGNATURE_DATE.match(line)
        labelled = None if signature else _LABELLED_DATE.search(line)
        found = signature or labelled
        if found is None:
            continue
        date = _iso_date(*found.groups())
        if date is None:
            continue
        if signature:
            above = next((prev for prev in reversed(lines[:i]) if prev), "")
            issuer = above if _is_organisation(above) else None
        break
    if issuer is None:
        source = _SOURCE.search(text)
        issuer = source.group(1) if source else None
    return DocMeta(title=_title(lines), issuer=issuer, doc_number=_doc_number(text), date=date)


def _doc_number(text: str) -> str | None:
    """The first 文号 in the text, inner spaces removed: "国办发【2020】 24号" -> "国办发【2020】24号"."""
    for match in _DOC_NUMBER.finditer(text):
        abbreviation = _BEFORE_ABBREVIATION.split(match.group(1))[-1]
        if abbreviation:
            return abbreviation + re.sub(r"\s+", "", match.group(2))
    return None


def _title(lines: list[str]) -> str:
    """The first block of up to 3 consecutive short lines without sentence punctuation."""
    block: list[str] = []
    for line in lines:
        above_title = not line or is_crumb(line) or _ABOVE_TITLE.match(line) or _DOC_NUMBER.fullmatch(line)
        if not block and above_title:
            continue
        is_title_line = (
            bool(line)
            and len(line) <= _MAX_TITLE_LINE_LENGTH
            and not _SENTENCE_PUNCTUATION.search(line)
            and not (block and _HEADING.match(line))
        )
        if not is_title_line:
            break
        block.append(line)
        if len(block) == _MAX_TITLE_LINES:
            break
    return "".join(block)


def _is_organisation(line: str) -> bool:
    short = 2 <= len(line) <= _MAX_ISSUER_LENGTH
    return short and not _SENTENCE_PUNCTUATION.search(line) and bool(_ORGANISATION.search(line))


def _iso_date(year: str, month: str, day: str) -> str | None:
    """ISO date from Arabic or Chinese numerals; None when it is no calendar date.

    Example:
        >>> _iso_date("二〇二〇", "六", "二十三")
        '2020-06-23'
    """
    try:
        return dt.date(_number(year), _number(month), _number(day)).isoformat()
    except ValueError:
        return None


def _number(numeral: str) -> int:
    """12 -> 12, "二〇二〇" -> 2020 (digit by digit), "二十三" -> 23, "十" -> 10."""
    if numeral.isascii():
        return int(numeral)
    if "十" not in numeral:
        return int("".join(str(_CHINESE_DIGITS[c]) for c in numeral))
    tens, _, ones = numeral.partition("十")
    return (_CHINESE_DIGITS[tens] if tens else 1) * 10 + (_CHINESE_DIGITS[ones] if ones else 0)


# A year in a 文号 ("〔2024〕", "[2024]") or in a title ("2024年…工作要点").
_NUMBER_YEAR = re.compile(r"[〔\[［【(（]\s*((?:19|20)\d{2})\s*[〕\]］】)）]")
_TITLE_YEAR = re.compile(r"((?:19|20)\d{2})\s*(?:年|—|-|–)")


def document_year(meta: DocMeta) -> int | None:
    """The year a document's year-less dates ("6月底前", "年底前") belong to.

    From its issue date, else its 文号 (〔2024〕), else its title, in that order; None when
    none of them names a year.

    Example:
        >>> document_year(read_meta("区2024年优化营商环境工作要点\\n\\n一、…"))
        2024
    """
    if meta.date:
        return int(meta.date[:4])
    for source in (meta.doc_number or "", meta.title):
        found = (_NUMBER_YEAR if source is meta.doc_number else _TITLE_YEAR).search(source)
        if found:
            return int(found.group(1))
    return None
