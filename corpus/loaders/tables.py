"""Tables -> lines the clause parser reads, shared by the DOCX and HTML loaders.

Task lists in Chinese policy documents are often tables: 序号 | 重点任务 | 具体措施 |
牵头单位 | 责任单位 | 完成时限. A table whose header names those columns becomes,
per data row, a numbered item line followed by label lines::

    1.优化企业开办。推行全程网办。
    牵头单位：市市场监管局
    责任单位：市税务局、市人社局
    完成时限：2020年底前

A table without such a header is rendered row by row, cells joined by two
spaces, so no text is lost.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from corpus.grammar import COLUMNS, LABELS, Role


@dataclass(frozen=True, slots=True)
class GridCell:
    """One layout-grid position of a table.

    Attributes:
        key: the underlying cell object (a DOCX ``w:tc`` element, an HTML ``<td>`` tag). A cell
            spanning several grid positions appears at each of them with the same key, compared
            with ``is``: the same key as the left neighbour is a horizontal merge, the same key as
            the cell above a vertical merge.
        text: the cell's text on one line.
    """

    key: object
    text: str


# The label each unit or deadline column is written out with, so the clause parser reads the row
# as it reads any label block (corpus/grammar.py knows every header word; this only picks a label).
_ROLE_LABEL: dict[Role, str] = {
    Role.LEAD: "牵头单位",
    Role.RESPONSIBLE: "责任单位",
    Role.ASSIST: "配合单位",
    Role.DEADLINE: "完成时限",
    Role.PERSON: "责任领导",
}
# Roles a table may hold only once; a second such column is kept as an extra "header：value".
_SINGLE_ROLES = (Role.NUMBER, Role.LEAD, Role.DEADLINE)

# "完成时限（2020年）：" -> "完成时限"; "序  号" -> "序号"
_HEADER_NOTE = re.compile(r"[(（〔\[【].*?[)）〕\]】]|[:：]$")
# A cell that repeats the one above: "同上", "同上。"
_DITTO = re.compile(r"^同上[。.]?$")
# A number cell already carrying its punctuation: "1.", "1、", "(1)", "（一）"
_NUMBER_WITH_MARK = re.compile(r"^(?:\S+[.、．]|[(（]\S+[)）])$")
_CHINESE_NUMERAL = re.compile(r"^[一二三四五六七八九十百]+$")
# Header words in the order a suffix match tries them: "区级牵头单位" -> 牵头单位, "具体工作任务" -> 工作任务.
_BY_LENGTH = sorted(COLUMNS, key=len, reverse=True)
# Text already ending a sentence, so the next part follows without an added "。"
_SENTENCE_END = re.compile(r"[。；;！!？?：:]$")

# How many leading rows may precede the header (a caption row spanning the table, say).
_MAX_HEADER_ROW = 3


def render_table(rows: Sequence[Sequence[GridCell]]) -> list[str]:
    """Render a table as text lines, as task items when its header is recognised.

    Args:
        rows: the table's layout grid, row by row (rows may be shorter than others).

    Returns:
        Non-empty lines, in table order.
    """
    header = _find_header(rows)
    if header is None:
        return _render_plain(rows)
    later = next((k for k in range(header.end + 1, len(rows)) if _starts_table(rows[k], header)), None)
    if later is not None:  # a second table under the first, with its own header (one sheet, two lists)
        return render_table(rows[:later]) + render_table(rows[later:])
    lines = _render_plain(rows[: header.start])
    width = len(header.labels)
    above: list[str] = [""] * width
    above_keys: list[object] = [None] * width
    count = 0
    for row in rows[header.end :]:
        if not any(c.text.strip() for c in row):
            continue  # an empty row is spacing, not text
        if [_header_label(c.text) for c in row] == header.labels[: len(row)]:
            continue  # the header repeated (a table continued over a page break)
        distinct = _distinct(row)
        if len(distinct) == 1 and len(row) == width:
            # one cell across the whole table: a section heading such as "一、优化审批服务"
            lines.append(distinct[0].text.strip())
            continue
        values = _resolve(row, above, above_keys)
        above = values + [""] * (width - len(values))
        above_keys = [c.key for c in row] + [None] * (width - len(row))
        count += 1
        lines.extend(_render_item(values, header, count))
    return lines


def _starts_table(row: Sequence[GridCell], header: _Header) -> bool:
    """True for a header row of another table: its cells are header words, and not this header's."""
    labels = [_header_label(c.text) for c in row]
    filled = [label for label in labels if label]
    if not filled or labels == header.labels[: len(labels)] or any(len(label) > 12 for label in filled):
        return False
    roles = _roles(row, labels)
    named = sum(1 for label in filled if _column_role(label) is not None)
    return len(roles) >= 2 and set(roles.values()) != {Role.NUMBER} and 2 * named >= len(filled)


@dataclass(frozen=True, slots=True)
class _Header:
    """Where a table's header sits and what its columns hold."""

    start: int  # first header row
    end: int  # first data row
    labels: list[str]  # per column, normalised: "完成时限", "" past the header's last cell
    roles: dict[int, Role]  # column -> role, for the recognised columns


def _find_header(rows: Sequence[Sequence[GridCell]]) -> _Header | None:
    """Find the header: a row with two or more recognised columns, not only a number column.

    A second header row under it ("责任单位" above "牵头单位 | 配合单位") refines the columns it
    names when all its own cells are header words.
    """
    width = max((len(r) for r in rows), default=0)
    for i, row in enumerate(rows[:_MAX_HEADER_ROW]):
        labels = [_header_label(c.text) for c in row] + [""] * (width - len(row))
        roles = _roles(row, labels)
        if len(roles) < 2 or set(roles.values()) == {Role.NUMBER}:
            continue
        sub_row = rows[i + 1] if i + 1 < len(rows) else []
        if 0 < len(sub_row) <= len(row):
            # the sub-row's own cells, not header cells continued from above
            own = [j for j, c in enumerate(sub_row) if c.key is not row[j].key and c.text.strip()]
            sub_labels = [_header_label(sub_row[j].text) for j in own]
            if own and all(_column_role(label) is not None for label in sub_labels):
                for j, label in zip(own, sub_labels, strict=True):
                    labels[j] = label
                return _Header(i, i + 2, labels, _roles(sub_row, labels))
        return _Header(i, i + 1, labels, roles)
    return None


def _roles(row: Sequence[GridCell], labels: list[str]) -> dict[int, Role]:
    """Column roles by header label; a merged header cell counts once, a single role once."""
    roles: dict[int, Role] = {}
    for j, label in enumerate(labels):
        if 0 < j < len(row) and row[j].key is row[j - 1].key:
            continue
        role = _column_role(label)
        if role is not None and not (role in _SINGLE_ROLES and role in roles.values()):
            roles[j] = role
    if Role.RESPONSIBLE in roles.values() and Role.ASSIST in roles.values() and Role.LEAD not in roles.values():
        # 责任单位 beside a separate 配合/协办/参与 column: the responsible unit leads
        roles = {j: Role.LEAD if r is Role.RESPONSIBLE else r for j, r in roles.items()}
    return roles


def _column_role(label: str) -> Role | None:
    """The role a header names: exactly a grammar word, or ending in one ("区级牵头单位")."""
    if not label or len(label) > 12:
        return None
    role = COLUMNS.get(label)
    if role is not None:
        return role
    # a longer header ending in a grammar word: "区级牵头单位", "督办事项" (事项), "具体工作任务"
    return next((COLUMNS[w] for w in _BY_LENGTH if _suffix_ok(w) and label.endswith(w)), None)


def _suffix_ok(word: str) -> bool:
    """Words a longer header may end in: any of three characters or more, and the text words."""
    return len(word) >= 3 or (len(word) == 2 and COLUMNS[word] is Role.TEXT)


def _header_label(text: str) -> str:
    return _HEADER_NOTE.sub("", re.sub(r"\s+", "", text))


def _distinct(row: Sequence[GridCell]) -> list[GridCell]:
    """The row's cells, a horizontally merged cell once."""
    return [c for j, c in enumerate(row) if j == 0 or c.key is not row[j - 1].key]


def _resolve(row: Sequence[GridCell], above: list[str], above_keys: list[object]) -> list[str]:
    """Cell values of a data row, merged and "同上" cells taking the value of the row above.

    A horizontally merged cell counts once, in its leftmost column; the columns it spans
    are empty.
    """
    values: list[str] = []
    for j, cell in enumerate(row):
        if j > 0 and cell.key is row[j - 1].key:
            values.append("")
        elif cell.key is above_keys[j] or _DITTO.match(cell.text.strip()):
            values.append(above[j])
        else:
            values.append(cell.text.strip())
    return values


def _render_item(values: list[str], header: _Header, count: int) -> list[str]:
    """One data row -> "N.task。measure" and its label lines."""
    number = ""
    parts: list[str] = []
    labels: list[str] = []
    for j, value in enumerate(values):
        role = header.roles.get(j)
        label = header.labels[j]
        if role is Role.NUMBER:
            number = value
        elif not value:
            continue
        elif role is Role.TEXT:
            if value not in parts:
                parts.append(value)
        elif role in _ROLE_LABEL:
            # the header's own word where it is a label the parser reads with this role
            word = label if LABELS.get(label) is role else _ROLE_LABEL[role]
            labels.append(f"{word}：{value}")
        elif label and label != value:
            parts.append(f"{label}：{value}")  # an unrecognised column, kept with its header
        else:
            parts.append(value)
    if not parts:
        # nothing to number: keep the text as a plain line rather than a bare "1."
        return ["  ".join(filter(None, values))]
    text = parts[0]
    for part in parts[1:]:
        text += part if _SENTENCE_END.search(text) else "。" + part
    return [_number_mark(number, count) + text, *labels]


def _number_mark(number: str, count: int) -> str:
    """The item's number with its mark: "3" -> "3.", "三" -> "三、", "" -> the row count."""
    number = re.sub(r"\s+", "", number)
    if not number:
        return f"{count}."
    if _NUMBER_WITH_MARK.match(number):
        return number
    if _CHINESE_NUMERAL.match(number):
        return number + "、"
    return number + "."


def _render_plain(rows: Sequence[Sequence[GridCell]]) -> list[str]:
    """Each row's cells joined by two spaces; a merged cell's text appears once."""
    seen: set[int] = set()  # id() of cell keys, all kept alive by ``rows``
    lines: list[str] = []
    for row in rows:
        texts = []
        for cell in row:
            if id(cell.key) in seen:
                continue
            seen.add(id(cell.key))
            if cell.text.strip():
                texts.append(cell.text.strip())
        if texts:
            lines.append("  ".join(texts))
    return lines
