"""The ledger's JSON record of a clause, as a typed pydantic model shared by every output.

The web API (``/api/tasks``, ``/api/ask``, ``/api/search``), the CLI's ``--json``, the MCP
tools and the CSV / Excel exports all serialise a clause through :class:`ClauseRecord`, so the
contract is written once and the OpenAPI document shows it.

Example:
    >>> ClauseRecord.of(clause).model_dump()["lead_units"]
    ['市市场监管局']
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field

from corpus.model import Clause
from corpus.status import STATUS_LABELS, TaskStatus, status_counts, task_status


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
    status: TaskStatus = Field(description="督办状态代码 / task status on the reference date (corpus/status.py)")
    status_label: str = Field(description="督办状态 / the status in Chinese (已逾期, 30天内到期, …)")
    lead_source: str | None = Field(description="where the lead units were read (docs/fields.md)")
    units_source: str | None = Field(description="where the other units were read")
    deadline_source: str | None = Field(description="where the deadline was read")
    start: int = Field(description="条款在全文中的起始字符 / character offset of the clause in the document")
    end: int = Field(description="结束字符（不含）/ end offset, exclusive")
    id: str = Field(description="条款编号（内容哈希）/ clause id, a content hash")

    @classmethod
    def of(cls, clause: Clause, as_of: date | None = None) -> ClauseRecord:
        """The record of ``clause``, its status on ``as_of`` (default today)."""
        dl = clause.deadline
        status = task_status(dl, as_of or date.today())
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
            status=status,
            status_label=STATUS_LABELS[status],
            lead_source=str(clause.lead_source) if clause.lead_source else None,
            units_source=str(clause.units_source) if clause.units_source else None,
            deadline_source=str(clause.deadline_source) if clause.deadline_source else None,
            start=clause.start,
            end=clause.end,
            id=clause.id,
        )


class TaskList(BaseModel):
    """``{"count", "as_of", "status_counts", "status_labels", "tasks"}``: the ledger records that
    passed a filter, with their statuses on the reference date ``as_of``."""

    count: int = Field(description="任务数 / number of tasks")
    as_of: str = Field(description="状态的基准日 / reference date of the statuses, YYYY-MM-DD")
    status_counts: dict[str, int] = Field(
        description="各状态任务数（不含状态筛选）/ tasks per status, counted before the status filter"
    )
    status_labels: dict[str, str] = Field(description="状态代码 -> 中文 / status code -> Chinese label")
    tasks: list[ClauseRecord]

    @classmethod
    def of(cls, clauses: list[Clause], as_of: date | None = None, counted: list[Clause] | None = None) -> TaskList:
        """The list of ``clauses``' records, statuses on ``as_of`` (default today).

        ``counted`` are the tasks the status counts are taken over (default ``clauses``): the
        ledger counts the tasks that pass every filter but the status one, for its chips.
        """
        day = as_of or date.today()
        return cls(
            count=len(clauses),
            as_of=day.isoformat(),
            status_counts=status_counts(clauses if counted is None else counted, day),
            status_labels={str(s): label for s, label in STATUS_LABELS.items()},
            tasks=[ClauseRecord.of(c, day) for c in clauses],
        )
