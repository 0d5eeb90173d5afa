"""The ledger's JSON record of a clause, as a typed pydantic model shared by every output.

The web API (``/api/tasks``, ``/api/ask``, ``/api/search``), the CLI's ``--json``, the MCP
tools and the CSV / Excel exports all serialise a clause through :class:`ClauseRecord`, so the
contract is written once and the OpenAPI document shows it.

Example:
    >>> ClauseRecord.of(clause).model_dump()["lead_units"]
    ['市市场监管局']
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from corpus.model import Clause


class ClauseRecord(BaseModel):
    """One clause of the task ledger (任务台账): where it is, what it says, who does it by when.

    Keys keep this order in every JSON output.
    """

    model_config = ConfigDict(frozen=True)

    source: str = Field(description="文件名 / document file name")
    title: str = Field(description="文件标题 / document title")
    path: str = Field(description="编号路径 / number path, e.g. 四、(一) 1.(1)")
    headings: list[str] = Field(description="上级标题 / headings above the clause, outermost first")
    text: str = Field(description="条款原文 / the clause's text")
    lead_units: list[str] = Field(description="牵头单位 / lead units")
    units: list[str] = Field(description="责任、参加、配合单位 / other responsible units")
    deadline: str | None = Field(description="完成时限（原文）/ deadline as written")
    deadline_date: str | None = Field(description="完成时限（ISO 日期）/ normalised deadline, YYYY-MM-DD")
    deadline_kind: str | None = Field(description="date, ongoing, … (docs/fields.md)")
    lead_source: str | None = Field(description="where the lead units were read (docs/fields.md)")
    units_source: str | None = Field(description="where the other units were read")
    deadline_source: str | None = Field(description="where the deadline was read")
    start: int = Field(description="条款在全文中的起始字符 / character offset of the clause in the document")
    end: int = Field(description="结束字符（不含）/ end offset, exclusive")
    id: str = Field(description="条款编号（内容哈希）/ clause id, a content hash")

    @classmethod
    def of(cls, clause: Clause) -> ClauseRecord:
        """The record of ``clause``."""
        dl = clause.deadline
        return cls(
            source=clause.source,
            title=clause.title,
            path=clause.path,
            headings=list(clause.headings),
            text=clause.text,
            lead_units=list(clause.lead_units),
            units=list(clause.units),
            deadline=dl.text if dl else None,
            deadline_date=dl.date if dl else None,
            deadline_kind=str(dl.kind) if dl else None,
            lead_source=str(clause.lead_source) if clause.lead_source else None,
            units_source=str(clause.units_source) if clause.units_source else None,
            deadline_source=str(clause.deadline_source) if clause.deadline_source else None,
            start=clause.start,
            end=clause.end,
            id=clause.id,
        )


class TaskList(BaseModel):
    """``{"count", "tasks"}``: the ledger records that passed a filter."""

    count: int = Field(description="任务数 / number of tasks")
    tasks: list[ClauseRecord]

    @classmethod
    def of(cls, clauses: list[Clause]) -> TaskList:
        """The list of ``clauses``' records."""
        return cls(count=len(clauses), tasks=[ClauseRecord.of(c) for c in clauses])
