"""``GET /api/tasks``: the task ledger (任务台账) with the CLI's filters, as JSON, CSV or Excel."""

from __future__ import annotations

import io
from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import Response

from corpus.export import to_csv_bytes, write_xlsx
from corpus.ledger import TaskFilter, task_record
from corpus.model import Clause
from corpus.records import TaskList
from corpus.status import STATUS_LABELS, parse_statuses
from service.errors import http_error
from service.schemas import TaskFormat
from service.state import State

router = APIRouter(prefix="/api", tags=["tasks"])

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
#: Name of a downloaded ledger, without suffix.
EXPORT_NAME = "任务台账"


def attachment(filename: str, ascii_fallback: str) -> str:
    """A Content-Disposition value that keeps a Chinese file name (RFC 6266 / RFC 5987).

    Example:
        >>> attachment("任务台账.csv", "tasks.csv")
        'attachment; filename="tasks.csv"; filename*=UTF-8\\'\\'%E4%BB%BB%E5%8A%A1%E5%8F%B0%E8%B4%A6.csv'
    """
    return f"attachment; filename=\"{ascii_fallback}\"; filename*=UTF-8''{quote(filename)}"


def select_tasks(clauses: tuple[Clause, ...], task_filter: TaskFilter) -> list[Clause]:
    """Task clauses that pass ``task_filter``, in index (document) order."""
    return [c for c in clauses if c.is_task and task_filter.matches(c)]


#: Description of the status filter: its codes and labels.
STATUS_HELP = "状态（可多选）/ status on as_of, repeatable: " + ", ".join(
    f"{s.value} ({label})" for s, label in STATUS_LABELS.items()
)

#: Schema of a date filter: an ISO date, or "" for "not given" (what an empty form field sends).
_DATE_OR_EMPTY = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]}


@router.get(
    "/tasks",
    summary="任务台账 / task ledger",
    response_model=TaskList,
    responses={
        200: {
            "description": "JSON ledger, or a CSV / Excel download (format=csv / xlsx)",
            "content": {"text/csv": {"schema": {"type": "string"}}, XLSX_TYPE: {"schema": {"type": "string"}}},
        },
        404: {"description": "no indexed document named `source`"},
        422: {
            "description": "invalid filter: a date that is not YYYY-MM-DD, an unknown status, or lead_only without unit"
        },
    },
)
def tasks(
    state: State,
    unit: Annotated[str | None, Query(description="单位（牵头或配合，支持简称）/ unit, alias-aware")] = None,
    lead_only: Annotated[
        bool, Query(description="仅牵头（需同时给出 unit）/ only tasks the unit leads (needs unit)")
    ] = False,
    due_before: Annotated[
        str | None, Query(description="截止不晚于 YYYY-MM-DD", json_schema_extra=_DATE_OR_EMPTY)
    ] = None,
    due_after: Annotated[
        str | None, Query(description="截止不早于 YYYY-MM-DD", json_schema_extra=_DATE_OR_EMPTY)
    ] = None,
    ongoing: Annotated[bool, Query(description="仅持续推进 / only ongoing tasks")] = False,
    source: Annotated[str | None, Query(description="文件名 / document file name")] = None,
    status: Annotated[list[str] | None, Query(description=STATUS_HELP)] = None,
    as_of: Annotated[
        str | None, Query(description="状态的基准日 YYYY-MM-DD（默认今天）", json_schema_extra=_DATE_OR_EMPTY)
    ] = None,
    format: Annotated[TaskFormat, Query(description="json, csv or xlsx")] = "json",
) -> Any:
    """Task clauses with their units, deadlines and status on ``as_of``; every given filter must hold.

    ``format=json`` returns ``{"count", "as_of", "status_counts", "status_labels", "tasks": [...]}`` (ledger
    records); ``status_counts`` counts the tasks passing every filter but ``status``, per status
    (the page's chips). ``csv`` (UTF-8 with BOM, opens in Excel) and ``xlsx`` are downloads
    named 任务台账.csv / 任务台账.xlsx, with a status column.
    """
    statuses = parse_statuses(status or [])
    flt = TaskFilter.from_form(unit, lead_only, due_before, due_after, ongoing, source, statuses, as_of)
    day = flt.reference
    with state.reading() as index:
        known = state.sources()
        if flt.source and flt.source not in known:
            raise http_error(
                404, f"找不到文件 {flt.source}", f"no document {flt.source!r}; indexed: {', '.join(known)}"
            )
        unfiltered = select_tasks(index.clauses, replace(flt, statuses=()))
    chosen = [c for c in unfiltered if flt.matches(c)]
    if format == "json":
        return TaskList.of(chosen, day, counted=unfiltered)
    records = [task_record(c, day) for c in chosen]
    if format == "csv":
        return Response(
            to_csv_bytes(records, day),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": attachment(f"{EXPORT_NAME}.csv", "tasks.csv")},
        )
    if format == "xlsx":
        buf = io.BytesIO()
        write_xlsx(records, buf, day)
        return Response(
            buf.getvalue(),
            media_type=XLSX_TYPE,
            headers={"Content-Disposition": attachment(f"{EXPORT_NAME}.xlsx", "tasks.xlsx")},
        )
    raise AssertionError(f"unhandled format {format!r}")  # TaskFormat is json, csv or xlsx
