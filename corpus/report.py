"""An extraction report for every document: what was found, and what staff should check by hand.

The parser never guesses silently. After a document is read, this report says how many tasks it
found, which have no lead or no deadline, which labels it did not understand, and which values look
wrong (a unit holding a date or a verb, a unit over 30 characters, a deadline before the document's
own date). Staff fix what is flagged instead of trusting the extraction blindly.

Example:
    >>> from corpus.parser import parse_text
    >>> doc = parse_text("2024年3月1日\\n一、任务\\n1.建设平台。(牵头单位:区数据局;完成时限:2023年底前)\\n"
    ...                  "2.开展培训。督办单位:区督查室\\n", source="demo.txt")
    >>> report = extraction_report(doc)
    >>> report.tasks, [f.problem for f in report.flags], report.unknown_labels
    (1, ['deadline_before_document'], ['督办单位'])
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any

from corpus.deadlines import looks_like_deadline
from corpus.grammar import unknown_labels
from corpus.meta import document_year, read_meta
from corpus.model import Clause, Document
from corpus.text import fold
from corpus.units import UNIT_END_RE

MAX_UNIT_LENGTH = 30
# Words that make a "unit" read as an action: "推进平台建设", "开展培训".
_VERB = re.compile(r"推进|开展|建设|完成|实现|加强|落实|推动|组织|制定|建立|完善|提升|做好|负责")
_DATE_IN_UNIT = re.compile(r"\d{1,4}\s*[年月日]|季度|年底|年内|上半年|下半年|[上中下]旬")


@dataclass(frozen=True, slots=True)
class ClauseRef:
    """A clause named in the report: its number path and the start of its text."""

    path: str
    text: str

    @classmethod
    def of(cls, clause: Clause) -> ClauseRef:
        return cls(clause.path, clause.text[:40])


@dataclass(frozen=True, slots=True)
class Flag:
    """A value that looks wrong.

    Attributes:
        clause: the clause holding it.
        field: "lead_units", "units" or "deadline".
        value: the value as extracted.
        problem: ``unit_holds_date``, ``unit_holds_verb``, ``unit_too_long`` or
            ``deadline_before_document``.
    """

    clause: ClauseRef
    field: str
    value: str
    problem: str


@dataclass(slots=True)
class ExtractionReport:
    """What the parser extracted from one document and what to check.

    Attributes:
        source: the document's file name.
        title: its title.
        doc_date: its issue date (ISO) or None.
        doc_year: the year used for dates written without one, or None.
        clauses: clauses read.
        tasks: clauses with a unit or a deadline.
        without_lead: tasks with units or a deadline but no lead unit.
        without_deadline: tasks with no deadline.
        unknown_labels: label-like words the grammar does not know ("督办单位"); not read as units.
        flags: values that look wrong.
        notes: what the loader reports (pages read by OCR, a conversion), as sentences.
    """

    source: str
    title: str
    doc_date: str | None
    doc_year: int | None
    clauses: int
    tasks: int
    without_lead: list[ClauseRef] = field(default_factory=list)
    without_deadline: list[ClauseRef] = field(default_factory=list)
    unknown_labels: list[str] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def needs_review(self) -> bool:
        """True when anything is flagged or not understood."""
        return bool(self.flags or self.unknown_labels or self.without_lead or self.without_deadline)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (the upload API and ``policyqa tasks --report --json`` return it)."""
        d = asdict(self)
        d["needs_review"] = self.needs_review
        return d

    def render(self) -> str:
        """A short plain-text summary for the terminal, in Chinese like the rest of the UI."""
        lines = [
            f"《{self.title}》({self.source})",
            f"  条款 {self.clauses}，任务 {self.tasks}；无牵头单位 {len(self.without_lead)}，"
            f"无完成时限 {len(self.without_deadline)}；年份 {self.doc_year or '未知'}",
        ]
        if self.unknown_labels:
            lines.append(f"  未识别的标签: {'、'.join(self.unknown_labels)}")
        for flag in self.flags:
            lines.append(f"  待核对 {flag.clause.path or '-'} {flag.field}={flag.value!r}: {_PROBLEMS[flag.problem]}")
        for ref in self.without_lead[:10]:
            lines.append(f"  无牵头单位 {ref.path or '-'} {ref.text}")
        lines.extend(f"  {note}" for note in self.notes)
        return "\n".join(lines)


_PROBLEMS = {
    "unit_holds_date": "单位中含日期",
    "unit_holds_verb": "单位中含动词",
    "unit_too_long": f"单位名称超过{MAX_UNIT_LENGTH}字",
    "deadline_before_document": "完成时限早于发文日期",
}


def extraction_report(document: Document, notes: tuple[str, ...] | list[str] = ()) -> ExtractionReport:
    """Build the extraction report of a parsed document.

    Args:
        document: the parsed document.
        notes: further sentences for staff; the document's own loader notes and OCR'd pages are
            always included.

    Returns:
        The report; ``needs_review`` says whether anything needs a look.
    """
    tasks = [c for c in document.clauses if c.is_task]
    report = ExtractionReport(
        source=document.source,
        title=document.title,
        doc_date=document.date,
        doc_year=document_year(read_meta(document.text)),
        clauses=len(document.clauses),
        tasks=len(tasks),
        without_lead=[ClauseRef.of(c) for c in tasks if not c.lead_units],
        without_deadline=[ClauseRef.of(c) for c in tasks if c.deadline is None],
        unknown_labels=_unknown_labels(document.text),
        notes=[*document.notes, *_ocr_note(document.ocr_pages), *notes],
    )
    for clause in tasks:
        report.flags.extend(_flags(clause, document.date))
    return report


def _ocr_note(pages: tuple[int, ...]) -> list[str]:
    """ "第2、3页经OCR识别，请核对" for the pages whose text came from OCR."""
    return [f"第{'、'.join(map(str, pages))}页经OCR识别，请核对文字"] if pages else []


def _flags(clause: Clause, doc_date: str | None) -> list[Flag]:
    ref = ClauseRef.of(clause)
    flags: list[Flag] = []
    for name, values in (("lead_units", clause.lead_units), ("units", clause.units)):
        for unit in values:
            problem = _unit_problem(unit)
            if problem:
                flags.append(Flag(ref, name, unit, problem))
    deadline = clause.deadline
    if deadline and deadline.date and doc_date and deadline.date < doc_date and deadline.kind == "by_date":
        flags.append(Flag(ref, "deadline", deadline.text, "deadline_before_document"))
    return flags


def _unit_problem(unit: str) -> str | None:
    folded = fold(unit)
    if _DATE_IN_UNIT.search(folded) or looks_like_deadline(folded):
        return "unit_holds_date"
    if len(unit) > MAX_UNIT_LENGTH:
        return "unit_too_long"
    if _VERB.search(folded) and not UNIT_END_RE.search(folded):
        return "unit_holds_verb"
    return None


def _unknown_labels(text: str) -> list[str]:
    words = (word for line in fold(text).split("\n") for _, word in unknown_labels(line.strip()))
    return list(dict.fromkeys(words))
