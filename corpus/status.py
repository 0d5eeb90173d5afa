"""Where a task stands on a reference date (督办状态): overdue, due soon, later, ongoing, …

A pure function of the clause's normalised deadline (kind + date) and the reference date, so
the ledger, the per-unit view, the answers and the exports all agree.

Example:
    >>> from corpus.model import Clause, Deadline, DeadlineKind
    >>> task_status(Deadline("2020年底前", "2020-12-31", DeadlineKind.BY_DATE), date(2021, 1, 19))
    <TaskStatus.OVERDUE: 'overdue'>
    >>> STATUS_LABELS[TaskStatus.DUE_SOON]
    '30天内到期'
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta
from enum import StrEnum

from corpus.errors import InvalidQueryError
from corpus.model import Clause, Deadline, DeadlineKind

_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")

#: A dated task is "due soon" when its deadline is at most this many days after the reference date.
DUE_SOON_DAYS = 30


class TaskStatus(StrEnum):
    """Where a task stands on the reference date."""

    OVERDUE = "overdue"  # dated deadline before the reference date
    DUE_SOON = "due_soon"  # dated deadline within DUE_SOON_DAYS from the reference date (inclusive)
    LATER = "later"  # dated deadline further away (or a "自…起" task not started yet)
    ONGOING = "ongoing"  # "持续推进"; also "自2020年8月1日开始" once started
    RECURRING = "recurring"  # "每年", "每季度"
    NO_DEADLINE = "no_deadline"  # no deadline, or one written without a readable date


#: The one table of status names: code -> Chinese label, in the order chips and groups are shown.
STATUS_LABELS: dict[TaskStatus, str] = {
    TaskStatus.OVERDUE: "已逾期",
    TaskStatus.DUE_SOON: "30天内到期",
    TaskStatus.LATER: "未到期",
    TaskStatus.ONGOING: "持续推进",
    TaskStatus.RECURRING: "定期开展",
    TaskStatus.NO_DEADLINE: "无明确时限",
}


def task_status(deadline: Deadline | None, as_of: date) -> TaskStatus:
    """The status of a task with ``deadline`` on the reference date ``as_of``.

    Rules: an ongoing deadline stays ongoing even with a date in it ("持续实施,2020年底前组织联合
    检查…" is a standing duty); a "from" deadline is later until it starts, then ongoing; a
    dated deadline is overdue the day after its date and due soon from 30 days before it.

    Args:
        deadline: the clause's deadline, or None.
        as_of: the reference date ("today").

    Returns:
        The task's status.
    """
    if deadline is None:
        return TaskStatus.NO_DEADLINE
    if deadline.kind == DeadlineKind.ONGOING:
        return TaskStatus.ONGOING
    if deadline.kind == DeadlineKind.RECURRING:
        return TaskStatus.RECURRING
    if deadline.date is None:
        return TaskStatus.NO_DEADLINE
    due = date.fromisoformat(deadline.date)
    if deadline.kind == DeadlineKind.FROM_DATE:
        return TaskStatus.LATER if due > as_of else TaskStatus.ONGOING
    if due < as_of:
        return TaskStatus.OVERDUE
    if due <= as_of + timedelta(days=DUE_SOON_DAYS):
        return TaskStatus.DUE_SOON
    return TaskStatus.LATER


def status_counts(clauses: Iterable[Clause], as_of: date) -> dict[str, int]:
    """How many of ``clauses`` are in each status on ``as_of``: every status code, in table order.

    The ledger's status chips show these counts for the tasks that pass the other filters.
    """
    counts = {str(s): 0 for s in STATUS_LABELS}
    for clause in clauses:
        counts[str(task_status(clause.deadline, as_of))] += 1
    return counts


def parse_status(value: str) -> TaskStatus:
    """A status from its code ("overdue") or its Chinese label ("已逾期").

    Raises:
        InvalidQueryError: neither; the message lists the allowed values.
    """
    text = value.strip()
    for status, label in STATUS_LABELS.items():
        if text in (status.value, label):
            return status
    allowed = ", ".join(f"{s.value} ({label})" for s, label in STATUS_LABELS.items())
    raise InvalidQueryError(f"unknown status {value!r}; allowed: {allowed}")


def parse_statuses(values: Iterable[str]) -> tuple[TaskStatus, ...]:
    """Statuses from codes or labels; comma-separated values are split ("overdue,due_soon").

    Raises:
        InvalidQueryError: a value is not a status (the message lists the allowed ones).
    """
    found: list[TaskStatus] = []
    for value in values:
        for part in value.split(","):
            if part.strip():
                status = parse_status(part)
                if status not in found:
                    found.append(status)
    return tuple(found)


def is_iso_date(value: str) -> bool:
    """True for a real calendar date written ``YYYY-MM-DD``.

    Deadlines are compared as ``YYYY-MM-DD`` strings, so the other spellings
    :meth:`date.fromisoformat` takes ("20230831", "2023-W35-4") would compare wrongly.
    """
    if not _ISO_DATE.fullmatch(value):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def reference_date(value: str | date | None) -> date:
    """The reference date: ``value`` (ISO ``YYYY-MM-DD`` or a date), or today when None or "".

    Raises:
        InvalidQueryError: a string that is not a real ``YYYY-MM-DD`` date.
    """
    if isinstance(value, date):
        return value
    if not value:
        return date.today()
    if not is_iso_date(value):
        raise InvalidQueryError(f"as_of must be an ISO date YYYY-MM-DD, got {value!r}")
    return date.fromisoformat(value)
