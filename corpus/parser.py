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

from corpus.brackets import PROSE_UNIT_HINT, bracket_groups, inline_labels, mask_brackets, unfold_units
from corpus.deadlines import find_prose_deadline, looks_like_deadline, normalize_deadline
from corpus.grammar import CLOSING_ARTICLE_RE, NOT_TASK_RE, unknown_labels
from corpus.meta import document_year, read_meta
from corpus.model import Document
from corpus.resolve import in_safeguard_section, resolve
from corpus.structure import (
    DEBRIS_RE,
    LEAD_RULE_RE,
    MEASURE_MARKER_RE,
    Marker,
    is_chrome,
    is_label_line,
    is_short_heading,
    is_title_end,
    read_marker,
)
from corpus.text import fold
from corpus.titles import find_title_blocks, known_units, segment_issuers, stated_title, title_issuer
from corpus.tree import Node, Plan
from corpus.units import (
    LABEL_RE,
    UNIT_END_RE,
    UnitFields,
    parse_label_block,
    parse_prose_units,
    split_outside_brackets,
    unit_list,
)

# A sole unit named as responsible in a bracket or sentence: "(区卫健委负责)" names the lead.
_SOLE_RESPONSIBLE = re.compile(r"^(?:由)?([^,;、()]{2,30}?)(?:具体)?负责$")
# A word that makes a dated phrase a due date even in the middle of a sentence: "(6月15日前完成)".
_DUE_WORD = re.compile(r"前|完成|底|末|到位|办结|上线|建成")
# A date alone on a line ("2024年3月15日", "二〇二四年三月十五日"): a signature date, never a task.
_NUMERAL = r"[\d〇○零一二三四五六七八九十]"
_DATE_LINE = re.compile(rf"^{_NUMERAL}{{2,4}}\s*年\s*{_NUMERAL}{{1,3}}\s*月\s*{_NUMERAL}{{1,3}}\s*日$")
# An issuer on its own line: short, no sentence punctuation, ending in an organisation word.
_ISSUER_LINE = re.compile(r"^[\u4e00-\u9fff()]{2,30}(?:政府|委员会|办公室|办公厅|领导小组|指挥部|局|厅|委|办|中心)$")


# A sentence that gives the units of the list above it: "以上任务由X牵头，Y配合。", "上述工作由X负责".
_SECTION_SUMMARY = re.compile(r"^(?:以上|上述)(?:各项|所列)?(?:任务|工作|措施|事项|内容|项目)[^。]{0,6}由")


# A short name, a colon and a bracket naming who does it, alone on a line: 「省级综合受理系统:(省政务办负责建设)」.
# It heads what follows (numbered items or paragraphs) until the next such line or a higher heading.
_COLON_HEADER = re.compile(r"^[^。;:,!?()]{2,30}:\s*\([^()]+\)$")


# Units named before the task, then a colon: "区税务局：拓展…" (the colon after at most 40 characters).
_OWNERS_FIRST = re.compile(r"^([^:;,。，；()\[\]【】〔〕<>]{2,40}):\s*(?=\S)")


def _dangling(folded: str) -> bool:
    """True for a label line that ends with its label: "牵头单位：", "【完成时限】"."""
    line = folded.strip()
    m = LABEL_RE.match(line)
    return m is not None and not line[m.end() :].strip()


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
    title_blocks = find_title_blocks(lines)
    builder = _Builder(source, doc_year, report, doc_date=meta.date)
    doc_title: str | None = None
    names = known_units(text) if title_blocks else set()  # read once, used by every plan title
    i = 0
    while i < len(lines):
        start, _end, raw = lines[i]
        if i in title_blocks:
            last = title_blocks[i]
            title_lines = [lines[k][2].strip() for k in range(i, last + 1)]
            if doc_title is None and not builder.nodes:
                doc_title = "".join(title_lines)
            builder.start_plan(title_lines, known=names)
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
    title = doc_title or meta.title or stated_title(text) or source
    clauses = resolve(nodes, source, title)
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

    def __init__(self, source: str, doc_year: int | None, report: ParseReport, doc_date: str | None = None) -> None:
        self.source = source
        self.doc_year = doc_year
        self.doc_date = doc_date  # the start of "即日起"
        self.report = report
        self.closing = False  # inside the closing part: requirement paragraphs, issuer, date
        self.plan = Plan(title="", issuers=[])
        self.nodes: list[Node] = []
        self.stack: list[Node] = []
        self.last: Node | None = None
        self.measure_owner: Node | None = None  # section whose "主要措施:" block is open
        self.in_label_block = False
        self.rule = False

    def start_plan(self, title_lines: list[str], known: set[str]) -> None:
        issuer = title_issuer(title_lines)
        issuers = segment_issuers(issuer, known) if issuer else []
        self.plan = Plan(title="".join(title_lines), issuers=issuers)
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
            nxt_line = next_folded.strip()
            if _dangling(folded) and nxt_line and not is_label_line(nxt_line) and read_marker(nxt_line) is None:
                # "牵头单位：" alone, its value on the next line
                self._attach_labels(raw + lines[i + 1][2].strip(), lines[i + 1][1])
                return i + 2
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
                self._mark_last_closing()  # "第二十条 本细则由省教育厅负责解释": an article, no task
            return i + 1
        body = folded.strip()
        if _SECTION_SUMMARY.match(body) and self.last is not None and self.last.marker is not None:
            self._add_summary(raw, start, end)
            return i + 1
        if attachment or self._is_closing(body, next_folded.strip()):
            self.closing = self.closing or not attachment
            self._add_text(raw, start, end, closing=True)
            return i + 1
        next_marker = read_marker(next_folded.strip()) if next_folded else None
        if _COLON_HEADER.match(body) and self._add_colon_header(raw, start, end, next_marker):
            return i + 1
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

    def finish(self) -> list[Node]:
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

    def _add_colon_header(self, raw: str, start: int, end: int, next_marker: Marker | None) -> bool:
        """Open a 「名称:(X负责…)」 header over what follows; False (plain text) when its bracket names
        no unit, or the next line is a numbered item no deeper than the open section."""
        top = next((n for n in reversed(self.stack) if n.colon_header), None)
        if top is not None:  # the previous header of the run: a sibling (what is above it is its own)
            self._pop_to(top.rank)
            rank = top.rank
        else:
            outer = self.stack[-1].rank if self.stack else -1.0
            if next_marker is not None and next_marker.rank <= outer:
                return False
            rank = (outer + next_marker.rank) / 2 if next_marker is not None else outer + 0.005
        lead = len(raw) - len(raw.lstrip())
        node = self._new_node(None, rank, raw.strip(), start + lead, end, theme=True)
        if not (node.own or node.prose):  # 「附件:(略)」: no unit, no header
            node.theme = False
            return True
        node.colon_header = True
        self.stack.append(node)
        return True

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

    def _add_summary(self, raw: str, start: int, end: int) -> None:
        """ "以上任务由市卫健委牵头，市医保局、市民政局配合。" after a list: the list's section takes
        the units and deadline, as from a label block; the sentence itself is no task."""
        item_rank = self.last.rank if self.last is not None else 0.0
        self._pop_to(item_rank)
        section = self.stack[-1] if self.stack else None
        summary = Node(self.plan, None, item_rank, raw.strip(), start, end, section)
        self._read_fields(summary)
        if section is not None:
            section.own.merge(summary.own if summary.own else summary.prose)
            deadline = summary.own_deadline or summary.prose_deadline
            if deadline is not None and section.own_deadline is None:
                section.own_deadline = deadline
        self._add_text(raw, start, end, closing=True)

    def _mark_last_closing(self) -> None:
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
        return issuer and (self.closing or not next_body or bool(_DATE_LINE.match(next_body)))

    def _note_unknown_labels(self, folded: str, offset: int) -> None:
        self.report.unknown_labels.extend((offset + pos, word) for pos, word in unknown_labels(folded))

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
    ) -> Node:
        parent = self.stack[-1] if self.stack else None
        node = Node(self.plan, marker, rank, body, start, end, parent, theme=theme, closing=closing)
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
        if bracket_groups(fold(body)) == [(0, len(body))]:
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

    def _read_fields(self, node: Node) -> None:
        """Read labels and unit/deadline brackets in the node's text; strip trailing ones."""
        folded = fold(node.text)
        if LEAD_RULE_RE.search(folded):
            self.rule = True
        node.rule = self.rule
        self._note_unknown_labels(folded, node.start)
        inline = inline_labels(folded)
        if inline is not None:  # "…。责任单位:区教育局(牵头)、区财政局;完成时限:2024年底前。"
            fields = parse_label_block(node.text[inline:])
            node.own.merge(fields)
            self._set_deadline(node, fields.deadline, labelled=True)
            node.text = node.text[:inline].rstrip(" \t\u3000;；,，")
            folded = fold(node.text)
        while (groups := bracket_groups(folded)) and groups[0][0] == 0 and groups[0][1] < len(folded):
            # labels before the text: "【牵头单位:X】【配合单位:Y】推进外贸…" (read, then cut from the text)
            b_end = groups[0][1]
            names = unit_list(node.text[1 : b_end - 1])
            if names:  # "【区政务服务中心】推行…": the units doing it, before the text
                node.own.merge(UnitFields(units=names))
            elif LABEL_RE.search(folded[:b_end]) or PROSE_UNIT_HINT.search(folded[:b_end]):
                self._read_bracket(node, node.text[1 : b_end - 1], folded[1 : b_end - 1], at_end=True)
            else:
                break
            cut = b_end + len(node.text[b_end:]) - len(node.text[b_end:].lstrip(" \t\u3000:：,，;；"))
            node.text, node.start, folded = node.text[cut:], node.start + cut, folded[cut:]
        owners = _OWNERS_FIRST.match(folded)
        names = unit_list(node.text[: owners.end(1)]) if owners and not LABEL_RE.search(folded[: owners.end()]) else []
        if owners and names:  # "区市场监管局、区商务局：开展…": the units, then the task
            node.own.merge(UnitFields(units=names))
            node.text, node.start, folded = node.text[owners.end() :], node.start + owners.end(), folded[owners.end() :]
        keep_until = len(node.text)
        trailing = True
        for b_start, b_end in reversed(bracket_groups(folded)):
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
        plain = mask_brackets(fold(node.text))
        prose = UnitFields()
        if PROSE_UNIT_HINT.search(plain) and not (node.marker is None and in_safeguard_section(node)):
            prose = parse_prose_units(plain)
        if prose.lead or prose.units:
            node.prose = UnitFields(
                lead=unfold_units(prose.lead, node.text, plain),
                units=unfold_units(prose.units, node.text, plain),
                has_lead_label=prose.has_lead_label,
            )
        node.prose_deadline = find_prose_deadline(plain, self.doc_year)
        if node.prose_deadline and node.prose_deadline.kind == "recurring" and in_safeguard_section(node):
            node.prose_deadline = None  # "各责任单位要于每月25日前报送进展": a reporting cadence, not a task

    def _set_deadline(self, node: Node, text: str | None, labelled: bool) -> None:
        """Keep the first deadline; a labelled one ("完成时限:…") replaces one from a bare bracket."""
        if text and (node.own_deadline is None or (labelled and not node.labelled_deadline)):
            node.own_deadline = normalize_deadline(text, self.doc_year, self.doc_date)
            node.labelled_deadline = labelled

    def _read_bracket(self, node: Node, inner: str, inner_folded: str, at_end: bool) -> bool:
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
        if rest and PROSE_UNIT_HINT.search(fold("".join(rest))):
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


# --- helpers ---------------------------------------------------------------------------------


def _lines(text: str) -> Iterator[tuple[int, int, str]]:
    """Non-blank lines as (start, end, raw) with offsets into ``text``."""
    pos = 0
    for line in text.split("\n"):
        end = pos + len(line)
        if line.strip():
            yield pos, end, line.rstrip("\r")
        pos = end + 1


def _title_like(text: str) -> bool:
    return len(text.strip()) <= 20 and not re.search(r"[。;；]", text)


def _skip_spaces(raw: str, pos: int) -> int:
    while pos < len(raw) and raw[pos] in " \t\u3000":
        pos += 1
    return pos
