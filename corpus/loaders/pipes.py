"""Tables typed as text: runs of lines like "| 序号 | 工作任务 | 牵头单位 |" become table rows.

Plain-text task lists often carry a table drawn with "|" (copied from a spreadsheet or written as
Markdown). Such a run goes through :func:`corpus.loaders.tables.render_table`, the same table
grammar as Word and Excel tables; a separator row ("|---|---|") is dropped.

Example:
    >>> print(render_pipe_tables("清单\\n| 序号 | 工作任务 | 牵头单位 |\\n|---|---|---|\\n| 1 | 建设平台 | 县数据局 |"))
    清单
    1.建设平台
    牵头单位：县数据局
"""

from __future__ import annotations

import re

from corpus.loaders.tables import GridCell, render_table

_ROW = re.compile(r"^\s*\|.*\|\s*$")
_SEPARATOR = re.compile(r"^[\s|:：\-—]+$")


def render_pipe_tables(text: str) -> str:
    """``text`` with every run of two or more "|" rows replaced by the table's rendered lines."""
    if "|" not in text:
        return text
    lines = text.split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        j = i
        while j < len(lines) and _ROW.match(lines[j]):
            j += 1
        if j - i >= 2:
            rows = [_cells(line) for line in lines[i:j] if not _SEPARATOR.match(line)]
            out.extend(render_table(rows))
            i = j
        else:
            out.append(lines[i])
            i += 1
    return "\n".join(out)


def _cells(line: str) -> list[GridCell]:
    # every cell its own key: a typed table has no merged cells ("同上" still fills down)
    return [GridCell(object(), cell.strip()) for cell in line.strip().strip("|").split("|")]
