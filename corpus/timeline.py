"""A unit's deadlines on a time axis, as a self-contained SVG (no script, no CDN, no font files).

Two lanes (牵头 / 配合); one circle per deadline date and status, its area growing with the number
of tasks due that day, coloured by status; a red line at the reference date. Tasks without a
date (持续推进, 定期开展, 无明确时限) are counted in the legend.

Example:
    >>> svg = timeline_svg(unit_view(clauses, "市商务局", date(2021, 1, 19)))
    >>> svg.startswith("<svg") and "基准日 2021-01-19" in svg
    True
"""

from __future__ import annotations

import math
from collections import Counter
from datetime import date, timedelta
from xml.sax.saxutils import escape, quoteattr

from corpus.status import STATUS_LABELS, TaskStatus
from corpus.unitview import ROLE_LABELS, UnitView

#: Fill colour of each status (shared with the web page's chips, see service/static/style.css).
STATUS_COLOURS: dict[TaskStatus, str] = {
    TaskStatus.OVERDUE: "#c0392b",
    TaskStatus.DUE_SOON: "#e67e22",
    TaskStatus.LATER: "#2e86c1",
    TaskStatus.ONGOING: "#27ae60",
    TaskStatus.RECURRING: "#8e44ad",
    TaskStatus.NO_DEADLINE: "#7f8c8d",
}
_FONT = "'Noto Sans CJK SC','Noto Sans SC','Microsoft YaHei',sans-serif"
_LEFT, _RIGHT, _TOP, _LANE = 70, 30, 56, 70


def timeline_svg(view: UnitView, width: int = 960) -> str:
    """The SVG (a UTF-8 string) of ``view``'s dated deadlines around its reference date.

    Args:
        view: the unit's tasks on a reference date.
        width: the drawing's width in pixels (at least 400).
    """
    width = max(400, width)
    dated = [
        (date.fromisoformat(t.clause.deadline.date), t.role, t.status)
        for t in view.tasks
        if t.clause.deadline and t.clause.deadline.date and t.status in _DATED
    ]
    start, end = _span([d for d, _, _ in dated] + [view.as_of])
    plot = width - _LEFT - _RIGHT
    height = _TOP + 2 * _LANE + 70

    def x(day: date) -> float:
        return _LEFT + plot * (day - start).days / max(1, (end - start).days)

    title = f"{view.unit}：{len(view.tasks)} 项任务（牵头 {view.lead_count}），截至 {view.as_of.isoformat()}"
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="{_FONT}" font-size="12" role="img" '
        f"aria-label={quoteattr(title)}>",
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
        f'<text x="{_LEFT}" y="22" font-size="15" font-weight="bold">{escape(title)}</text>',
    ]
    for lane, role in enumerate(("lead", "participating")):
        y = _TOP + lane * _LANE + _LANE / 2
        out.append(f'<line x1="{_LEFT}" x2="{width - _RIGHT}" y1="{y}" y2="{y}" stroke="#d0d7de"/>')
        out.append(f'<text x="{_LEFT - 10}" y="{y + 4}" text-anchor="end">{ROLE_LABELS[role]}</text>')  # type: ignore[index]
    axis_y = _TOP + 2 * _LANE
    out.append(f'<line x1="{_LEFT}" x2="{width - _RIGHT}" y1="{axis_y}" y2="{axis_y}" stroke="#57606a"/>')
    for tick, label in _ticks(start, end):
        tx = x(tick)
        out.append(f'<line x1="{tx:.1f}" x2="{tx:.1f}" y1="{axis_y}" y2="{axis_y + 5}" stroke="#57606a"/>')
        out.append(f'<text x="{tx:.1f}" y="{axis_y + 18}" text-anchor="middle" fill="#57606a">{label}</text>')
    ref = x(view.as_of)
    out.append(
        f'<line class="as-of" x1="{ref:.1f}" x2="{ref:.1f}" y1="{_TOP - 8}" y2="{axis_y}" '
        'stroke="#c0392b" stroke-dasharray="4 3"/>'
    )
    out.append(
        f'<text x="{ref:.1f}" y="{_TOP - 12}" text-anchor="middle" fill="#c0392b">'
        f"基准日 {view.as_of.isoformat()}</text>"
    )
    for (day, role, status), count in sorted(Counter(dated).items()):
        cy = _TOP + (0 if role == "lead" else 1) * _LANE + _LANE / 2
        r = min(22.0, 4 + 3 * math.sqrt(count))
        tip = f"{day.isoformat()} {ROLE_LABELS[role]} {STATUS_LABELS[status]}：{count} 项"
        colour = STATUS_COLOURS[status]
        # An ongoing task's date is a checkpoint, not its end: drawn as a ring over the dots.
        paint = f'fill="#ffffff" fill-opacity="0.6" stroke="{colour}" stroke-width="3"'
        if status != TaskStatus.ONGOING:
            paint = f'fill="{colour}" fill-opacity="0.8" stroke="#ffffff"'
        out.append(
            f'<circle class="deadline" cx="{x(day):.1f}" cy="{cy}" r="{r:.1f}" {paint}>'
            f"<title>{escape(tip)}</title></circle>"
        )
        if count > 1:
            ink = colour if status == TaskStatus.ONGOING else "#ffffff"
            out.append(
                f'<text x="{x(day):.1f}" y="{cy + 4}" text-anchor="middle" fill="{ink}" font-size="11">{count}</text>'
            )
    out.extend(_legend(view, axis_y + 44))
    out.append("</svg>")
    return "\n".join(out)


# Statuses that have a place on the time axis.
_DATED = frozenset({TaskStatus.OVERDUE, TaskStatus.DUE_SOON, TaskStatus.LATER, TaskStatus.ONGOING})


def _legend(view: UnitView, y: float) -> list[str]:
    counts = view.counts()
    out: list[str] = []
    lx = float(_LEFT)
    for status, label in STATUS_LABELS.items():
        text = f"{label} {counts[str(status)]}"
        out.append(f'<circle cx="{lx + 6}" cy="{y - 4}" r="6" fill="{STATUS_COLOURS[status]}"/>')
        out.append(f'<text x="{lx + 16}" y="{y}">{escape(text)}</text>')
        lx += 16 + 13 * len(text) + 18
    return out


def _span(days: list[date]) -> tuple[date, date]:
    """The axis's first and last day: the dates with a margin, at least 60 days wide."""
    first, last = min(days), max(days)
    margin = max(15, (last - first).days // 20)
    first, last = first - timedelta(days=margin), last + timedelta(days=margin)
    if (last - first).days < 60:
        last = first + timedelta(days=60)
    return first, last


def _ticks(start: date, end: date) -> list[tuple[date, str]]:
    """Month starts on the axis, thinned to at most ~12 labels ("2021-03"; January shows the year)."""
    months: list[date] = []
    day = date(start.year, start.month, 1)
    while day <= end:
        if day >= start:
            months.append(day)
        day = date(day.year + (day.month == 12), day.month % 12 + 1, 1)
    step = max(1, math.ceil(len(months) / 12))
    for candidate in (1, 2, 3, 6, 12, 24):  # calendar-friendly steps
        if candidate >= step:
            step = candidate
            break
    chosen = [m for m in months if (m.year * 12 + m.month - 1) % step == 0]
    return [(m, f"{m.year}-{m.month:02d}") for m in chosen]
