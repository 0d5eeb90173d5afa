"""Read what a question asks for: its kind, the units, places and dates it names.

Example:
    >>> vocab = QuestionVocabulary.from_clauses(clauses)   # unit names and document places
    >>> intent = read_question("市场监管局牵头的任务有哪些", vocab)
    >>> intent.kind, intent.units, intent.lead_only
    ('list', ('市场监管局',), True)
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

from corpus.aliases import canonical_unit, same_unit
from corpus.model import Clause
from corpus.status import STATUS_LABELS, TaskStatus
from corpus.text import fold

Kind = Literal["who", "when", "what", "number", "list"]

# "…有哪些任务", "列出…", "…的清单": the user wants every matching task, not the best five.
_LIST = re.compile(r"有哪些|哪些任务|哪些工作|哪些事|哪些措施|都有什么|都有啥|列出|清单|所有|全部|几项任务")
#: Words of a list question that its ledger filter already says (a term each, as jieba cuts them):
#: what is left ranks the list (「武汉海关牵头的跨境贸易便利化任务」 → 跨境贸易便利化).
LIST_FILLER = frozenset((
    "任务", "工作", "事项", "事情", "事", "措施", "方案", "片区",  # what is listed, where
    "牵头", "参与", "参加", "配合", "负责", "实施", "由",  # the unit's role
    "完成", "要", "需要", "应", "底前", "月底", "年底", "以前", "之前", "前", "到期", "截止",  # the time filter
    "里", "中", "哪些", "有", "都", "是", "的",  # glue
))  # fmt: skip
#: Characters a list question's date and glue words are made of (a term of only these is filler).
LIST_FILLER_CHARS = frozenset("年月日底前后要的是里中都有和及")
# "X牵头的任务", "哪些任务是X牵头的", "X牵头、年底前要完成的": X asked as the lead; not "谁牵头".
_LEADS = re.compile(r"牵头")
_WHO_LEADS = re.compile(r"谁牵头|哪(?:个|些)(?:部门|单位|机构)牵头|由谁")
# "谁牵头…", "哪个部门负责…", "牵头单位是…": who is responsible.
_WHO = re.compile(
    r"谁|哪个(?:部门|单位|机构)|哪些(?:部门|单位)|什么(?:部门|单位)|牵头单位|责任单位|由哪|负责单位|负责部门"
)
# "什么时候完成", "完成时限", "截止到哪天": when it is due.
_WHEN = re.compile(r"什么时候|何时|时限|期限|多久|截止|哪天|哪一年|几月|完成时间|落实时间|时间节点|到期|多长时间")
# "多少万标箱", "几个工作日", "比例是多少": a number in the text.
_NUMBER = re.compile(r"多少|几个|几项|几家|几天|几年|几次|比例|百分之|多大|面积")
# Place names in a document's title and top heading: two characters before 市/省/片区/港片区
# ("咸宁市", "岳阳片区", "钦州港片区", "湖北省") or in "中国(湖南)".
# "市场" is not a city and "全省"/"本市" name no place.
_PLACE = re.compile(r"([^\W\d年全本各该我_]{2})(?:市(?!场)|省|片区|港片区|自治区)|中国\(([\u4e00-\u9fff]{2,3})\)")
_YEAR_END = re.compile(r"(?:(?P<year>\d{4})|(?P<this>今年|本年|年内))\s*年?\s*(?:底|末)?\s*(?:前|以前|之前)?")
_MONTH_END = re.compile(r"(?:(?P<year>\d{4})\s*年)?\s*(?P<month>\d{1,2})\s*月\s*(?:底|末)?\s*(?:前|以前|之前)")
_ONGOING = re.compile(r"持续|长期|常态化")
# The one table of status words a question may use (longest alternatives first where they overlap):
# 「市商务局有哪些任务已经逾期？」, 「快到期的任务」, 「还没有完成时限的任务」.
STATUS_WORDS: tuple[tuple[re.Pattern[str], TaskStatus], ...] = (
    (re.compile(r"未到期|没到期|尚未到期|还没到期"), TaskStatus.LATER),
    (re.compile(r"逾期|超期|过期|延期未完成|已经到期|已到期"), TaskStatus.OVERDUE),
    (
        re.compile(r"即将到期|快到期|快要到期|马上到期|临近到期|近期到期|30天内|三十天内|一个月内到期"),
        TaskStatus.DUE_SOON,
    ),
    (re.compile(r"定期开展|定期|周期性"), TaskStatus.RECURRING),
    (re.compile(r"(?:没有|没|无|未)(?:明确)?(?:的)?(?:完成)?(?:时限|期限|截止日期|截止时间)"), TaskStatus.NO_DEADLINE),
)
# Calendar periods relative to the reference date: 「这个月到期的任务」 asks for deadlines in this month.
_PERIOD = re.compile(r"(?P<this>这个|本|当)月|(?P<next>下个|下)月|(?P<quarter>这个|本)季度|(?P<week>这|本)周")


@dataclass(frozen=True, slots=True)
class QuestionVocabulary:
    """What questions are matched against: unit names and per-document place names.

    Attributes:
        units: every unit name written in the corpus's fields.
        places: place name -> documents in which it is characteristic.
    """

    units: tuple[str, ...]
    places: dict[str, frozenset[str]] = field(default_factory=dict)

    @classmethod
    def from_clauses(cls, clauses: Iterable[Clause]) -> QuestionVocabulary:
        """Collect unit names from clause fields and places from document titles and headings."""
        units: Counter[str] = Counter()
        place_docs: dict[str, Counter[str]] = {}
        for clause in clauses:
            units.update(clause.lead_units)
            units.update(clause.units)
            for m in _PLACE.finditer(fold(clause.title) + " " + " ".join(clause.headings[:1])):
                place_docs.setdefault(m.group(1) or m.group(2), Counter())[clause.source] += 1
        n_docs = len({s for counter in place_docs.values() for s in counter}) or 1
        places = {
            place: frozenset(counter)
            for place, counter in place_docs.items()
            if len(counter) < max(2, n_docs)  # a place every document names tells nothing
        }
        return cls(units=tuple(u for u, _ in units.most_common()), places=places)


@dataclass(frozen=True, slots=True)
class QuestionIntent:
    """What a question asks for.

    Attributes:
        question: the question as asked.
        kind: who / when / what / number / list.
        wants_units: the question asks who (also true for "谁牵头…什么时候完成").
        wants_deadline: the question asks when.
        units: unit names the question mentions, in canonical form ("市场监管局"); filters
            match them alias-aware against the corpus's names.
        lead_only: the unit is asked as the lead ("X牵头的任务").
        sources: documents the question's place names point to (empty: no hint).
        due_before: ISO date from a time phrase ("2020年底前要完成的"), or None.
        ongoing: the question asks for ongoing tasks ("持续推进的任务").
        statuses: task statuses the question asks for ("已经逾期" -> overdue), on the reference date.
        due_after: ISO date, with ``due_before`` a period's deadlines ("这个月到期的"), or None.
    """

    question: str
    kind: Kind
    wants_units: bool
    wants_deadline: bool
    units: tuple[str, ...] = ()
    lead_only: bool = False
    sources: frozenset[str] = frozenset()
    due_before: str | None = None
    ongoing: bool = False
    statuses: tuple[TaskStatus, ...] = ()
    due_after: str | None = None

    def describe(self) -> str:
        """What a list question asks for, in Chinese: "市商务局相关的已逾期" (for list_sentence)."""
        what = f"{'、'.join(self.units)}{'牵头的' if self.lead_only else '相关的'}" if self.units else ""
        if self.due_after and self.due_before:
            what += f"{self.due_after}至{self.due_before}到期的"
        return what + "、".join(STATUS_LABELS[s] for s in self.statuses)


def read_question(question: str, vocab: QuestionVocabulary, today: date | None = None) -> QuestionIntent:
    """Read a question's kind, units, places and time filter.

    Args:
        question: the question text.
        vocab: unit and place names of the corpus.
        today: the date "今年" refers to (default: today).

    Returns:
        The question's intent.
    """
    folded = fold(question)
    wants_units = bool(_WHO.search(folded))
    wants_deadline = bool(_WHEN.search(folded))
    units = _mentioned_units(folded, vocab.units)
    lead_only = bool(units) and bool(_LEADS.search(folded)) and not _WHO_LEADS.search(folded)
    today = today or date.today()
    due_before = _due_before(folded, today)
    ongoing = bool(_ONGOING.search(folded)) and bool(_LIST.search(folded))
    statuses = _statuses(folded)
    period = _period(folded, today)
    if period:
        due_after, due_before = period
    else:
        due_after = None
    listing = _LIST.search(folded) or re.search(r"要完成的|到期的|应完成的", folded)
    # "逾期的任务" lists; "企业开办逾期了吗" asks about one task (search, with its status shown).
    status_list = bool(statuses) and (bool(listing) or bool(re.search(r"任务|工作|事项|措施", folded)))
    if (listing and (units or due_before or ongoing or statuses)) or status_list:
        kind: Kind = "list"
    elif wants_units:
        kind = "who"
    elif wants_deadline:
        kind = "when"
    elif _NUMBER.search(folded):
        kind = "number"
    else:
        kind = "what"
    sources = frozenset().union(*(docs for place, docs in vocab.places.items() if place in folded))
    return QuestionIntent(
        question=question,
        kind=kind,
        wants_units=wants_units,
        wants_deadline=wants_deadline,
        units=units,
        lead_only=lead_only,
        sources=sources,
        due_before=due_before if kind == "list" else None,
        ongoing=ongoing,
        statuses=statuses if kind == "list" else (),
        due_after=due_after if kind == "list" else None,
    )


def _statuses(folded: str) -> tuple[TaskStatus, ...]:
    """The statuses the question names (:data:`STATUS_WORDS`), each once, in table order.

    A word inside a longer one of an earlier row does not count: 「未到期」 is not 「到期」.
    """
    found: list[TaskStatus] = []
    taken: list[tuple[int, int]] = []
    for pattern, status in STATUS_WORDS:
        for m in pattern.finditer(folded):
            if any(s <= m.start() < e for s, e in taken):
                continue
            taken.append(m.span())
            if status not in found:
                found.append(status)
    return tuple(found)


def _period(folded: str, today: date) -> tuple[str, str] | None:
    """(first day, last day) of the calendar period the question names around ``today``, or None."""
    m = _PERIOD.search(folded)
    if m is None:
        return None
    if m.group("week"):
        first = today - timedelta(days=today.weekday())
        return first.isoformat(), (first + timedelta(days=6)).isoformat()
    if m.group("quarter"):
        start_month = 3 * ((today.month - 1) // 3) + 1
        first = date(today.year, start_month, 1)
        return first.isoformat(), _month_end(date(today.year, start_month + 2, 1)).isoformat()
    first = date(today.year, today.month, 1)
    if m.group("next"):
        first = _month_end(first) + timedelta(days=1)
    return first.isoformat(), _month_end(first).isoformat()


def _month_end(day: date) -> date:
    nxt = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    return nxt - timedelta(days=1)


def _mentioned_units(folded: str, units: Sequence[str]) -> tuple[str, ...]:
    """Units whose name (or a region-less form of it) occurs in the question, longest first.

    Full names are looked for before region-less ones, so 「省税务局牵头」 finds 省税务局, not the
    「税务局」 inside it that 市税务局 would also answer to.
    """
    question_key = canonical_unit(folded)
    found: list[str] = []
    spans: list[tuple[int, int]] = []
    keys = [canonical_unit(unit) for unit in sorted(units, key=len, reverse=True)]
    full = [key for key in keys if len(key) >= 3]
    regionless = [key[1:] for key in keys if key[:1] in "省市县区" and len(key) >= 4]
    for candidate in (*full, *regionless):
        pos = question_key.find(candidate)
        if pos < 0:
            continue
        span = (pos, pos + len(candidate))
        if any(s <= span[0] < e or s < span[1] <= e for s, e in spans):
            continue  # inside a longer unit name already found
        mentioned = question_key[span[0] : span[1]]  # as the question writes it (canonical)
        if any(same_unit(mentioned, f) for f in found):
            continue
        spans.append(span)
        found.append(mentioned)
    return tuple(found)


def _due_before(folded: str, today: date) -> str | None:
    if not re.search(r"前|以前|之前|到期|截止", folded):
        return None
    m = _MONTH_END.search(folded)
    if m:
        year = int(m.group("year")) if m.group("year") else today.year
        month = int(m.group("month"))
        if 1 <= month <= 12:
            nxt = date(year + (month == 12), month % 12 + 1, 1)
            return date.fromordinal(nxt.toordinal() - 1).isoformat()
    m = _YEAR_END.search(folded)
    if m and (m.group("year") or m.group("this")):
        year = int(m.group("year")) if m.group("year") else today.year
        return date(year, 12, 31).isoformat()
    return None
