"""The one-sentence answer, built only from a clause's fields: nothing the document does not say.

Example:
    >>> answer_sentence(clause, kind="who")  # lead 市市场监管局, units 市行政审批局…, deadline 2023年8月底前
    '由市市场监管局牵头，市行政审批局、市政务服务中心等配合，完成时限：2023年8月底前。'
"""

from __future__ import annotations

from corpus.model import Clause

NO_ANSWER = "未找到相关条款"
_MAX_UNITS = 3


def _units_phrase(units: tuple[str, ...]) -> str:
    shown = "、".join(units[:_MAX_UNITS])
    return shown + ("等" if len(units) > _MAX_UNITS else "")


def fields_sentence(clause: Clause) -> str:
    """Units and deadline of a clause as one sentence; "" when it names neither."""
    parts: list[str] = []
    if clause.lead_units:
        parts.append(f"由{'、'.join(clause.lead_units)}牵头")
        if clause.units:
            parts.append(f"{_units_phrase(clause.units)}配合")
    elif clause.units:
        parts.append(f"责任单位：{_units_phrase(clause.units)}")
    if clause.deadline:
        parts.append(f"完成时限：{clause.deadline.text}")
    return "，".join(parts) + "。" if parts else ""


def answer_sentence(clause: Clause, kind: str) -> str:
    """The answer to a who/when/what question from its best clause.

    who/when questions lead with the fields; what/number questions quote where the clause is
    and then add its fields. Only the clause's own words and fields are used.
    """
    where = f"《{clause.title}》{clause.path}".rstrip()
    fields = fields_sentence(clause)
    if kind in ("who", "when") and fields:
        if kind == "when" and clause.deadline:
            lead = f"由{'、'.join(clause.lead_units)}牵头。" if clause.lead_units else ""
            return f"完成时限：{clause.deadline.text}。{lead}（{where}）"
        return f"{fields}（{where}）"
    return f"见{where}：{_excerpt(clause.text)}" + (f" {fields}" if fields else "")


def list_sentence(count: int, what: str) -> str:
    """The answer to a list question: how many tasks were found."""
    return f"共找到{count}项{what}任务。" if count else NO_ANSWER


def _excerpt(text: str, limit: int = 60) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[:limit] + "…"
