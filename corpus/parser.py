"""Parse a policy text into a clause tree and resolve every clause's units and deadline.

Entry point: :func:`parse_text`.

Example:
    >>> doc = parse_text(
    ...     "一、主要任务\\n1、企业开办一网通办。\\n牵头单位：市市场监管局  责任单位：市税务局\\n",
    ...     source="demo.txt",
    ... )
    >>> c = doc.clauses[1]
    >>> c.path, c.text, c.lead_units, c.units
    ('一、 1.', '企业开办一网通办。', ('市市场监管局',), ('市税务局',))
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from corpus.deadlines import find_prose_deadline, looks_like_deadline, normalize_deadline
from corpus.grammar import (
    CLOSING_ARTICLE_RE,
    LABEL_PAIR_RE,
    NOT_TASK_RE,
    STRICT_LABEL_RE,
    UNKNOWN_LABEL_RE,
    label_word,
    role_of,
)
from corpus.meta import document_year, read_meta
from corpus.model import Clause, ClauseKind, Deadline, Document, FieldSource, clause_id
from corpus.structure import (
    DEBRIS_RE,
    LEAD_RULE_RE,
    MEASURE_MARKER_RE,
    Marker,
    can_continue_title,
    is_chrome,
    is_label_line,
    is_short_heading,
    is_title_end,
    read_marker,
)
from corpus.text import fold
from corpus.units import (
    LABEL_RE,
    UNIT_END_RE,
    UnitFields,
    parse_label_block,
    parse_prose_units,
    split_outside_brackets,
    split_units,
)

# Section headings under which a plan's issuer leads the measures ("二、主要举措", "四、工作措施").
_MEASURE_SECTION = re.compile(r"(?:主要|工作|具体|重点)?(?:举措|措施|任务)|重点工作|工作步骤|实施步骤")
# ...but not goal, safeguard or requirement sections ("三、保障措施", "一、工作目标").
_NOT_MEASURE_SECTION = re.compile(r"保障|目标|要求|狠抓落实|总体安排|建议|对比表|流程图|原则")
# Safeguard and requirement sections: "三、保障措施", "四、工作要求", "五、组织实施".
_SAFEGUARD_SECTION = re.compile(r"保障措施|保障机制|组织保障|工作要求|组织实施|狠抓落实")
# A plan section that states one deadline for the whole plan: "三、完成时限" + "2020年11月底前。"
_PLAN_DEADLINE_HEADING = re.compile(r"^(?:完成时限|完成时间|时间节点|实施期限)$")
# A deadline in brackets: "(6月15日前完成)", "(2020年11月底完成)", "(2020年3 月 31日前)".
_PROSE_UNIT_HINT = re.compile(r"牵头|负责|配合|参与|实施|会同")
_OPEN, _CLOSE = "(〔【<[〖", ")〕】>]〗"
# A sole unit named as responsible in a bracket or sentence: "(区卫健委负责)" names the lead.
_SOLE_RESPONSIBLE = re.compile(r"^(?:由)?([^,;、()]{2,30}?)(?:具体)?负责$")
# A word that makes a dated phrase a due date even in the middle of a sentence: "(6月15日前完成)".
_DUE_WORD = re.compile(r"前|完成|底|末|到位|办结|上线|建成")
# A date alone on a line ("2024年3月15日", "二〇二四年三月十五日"): a signature date, never a task.
_NUMERAL = r"[\d〇○零一二三四五六七八九十]"
_DATE_LINE = re.compile(rf"^{_NUMERAL}{{2,4}}\s*年\s*{_NUMERAL}{{1,3}}\s*月\s*{_NUMERAL}{{1,3}}\s*日$")
# An issuer on its own line: short, no sentence punctuation, ending in an organisation word.
_ISSUER_LINE = re.compile(r"^[\u4e00-\u9fff()]{2,30}(?:政府|委员会|办公室|办公厅|领导小组|指挥部|局|厅|委|办|中心)$")


@dataclass(slots=True)
class _Plan:
    title: str
    issuers: list[str]
    deadline: Deadline | None = None


@dataclass(slots=True)
class _Node:
    """A clause under construction."""

    plan: _Plan
    marker: Marker | None
    rank: float
    text: str
    start: int
    end: int
    parent: _Node | None
    theme: bool = False
    children: list[_Node] = field(default_factory=list)
    own: UnitFields = field(default_factory=UnitFields)  # labels and unit parentheticals
    prose: UnitFields = field(default_factory=UnitFields)  # "由X牵头" in the running text
    prose_deadline: Deadline | None = None
    own_deadline: Deadline | None = None
    labelled_deadline: bool = False  # own_deadline came from a label, which a bare bracket never overrides
    rule: bool = False  # the document's first-listed-is-lead rule is in force here
    closing: bool = False  # a closing/requirement paragraph, issuer or date line: no fields at all

    def path(self) -> str:
        labels = [n.marker.label for n in self.lineage() if n.marker]
        return _join_path(labels)

    def lineage(self) -> list[_Node]:
        chain: list[_Node] = []
        node: _Node | None = self
        while node is not None:
            chain.append(node)
            node = node.parent
        return chain[::-1]

    def heading(self) -> str:
        first = re.split(r"(?<=[。;；])", self.text, maxsplit=1)[0]
        return first if len(first) <= 40 else first[:40] + "…"


@dataclass(slots=True)
class ParseReport:
    """What the parser set aside, so nothing is dropped silently.

    Attributes:
        skipped: (offset, line) pairs of page chrome such as "当前位置: 首页 > …".
        unknown_labels: (offset, label) pairs of things written like labels that the grammar
            does not know ("督办单位:"); their values are never read as units.
        doc_year: the year used for dates written without one, or None.
    """

    skipped: list[tuple[int, str]] = field(default_factory=list)
    unknown_labels: list[tuple[int, str]] = field(default_factory=list)
    doc_year: int | None = None


def parse_text(text: str, source: str, report: ParseReport | None = None) -> Document:
    """Parse a policy document's text into a :class:`Document` with resolved clause fields.

    Args:
        text: the full document text (``\\n`` line breaks); clause spans refer to it.
        source: the document's file name, used in clause ids and citations.
        report: optional collector of the lines set aside as page chrome.

    Returns:
        The document with its clauses in reading order.
    """
    meta = read_meta(text)
    doc_year = document_year(meta)
    report = report if report is not None else ParseReport()
    report.doc_year = doc_year
    lines = list(_lines(text))
    title_blocks = _find_title_blocks(lines)
    builder = _Builder(source, doc_year, report)
    doc_title: str | None = None
    known_units = _known_units(text) if title_blocks else set()  # read once, used by every plan title
    i = 0
    while i < len(lines):
        start, _end, raw = lines[i]
        if i in title_blocks:
            last = title_blocks[i]
            title_lines = [lines[k][2].strip() for k in range(i, last + 1)]
            if doc_title is None and not builder.nodes:
                doc_title = "".join(title_lines)
            builder.start_plan(title_lines, known_units=known_units)
            i = last + 1
            continue
        folded = fold(raw)
        if is_chrome(folded):
            report.skipped.append((start, raw))
            i += 1
            continue
        nxt = lines[i + 1][2] if i + 1 < len(lines) else ""
        i = builder.feed(lines, i, folded, fold(nxt))
    nodes = builder.finish()
    title = doc_title or meta.title or _stated_title(text) or source
    clauses = _resolve(nodes, source, title)
    return Document(
        source=source,
        text=text,
        title=title,
        issuer=meta.issuer,
        doc_number=meta.doc_number,
        date=meta.date,
        clauses=tuple(clauses),
    )


class _Builder:
    """Feeds lines into a stack of open sections; one instance per document."""

    def __init__(self, source: str, doc_year: int | None, report: ParseReport) -> None:
        self.source = source
        self.doc_year = doc_year
        self.report = report
        self.closing = False  # inside the closing part: requirement paragraphs, issuer, date
        self.plan = _Plan(title="", issuers=[])
        self.nodes: list[_Node] = []
        self.stack: list[_Node] = []
        self.last: _Node | None = None
        self.measure_owner: _Node | None = None  # section whose "主要措施:" block is open
        self.in_label_block = False
        self.rule = False

    def start_plan(self, title_lines: list[str], known_units: set[str]) -> None:
        issuer = _title_issuer(title_lines)
        issuers = _segment_issuers(issuer, known_units) if issuer else []
        self.plan = _Plan(title="".join(title_lines), issuers=issuers)
        self.stack = []
        self.last = None
        self.measure_owner = None
        self.rule = False

    def feed(self, lines: list[tuple[int, int, str]], i: int, folded: str, next_folded: str) -> int:
        """Consume line ``i`` (and any lines merged with it); return the next line index."""
        start, end, raw = lines[i]
        skip = len(raw) - len(raw.lstrip())
        debris = DEBRIS_RE.match(raw, skip)
        if debris:
            skip = debris.end()
        start, raw, folded = start + skip, raw[skip:], folded[skip:]
        if is_label_line(folded):
            self._note_unknown_labels(folded, start)
            self._attach_labels(raw, end)
            return i + 1
        if self.in_label_block:
            self.in_label_block = False
            self.measure_owner = None
        marker_m = MEASURE_MARKER_RE.match(folded)
        if marker_m:
            self.measure_owner = self.stack[-1] if self.stack else None
            if raw[marker_m.end() :].strip():  # "主要措施:进一步加强…": the line is also text
                self._add_text(raw, start, end)
            return i + 1
        marker = read_marker(folded)
        attachment = marker is not None and self._attachment_list(folded, marker)
        if marker and not attachment:
            self.closing = False
            self._add_numbered(marker, raw, start, end)
            if CLOSING_ARTICLE_RE.match(folded[marker.length :].strip()):
                self.last_closing()  # "第二十条 本细则由省教育厅负责解释": an article, no task
            return i + 1
        body = folded.strip()
        if attachment or self._is_closing(body, next_folded.strip()):
            self.closing = self.closing or not attachment
            self._add_text(raw, start, end, closing=True)
            return i + 1
        next_marker = read_marker(next_folded.strip()) if next_folded else None
        if next_marker and is_short_heading(folded) and self._opens_theme(next_marker):
            self._add_theme(raw, start, end, next_marker)
            return i + 1
        run = self._table_run(lines, i)
        if run > i:
            cells = [lines[k][2].strip() for k in range(i, run + 1)]
            self._add_text(" ".join(cells), start, lines[run][1], raw_span=False)
            return run + 1
        self._add_text(raw, start, end)
        return i + 1

    def finish(self) -> list[_Node]:
        return self.nodes

    # --- structure ---------------------------------------------------------------------------

    def _add_numbered(self, marker: Marker, raw: str, start: int, end: int) -> None:
        rank = marker.rank
        same = next((n for n in reversed(self.stack) if n.marker and n.marker.style == marker.style), None)
        if same is not None:
            restart = marker.number == 1 and same.marker is not None and same.marker.number >= 1
            if restart and _title_like(same.text) and not any(c.marker for c in same.children):
                rank = same.rank + 0.5  # "2、 主要经验和做法" followed by "1、…": a nested list
            else:
                rank = same.rank
        self._pop_to(rank)
        body_start = start + _skip_spaces(raw, marker.length)
        if not raw[body_start - start :].strip():  # a bare "三、": the marker is all the text there is
            body_start = start
        node = self._new_node(marker, rank, raw[body_start - start :], body_start, end)
        self.stack.append(node)

    def _add_theme(self, raw: str, start: int, end: int, next_marker: Marker) -> None:
        self._pop_to(next_marker.rank)
        if self.stack and self.stack[-1].theme:
            rank = self.stack.pop().rank
        else:
            outer = self.stack[-1].rank if self.stack else -1.0
            rank = (outer + next_marker.rank) / 2
        lead = len(raw) - len(raw.lstrip())
        node = self._new_node(None, rank, raw.strip(), start + lead, end, theme=True)
        self.stack.append(node)

    def _attachment_list(self, folded: str, marker: Marker) -> bool:
        """True for "2.湖北省推进…工作方案" continuing an "附件:1.…" list: text, not a section."""
        return self.last is not None and self.last.text.startswith("附件") and is_title_end(folded[marker.length :])

    def _opens_theme(self, next_marker: Marker) -> bool:
        stack = [n for n in self.stack if n.rank < next_marker.rank]
        outer = stack[-1].rank if stack else -1.0
        return outer < next_marker.rank and any(n.marker for n in stack)

    def _add_text(self, raw: str, start: int, end: int, raw_span: bool = True, closing: bool = False) -> None:
        lead = len(raw) - len(raw.lstrip()) if raw_span else 0
        parent = self.stack[-1] if self.stack else None
        rank = parent.rank + 0.01 if parent else 99.0
        self._new_node(None, rank, raw.strip(), start + lead, end, closing=closing)

    def last_closing(self) -> None:
        """Mark the node just added as closing material: no fields of its own, none inherited."""
        if self.last is not None:
            self.last.closing = True

    def _is_closing(self, body: str, next_body: str) -> bool:
        """True for a closing paragraph, an issuer or a date line: never a task.

        "请各单位认真抓好落实。", "本方案自印发之日起施行。", "XX区人民政府办公室" above
        "2024年3月15日"; once the closing part has begun, its issuer lines too.
        """
        if NOT_TASK_RE.match(body) or _DATE_LINE.match(body):
            return True
        issuer = bool(_ISSUER_LINE.match(body))
        return issuer and (self.closing or bool(_DATE_LINE.match(next_body)))

    def _note_unknown_labels(self, folded: str, offset: int) -> None:
        for m in UNKNOWN_LABEL_RE.finditer(folded):
            if role_of(m.group("word")) is None and not STRICT_LABEL_RE.match(folded, m.start()):
                self.report.unknown_labels.append((offset + m.start(), m.group("word")))

    def _table_run(self, lines: list[tuple[int, int, str]], i: int) -> int:
        """Last index of a run of >= 3 short cell-like lines starting at ``i`` (a flattened table)."""
        k = i
        while k < len(lines) and self._cell(lines[k][2]):
            k += 1
        return k - 1 if k - i >= 3 else i

    @staticmethod
    def _cell(raw: str) -> bool:
        folded = fold(raw).strip()
        return (
            is_short_heading(folded, limit=16)
            and read_marker(folded) is None
            and not is_title_end(folded)
            and not is_chrome(folded)
        )

    def _pop_to(self, rank: float) -> None:
        while self.stack and self.stack[-1].rank >= rank:
            popped = self.stack.pop()
            if popped is self.measure_owner:
                self.measure_owner = None
                self.in_label_block = False

    def _new_node(
        self,
        marker: Marker | None,
        rank: float,
        body: str,
        start: int,
        end: int,
        theme: bool = False,
        closing: bool = False,
    ) -> _Node:
        parent = self.stack[-1] if self.stack else None
        node = _Node(self.plan, marker, rank, body, start, end, parent, theme=theme, closing=closing)
        if not closing:
            self._read_fields(node)
        if parent is not None:
            parent.children.append(node)
        self.nodes.append(node)
        self.last = node
        return node

    # --- fields ------------------------------------------------------------------------------

    def _attach_labels(self, raw: str, end: int) -> None:
        target = self.measure_owner or self.last
        body = raw.strip().rstrip("。")
        if _bracket_groups(fold(body)) == [(0, len(body))]:
            body = body[1:-1]  # a bracketed label line: "(责任单位:… 落实时间:…)"
        fields = parse_label_block(body)
        if LEAD_RULE_RE.search(fold(raw)):
            self.rule = True
        if target is None:  # labels before any clause: they set the plan's defaults
            return
        target.own.merge(fields)
        self._set_deadline(target, fields.deadline, labelled=True)
        target.end = max(target.end, end)
        target.rule = target.rule or self.rule
        if self.measure_owner is not None:
            self.in_label_block = True

    def _read_fields(self, node: _Node) -> None:
        """Read labels and unit/deadline brackets in the node's text; strip trailing ones."""
        folded = fold(node.text)
        if LEAD_RULE_RE.search(folded):
            self.rule = True
        node.rule = self.rule
        self._note_unknown_labels(folded, node.start)
        inline = _inline_labels(folded)
        if inline is not None:  # "…。责任单位:区教育局(牵头)、区财政局;完成时限:2024年底前。"
            fields = parse_label_block(node.text[inline:])
            node.own.merge(fields)
            self._set_deadline(node, fields.deadline, labelled=True)
            node.text = node.text[:inline].rstrip(" \t\u3000;；,，")
            folded = fold(node.text)
        while (groups := _bracket_groups(folded)) and groups[0][0] == 0 and groups[0][1] < len(folded):
            # labels before the text: "【牵头单位:X】【配合单位:Y】推进外贸…" (read, then cut from the text)
            b_end = groups[0][1]
            if not LABEL_RE.search(folded[:b_end]):
                break
            self._read_bracket(node, node.text[1 : b_end - 1], folded[1 : b_end - 1], at_end=True)
            cut = b_end + len(node.text[b_end:]) - len(node.text[b_end:].lstrip(" \t\u3000:：,，;；"))
            node.text, node.start, folded = node.text[cut:], node.start + cut, folded[cut:]
        keep_until = len(node.text)
        trailing = True
        for b_start, b_end in reversed(_bracket_groups(folded)):
            inner = node.text[b_start + 1 : b_end - 1]
            inner_folded = folded[b_start + 1 : b_end - 1]
            tail = folded[b_end:keep_until].strip(" 。.")
            # a bracket at the clause's end, or closing a sentence ("评估总结阶段(2021年1月)。…")
            at_end = (trailing and not tail) or folded[b_end : b_end + 1] in ("。", ";")
            used = self._read_bracket(node, inner, inner_folded, at_end=at_end)
            if used and trailing and not tail:
                keep_until = b_start
            else:
                trailing = trailing and not tail and used
        body = node.text[:keep_until].rstrip()
        node.text = body if body.strip() else node.text
        plain = _mask_brackets(fold(node.text))
        prose = UnitFields()
        if _PROSE_UNIT_HINT.search(plain) and not (node.marker is None and _in_safeguard_section(node)):
            prose = parse_prose_units(plain)
        if prose.lead or prose.units:
            node.prose = UnitFields(
                lead=_unfold_units(prose.lead, node.text, plain),
                units=_unfold_units(prose.units, node.text, plain),
                has_lead_label=prose.has_lead_label,
            )
        node.prose_deadline = find_prose_deadline(plain, self.doc_year)

    def _set_deadline(self, node: _Node, text: str | None, labelled: bool) -> None:
        """Keep the first deadline; a labelled one ("完成时限:…") replaces one from a bare bracket."""
        if text and (node.own_deadline is None or (labelled and not node.labelled_deadline)):
            node.own_deadline = normalize_deadline(text, self.doc_year)
            node.labelled_deadline = labelled

    def _read_bracket(self, node: _Node, inner: str, inner_folded: str, at_end: bool) -> bool:
        """Read one bracket's labels, deadline or responsibility prose; True when it held any.

        "(牵头单位:…;完成时限:…)", "(6月15日前完成)", "(2020年11月底完成,省市场监管局牵头,…)",
        "(区卫健委负责)" (a sole responsible unit leads). Inside a sentence (``at_end`` False) a bare
        period is a description, not a deadline: "…全覆盖工程(2019-2022年)(以下简称…)".
        """
        if LABEL_RE.search(inner_folded):
            fields = parse_label_block(inner)
            node.own.merge(fields)
            self._set_deadline(node, fields.deadline, labelled=True)
            return True
        if LEAD_RULE_RE.search(inner_folded):
            return True
        phrases = [p.strip() for p in split_outside_brackets(inner, seps=",;，；") if p.strip()]
        dated = [p for p in phrases if looks_like_deadline(fold(p)) and (at_end or _DUE_WORD.search(p))]
        rest = [p for p in phrases if p not in dated]
        fields = UnitFields()
        if rest and _PROSE_UNIT_HINT.search(fold("".join(rest))):
            fields = parse_prose_units(",".join(rest), bracketed=True)
            sole = _SOLE_RESPONSIBLE.match(fold(rest[0])) if len(rest) == 1 else None
            if sole and not fields.lead and len(fields.units) == 1 and UNIT_END_RE.search(sole.group(1)):
                fields = UnitFields(lead=fields.units, has_lead_label=True)
        if rest and not (fields.lead or fields.units):
            return False  # "(2020年以来)", "(试行)": part of the text
        if dated:
            self._set_deadline(node, dated[0].strip("。"), labelled=False)
        node.own.merge(fields)
        return True


# --- resolution ------------------------------------------------------------------------------


@dataclass(slots=True)
class _Effective:
    lead: tuple[str, ...] = ()
    units: tuple[str, ...] = ()
    deadline: Deadline | None = None


def _resolve(nodes: list[_Node], source: str, doc_title: str) -> list[Clause]:
    """Turn nodes into clauses, resolving own / prose / rule / inherited / plan fields."""
    _adopt_single_paragraph_labels(nodes)
    effective: dict[int, _Effective] = {}
    for plan in {id(n.plan): n.plan for n in nodes}.values():
        plan.deadline = _plan_deadline([n for n in nodes if n.plan is plan])
    clauses: list[Clause] = []
    seen: dict[str, int] = {}
    for node in nodes:
        parent_eff = effective.get(id(node.parent), _Effective()) if node.parent else _Effective()
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
        if node.children:
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


def _adopt_single_paragraph_labels(nodes: list[_Node]) -> None:
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


def _resolve_units(
    node: _Node, parent: _Effective
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


def _resolve_deadline(node: _Node, parent: _Effective) -> tuple[Deadline | None, FieldSource | None]:
    if node.own_deadline is not None:
        return node.own_deadline, FieldSource.OWN
    if node.prose_deadline is not None:
        return node.prose_deadline, FieldSource.PROSE
    if parent.deadline is not None:
        return parent.deadline, FieldSource.INHERITED
    return None, None


def _in_safeguard_section(node: _Node) -> bool:
    """True under a safeguard or requirement heading ("二、保障措施", "四、工作要求").

    An unnumbered paragraph there describes coordination ("领导小组办公室负责统筹协调…"), so its
    prose names no task units; numbered items and labels there still do.
    """
    return any(_SAFEGUARD_SECTION.search(a.heading()) for a in node.lineage()[:-1] if a.marker)


def _in_measure_section(node: _Node) -> bool:
    """True when the nearest section that says what it holds is a measure section."""
    for ancestor in reversed(node.lineage()[:-1]):
        heading = ancestor.heading()
        if _NOT_MEASURE_SECTION.search(heading):
            return False
        if ancestor.marker and _MEASURE_SECTION.search(heading):
            return True
    return False


def _plan_deadline(nodes: list[_Node]) -> Deadline | None:
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


# --- helpers ---------------------------------------------------------------------------------


def _lines(text: str) -> Iterator[tuple[int, int, str]]:
    """Non-blank lines as (start, end, raw) with offsets into ``text``."""
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            yield pos, end, line.rstrip("\r")
        pos = end + 1


def _find_title_blocks(lines: list[tuple[int, int, str]]) -> dict[int, int]:
    """Map first line index -> last line index of each title block ("省XX关于…\\n…的实施方案")."""
    blocks: dict[int, int] = {}
    taken: set[int] = set()
    for j, (_, _, raw) in enumerate(lines):
        if not is_title_end(fold(raw)):
            continue
        k = j
        while k > 0 and j - k < 2 and (k - 1) not in taken and can_continue_title(fold(lines[k - 1][2])):
            k -= 1
        blocks[k] = j
        taken.update(range(k, j + 1))
    return blocks


# A document without a title block that names itself in its opening sentence:
# "…高质量推进中国(广西)自由贸易试验区钦州港片区(以下简称钦州港片区)建设,制定本实施方案。"
_STATED_TITLE = re.compile(
    r"推进([^,。;]{4,40}?)(?:\(以下简称[^()]*\))?(建设|工作)?\s*,\s*(?:特)?制定本(实施方案|工作方案|方案)"
)


def _stated_title(text: str) -> str | None:
    """The title a document gives itself in its first paragraph, or None."""
    m = _STATED_TITLE.search(fold(text[:1500]))
    if not m:
        return None
    start, end = m.span(1)
    return text[start:end] + (m.group(2) or "") + m.group(3)


def _known_units(text: str) -> set[str]:
    """Unit names written in the document's labels, used to split "省商务厅武汉海关"."""
    names: set[str] = set()
    folded = fold(text)
    for m in LABEL_RE.finditer(folded):
        value = text[m.end() : m.end() + 200].split("\n", 1)[0]
        value = re.split(r"[)〕】]|(?:" + LABEL_RE.pattern + ")", fold(value), maxsplit=1)[0]
        names.update(split_units(value))
    return names


def _title_issuer(title_lines: list[str]) -> str | None:
    """The issuer a (sub-)plan title names before its 关于, on the 关于 line or the line above it.

    ["省财政厅关于…", "…的实施方案"] -> "省财政厅"; ["XX汇编", "区市场监管局关于…的实施方案"] ->
    "区市场监管局" (a line above the 关于 line is the issuer only when 关于 opens its line).
    """
    for k, line in enumerate(title_lines):
        pos = line.find("关于")
        if pos > 0:
            return line[:pos]
        if pos == 0 and k > 0:
            return title_lines[k - 1]
    return None


def _segment_issuers(issuer: str, known: set[str]) -> list[str]:
    """Split back-to-back issuers using unit names the document spells out elsewhere."""
    issuer = issuer.strip()
    best: dict[int, list[str]] = {0: []}
    for end in range(1, len(issuer) + 1):
        for start in list(best):
            piece = issuer[start:end]
            if start < end and piece in known and end not in best:
                best[end] = [*best[start], piece]
    parts = best.get(len(issuer))
    return parts if parts and len(parts) > 1 else [issuer]


def _bracket_groups(folded: str) -> list[tuple[int, int]]:
    """Top-level balanced bracket groups as (start, end) with end exclusive."""
    groups: list[tuple[int, int]] = []
    depth, begin = 0, 0
    for i, ch in enumerate(folded):
        if ch in _OPEN:
            if depth == 0:
                begin = i
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
            if depth == 0:
                groups.append((begin, i + 1))
    return groups


def _inline_labels(folded: str) -> int | None:
    """Where labels written into the running text begin, or None.

    "…推进教育数字化。责任单位:区教育局(牵头)、区财政局;完成时限:…" -> the offset of
    "责任单位"; "…工作【牵头单位】区商务局【完成时限】…" -> the offset of "【". A label inside a
    bracket group ("(牵头单位:…)") is the bracket's, not the text's.
    """
    starts = [m.start() for m in STRICT_LABEL_RE.finditer(folded) if role_of(label_word(m)) is not None]
    starts += [m.start() for m in LABEL_PAIR_RE.finditer(folded)]
    return min((p for p in starts if p > 0 and _bracket_depth(folded, p) == 0), default=None)


def _bracket_depth(folded: str, pos: int) -> int:
    depth = 0
    for ch in folded[:pos]:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE and depth:
            depth -= 1
    return depth


def _mask_brackets(folded: str) -> str:
    out = list(folded)
    for start, end in _bracket_groups(folded):
        inner = folded[start:end]
        if LABEL_RE.search(inner) or _PROSE_UNIT_HINT.search(inner):
            out[start:end] = "＿" * (end - start)
    return "".join(out)


def _unfold_units(units: list[str], original: str, folded: str) -> list[str]:
    """Map unit names read from folded text back to the document's own characters."""
    result = []
    for unit in units:
        pos = folded.find(unit)
        result.append(original[pos : pos + len(unit)] if pos >= 0 else unit)
    return result


def _title_like(text: str) -> bool:
    return len(text.strip()) <= 20 and not re.search(r"[。;；]", text)


def _skip_spaces(raw: str, pos: int) -> int:
    while pos < len(raw) and raw[pos] in " \t\u3000":
        pos += 1
    return pos


def _join_path(labels: list[str]) -> str:
    """ "四、", "(一)", "1.", "(3)" -> "四、(一) 1.(3)": a space before arabic-numbered levels."""
    out = ""
    for label in labels:
        out += (" " if out and label[:1].isdigit() else "") + label
    return out
