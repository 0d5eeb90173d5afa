"""``/api/units``: every task of one unit across documents (督办 by unit), its timeline, Excel by unit."""

from __future__ import annotations

import io
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from corpus.export import write_units_xlsx
from corpus.status import reference_date
from corpus.timeline import timeline_svg
from corpus.unitview import UnitView, unit_counts, unit_view, unit_views
from service.errors import http_error
from service.routes.tasks import XLSX_TYPE, attachment
from service.state import ServiceState, State

router = APIRouter(prefix="/api/units", tags=["units"])

_DATE_OR_EMPTY = {"anyOf": [{"type": "string", "format": "date"}, {"type": "string", "maxLength": 0}]}
AsOf = Annotated[str | None, Query(description="状态的基准日 YYYY-MM-DD（默认今天）", json_schema_extra=_DATE_OR_EMPTY)]
UnitParam = Annotated[str, Path(description="单位（支持简称）/ unit, alias-aware, e.g. 市商务局")]
_XLSX = {"content": {XLSX_TYPE: {"schema": {"type": "string"}}}}


def _view(state: ServiceState, unit: str, as_of: str | None) -> UnitView:
    day = reference_date(as_of)
    with state.reading() as index:
        view = unit_view(index.clauses, unit, day)
    if not view.tasks:
        raise http_error(404, f"没有单位 {unit} 的任务", f"no task names the unit {unit!r} (lead or other unit)")
    return view


def _xlsx(views: list[UnitView], filename: str, fallback: str) -> Response:
    buf = io.BytesIO()
    write_units_xlsx(views, buf)
    return Response(
        buf.getvalue(), media_type=XLSX_TYPE, headers={"Content-Disposition": attachment(filename, fallback)}
    )


@router.get(
    "",
    summary="单位列表 / units",
    responses={200: {"description": "JSON list, or Excel with one sheet per unit (format=xlsx)", **_XLSX}},
)
def units(state: State, as_of: AsOf = None, format: Literal["json", "xlsx"] = "json") -> Any:
    """Every unit the tasks name (aliases merged), with how many task mentions each has.

    ``format=xlsx`` downloads 分单位任务台账.xlsx: a summary sheet and one sheet per unit, the
    tasks grouped by status on ``as_of``.
    """
    day = reference_date(as_of)
    with state.reading() as index:
        clauses = index.clauses
        if format == "xlsx":
            return _xlsx(unit_views(clauses, day), "分单位任务台账.xlsx", "tasks-by-unit.xlsx")
        counted = unit_counts(clauses)
    return {"count": len(counted), "units": [{"unit": name, "mentions": n} for name, n in counted]}


@router.get(
    "/{unit}",
    summary="单位任务 / one unit's tasks by status",
    responses={200: {"description": "JSON view, or its Excel sheet (format=xlsx)", **_XLSX}, 404: {}},
)
def unit_tasks(unit: UnitParam, state: State, as_of: AsOf = None, format: Literal["json", "xlsx"] = "json") -> Any:
    """Every task naming ``unit`` (lead or other unit, alias-aware) in every document, grouped by status.

    JSON: ``{"unit", "names", "as_of", "count", "lead", "participating", "counts", "groups":
    [{"status", "label", "count", "tasks": [ledger record + role]}]}``.
    """
    view = _view(state, unit, as_of)
    if format == "xlsx":
        return _xlsx([view], f"{view.unit}任务台账.xlsx", "unit-tasks.xlsx")
    return view.to_dict()


@router.get(
    "/{unit}/timeline.svg",
    summary="单位任务时间轴 / one unit's deadlines on a timeline (SVG)",
    responses={200: {"content": {"image/svg+xml": {"schema": {"type": "string"}}}}, 404: {}},
)
def unit_timeline(unit: UnitParam, state: State, as_of: AsOf = None) -> Response:
    """The unit's deadlines on a time axis (lead / participating lanes, reference date marked)."""
    view = _view(state, unit, as_of)
    return Response(timeline_svg(view), media_type="image/svg+xml; charset=utf-8")
