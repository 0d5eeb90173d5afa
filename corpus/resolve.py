"""Resolve every node's fields: own labels, prose, the document's rule, inheritance, the plan.

The order of the rules is the contract in docs/fields.md §3 (lead) and §4 (deadline).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from corpus.deadlines import normalize_deadline
from corpus.model import Clause, ClauseKind, Deadline, FieldSource, clause_id
from corpus.tree import Node
from corpus.units import UnitFields

# Section headings under which a plan's issuer leads the measures ("二、主要举措", "四、工作措施").
_MEASURE_SECTION = re.compile(r"(?:主要|工作|具体|重点)?(?:举措|措施|任务)|重点工作|工作步骤|实施步骤")
# ...but not goal, safeguard or requirement sections ("三、保障措施", "一、工作目标").
_NOT_MEASURE_SECTION = re.compile(r"保障|目标|要求|狠抓落实|总体安排|建议|对比表|流程图|原则")
# Safeguard and requirement sections: "三、保障措施", "四、工作要求", "五、组织实施".
_SAFEGUARD_SECTION = re.compile(r"保障措施|保障机制|组织保障|工作要求|组织实施|狠抓落实")
# A plan section that states one deadline for the whole plan: "三、完成时限" + "2020年11月底前。"
_PLAN_DEADLINE_HEADING = re.compile(r"^(?:完成时限|完成时间|时间节点|实施期限)$")


@dataclass(slots=True)
class _Effective:
    lead: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    deadline: Deadline | None = None


def resolve(nodes: list[Node], source: str, doc_title: str) -> list[Clause]:
    """Turn nodes into clauses, resolving own / prose / rule / inherited / plan fields."""
    _adopt_single_paragraph_labels(nodes)
    _adopt_closing_item_labels(nodes)
    effective: dict[int, _Effective] = {}
    for plan in {id(n.plan): n.plan for n in nodes}.values():
        plan.deadline = _plan_deadline([n for n in nodes if n.plan is plan])
    clauses: list[Clause] = []
    seen: dict[str, int] = {}
    for node in nodes:
        parent_eff = effective.get(id(node.parent), _Effective()) if node.parent else _Effective()
        if node.marker is None and not (node.own.lead or node.own.units) and in_safeguard_section(node):
            node.closing = True  # a requirement paragraph ("各牵头单位每月25日前将进展报…"): no task
        if node.closing:  # closing paragraphs, issuer and date lines: no fields, own or inherited
            node.own, node.prose, node.own_deadline, node.prose_deadline = UnitFields(), UnitFields(), None, None
            parent_eff = _Effective()
        lead, units, lead_src, units_src = _resolve_units(node, parent_eff)
        deadline, deadline_src = _resolve_deadline(node, parent_eff)
        effective[id(node)] = _Effective(
            lead if lead_src is not FieldSource.PLAN else (),
            units if units_src is not FieldSource.PLAN else (),
            deadline if deadline_src is not FieldSource.PLAN else None,
        )
        if not lead and node.plan.issuers and not node.closing and _in_measure_section(node):
            lead, lead_src = tuple(node.plan.issuers), FieldSource.PLAN
            units = tuple(u for u in units if u not in lead)
            units_src = units_src if units else None
        if deadline is None and node.plan.deadline and not node.closing and _in_measure_section(node):
            deadline, deadline_src = node.plan.deadline, FieldSource.PLAN
        path = node.path()
        cid = clause_id(source, path, node.text)
        if cid in seen:  # the same text twice under one path: keep both, distinct ids
            seen[cid] += 1
            cid = clause_id(source, path, f"{node.text}#{seen[cid]}")
        else:
            seen[cid] = 1
        kind = ClauseKind.TEXT if node.marker is None and not node.theme else ClauseKind.ITEM
        if any(not child.closing for child in node.children):  # a closing line after an item is no sub-item
            kind = ClauseKind.HEADING
        clauses.append(
            Clause(
                id=cid,
                source=source,
                title=node.plan.title or doc_title,
                path=path,
                headings=tuple(n.heading() for n in node.lineage()[:-1]),
                text=node.text,
                start=node.start,
                end=node.end,
                kind=kind,
                lead_units=lead,
                units=units,
                deadline=deadline,
                lead_source=lead_src,
                units_source=units_src,
                deadline_source=deadline_src,
            )
        )
    return clauses


def _adopt_single_paragraph_labels(nodes: list[Node]) -> None:
    """A heading whose one body paragraph ends in labels takes them as the section's labels.

    "(一)深入推进信息集成和流程集成。" + one paragraph ending "(牵头单位:省自然资源厅;…)":
    the labels close the section, as the label block of a "主要措施:" section does.
    """
    for node in nodes:
        if node.marker is None or node.own or node.own_deadline or len(node.children) != 1:
            continue
        child = node.children[0]
        if child.marker is None and not child.children and (child.own or child.own_deadline):
            node.own = UnitFields(
                list(child.own.lead), list(child.own.units), child.own.deadline, child.own.has_lead_label
            )
            node.own_deadline = child.own_deadline


def _adopt_closing_item_labels(nodes: list[Node]) -> None:
    """Labels closing a list whose other items have none belong to the list's section.

    "(一)推进…" + "(1)…" "(2)…" "(3)…。(牵头单位:市教育局;…)": the block ends the list, as the
    label block of a section does, so (1) and (2) carry it too.
    """
    for node in nodes:
        items = [c for c in node.children if c.marker is not None]
        if node.marker is None or node.own or node.own_deadline or len(items) < 2 or items[-1].children:
            continue
        last, others = items[-1], items[:-1]
        if not (last.own.lead or last.own.units) or any(_has_fields(c) for c in others):
            continue
        node.own, node.own_deadline = last.own, last.own_deadline
        last.own, last.own_deadline = UnitFields(), None


def _has_fields(node: Node) -> bool:
    return bool(node.own or node.prose or node.own_deadline or node.prose_deadline or node.children)


def _resolve_units(
    node: Node, parent: _Effective
) -> tuple[tuple[str, ...], tuple[str, ...], FieldSource | None, FieldSource | None]:
    fields, source = node.own, FieldSource.OWN
    if not (fields.lead or fields.units):
        fields, source = node.prose, FieldSource.PROSE
    if fields.lead or fields.units:
        lead, units = list(fields.lead), list(fields.units)
        lead_src: FieldSource | None = source
        if node.rule and not fields.has_lead_label and not lead and units:
            lead, units = units[:1], units[1:]  # "排第一的为牵头单位"
        if not lead and parent.lead:  # own units, lead from the enclosing section
            lead, lead_src = list(parent.lead), FieldSource.INHERITED
        units = [u for u in units if u not in lead]
        return tuple(lead), tuple(units), lead_src if lead else None, source if units else None
    if parent.lead or parent.units:
        inh = FieldSource.INHERITED
        return parent.lead, parent.units, inh if parent.lead else None, inh if parent.units else None
    return (), (), None, None


def _resolve_deadline(node: Node, parent: _Effective) -> tuple[Deadline | None, FieldSource | None]:
    if node.own_deadline is not None:
        return node.own_deadline, FieldSource.OWN
    if node.prose_deadline is not None:
        return node.prose_deadline, FieldSource.PROSE
    if parent.deadline is not None:
        return parent.deadline, FieldSource.INHERITED
    return None, None


def in_safeguard_section(node: Node) -> bool:
    """True under a safeguard or requirement heading ("二、保障措施", "四、工作要求").

    An unnumbered paragraph there describes coordination ("领导小组办公室负责统筹协调…"), so its
    prose names no task units; numbered items and labels there still do.
    """
    return any(_SAFEGUARD_SECTION.search(a.heading()) for a in node.lineage()[:-1] if a.marker)


def _in_measure_section(node: Node) -> bool:
    """True when the nearest section that says what it holds is a measure section."""
    for ancestor in reversed(node.lineage()[:-1]):
        heading = ancestor.heading()
        if _NOT_MEASURE_SECTION.search(heading):
            return False
        if ancestor.marker and _MEASURE_SECTION.search(heading):
            return True
    return False


def _plan_deadline(nodes: list[Node]) -> Deadline | None:
    """The deadline a plan's "三、完成时限" section states ("2020年11月底前。" under it)."""
    for node in nodes:
        if node.marker and _PLAN_DEADLINE_HEADING.match(node.text.strip().rstrip("。:")):
            for child in node.children:
                deadline = child.own_deadline or child.prose_deadline
                if deadline is None:
                    deadline = normalize_deadline(child.text.strip().rstrip("。"), None)
                if deadline.date or deadline.kind != "unknown":
                    return deadline
    return None
